#include "checks/support/domain_sids.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "scanner/util/strings.hpp"

namespace adpersist::checks {

using model::Sid;

std::string_view well_known_rid_name(std::uint32_t rid) {
  switch (rid) {
    case 498:
      return "Enterprise Read-only Domain Controllers";
    case 500:
      return "Administrator";
    case 501:
      return "Guest";
    case 502:
      return "krbtgt";
    case 512:
      return "Domain Admins";
    case 513:
      return "Domain Users";
    case 514:
      return "Domain Guests";
    case 515:
      return "Domain Computers";
    case 516:
      return "Domain Controllers";
    case 517:
      return "Cert Publishers";
    case 518:
      return "Schema Admins";
    case 519:
      return "Enterprise Admins";
    case 520:
      return "Group Policy Creator Owners";
    case 521:
      return "Read-only Domain Controllers";
    case 522:
      return "Cloneable Domain Controllers";
    case 525:
      return "Protected Users";
    case 526:
      return "Key Admins";
    case 527:
      return "Enterprise Key Admins";
    case 553:
      return "RAS and IAS Servers";
    case 571:
      return "Allowed RODC Password Replication Group";
    case 572:
      return "Denied RODC Password Replication Group";
    default:
      return {};
  }
}

std::string_view well_known_sid_name(const Sid& sid) {
  struct Known {
    std::string_view sid, name;
  };
  static constexpr std::array<Known, 26> kKnown = {{
      {"S-1-1-0", "Everyone"},
      {"S-1-3-0", "Creator Owner"},
      {"S-1-5-7", "Anonymous Logon"},
      {"S-1-5-9", "Enterprise Domain Controllers"},
      {"S-1-5-10", "Self"},
      {"S-1-5-11", "Authenticated Users"},
      {"S-1-5-18", "Local System"},
      {"S-1-5-19", "Local Service"},
      {"S-1-5-20", "Network Service"},
      {"S-1-5-32-544", "Administrators"},
      {"S-1-5-32-545", "Users"},
      {"S-1-5-32-546", "Guests"},
      {"S-1-5-32-548", "Account Operators"},
      {"S-1-5-32-549", "Server Operators"},
      {"S-1-5-32-550", "Print Operators"},
      {"S-1-5-32-551", "Backup Operators"},
      {"S-1-5-32-552", "Replicator"},
      {"S-1-5-32-554", "Pre-Windows 2000 Compatible Access"},
      {"S-1-5-32-555", "Remote Desktop Users"},
      {"S-1-5-32-556", "Network Configuration Operators"},
      {"S-1-5-32-557", "Incoming Forest Trust Builders"},
      {"S-1-5-32-560", "Windows Authorization Access Group"},
      {"S-1-5-32-562", "Distributed COM Users"},
      {"S-1-5-32-568", "IIS_IUSRS"},
      {"S-1-5-32-569", "Cryptographic Operators"},
      {"S-1-5-32-580", "Remote Management Users"},
  }};
  const auto text = sid.to_string();
  for (const auto& k : kKnown)
    if (k.sid == text) return k.name;
  return {};
}

bool is_privileged_sid(const Sid& sid) {
  return !sid.is_domain_account() || sid.rid() < 1000;
}

bool is_broad_sid(const Sid& sid) {
  const auto text = sid.to_string();
  return text == "S-1-1-0" || text == "S-1-5-7" || text == "S-1-5-11" || text == "S-1-5-32-545";
}

std::string sid_name(const model::Snapshot& snap, const Sid& sid) {
  if (const auto* e = snap.find_sid(sid); e && !e->is_foreign_principal())
    return std::string(e->display_name());
  if (auto n = well_known_sid_name(sid); !n.empty()) return std::string(n);
  const auto& d = snap.domain();
  if (d && d->sid && sid.is_in_domain(*d->sid))
    if (auto n = well_known_rid_name(sid.rid()); !n.empty()) return std::string(n);
  return {};
}

std::string_view first_rdn_value(std::string_view dn) {
  // Skip escaped characters while looking for the first unescaped ','.
  std::size_t end = 0;
  for (; end < dn.size(); ++end) {
    if (dn[end] == '\\') {
      ++end;
      continue;
    }
    if (dn[end] == ',') break;
  }
  auto rdn = dn.substr(0, std::min(end, dn.size()));
  const auto eq = rdn.find('=');
  return eq == std::string_view::npos ? util::trim(rdn) : util::trim(rdn.substr(eq + 1));
}

bool dn_is_below(std::string_view dn, std::string_view base) {
  if (base.empty() || dn.size() <= base.size() + 1) return false;
  if (!util::iends_with(dn, base)) return false;
  return dn[dn.size() - base.size() - 1] == ',';
}

bool is_foreign_principal_dn(std::string_view dn) {
  // The container's RDN, wherever it sits: ",CN=ForeignSecurityPrincipals," in the DN.
  const std::string lower = util::to_lower(dn);
  return lower.find(",cn=foreignsecurityprincipals,") != std::string::npos;
}

std::optional<Sid> sid_from_foreign_principal_dn(std::string_view dn) {
  if (!is_foreign_principal_dn(dn)) return std::nullopt;
  auto s = parsers::parse_sid_string(first_rdn_value(dn));
  if (!s) return std::nullopt;
  return s.value();
}

Result<std::optional<std::uint32_t>> flags_attribute(const model::Entry& e, std::string_view attr) {
  auto n = e.integer(attr);
  if (!n) return n.error();
  if (!n.value()) return std::optional<std::uint32_t>{};
  const std::int64_t v = *n.value();
  if (v < INT32_MIN || v > static_cast<std::int64_t>(UINT32_MAX))
    return make_error(ErrorCode::invalid_input, "'" + std::to_string(v) + "' is not a 32-bit value",
                      std::string(e.dn()) + " attribute " + std::string(attr));
  // A negative value is the signed rendering of the same 32 bits.
  const std::int64_t u = v < 0 ? v + (std::int64_t{1} << 32) : v;
  return std::optional<std::uint32_t>{static_cast<std::uint32_t>(u)};
}

}  // namespace adpersist::checks
