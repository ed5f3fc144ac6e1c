#include "scanner/policy/suppressions.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "scanner/engine/registry.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::policy {

namespace {

using namespace std::chrono;
using model::Json;

// A suppressions file is a hand-written list; anything this large is a mistake (or an attack on the parser).
constexpr std::size_t kMaxFileBytes = 8 * 1024 * 1024;

constexpr const char* kEntryKeys[] = {"check", "object", "finding_id", "reason", "owner", "expires"};
constexpr const char* kFileShape = "expected 'version: 1' and a 'suppressions' list (docs/suppressions.md)";

// One entry as the file spelled it, before any meaning is given to it: the YAML and JSON readers both produce
// this, so every rule about entries lives in one place (validate_entry).
struct RawField {
  std::string key;
  enum class Kind { text, null, other } kind = Kind::text;
  std::string value;  // text: the value; other: what it is instead ("a list", "a number")
};
struct RawEntry {
  std::size_t line = 0;
  std::string not_mapping;  // non-empty: what the entry is instead of a mapping
  std::vector<RawField> fields;
  std::vector<std::string> duplicate_keys;
};

Error file_error(const std::string& path, std::size_t line, std::size_t column, std::string message) {
  std::string where = path;
  if (line) where += ":" + std::to_string(line) + (column ? ":" + std::to_string(column) : "");
  return make_error(ErrorCode::invalid_input, std::move(message), where);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "did you mean" for a key: a near miss of an allowed key, or what other scanners call the field.
std::string key_hint(const std::string& key) {
  static const std::map<std::string, std::string> kOtherNames = {
      {"expired_at", "expires"}, {"expires_at", "expires"}, {"expiration", "expires"}, {"expiry_date", "expires"},
      {"until", "expires"},      {"fingerprint", "finding_id"}, {"id", "finding_id"}, {"target", "object"},
      {"object_guid", "object"}, {"objectguid", "object"}, {"sid", "object"}, {"dn", "object"},
      {"resource", "object"},    {"statement", "reason"}, {"comment", "reason"}, {"justification", "reason"},
      {"rule", "check"},         {"check_id", "check"}, {"contact", "owner"}};
  // yaml-cpp 0.7 has no merge keys: "<<: *defaults" arrives as a key named "<<".
  if (key == "<<") return " (YAML merge keys are not supported: write every field in each entry)";
  const std::string k = util::to_lower(key);
  if (auto it = kOtherNames.find(k); it != kOtherNames.end()) return " (did you mean '" + it->second + "'?)";
  for (const char* allowed : kEntryKeys)
    if (edit_distance(k, allowed) <= 2) return std::string(" (did you mean '") + allowed + "'?)";
  return " (allowed: check, object, finding_id, reason, owner, expires)";
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool is_sid(std::string_view s) {
  if (s.size() < 5 || !util::istarts_with(s, "S-1-")) return false;
  bool digit = false;
  for (char c : s.substr(4)) {
    if (c == '-') {
      if (!digit) return false;
      digit = false;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

// An object as compared: trimmed, lower-case, a "{guid}" without its braces.
std::string normalize_object(std::string_view s) {
  s = util::trim(s);
  if (s.size() == 38 && s.front() == '{' && s.back() == '}' && is_guid(s.substr(1, 36))) s = s.substr(1, 36);
  return util::to_lower(s);
}

// A DN as compared: lower-case, no spaces around the unescaped separators ("CN=a, OU=b" = "cn=a,ou=b").
std::string normalize_dn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  dn = util::trim(dn);
  bool skip_spaces = false;
  for (std::size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (c == '\\' && i + 1 < dn.size()) {
      out += c;
      out += util::ascii_lower(dn[++i]);
      skip_spaces = false;
      continue;
    }
    if (c == ',' || c == '=' || c == '+') {
      while (!out.empty() && out.back() == ' ' && !(out.size() >= 2 && out[out.size() - 2] == '\\')) out.pop_back();
      out += c;
      skip_spaces = true;
      continue;
    }
    if (c == ' ' && skip_spaces) continue;
    skip_spaces = false;
    out += util::ascii_lower(c);
  }
  return out;
}

std::optional<sys_days> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))},
                           day{static_cast<unsigned>(num(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::string check_problem(const std::string& check) {
  if (check.find_first_of("*?[") != std::string::npos)
    return "check '" + check + "' has a wildcard; an entry names one exact check id";
  const auto dot = check.find('.');
  const std::string platform = check.substr(0, dot);
  bool shaped = dot != std::string::npos && (platform == "ad" || platform == "entra") && dot + 1 < check.size();
  if (shaped)
    for (std::size_t i = dot + 1; i < check.size(); ++i) {
      const char c = check[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) shaped = false;
    }
  auto& registry = engine::CheckRegistry::instance();
  if (!shaped || !registry.find(check)) {
    for (const auto& c : registry.all())
      if (util::iequals(c->info().id, check))
        return "check '" + check + "' is not a check id; ids are lower case: did you mean '" + c->info().id + "'?";
    if (!shaped) return "check '" + check + "' is not a check id (like ad.rbcd or entra.app-credentials)";
    return "no check has the id '" + check + "' (see 'adpersist checks list')";
  }
  return {};
}

std::string object_problem(const std::string& object) {
  if (object.find('*') != std::string::npos)
    return "object '" + object + "' has a wildcard; an entry names one exact object";
  const std::string o = normalize_object(object);
  // A DN has '='; an Entra domain's Graph id is its name (has a dot). A bare name (sAMAccountName, display
  // name) is not accepted: names change hands, and a rename must not move an acceptance to another object.
  if (is_guid(o) || is_sid(object) || o.find('=') != std::string::npos || o.find('.') != std::string::npos) return {};
  return "object '" + object +
         "' is not an objectGUID, SID, DN or Graph object id (use the report's resource.id, resource.sid or "
         "resource.dn)";
}

SuppressionEntry validate_entry(const RawEntry& raw, std::size_t index) {
  SuppressionEntry e;
  e.index = index;
  e.line = raw.line;
  std::vector<std::string> problems;
  if (!raw.not_mapping.empty()) {
    e.problem = "the entry is " + raw.not_mapping + ", not a mapping with check, object or finding_id, reason, "
                "owner and expires";
    return e;
  }
  for (const auto& k : raw.duplicate_keys) problems.push_back("key '" + k + "' appears twice");
  for (const auto& f : raw.fields) {
    std::string* target = nullptr;
    if (f.key == "check") target = &e.check;
    else if (f.key == "object") target = &e.object;
    else if (f.key == "finding_id") target = &e.finding_id;
    else if (f.key == "reason") target = &e.reason;
    else if (f.key == "owner") target = &e.owner;
    else if (f.key == "expires") target = &e.expires;
    if (!target) {
      // Typo protection: "expire:" must not quietly leave an entry that never expires.
      problems.push_back("unknown key '" + f.key + "'" + key_hint(f.key));
      continue;
    }
    if (f.kind == RawField::Kind::other)
      problems.push_back("'" + f.key + "' must be one text value, not " + f.value);
    else if (f.kind == RawField::Kind::text)
      *target = std::string(util::trim(f.value));
  }
  if (e.check.empty()) problems.push_back("missing 'check'");
  else if (auto p = check_problem(e.check); !p.empty()) problems.push_back(p);
  if (e.object.empty() && e.finding_id.empty()) problems.push_back("missing 'object' or 'finding_id'");
  if (!e.object.empty())
    if (auto p = object_problem(e.object); !p.empty()) problems.push_back(p);
  if (!e.finding_id.empty()) {
    if (e.finding_id.size() != 32 || !is_hex(e.finding_id))
      problems.push_back("finding_id '" + e.finding_id +
                         "' is not a finding id (32 hex digits, as in the report's findings[].finding_id)");
    else
      e.finding_id = util::to_lower(e.finding_id);
  }
  if (e.reason.empty()) problems.push_back("missing 'reason'");
  if (e.owner.empty()) problems.push_back("missing 'owner'");
  if (e.expires.empty()) {
    problems.push_back("missing 'expires' (YYYY-MM-DD): an entry never suppresses forever");
  } else if (auto d = parse_day(e.expires)) {
    e.expires_day = *d;
  } else {
    problems.push_back("expires '" + e.expires + "' is not a date as YYYY-MM-DD (a real calendar day)");
  }
  for (const auto& p : problems) e.problem += (e.problem.empty() ? "" : "; ") + p;
  return e;
}

// --- YAML ------------------------------------------------------------------------------------------------

std::size_t line_of(const YAML::Node& n) {
  const auto m = n.Mark();
  return m.is_null() ? 0 : static_cast<std::size_t>(m.line) + 1;
}

std::string yaml_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Scalar: return "a single value ('" + n.Scalar() + "')";
    default: return "undefined";
  }
}

RawEntry yaml_entry(const YAML::Node& n) {
  RawEntry raw;
  raw.line = line_of(n);
  if (!n.IsMap()) {
    raw.not_mapping = yaml_kind(n);
    return raw;
  }
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    // Copies, not references: yaml-cpp's iterator hands out a temporary pair, gone after this statement.
    const YAML::Node key = it->first;
    const YAML::Node v = it->second;
    RawField f;
    f.key = key.IsScalar() ? key.Scalar() : "<" + yaml_kind(key) + ">";
    if (!seen.insert(f.key).second) raw.duplicate_keys.push_back(f.key);
    if (v.IsNull()) {
      f.kind = RawField::Kind::null;
    } else if (v.IsScalar()) {
      f.value = v.Scalar();
    } else {
      f.kind = RawField::Kind::other;
      f.value = yaml_kind(v);
    }
    raw.fields.push_back(std::move(f));
  }
  return raw;
}

Result<std::vector<RawEntry>> parse_yaml(const std::string& text, const std::string& path) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& ex) {
    const bool has_mark = !ex.mark.is_null();
    return file_error(path, has_mark ? static_cast<std::size_t>(ex.mark.line) + 1 : 0,
                      has_mark ? static_cast<std::size_t>(ex.mark.column) + 1 : 0,
                      "YAML syntax error: " + ex.msg);
  }
  if (docs.empty() || docs[0].IsNull()) return file_error(path, 0, 0, std::string("the file is empty; ") + kFileShape);
  if (docs.size() > 1)
    return file_error(path, line_of(docs[1]), 0,
                      "more than one YAML document ('---'); put every entry in one 'suppressions' list");
  const YAML::Node& top = docs[0];
  if (!top.IsMap()) return file_error(path, line_of(top), 0, "the file is " + yaml_kind(top) + "; " + kFileShape);
  std::optional<YAML::Node> version, list;
  for (auto it = top.begin(); it != top.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: see yaml_entry
    const std::string key = k.IsScalar() ? k.Scalar() : "<" + yaml_kind(k) + ">";
    if (key != "version" && key != "suppressions")
      return file_error(path, line_of(k), 0, "unknown top-level key '" + key + "'; " + kFileShape);
    auto& slot = key == "version" ? version : list;
    if (slot) return file_error(path, line_of(k), 0, "key '" + key + "' appears twice");
    slot = YAML::Node(it->second);
  }
  if (!version) return file_error(path, 0, 0, std::string("missing 'version'; ") + kFileShape);
  if (!version->IsScalar() || version->Scalar() != "1")
    return file_error(path, line_of(*version), 0,
                      (version->IsScalar() ? "version '" + version->Scalar() + "'" : "version " + yaml_kind(*version)) +
                          " is not supported (this adpersist reads version 1)");
  if (!list) return file_error(path, 0, 0, std::string("missing 'suppressions'; ") + kFileShape);
  std::vector<RawEntry> out;
  if (list->IsNull()) return out;  // "suppressions:" with nothing under it: no entries
  if (!list->IsSequence())
    return file_error(path, line_of(*list), 0, "'suppressions' is " + yaml_kind(*list) + ", not a list of entries");
  for (const auto& n : *list) out.push_back(yaml_entry(n));
  return out;
}

// --- JSON ------------------------------------------------------------------------------------------------

// nlohmann keeps no positions and keeps one of two equal keys silently. This walks text nlohmann has already
// accepted (so it can be simple) to find the line each entry of the top-level "suppressions" array starts on
// and the keys an entry or the top level repeats.
class JsonLayout {
 public:
  explicit JsonLayout(const std::string& t) : t_(t) {
    if (t_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = 3;
    ws();
    if (peek() != '{') return;
    ++i_;
    std::set<std::string> seen;
    for (ws(); peek() && peek() != '}'; ws()) {
      const std::string key = string_token();
      if (!seen.insert(key).second) top_duplicates.push_back(key);
      ws();
      ++i_;  // ':'
      ws();
      if (key == "suppressions" && peek() == '[' && entry_lines.empty()) {
        array();
      } else {
        skip_value();
      }
      ws();
      if (peek() == ',') ++i_;
    }
  }

  std::vector<std::size_t> entry_lines;
  std::vector<std::vector<std::string>> entry_duplicates;
  std::vector<std::string> top_duplicates;

 private:
  char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
  void ws() {
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') ++i_;
  }
  // Lines are counted incrementally: entries come in order, so the whole walk stays linear.
  std::size_t line() {
    for (; counted_ < i_ && counted_ < t_.size(); ++counted_)
      if (t_[counted_] == '\n') ++line_;
    return line_;
  }
  void skip_string() {
    ++i_;
    while (peek() && peek() != '"') i_ += peek() == '\\' ? std::size_t{2} : std::size_t{1};
    ++i_;
  }
  std::string string_token() {
    const std::size_t start = i_;
    skip_string();
    try {
      return Json::parse(t_.substr(start, i_ - start)).get<std::string>();
    } catch (const std::exception&) {
      return {};
    }
  }
  void skip_value() {
    if (peek() == '"') return skip_string();
    if (peek() == '{' || peek() == '[') {
      int depth = 0;
      do {
        const char c = peek();
        if (c == '"') {
          skip_string();
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        ++i_;
      } while (depth > 0 && peek());
      return;
    }
    while (peek() && std::string_view(",}] \t\r\n").find(peek()) == std::string_view::npos) ++i_;
  }
  void array() {
    ++i_;
    for (ws(); peek() && peek() != ']'; ws()) {
      entry_lines.push_back(line());
      entry_duplicates.emplace_back();
      if (peek() == '{') {
        ++i_;
        std::set<std::string> seen;
        for (ws(); peek() && peek() != '}'; ws()) {
          const std::string key = string_token();
          if (!seen.insert(key).second) entry_duplicates.back().push_back(key);
          ws();
          ++i_;
          ws();
          skip_value();
          ws();
          if (peek() == ',') ++i_;
        }
        ++i_;
      } else {
        skip_value();
      }
      ws();
      if (peek() == ',') ++i_;
    }
    ++i_;
  }

  const std::string& t_;
  std::size_t i_ = 0;
  std::size_t counted_ = 0, line_ = 1;
};

std::string json_kind(const Json& j) {
  if (j.is_array()) return "a list";
  if (j.is_object()) return "a mapping";
  if (j.is_boolean()) return "true/false";
  if (j.is_number()) return "a number (" + j.dump() + ")";
  if (j.is_null()) return "null";
  return "a string ('" + j.get<std::string>() + "')";
}

Result<std::vector<RawEntry>> parse_json(const std::string& text, const std::string& path) {
  Json top;
  try {
    top = Json::parse(text);
  } catch (const Json::parse_error& ex) {
    // "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error while parsing ..."
    std::string what = ex.what();
    std::size_t line = 0, column = 0;
    if (auto at = what.find(" at line "); at != std::string::npos)
      std::sscanf(what.c_str() + at, " at line %zu, column %zu", &line, &column);
    if (auto colon = what.find(": ", what.find("parse error")); colon != std::string::npos)
      what = what.substr(colon + 2);
    return file_error(path, line, column, "JSON syntax error: " + what);
  }
  if (!top.is_object()) return file_error(path, 0, 0, "the file is " + json_kind(top) + "; " + kFileShape);
  const JsonLayout layout(text);
  if (!layout.top_duplicates.empty())
    return file_error(path, 0, 0, "key '" + layout.top_duplicates.front() + "' appears twice");
  for (const auto& [key, value] : top.items())
    if (key != "version" && key != "suppressions")
      return file_error(path, 0, 0, "unknown top-level key '" + key + "'; " + kFileShape);
  if (!top.contains("version")) return file_error(path, 0, 0, std::string("missing 'version'; ") + kFileShape);
  const Json& v = top["version"];
  if (!((v.is_number_integer() && v.get<std::int64_t>() == 1) || (v.is_string() && v.get<std::string>() == "1")))
    return file_error(path, 0, 0,
                      "version " + (v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump()) +
                          " is not supported (this adpersist reads version 1)");
  if (!top.contains("suppressions"))
    return file_error(path, 0, 0, std::string("missing 'suppressions'; ") + kFileShape);
  const Json& list = top["suppressions"];
  std::vector<RawEntry> out;
  if (list.is_null()) return out;
  if (!list.is_array())
    return file_error(path, 0, 0, "'suppressions' is " + json_kind(list) + ", not a list of entries");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& n = list[i];
    RawEntry raw;
    if (i < layout.entry_lines.size()) {
      raw.line = layout.entry_lines[i];
      raw.duplicate_keys = layout.entry_duplicates[i];
    }
    if (!n.is_object()) {
      raw.not_mapping = json_kind(n);
    } else {
      for (const auto& [key, value] : n.items()) {
        RawField f;
        f.key = key;
        if (value.is_string()) {
          f.value = value.get<std::string>();
        } else if (value.is_null()) {
          f.kind = RawField::Kind::null;
        } else {
          f.kind = RawField::Kind::other;
          f.value = json_kind(value);
        }
        raw.fields.push_back(std::move(f));
      }
    }
    out.push_back(std::move(raw));
  }
  return out;
}

bool looks_like_json(const std::string& text, const std::string& path) {
  if (util::iends_with(path, ".json")) return true;
  if (util::iends_with(path, ".yaml") || util::iends_with(path, ".yml")) return false;
  std::string_view t = text;
  if (t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  t = util::trim(t);
  return !t.empty() && t.front() == '{';
}

std::string duplicate_key(const SuppressionEntry& e) {
  std::string o = normalize_object(e.object);
  if (o.find('=') != std::string::npos) o = normalize_dn(o);
  return e.check + '\x1f' + o + '\x1f' + e.finding_id;
}

std::string what_it_names(const SuppressionEntry& e) {
  std::string s = e.check;
  if (!e.object.empty()) s += " on " + e.object;
  if (!e.finding_id.empty()) s += (e.object.empty() ? " finding " : ", finding ") + e.finding_id;
  return s;
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

Result<SuppressionFile> parse_suppressions(const std::string& text, const std::string& path) {
  if (text.size() > kMaxFileBytes)
    return file_error(path, 0, 0, "the file is larger than " + std::to_string(kMaxFileBytes >> 20) +
                                      " MiB; a suppressions file is a hand-written list");
  auto raw = looks_like_json(text, path) ? parse_json(text, path) : parse_yaml(text, path);
  if (!raw) return raw.error();
  SuppressionFile file;
  file.path = path;
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < raw->size(); ++i) {
    auto e = validate_entry((*raw)[i], i + 1);
    if (e.problem.empty()) {
      auto [it, fresh] = first.emplace(duplicate_key(e), e.index);
      if (!fresh)
        e.warnings.push_back("names the same check and object/finding as entry " + std::to_string(it->second));
    }
    file.entries.push_back(std::move(e));
  }
  return file;
}

Result<SuppressionFile> load_suppressions(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error(ErrorCode::io, "is a directory, not a suppressions file", path);
  auto text = util::read_file(path);
  if (!text) return text.error();
  return parse_suppressions(text.value(), path);
}

std::string entry_state(const SuppressionEntry& e, model::TimePoint now) {
  if (!e.problem.empty()) return "invalid";
  // Suppresses through its last day, UTC: active until the following midnight.
  return now < e.expires_day + days{1} ? "active" : "expired";
}

std::optional<long> days_left(const SuppressionEntry& e, model::TimePoint now) {
  if (!e.problem.empty()) return std::nullopt;
  const long left = (e.expires_day - floor<days>(now)).count();
  return left;
}

std::string rule_text(const SuppressionFile& file, const SuppressionEntry& e) {
  std::string s = file.path + " entry " + std::to_string(e.index);
  if (e.line) s += " (line " + std::to_string(e.line) + ")";
  return s;
}

std::vector<std::string> entry_warnings(const SuppressionEntry& e, model::TimePoint now) {
  std::vector<std::string> out;
  if (entry_state(e, now) != "active") return out;
  const long left = *days_left(e, now);
  if (left == 0)
    out.push_back("expires today (" + e.expires + " is its last day; owner " + e.owner + ")");
  else if (left <= kExpiringSoonDays)
    out.push_back("expires in " + plural(static_cast<std::size_t>(left), "day") + " (" + e.expires + "; owner " +
                  e.owner + ")");
  else if (left > kMaxReviewDays)
    out.push_back("expires " + e.expires + ", " + std::to_string(left) + " days away: review acceptances at least " +
                  "yearly (at most " + std::to_string(kMaxReviewDays) + " days)");
  out.insert(out.end(), e.warnings.begin(), e.warnings.end());
  return out;
}

bool entry_matches(const SuppressionEntry& e, const model::Finding& f) {
  if (e.check != f.check_id) return false;
  if (!e.finding_id.empty() && e.finding_id != util::to_lower(f.finding_id)) return false;
  if (e.object.empty()) return !e.finding_id.empty();
  const std::string o = normalize_object(e.object);
  const auto& r = f.resource;
  if (!r.id.empty() && o == normalize_object(r.id)) return true;
  if (!r.sid.empty() && o == util::to_lower(r.sid)) return true;
  if (o.find('=') != std::string::npos) {
    const std::string dn = normalize_dn(o);
    if (!r.dn.empty() && dn == normalize_dn(r.dn)) return true;
    if (!r.id.empty() && dn == normalize_dn(r.id)) return true;  // the id of an object without GUID or SID
  }
  return false;
}

std::vector<std::string> apply_suppressions(const SuppressionFile& file, model::Report& report, model::TimePoint now) {
  std::vector<std::string> lines;
  const std::size_t n = file.entries.size();
  std::vector<std::string> states(n), rules(n);
  std::vector<std::size_t> matched(n, 0), would_match(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    states[i] = entry_state(file.entries[i], now);
    rules[i] = rule_text(file, file.entries[i]);
  }
  for (auto& rf : report.findings) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto& e = file.entries[i];
      if (states[i] == "invalid" || !entry_matches(e, rf.finding)) continue;
      if (states[i] == "expired") {
        ++would_match[i];
        continue;
      }
      ++matched[i];
      if (!rf.suppression) rf.suppression = model::Suppression{rules[i], e.reason, e.owner, e.expires};
    }
  }

  report.suppressions.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& e = file.entries[i];
    model::SuppressionStatus s;
    s.rule = rules[i];
    s.check = e.check;
    s.object = e.object;
    s.finding_id = e.finding_id;
    s.reason = e.reason;
    s.owner = e.owner;
    s.expires = e.expires;
    s.state = states[i];
    s.problem = e.problem;
    s.matched = matched[i];
    const std::string& rule = rules[i];
    if (states[i] == "invalid") {
      lines.push_back("warning: " + rule + ": invalid, suppresses nothing: " + e.problem);
    } else if (states[i] == "expired") {
      s.problem = "expired on " + e.expires;
      std::string line = "warning: " + rule + ": expired on " + e.expires + " (owner " + e.owner +
                         "); no longer suppresses " + what_it_names(e);
      if (would_match[i]) line += " (" + plural(would_match[i], "finding") + " no longer suppressed)";
      lines.push_back(std::move(line));
    } else {
      for (const auto& w : entry_warnings(e, now)) lines.push_back("warning: " + rule + ": " + w);
      // A stale acceptance is worth cleaning up, but only when its check ran: a check that was skipped or
      // could not be evaluated proves nothing about the finding being gone.
      if (!matched[i]) {
        const auto ran = std::find_if(report.checks.begin(), report.checks.end(), [&](const model::CheckResult& c) {
          return c.id == e.check &&
                 (c.status == model::CheckStatus::passed || c.status == model::CheckStatus::failed);
        });
        if (ran != report.checks.end())
          lines.push_back("note: " + rule + ": matched no finding of " + what_it_names(e) +
                          "; remove the entry if the finding is gone");
      }
    }
    report.suppressions.push_back(std::move(s));
  }
  for (auto& l : lines) l = util::sanitize_for_terminal(l);
  return lines;
}

}  // namespace adpersist::policy
