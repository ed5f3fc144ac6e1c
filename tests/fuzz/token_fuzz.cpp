// libFuzzer target: what the Entra token endpoint sends back, as TokenSource::refresh() reads it:
//  - parse_token_response (a 200 body: access_token, expires_in, token_type), then token_renewal_delay added
//  to
//    the steady clock exactly as refresh() schedules the renewal, then read_access_token_claims on the token;
//  - parse_token_error (a 4xx/5xx body: error, error_description, error_codes, trace and correlation ids);
//  - read_access_token_claims on a JWT whose payload is the input (the claims JSON: tid, roles), and on the
//    input itself as a token; base64url_decode/base64url_encode.
// Properties checked on every input:
//  - the body handed to parse_token_response is wiped, whatever the outcome;
//  - a token that parses is the DOM's "access_token" string, not empty, and an RFC 6750 b64token (it is
//    written after "Authorization: Bearer " in every Graph request: no CR, LF or space can get there);
//  - the renewal delay is positive, at most the token's lifetime, and at most a day;
//  - the claims agree with a DOM parse of the payload: tid (lower-cased) and the string elements of roles;
//  - a token error's description is one trimmed line; base64url text re-encodes to the same bytes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/sources/graph/token.hpp"
#include "scanner/util/secret.hpp"
#include "scanner/util/strings.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;
using Json = nlohmann::json;

namespace {

// RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool b64token(std::string_view s) {
  std::size_t i = 0;
  auto tchar = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < s.size() && tchar(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

void check_claims(const AccessTokenClaims& c, std::string_view payload) {
  FUZZ_CHECK(c.tenant_id == util::to_lower(c.tenant_id));
  const Json j = Json::parse(payload, nullptr, false);
  std::string tid;
  std::vector<std::string> roles;
  if (j.is_object()) {
    if (auto t = j.find("tid"); t != j.end() && t->is_string()) tid = util::to_lower(t->get<std::string>());
    if (auto r = j.find("roles"); r != j.end() && r->is_array())
      for (const auto& v : *r)
        if (v.is_string()) roles.push_back(v.get<std::string>());
  }
  FUZZ_CHECK(c.tenant_id == tid);
  FUZZ_CHECK(c.roles == roles);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);

  // A 200 from the token endpoint.
  std::string body = in;
  auto r = parse_token_response(body);
  FUZZ_CHECK(body.empty());  // wiped
  if (r) {
    const std::string& token = r->access_token.reveal();
    const Json doc = Json::parse(in, nullptr, false);
    FUZZ_CHECK(doc.is_object() && doc.contains("access_token") && doc["access_token"] == token);
    FUZZ_CHECK(!token.empty());
    FUZZ_CHECK(b64token(token));
    const auto delay = token_renewal_delay(r->expires_in);
    FUZZ_CHECK(delay.count() > 0);
    FUZZ_CHECK(delay <= std::chrono::hours(24));
    // In seconds: seconds(expires_in) converted to milliseconds would overflow for a huge expires_in.
    if (r->expires_in > 0)
      FUZZ_CHECK(std::chrono::duration_cast<std::chrono::seconds>(delay).count() <= r->expires_in);
    const auto renew_at = std::chrono::steady_clock::now() + delay;  // TokenSource::refresh's refresh_at_
    FUZZ_CHECK(renew_at > std::chrono::steady_clock::time_point{});
    const auto a = token.find('.');
    const auto b = a == std::string::npos ? std::string::npos : token.find('.', a + 1);
    const auto claims = read_access_token_claims(r->access_token);
    if (b != std::string::npos)
      if (auto p = base64url_decode(std::string_view(token).substr(a + 1, b - a - 1)))
        check_claims(claims, *p);
  }

  // An error from the token endpoint.
  if (auto e = parse_token_error(in)) {
    FUZZ_CHECK(e->description.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(e->description == util::trim(e->description));
    (void)e->summary();
  }

  // The input as the claims of an access token, and as a token.
  check_claims(read_access_token_claims(util::Secret("eyJ0eXAiOiJKV1QifQ." + base64url_encode(in) + ".c2ln")),
               in);
  (void)read_access_token_claims(util::Secret(in));
  if (auto d = base64url_decode(in)) {
    auto again = base64url_decode(base64url_encode(*d));
    FUZZ_CHECK(again && *again == *d);
  }
  return 0;
}
