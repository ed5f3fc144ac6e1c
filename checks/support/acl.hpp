// ACL evaluation shared by the descriptor checks (ad.dcsync-rights, ad.*-acl, ad.*-owner, ADCS, GPO, ADFS,
// gMSA). Semantics follow what SharpHound's ACLProcessor and PingCastle's FilterDelegation agree on
// (onprem-formats.md sections 3-4):
//   - only allow ACEs count (a deny is ignored: reporting a right a deny cancels is the conservative error);
//   - inherit-only ACEs do not apply to the object itself;
//   - an ACE whose InheritedObjectType names a class the object is not does not apply to it (an unknown class
//     GUID is assumed to apply);
//   - an object ACE without ObjectType covers every property / extended right / validated write;
//   - GenericAll implies every other right, write-all-properties implies every attribute write, and so on
//     (see `implied`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "scanner/model/descriptors.hpp"
#include "scanner/parsers/security_descriptor.hpp"

namespace adpersist::checks::acl {

// Named rights, as a bit set. Names in evidence are the ones `right_names` gives (BloodHound's edge names
// where one exists; the extended right's own name otherwise).
using Rights = std::uint64_t;
namespace right {
inline constexpr Rights kGenericAll = 1ull << 0;            // GenericAll (CCDCLCSWRPWPDTLOCRSDRCWDWO)
inline constexpr Rights kGenericWrite = 1ull << 1;          // GenericWrite (RC|WP|SW, no ObjectType)
inline constexpr Rights kWriteDacl = 1ull << 2;             // WriteDacl
inline constexpr Rights kWriteOwner = 1ull << 3;            // WriteOwner
inline constexpr Rights kWriteAllProperties = 1ull << 4;    // WP without ObjectType
inline constexpr Rights kAllExtendedRights = 1ull << 5;     // CR without ObjectType
inline constexpr Rights kAllValidatedWrites = 1ull << 6;    // SW without ObjectType
inline constexpr Rights kAddMember = 1ull << 7;             // WP member / Membership property set
inline constexpr Rights kAddSelf = 1ull << 8;               // SW Self-Membership
inline constexpr Rights kForceChangePassword = 1ull << 9;   // CR User-Force-Change-Password
inline constexpr Rights kAddKeyCredentialLink = 1ull << 10; // WP msDS-KeyCredentialLink
inline constexpr Rights kWriteSpn = 1ull << 11;             // WP / SW servicePrincipalName
inline constexpr Rights kWriteAccountRestrictions = 1ull << 12;  // WP User-Account-Restrictions set
inline constexpr Rights kAddAllowedToAct = 1ull << 13;      // WP msDS-AllowedToActOnBehalfOfOtherIdentity
inline constexpr Rights kWriteGpLink = 1ull << 14;          // WP gPLink
inline constexpr Rights kWriteGpcFileSysPath = 1ull << 15;  // WP gPCFileSysPath
inline constexpr Rights kGetChanges = 1ull << 16;           // CR DS-Replication-Get-Changes
inline constexpr Rights kGetChangesAll = 1ull << 17;        // CR DS-Replication-Get-Changes-All
inline constexpr Rights kGetChangesInFilteredSet = 1ull << 18;
inline constexpr Rights kEnroll = 1ull << 19;               // CR Certificate-Enrollment
inline constexpr Rights kAutoEnroll = 1ull << 20;           // CR Certificate-AutoEnrollment
inline constexpr Rights kWritePkiNameFlag = 1ull << 21;     // WP msPKI-Certificate-Name-Flag
inline constexpr Rights kWritePkiEnrollmentFlag = 1ull << 22;  // WP msPKI-Enrollment-Flag
inline constexpr Rights kReadAllProperties = 1ull << 23;    // RP without ObjectType (incl. GenericRead)
inline constexpr Rights kReadDkmKey = 1ull << 24;           // RP thumbnailPhoto (the ADFS DKM key)
inline constexpr Rights kWriteAltSecurityIdentities = 1ull << 25;
inline constexpr Rights kWriteUserAccountControl = 1ull << 26;  // WP userAccountControl (in Account-Restrictions)
inline constexpr Rights kCreateChild = 1ull << 27;          // CreateChild (any class)
inline constexpr Rights kDelete = 1ull << 28;               // DELETE / DeleteTree
inline constexpr Rights kWriteSidHistory = 1ull << 29;
inline constexpr Rights kWriteAllowedToDelegateTo = 1ull << 30;
inline constexpr Rights kCount = 31;

// "Controls the object": what ad.privileged-object-acl and ad.adcs-esc4 look for.
inline constexpr Rights kControl = kGenericAll | kGenericWrite | kWriteDacl | kWriteOwner | kWriteAllProperties;
// Rights that hand over a security principal (ad.privileged-object-acl).
inline constexpr Rights kPrincipalTakeover = kControl | kAddMember | kAddSelf | kForceChangePassword |
                                             kAddKeyCredentialLink | kWriteSpn | kWriteAccountRestrictions |
                                             kAddAllowedToAct | kAllExtendedRights | kAllValidatedWrites |
                                             kWriteAltSecurityIdentities | kWriteUserAccountControl |
                                             kWriteSidHistory | kWriteAllowedToDelegateTo;
}  // namespace right

// What one ACE grants directly (before implication). 0 for deny, audit and unknown ACE types.
Rights rights_of(const parsers::Ace& ace);
// The closure: GenericAll grants everything, write-all-properties every attribute write, all-extended-rights
// every extended right, GenericWrite write-all-properties and all validated writes, and so on.
Rights implied(Rights direct);
// Names in bit order ("GenericAll", "WriteDacl", "DS-Replication-Get-Changes-All").
std::vector<std::string> right_names(Rights r);

// The ACE is an allow ACE that applies to `object` itself (not inherit-only; InheritedObjectType, when
// present, names one of the object's classes or a class we cannot name).
bool applies_to(const parsers::Ace& ace, const model::Entry& object);

// One trustee's applicable allow ACEs that grant (after implication) anything in `want`.
struct Grant {
  parsers::Sid trustee;
  Rights direct = 0;     // union of rights_of() over `aces`
  Rights effective = 0;  // implied(direct)
  std::vector<const parsers::Ace*> aces;
  bool all_inherited = true;  // every contributing ACE is inherited from a parent
  bool has(Rights r) const { return (effective & r) == r; }
};
// Grants on `object` per trustee, in order of the trustee's first contributing ACE. A null or absent DACL
// is reported by `dacl_grants_everyone` instead.
std::vector<Grant> grants(const parsers::SecurityDescriptor& sd, const model::Entry& object, Rights want);
// Present DACL with no ACL at all (everyone has full control).
inline bool dacl_grants_everyone(const parsers::SecurityDescriptor& sd) { return sd.null_dacl(); }

// Principal classes for ACL findings.
// SELF, CREATOR OWNER, OWNER RIGHTS, CREATOR GROUP: stand-ins resolved per object, not principals.
bool is_placeholder(const model::Sid& sid);
// Tier 0 as trustee: SYSTEM, Administrators, Enterprise Domain Controllers, the domain's Administrator,
// krbtgt, Domain Admins, Domain Controllers, Schema Admins, Enterprise Admins, Enterprise Read-only Domain
// Controllers, Key Admins, Enterprise Key Admins (by RID, for the snapshot's domain), and any object the
// privilege model calls tier 0 (privileged groups, their members, DCs). EA/SA/EKA of a forest root other than
// this domain are recognised by RID when the SID's domain is unknown to the snapshot but the object is not.
bool is_tier0_principal(const model::Snapshot& snap, const model::Sid& sid);
// Everyone, Authenticated Users, Anonymous, Users, Domain Users, Domain Computers, Domain Guests, Guests,
// Pre-Windows 2000 Compatible Access: anyone with an account (raises severity).
bool is_everyone_like(const model::Snapshot& snap, const model::Sid& sid);

// "S-1-5-21-...-1105 (helpdesk-lead)" / "S-1-1-0 (Everyone)" / "S-1-5-21-...-4242 (unresolved)".
std::string principal_label(const model::Snapshot& snap, const model::Sid& sid);

// The entry's parsed nTSecurityDescriptor, or null. An undecodable one is noted in `out` (once per entry,
// naming this entry) and returns null, so the check carries on with other objects.
const parsers::SecurityDescriptor* descriptor_or_note(const model::Snapshot& snap, const model::Entry& e,
                                                      model::Findings& out);
// Why the entry's nTSecurityDescriptor cannot be used, naming this entry (entries sharing one undecodable
// value each get their own DN, not the first sharer's): "FILE:LINE: DN attribute nTSecurityDescriptor does
// not decode: what is wrong". Empty when it decodes or is absent.
std::string undecodable_descriptor(const model::Snapshot& snap, const model::Entry& e);

// SDDL context for evidence: SIDs unabbreviated, stable across domains.
parsers::SddlContext evidence_sddl_context();

// Evidence every ACL finding carries: trustee (SID), trustee_name, trustee_scope ("everyone" when
// is_everyone_like), rights (names of `shown & g.effective`, direct names first), aces (SDDL of the
// contributing ACEs) and inherited.
void add_grant_evidence(model::Finding& f, const model::Snapshot& snap, const Grant& g, Rights shown);
// Evidence of an owner finding, shaped like add_grant_evidence so reports treat both alike: trustee (the owner's
// SID), trustee_name, trustee_scope, rights ["Owner"] (an owner may always rewrite the DACL), aces [] and
// inherited false.
void add_owner_evidence(model::Finding& f, const model::Snapshot& snap, const model::Sid& owner);
// The same evidence fields for a null DACL: Everyone (S-1-1-0) with GenericAll, no ACEs, not inherited.
void add_null_dacl_evidence(model::Finding& f);
// The names of what the grant gives that the check cares about: direct rights intersected with `shown`,
// else (the right came by implication) the direct rights that imply it.
std::vector<std::string> shown_rights(const Grant& g, Rights shown);

}  // namespace adpersist::checks::acl
