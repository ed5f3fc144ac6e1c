#include <catch2/catch.hpp>
#include <sstream>

#include "reports/writers.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using namespace adpersist::model;

namespace {
Report hostile_report() {
  Report r;
  r.tool_version = "0.1.0";
  r.started_at = r.finished_at = r.now = "2026-11-28T12:00:00Z";
  r.fail_on = Severity::high;
  Target t;
  t.domain = "corp.example.test";
  t.domain_sid = "S-1-5-21-1-2-3";
  t.sources = {"a.ldif"};
  r.targets.push_back(t);
  CheckResult c{"ad.x", "X", "delegation", Severity::high, CheckStatus::failed, {}, 1, {}};
  r.checks.push_back(c);
  ReportFinding rf;
  rf.finding.check_id = "ad.x";
  rf.finding.severity = Severity::critical;
  rf.finding.finding_id = "00112233445566778899aabbccddeeff";
  // A name an attacker chose: a terminal escape that would clear the screen, a C1 CSI, a bidi override,
  // invalid UTF-8 and markup.
  rf.finding.resource = {"user", "id", "CN=evil\x1b[2J,DC=x", "", "ev\xc2\x9bil\xe2\x80\xae<script>\xff"};
  rf.finding.message = "message\nwith newline";
  rf.finding.evidence["description"] = "\x1b]0;owned\x07";
  rf.title = "X";
  r.findings.push_back(rf);
  return r;
}
}  // namespace

TEST_CASE("text report: attacker-controlled strings cannot drive the terminal", "[reports]") {
  std::ostringstream out;
  reports::write_text(hostile_report(), out, {false});
  const auto s = out.str();
  CHECK(s.find('\x1b') == std::string::npos);
  CHECK(s.find("\xc2\x9b") == std::string::npos);
  CHECK(s.find("\xe2\x80\xae") == std::string::npos);
  CHECK(s.find('\x07') == std::string::npos);
  CHECK_THAT(s, Catch::Contains("CN=evil\\x1b[2J"));
  CHECK_THAT(s, Catch::Contains("message\\x0awith newline"));
  CHECK_THAT(s, Catch::Contains("CRITICAL (1)"));
  CHECK_THAT(s, Catch::Contains("FAIL (exit 1)"));
}

TEST_CASE("text report: colour only when asked", "[reports]") {
  std::ostringstream plain, coloured;
  reports::write_text(hostile_report(), plain, {false});
  reports::write_text(hostile_report(), coloured, {true});
  CHECK(plain.str().find("\x1b[") == std::string::npos);
  CHECK(coloured.str().find("\x1b[1;35m") != std::string::npos);
}

TEST_CASE("JSON report: valid JSON even with invalid UTF-8 in directory strings", "[reports]") {
  std::ostringstream out;
  reports::write_json(hostile_report(), out);
  auto j = nlohmann::json::parse(out.str());
  CHECK(j["schema_version"] == "1.1.0");
  CHECK(j["summary"]["by_severity"]["critical"] == 1);
  CHECK(j["summary"]["exit_code"] == 1);
  CHECK(j["findings"][0]["resource"]["dn"] == "CN=evil\x1b[2J,DC=x");  // escaped by JSON, value intact
  CHECK(j["findings"][0]["finding_id"] == "00112233445566778899aabbccddeeff");
}

TEST_CASE("NDJSON report: one finding a line with run and target copied, then a summary line", "[reports]") {
  std::ostringstream out;
  reports::write_ndjson(hostile_report(), out);
  std::istringstream in(out.str());
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["record_type"] == "finding");
  CHECK(lines[0]["target"]["domain_sid"] == "S-1-5-21-1-2-3");
  CHECK(lines[0]["run"]["now"] == "2026-11-28T12:00:00Z");
  CHECK(lines[0]["check_id"] == "ad.x");
  CHECK(lines[1]["record_type"] == "summary");
  CHECK(lines[1]["summary"]["findings"] == 1);
}

TEST_CASE("sanitize_for_terminal keeps ordinary text and UTF-8 names", "[reports]") {
  CHECK(util::sanitize_for_terminal("CN=Zoë Ångström,OU=Å") == "CN=Zoë Ångström,OU=Å");
  CHECK(util::sanitize_for_terminal("tab\there") == "tab\\x09here");
  CHECK(util::sanitize_for_terminal(std::string("nul\0x", 5)) == "nul\\x00x");
}
