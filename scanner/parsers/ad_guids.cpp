#include "scanner/parsers/ad_guids.hpp"

#include <cstdio>

#include "scanner/parsers/security_descriptor.hpp"

namespace adpersist::parsers {

namespace {

struct NamedGuid {
  Guid guid;
  std::string_view name;
};

// onprem-formats.md section 4, plus the property sets and attributes that appear in the default DACLs of the
// stored vectors (User-Logon, RAS-Information, ...), so evidence strings can name them.
constexpr NamedGuid kNames[] = {
    {kDsReplicationGetChanges, "DS-Replication-Get-Changes"},
    {kDsReplicationGetChangesAll, "DS-Replication-Get-Changes-All"},
    {kDsReplicationGetChangesInFilteredSet, "DS-Replication-Get-Changes-In-Filtered-Set"},
    {kDsReplicationManageTopology, "DS-Replication-Manage-Topology"},
    {kDsReplicationSynchronize, "DS-Replication-Synchronize"},
    {kDsInstallReplica, "DS-Install-Replica"},
    {kDsCloneDomainController, "DS-Clone-Domain-Controller"},
    {kUserForceChangePassword, "User-Force-Change-Password"},
    {kUserChangePassword, "User-Change-Password"},
    {kSendAs, "Send-As"},
    {kSendTo, "Send-To"},
    {kReceiveAs, "Receive-As"},
    {kReanimateTombstones, "Reanimate-Tombstones"},
    {kMigrateSidHistory, "Migrate-SID-History"},
    {kUnexpirePassword, "Unexpire-Password"},
    {kAllowedToAuthenticate, "Allowed-To-Authenticate"},
    {kCertificateEnrollment, "Certificate-Enrollment"},
    {kCertificateAutoEnrollment, "Certificate-AutoEnrollment"},
    {kDsValidatedWriteComputer, "DS-Validated-Write-Computer"},
    {kSelfMembership, "member"},  // also the Self-Membership validated write
    {kAttrMsDsKeyCredentialLink, "msDS-KeyCredentialLink"},
    {kAttrMsDsAllowedToActOnBehalfOfOtherIdentity, "msDS-AllowedToActOnBehalfOfOtherIdentity"},
    {kAttrMsDsAllowedToDelegateTo, "msDS-AllowedToDelegateTo"},
    {kAttrServicePrincipalName, "servicePrincipalName"},  // also Validated-SPN
    {kAttrDnsHostName, "dNSHostName"},                    // also Validated-DNS-Host-Name
    {kAttrSidHistory, "sIDHistory"},
    {kAttrGpLink, "gPLink"},
    {kAttrGpOptions, "gPOptions"},
    {kAttrGpcFileSysPath, "gPCFileSysPath"},
    {kAttrMsPkiCertificateNameFlag, "msPKI-Certificate-Name-Flag"},
    {kAttrMsPkiEnrollmentFlag, "msPKI-Enrollment-Flag"},
    {kAttrAltSecurityIdentities, "altSecurityIdentities"},
    {kAttrUserAccountControl, "userAccountControl"},
    {kAttrThumbnailPhoto, "thumbnailPhoto"},
    {kPropSetMembership, "Membership"},
    {kPropSetUserAccountRestrictions, "User-Account-Restrictions"},
    {kPropSetPrivateInformation, "Private-Information"},
    {kPropSetGeneralInformation, "General-Information"},
    {kPropSetPersonalInformation, "Personal-Information"},
    {kPropSetWebInformation, "Web-Information"},
    {kPropSetPublicInformation, "Public-Information"},
    {kTokenGroupsGlobalAndUniversal, "Token-Groups-Global-And-Universal"},
    {guid_constant("5f202010-79a5-11d0-9020-00c04fc2d4cf"), "User-Logon"},
    {guid_constant("037088f8-0ae1-11d2-b422-00a0c968f939"), "RAS-Information"},
    {guid_constant("e45795b2-9455-11d1-aebd-0000f80367c1"), "Email-Information"},
    {guid_constant("5805bc62-bdc9-4428-a5e2-856a0f4c185e"), "Terminal-Server-License-Server"},
    {guid_constant("bf967a7f-0de6-11d0-a285-00aa003049e2"), "userCertificate"},
    {guid_constant("b7c69e6d-2cc7-11d2-854e-00a0c983f608"), "tokenGroups"},
    {guid_constant("ea1b7b93-5e48-46d5-bc6c-4df4fda78a35"), "msTPM-TpmInformationForComputer"},
    {kClassUser, "user"},
    {kClassComputer, "computer"},
    {kClassGroup, "group"},
    {kClassInetOrgPerson, "inetOrgPerson"},
    {kClassOrganizationalUnit, "organizationalUnit"},
    {kClassGroupManagedServiceAccount, "msDS-GroupManagedServiceAccount"},
    {kClassManagedServiceAccount, "msDS-ManagedServiceAccount"},
    {kClassContact, "contact"},
};

struct NamedBit {
  std::uint32_t bit;
  std::string_view name;
};

// .NET ActiveDirectoryRights spellings, in bit order.
constexpr NamedBit kRightNames[] = {
    {kRightCreateChild, "CreateChild"},
    {kRightDeleteChild, "DeleteChild"},
    {kRightListChildren, "ListChildren"},
    {kRightSelf, "Self"},
    {kRightReadProperty, "ReadProperty"},
    {kRightWriteProperty, "WriteProperty"},
    {kRightDeleteTree, "DeleteTree"},
    {kRightListObject, "ListObject"},
    {kRightControlAccess, "ExtendedRight"},
    {kRightDelete, "Delete"},
    {kRightReadControl, "ReadControl"},
    {kRightWriteDac, "WriteDacl"},
    {kRightWriteOwner, "WriteOwner"},
    {kRightSynchronize, "Synchronize"},
    {kRightAccessSystemSecurity, "AccessSystemSecurity"},
    {kRightMaximumAllowed, "MaximumAllowed"},
    {kRightGenericAll, "GenericAll"},
    {kRightGenericExecute, "GenericExecute"},
    {kRightGenericWrite, "GenericWrite"},
    {kRightGenericRead, "GenericRead"},
};

}  // namespace

std::optional<std::string_view> well_known_guid_name(const Guid& g) {
  for (const auto& n : kNames)
    if (n.guid == g) return n.name;
  return std::nullopt;
}

std::string guid_display_name(const Guid& g) {
  auto n = well_known_guid_name(g);
  return n ? std::string(*n) : g.to_string();
}

std::string access_mask_names(std::uint32_t mask) {
  std::string out;
  auto add = [&out](std::string_view name) {
    if (!out.empty()) out += '|';
    out += name;
  };
  std::uint32_t rest = mask;
  if ((mask & kDsGenericAllMapped) == kDsGenericAllMapped) {
    add("GenericAll");
    rest &= ~kDsGenericAllMapped;
  }
  for (const auto& b : kRightNames) {
    if (!(rest & b.bit)) continue;
    // A raw GENERIC_ALL bit next to the mapped form would only repeat the name.
    if (b.bit != kRightGenericAll || (mask & kDsGenericAllMapped) != kDsGenericAllMapped) add(b.name);
    rest &= ~b.bit;
  }
  if (rest) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", rest);
    add(buf);
  }
  return out;
}

}  // namespace adpersist::parsers
