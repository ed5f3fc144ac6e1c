// The SIEM, CSV and HTML projections of one Report that holds what makes them hard: markup and spreadsheet
// formulas in directory names, a new, an unchanged-and-suppressed and a resolved finding, and suppression
// entries that are active (expiring soon), expired and invalid.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "reports/writers.hpp"

using namespace adpersist;
using namespace adpersist::model;

namespace {
constexpr std::int64_t kNowMs = 1795867200000;        // 2026-11-28T12:00:00Z
constexpr std::int64_t kFirstSeenMs = 1793521800000;  // 2026-11-01T08:30:00Z

Report baseline_report() {
  Report r;
  r.tool_version = "0.1.0";
  r.started_at = r.finished_at = r.now = "2026-11-28T12:00:00Z";
  r.since_seconds = 30 * 86400;
  r.fail_on = Severity::high;
  r.fail_on_new = true;
  Target t;
  t.domain = "corp.example.test";
  t.domain_dn = "DC=corp,DC=example,DC=test";
  t.domain_sid = "S-1-5-21-1-2-3";
  t.sources = {"dc01.ldif"};
  r.targets.push_back(t);
  r.datasets.push_back({"ad.users", "ok", ""});
  r.datasets.push_back({"ad.sysvol", "partial", "1 of 3 GPO folders unreadable"});
  r.checks.push_back({"ad.dcsync-rights",
                      "DCSync rights",
                      "privileged-access",
                      Severity::critical,
                      CheckStatus::failed,
                      {},
                      1,
                      {}});
  r.checks.push_back(
      {"ad.rbcd", "RBCD <configured>", "delegation", Severity::high, CheckStatus::failed, {}, 2, {}});
  r.checks.push_back({"ad.gpo-control",
                      "GPO control",
                      "privileged-access",
                      Severity::critical,
                      CheckStatus::not_evaluated,
                      "needs <sysvol> & GPO folders",
                      0,
                      {}});

  // New, critical: every attacker-chosen string carries markup or a formula prefix.
  ReportFinding a;
  a.finding.check_id = "ad.dcsync-rights";
  a.finding.severity = Severity::critical;
  a.finding.finding_id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
  a.finding.resource = {"user", "5b2c1f9e-0000-4000-8000-000000000001",
                        "CN=<script>alert('dn')</script> & co,DC=corp", "S-1-5-21-1-2-3-1104",
                        "=HYPERLINK(\"http://evil.test\",\"x\")"};
  a.finding.message = "+SUM(1,2) holds \"DCSync\", via <b>group</b>";
  a.finding.evidence["rights"] = Json::array({"DS-Replication-Get-Changes-All", "-1+1"});
  a.finding.evidence["via"] = "@evil\tname";
  a.title = "Replication (DCSync) rights <held>";
  a.category = "privileged-access";
  a.remediation = "Remove the ACE.\nThen reset the krbtgt password twice.";
  a.attack = {"T1003.006", "T1098"};
  a.references = {"https://learn.microsoft.com/x?a=1&b=2", "CISA AA21-008A", "javascript:alert(1)"};
  a.baseline_state = BaselineState::new_finding;
  a.first_seen = "2026-11-28T12:00:00Z";
  r.findings.push_back(a);

  // Unchanged since the baseline, and suppressed by an entry that expires in under 30 days.
  ReportFinding b;
  b.finding.check_id = "ad.rbcd";
  b.finding.severity = Severity::high;
  b.finding.finding_id = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
  b.finding.resource = {"computer", "5b2c1f9e-0000-4000-8000-000000000002", "CN=WS01,OU=Servers,DC=corp",
                        "S-1-5-21-1-2-3-1105", "WS01$"};
  b.finding.message = "WS01$ accepts delegation from svc-web";
  b.finding.evidence["allowed"] = Json::array({"svc-web"});
  b.title = "Resource-based constrained delegation";
  b.category = "delegation";
  b.attack = {"T1134"};
  b.baseline_state = BaselineState::unchanged;
  b.first_seen = "2026-11-01T08:30:00Z";
  b.suppression =
      Suppression{"sup.yaml entry 1 (line 2)", "web farm <by design>", "alice@corp", "2026-12-10"};
  r.findings.push_back(b);

  // New, medium, on a group: a cell that starts with a tab and a CR.
  ReportFinding c;
  c.finding.check_id = "ad.rbcd";
  c.finding.severity = Severity::medium;
  c.finding.finding_id = "ccccccccccccccccccccccccccccccc3";
  c.finding.resource = {"group", "5b2c1f9e-0000-4000-8000-000000000003", "CN=Ops,DC=corp",
                        "S-1-5-21-1-2-3-1106", "\tOps"};
  c.finding.message = "\rline one\r\nline two, with comma";
  c.title = "Resource-based constrained delegation";
  c.category = "delegation";
  c.baseline_state = BaselineState::new_finding;
  c.first_seen = "2026-11-28T12:00:00Z";
  r.findings.push_back(c);

  r.baseline = BaselineInfo{"state/S-1-5-21-1-2-3.json", "2026-11-01T08:30:00Z", 2, true};
  ResolvedFinding gone;
  gone.finding_id = "ddddddddddddddddddddddddddddddd4";
  gone.check_id = "ad.rbcd";
  gone.title = "Resource-based constrained delegation";
  gone.message = "SRV9$ accepted delegation from <old>";
  gone.first_seen = "2026-11-01T08:30:00Z";
  gone.severity = Severity::high;
  gone.resource = {"computer", "5b2c1f9e-0000-4000-8000-000000000004", "CN=SRV9,DC=corp", "", "SRV9$"};
  r.resolved.push_back(gone);

  r.suppressions.push_back({"sup.yaml entry 1 (line 2)", "ad.rbcd", "S-1-5-21-1-2-3-1105", "",
                            "web farm <by design>", "alice@corp", "2026-12-10", "active", "", 1});
  r.suppressions.push_back({"sup.yaml entry 2 (line 8)", "ad.dcsync-rights", "",
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "migration", "bob", "2026-10-01", "expired",
                            "expired on 2026-10-01", 0});
  r.suppressions.push_back(
      {"sup.yaml entry 3 (line 14)", "ad.nope", "", "", "", "", "", "invalid", "owner is required", 0});
  return r;
}

std::vector<nlohmann::json> lines_of(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

template <class W>
std::string render(W writer, const Report& r) {
  std::ostringstream out;
  writer(r, out);
  return out.str();
}

// RFC 4180 reader (quoted fields, doubled quotes, CRLF records), strict enough to catch a writer's mistakes.
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (quoted) {
      if (ch == '"' && i + 1 < s.size() && s[i + 1] == '"')
        cell += '"', ++i;
      else if (ch == '"')
        quoted = false;
      else
        cell += ch;
    } else if (ch == '"') {
      REQUIRE(cell.empty());  // a quote only opens a field
      quoted = was_quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(cell), cell.clear(), was_quoted = false;
    } else if (ch == '\r') {
      REQUIRE(i + 1 < s.size());
      REQUIRE(s[i + 1] == '\n');  // bare CR only inside quotes
      rows.back().push_back(cell), cell.clear(), was_quoted = false;
      ++i;
      if (i + 1 < s.size()) rows.emplace_back();
    } else {
      REQUIRE(ch != '\n');  // bare LF only inside quotes
      cell += ch;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(cell.empty());  // the last record ends with CRLF
  (void)was_quoted;
  return rows;
}
}  // namespace

TEST_CASE("formats: every name parses and prints back; the list names them all", "[reports]") {
  const std::string names(reports::format_names());
  std::size_t count = 0;
  for (const auto* n : {"text", "json", "ndjson", "ocsf", "ecs", "hec", "csv", "html"}) {
    auto f = reports::parse_format(n);
    REQUIRE(f);
    CHECK(reports::to_string(*f) == n);
    CHECK(names.find(n) != std::string::npos);
    ++count;
  }
  CHECK(count == 8);
  CHECK_FALSE(reports::parse_format("xml"));
  CHECK_FALSE(reports::parse_format("JSON"));
}

TEST_CASE("OCSF: Detection Finding with every required field, ms time, lifecycle from baseline",
          "[reports]") {
  const auto r = baseline_report();
  const auto lines = lines_of(render(reports::write_ocsf, r));
  REQUIRE(lines.size() == 4);  // three findings, one resolved
  for (const auto& e : lines) {
    CHECK(e["class_uid"] == 2004);
    CHECK(e["category_uid"] == 2);
    REQUIRE(e["activity_id"].is_number_integer());
    CHECK(e["type_uid"] == 200400 + e["activity_id"].get<int>());
    CHECK(e["severity_id"].get<int>() >= 1);
    CHECK(e["severity_id"].get<int>() <= 5);
    CHECK(e["time"].is_number_integer());
    CHECK(e["time"] == kNowMs);
    CHECK(e["metadata"]["version"].get<std::string>().rfind("1.", 0) == 0);
    CHECK(e["metadata"]["product"]["name"] == "adpersist");
    CHECK(e["metadata"]["product"]["vendor_name"] == "adpersist");
    CHECK(e["metadata"]["product"]["version"] == "0.1.0");
    CHECK(e["finding_info"]["uid"].is_string());
    CHECK(e["finding_info"]["analytic"]["type_id"] == 1);
    CHECK(e["resources"].size() == 1);
  }
  const auto& a = lines[0];
  CHECK(a["finding_info"]["uid"] == "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1");
  CHECK(a["finding_info"]["analytic"]["uid"] == "ad.dcsync-rights");
  CHECK(a["activity_id"] == 1);
  CHECK(a["status_id"] == 1);
  CHECK(a["severity_id"] == 5);
  CHECK(a["is_alert"] == true);
  CHECK(a["finding_info"]["attacks"][0]["technique"]["uid"] == "T1003");
  CHECK(a["finding_info"]["attacks"][0]["sub_technique"]["uid"] == "T1003.006");
  CHECK(a["finding_info"]["attacks"][1]["technique"]["uid"] == "T1098");
  CHECK_FALSE(a["finding_info"]["attacks"][1].contains("sub_technique"));
  CHECK(a["resources"][0]["uid"] == "5b2c1f9e-0000-4000-8000-000000000001");
  CHECK(a["resources"][0]["data"]["sid"] == "S-1-5-21-1-2-3-1104");
  CHECK(a["resources"][0]["data"]["domain"] == "corp.example.test");
  CHECK(a["evidences"][0]["data"]["via"] == "@evil\tname");
  CHECK(a["remediation"]["desc"] == r.findings[0].remediation);
  CHECK(a["message"] == r.findings[0].finding.message);

  const auto& b = lines[1];  // unchanged + suppressed: an Update, Suppressed, not an alert
  CHECK(b["activity_id"] == 2);
  CHECK(b["type_uid"] == 200402);
  CHECK(b["status_id"] == 3);
  CHECK(b["is_alert"] == false);
  CHECK(b["finding_info"]["first_seen_time"] == kFirstSeenMs);
  CHECK(b["unmapped"]["adpersist"]["suppression"]["owner"] == "alice@corp");

  const auto& d = lines[3];  // resolved: a Close
  CHECK(d["activity_id"] == 3);
  CHECK(d["type_uid"] == 200403);
  CHECK(d["status_id"] == 4);
  CHECK(d["status"] == "Resolved");
  CHECK(d["finding_info"]["uid"] == "ddddddddddddddddddddddddddddddd4");
  CHECK(d["resources"][0]["data"]["sid"].is_null());
}

TEST_CASE("ECS: alert documents with rule, threat, user/host/group and the native fields", "[reports]") {
  const auto lines = lines_of(render(reports::write_ecs, baseline_report()));
  REQUIRE(lines.size() == 3);
  for (const auto& e : lines) {
    CHECK(e["@timestamp"] == "2026-11-28T12:00:00Z");
    CHECK(e["ecs"]["version"].is_string());
    CHECK(e["event"]["kind"] == "alert");
    CHECK(e["event"]["category"] == nlohmann::json::array({"iam", "configuration"}));
    CHECK(e["event"]["type"] == nlohmann::json::array({"info"}));
    CHECK(e["event"]["severity"].is_number_integer());
    CHECK(e["observer"]["product"] == "adpersist");
    CHECK(e["rule"]["id"].is_string());
    CHECK(e["adpersist"]["finding_id"] == e["event"]["id"]);
  }
  CHECK(lines[0]["user"]["id"] == "S-1-5-21-1-2-3-1104");
  CHECK(lines[0]["user"]["domain"] == "corp.example.test");
  CHECK(lines[0]["threat"]["framework"] == "MITRE ATT&CK");
  CHECK(lines[0]["threat"]["technique"]["id"] == nlohmann::json::array({"T1003", "T1098"}));
  CHECK(lines[0]["threat"]["technique"]["subtechnique"]["id"] == nlohmann::json::array({"T1003.006"}));
  CHECK(lines[0]["rule"]["reference"] == "https://learn.microsoft.com/x?a=1&b=2");
  CHECK(lines[0]["labels"]["baseline_state"] == "new");
  // Evidence as JSON text: keys of different checks may hold different types, which an index cannot map.
  REQUIRE(lines[0]["adpersist"]["evidence"].is_string());
  CHECK(nlohmann::json::parse(lines[0]["adpersist"]["evidence"].get<std::string>())["rights"][1] == "-1+1");
  CHECK(lines[1]["host"]["name"] == "WS01");
  CHECK_FALSE(lines[1].contains("user"));
  CHECK(lines[1]["labels"]["status"] == "suppressed");
  CHECK(lines[1]["event"]["severity"] == 4);
  CHECK(lines[2]["group"]["name"] == "\tOps");
}

TEST_CASE("HEC: one envelope per NDJSON record, carrying it unchanged", "[reports]") {
  const auto r = baseline_report();
  const auto envs = lines_of(render(reports::write_hec, r));
  const auto records = lines_of(render(reports::write_ndjson, r));
  REQUIRE(envs.size() == records.size());
  REQUIRE(envs.size() == 5);  // three findings, one resolved, the summary
  for (std::size_t i = 0; i < envs.size(); ++i) {
    const auto& e = envs[i];
    CHECK(e.size() == 5);
    CHECK(e["time"] == kNowMs / 1000);
    CHECK(e["host"] == "corp.example.test");
    CHECK(e["source"] == "adpersist");
    CHECK(e["sourcetype"] == "adpersist:" + records[i]["record_type"].get<std::string>());
    CHECK(e["event"] == records[i]);
  }
  CHECK(envs[0]["sourcetype"] == "adpersist:finding");
  CHECK(envs[3]["sourcetype"] == "adpersist:resolved");
  CHECK(envs[4]["sourcetype"] == "adpersist:summary");
  CHECK(envs[4]["event"]["summary"]["resolved"] == 1);
}

TEST_CASE("NDJSON: a resolved line per resolved finding before the summary", "[reports]") {
  const auto lines = lines_of(render(reports::write_ndjson, baseline_report()));
  REQUIRE(lines.size() == 5);
  CHECK(lines[2]["record_type"] == "finding");
  CHECK(lines[3]["record_type"] == "resolved");
  CHECK(lines[3]["finding_id"] == "ddddddddddddddddddddddddddddddd4");
  CHECK(lines[3]["target"]["domain"] == "corp.example.test");
  CHECK(lines[4]["record_type"] == "summary");
}

TEST_CASE("CSV: RFC 4180 quoting, CRLF rows and the formula guard", "[reports]") {
  const auto r = baseline_report();
  const auto text = render(reports::write_csv, r);
  const auto rows = parse_csv(text);
  REQUIRE(rows.size() == 4);
  const auto& h = rows[0];
  auto col = [&](const std::string& name) {
    auto it = std::find(h.begin(), h.end(), name);
    REQUIRE(it != h.end());
    return static_cast<std::size_t>(it - h.begin());
  };
  for (const auto& row : rows) CHECK(row.size() == h.size());
  CHECK(h[0] == "finding_id");
  // The guard: a leading apostrophe on cells a spreadsheet would run as a formula.
  CHECK(rows[1][col("resource_name")] == "'=HYPERLINK(\"http://evil.test\",\"x\")");
  CHECK(rows[1][col("message")] == "'+SUM(1,2) holds \"DCSync\", via <b>group</b>");
  CHECK(rows[3][col("resource_name")] == "'\tOps");
  CHECK(rows[3][col("message")] == "'\rline one\r\nline two, with comma");
  CHECK(rows[1][col("baseline_state")] == "new");
  CHECK(rows[2][col("status")] == "suppressed");
  CHECK(rows[2][col("suppression_owner")] == "alice@corp");
  CHECK(rows[2][col("suppression_expires")] == "2026-12-10");
  CHECK(rows[2][col("first_seen")] == "2026-11-01T08:30:00Z");
  CHECK(rows[1][col("resource_sid")] == "S-1-5-21-1-2-3-1104");
  CHECK(rows[1][col("attack")] == "T1003.006 T1098");
  // Evidence is compact JSON; values inside it that look like formulas cannot start the cell.
  const auto ev = nlohmann::json::parse(rows[1][col("evidence")]);
  CHECK(ev["rights"][1] == "-1+1");
  CHECK(ev["via"] == "@evil\tname");
  // No cell starts with a formula character once written.
  for (std::size_t i = 1; i < rows.size(); ++i)
    for (const auto& cell : rows[i])
      if (!cell.empty()) CHECK(std::string("=+-@\t\r").find(cell.front()) == std::string::npos);
}

TEST_CASE("CSV: an apostrophe that starts a value is doubled, so removing one always undoes the guard",
          "[reports]") {
  auto r = baseline_report();
  r.findings[0].finding.resource.name = "'quoted";
  const auto rows = parse_csv(render(reports::write_csv, r));
  const auto& h = rows[0];
  const auto col = static_cast<std::size_t>(std::find(h.begin(), h.end(), "resource_name") - h.begin());
  CHECK(rows[1][col] == "''quoted");
}

TEST_CASE("CSV: invalid UTF-8 becomes U+FFFD", "[reports]") {
  auto r = baseline_report();
  r.findings[0].finding.resource.name = "bad\xff\xc0name";
  const auto text = render(reports::write_csv, r);
  CHECK(text.find("bad\xef\xbf\xbd\xef\xbf\xbdname") != std::string::npos);
  CHECK(text.find('\xff') == std::string::npos);
}

TEST_CASE("HTML: self-contained, no script, every report string escaped", "[reports]") {
  const auto r = baseline_report();
  const auto html = render(reports::write_html, r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(html,
             Catch::Contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""));
  // Nothing executable and nothing fetched: no script element, no external stylesheet, no src attribute.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find(" src=") == std::string::npos);
  CHECK(html.find("<b>group</b>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("CN=&lt;script&gt;alert(&#39;dn&#39;)&lt;/script&gt; &amp; co,DC=corp"));
  CHECK_THAT(html, Catch::Contains("via &lt;b&gt;group&lt;/b&gt;"));
  CHECK_THAT(html, Catch::Contains("=HYPERLINK(&quot;http://evil.test&quot;,&quot;x&quot;)"));
  CHECK_THAT(html, Catch::Contains("@evil\\x09name"));  // controls are made visible
  // Only http(s) references become links.
  CHECK_THAT(html, Catch::Contains("<a href=\"https://learn.microsoft.com/x?a=1&amp;b=2\""));
  CHECK(html.find("href=\"javascript:") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("javascript:alert(1)"));
  CHECK_THAT(html, Catch::Contains("@media print"));
  // Every finding and the resolved one appear; counts by severity carry ids a test can find.
  for (const auto& f : r.findings) CHECK_THAT(html, Catch::Contains(f.finding.finding_id));
  CHECK_THAT(html, Catch::Contains("ddddddddddddddddddddddddddddddd4"));
  CHECK_THAT(html, Catch::Contains("id=\"count-critical\">1<"));
  CHECK_THAT(html, Catch::Contains("id=\"count-new\">2<"));
  CHECK_THAT(html, Catch::Contains("id=\"count-resolved\">1<"));
  // Coverage gaps are named with their reasons; suppressions are flagged.
  CHECK_THAT(html, Catch::Contains("needs &lt;sysvol&gt; &amp; GPO folders"));
  CHECK_THAT(html, Catch::Contains("1 of 3 GPO folders unreadable"));
  CHECK_THAT(html, Catch::Contains("expires in 12 days"));
  CHECK_THAT(html, Catch::Contains("EXPIRED"));
  CHECK_THAT(html, Catch::Contains("INVALID"));
  CHECK_THAT(html, Catch::Contains("web farm &lt;by design&gt;"));
  CHECK_THAT(html, Catch::Contains("Remove the ACE.<br>Then reset"));
  CHECK_THAT(html, Catch::Contains("RBCD &lt;configured&gt;"));  // the check catalogue
}

TEST_CASE("HTML: invalid UTF-8 and bidi overrides never reach the page as such", "[reports]") {
  auto r = baseline_report();
  r.findings[0].finding.resource.name = "ev\xff il\xe2\x80\xaetxt.exe";
  const auto html = render(reports::write_html, r);
  CHECK(html.find('\xff') == std::string::npos);
  CHECK(html.find("\xe2\x80\xae") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("ev\\xff il\\u202etxt.exe"));
}

TEST_CASE("HTML: the fix-first list is capped with the total shown, new findings first", "[reports]") {
  auto r = baseline_report();
  const auto proto = r.findings[1];
  for (int i = 0; i < 40; ++i) {
    auto f = proto;
    f.suppression.reset();
    f.finding.finding_id = "e" + std::to_string(1000 + i);
    r.findings.push_back(f);
  }
  const auto html = render(reports::write_html, r);
  CHECK_THAT(html, Catch::Contains("The first 25 of 42 open findings"));
  const auto fix = html.substr(html.find("id=\"fix-first\""));
  // The two new findings lead the list, ahead of the unchanged high ones.
  CHECK(fix.find("#f-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1") < fix.find("#f-e1000"));
  CHECK(fix.find("#f-ccccccccccccccccccccccccccccccc3") < fix.find("#f-e1000"));
  // Every card is still written.
  CHECK_THAT(html, Catch::Contains("id=\"f-e1039\""));
}

TEST_CASE("text report: NEW marks, a SUPPRESSED section, the baseline line and the RESOLVED list",
          "[reports]") {
  const auto text =
      render([](const Report& r, std::ostream& o) { reports::write_text(r, o, {false}); }, baseline_report());
  CHECK_THAT(text,
             Catch::Contains("baseline: state/S-1-5-21-1-2-3.json (accepted 2026-11-01T08:30:00Z): 2 new, "
                             "1 unchanged, 1 resolved\n"));
  CHECK_THAT(text, Catch::Contains("  ad.dcsync-rights  NEW  =HYPERLINK"));
  CHECK_THAT(text, Catch::Contains(
                       "\nSUPPRESSED (1)\n  ad.rbcd  WS01$ (high): owner alice@corp, expires 2026-12-10: "
                       "web farm <by design>\n"));
  CHECK_THAT(text,
             Catch::Contains("\nRESOLVED (1)\n  ad.rbcd  SRV9$: SRV9$ accepted delegation from <old>\n"));
  CHECK_THAT(text, Catch::Contains("sup.yaml entry 2 (line 8) (expired) owner bob, expires 2026-10-01"));
  CHECK_THAT(text, Catch::Contains("sup.yaml entry 3 (line 14) (invalid): owner is required"));
  // The suppressed finding is not in the main list: HIGH has no open finding, so no HIGH section.
  CHECK(text.find("\nHIGH (") == std::string::npos);
  CHECK_THAT(text, Catch::Contains("1 suppressed; baseline: 2 new, 1 unchanged, 1 resolved"));
  CHECK_THAT(text, Catch::Contains("Result: INCOMPLETE (exit 3)"));

  // Complete, the gate counts only new findings (--fail-on-new) and says so.
  auto r = baseline_report();
  r.checks.pop_back();
  r.datasets.pop_back();
  const auto complete =
      render([](const Report& x, std::ostream& o) { reports::write_text(x, o, {false}); }, r);
  CHECK_THAT(complete, Catch::Contains("Result: FAIL (exit 1): new findings at or above high\n"));
}
