#include "checks/support/kerberos_util.hpp"

#include <cstdio>

#include "scanner/util/strings.hpp"

namespace adpersist::checks {

SpnParts split_spn(std::string_view spn) {
  SpnParts p;
  const auto slash = spn.find('/');
  if (slash == std::string_view::npos) {
    p.service = spn;
    return p;
  }
  p.service = spn.substr(0, slash);
  auto rest = spn.substr(slash + 1);
  rest = rest.substr(0, rest.find_first_of(":/"));
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  p.host = rest;
  return p;
}

std::vector<std::string> spn_list(const model::Entry& e) {
  std::vector<std::string> out;
  for (auto s : e.values("servicePrincipalName")) out.emplace_back(s);
  return out;
}

bool is_krbtgt_account(const model::Privilege& p, const model::Entry& e) {
  return &e == p.krbtgt() || (e.is_user() && util::istarts_with(e.display_name(), "krbtgt_"));
}

std::vector<std::string> enctype_names(std::uint32_t bits) {
  static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
      {0x1, "DES-CBC-CRC"},
      {0x2, "DES-CBC-MD5"},
      {0x4, "RC4-HMAC"},
      {0x8, "AES128-CTS-HMAC-SHA1-96"},
      {0x10, "AES256-CTS-HMAC-SHA1-96"},
      {0x20, "AES256-CTS-HMAC-SHA1-96-SK"},
      {0x10000, "FAST-supported"},
      {0x20000, "compound-identity-supported"},
      {0x40000, "claims-supported"},
      {0x80000, "resource-SID-compression-disabled"},
  };
  std::vector<std::string> out;
  std::uint32_t named = 0;
  for (const auto& [bit, name] : kNames) {
    named |= bit;
    if (bits & bit) out.emplace_back(name);
  }
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((bits & bit) && !(named & bit)) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "unknown-0x%x", bit);
      out.emplace_back(buf);
    }
  }
  return out;
}

}  // namespace adpersist::checks
