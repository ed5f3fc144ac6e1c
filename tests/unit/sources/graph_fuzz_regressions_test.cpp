// Regressions for what fuzzing the Graph readers found (tests/fuzz/graph_page_fuzz.cpp, token_fuzz.cpp,
// graph_batch_fuzz.cpp; docs/benchmarks.md "Parser fuzzing"). The inputs the fuzzers saved are also replayed
// by ctest from tests/fuzz/regressions/ (fuzz_replay.* tests).
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "scanner/sources/graph/collector.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "scanner/sources/graph/token.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;
using namespace std::chrono_literals;

namespace {

Result<TokenResponse> token_response(std::string body) {
  return parse_token_response(body);
}

Result<std::size_t> items(const std::string& body) {
  std::istringstream in(body);
  return for_each_item(in, "page.json", [](const GJson&, std::size_t) { return ok_status(); });
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("Token response: the access token must be an RFC 6750 b64token (fuzz regression)",
          "[unit][graph-fuzz]") {
  // The documentation's own sample parses ("..." marks where the doc truncated the token: dots are b64token).
  std::ifstream in(test::vector_path("graph/entra-docs.client-creds.token-success.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  auto ok = parse_token_response(body);
  REQUIRE(ok.ok());
  CHECK(body.empty());  // the body is wiped
  CHECK(ok->expires_in == 3599);
  CHECK(util::istarts_with(ok->access_token.reveal(), "eyJ0eXAiOiJKV1Qi"));

  // token_fuzz's first find: that sample with a '`' in the token was taken, and would have been written
  // into the Authorization header of every Graph request. So would a CR LF (a second header) or a space.
  for (const char* token : {"eyJ0eX`AiOi", "eyJ0eXAiOi\r\nX-Injected: 1", "eyJ0 eXAiOi", "=abc", "a=b", ""}) {
    INFO(token);
    auto r = token_response(
        std::string(R"({"token_type":"Bearer","expires_in":3599,"access_token":")") +
        (std::string(token).find('\r') == std::string::npos ? token : "eyJ0eXAiOi\\r\\nX: 1") + "\"}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::network);
    CHECK(r.error().message.find("eyJ0") == std::string::npos);  // the token is never quoted
  }
  CHECK(is_b64token("abc.DEF-_~+/=="));
  CHECK_FALSE(is_b64token("abc=def"));
  CHECK_FALSE(token_response(R"({"token_type":"pop","access_token":"abc"})").ok());
  CHECK_FALSE(token_response(R"({"access_token":7})").ok());
}

TEST_CASE("Token renewal: any expires_in gives a delay between 0.9 s and a day (fuzz regression)",
          "[unit][graph-fuzz]") {
  // An expires_in above 2^63 / 1000 overflowed lifetime * 1000 (and steady_clock::now() + the delay, in
  // nanoseconds, from 2^63 / 10^9): undefined behaviour, caught by UBSan.
  CHECK(token_renewal_delay(3599) == 3299s);
  CHECK(token_renewal_delay(600) == 540s);
  CHECK(token_renewal_delay(60) == 54s);
  CHECK(token_renewal_delay(0) == 900ms);
  CHECK(token_renewal_delay(-5) == 900ms);
  CHECK(token_renewal_delay(std::numeric_limits<std::int64_t>::max()) == 86100s);
  CHECK(token_renewal_delay(std::numeric_limits<std::int64_t>::min()) == 900ms);
  const auto at =
      std::chrono::steady_clock::now() + token_renewal_delay(std::numeric_limits<std::int64_t>::max());
  CHECK(at > std::chrono::steady_clock::now());

  auto huge = token_response(R"({"access_token":"a.b.c","expires_in":18446744073709551615})");
  REQUIRE(huge.ok());
  CHECK(huge->expires_in == std::numeric_limits<std::int64_t>::max());  // not wrapped to -1
  auto text = token_response(R"({"access_token":"a.b.c","expires_in":"9223372036854775807"})");
  REQUIRE(text.ok());
  CHECK(token_renewal_delay(text->expires_in) == 86100s);
}

TEST_CASE("$batch answers are matched to requests by the exact id string (fuzz regression)",
          "[unit][graph-fuzz]") {
  const auto a = parse_batch_response(
      R"({"responses":[{"id":"01","status":404,"body":{}},{"id":"00","status":200,"body":{"value":[]}},)"
      R"({"id":"1","status":403,"body":{"error":{"code":"Authorization_RequestDenied"}}},)"
      R"({"id":"1","status":200,"body":{"value":[]}},{"id":"0","status":200},)"
      R"({"id":"+0","status":200,"body":{}},{"id":"0","status":429,"headers":{"Retry-After":"2.5","x":7},)"
      R"("body":{"error":{"code":"TooManyRequests"}}},)"
      R"({"id":"2","status":200,"body":{"value":[]}}]})",
      2);
  REQUIRE(a.has_value());
  REQUIRE(a->size() == 2);
  CHECK(a->at(0).index == 1);
  CHECK(a->at(0).response.status == 403);  // the first answer for "1"; "01" is not "1"
  CHECK(a->at(1).index == 0);
  CHECK(a->at(1).response.status == 429);  // "00" is not "0"; a 200 without a body is left out
  CHECK(a->at(1).response.header("retry-after") == "2.5");
  CHECK(a->at(1).response.headers.size() == 1);  // the number-valued header is dropped
  CHECK(a->at(1).response.body == R"({"error":{"code":"TooManyRequests"}})");
  CHECK_FALSE(parse_batch_response(R"({"value":[]})", 2).has_value());
  CHECK_FALSE(parse_batch_response("not json", 2).has_value());
}

TEST_CASE("Graph bodies nested deeper than kMaxJsonDepth are refused, never a stack overflow",
          "[unit][graph-fuzz]") {
  // Found while writing graph_batch_fuzz (not by a run: libFuzzer's inputs are far too short): each $batch
  // answer's body is dump()ed, and nlohmann's dump recurses once per level. A body 30,000 levels deep (60 KB)
  // overflowed an 8 MiB stack in a g++ -O0 build. The streaming page reader refuses the same depth, so no
  // item that deep reaches a converter or the --record writer (which dumps it too).
  const std::string deep = nested(1000000);
  CHECK_FALSE(
      parse_batch_response(R"({"responses":[{"id":"0","status":200,"body":)" + deep + "}]}", 20).has_value());
  const auto page = items(R"({"value":[{"id":"a","x":)" + deep + "}]}");
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().message.find("nested deeper than 128 levels") != std::string::npos);

  // The limit counts containers: 128 open at once is read, 129 is not.
  const std::string body_ok =
      R"({"value":[{"x":)" + nested(static_cast<std::size_t>(kMaxJsonDepth) - 3) + "}]}";
  CHECK(items(body_ok).ok());
  CHECK_FALSE(items(R"({"value":[{"x":)" + nested(static_cast<std::size_t>(kMaxJsonDepth) - 2) + "}]}").ok());
  const std::string batch_ok = R"({"responses":[{"id":"0","status":200,"body":)" +
                               nested(static_cast<std::size_t>(kMaxJsonDepth) - 3) + "}]}";
  CHECK(parse_batch_response(batch_ok, 1).has_value());
  CHECK_FALSE(parse_batch_response(R"({"responses":[{"id":"0","status":200,"body":)" +
                                       nested(static_cast<std::size_t>(kMaxJsonDepth) - 2) + "}]}",
                                   1)
                  .has_value());
}

TEST_CASE("A Graph page with two \"value\" members is refused (fuzz regression)", "[unit][graph-fuzz]") {
  // The streaming reader handed out both arrays' items (3 here) where a DOM reader, the Graph test server's
  // Python json, keeps only the last (2).
  const auto top = items(R"({"value":[{"id":"a"}],"@odata.nextLink":"x","value":[{"id":"b"},{"id":"c"}]})");
  REQUIRE_FALSE(top.ok());
  CHECK(top.error().message == "\"value\" appears twice");
  const auto pages = items(R"([{"value":[{"id":"a"}]},{"value":[],"value":{"id":"b"}}])");
  REQUIRE_FALSE(pages.ok());
  CHECK(pages.error().message == "page 1 of the array has \"value\" twice");
  // One "value" per page is still fine, in both shapes, and "value" inside an item is just a property.
  CHECK(items(R"([{"value":[{"id":"a"}]},{"value":[{"id":"b","value":1}]}])").value() == 2);
  CHECK(items(R"({"value":{"id":"a","value":[]}})").value() == 1);
}

TEST_CASE("nextLink: scheme and host compare case-insensitively, the path prefix too", "[unit][graph-fuzz]") {
  // graph_page_fuzz's first report was its own property (an exact-case prefix), not a bug: the link below
  // names the same host, which is all same_origin has to ensure before the bearer token is sent.
  CHECK(same_origin("https://graph.microsoft.com",
                    "hTtps://GRAPH.microsoft.com/v1.0/applications?$skiptoken=x"));
  CHECK_FALSE(same_origin("https://graph.microsoft.com", "https://graph.microsoft.com.evil.example/v1.0/a"));
  CHECK_FALSE(same_origin("https://graph.microsoft.com", "https://graph.microsoft.com@evil.example/v1.0/a"));
  CHECK_FALSE(same_origin("https://graph.microsoft.com", "https://graph.microsoft.com:8443/v1.0/a"));
}
