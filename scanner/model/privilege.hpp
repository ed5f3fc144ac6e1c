// Tier 0: the privileged groups of a domain and their transitive members, computed once per snapshot.
// Nested groups, membership cycles and primaryGroupID are handled; cost is linear in the membership graph
// reachable from the privileged groups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/model/snapshot.hpp"

namespace adpersist::model {

enum class PrivGroup : std::uint8_t {
  administrators,
  domain_admins,
  enterprise_admins,
  schema_admins,
  account_operators,
  server_operators,
  backup_operators,
  print_operators,
  dns_admins,
  group_policy_creator_owners,
  key_admins,
  enterprise_key_admins,
  domain_controllers,
  read_only_domain_controllers,
};
inline constexpr std::size_t kPrivGroupCount = 14;

struct PrivGroupDef {
  PrivGroup id;
  std::string_view label;        // "Domain Admins"
  std::optional<Sid> builtin;    // S-1-5-32-544 style
  std::uint32_t domain_rid = 0;  // 512 style (relative to the domain SID)
  std::string_view sam_name;     // found by sAMAccountName when it has no fixed RID (DnsAdmins)
};
const std::vector<PrivGroupDef>& privileged_group_defs();

struct Membership {
  const Entry* member = nullptr;        // null when the member DN is not in the snapshot
  std::string_view member_dn;
  std::vector<const Entry*> via;        // nested groups between the privileged group and the member
  bool primary_group = false;           // membership through the member's primaryGroupID
};

class Privilege {
 public:
  struct Group {
    PrivGroupDef def;
    const Entry* entry = nullptr;         // the group object (null when not in the input)
    std::vector<Membership> members;      // transitive, every member once (shortest path)
  };

  static Privilege compute(const Snapshot& snap);

  const std::vector<Group>& groups() const { return groups_; }
  // Privileged groups the entry belongs to, transitively (bit i = PrivGroup value i).
  std::uint32_t groups_of(const Entry& e) const { return member_of_[e.index()]; }
  bool is_privileged(const Entry& e) const { return member_of_[e.index()] != 0; }
  bool is_dc(const Entry& e) const { return dc_[e.index()]; }
  bool is_privileged_group(const Entry& e) const { return priv_group_[e.index()]; }
  // Tier 0: a privileged member, a privileged group itself, krbtgt (incl. RODC krbtgt_*) or a DC account.
  bool is_tier0(const Entry& e) const;
  const Entry* krbtgt() const { return krbtgt_; }
  const std::vector<const Entry*>& domain_controllers() const { return dcs_; }
  // "Domain Admins, Administrators (via IT-Admins)" — for evidence.
  std::vector<std::string> describe(const Entry& e) const;
  std::string_view label(PrivGroup g) const;

 private:
  std::vector<Group> groups_;
  std::vector<std::uint32_t> member_of_;
  std::vector<bool> dc_, priv_group_, krbtgt_like_;
  const Entry* krbtgt_ = nullptr;
  std::vector<const Entry*> dcs_;
};

}  // namespace adpersist::model
