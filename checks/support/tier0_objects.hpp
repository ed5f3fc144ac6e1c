// The tier-0 objects whose control or ownership hands over the domain: privileged groups and their members,
// domain controllers, krbtgt, adminCount=1 accounts and the Domain Controllers OU. Shared by
// ad.privileged-object-acl and ad.privileged-object-owner so both judge the same set.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checks/check.hpp"

namespace adpersist::checks {

enum class Tier0Kind {
  domain_controller,      // a DC computer account (privilege model)
  krbtgt,                 // krbtgt or an RODC's krbtgt_NNNN
  privileged_group,       // a privileged group itself
  privileged_account,     // a transitive member of a privileged group
  domain_controllers_ou,  // OU=Domain Controllers,<domain>: a GPO linked there runs on every DC
  admincount_account,     // adminCount=1 but no longer in a privileged group (stale protection)
};

struct Tier0Object {
  Tier0Kind kind;
  bool tier0 = true;  // false only for admincount_account: protected once, not privileged now
};

// Why `e` is a tier-0 object, or nullopt. An unparseable adminCount reads as absent (ad.admincount-orphan
// notes it).
std::optional<Tier0Object> tier0_object(const model::Snapshot& snap, const model::Entry& e);
// "domain controller", "krbtgt account", "privileged group", "tier-0 account", "Domain Controllers OU",
// "adminCount=1 account".
std::string_view tier0_kind_label(Tier0Kind k);
// "domain_controller", ... for evidence.
std::string_view tier0_kind_id(Tier0Kind k);

// The DN of the parent ("CN=a\,b,OU=x,DC=y" → "OU=x,DC=y"), honouring backslash escapes; empty for a
// single-RDN DN.
std::string_view parent_dn(std::string_view dn);

}  // namespace adpersist::checks
