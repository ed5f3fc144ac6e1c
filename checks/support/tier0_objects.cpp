#include "checks/support/tier0_objects.hpp"

#include "scanner/util/strings.hpp"

namespace adpersist::checks {

std::optional<Tier0Object> tier0_object(const model::Snapshot& snap, const model::Entry& e) {
  const auto& priv = snap.privilege();
  if (priv.is_dc(e)) return Tier0Object{Tier0Kind::domain_controller};
  if (&e == priv.krbtgt() || (e.is_user() && util::istarts_with(e.display_name(), "krbtgt_")))
    return Tier0Object{Tier0Kind::krbtgt};
  if (priv.is_privileged_group(e)) return Tier0Object{Tier0Kind::privileged_group};
  if (priv.is_tier0(e)) return Tier0Object{Tier0Kind::privileged_account};
  if (const auto& dom = snap.domain(); dom && util::iequals(e.dn(), "OU=Domain Controllers," + dom->dn))
    return Tier0Object{Tier0Kind::domain_controllers_ou};
  if (e.is_account() || e.is_group()) {
    auto ac = e.integer("adminCount");
    if (ac.ok() && *ac && **ac == 1) return Tier0Object{Tier0Kind::admincount_account, false};
  }
  return std::nullopt;
}

std::string_view tier0_kind_label(Tier0Kind k) {
  switch (k) {
    case Tier0Kind::domain_controller:
      return "domain controller";
    case Tier0Kind::krbtgt:
      return "krbtgt account";
    case Tier0Kind::privileged_group:
      return "privileged group";
    case Tier0Kind::privileged_account:
      return "tier-0 account";
    case Tier0Kind::domain_controllers_ou:
      return "Domain Controllers OU";
    case Tier0Kind::admincount_account:
      return "adminCount=1 account";
  }
  return "object";
}

std::string_view tier0_kind_id(Tier0Kind k) {
  switch (k) {
    case Tier0Kind::domain_controller:
      return "domain_controller";
    case Tier0Kind::krbtgt:
      return "krbtgt";
    case Tier0Kind::privileged_group:
      return "privileged_group";
    case Tier0Kind::privileged_account:
      return "privileged_account";
    case Tier0Kind::domain_controllers_ou:
      return "domain_controllers_ou";
    case Tier0Kind::admincount_account:
      return "admincount_account";
  }
  return "object";
}

std::string_view parent_dn(std::string_view dn) {
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;  // the escaped character (or the first of two hex digits, which are never ',')
      continue;
    }
    if (dn[i] == ',') {
      std::size_t j = i + 1;
      while (j < dn.size() && dn[j] == ' ') ++j;
      return dn.substr(j);
    }
  }
  return {};
}

}  // namespace adpersist::checks
