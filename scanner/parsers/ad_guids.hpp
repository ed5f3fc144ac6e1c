// Well-known AD schema/rights GUIDs (ObjectType / InheritedObjectType values) and access-mask names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/parsers/guid.hpp"

namespace adpersist::parsers {

// A GUID from its 36-character text form at compile time (a malformed literal does not compile).
consteval Guid guid_constant(std::string_view text) {
  auto hex = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    throw "not a hex digit";  // not a constant expression: compilation fails
  };
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
    throw "not a GUID";
  std::uint8_t text_order[16] = {};
  for (std::size_t i = 0, n = 0; i < 36; ++i) {
    if (text[i] == '-') continue;
    text_order[n++] = static_cast<std::uint8_t>(hex(text[i]) << 4 | hex(text[i + 1]));
    ++i;
  }
  // Data1..3 are stored little-endian (MS-DTYP 2.3.4.2).
  constexpr std::size_t kWireToText[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  Guid g;
  for (std::size_t i = 0; i < 16; ++i) g.bytes[i] = text_order[kWireToText[i]];
  return g;
}

// Extended rights (CR) and validated writes (SW): rightsGuid values.
inline constexpr Guid kDsReplicationGetChanges = guid_constant("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2");
inline constexpr Guid kDsReplicationGetChangesAll = guid_constant("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2");
inline constexpr Guid kDsReplicationGetChangesInFilteredSet =
    guid_constant("89e95b76-444d-4c62-991a-0facbeda640c");
inline constexpr Guid kDsReplicationManageTopology = guid_constant("1131f6ac-9c07-11d1-f79f-00c04fc2dcd2");
inline constexpr Guid kDsReplicationSynchronize = guid_constant("1131f6ab-9c07-11d1-f79f-00c04fc2dcd2");
// From onprem-formats.md ("well-known; verify"): not confirmed against the stored Microsoft pages.
inline constexpr Guid kDsInstallReplica = guid_constant("9923a32a-3607-11d2-b9be-0000f87a36b2");
inline constexpr Guid kDsCloneDomainController = guid_constant("3e0f7e18-2c7a-4c10-ba82-4d926db99a3e");
inline constexpr Guid kUserForceChangePassword = guid_constant("00299570-246d-11d0-a768-00aa006e0529");
inline constexpr Guid kUserChangePassword = guid_constant("ab721a53-1e2f-11d0-9819-00aa0040529b");
inline constexpr Guid kSendAs = guid_constant("ab721a54-1e2f-11d0-9819-00aa0040529b");
inline constexpr Guid kSendTo = guid_constant("ab721a55-1e2f-11d0-9819-00aa0040529b");
inline constexpr Guid kReceiveAs = guid_constant("ab721a56-1e2f-11d0-9819-00aa0040529b");
inline constexpr Guid kReanimateTombstones = guid_constant("45ec5156-db7e-47bb-b53f-dbeb2d03c40f");
inline constexpr Guid kMigrateSidHistory = guid_constant("ba33815a-4f93-4c76-87f3-57574bff8109");
inline constexpr Guid kUnexpirePassword = guid_constant("ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501");
inline constexpr Guid kAllowedToAuthenticate = guid_constant("68b1d179-0d15-4d4f-ab71-46152e79a7bc");
inline constexpr Guid kCertificateEnrollment = guid_constant("0e10c968-78fb-11d2-90d4-00c04f79dc55");
inline constexpr Guid kCertificateAutoEnrollment = guid_constant("a05b8cc2-17bc-4802-a710-e7c15ab866a2");
inline constexpr Guid kDsValidatedWriteComputer = guid_constant("9b026da6-0d3c-465c-8bee-5199d7165cba");
// Self-Membership (SW) shares its GUID with the member attribute (WP).
inline constexpr Guid kSelfMembership = guid_constant("bf9679c0-0de6-11d0-a285-00aa003049e2");

// Attributes (schemaIDGUID, used with RP/WP; some double as validated writes).
inline constexpr Guid kAttrMember = kSelfMembership;
inline constexpr Guid kAttrMsDsKeyCredentialLink = guid_constant("5b47d60f-6090-40b2-9f37-2a4de88f3063");
inline constexpr Guid kAttrMsDsAllowedToActOnBehalfOfOtherIdentity =
    guid_constant("3f78c3e5-f79a-46bd-a0b8-9d18116ddc79");
inline constexpr Guid kAttrMsDsAllowedToDelegateTo = guid_constant("800d94d7-b7a1-42a1-b14d-7cae1423d07f");
inline constexpr Guid kAttrServicePrincipalName = guid_constant("f3a64788-5306-11d1-a9c5-0000f80367c1");
inline constexpr Guid kAttrDnsHostName = guid_constant("72e39547-7b18-11d1-adef-00c04fd8d5cd");
inline constexpr Guid kAttrSidHistory = guid_constant("17eb4278-d167-11d0-b002-0000f80367c1");
inline constexpr Guid kAttrGpLink = guid_constant("f30e3bbe-9ff0-11d1-b603-0000f80367c1");
inline constexpr Guid kAttrGpOptions = guid_constant("f30e3bbf-9ff0-11d1-b603-0000f80367c1");
inline constexpr Guid kAttrGpcFileSysPath = guid_constant("f30e3bc1-9ff0-11d1-b603-0000f80367c1");
inline constexpr Guid kAttrMsPkiCertificateNameFlag = guid_constant("ea1dddc4-60ff-416e-8cc0-17cee534bce7");
inline constexpr Guid kAttrMsPkiEnrollmentFlag = guid_constant("d15ef7d8-f226-46db-ae79-b34e560bd12c");
inline constexpr Guid kAttrAltSecurityIdentities = guid_constant("00fbf30c-91fe-11d1-aebc-0000f80367c1");
inline constexpr Guid kAttrUserAccountControl = guid_constant("bf967a68-0de6-11d0-a285-00aa003049e2");
// thumbnailPhoto: where ADFS keeps the DKM master key on its contact objects.
inline constexpr Guid kAttrThumbnailPhoto = guid_constant("8d3bca50-1d7e-11d0-a081-00aa006c33ed");

// Property sets (rightsGuid of a controlAccessRight whose members carry that attributeSecurityGUID).
inline constexpr Guid kPropSetMembership = guid_constant("bc0ac240-79a9-11d0-9020-00c04fc2d4cf");
inline constexpr Guid kPropSetUserAccountRestrictions = guid_constant("4c164200-20c0-11d0-a768-00aa006e0529");
inline constexpr Guid kPropSetPrivateInformation = guid_constant("91e647de-d96f-4b70-9557-d63ff4f3ccd8");
inline constexpr Guid kPropSetGeneralInformation = guid_constant("59ba2f42-79a2-11d0-9020-00c04fc2d3cf");
inline constexpr Guid kPropSetPersonalInformation = guid_constant("77b5b886-944a-11d1-aebd-0000f80367c1");
inline constexpr Guid kPropSetWebInformation = guid_constant("e45795b3-9455-11d1-aebd-0000f80367c1");
inline constexpr Guid kPropSetPublicInformation = guid_constant("e48d0154-bcf8-11d1-8702-00c04fb96050");
inline constexpr Guid kTokenGroupsGlobalAndUniversal = guid_constant("46a9b11d-60ae-405a-b7e8-ff8a58d456d2");

// Classes (schemaIDGUID, mostly seen as InheritedObjectType).
inline constexpr Guid kClassUser = guid_constant("bf967aba-0de6-11d0-a285-00aa003049e2");
inline constexpr Guid kClassComputer = guid_constant("bf967a86-0de6-11d0-a285-00aa003049e2");
inline constexpr Guid kClassGroup = guid_constant("bf967a9c-0de6-11d0-a285-00aa003049e2");
inline constexpr Guid kClassInetOrgPerson = guid_constant("4828cc14-1437-45bc-9b07-ad6f015e5f28");
inline constexpr Guid kClassOrganizationalUnit = guid_constant("bf967aa5-0de6-11d0-a285-00aa003049e2");
inline constexpr Guid kClassGroupManagedServiceAccount =
    guid_constant("7b8b558a-93a5-4af7-adca-c017e67f1057");
inline constexpr Guid kClassManagedServiceAccount = guid_constant("ce206244-5827-4a86-ba1c-1c0c386c1b64");
inline constexpr Guid kClassContact = guid_constant("5cb41ed0-0e4c-11d0-a286-00aa003049e2");

// The lDAPDisplayName / rights name of a well-known GUID ("DS-Replication-Get-Changes-All", "member",
// "user").
std::optional<std::string_view> well_known_guid_name(const Guid& g);
// The name when known, else the GUID string.
std::string guid_display_name(const Guid& g);

// Names of the bits in an access mask, '|'-separated in bit order ("ReadProperty|WriteProperty"). A mask
// holding all of CCDCLCSWRPWPDTLOCRSDRCWDWO (0xF01FF) is "GenericAll" followed by any other bits; bits
// without a name are printed as one trailing 0x<hex>. 0 gives "".
std::string access_mask_names(std::uint32_t mask);

}  // namespace adpersist::parsers
