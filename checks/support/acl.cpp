#include "checks/support/acl.hpp"

#include <algorithm>
#include <array>

#include "checks/support/domain_sids.hpp"
#include "scanner/parsers/ad_guids.hpp"

namespace adpersist::checks::acl {

using namespace parsers;

namespace {

constexpr std::uint32_t kWriteMask = kRightReadControl | kRightWriteProperty | kRightSelf;  // GENERIC_WRITE

// Generic bits as the directory maps them (MS-ADTS 5.1.3.3); stored SDs rarely carry them, SDDL input may.
std::uint32_t map_generic(std::uint32_t m) {
  if (m & kRightGenericAll) m |= kDsGenericAllMapped;
  if (m & kRightGenericWrite) m |= kWriteMask;
  if (m & kRightGenericRead) m |= kRightReadControl | kRightListChildren | kRightReadProperty | kRightListObject;
  if (m & kRightGenericExecute) m |= kRightReadControl | kRightListChildren;
  return m;
}

Rights write_property_right(const Guid& g) {
  if (g == kAttrMember || g == kPropSetMembership) return right::kAddMember;
  if (g == kAttrMsDsKeyCredentialLink) return right::kAddKeyCredentialLink;
  if (g == kAttrServicePrincipalName) return right::kWriteSpn;
  if (g == kPropSetUserAccountRestrictions) return right::kWriteAccountRestrictions;
  if (g == kAttrMsDsAllowedToActOnBehalfOfOtherIdentity) return right::kAddAllowedToAct;
  if (g == kAttrGpLink) return right::kWriteGpLink;
  if (g == kAttrGpcFileSysPath) return right::kWriteGpcFileSysPath;
  if (g == kAttrMsPkiCertificateNameFlag) return right::kWritePkiNameFlag;
  if (g == kAttrMsPkiEnrollmentFlag) return right::kWritePkiEnrollmentFlag;
  if (g == kAttrAltSecurityIdentities) return right::kWriteAltSecurityIdentities;
  if (g == kAttrUserAccountControl) return right::kWriteUserAccountControl;
  if (g == kAttrSidHistory) return right::kWriteSidHistory;
  if (g == kAttrMsDsAllowedToDelegateTo) return right::kWriteAllowedToDelegateTo;
  return 0;
}

Rights extended_right(const Guid& g) {
  if (g == kDsReplicationGetChanges) return right::kGetChanges;
  if (g == kDsReplicationGetChangesAll) return right::kGetChangesAll;
  if (g == kDsReplicationGetChangesInFilteredSet) return right::kGetChangesInFilteredSet;
  if (g == kUserForceChangePassword) return right::kForceChangePassword;
  if (g == kCertificateEnrollment) return right::kEnroll;
  if (g == kCertificateAutoEnrollment) return right::kAutoEnroll;
  return 0;
}

Rights validated_write(const Guid& g) {
  if (g == kSelfMembership) return right::kAddSelf;
  if (g == kAttrServicePrincipalName) return right::kWriteSpn;
  return 0;
}

constexpr std::array<std::string_view, right::kCount> kNames = {
    "GenericAll",
    "GenericWrite",
    "WriteDacl",
    "WriteOwner",
    "WriteAllProperties",
    "AllExtendedRights",
    "AllValidatedWrites",
    "AddMember",
    "AddSelf",
    "ForceChangePassword",
    "AddKeyCredentialLink",
    "WriteSPN",
    "WriteAccountRestrictions",
    "AddAllowedToAct",
    "WriteGPLink",
    "WriteGPCFileSysPath",
    "DS-Replication-Get-Changes",
    "DS-Replication-Get-Changes-All",
    "DS-Replication-Get-Changes-In-Filtered-Set",
    "Certificate-Enrollment",
    "Certificate-AutoEnrollment",
    "WritePKINameFlag",
    "WritePKIEnrollmentFlag",
    "ReadAllProperties",
    "ReadDKMKey",
    "WriteAltSecurityIdentities",
    "WriteUserAccountControl",
    "CreateChild",
    "Delete",
    "WriteSIDHistory",
    "WriteAllowedToDelegateTo",
};

}  // namespace

Rights rights_of(const Ace& ace) {
  if (!ace.is_allow() || !ace.is_known_type()) return 0;
  const std::uint32_t m = map_generic(ace.mask);
  const bool specific = ace.object_type.has_value();
  Rights r = 0;
  if ((m & kDsGenericAllMapped) == kDsGenericAllMapped && !specific) return right::kGenericAll;
  if ((m & kWriteMask) == kWriteMask && !specific) r |= right::kGenericWrite;
  if (m & kRightWriteDac) r |= right::kWriteDacl;
  if (m & kRightWriteOwner) r |= right::kWriteOwner;
  if (m & (kRightDelete | kRightDeleteTree)) r |= right::kDelete;
  if (m & kRightCreateChild) r |= right::kCreateChild;
  if (m & kRightWriteProperty) r |= specific ? write_property_right(*ace.object_type) : right::kWriteAllProperties;
  if (m & kRightSelf) r |= specific ? validated_write(*ace.object_type) : right::kAllValidatedWrites;
  if (m & kRightControlAccess) r |= specific ? extended_right(*ace.object_type) : right::kAllExtendedRights;
  if (m & kRightReadProperty) {
    if (!specific) r |= right::kReadAllProperties;
    else if (*ace.object_type == kAttrThumbnailPhoto) r |= right::kReadDkmKey;
  }
  return r;
}

Rights implied(Rights r) {
  using namespace right;
  if (r & kGenericAll) return (Rights{1} << kCount) - 1;
  if (r & kGenericWrite) r |= kWriteAllProperties | kAllValidatedWrites;
  if (r & kWriteAllProperties)
    r |= kAddMember | kAddKeyCredentialLink | kWriteSpn | kWriteAccountRestrictions | kAddAllowedToAct |
         kWriteGpLink | kWriteGpcFileSysPath | kWritePkiNameFlag | kWritePkiEnrollmentFlag |
         kWriteAltSecurityIdentities | kWriteUserAccountControl | kWriteSidHistory | kWriteAllowedToDelegateTo;
  // msDS-AllowedToActOnBehalfOfOtherIdentity and userAccountControl belong to User-Account-Restrictions.
  if (r & kWriteAccountRestrictions) r |= kAddAllowedToAct | kWriteUserAccountControl;
  if (r & kAllExtendedRights)
    r |= kForceChangePassword | kGetChanges | kGetChangesAll | kGetChangesInFilteredSet | kEnroll | kAutoEnroll;
  if (r & kAllValidatedWrites) r |= kAddSelf | kWriteSpn;
  if (r & kReadAllProperties) r |= kReadDkmKey;
  return r;
}

std::vector<std::string> right_names(Rights r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < right::kCount; ++i)
    if (r & (Rights{1} << i)) out.emplace_back(kNames[i]);
  return out;
}

bool applies_to(const Ace& ace, const model::Entry& object) {
  if (!ace.is_allow() || ace.inherit_only()) return false;
  if (ace.inherited_object_type) {
    if (auto cls = well_known_guid_name(*ace.inherited_object_type); cls && !object.has_class(*cls)) return false;
  }
  return true;
}

std::vector<Grant> grants(const SecurityDescriptor& sd, const model::Entry& object, Rights want) {
  std::vector<Grant> out;
  if (!sd.dacl) return out;
  for (const auto& ace : sd.dacl->aces) {
    if (!applies_to(ace, object)) continue;
    const Rights direct = rights_of(ace);
    if ((implied(direct) & want) == 0) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const Grant& g) { return g.trustee == ace.trustee; });
    if (it == out.end()) {
      Grant g;
      g.trustee = ace.trustee;
      out.push_back(std::move(g));
      it = std::prev(out.end());
    }
    it->direct |= direct;
    it->effective = implied(it->direct);
    it->aces.push_back(&ace);
    if (!ace.inherited()) it->all_inherited = false;
  }
  return out;
}

bool is_placeholder(const model::Sid& sid) {
  static const model::Sid kSelf(5, {10}), kCreatorOwner(3, {0}), kCreatorGroup(3, {1}), kOwnerRights(3, {4});
  return sid == kSelf || sid == kCreatorOwner || sid == kCreatorGroup || sid == kOwnerRights;
}

bool is_tier0_principal(const model::Snapshot& snap, const model::Sid& sid) {
  static const model::Sid kSystem(5, {18}), kEnterpriseDcs(5, {9});
  if (sid == kSystem || sid == kEnterpriseDcs) return true;
  // Builtin groups the privilege model treats as tier 0 (Administrators and the operator groups).
  if (sid.authority() == 5 && sid.sub_count() == 2 && sid.sub(0) == 32) {
    switch (sid.sub(1)) {
      case 544: case 548: case 549: case 550: case 551: return true;
      default: break;
    }
  }
  if (sid.is_domain_account()) {
    const auto& dom = snap.domain();
    const bool own = dom && dom->sid && sid.is_in_domain(*dom->sid);
    switch (sid.rid()) {
      case 500: case 502: case 512: case 516: case 526:
        if (own) return true;
        break;
      case 518: case 519: case 527:  // forest-root groups: Schema/Enterprise Admins, Enterprise Key Admins
        return true;
      default: break;
    }
  }
  if (const auto* e = snap.find_sid(sid)) return snap.privilege().is_tier0(*e);
  return false;
}

bool is_everyone_like(const model::Snapshot& snap, const model::Sid& sid) {
  if (is_broad_sid(sid)) return true;
  static const model::Sid kGuests(5, {32, 546}), kPreWin2k(5, {32, 554});
  if (sid == kGuests || sid == kPreWin2k) return true;
  const auto& dom = snap.domain();
  if (dom && dom->sid && sid.is_in_domain(*dom->sid)) {
    const auto rid = sid.rid();
    return rid == 513 || rid == 514 || rid == 515;  // Domain Users, Domain Guests, Domain Computers
  }
  return false;
}

std::string principal_label(const model::Snapshot& snap, const model::Sid& sid) {
  auto name = sid_name(snap, sid);
  return sid.to_string() + " (" + (name.empty() ? std::string("unresolved") : name) + ")";
}

const SecurityDescriptor* descriptor_or_note(const model::Snapshot& snap, const model::Entry& e,
                                             model::Findings& out) {
  const auto* sd = snap.descriptors().of(e);
  if (!sd) return nullptr;
  if (!sd->ok()) {
    out.note(undecodable_descriptor(snap, e));
    return nullptr;
  }
  return &sd->value();
}

std::string undecodable_descriptor(const model::Snapshot& snap, const model::Entry& e) {
  const auto* sd = snap.descriptors().of(e);
  if (!sd || sd->ok()) return {};
  // The table's error names the first entry carrying the value; say which entry this is.
  return e.where() + ": " + std::string(e.dn()) +
         " attribute nTSecurityDescriptor does not decode: " + sd->error().message;
}

SddlContext evidence_sddl_context() { return SddlContext::raw_sids(); }

std::vector<std::string> shown_rights(const Grant& g, Rights shown) {
  Rights names = g.direct & shown;
  if (names == 0) {
    // Came by implication: name the direct rights that carry it (GenericAll, WriteAllProperties, ...).
    for (std::size_t i = 0; i < right::kCount; ++i) {
      const Rights bit = Rights{1} << i;
      if ((g.direct & bit) && (implied(bit) & shown)) names |= bit;
    }
  }
  return right_names(names);
}

void add_grant_evidence(model::Finding& f, const model::Snapshot& snap, const Grant& g, Rights shown) {
  const auto name = sid_name(snap, g.trustee);
  f.add("trustee", g.trustee.to_string());
  f.add("trustee_name", name.empty() ? std::string("unresolved") : name);
  f.add("trustee_scope", is_everyone_like(snap, g.trustee) ? "everyone" : "principal");
  f.add("rights", shown_rights(g, shown));
  std::vector<std::string> aces;
  const auto ctx = evidence_sddl_context();
  for (const auto* ace : g.aces) aces.push_back(ace_to_sddl(*ace, ctx));
  f.add("aces", aces);
  f.add("inherited", g.all_inherited);
}

void add_owner_evidence(model::Finding& f, const model::Snapshot& snap, const model::Sid& owner) {
  const auto name = sid_name(snap, owner);
  f.add("trustee", owner.to_string());
  f.add("trustee_name", name.empty() ? std::string("unresolved") : name);
  f.add("trustee_scope", is_everyone_like(snap, owner) ? "everyone" : "principal");
  f.add("rights", std::vector<std::string>{"Owner"});
  f.add("aces", std::vector<std::string>{});
  f.add("inherited", false);
}

void add_null_dacl_evidence(model::Finding& f) {
  f.add("trustee", "S-1-1-0");
  f.add("trustee_name", "Everyone");
  f.add("trustee_scope", "everyone");
  f.add("rights", std::vector<std::string>{"GenericAll"});
  f.add("aces", std::vector<std::string>{});
  f.add("inherited", false);
}

}  // namespace adpersist::checks::acl
