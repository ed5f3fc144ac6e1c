// Helpers shared by the Kerberos and delegation checks: SPN parts, krbtgt accounts and encryption-type names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"

namespace adpersist::checks {

// msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7).
namespace etype {
inline constexpr std::uint32_t kDesCbcCrc = 0x1;
inline constexpr std::uint32_t kDesCbcMd5 = 0x2;
inline constexpr std::uint32_t kRc4Hmac = 0x4;
inline constexpr std::uint32_t kAes128 = 0x8;
inline constexpr std::uint32_t kAes256 = 0x10;
inline constexpr std::uint32_t kDes = kDesCbcCrc | kDesCbcMd5;
inline constexpr std::uint32_t kAes = kAes128 | kAes256;
}  // namespace etype

// The parts of "service/host[:port][/service-name]". A value without '/' has an empty host.
struct SpnParts {
  std::string_view service;
  std::string_view host;  // without port, service name or a trailing dot
};
SpnParts split_spn(std::string_view spn);

// servicePrincipalName values as strings, in directory order.
std::vector<std::string> spn_list(const model::Entry& e);

// The domain's krbtgt or an RODC's krbtgt_<n> account.
bool is_krbtgt_account(const model::Privilege& p, const model::Entry& e);

// Names of the set bits of msDS-SupportedEncryptionTypes ("RC4-HMAC", "AES256-CTS-HMAC-SHA1-96",
// "unknown-0x..." for bits without a name).
std::vector<std::string> enctype_names(std::uint32_t bits);

}  // namespace adpersist::checks
