// Replication metadata: binary replPropertyMetaData and the XML msDS-ReplAttributeMetaData /
// msDS-ReplValueMetaData values (onprem-formats.md section 6). Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/parsers/ad_time.hpp"
#include "scanner/parsers/guid.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::parsers {

// ATTRTYP of a base-schema attribute from its attributeID (onprem-formats.md 6b; MS-DRSR 5.16.4 MakeAttid):
// the high word is the index of the OID prefix in the default prefix table and the low word the last arc.
// This holds for last arcs below 16384 (one or two BER bytes, so the prefix is the attributeID minus its last
// arc). Indexes used here: 0 = 2.5.4, 2 = 1.2.840.113556.1.2, 9 = 1.2.840.113556.1.4.
constexpr std::uint32_t make_attrtyp(std::uint32_t prefix_index, std::uint32_t last_arc) {
  return prefix_index << 16 | last_arc;
}
inline constexpr std::uint32_t kPrefix2_5_4 = 0;               // 2.5.4
inline constexpr std::uint32_t kPrefix1_2_840_113556_1_2 = 2;  // 1.2.840.113556.1.2
inline constexpr std::uint32_t kPrefix1_2_840_113556_1_4 = 9;  // 1.2.840.113556.1.4

// Base-schema ATTRTYPs (the same in every forest), each derived from its attributeID.
namespace attrtyp {
inline constexpr std::uint32_t kMember = make_attrtyp(kPrefix2_5_4, 31);                      // 2.5.4.31
inline constexpr std::uint32_t kUserPassword = make_attrtyp(kPrefix2_5_4, 35);                // 2.5.4.35
inline constexpr std::uint32_t kDsaSignature = make_attrtyp(kPrefix1_2_840_113556_1_2, 74);   // ...1.2.74
inline constexpr std::uint32_t kDsHeuristics = make_attrtyp(kPrefix1_2_840_113556_1_2, 212);  // ...1.2.212
inline constexpr std::uint32_t kNtSecurityDescriptor =
    make_attrtyp(kPrefix1_2_840_113556_1_2, 281);  // ...1.2.281
inline constexpr std::uint32_t kUserAccountControl = make_attrtyp(kPrefix1_2_840_113556_1_4, 8);
inline constexpr std::uint32_t kDbcsPwd = make_attrtyp(kPrefix1_2_840_113556_1_4, 55);
inline constexpr std::uint32_t kScriptPath = make_attrtyp(kPrefix1_2_840_113556_1_4, 62);
inline constexpr std::uint32_t kUnicodePwd = make_attrtyp(kPrefix1_2_840_113556_1_4, 90);
inline constexpr std::uint32_t kNtPwdHistory = make_attrtyp(kPrefix1_2_840_113556_1_4, 94);
inline constexpr std::uint32_t kPwdLastSet = make_attrtyp(kPrefix1_2_840_113556_1_4, 96);
inline constexpr std::uint32_t kPrimaryGroupId = make_attrtyp(kPrefix1_2_840_113556_1_4, 98);
inline constexpr std::uint32_t kSupplementalCredentials = make_attrtyp(kPrefix1_2_840_113556_1_4, 125);
inline constexpr std::uint32_t kObjectSid = make_attrtyp(kPrefix1_2_840_113556_1_4, 146);
inline constexpr std::uint32_t kAdminCount = make_attrtyp(kPrefix1_2_840_113556_1_4, 150);
inline constexpr std::uint32_t kLmPwdHistory = make_attrtyp(kPrefix1_2_840_113556_1_4, 160);
inline constexpr std::uint32_t kSidHistory = make_attrtyp(kPrefix1_2_840_113556_1_4, 609);
inline constexpr std::uint32_t kUserPrincipalName = make_attrtyp(kPrefix1_2_840_113556_1_4, 656);
inline constexpr std::uint32_t kServicePrincipalName = make_attrtyp(kPrefix1_2_840_113556_1_4, 771);
inline constexpr std::uint32_t kAltSecurityIdentities = make_attrtyp(kPrefix1_2_840_113556_1_4, 867);
inline constexpr std::uint32_t kGpLink = make_attrtyp(kPrefix1_2_840_113556_1_4, 891);
inline constexpr std::uint32_t kGpcFileSysPath = make_attrtyp(kPrefix1_2_840_113556_1_4, 894);
inline constexpr std::uint32_t kLastLogonTimestamp = make_attrtyp(kPrefix1_2_840_113556_1_4, 1696);
inline constexpr std::uint32_t kMsDsAllowedToDelegateTo = make_attrtyp(kPrefix1_2_840_113556_1_4, 1787);
inline constexpr std::uint32_t kUnixUserPassword = make_attrtyp(kPrefix1_2_840_113556_1_4, 1910);
inline constexpr std::uint32_t kMsDsSupportedEncryptionTypes = make_attrtyp(kPrefix1_2_840_113556_1_4, 1963);
inline constexpr std::uint32_t kMsDsAllowedToActOnBehalfOfOtherIdentity =
    make_attrtyp(kPrefix1_2_840_113556_1_4, 2182);
inline constexpr std::uint32_t kMsDsKeyCredentialLink = make_attrtyp(kPrefix1_2_840_113556_1_4, 2328);
}  // namespace attrtyp

// The lDAPDisplayName of a base-schema ATTRTYP listed above.
std::optional<std::string_view> attrtyp_name(std::uint32_t attrtyp);

// One PROPERTY_META_DATA_EXT entry of replPropertyMetaData.
struct AttrMeta {
  std::uint32_t attrtyp = 0;
  std::uint32_t version = 0;
  std::int64_t time_raw = 0;       // seconds since 1601-01-01 UTC, as stored
  std::optional<TimePoint> time;   // empty for 0 or a value outside 1601..9999
  Guid originating_invocation_id;  // uuidDsaOriginating
  std::int64_t usn_originating = 0;
  std::int64_t usn_property = 0;  // local USN
};

// PROPERTY_META_DATA_VECTOR: dwVersion 1, then cNumEntries entries of 48 bytes; the length must be exactly
// 16 + 48 * cNumEntries.
Result<std::vector<AttrMeta>> parse_repl_property_metadata(std::string_view bytes);

// One msDS-ReplAttributeMetaData value (DS_REPL_ATTR_META_DATA as XML).
struct ReplAttrMeta {
  std::string attribute_name;
  std::uint32_t version = 0;
  TimePoint last_originating_change;
  Guid originating_invocation_id;
  std::int64_t usn_originating = 0;
  std::int64_t usn_local = 0;
  std::string originating_dsa_dn;  // empty when the DSA is gone
};

// One msDS-ReplValueMetaData value (DS_REPL_VALUE_META_DATA as XML).
struct ReplValueMeta {
  std::string attribute_name;
  std::string object_dn;             // the linked value (pszObjectDn)
  std::uint32_t data_size = 0;       // cbData (0 when absent)
  std::string data;                  // pbData text as given (DN-binary payload), may be empty
  std::optional<TimePoint> deleted;  // empty while the value is present (ftimeDeleted 1601-01-01)
  TimePoint created;
  std::uint32_t version = 0;  // odd: present, even: removed (LVR)
  TimePoint last_originating_change;
  Guid originating_invocation_id;
  std::int64_t usn_originating = 0;
  std::int64_t usn_local = 0;
  std::string originating_dsa_dn;
};

// Parse one value as the DC returns it (UTF-8 XML, optionally ending in "\n\0"). Unknown child elements are
// ignored; a missing required element, a duplicate, or a malformed number/time/GUID is invalid_input.
// Entities &amp; &lt; &gt; &quot; &apos; and numeric &#...; references are decoded in text.
Result<ReplAttrMeta> parse_repl_attr_metadata_xml(std::string_view xml);
Result<ReplValueMeta> parse_repl_value_metadata_xml(std::string_view xml);

}  // namespace adpersist::parsers
