#include "scanner/model/ioc.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "scanner/parsers/guid.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::model {

namespace {

using Json = nlohmann::json;

// The indicator lists, in the order the error message names them.
constexpr std::array<std::string_view, 6> kLists = {"certificate_thumbprints", "app_ids", "key_ids", "sids",
                                                    "account_names",           "issuers"};
constexpr std::array<std::string_view, 2> kTexts = {"description", "source"};

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// One normalised entry, or why it is not acceptable (the caller adds file, member and index).
Result<std::string> normalize(std::string_view member, std::string_view raw) {
  const std::string_view v = util::trim(raw);
  auto bad = [](std::string why) { return make_error(ErrorCode::invalid_input, std::move(why)); };
  if (v.empty()) return bad("empty value");
  if (member == "certificate_thumbprints") {
    // As certmgr, PowerShell and openssl print them: "91 FD 12 ...", "91:FD:12:...", "91fd12...".
    std::string hex;
    for (char c : v)
      if (c != ':' && c != ' ') hex += util::ascii_lower(c);
    if (!is_hex(hex) || (hex.size() != 40 && hex.size() != 64))
      return bad("'" + std::string(v.substr(0, 80)) +
                 "' is not a certificate thumbprint (40 hex digits for SHA-1 or 64 for SHA-256)");
    return hex;
  }
  if (member == "app_ids") {
    auto g = parsers::parse_guid_string(v);
    if (!g) return bad(g.error().message);
    return g->to_string();
  }
  if (member == "key_ids") {
    if (auto g = parsers::parse_guid_string(v)) return g->to_string();
    // A KeyCredentialLink KeyID: base64 (how DSInternals and ad.shadow-credentials show it) or its 64 hex
    // digits.
    if (v.size() == 64 && is_hex(v)) return util::base64_encode(util::hex_decode(v).value());
    auto raw_id = util::base64_decode(v);
    if (raw_id && raw_id->size() >= 16) return util::base64_encode(*raw_id);
    return bad(
        "'" + std::string(v.substr(0, 80)) +
        "' is neither a GUID (a Graph keyId or a DeviceId) nor a KeyCredentialLink KeyID (base64, or 64 hex "
        "digits)");
  }
  if (member == "sids") {
    auto s = parsers::parse_sid_string(v);
    if (!s) return bad(s.error().message);
    return s->to_string();
  }
  if (member == "account_names") return util::to_lower(v);
  return normalize_issuer(v);  // issuers
}

std::unordered_set<std::string>& list_of(IocSet& s, std::string_view member) {
  if (member == "certificate_thumbprints") return s.certificate_thumbprints;
  if (member == "app_ids") return s.app_ids;
  if (member == "key_ids") return s.key_ids;
  if (member == "sids") return s.sids;
  if (member == "account_names") return s.account_names;
  return s.issuers;
}

std::string expected_members() {
  std::string s;
  for (auto m : kLists) s += (s.empty() ? "" : ", ") + std::string(m);
  for (auto m : kTexts) s += ", " + std::string(m);
  return s;
}

// Splits a DN on the commas that separate RDNs (not on an escaped "\,").
std::vector<std::string> rdns(std::string_view dn) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\' && i + 1 < dn.size()) {
      cur += dn[i];
      cur += dn[++i];
    } else if (dn[i] == ',' || dn[i] == ';') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += dn[i];
    }
  }
  out.push_back(std::move(cur));
  for (auto& r : out) {
    std::string_view t = util::trim(r);
    auto eq = t.find('=');
    r = eq == std::string_view::npos ? util::to_lower(t)
                                     : util::to_lower(util::trim(t.substr(0, eq))) + "=" +
                                           util::to_lower(util::trim(t.substr(eq + 1)));
  }
  return out;
}

bool looks_like_dn(std::string_view s) {
  return s.find('=') != std::string_view::npos && s.find("://") == std::string_view::npos;
}

std::string join_rdns(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ",") + p;
  return s;
}

}  // namespace

std::string normalize_issuer(std::string_view issuer) {
  const std::string_view t = util::trim(issuer);
  if (looks_like_dn(t)) return join_rdns(rdns(t));
  std::string s = util::to_lower(t);
  if (s.find("://") != std::string::npos && s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool IocSet::has_thumbprint(std::string_view hex) const {
  return !hex.empty() && certificate_thumbprints.count(util::to_lower(hex)) > 0;
}

bool IocSet::has_app_id(std::string_view guid) const {
  return !guid.empty() && app_ids.count(util::to_lower(guid)) > 0;
}

bool IocSet::has_key_id(std::string_view key_id) const {
  if (key_id.empty()) return false;
  // GUIDs are stored lower-case; base64 KeyIDs are case-sensitive and stored as is.
  return key_ids.count(std::string(key_id)) > 0 || key_ids.count(util::to_lower(key_id)) > 0;
}

bool IocSet::has_account_name(std::string_view name) const {
  return !name.empty() && account_names.count(util::to_lower(name)) > 0;
}

std::optional<std::string> IocSet::match_sid(const parsers::Sid& sid) const {
  if (sids.empty()) return std::nullopt;
  if (auto s = sid.to_string(); sids.count(s)) return s;
  if (sid.is_domain_account()) {
    if (auto d = sid.parent().to_string(); sids.count(d)) return d;
  }
  return std::nullopt;
}

std::optional<std::string> IocSet::match_issuer(std::string_view issuer) const {
  if (issuers.empty() || util::trim(issuer).empty()) return std::nullopt;
  const std::string_view t = util::trim(issuer);
  if (looks_like_dn(t)) {
    auto parts = rdns(t);
    if (auto s = join_rdns(parts); issuers.count(s)) return s;
    std::reverse(parts.begin(), parts.end());
    if (auto s = join_rdns(parts); issuers.count(s)) return s;
    return std::nullopt;
  }
  if (auto s = normalize_issuer(t); issuers.count(s)) return s;
  return std::nullopt;
}

Result<IocSet> parse_ioc_json(std::string_view text, const std::string& source) {
  auto fail = [&source](std::string message) {
    return make_error(ErrorCode::invalid_input, std::move(message), source);
  };

  // nlohmann keeps the last of two equal keys: a second "sids" would silently replace the first list. The
  // callback sees every top-level key as it is read, so a repeated one is reported instead.
  std::vector<std::string> keys;
  std::string duplicate;
  auto cb = [&](int depth, Json::parse_event_t ev, Json& parsed) {
    if (ev == Json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (duplicate.empty() && std::find(keys.begin(), keys.end(), k) != keys.end()) duplicate = k;
      keys.push_back(k);
    }
    return true;
  };
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error ...".
    std::string what = e.what();
    auto p = what.find("parse error");
    return fail("not valid JSON: " + (p == std::string::npos ? what : what.substr(p)));
  } catch (const Json::exception& e) {
    return fail(std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object())
    return fail("the IOC list must be a JSON object with the members " + expected_members());
  if (!duplicate.empty()) return fail("member '" + duplicate + "' appears twice");

  IocSet set;
  set.source = source;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& member = it.key();
    const Json& value = it.value();
    if (std::find(kTexts.begin(), kTexts.end(), member) != kTexts.end()) {
      if (!value.is_string()) return fail(member + ": must be a string");
      (member == "description" ? set.description : set.reference) = value.get<std::string>();
      continue;
    }
    if (std::find(kLists.begin(), kLists.end(), member) == kLists.end())
      return fail("unknown member '" + member + "' (expected " + expected_members() + ")");
    if (!value.is_array()) return fail(member + ": must be an array of strings");
    auto& list = list_of(set, member);
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string where = member + "[" + std::to_string(i) + "]";
      if (!value[i].is_string()) return fail(where + ": must be a string");
      auto norm = normalize(member, value[i].get_ref<const std::string&>());
      if (!norm) return fail(where + ": " + norm.error().message);
      list.insert(std::move(norm).value());
    }
  }
  if (set.size() == 0)
    return fail(
        "no indicators: every list (certificate_thumbprints, app_ids, key_ids, sids, account_names, "
        "issuers) is empty or absent");
  return set;
}

Result<IocSet> load_ioc_file(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) return text.error();
  return parse_ioc_json(text.value(), path);
}

}  // namespace adpersist::model
