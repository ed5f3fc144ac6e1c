// trustedDomain objects (onprem-formats.md section 9) read once for the checks that need them: the trust
// inventory and SID-filtering rules, and the "is this SID's domain a known trust" lookup of sIDHistory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"

namespace adpersist::checks {

namespace trust {
// trustDirection
inline constexpr std::uint32_t kInbound = 0x1;
inline constexpr std::uint32_t kOutbound = 0x2;
// trustType
inline constexpr std::uint32_t kDownlevel = 1;
inline constexpr std::uint32_t kUplevel = 2;
// trustAttributes (MS-ADTS 6.1.6.7.9)
inline constexpr std::uint32_t kNonTransitive = 0x1;
inline constexpr std::uint32_t kUplevelOnly = 0x2;
inline constexpr std::uint32_t kQuarantinedDomain = 0x4;
inline constexpr std::uint32_t kForestTransitive = 0x8;
inline constexpr std::uint32_t kCrossOrganization = 0x10;
inline constexpr std::uint32_t kWithinForest = 0x20;
inline constexpr std::uint32_t kTreatAsExternal = 0x40;
inline constexpr std::uint32_t kUsesRc4Encryption = 0x80;
inline constexpr std::uint32_t kUsesAesKeys = 0x100;
inline constexpr std::uint32_t kCrossOrganizationNoTgtDelegation = 0x200;
inline constexpr std::uint32_t kPimTrust = 0x400;
inline constexpr std::uint32_t kCrossOrganizationEnableTgtDelegation = 0x800;
}  // namespace trust

struct TrustInfo {
  const model::Entry* entry = nullptr;
  std::string partner;            // trustPartner, else the object's cn
  std::string flat_name;          // NetBIOS name
  std::optional<model::Sid> sid;  // securityIdentifier: the partner domain's SID
  std::optional<std::uint32_t> direction, type, attributes;
};

// Every trustedDomain object of the snapshot, in input order. Unparseable values are left unset and
// described in `notes` when it is given ("<dn> attribute trustAttributes: ...").
std::vector<TrustInfo> read_trusts(const model::Snapshot& snap, model::Findings* notes = nullptr);
// The trust whose partner domain SID is `domain_sid`; null when none.
const TrustInfo* find_trust(const std::vector<TrustInfo>& trusts, const model::Sid& domain_sid);

std::string trust_direction_name(std::uint32_t direction);                 // "bidirectional"
std::string trust_type_name(std::uint32_t type);                           // "uplevel"
std::vector<std::string> trust_attribute_names(std::uint32_t attributes);  // {"FOREST_TRANSITIVE", ...}

}  // namespace adpersist::checks
