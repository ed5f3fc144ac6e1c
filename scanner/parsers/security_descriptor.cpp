#include "scanner/parsers/security_descriptor.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace adpersist::parsers {

namespace {

using namespace ace_type;

constexpr std::size_t kSdHeaderSize = 20;
constexpr std::size_t kAclHeaderSize = 8;
constexpr std::size_t kAceHeaderSize = 4;
constexpr std::size_t kMinSidSize = 8;

std::uint16_t le16(std::string_view b, std::size_t o) {
  const auto lo = static_cast<std::uint8_t>(b[o]), hi = static_cast<std::uint8_t>(b[o + 1]);
  return static_cast<std::uint16_t>(lo | hi << 8);
}

std::uint32_t le32(std::string_view b, std::size_t o) {
  return static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[o])) |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[o + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[o + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[o + 3])) << 24;
}

Error bad(const std::string& what, std::size_t offset) {
  return make_error(ErrorCode::invalid_input, what + " (at byte offset " + std::to_string(offset) + ")");
}

bool is_basic(std::uint8_t t) {
  return t == kAccessAllowed || t == kAccessDenied || t == kSystemAudit || t == kSystemAlarm ||
         t == kSystemMandatoryLabel || t == kSystemScopedPolicyId;
}
bool is_object_type(std::uint8_t t) {
  return (t >= kAccessAllowedObject && t <= kSystemAlarmObject) || t == kAccessAllowedCallbackObject ||
         t == kAccessDeniedCallbackObject || t == kSystemAuditCallbackObject ||
         t == kSystemAlarmCallbackObject;
}
bool is_callback_type(std::uint8_t t) {
  return t >= kAccessAllowedCallback && t <= kSystemAlarmCallbackObject;
}

// Parses the ACE whose AceSize bytes are `ace` (already bounds-checked against the ACL); `at` is its offset.
Result<Ace> parse_ace(std::string_view ace, std::size_t at) {
  Ace a;
  a.type = static_cast<std::uint8_t>(ace[0]);
  a.flags = static_cast<std::uint8_t>(ace[1]);
  const bool known = is_basic(a.type) || is_object_type(a.type) || is_callback_type(a.type) ||
                     a.type == kSystemResourceAttribute;
  if (!known) {
    a.application_data = std::string(ace.substr(kAceHeaderSize));
    return a;
  }
  const bool object = is_object_type(a.type);
  const std::size_t min = kAceHeaderSize + 4 + (object ? 4 : 0) + kMinSidSize;
  if (ace.size() < min)
    return bad("AceSize " + std::to_string(ace.size()) + " is below the minimum " + std::to_string(min) +
                   " for ACE type " + ace_type_to_sddl(a.type),
               at + 2);
  a.mask = le32(ace, 4);
  std::size_t pos = 8;
  if (object) {
    a.object_flags = le32(ace, pos);
    pos += 4;
    for (std::uint32_t bit : {kAceObjectTypePresent, kAceInheritedObjectTypePresent}) {
      if (!(a.object_flags & bit)) continue;
      if (ace.size() - pos < 16)
        return bad(std::string(bit == kAceObjectTypePresent ? "ObjectType" : "InheritedObjectType") +
                       " GUID overruns AceSize " + std::to_string(ace.size()),
                   at + pos);
      auto g = parse_guid_binary(ace.substr(pos, 16));
      if (!g) return bad(g.error().message, at + pos);
      (bit == kAceObjectTypePresent ? a.object_type : a.inherited_object_type) = g.value();
      pos += 16;
    }
  }
  std::size_t used = 0;
  auto sid = parse_sid_binary(ace.substr(pos), &used);
  if (!sid)
    return bad("ACE trustee SID: " + sid.error().message + " (AceSize " + std::to_string(ace.size()) + ")",
               at + pos);
  a.trustee = sid.value();
  pos += used;
  if (is_callback_type(a.type) || a.type == kSystemResourceAttribute)
    a.application_data = std::string(ace.substr(pos));
  return a;
}

}  // namespace

bool Ace::is_allow() const {
  return type == kAccessAllowed || type == kAccessAllowedObject || type == kAccessAllowedCallback ||
         type == kAccessAllowedCallbackObject;
}
bool Ace::is_deny() const {
  return type == kAccessDenied || type == kAccessDeniedObject || type == kAccessDeniedCallback ||
         type == kAccessDeniedCallbackObject;
}
bool Ace::is_audit() const {
  return type == kSystemAudit || type == kSystemAuditObject || type == kSystemAuditCallback ||
         type == kSystemAuditCallbackObject;
}
bool Ace::is_object() const {
  return is_object_type(type);
}
bool Ace::is_callback() const {
  return is_callback_type(type);
}
bool Ace::is_known_type() const {
  return is_basic(type) || is_object_type(type) || is_callback_type(type) || type == kSystemResourceAttribute;
}

Result<Acl> parse_acl(std::string_view b, std::size_t base) {
  if (b.size() < kAclHeaderSize)
    return bad("ACL header needs 8 bytes but only " + std::to_string(b.size()) + " remain", base);
  Acl acl;
  acl.revision = static_cast<std::uint8_t>(b[0]);
  if (acl.revision != 2 && acl.revision != 4)
    return bad("AclRevision is " + std::to_string(acl.revision) + ", not 2 or 4", base);
  const std::size_t size = le16(b, 2);
  const std::size_t count = le16(b, 4);
  if (size < kAclHeaderSize)
    return bad("AclSize " + std::to_string(size) + " is smaller than the ACL header", base + 2);
  if (size > b.size())
    return bad("AclSize " + std::to_string(size) + " runs past the end of the buffer (" +
                   std::to_string(b.size()) + " bytes remain)",
               base + 2);
  // Each ACE needs at least its 4-byte header: a count that cannot fit is a lie, caught before allocating.
  if (count > (size - kAclHeaderSize) / kAceHeaderSize)
    return bad("AceCount " + std::to_string(count) + " cannot fit in AclSize " + std::to_string(size),
               base + 4);
  acl.aces.reserve(count);
  std::size_t pos = kAclHeaderSize;
  for (std::size_t i = 0; i < count; ++i) {
    if (size - pos < kAceHeaderSize)
      return bad("ACE " + std::to_string(i) + " of " + std::to_string(count) + " starts past AclSize " +
                     std::to_string(size),
                 base + pos);
    const std::size_t ace_size = le16(b, pos + 2);
    if (ace_size < kAceHeaderSize)
      return bad("AceSize " + std::to_string(ace_size) + " of ACE " + std::to_string(i) + " is below 4",
                 base + pos + 2);
    if (ace_size > size - pos)
      return bad("AceSize " + std::to_string(ace_size) + " of ACE " + std::to_string(i) +
                     " runs past AclSize " + std::to_string(size),
                 base + pos + 2);
    auto ace = parse_ace(b.substr(pos, ace_size), base + pos);
    if (!ace) return ace.error();
    acl.aces.push_back(std::move(ace.value()));
    pos += ace_size;
  }
  return acl;
}

Result<SecurityDescriptor> parse_security_descriptor(std::string_view b) {
  if (b.size() < kSdHeaderSize)
    return bad(
        "security descriptor is " + std::to_string(b.size()) + " bytes, shorter than its 20-byte header", 0);
  SecurityDescriptor sd;
  sd.revision = static_cast<std::uint8_t>(b[0]);
  if (sd.revision != 1)
    return bad("security descriptor Revision is " + std::to_string(sd.revision) + ", not 1", 0);
  sd.sbz1 = static_cast<std::uint8_t>(b[1]);
  sd.control = le16(b, 2);

  auto sid_at = [&](const char* field, std::size_t field_at) -> Result<std::optional<Sid>> {
    const std::size_t off = le32(b, field_at);
    if (off == 0) return std::optional<Sid>{};
    if (off >= b.size())
      return bad(std::string(field) + " " + std::to_string(off) + " points past the end of the " +
                     std::to_string(b.size()) + "-byte buffer",
                 field_at);
    std::size_t used = 0;
    auto sid = parse_sid_binary(b.substr(off), &used);
    if (!sid)
      return bad(std::string(field) + " " + std::to_string(off) + ": " + sid.error().message, field_at);
    return std::optional<Sid>{sid.value()};
  };
  auto acl_at = [&](const char* field, std::size_t field_at) -> Result<std::optional<Acl>> {
    const std::size_t off = le32(b, field_at);
    if (off == 0) return std::optional<Acl>{};  // present with offset 0: a null ACL
    if (off >= b.size())
      return bad(std::string(field) + " " + std::to_string(off) + " points past the end of the " +
                     std::to_string(b.size()) + "-byte buffer",
                 field_at);
    auto acl = parse_acl(b.substr(off), off);
    if (!acl) return make_error(ErrorCode::invalid_input, std::string(field) + ": " + acl.error().message);
    return std::optional<Acl>{std::move(acl.value())};
  };

  auto owner = sid_at("OffsetOwner", 4);
  if (!owner) return owner.error();
  sd.owner = owner.value();
  auto group = sid_at("OffsetGroup", 8);
  if (!group) return group.error();
  sd.group = group.value();
  if (sd.sacl_present()) {
    auto sacl = acl_at("OffsetSacl", 12);
    if (!sacl) return sacl.error();
    sd.sacl = std::move(sacl.value());
  }
  if (sd.dacl_present()) {
    auto dacl = acl_at("OffsetDacl", 16);
    if (!dacl) return dacl.error();
    sd.dacl = std::move(dacl.value());
  }
  return sd;
}

// ---- SDDL ----

namespace {

struct Mnemonic {
  std::uint32_t bit;
  const char* text;
};

// Bit order, as Windows prints them.
constexpr std::array<Mnemonic, 17> kDsRights = {{{kRightCreateChild, "CC"},
                                                 {kRightDeleteChild, "DC"},
                                                 {kRightListChildren, "LC"},
                                                 {kRightSelf, "SW"},
                                                 {kRightReadProperty, "RP"},
                                                 {kRightWriteProperty, "WP"},
                                                 {kRightDeleteTree, "DT"},
                                                 {kRightListObject, "LO"},
                                                 {kRightControlAccess, "CR"},
                                                 {kRightDelete, "SD"},
                                                 {kRightReadControl, "RC"},
                                                 {kRightWriteDac, "WD"},
                                                 {kRightWriteOwner, "WO"},
                                                 {kRightGenericAll, "GA"},
                                                 {kRightGenericExecute, "GX"},
                                                 {kRightGenericWrite, "GW"},
                                                 {kRightGenericRead, "GR"}}};

// File rights aliases (exact masks). All include SYNCHRONIZE, which no DS mnemonic covers, so they never
// shadow a DS spelling.
constexpr std::array<Mnemonic, 4> kFileRights = {
    {{0x1F01FF, "FA"}, {0x120089, "FR"}, {0x120116, "FW"}, {0x1200A0, "FX"}}};

constexpr std::array<Mnemonic, 7> kAceFlags = {{{kAceObjectInherit, "OI"},
                                                {kAceContainerInherit, "CI"},
                                                {kAceNoPropagate, "NP"},
                                                {kAceInheritOnly, "IO"},
                                                {kAceInherited, "ID"},
                                                {kAceSuccessfulAccess, "SA"},
                                                {kAceFailedAccess, "FA"}}};

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

struct SidAlias {
  const char* alias;
  std::uint64_t authority;
  std::array<std::uint32_t, 6> subs;
  std::size_t count;
};

// Well-known SIDs with an SDDL alias (fixed SIDs only; domain-relative ones are below).
constexpr SidAlias kFixedAliases[] = {
    {"WD", 1, {0}, 1},
    {"CO", 3, {0}, 1},
    {"CG", 3, {1}, 1},
    {"OW", 3, {4}, 1},
    {"NU", 5, {2}, 1},
    {"IU", 5, {4}, 1},
    {"SU", 5, {6}, 1},
    {"AN", 5, {7}, 1},
    {"ED", 5, {9}, 1},
    {"PS", 5, {10}, 1},
    {"AU", 5, {11}, 1},
    {"RC", 5, {12}, 1},
    {"SY", 5, {18}, 1},
    {"LS", 5, {19}, 1},
    {"NS", 5, {20}, 1},
    {"WR", 5, {33}, 1},
    {"BA", 5, {32, 544}, 2},
    {"BU", 5, {32, 545}, 2},
    {"BG", 5, {32, 546}, 2},
    {"PU", 5, {32, 547}, 2},
    {"AO", 5, {32, 548}, 2},
    {"SO", 5, {32, 549}, 2},
    {"PO", 5, {32, 550}, 2},
    {"BO", 5, {32, 551}, 2},
    {"RE", 5, {32, 552}, 2},
    {"RU", 5, {32, 554}, 2},
    {"RD", 5, {32, 555}, 2},
    {"NO", 5, {32, 556}, 2},
    {"MU", 5, {32, 558}, 2},
    {"LU", 5, {32, 559}, 2},
    {"IS", 5, {32, 568}, 2},
    {"CY", 5, {32, 569}, 2},
    {"ER", 5, {32, 573}, 2},
    {"CD", 5, {32, 574}, 2},
    {"RA", 5, {32, 575}, 2},
    {"ES", 5, {32, 576}, 2},
    {"MS", 5, {32, 577}, 2},
    {"HA", 5, {32, 578}, 2},
    {"AA", 5, {32, 579}, 2},
    {"RM", 5, {32, 580}, 2},
    {"UD", 5, {84, 0, 0, 0, 0, 0}, 6},
    {"AC", 15, {2, 1}, 2},
    {"LW", 16, {4096}, 1},
    {"ME", 16, {8192}, 1},
    {"MP", 16, {8448}, 1},
    {"HI", 16, {12288}, 1},
    {"SI", 16, {16384}, 1},
    {"AS", 18, {1}, 1},
    {"SS", 18, {2}, 1},
};

struct RidAlias {
  const char* alias;
  std::uint32_t rid;
  bool root;  // relative to the forest root domain
};

constexpr RidAlias kRidAliases[] = {
    {"RO", 498, true},  {"LA", 500, false}, {"LG", 501, false}, {"DA", 512, false},
    {"DU", 513, false}, {"DG", 514, false}, {"DC", 515, false}, {"DD", 516, false},
    {"CA", 517, false}, {"SA", 518, true},  {"EA", 519, true},  {"PA", 520, false},
    {"CN", 522, false}, {"AP", 525, false}, {"KA", 526, false}, {"EK", 527, true}};

bool matches(const Sid& sid, const SidAlias& a) {
  if (sid.authority() != a.authority || sid.sub_count() != a.count) return false;
  for (std::size_t i = 0; i < a.count; ++i)
    if (sid.sub(i) != a.subs[i]) return false;
  return true;
}

std::string acl_flags(const SecurityDescriptor& sd, bool dacl) {
  std::string out;
  if (sd.control & (dacl ? kSeDaclProtected : kSeSaclProtected)) out += "P";
  if (sd.control & (dacl ? kSeDaclAutoInheritReq : kSeSaclAutoInheritReq)) out += "AR";
  if (sd.control & (dacl ? kSeDaclAutoInherited : kSeSaclAutoInherited)) out += "AI";
  return out;
}

}  // namespace

std::string sid_to_sddl(const Sid& sid, const SddlContext& ctx) {
  if (!ctx.use_aliases) return sid.to_string();
  for (const auto& a : kFixedAliases)
    if (matches(sid, a)) return a.alias;
  if (sid.sub_count() > 0 && (ctx.domain || ctx.root_domain)) {
    const Sid parent = sid.parent();
    for (const auto& r : kRidAliases) {
      if (sid.rid() != r.rid) continue;
      const auto& dom = r.root && ctx.root_domain ? ctx.root_domain : ctx.domain;
      if (dom && parent == *dom) return r.alias;
    }
  }
  return sid.to_string();
}

std::string access_mask_to_sddl(std::uint32_t mask, std::uint8_t type) {
  if (mask == 0) return {};
  if (type == kSystemMandatoryLabel) {
    if (mask & ~0x7u) return hex32(mask);
    std::string out;
    if (mask & 0x1) out += "NW";
    if (mask & 0x2) out += "NR";
    if (mask & 0x4) out += "NX";
    return out;
  }
  std::uint32_t covered = 0;
  for (const auto& m : kDsRights) covered |= m.bit;
  if (mask & ~covered) {
    for (const auto& f : kFileRights)
      if (mask == f.bit) return f.text;
    return hex32(mask);
  }
  std::string out;
  for (const auto& m : kDsRights)
    if (mask & m.bit) out += m.text;
  return out;
}

std::string ace_flags_to_sddl(std::uint8_t flags) {
  std::string out;
  std::uint8_t covered = 0;
  for (const auto& f : kAceFlags) {
    covered = static_cast<std::uint8_t>(covered | f.bit);
    if (flags & f.bit) out += f.text;
  }
  // 0x20 has no mnemonic (and no meaning); keep it visible rather than dropping it.
  if (flags & ~covered) out += hex32(flags & static_cast<std::uint8_t>(~covered));
  return out;
}

std::string ace_type_to_sddl(std::uint8_t type) {
  switch (type) {
    case kAccessAllowed:
      return "A";
    case kAccessDenied:
      return "D";
    case kSystemAudit:
      return "AU";
    case kSystemAlarm:
      return "AL";
    case kAccessAllowedObject:
      return "OA";
    case kAccessDeniedObject:
      return "OD";
    case kSystemAuditObject:
      return "OU";
    case kSystemAlarmObject:
      return "OL";
    case kAccessAllowedCallback:
      return "XA";
    case kAccessDeniedCallback:
      return "XD";
    case kAccessAllowedCallbackObject:
      return "ZA";
    case kSystemAuditCallback:
      return "XU";
    case kSystemMandatoryLabel:
      return "ML";
    case kSystemResourceAttribute:
      return "RA";
    case kSystemScopedPolicyId:
      return "SP";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", type);
      return buf;
    }
  }
}

std::string ace_to_sddl(const Ace& ace, const SddlContext& ctx) {
  std::string out = "(" + ace_type_to_sddl(ace.type) + ";" + ace_flags_to_sddl(ace.flags) + ";";
  if (!ace.is_known_type()) return out + ";;;;(" + std::to_string(ace.application_data.size()) + " bytes))";
  out += access_mask_to_sddl(ace.mask, ace.type) + ";";
  if (ace.object_type) out += ace.object_type->to_string();
  out += ";";
  if (ace.inherited_object_type) out += ace.inherited_object_type->to_string();
  out += ";" + sid_to_sddl(ace.trustee, ctx);
  if (ace.is_callback() || ace.type == kSystemResourceAttribute)
    out += ";(" + std::to_string(ace.application_data.size()) + " bytes of application data)";
  return out + ")";
}

std::string acl_to_sddl(const Acl& acl, const SddlContext& ctx) {
  std::string out;
  for (const auto& a : acl.aces) out += ace_to_sddl(a, ctx);
  return out;
}

std::string to_sddl(const SecurityDescriptor& sd, const SddlContext& ctx) {
  std::string out;
  if (sd.owner) out += "O:" + sid_to_sddl(*sd.owner, ctx);
  if (sd.group) out += "G:" + sid_to_sddl(*sd.group, ctx);
  if (sd.dacl_present())
    out += "D:" + acl_flags(sd, true) + (sd.dacl ? acl_to_sddl(*sd.dacl, ctx) : "NO_ACCESS_CONTROL");
  if (sd.sacl_present())
    out += "S:" + acl_flags(sd, false) + (sd.sacl ? acl_to_sddl(*sd.sacl, ctx) : "NO_ACCESS_CONTROL");
  return out;
}

}  // namespace adpersist::parsers

// ---- SDDL → SecurityDescriptor → self-relative bytes ------------------------------------------------------

namespace adpersist::parsers {
namespace {

constexpr std::array<Mnemonic, 8> kOtherRights = {{{0x1F01FF, "FA"},
                                                   {0x120089, "FR"},
                                                   {0x120116, "FW"},
                                                   {0x1200A0, "FX"},
                                                   {0xF003F, "KA"},
                                                   {0x20019, "KR"},
                                                   {0x20006, "KW"},
                                                   {0x20019, "KX"}}};

class SddlParser {
 public:
  SddlParser(std::string_view text, const SddlContext& ctx) : s_(text), ctx_(ctx) {}

  Result<SecurityDescriptor> run() {
    SecurityDescriptor sd;
    while (pos_ < s_.size()) {
      if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != ':') return fail("expected O:, G:, D: or S:");
      const char part = s_[pos_];
      pos_ += 2;
      switch (part) {
        case 'O':
        case 'G': {
          auto sid = read_sid();
          if (!sid) return sid.error();
          (part == 'O' ? sd.owner : sd.group) = *sid;
          break;
        }
        case 'D':
        case 'S': {
          const bool dacl = part == 'D';
          sd.control |= dacl ? kSeDaclPresent : kSeSaclPresent;
          bool null_acl = false;
          while (pos_ < s_.size() && s_[pos_] != '(' && !at_part()) {
            if (eat("P")) sd.control |= dacl ? kSeDaclProtected : kSeSaclProtected;
            else if (eat("AI")) sd.control |= dacl ? kSeDaclAutoInherited : kSeSaclAutoInherited;
            else if (eat("AR")) sd.control |= dacl ? kSeDaclAutoInheritReq : kSeSaclAutoInheritReq;
            else if (eat("NO_ACCESS_CONTROL")) null_acl = true;
            else return fail("unknown ACL flag");
          }
          Acl acl;
          while (pos_ < s_.size() && s_[pos_] == '(') {
            auto ace = read_ace();
            if (!ace) return ace.error();
            if (ace->is_object()) acl.revision = 4;  // ACL_REVISION_DS, as Windows picks it
            acl.aces.push_back(std::move(*ace));
          }
          if (null_acl && !acl.aces.empty()) return fail("NO_ACCESS_CONTROL with ACEs");
          if (encoded_size(acl) > 0xFFFF) return fail("ACL longer than the 65535 bytes AclSize can hold");
          if (!null_acl) (dacl ? sd.dacl : sd.sacl) = std::move(acl);
          break;
        }
        default:
          pos_ -= 2;
          return fail("expected O:, G:, D: or S:");
      }
    }
    return sd;
  }

 private:
  Error fail(const std::string& what) const {
    return make_error(ErrorCode::invalid_input, "SDDL: " + what + " at offset " + std::to_string(pos_));
  }
  bool eat(std::string_view t) {
    if (s_.substr(pos_, t.size()) != t) return false;
    pos_ += t.size();
    return true;
  }
  // At "O:", "G:", "D:" or "S:" (a SID string "S-1-..." is not a part).
  bool at_part() const {
    return pos_ + 1 < s_.size() && s_[pos_ + 1] == ':' &&
           (s_[pos_] == 'O' || s_[pos_] == 'G' || s_[pos_] == 'D' || s_[pos_] == 'S');
  }

  Result<Sid> alias_sid(std::string_view alias) const {
    for (const auto& a : kFixedAliases) {
      if (alias != a.alias) continue;
 std::string text = "S-1-" + std::to_string(a.authority);
      for (std::size_t i = 0; i < a.count; ++i) text += "-" + std::to_string(a.subs[i]);
      return parse_sid_string(text);
    }
    for (const auto& r : kRidAliases) {
      if (alias != r.alias) continue;
      const auto& dom = r.root && ctx_.root_domain ? ctx_.root_domain : ctx_.domain;
      if (!dom) return fail("alias " + std::string(alias) + " needs the domain SID");
      return dom->with_rid(r.rid);
    }
    return fail("unknown SID alias '" + std::string(alias) + "'");
  }

  // A SID string or a two-letter alias.
  Result<Sid> read_sid() {
    const std::size_t start = pos_;
    if (s_.substr(pos_, 2) == "S-") {
      pos_ += 2;
      while (pos_ < s_.size()) {
        const auto c = static_cast<unsigned char>(s_[pos_]);
        if (std::isdigit(c) || c == '-') {
          ++pos_;
        } else if ((c == 'x' || c == 'X') && s_[pos_ - 1] == '0') {  // hex authority: S-1-0x...
          ++pos_;
          // At most the 12 digits MS-DTYP 2.4.2.1 allows ("G:S-1-0x000100000000D:" ends before "D:").
          for (int n = 0; n < 12 && pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_]));
               ++n)
            ++pos_;
        } else {
          break;
        }
      }
      auto sid = parse_sid_string(s_.substr(start, pos_ - start));
      if (!sid) {
        pos_ = start;
        return fail("bad SID: " + sid.error().message);
      }
      return sid;
    }
    if (pos_ + 2 > s_.size()) return fail("truncated SID");
    pos_ += 2;
    auto sid = alias_sid(s_.substr(start, 2));
    if (!sid) pos_ = start;
    return sid;
  }

  // The text up to the next ';' inside an ACE.
  std::string_view field() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ';' && s_[pos_] != ')' && s_[pos_] != '(') ++pos_;
    return s_.substr(start, pos_ - start);
  }
  bool semicolon() { return eat(";"); }

  Result<Ace> read_ace() {
    const std::size_t ace_start = pos_;
    ++pos_;  // '('
    Ace ace;
    const auto type = field();
    struct T {
      std::string_view text;
      std::uint8_t type;
    };
    static constexpr T kTypes[] = {{"A", kAccessAllowed},        {"D", kAccessDenied},
                                   {"AU", kSystemAudit},         {"AL", kSystemAlarm},
                                   {"OA", kAccessAllowedObject}, {"OD", kAccessDeniedObject},
                                   {"OU", kSystemAuditObject},   {"OL", kSystemAlarmObject},
                                   {"ML", kSystemMandatoryLabel}};
    bool known = false;
    for (const auto& t : kTypes)
      if (type == t.text) {
        ace.type = t.type;
        known = true;
      }
    if (!known) {
      pos_ = ace_start;
      return fail("unsupported ACE type '" + std::string(type) + "'");
    }
    if (!semicolon()) return fail("expected ';' after the ACE type");
    // Flags.
    for (auto flags = field(); !flags.empty();) {
      bool matched = false;
      for (const auto& f : kAceFlags)
        if (flags.substr(0, 2) == f.text) {
          ace.flags = static_cast<std::uint8_t>(ace.flags | f.bit);
          flags.remove_prefix(2);
          matched = true;
          break;
        }
      if (!matched) return fail("unknown ACE flag '" + std::string(flags.substr(0, 2)) + "'");
    }
    if (!semicolon()) return fail("expected ';' after the ACE flags");
    // Rights.
    auto rights = field();
    if (rights.starts_with("0x") || rights.starts_with("0X") ||
        (!rights.empty() && std::isdigit(static_cast<unsigned char>(rights[0])))) {
      std::uint64_t v = 0;
      const bool hex = rights.size() > 1 && (rights[1] == 'x' || rights[1] == 'X');
      const std::string_view digits = hex ? rights.substr(2) : rights;
      if (digits.empty()) return fail("empty access mask");
      for (char c : digits) {
        int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : hex && std::isxdigit(static_cast<unsigned char>(c))
                    ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                    : -1;
        if (d < 0) return fail("bad access mask '" + std::string(rights) + "'");
        v = v * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
        if (v > 0xFFFFFFFFull) return fail("access mask out of range");
      }
      ace.mask = static_cast<std::uint32_t>(v);
    } else {
      while (!rights.empty()) {
        const auto m = rights.substr(0, 2);
        bool matched = false;
        if (ace.type == kSystemMandatoryLabel) {
          if (m == "NW") ace.mask |= 0x1, matched = true;
          else if (m == "NR") ace.mask |= 0x2, matched = true;
          else if (m == "NX") ace.mask |= 0x4, matched = true;
        }
        for (const auto& r : kDsRights)
          if (!matched && m == r.text) ace.mask |= r.bit, matched = true;
        for (const auto& r : kOtherRights)
          if (!matched && m == r.text) ace.mask |= r.bit, matched = true;
        if (!matched) return fail("unknown right '" + std::string(m) + "'");
        rights.remove_prefix(2);
      }
    }
    if (!semicolon()) return fail("expected ';' after the rights");
    for (int i = 0; i < 2; ++i) {
      const auto g = field();
      if (!g.empty()) {
        if (!ace.is_object()) return fail("object GUID on a non-object ACE");
        auto guid = parse_guid_string(g);
        if (!guid) return fail("bad GUID '" + std::string(g) + "'");
        (i == 0 ? ace.object_type : ace.inherited_object_type) = *guid;
        ace.object_flags |= i == 0 ? kAceObjectTypePresent : kAceInheritedObjectTypePresent;
      }
      if (!semicolon()) return fail("expected ';' after an object GUID");
    }
    auto sid = read_sid();
    if (!sid) return sid.error();
    ace.trustee = *sid;
    if (pos_ < s_.size() && s_[pos_] == ';') return fail("resource attributes and conditions are unsupported");
    if (!eat(")")) return fail("expected ')' at the end of the ACE");
    return ace;
  }

  // Bytes encode_security_descriptor writes for the ACL: header, then per ACE header, mask, object part, SID.
  static std::size_t encoded_size(const Acl& acl) {
    std::size_t n = 8;
    for (const auto& a : acl.aces) {
      n += 16 + 4 * a.trustee.sub_count();
      if (a.is_object()) n += 4 + (a.object_type ? 16u : 0u) + (a.inherited_object_type ? 16u : 0u);
    }
    return n;
  }

  std::string_view s_;
  const SddlContext& ctx_;
  std::size_t pos_ = 0;
};

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string encode_ace(const Ace& ace) {
  std::string body;
  if (ace.is_known_type()) {
    put32(body, ace.mask);
    if (ace.is_object()) {
      put32(body, ace.object_flags);
      if (ace.object_type) body.append(reinterpret_cast<const char*>(ace.object_type->bytes.data()), 16);
      if (ace.inherited_object_type)
        body.append(reinterpret_cast<const char*>(ace.inherited_object_type->bytes.data()), 16);
    }
    body += ace.trustee.to_binary();
  }
  body += ace.application_data;
  while ((body.size() + 4) % 4) body.push_back('\0');
  std::string out;
  out.push_back(static_cast<char>(ace.type));
  out.push_back(static_cast<char>(ace.flags));
  put16(out, static_cast<std::uint16_t>(body.size() + 4));
  return out + body;
}

std::string encode_acl(const Acl& acl) {
  std::string aces;
  for (const auto& a : acl.aces) aces += encode_ace(a);
  std::string out;
  out.push_back(static_cast<char>(acl.revision));
  out.push_back('\0');
  put16(out, static_cast<std::uint16_t>(aces.size() + 8));
  put16(out, static_cast<std::uint16_t>(acl.aces.size()));
  put16(out, 0);
  return out + aces;
}

}  // namespace

Result<SecurityDescriptor> parse_sddl(std::string_view sddl, const SddlContext& ctx) {
  return SddlParser(sddl, ctx).run();
}

std::string encode_security_descriptor(const SecurityDescriptor& sd) {
  std::string sacl = sd.sacl_present() && sd.sacl ? encode_acl(*sd.sacl) : std::string();
  std::string dacl = sd.dacl_present() && sd.dacl ? encode_acl(*sd.dacl) : std::string();
  std::string owner = sd.owner ? sd.owner->to_binary() : std::string();
  std::string group = sd.group ? sd.group->to_binary() : std::string();
  std::uint32_t at = 20;
  auto offset = [&](const std::string& part) -> std::uint32_t {
    if (part.empty()) return 0;
    const auto o = at;
    at += static_cast<std::uint32_t>(part.size());
    return o;
  };
  const std::uint32_t o_sacl = offset(sacl), o_dacl = offset(dacl), o_owner = offset(owner),
                      o_group = offset(group);
  std::string out;
  out.push_back(static_cast<char>(sd.revision));
  out.push_back(static_cast<char>(sd.sbz1));
  put16(out, static_cast<std::uint16_t>(sd.control | kSeSelfRelative));
  put32(out, o_owner);
  put32(out, o_group);
  put32(out, o_sacl);
  put32(out, o_dacl);
  return out + sacl + dacl + owner + group;
}

}  // namespace adpersist::parsers
