#include "checks/support/entra_audit.hpp"

#include <iterator>

#include "scanner/util/strings.hpp"

namespace adpersist::checks::entra_audit {

using model::Json;

namespace {

// Lower-case words separated by single spaces; spaces, dashes, '?' and non-ASCII bytes (an en dash, or its
// mojibake) all separate words.
std::string normalize_activity(std::string_view s) {
  std::string out;
  bool sep = false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t' || c == '-' || c == '?' || u >= 0x80) {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += ' ';
    sep = false;
    out += util::ascii_lower(c);
  }
  return out;
}

std::string to_text(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

}  // namespace

bool activity_is(std::string_view activity, std::string_view expected) {
  return normalize_activity(activity) == normalize_activity(expected);
}

bool activity_starts_with(std::string_view activity, std::string_view prefix) {
  const auto a = normalize_activity(activity);
  const auto p = normalize_activity(prefix);
  return a.size() >= p.size() && a.compare(0, p.size(), p) == 0 && (a.size() == p.size() || a[p.size()] == ' ');
}

Json decode_value(std::string_view raw) {
  const auto text = util::trim(raw);
  if (text.empty()) return Json(nullptr);
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Json(std::string(raw));
  // Some values are encoded twice: "\"[\\\"a\\\"]\"" decodes to the string "[\"a\"]".
  if (j.is_string()) {
    const auto inner = util::trim(j.get_ref<const std::string&>());
    if (!inner.empty() && (inner.front() == '[' || inner.front() == '{')) {
      Json k = Json::parse(inner.begin(), inner.end(), nullptr, false);
      if (!k.is_discarded()) return k;
    }
  }
  return j;
}

std::vector<std::string> values_of(std::string_view raw) {
  std::vector<std::string> out;
  const Json j = decode_value(raw);
  if (j.is_null()) return out;
  if (j.is_array()) {
    for (const auto& x : j)
      if (!x.is_null()) out.push_back(to_text(x));
    return out;
  }
  out.push_back(to_text(j));
  return out;
}

std::string first_value(std::string_view raw) {
  auto v = values_of(raw);
  return v.empty() ? std::string() : std::move(v.front());
}

const me::ModifiedProperty* find_property(const me::AuditTarget& t, std::string_view name) {
  for (const auto& p : t.modified)
    if (util::iequals(p.name, name)) return &p;
  return nullptr;
}

const me::ModifiedProperty* find_property(const me::DirectoryAudit& a, std::string_view name) {
  for (const auto& t : a.targets)
    if (const auto* p = find_property(t, name)) return p;
  return nullptr;
}

std::string new_value(const me::DirectoryAudit& a, std::string_view name) {
  const auto* p = find_property(a, name);
  return p ? first_value(p->new_value) : std::string();
}

std::optional<KeyDescription> parse_key_description(std::string_view text) {
  auto s = util::trim(text);
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  // Field starts: at the beginning or right after a ',' and followed by one of the known names and '='.
  static constexpr std::string_view kFields[] = {"KeyIdentifier", "KeyType", "KeyUsage", "DisplayName"};
  struct Start {
    std::size_t field, name_pos, value_pos;
  };
  std::vector<Start> starts;
  for (std::size_t pos = 0; pos < s.size(); ++pos) {
    if (pos != 0 && s[pos - 1] != ',') continue;
    // DisplayName is the last field and may contain ",KeyType=": stop looking once it has started.
    if (!starts.empty() && starts.back().field == 3) break;
    for (std::size_t f = 0; f < std::size(kFields); ++f) {
      const auto name = kFields[f];
      if (util::istarts_with(s.substr(pos), name) && pos + name.size() < s.size() && s[pos + name.size()] == '=') {
        starts.push_back({f, pos, pos + name.size() + 1});
        break;
      }
    }
  }
  if (starts.empty()) return std::nullopt;
  KeyDescription k;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::size_t end = i + 1 < starts.size() ? starts[i + 1].name_pos - 1 : s.size();
    std::string value(s.substr(starts[i].value_pos, end - starts[i].value_pos));
    switch (starts[i].field) {
      case 0: k.key_id = util::to_lower(value); break;
      case 1: k.type = std::move(value); break;
      case 2: k.usage = std::move(value); break;
      default: k.display_name = std::move(value); break;
    }
  }
  if (k.key_id.empty()) return std::nullopt;
  return k;
}

std::vector<KeyDescription> key_descriptions(std::string_view raw) {
  std::vector<KeyDescription> out;
  for (const auto& v : values_of(raw))
    if (auto k = parse_key_description(v)) out.push_back(std::move(*k));
  return out;
}

namespace {
std::vector<KeyDescription> difference(std::string_view from, std::string_view minus) {
  const auto a = key_descriptions(from);
  const auto b = key_descriptions(minus);
  std::vector<KeyDescription> out;
  for (const auto& k : a) {
    bool seen = false;
    for (const auto& x : b) seen = seen || util::iequals(x.key_id, k.key_id);
    bool dup = false;
    for (const auto& x : out) dup = dup || util::iequals(x.key_id, k.key_id);
    if (!seen && !dup) out.push_back(k);
  }
  return out;
}
}  // namespace

std::vector<KeyDescription> added_keys(const me::ModifiedProperty& p) { return difference(p.new_value, p.old_value); }
std::vector<KeyDescription> removed_keys(const me::ModifiedProperty& p) {
  return difference(p.old_value, p.new_value);
}

Json to_json(const KeyDescription& k) {
  Json j = Json::object();
  j["key_id"] = k.key_id;
  j["type"] = k.type;
  j["usage"] = k.usage;
  j["display_name"] = k.display_name;
  return j;
}

const me::AuditTarget* target_of_type(const me::DirectoryAudit& a, std::initializer_list<std::string_view> types) {
  for (const auto& t : a.targets)
    for (auto ty : types)
      if (util::iequals(t.type, ty)) return &t;
  return nullptr;
}

model::Resource resource_of(const me::AuditTarget& t) {
  model::Resource r;
  if (util::iequals(t.type, "Application")) r.type = "application";
  else if (util::iequals(t.type, "ServicePrincipal")) r.type = "servicePrincipal";
  else if (util::iequals(t.type, "User")) r.type = "user";
  else if (util::iequals(t.type, "Group")) r.type = "group";
  else if (util::iequals(t.type, "Other") && t.id.empty() && !t.display_name.empty()) r.type = "domain";
  else r.type = util::to_lower(t.type);
  r.name = !t.user_principal_name.empty() ? t.user_principal_name : t.display_name;
  if (r.type == "domain") {
    r.name = util::to_lower(r.name);
    r.id = r.name;
  } else {
    r.id = !t.id.empty() ? t.id : r.name;
  }
  return r;
}

Json targets_json(const me::DirectoryAudit& a) {
  Json arr = Json::array();
  for (const auto& t : a.targets) {
    Json j = Json::object();
    j["type"] = t.type;
    j["id"] = t.id;
    j["name"] = !t.user_principal_name.empty() ? t.user_principal_name : t.display_name;
    arr.push_back(std::move(j));
  }
  return arr;
}

std::string truncate(std::string_view s, std::size_t max_chars) {
  if (s.size() <= max_chars) return std::string(s);
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(s.substr(0, cut)) + "...";
}

Json modified_json(const me::AuditTarget& t, std::size_t max_chars) {
  Json arr = Json::array();
  auto shown = [max_chars](std::string_view raw) -> Json {
    const Json v = decode_value(raw);
    if (v.is_null()) return v;
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (text.size() <= max_chars) return v;
    return Json(truncate(text, max_chars));
  };
  for (const auto& p : t.modified) {
    if (util::iequals(p.name, "Included Updated Properties")) continue;
    Json j = Json::object();
    j["name"] = p.name;
    j["old"] = shown(p.old_value);
    j["new"] = shown(p.new_value);
    arr.push_back(std::move(j));
  }
  return arr;
}

void add_record_evidence(model::Finding& f, const me::DirectoryAudit& a) {
  f.add("activity", a.activity);
  f.add("time", a.time ? parsers::format_rfc3339(*a.time) : std::string());
  f.add("actor", a.actor());
  f.add("actor_ip", a.actor_ip);
  f.add("result", a.result);
  f.add("audit_id", a.id);
  f.add("correlation_id", a.correlation_id);
  f.add("logged_by_service", a.logged_by_service);
}

std::vector<model::EvidenceField> record_evidence_fields(std::initializer_list<model::EvidenceField> own) {
  std::vector<model::EvidenceField> out = {{"activity", "activityDisplayName"},
                                           {"time", "activityDateTime"},
                                           {"actor", "who did it: a user principal name or an app"},
                                           {"actor_ip", "the initiating user's IP address (empty for apps)"},
                                           {"result", "success or failure"},
                                           {"audit_id", "the audit record's id"},
                                           {"correlation_id", "the audit record's correlationId"},
                                           {"logged_by_service", "loggedByService"}};
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

bool succeeded(const me::DirectoryAudit& a) { return a.result.empty() || util::iequals(a.result, "success"); }

model::Severity for_result(const me::DirectoryAudit& a, model::Severity success) {
  if (succeeded(a)) return success;
  const auto s = model::lower(success);
  return s < model::Severity::low ? model::Severity::low : s;
}

}  // namespace adpersist::checks::entra_audit
