#include "reports/report_util.hpp"

#include "scanner/parsers/ad_time.hpp"

namespace adpersist::reports::detail {

std::string valid_utf8(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf)
      len = 2, min = 0x80, cp = c & 0x1fu;
    else if (c >= 0xe0 && c <= 0xef)
      len = 3, min = 0x800, cp = c & 0x0fu;
    else if (c >= 0xf0 && c <= 0xf4)
      len = 4, min = 0x10000, cp = c & 0x07u;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xc0u) == 0x80u;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    ok = ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;  // resynchronise on the next byte
    }
  }
  return out;
}

std::optional<std::int64_t> epoch_millis(const std::string& rfc3339) {
  if (rfc3339.empty()) return std::nullopt;
  auto t = parsers::parse_rfc3339(rfc3339);
  if (!t) return std::nullopt;
  return parsers::to_unix_millis(t.value());
}

AttackId split_attack(const std::string& id) {
  const auto dot = id.find('.');
  if (dot == std::string::npos) return {id, {}};
  return {id.substr(0, dot), id};
}

std::string attack_url(const std::string& id) {
  std::string path = id;
  for (auto& c : path)
    if (c == '.') c = '/';
  return "https://attack.mitre.org/techniques/" + path + "/";
}

int severity_number(model::Severity s) {
  return static_cast<int>(s) + 1;
}

std::string_view severity_caption(model::Severity s) {
  switch (s) {
    case model::Severity::info: return "Informational";
    case model::Severity::low: return "Low";
    case model::Severity::medium: return "Medium";
    case model::Severity::high: return "High";
    case model::Severity::critical: return "Critical";
  }
  return "Unknown";
}

const model::Target* target_of(const model::Report& r, const std::string& check_id) {
  const std::string platform = check_id.substr(0, check_id.find('.'));
  for (const auto& t : r.targets)
    if (t.platform == platform) return &t;
  return r.targets.empty() ? nullptr : &r.targets.front();
}

std::string target_name(const model::Target* t) {
  if (!t) return {};
  if (t->platform == "entra") return t->tenant_id.empty() ? t->tenant_name : t->tenant_id;
  return t->domain;
}

}  // namespace adpersist::reports::detail
