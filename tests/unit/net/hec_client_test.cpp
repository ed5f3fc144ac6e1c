// Splunk HEC delivery without a network: the --hec-url rules, the token check, batching of the lab report's
// real HEC envelopes at line boundaries, what each HEC answer means (Splunk's documented bodies), and the
// retry loop (bounded attempts, backoff from 0.5 s, Retry-After honoured and capped) over a scripted
// collector. The libcurl half runs against tests/hec/server.py in tests/integration/hec_post.sh.
#include "scanner/net/hec_client.hpp"

#include <catch2/catch.hpp>
#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reports/writers.hpp"
#include "scanner/engine/engine.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using net::HecExchange;
using net::HecVerdict;

namespace {

// The lab domain's findings as the `hec` format writes them: what `scan --hec-url` sends.
const std::string& lab_envelopes() {
  static const std::string text = [] {
    auto checks = engine::select_checks({"ad.*"}, {});
    REQUIRE(checks);
    engine::ScanOptions so;
    so.now = test::lab_now();
    const model::Report report = engine::run_scan(test::lab_snapshot(), checks.value(), so);
    std::ostringstream out;
    reports::write_hec(report, out);
    return out.str();
  }();
  return text;
}

// Splunk's answers (docs.splunk.com "Troubleshoot HTTP Event Collector", status codes table).
const char* kSuccess = R"({"text":"Success","code":0})";
const char* kInvalidToken = R"({"text":"Invalid token","code":4})";
const char* kTokenRequired = R"({"text":"Token is required","code":2})";
const char* kInvalidFormat = R"({"text":"Invalid data format","code":6,"invalid-event-number":2})";
const char* kBusy = R"({"text":"Server is busy","code":9})";

HecExchange answer(long status, std::string body, std::string retry_after = "") {
  HecExchange x;
  x.status = status;
  x.body = std::move(body);
  x.retry_after = std::move(retry_after);
  return x;
}

// A scripted collector: answers in order (the last one repeats), records what it was sent.
struct Script {
  std::deque<HecExchange> answers;
  std::vector<std::string> received;
  std::vector<double> slept;
  net::HecSend send() {
    return [this](std::string_view batch) {
      received.emplace_back(batch);
      HecExchange x = answers.front();
      if (answers.size() > 1) answers.pop_front();
      return x;
    };
  }
  net::HecSleep sleep() {
    return [this](double s) { slept.push_back(s); };
  }
};

const auto kNoJitter = [] { return 1.0; };  // the largest backoff of each step (jitter scales it by 0.5..1)

net::HecOptions options() {
  net::HecOptions o;
  o.url = "https://splunk.example:8088/services/collector/event";
  return o;
}

}  // namespace

TEST_CASE("HEC URL (--hec-url): https only, Splunk's event endpoint by default, never credentials or a query",
          "[unit][hec]") {
  CHECK(net::hec_endpoint("https://splunk.example:8088").value() ==
        "https://splunk.example:8088/services/collector/event");
  CHECK(net::hec_endpoint("https://splunk.example:8088/").value() ==
        "https://splunk.example:8088/services/collector/event");
  CHECK(net::hec_endpoint("https://hec.splunkcloud.example/services/collector").value() ==
        "https://hec.splunkcloud.example/services/collector");
  CHECK(net::hec_endpoint("HTTPS://127.0.0.1:8088/services/collector/event").value() ==
        "HTTPS://127.0.0.1:8088/services/collector/event");

  auto http = net::hec_endpoint("http://splunk.example:8088");
  REQUIRE_FALSE(http);
  CHECK(http.error().code == ErrorCode::usage);
  CHECK(http.error().message.find("https://") != std::string::npos);
  CHECK_FALSE(net::hec_endpoint("splunk.example:8088"));
  CHECK_FALSE(net::hec_endpoint("https://"));
  CHECK_FALSE(net::hec_endpoint("https://:8088/"));
  auto userinfo = net::hec_endpoint("https://x:secret@splunk.example:8088");
  REQUIRE_FALSE(userinfo);
  CHECK(userinfo.error().message.find("user name or password") != std::string::npos);
  CHECK(userinfo.error().describe().find("secret") == std::string::npos);  // the error does not repeat it
  CHECK(userinfo.error().context == "https://splunk.example:8088");
  auto query = net::hec_endpoint("https://splunk.example:8088/services/collector?token=abc");
  REQUIRE_FALSE(query);
  CHECK(query.error().message.find("no query") != std::string::npos);
  CHECK(query.error().context == "https://splunk.example:8088/services/collector");
  CHECK_FALSE(net::hec_endpoint("https://splunk.example:8088/a b"));
  CHECK_FALSE(net::hec_endpoint("https://splunk.example:8088/\r\nX-Injected: 1"));
}

TEST_CASE("HEC token: not empty, nothing that could break the header; the error never shows it", "[unit][hec]") {
  CHECK(net::check_hec_token(util::Secret("c3a3b1b2-1f7e-4a44-9b8a-1c2d3e4f5a6b")));
  CHECK_FALSE(net::check_hec_token(util::Secret("")));
  for (const char* bad : {"s3cr3t en-123", "s3cr3t-123\r", "s3cr3t\r\nX-Injected: 1", "s3c\tr3t"}) {
    auto st = net::check_hec_token(util::Secret(bad));
    REQUIRE_FALSE(st);
    CHECK(st.error().describe().find("s3c") == std::string::npos);
  }
}

TEST_CASE("Batches: the lab's HEC envelopes cut at line boundaries, none over the limit, nothing lost",
          "[unit][hec]") {
  const std::string& nd = lab_envelopes();
  const std::size_t events = net::count_events(nd);
  REQUIRE(events > 20);  // the lab has dozens of findings, plus the summary record

  // The default limit (1 MB) keeps the lab report in one request.
  auto one = net::split_batches(nd, net::HecOptions{}.max_batch_bytes);
  REQUIRE(one.size() == 1);
  CHECK(one[0] == nd);

  // A small limit: several batches, each made of whole lines that each parse as an envelope.
  const std::size_t limit = 4096;
  auto batches = net::split_batches(nd, limit);
  CHECK(batches.size() > 2);
  std::string joined;
  std::size_t counted = 0;
  for (auto b : batches) {
    CHECK((b.size() <= limit || net::count_events(b) == 1));  // a longer line goes alone
    CHECK(b.back() == '\n');
    joined += b;
    counted += net::count_events(b);
    for (auto line : util::split(b.substr(0, b.size() - 1), '\n')) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      REQUIRE_FALSE(j.is_discarded());
      CHECK(j.contains("event"));
      CHECK(j.contains("sourcetype"));
    }
  }
  CHECK(joined == nd);
  CHECK(counted == events);

  // A line longer than the limit travels alone, whole.
  auto tiny = net::split_batches(nd, 10);
  CHECK(tiny.size() == events);
  // Blank lines never start or end a batch, and add no event; no input, no batch.
  auto blanks = net::split_batches("\n\n{\"event\":1}\n\n{\"event\":2}\n\n", 1000);
  REQUIRE(blanks.size() == 1);
  CHECK(blanks[0] == "{\"event\":1}\n\n{\"event\":2}\n");
  CHECK(net::split_batches("", 1000).empty());
  CHECK(net::split_batches("\n \n", 1000).empty());
  CHECK(net::count_events("{\"event\":1}\n \n{\"event\":2}") == 2);
}

TEST_CASE("HEC answers: success, a refused token, rejected data, busy, and transport failures", "[unit][hec]") {
  using Kind = HecVerdict::Kind;
  CHECK(net::judge_answer(answer(200, kSuccess)).kind == Kind::ok);

  auto refused = net::judge_answer(answer(403, kInvalidToken));
  CHECK(refused.kind == Kind::fail);
  CHECK(refused.auth);
  CHECK(refused.message == "the token was refused (403 Forbidden: Invalid token, code 4)");
  auto missing = net::judge_answer(answer(401, kTokenRequired));
  CHECK(missing.auth);
  CHECK(missing.message == "the token was refused (401 Unauthorized: Token is required, code 2)");

  auto bad = net::judge_answer(answer(400, kInvalidFormat));
  CHECK(bad.kind == Kind::fail);
  CHECK_FALSE(bad.auth);
  CHECK(bad.message == "HEC rejected the data (400 Bad Request: Invalid data format, code 6) at event 3 of the batch");

  CHECK(net::judge_answer(answer(503, kBusy)).kind == Kind::retry);
  CHECK(net::judge_answer(answer(503, kBusy)).message ==
        "the collector is unavailable (503 Service Unavailable: Server is busy, code 9)");
  for (long s : {429L, 500L, 502L, 504L}) CHECK(net::judge_answer(answer(s, "")).kind == Kind::retry);

  // A 200 that is not HEC's success (a proxy's login page, an error code) is not taken as delivered.
  CHECK(net::judge_answer(answer(200, "<html>Sign in</html>")).kind == Kind::fail);
  CHECK(net::judge_answer(answer(200, R"({"text":"Incorrect index","code":7})")).kind == Kind::fail);
  CHECK(net::judge_answer(answer(404, "")).message == "no HTTP Event Collector at this URL (404 Not Found)");
  CHECK(net::judge_answer(answer(413, "")).kind == Kind::fail);
  CHECK(net::judge_answer(answer(302, "")).kind == Kind::fail);
  // Terminal escapes in an answer are defused.
  CHECK(net::judge_answer(answer(418, "\x1b]0;owned\x07")).message.find('\x1b') == std::string::npos);

  HecExchange down;
  down.error = "cannot connect to the collector (Connection refused)";
  down.retriable = true;
  CHECK(net::judge_answer(down).kind == Kind::retry);
  HecExchange tls;
  tls.error = "the collector's TLS certificate could not be verified";
  CHECK(net::judge_answer(tls).kind == Kind::fail);
}

TEST_CASE("HEC delivery: every batch once, in order, when all goes well", "[unit][hec]") {
  Script s;
  s.answers = {answer(200, kSuccess)};
  auto o = options();
  o.max_batch_bytes = 4096;
  auto st = net::deliver_hec(o, lab_envelopes(), s.send(), s.sleep(), kNoJitter);
  REQUIRE(st);
  CHECK(st->events == net::count_events(lab_envelopes()));
  CHECK(st->batches == s.received.size());
  CHECK(st->requests == s.received.size());
  CHECK(st->retries == 0);
  CHECK(s.slept.empty());
  std::string joined;
  for (const auto& b : s.received) joined += b;
  CHECK(joined == lab_envelopes());

  Script none;
  none.answers = {answer(200, kSuccess)};
  auto empty = net::deliver_hec(o, "", none.send(), none.sleep(), kNoJitter);
  REQUIRE(empty);
  CHECK(empty->requests == 0);
  CHECK(none.received.empty());
}

TEST_CASE("HEC delivery: 503 and connection failures are retried with backoff from 0.5 s", "[unit][hec]") {
  Script s;
  HecExchange refused;
  refused.error = "cannot connect to the collector (Connection refused)";
  refused.retriable = true;
  s.answers = {answer(503, kBusy), refused, answer(503, kBusy), answer(200, kSuccess)};
  auto st = net::deliver_hec(options(), lab_envelopes(), s.send(), s.sleep(), kNoJitter);
  REQUIRE(st);
  CHECK(st->events == net::count_events(lab_envelopes()));
  CHECK(st->requests == 4);
  CHECK(st->retries == 3);
  CHECK(s.slept == std::vector<double>{0.5, 1.0, 2.0});
  // The same body each time.
  CHECK(std::set<std::string>(s.received.begin(), s.received.end()).size() == 1);

  // With jitter the delays shrink (never below half), never grow.
  Script j;
  j.answers = {answer(503, kBusy), answer(200, kSuccess)};
  REQUIRE(net::deliver_hec(options(), lab_envelopes(), j.send(), j.sleep(), [] { return 0.0; }));
  CHECK(j.slept == std::vector<double>{0.25});
}

TEST_CASE("HEC delivery: Retry-After is honoured, and capped", "[unit][hec]") {
  Script s;
  s.answers = {answer(429, "", "2"), answer(429, "", "3600"), answer(200, kSuccess)};
  auto st = net::deliver_hec(options(), lab_envelopes(), s.send(), s.sleep(), [] { return 0.0; });
  REQUIRE(st);
  CHECK(s.slept == std::vector<double>{2.0, 30.0});
}

TEST_CASE("HEC delivery: bounded attempts; a refused token or rejected data fails at once", "[unit][hec]") {
  SECTION("always 500: five attempts, then a clear error") {
    Script s;
    s.answers = {answer(500, "")};
    auto st = net::deliver_hec(options(), lab_envelopes(), s.send(), s.sleep(), kNoJitter);
    REQUIRE_FALSE(st);
    CHECK(s.received.size() == 5);
    CHECK(s.slept == std::vector<double>{0.5, 1.0, 2.0, 4.0});
    CHECK(st.error().code == ErrorCode::network);
    CHECK(st.error().context == options().url);
    CHECK(st.error().message.find("500 Internal Server Error") != std::string::npos);
    CHECK(st.error().message.find("after 5 attempts") != std::string::npos);
    CHECK(st.error().message.find("; 0 of ") != std::string::npos);
  }
  SECTION("403: one request, the reason from Splunk's answer") {
    Script s;
    s.answers = {answer(403, kInvalidToken)};
    auto st = net::deliver_hec(options(), lab_envelopes(), s.send(), s.sleep(), kNoJitter);
    REQUIRE_FALSE(st);
    CHECK(s.received.size() == 1);
    CHECK(st.error().code == ErrorCode::auth);
    CHECK(st.error().describe().starts_with(
        "https://splunk.example:8088/services/collector/event: delivery to Splunk HEC failed: the token was refused "
        "(403 Forbidden: Invalid token, code 4); 0 of "));
  }
  SECTION("400 on the second batch: what was delivered before is counted") {
    Script s;
    s.answers = {answer(200, kSuccess), answer(400, kInvalidFormat)};
    auto o = options();
    o.max_batch_bytes = 4096;
    auto st = net::deliver_hec(o, lab_envelopes(), s.send(), s.sleep(), kNoJitter);
    REQUIRE_FALSE(st);
    CHECK(s.received.size() == 2);
    const std::string first = std::to_string(net::count_events(s.received[0]));
    CHECK(st.error().message.find("; " + first + " of " + std::to_string(net::count_events(lab_envelopes())) +
                                  " events delivered") != std::string::npos);
  }
}

TEST_CASE("post_hec refuses a bad token or a non-https URL before any connection", "[unit][hec]") {
  auto o = options();
  CHECK_FALSE(net::post_hec(o, util::Secret("bad token"), lab_envelopes()));
  o.url = "http://127.0.0.1:1/services/collector/event";
  auto st = net::post_hec(o, util::Secret("c3a3b1b2-1f7e-4a44-9b8a-1c2d3e4f5a6b"), lab_envelopes());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == ErrorCode::usage);
}
