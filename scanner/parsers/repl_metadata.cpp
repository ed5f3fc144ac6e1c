#include "scanner/parsers/repl_metadata.hpp"

#include <charconv>

namespace adpersist::parsers {

// The values PingCastle hard-codes (onprem-formats.md 6b) must come out of the prefix rule unchanged.
static_assert(attrtyp::kUnicodePwd == 0x9005A);
static_assert(attrtyp::kAdminCount == 589974);
static_assert(attrtyp::kUserPassword == 35);
static_assert(attrtyp::kUnixUserPassword == 591734);
static_assert(attrtyp::kDsaSignature == 0x2004A);

namespace {

using namespace std::chrono;

struct NamedAttr {
  std::uint32_t attrtyp;
  std::string_view name;
};

constexpr NamedAttr kAttrNames[] = {
    {attrtyp::kMember, "member"},
    {attrtyp::kUserPassword, "userPassword"},
    {attrtyp::kDsaSignature, "dSASignature"},
    {attrtyp::kDsHeuristics, "dSHeuristics"},
    {attrtyp::kNtSecurityDescriptor, "nTSecurityDescriptor"},
    {attrtyp::kUserAccountControl, "userAccountControl"},
    {attrtyp::kDbcsPwd, "dBCSPwd"},
    {attrtyp::kScriptPath, "scriptPath"},
    {attrtyp::kUnicodePwd, "unicodePwd"},
    {attrtyp::kNtPwdHistory, "ntPwdHistory"},
    {attrtyp::kPwdLastSet, "pwdLastSet"},
    {attrtyp::kPrimaryGroupId, "primaryGroupID"},
    {attrtyp::kSupplementalCredentials, "supplementalCredentials"},
    {attrtyp::kObjectSid, "objectSid"},
    {attrtyp::kAdminCount, "adminCount"},
    {attrtyp::kLmPwdHistory, "lmPwdHistory"},
    {attrtyp::kSidHistory, "sIDHistory"},
    {attrtyp::kUserPrincipalName, "userPrincipalName"},
    {attrtyp::kServicePrincipalName, "servicePrincipalName"},
    {attrtyp::kAltSecurityIdentities, "altSecurityIdentities"},
    {attrtyp::kGpLink, "gPLink"},
    {attrtyp::kGpcFileSysPath, "gPCFileSysPath"},
    {attrtyp::kLastLogonTimestamp, "lastLogonTimestamp"},
    {attrtyp::kMsDsAllowedToDelegateTo, "msDS-AllowedToDelegateTo"},
    {attrtyp::kUnixUserPassword, "unixUserPassword"},
    {attrtyp::kMsDsSupportedEncryptionTypes, "msDS-SupportedEncryptionTypes"},
    {attrtyp::kMsDsAllowedToActOnBehalfOfOtherIdentity, "msDS-AllowedToActOnBehalfOfOtherIdentity"},
    {attrtyp::kMsDsKeyCredentialLink, "msDS-KeyCredentialLink"},
};

std::uint32_t le32(std::string_view b, std::size_t o) {
  std::uint32_t v = 0;
  for (std::size_t i = 4; i-- > 0;) v = v << 8 | static_cast<std::uint8_t>(b[o + i]);
  return v;
}
std::int64_t le64(std::string_view b, std::size_t o) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(le32(b, o)) |
                                   static_cast<std::uint64_t>(le32(b, o + 4)) << 32);
}

// ---- a minimal flat-XML reader: <root><name>text</name>...</root> ----

struct XmlField {
  std::string_view name;
  std::string text;  // entities decoded
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

Result<std::string> decode_text(std::string_view t, std::string_view element) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '>')
      return make_error(ErrorCode::invalid_input, "stray '>' in the text of <" + std::string(element) + ">");
    if (t[i] != '&') {
      out.push_back(t[i]);
      continue;
    }
    const std::size_t semi = t.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10)
      return make_error(ErrorCode::invalid_input, "unterminated entity in <" + std::string(element) + ">");
    const std::string_view ent = t.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else {
      std::uint32_t cp = 0;
      bool ok = ent.size() > 1 && ent[0] == '#';
      if (ok) {
        const bool hex = ent[1] == 'x' || ent[1] == 'X';
        const std::string_view digits = ent.substr(hex ? 2 : 1);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        ok = !digits.empty() && ec == std::errc{} && p == digits.data() + digits.size() && cp != 0 &&
             cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
      }
      if (!ok)
        return make_error(ErrorCode::invalid_input,
                          "unknown entity '&" + std::string(ent) + ";' in <" + std::string(element) + ">");
      append_utf8(out, cp);
    }
    i = semi;
  }
  return out;
}

Result<std::vector<XmlField>> read_flat_xml(std::string_view xml, std::string_view root) {
  const std::string open = "<" + std::string(root) + ">", close = "</" + std::string(root) + ">";
  std::string_view s = trim(xml);
  if (s.substr(0, open.size()) != open || s.size() < open.size() + close.size() ||
      s.substr(s.size() - close.size()) != close)
    return make_error(ErrorCode::invalid_input, "not a " + open + " element");
  s = s.substr(open.size(), s.size() - open.size() - close.size());
  std::vector<XmlField> out;
  std::size_t p = 0;
  while (true) {
    while (p < s.size() && is_space(s[p])) ++p;
    if (p == s.size()) break;
    if (s[p] != '<')
      return make_error(ErrorCode::invalid_input, "text outside an element in " + open + " at offset " +
                                                      std::to_string(open.size() + p));
    std::size_t q = p + 1;
    while (q < s.size() && is_name_char(s[q])) ++q;
    const std::string_view name = s.substr(p + 1, q - p - 1);
    if (name.empty()) return make_error(ErrorCode::invalid_input, "malformed tag in " + open);
    if (s.substr(q, 2) == "/>") {  // <name/>
      out.push_back({name, {}});
      p = q + 2;
      continue;
    }
    if (q >= s.size() || s[q] != '>')
      return make_error(ErrorCode::invalid_input, "malformed tag <" + std::string(name) + " in " + open);
    const std::size_t text_at = q + 1;
    const std::size_t lt = s.find('<', text_at);
    const std::string end = "</" + std::string(name) + ">";
    if (lt == std::string_view::npos || s.substr(lt, end.size()) != end)
      return make_error(ErrorCode::invalid_input, "<" + std::string(name) + "> is not closed by " + end);
    auto text = decode_text(s.substr(text_at, lt - text_at), name);
    if (!text) return text.error();
    out.push_back({name, std::move(text.value())});
    p = lt + end.size();
  }
  return out;
}

// Looks up each wanted element once; duplicates and missing required ones are errors.
class Fields {
 public:
  Fields(std::vector<XmlField> f, std::string_view root) : fields_(std::move(f)), root_(root) {}

  Result<const std::string*> get(std::string_view name, bool required) const {
    const std::string* found = nullptr;
    for (const auto& f : fields_) {
      if (f.name != name) continue;
      if (found) return error("<" + std::string(name) + "> appears twice");
      found = &f.text;
    }
    if (!found && required) return error("<" + std::string(name) + "> is missing");
    return found;
  }

  Error error(const std::string& what) const {
    return make_error(ErrorCode::invalid_input, std::string(root_) + ": " + what);
  }

 private:
  std::vector<XmlField> fields_;
  std::string_view root_;
};

template <class T>
Status number(const Fields& f, std::string_view name, bool required, T& out) {
  auto t = f.get(name, required);
  if (!t) return t.error();
  if (!t.value()) return ok_status();
  const std::string_view s = trim(*t.value());
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
    return f.error("<" + std::string(name) + "> '" + std::string(s.substr(0, 40)) + "' is not a number");
  return ok_status();
}

Status text(const Fields& f, std::string_view name, bool required, std::string& out) {
  auto t = f.get(name, required);
  if (!t) return t.error();
  if (t.value()) out = *t.value();
  return ok_status();
}

Status time(const Fields& f, std::string_view name, TimePoint& out) {
  auto t = f.get(name, true);
  if (!t) return t.error();
  auto r = parse_rfc3339(trim(*t.value()));
  if (!r) return f.error("<" + std::string(name) + ">: " + r.error().message);
  out = r.value();
  return ok_status();
}

Status guid(const Fields& f, std::string_view name, Guid& out) {
  auto t = f.get(name, true);
  if (!t) return t.error();
  auto r = parse_guid_string(trim(*t.value()));
  if (!r) return f.error("<" + std::string(name) + ">: " + r.error().message);
  out = r.value();
  return ok_status();
}

}  // namespace

std::optional<std::string_view> attrtyp_name(std::uint32_t a) {
  for (const auto& n : kAttrNames)
    if (n.attrtyp == a) return n.name;
  return std::nullopt;
}

Result<std::vector<AttrMeta>> parse_repl_property_metadata(std::string_view b) {
  constexpr std::size_t kHeader = 16, kEntry = 48;
  if (b.size() < kHeader)
    return make_error(ErrorCode::invalid_input, "replPropertyMetaData is " + std::to_string(b.size()) +
                                                    " bytes, shorter than its 16-byte header");
  if (const std::uint32_t v = le32(b, 0); v != 1)
    return make_error(ErrorCode::unsupported,
                      "replPropertyMetaData dwVersion is " + std::to_string(v) + ", not 1");
  const std::uint64_t n = le32(b, 8);
  if (n * kEntry != b.size() - kHeader)
    return make_error(ErrorCode::invalid_input, "replPropertyMetaData cNumEntries " + std::to_string(n) +
                                                    " (at byte offset 8) needs " +
                                                    std::to_string(kHeader + n * kEntry) +
                                                    " bytes but there are " + std::to_string(b.size()));
  // Seconds since 1601 up to 9999-12-31T23:59:59, the range filetime_to_time accepts.
  constexpr std::int64_t kMaxSeconds = 265046774399;
  std::vector<AttrMeta> out;
  out.reserve(static_cast<std::size_t>(n));
  for (std::size_t o = kHeader; o < b.size(); o += kEntry) {
    AttrMeta m;
    m.attrtyp = le32(b, o);
    m.version = le32(b, o + 4);
    m.time_raw = le64(b, o + 8);
    if (m.time_raw > 0 && m.time_raw <= kMaxSeconds) {
      if (auto t = filetime_to_time(m.time_raw * 10000000); t.ok()) m.time = t.value();
    }
    m.originating_invocation_id = parse_guid_binary(b.substr(o + 16, 16)).value();
    m.usn_originating = le64(b, o + 32);
    m.usn_property = le64(b, o + 40);
    out.push_back(m);
  }
  return out;
}

Result<ReplAttrMeta> parse_repl_attr_metadata_xml(std::string_view xml) {
  constexpr std::string_view kRoot = "DS_REPL_ATTR_META_DATA";
  auto parsed = read_flat_xml(xml, kRoot);
  if (!parsed) return parsed.error();
  const Fields f(std::move(parsed.value()), kRoot);
  ReplAttrMeta m;
  for (Status s :
       {text(f, "pszAttributeName", true, m.attribute_name), number(f, "dwVersion", true, m.version),
        time(f, "ftimeLastOriginatingChange", m.last_originating_change),
        guid(f, "uuidLastOriginatingDsaInvocationID", m.originating_invocation_id),
        number(f, "usnOriginatingChange", true, m.usn_originating),
        number(f, "usnLocalChange", true, m.usn_local),
        text(f, "pszLastOriginatingDsaDN", false, m.originating_dsa_dn)})
    if (!s) return s.error();
  if (m.attribute_name.empty()) return f.error("<pszAttributeName> is empty");
  return m;
}

Result<ReplValueMeta> parse_repl_value_metadata_xml(std::string_view xml) {
  constexpr std::string_view kRoot = "DS_REPL_VALUE_META_DATA";
  auto parsed = read_flat_xml(xml, kRoot);
  if (!parsed) return parsed.error();
  const Fields f(std::move(parsed.value()), kRoot);
  ReplValueMeta m;
  TimePoint deleted;
  for (Status s : {text(f, "pszAttributeName", true, m.attribute_name),
                   text(f, "pszObjectDn", true, m.object_dn), number(f, "cbData", false, m.data_size),
                   text(f, "pbData", false, m.data), time(f, "ftimeDeleted", deleted),
                   time(f, "ftimeCreated", m.created), number(f, "dwVersion", true, m.version),
                   time(f, "ftimeLastOriginatingChange", m.last_originating_change),
                   guid(f, "uuidLastOriginatingDsaInvocationID", m.originating_invocation_id),
                   number(f, "usnOriginatingChange", true, m.usn_originating),
                   number(f, "usnLocalChange", true, m.usn_local),
                   text(f, "pszLastOriginatingDsaDN", false, m.originating_dsa_dn)})
    if (!s) return s.error();
  if (m.attribute_name.empty()) return f.error("<pszAttributeName> is empty");
  // 1601-01-01T00:00:00Z (FILETIME 0) means "not deleted".
  if (deleted != TimePoint{sys_days{year{1601} / January / 1}}) m.deleted = deleted;
  return m;
}

}  // namespace adpersist::parsers
