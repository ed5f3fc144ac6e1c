#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scanner/policy/baseline.hpp"

using namespace adpersist;
using namespace adpersist::model;
using namespace adpersist::policy;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "adp-baseline-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()));
    path = t;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

ReportFinding finding(std::string id, std::string check, std::string name, Severity s = Severity::high) {
  ReportFinding rf;
  rf.finding.finding_id = std::move(id);
  rf.finding.check_id = std::move(check);
  rf.finding.severity = s;
  rf.finding.message = "message of " + name;
  rf.finding.resource = {"user", "guid-" + name, "CN=" + name + ",DC=corp,DC=test", "", name};
  rf.title = "title";
  return rf;
}

// Two AD checks ran to completion, one Entra check ran, and ad.not-run was not evaluated.
Report report(std::vector<ReportFinding> findings, std::string now = "2026-12-01T00:00:00Z") {
  Report r;
  r.tool_version = "0.1.0";
  r.now = r.started_at = r.finished_at = now;
  r.fail_on = Severity::high;
  Target ad;
  ad.domain = "corp.test";
  ad.domain_sid = "S-1-5-21-1-2-3";
  Target entra;
  entra.platform = "entra";
  entra.tenant_id = "3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53";
  r.targets = {ad, entra};
  r.checks.push_back({"ad.a", "A", "c", Severity::high, CheckStatus::failed, {}, 0, {}});
  r.checks.push_back({"ad.b", "B", "c", Severity::high, CheckStatus::passed, {}, 0, {}});
  r.checks.push_back({"entra.c", "C", "c", Severity::high, CheckStatus::failed, {}, 0, {}});
  r.checks.push_back({"ad.not-run", "N", "c", Severity::high, CheckStatus::not_evaluated, "no data", 0, {}});
  r.findings = std::move(findings);
  return r;
}

const std::string kA1 = "a1000000000000000000000000000000";
const std::string kA2 = "a2000000000000000000000000000000";
const std::string kB1 = "b1000000000000000000000000000000";
const std::string kC1 = "c1000000000000000000000000000000";
const std::string kN1 = "d1000000000000000000000000000000";

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("baseline: new, unchanged and resolved; only completed checks resolve", "[baseline]") {
  // Accepted: A1, B1 (ad.b), N1 (ad.not-run), C1 (entra).
  auto accepted = report({finding(kA1, "ad.a", "alice"), finding(kB1, "ad.b", "bob"), finding(kC1, "entra.c", "app")},
                         "2026-11-01T00:00:00Z");
  Baseline previous;
  previous.findings.push_back({kN1, "ad.not-run", "N", "m", "2026-10-01T00:00:00Z", Severity::high, {}});
  const auto b = baseline_from_report(accepted, &previous);
  REQUIRE(b.findings.size() == 4);  // N1 carried: its check did not complete in `accepted` either

  // Now: A1 still there (renamed: name and DN differ, finding id equal), A2 new, B1 gone, C1 still there,
  // N1 not found but its check was not evaluated.
  auto renamed = finding(kA1, "ad.a", "alice-renamed");
  auto now = report({renamed, finding(kA2, "ad.a", "alice"), finding(kC1, "entra.c", "app")});
  compare_with_baseline(now, &b);
  CHECK(now.findings[0].baseline_state == BaselineState::unchanged);
  CHECK(now.findings[0].first_seen == "2026-11-01T00:00:00Z");
  CHECK(now.findings[1].baseline_state == BaselineState::new_finding);
  CHECK(now.findings[1].first_seen == "2026-12-01T00:00:00Z");
  CHECK(now.findings[2].baseline_state == BaselineState::unchanged);
  REQUIRE(now.resolved.size() == 1);
  CHECK(now.resolved[0].finding_id == kB1);
  CHECK(now.resolved[0].resource.name == "bob");

  // The next baseline keeps first_seen of A1, adds A2, drops B1 and still carries N1.
  const auto next = baseline_from_report(now, &b);
  std::vector<std::string> ids;
  for (const auto& e : next.findings) ids.push_back(e.finding_id);
  CHECK(ids == std::vector<std::string>{kA1, kA2, kC1, kN1});
  CHECK(next.findings[0].first_seen == "2026-11-01T00:00:00Z");
  CHECK(next.findings[1].first_seen == "2026-12-01T00:00:00Z");
}

TEST_CASE("baseline: the gate under --fail-on-new counts only new, unsuppressed findings", "[baseline]") {
  Baseline b;
  b.findings.push_back({kA1, "ad.a", "A", "m", "2026-11-01T00:00:00Z", Severity::critical, {}});
  auto r = report({finding(kA1, "ad.a", "alice", Severity::critical), finding(kA2, "ad.a", "x", Severity::medium)});
  compare_with_baseline(r, &b);
  r.fail_on_new = true;
  CHECK_FALSE(r.gate_tripped());  // the critical one is accepted, the new one is below --fail-on high
  r.fail_on = Severity::medium;
  CHECK(r.gate_tripped());
  r.findings[1].suppression = Suppression{"f entry 1", "why", "owner", "2027-01-01"};
  CHECK_FALSE(r.gate_tripped());
  r.fail_on_new = false;
  CHECK(r.gate_tripped());  // the accepted critical counts again without --fail-on-new
}

TEST_CASE("baseline: platforms split one run into per-target baselines", "[baseline]") {
  auto r = report({finding(kA1, "ad.a", "alice"), finding(kC1, "entra.c", "app")});
  const auto ad = baseline_from_report(r, nullptr, {"ad"});
  REQUIRE(ad.findings.size() == 1);
  CHECK(ad.findings[0].finding_id == kA1);
  REQUIRE(ad.targets.size() == 1);
  CHECK(ad.targets[0].id == "S-1-5-21-1-2-3");
  compare_with_baseline(r, &ad, {"ad"});
  CHECK(r.findings[0].baseline_state == BaselineState::unchanged);
  CHECK(r.findings[1].baseline_state == BaselineState::none);  // entra: not this file's business
}

TEST_CASE("baseline file: round trip, mode 0640, and every corruption is an error", "[baseline]") {
  TempDir dir;
  const auto path = dir.path + "/baseline.json";
  auto missing = read_baseline(path);
  REQUIRE(missing);
  CHECK_FALSE(missing.value().has_value());

  auto r = report({finding(kA1, "ad.a", "alice"), finding(kC1, "entra.c", "<app>\"&")});
  const auto b = baseline_from_report(r, nullptr);
  REQUIRE(write_baseline(path, b));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  auto back = read_baseline(path);
  REQUIRE(back);
  REQUIRE(back.value());
  CHECK(to_json(*back.value()) == to_json(b));

  const std::string text = to_json(b).dump();
  const std::vector<std::pair<std::string, std::string>> corrupt = {
      {"", "not valid JSON"},
      {text.substr(0, text.size() / 2), "not valid JSON"},
      {"[]", "not an adpersist baseline"},
      {R"({"format":"adpersist-baseline","version":2})", "version 2"},
      {R"({"format":"adpersist-baseline","version":1,"created_at":"x","tool_version":"y","targets":[],"findings":{}})",
       "findings is not an array"},
      {R"({"format":"adpersist-baseline","version":1,"created_at":"x","tool_version":"y","targets":[],"findings":[{"finding_id":"XYZ"}]})",
       "is missing"},
  };
  for (const auto& [content, expect] : corrupt) {
    write(path, content);
    auto bad = read_baseline(path);
    INFO(content);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().describe(), Catch::Contains(expect));
    CHECK_THAT(bad.error().describe(), Catch::Contains(path));
  }
  // A duplicated finding id would make the comparison ambiguous.
  auto dup = to_json(b);
  dup["findings"].push_back(dup["findings"][0]);
  write(path, dup.dump());
  auto d = read_baseline(path);
  REQUIRE_FALSE(d);
  CHECK_THAT(d.error().message, Catch::Contains("appears twice"));
}

TEST_CASE("baseline lock: a second holder waits, then gives up with a clear error", "[baseline]") {
  TempDir dir;
  const auto path = dir.path + "/baseline.json";
  auto first = lock_baseline(path, 0);
  REQUIRE(first);
  auto second = lock_baseline(path, 0);  // flock locks per open file: a second open in this process conflicts
  REQUIRE_FALSE(second);
  CHECK_THAT(second.error().describe(), Catch::Contains("another adpersist run still holds this lock"));
  { auto released = std::move(first.value()); }
  CHECK(lock_baseline(path, 0));
}

TEST_CASE("baseline auto: per-target files under STATE_DIRECTORY; ids that are not SIDs/GUIDs are refused",
          "[baseline]") {
  TempDir dir;
  ::setenv("STATE_DIRECTORY", (dir.path + ":/elsewhere").c_str(), 1);
  auto r = report({finding(kA1, "ad.a", "alice"), finding(kC1, "entra.c", "app")});
  auto notes = run_baseline(r, "auto", true, true);
  REQUIRE(notes);
  CHECK(r.findings[0].baseline_state == BaselineState::new_finding);
  REQUIRE(r.baseline);
  CHECK_FALSE(r.baseline->existed);
  const auto ad_file = dir.path + "/targets/S-1-5-21-1-2-3/baseline.json";
  const auto entra_file = dir.path + "/targets/3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53/baseline.json";
  auto ad = read_baseline(ad_file);
  auto entra = read_baseline(entra_file);
  REQUIRE((ad && ad.value() && entra && entra.value()));
  CHECK(ad.value()->findings.size() == 1);
  CHECK(entra.value()->findings.size() == 1);

  auto again = report({finding(kA1, "ad.a", "alice"), finding(kC1, "entra.c", "app")});
  REQUIRE(run_baseline(again, "auto", true, false));
  CHECK(again.count_baseline(BaselineState::unchanged) == 2);
  REQUIRE(again.baseline);
  CHECK(again.baseline->existed);
  CHECK(again.baseline->findings == 2);

  auto hostile = report({});
  hostile.targets[1].tenant_id = "../../etc";
  auto refused = run_baseline(hostile, "auto", true, true);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("tenant id"));
  ::unsetenv("STATE_DIRECTORY");
}

TEST_CASE("report JSON reads back into the same report", "[baseline][reports]") {
  auto r = report({finding(kA1, "ad.a", "alice"), finding(kC1, "entra.c", "app")});
  r.findings[0].finding.evidence["spn"] = model::Json::array({"HTTP/x"});
  r.findings[0].attack = {"T1098"};
  r.findings[1].suppression = Suppression{"s.yaml entry 1 (line 3)", "why", "owner", "2027-01-31"};
  Baseline b;
  b.findings.push_back({kB1, "ad.b", "B", "gone", "2026-10-01T00:00:00Z", Severity::medium, {}});
  compare_with_baseline(r, &b);
  r.baseline = BaselineInfo{"b.json", "2026-10-01T00:00:00Z", 1, true};
  r.suppressions.push_back({"s.yaml entry 1 (line 3)", "entra.c", "guid-app", "", "why", "owner", "2027-01-31", "active",
                            "", 1});
  const auto j = to_json(r);
  auto back = report_from_json(j, "r.json");
  REQUIRE(back);
  CHECK(to_json(back.value()) == j);

  auto broken = j;
  broken["findings"][1]["severity"] = "severe";
  auto e = report_from_json(broken, "r.json");
  REQUIRE_FALSE(e);
  CHECK(e.error().describe() == "r.json: findings[1].severity is not a severity (info, low, medium, high, critical): 'severe'");
  broken = j;
  broken["schema_version"] = "2.0.0";
  REQUIRE_FALSE(report_from_json(broken, "r.json"));
}
