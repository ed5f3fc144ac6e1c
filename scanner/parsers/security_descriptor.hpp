// Self-relative SECURITY_DESCRIPTOR, ACL and ACE (MS-DTYP 2.4.4-2.4.6) and their SDDL form. Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/parsers/guid.hpp"
#include "scanner/parsers/sid.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::parsers {

// ACE types (MS-DTYP 2.4.4.1).
namespace ace_type {
inline constexpr std::uint8_t kAccessAllowed = 0x00;                // A
inline constexpr std::uint8_t kAccessDenied = 0x01;                 // D
inline constexpr std::uint8_t kSystemAudit = 0x02;                  // AU
inline constexpr std::uint8_t kSystemAlarm = 0x03;                  // AL (reserved)
inline constexpr std::uint8_t kAccessAllowedCompound = 0x04;        // reserved; kept opaque
inline constexpr std::uint8_t kAccessAllowedObject = 0x05;          // OA
inline constexpr std::uint8_t kAccessDeniedObject = 0x06;           // OD
inline constexpr std::uint8_t kSystemAuditObject = 0x07;            // OU
inline constexpr std::uint8_t kSystemAlarmObject = 0x08;            // OL (reserved)
inline constexpr std::uint8_t kAccessAllowedCallback = 0x09;        // XA
inline constexpr std::uint8_t kAccessDeniedCallback = 0x0A;         // XD
inline constexpr std::uint8_t kAccessAllowedCallbackObject = 0x0B;  // ZA
inline constexpr std::uint8_t kAccessDeniedCallbackObject = 0x0C;
inline constexpr std::uint8_t kSystemAuditCallback = 0x0D;  // XU
inline constexpr std::uint8_t kSystemAlarmCallback = 0x0E;
inline constexpr std::uint8_t kSystemAuditCallbackObject = 0x0F;
inline constexpr std::uint8_t kSystemAlarmCallbackObject = 0x10;
inline constexpr std::uint8_t kSystemMandatoryLabel = 0x11;     // ML
inline constexpr std::uint8_t kSystemResourceAttribute = 0x12;  // RA
inline constexpr std::uint8_t kSystemScopedPolicyId = 0x13;     // SP
}  // namespace ace_type

// AceFlags (MS-DTYP 2.4.4.1).
inline constexpr std::uint8_t kAceObjectInherit = 0x01;     // OI
inline constexpr std::uint8_t kAceContainerInherit = 0x02;  // CI
inline constexpr std::uint8_t kAceNoPropagate = 0x04;       // NP
inline constexpr std::uint8_t kAceInheritOnly = 0x08;       // IO
inline constexpr std::uint8_t kAceInherited = 0x10;         // ID
inline constexpr std::uint8_t kAceSuccessfulAccess = 0x40;  // SA
inline constexpr std::uint8_t kAceFailedAccess = 0x80;      // FA

// Object ACE Flags field: which GUIDs follow.
inline constexpr std::uint32_t kAceObjectTypePresent = 0x1;
inline constexpr std::uint32_t kAceInheritedObjectTypePresent = 0x2;

// Access mask bits for directory objects (MS-ADTS 5.1.3.2) and the standard/generic rights.
inline constexpr std::uint32_t kRightCreateChild = 0x1;      // CC
inline constexpr std::uint32_t kRightDeleteChild = 0x2;      // DC
inline constexpr std::uint32_t kRightListChildren = 0x4;     // LC
inline constexpr std::uint32_t kRightSelf = 0x8;             // SW (validated write)
inline constexpr std::uint32_t kRightReadProperty = 0x10;    // RP
inline constexpr std::uint32_t kRightWriteProperty = 0x20;   // WP
inline constexpr std::uint32_t kRightDeleteTree = 0x40;      // DT
inline constexpr std::uint32_t kRightListObject = 0x80;      // LO
inline constexpr std::uint32_t kRightControlAccess = 0x100;  // CR (extended right)
inline constexpr std::uint32_t kRightDelete = 0x10000;       // SD
inline constexpr std::uint32_t kRightReadControl = 0x20000;  // RC
inline constexpr std::uint32_t kRightWriteDac = 0x40000;     // WD
inline constexpr std::uint32_t kRightWriteOwner = 0x80000;   // WO
inline constexpr std::uint32_t kRightSynchronize = 0x100000;
inline constexpr std::uint32_t kRightAccessSystemSecurity = 0x1000000;
inline constexpr std::uint32_t kRightMaximumAllowed = 0x2000000;
inline constexpr std::uint32_t kRightGenericAll = 0x10000000;      // GA
inline constexpr std::uint32_t kRightGenericExecute = 0x20000000;  // GX
inline constexpr std::uint32_t kRightGenericWrite = 0x40000000;    // GW
inline constexpr std::uint32_t kRightGenericRead = 0x80000000;     // GR
// GENERIC_ALL as AD stores it after mapping (CCDCLCSWRPWPDTLOCRSDRCWDWO).
inline constexpr std::uint32_t kDsGenericAllMapped = 0xF01FF;

// SECURITY_DESCRIPTOR Control bits (MS-DTYP 2.4.6).
inline constexpr std::uint16_t kSeOwnerDefaulted = 0x0001;
inline constexpr std::uint16_t kSeGroupDefaulted = 0x0002;
inline constexpr std::uint16_t kSeDaclPresent = 0x0004;
inline constexpr std::uint16_t kSeDaclDefaulted = 0x0008;
inline constexpr std::uint16_t kSeSaclPresent = 0x0010;
inline constexpr std::uint16_t kSeSaclDefaulted = 0x0020;
inline constexpr std::uint16_t kSeDaclTrusted = 0x0040;
inline constexpr std::uint16_t kSeServerSecurity = 0x0080;
inline constexpr std::uint16_t kSeDaclAutoInheritReq = 0x0100;  // SDDL AR (DACL)
inline constexpr std::uint16_t kSeSaclAutoInheritReq = 0x0200;  // SDDL AR (SACL)
inline constexpr std::uint16_t kSeDaclAutoInherited = 0x0400;   // SDDL AI (DACL)
inline constexpr std::uint16_t kSeSaclAutoInherited = 0x0800;   // SDDL AI (SACL)
inline constexpr std::uint16_t kSeDaclProtected = 0x1000;       // SDDL P (DACL); set by SDProp
inline constexpr std::uint16_t kSeSaclProtected = 0x2000;       // SDDL P (SACL)
inline constexpr std::uint16_t kSeRmControlValid = 0x4000;
inline constexpr std::uint16_t kSeSelfRelative = 0x8000;

struct Ace {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t mask = 0;          // 0 for opaque (unknown-type) ACEs
  std::uint32_t object_flags = 0;  // object ACEs only: the raw Flags field
  std::optional<Guid> object_type, inherited_object_type;
  Sid trustee;  // default (S-1-0) for opaque ACEs
  // Callback ACEs: the conditional expression bytes; RA: the claim attribute; unknown types: every byte after
  // the 4-byte ACE header. Empty otherwise (padding after a SID in a plain ACE is dropped).
  std::string application_data;

  bool is_allow() const;       // A, OA, XA, ZA
  bool is_deny() const;        // D, OD, XD and the denied callback object type
  bool is_audit() const;       // AU, OU, XU and the audit callback object type
  bool is_object() const;      // carries the object Flags field (and maybe GUIDs)
  bool is_callback() const;    // carries application data after the SID
  bool is_known_type() const;  // false: kept opaque (type byte + application_data)
  bool inherited() const { return (flags & kAceInherited) != 0; }
  bool inherit_only() const { return (flags & kAceInheritOnly) != 0; }
  friend bool operator==(const Ace&, const Ace&) = default;
};

struct Acl {
  std::uint8_t revision = 2;  // 2 (ACL_REVISION) or 4 (ACL_REVISION_DS)
  std::vector<Ace> aces;
  friend bool operator==(const Acl&, const Acl&) = default;
};

struct SecurityDescriptor {
  std::uint8_t revision = 1;
  std::uint8_t sbz1 = 0;  // resource-manager control bits when SE_RM_CONTROL_VALID
  std::uint16_t control = 0;
  std::optional<Sid> owner, group;  // empty when the offset is 0
  std::optional<Acl> dacl, sacl;    // empty when not present, or present with offset 0 (a null ACL)

  bool dacl_present() const { return (control & kSeDaclPresent) != 0; }
  bool sacl_present() const { return (control & kSeSaclPresent) != 0; }
  // A present DACL with no ACL at all grants everyone everything (SDDL D:NO_ACCESS_CONTROL).
  bool null_dacl() const { return dacl_present() && !dacl; }
  bool dacl_protected() const { return (control & kSeDaclProtected) != 0; }
  bool dacl_auto_inherited() const { return (control & kSeDaclAutoInherited) != 0; }
  bool sacl_protected() const { return (control & kSeSaclProtected) != 0; }
  friend bool operator==(const SecurityDescriptor&, const SecurityDescriptor&) = default;
};

// Parses a self-relative security descriptor. Every offset and length is bounds-checked; a lying field is an
// invalid_input error naming the field and its byte offset. SE_SELF_RELATIVE is not required (the buffer is
// always read as self-relative); bytes outside the referenced parts are ignored.
Result<SecurityDescriptor> parse_security_descriptor(std::string_view bytes);
// Parses one ACL (header + ACEs) at the start of `bytes`; `base` is its offset, used in error messages.
Result<Acl> parse_acl(std::string_view bytes, std::size_t base = 0);

// Domain SIDs used to print domain-relative SDDL aliases (DA, DU, CA, EA, SA, ...). Without them such SIDs
// are printed as S-1-5-21-... strings. root_domain (forest root) defaults to domain for EA/SA/EK/RO.
struct SddlContext {
  std::optional<Sid> domain;
  std::optional<Sid> root_domain;
  bool use_aliases = true;  // false: every SID as S-1-... (stable text for evidence and diffs)

  static SddlContext for_domain(const Sid& domain_sid) {
    SddlContext c;
    c.domain = domain_sid;
    return c;
  }
  static SddlContext raw_sids() {
    SddlContext c;
    c.use_aliases = false;
    return c;
  }
};

// Windows-style SDDL: O:..G:..D:<PARAI>(ace)...S:<PARAI>(ace)... Rights use the DS mnemonics in bit order
// (CC DC LC SW RP WP DT LO CR SD RC WD WO GA GX GW GR); FA/FR/FW/FX only for an exact file-rights mask that
// the DS mnemonics cannot express; anything else is printed as 0x<hex>. Conditional (callback) expressions
// and resource attributes are not decoded: they print as "(<N bytes of application data>)".
std::string to_sddl(const SecurityDescriptor& sd, const SddlContext& ctx = {});
std::string ace_to_sddl(const Ace& ace, const SddlContext& ctx = {});
std::string acl_to_sddl(const Acl& acl, const SddlContext& ctx = {});
// The SDDL alias of a SID ("BA", "DA" with ctx) or its S-1-... string.
std::string sid_to_sddl(const Sid& sid, const SddlContext& ctx = {});
// The rights part of an ACE in SDDL ("RPWP", "GA", "FA", "0x2035b"); `ace_type` selects NR/NW/NX for ML ACEs.
std::string access_mask_to_sddl(std::uint32_t mask, std::uint8_t ace_type = ace_type::kAccessAllowed);
std::string ace_flags_to_sddl(std::uint8_t flags);
// "A", "OA", "AU", ... or "0x<type>" for a type without a mnemonic.
std::string ace_type_to_sddl(std::uint8_t type);

// Parses SDDL as Windows writes it for directory objects: O:, G:, D: and S: parts; ACL flags P, AI, AR and
// NO_ACCESS_CONTROL; ACE types A D AU AL OA OD OU OL ML; ACE flags; rights as mnemonics (DS, file, key and
// label ones), 0x hex or decimal; object GUIDs; SIDs as S-1-... or aliases (domain-relative aliases such as
// DA, DU, CA, EA need ctx.domain / ctx.root_domain, else they are an error). Conditional (callback) ACEs and
// resource attributes are unsupported. Errors name the offending part and its character offset.
Result<SecurityDescriptor> parse_sddl(std::string_view sddl, const SddlContext& ctx = {});
// Self-relative binary in Windows' layout (header, SACL, DACL, owner, group), SE_SELF_RELATIVE set; ACL
// sizes and counts computed. encode(parse_sddl(x)) reproduces what ConvertStringSecurityDescriptorTo-
// SecurityDescriptor writes (tested against the Windows-made pairs in vectors/sddl-windows-pairs).
std::string encode_security_descriptor(const SecurityDescriptor& sd);

}  // namespace adpersist::parsers
