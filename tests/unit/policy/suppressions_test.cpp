#include <catch2/catch.hpp>
#include <filesystem>

#include "scanner/engine/engine.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/parsers/ad_time.hpp"
#include "scanner/policy/suppressions.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using namespace adpersist::model;
using policy::SuppressionEntry;
using policy::SuppressionFile;
using Catch::Contains;

namespace {

TimePoint at(const char* rfc3339) { return parsers::parse_rfc3339(rfc3339).value(); }

SuppressionFile load_fixture(const std::string& name) {
  auto f = policy::load_suppressions(test::fixture_path("suppressions/" + name));
  INFO((f.ok() ? std::string() : f.error().describe()));
  REQUIRE(f.ok());
  return f.value();
}

SuppressionFile parse_ok(const std::string& text, const std::string& path = "inline.yaml") {
  auto f = policy::parse_suppressions(text, path);
  INFO((f.ok() ? std::string() : f.error().describe()));
  REQUIRE(f.ok());
  return f.value();
}

Error parse_error(const std::string& text, const std::string& path = "inline.yaml") {
  auto f = policy::parse_suppressions(text, path);
  REQUIRE_FALSE(f.ok());
  return f.error();
}

// One YAML entry with the given lines in place of the defaults (a key set to "" is left out).
std::string one_entry(std::map<std::string, std::string> over) {
  std::map<std::string, std::string> fields = {{"check", "ad.rbcd"},
                                               {"object", "dcd92fa5-84e8-4898-896a-a8b14c2ab5bc"},
                                               {"reason", "\"kiosk delegation (CHG-55)\""},
                                               {"owner", "windows-team@lab.adpersist.test"},
                                               {"expires", "2027-01-31"}};
  for (auto& [k, v] : over) fields[k] = v;
  std::string s = "version: 1\nsuppressions:\n";
  bool first = true;
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    s += (first ? "  - " : "    ") + k + ": " + v + "\n";
    first = false;
  }
  return s;
}

std::string problem_of(const std::string& yaml) {
  auto f = parse_ok(yaml);
  REQUIRE(f.entries.size() == 1);
  return f.entries[0].problem;
}

std::vector<const engine::Check*> checks(std::initializer_list<const char*> ids) {
  std::vector<const engine::Check*> v;
  for (const char* id : ids) {
    const auto* c = engine::CheckRegistry::instance().find(id);
    REQUIRE(c);
    v.push_back(c);
  }
  return v;
}

Report scan(const Snapshot& snap, std::initializer_list<const char*> ids) {
  engine::ScanOptions o;
  o.now = test::lab_now();
  o.fail_on = Severity::high;
  return engine::run_scan(snap, checks(ids), o);
}

const ReportFinding& finding(const Report& r, const std::string& id) {
  for (const auto& f : r.findings)
    if (f.finding.finding_id == id) return f;
  FAIL("no finding " << id << " in the scan");
  throw std::logic_error("unreachable");
}

const ReportFinding& finding_on(const Report& r, const std::string& check, const std::string& name) {
  const ReportFinding* hit = nullptr;
  for (const auto& f : r.findings)
    if (f.finding.check_id == check && f.finding.resource.name == name) {
      REQUIRE_FALSE(hit);  // the test means exactly one
      hit = &f;
    }
  INFO(check << " on " << name);
  REQUIRE(hit);
  return *hit;
}

bool any_line(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
  for (const auto& l : lines)
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("suppressions: the YAML and JSON forms of a file give the same entries", "[suppressions]") {
  const auto y = load_fixture("good.yaml");
  const auto j = load_fixture("good.json");
  REQUIRE(y.entries.size() == 7);
  REQUIRE(j.entries.size() == y.entries.size());
  for (std::size_t i = 0; i < y.entries.size(); ++i) {
    const auto& a = y.entries[i];
    const auto& b = j.entries[i];
    INFO("entry " << i + 1);
    CHECK(a.problem.empty());
    CHECK(b.problem.empty());
    CHECK(a.index == i + 1);
    CHECK(a.check == b.check);
    CHECK(a.object == b.object);
    CHECK(a.finding_id == b.finding_id);
    CHECK(a.reason == b.reason);
    CHECK(a.owner == b.owner);
    CHECK(a.expires == b.expires);
    CHECK(a.warnings.empty());
    CHECK(policy::entry_state(a, test::lab_now()) == "active");
    CHECK(policy::entry_state(b, test::lab_now()) == "active");
    CHECK(a.line > 0);
    CHECK(b.line > 0);
  }
  // Lines point at the entry's first line in either syntax.
  CHECK(y.entries[0].line == 7);
  CHECK(y.entries[1].line == 14);
  CHECK(j.entries[0].line == 4);
  CHECK(j.entries[1].line == 11);
  CHECK(policy::rule_text(y, y.entries[0]) == test::fixture_path("suppressions/good.yaml") + " entry 1 (line 7)");
  // A finding id is kept lower-case however it was typed.
  CHECK(y.entries[4].finding_id == "2eee46ffa150e55b892dd0cbe17d5095");
  CHECK(y.entries[3].object.empty());
  CHECK(y.entries[3].finding_id == "170a1aa452f3ad6a6a9ab487ade10080");
}

TEST_CASE("suppressions: every malformed entry is kept, invalid, with the reason", "[suppressions]") {
  const auto f = load_fixture("malformed.yaml");
  REQUIRE(f.entries.size() == 9);
  const auto now = test::lab_now();
  CHECK(f.entries[0].problem.empty());
  CHECK(policy::entry_state(f.entries[0], now) == "active");
  for (std::size_t i = 1; i < f.entries.size(); ++i) {
    INFO("entry " << i + 1);
    CHECK(policy::entry_state(f.entries[i], now) == "invalid");
    CHECK_FALSE(policy::days_left(f.entries[i], now).has_value());
  }
  CHECK(f.entries[1].problem == "missing 'owner'");
  CHECK_THAT(f.entries[2].problem, Contains("expires '2027-02-30' is not a date"));
  CHECK_THAT(f.entries[3].problem, Contains("unknown key 'expire' (did you mean 'expires'?)"));
  CHECK_THAT(f.entries[3].problem, Contains("missing 'expires'"));
  CHECK_THAT(f.entries[4].problem, Contains("check 'ad.*' has a wildcard"));
  CHECK_THAT(f.entries[5].problem, Contains("finding_id '11280bd93b4cdac0' is not a finding id"));
  CHECK_THAT(f.entries[6].problem, Contains("object 'WS-RBCD$' is not an objectGUID, SID, DN or Graph object id"));
  CHECK_THAT(f.entries[7].problem, Contains("missing 'expires'"));
  CHECK_THAT(f.entries[8].problem, Contains("the entry is a single value ('ad.rbcd'), not a mapping"));
  // Lines of the entries, for the messages.
  CHECK(f.entries[0].line == 4);
  CHECK(f.entries[8].line == 51);
}

TEST_CASE("suppressions: entry problems beyond the fixture", "[suppressions]") {
  SECTION("missing fields") {
    CHECK(problem_of(one_entry({{"reason", ""}})) == "missing 'reason'");
    CHECK(problem_of(one_entry({{"check", ""}})) == "missing 'check'");
    CHECK(problem_of(one_entry({{"object", ""}})) == "missing 'object' or 'finding_id'");
    CHECK(problem_of(one_entry({{"reason", "\"  \""}})) == "missing 'reason'");
    CHECK(problem_of(one_entry({{"owner", "~"}})) == "missing 'owner'");
  }
  SECTION("dates") {
    for (const char* bad : {"2027-3-31", "31.03.2027", "2027-03-31T00:00:00Z", "2027-13-01", "2026-02-29", "never",
                            "\"\"", "0"}) {
      INFO(bad);
      CHECK_THAT(problem_of(one_entry({{"expires", bad}})), Contains("expires"));
    }
    CHECK(problem_of(one_entry({{"expires", "2028-02-29"}})).empty());  // a leap day
    CHECK(problem_of(one_entry({{"expires", "\"2027-01-31\""}})).empty());
  }
  SECTION("check ids") {
    CHECK_THAT(problem_of(one_entry({{"check", "ad.rbc*"}})), Contains("wildcard"));
    CHECK_THAT(problem_of(one_entry({{"check", "\"*\""}})), Contains("wildcard"));
    CHECK_THAT(problem_of(one_entry({{"check", "ad.no-such-check"}})),
               Contains("no check has the id 'ad.no-such-check'"));
    CHECK_THAT(problem_of(one_entry({{"check", "AD.RBCD"}})), Contains("did you mean 'ad.rbcd'?"));
    CHECK_THAT(problem_of(one_entry({{"check", "A-AdminSDHolder"}})), Contains("is not a check id"));
  }
  SECTION("objects and finding ids") {
    CHECK_THAT(problem_of(one_entry({{"object", "\"*\""}})), Contains("wildcard"));
    CHECK_THAT(problem_of(one_entry({{"object", "\"CN=*,CN=Users,DC=lab\""}})), Contains("wildcard"));
    CHECK_THAT(problem_of(one_entry({{"object", "Administrator"}})), Contains("is not an objectGUID"));
    CHECK(problem_of(one_entry({{"object", "\"{DCD92FA5-84E8-4898-896A-A8B14C2AB5BC}\""}})).empty());
    CHECK(problem_of(one_entry({{"object", "s-1-5-21-1-2-3-1106"}})).empty());
    CHECK_THAT(problem_of(one_entry({{"object", ""}, {"finding_id", "11280bd93b4cdac079dad669d79355dg"}})),
               Contains("is not a finding id"));
    CHECK(problem_of(one_entry({{"object", ""}, {"finding_id", "11280bd93b4cdac079dad669d79355dd"}})).empty());
  }
  SECTION("unknown, duplicated and non-text keys") {
    CHECK_THAT(problem_of(one_entry({{"expires_at", "2027-01-31"}})),
               Contains("unknown key 'expires_at' (did you mean 'expires'?)"));
    CHECK_THAT(problem_of(one_entry({{"fingerprint", "x"}})), Contains("(did you mean 'finding_id'?)"));
    CHECK_THAT(problem_of(one_entry({{"color", "red"}})), Contains("allowed: check, object, finding_id"));
    const auto dup = problem_of(one_entry({}) + "    expires: 2099-12-31\n");
    CHECK_THAT(dup, Contains("key 'expires' appears twice"));
    CHECK_THAT(problem_of(one_entry({{"object", "[a, b]"}})), Contains("'object' must be one text value, not a list"));
    // No merge keys in yaml-cpp 0.7: the entry is invalid (it lacks what the merge would have supplied), never
    // quietly different from what its author read.
    CHECK_THAT(problem_of(one_entry({{"owner", ""}, {"<<", "{owner: iam@corp}"}})),
               Contains("unknown key '<<' (YAML merge keys are not supported"));
  }
  SECTION("JSON: types and duplicate keys") {
    auto f = parse_ok(R"({"version": 1, "suppressions": [
      {"check": "ad.rbcd", "object": "dcd92fa5-84e8-4898-896a-a8b14c2ab5bc", "reason": "r", "owner": "o",
       "expires": 20270131},
      {"check": "ad.rbcd", "object": ["a"], "reason": "r", "owner": "o", "expires": "2027-01-31"},
      {"check": "ad.rbcd", "object": "dcd92fa5-84e8-4898-896a-a8b14c2ab5bc", "reason": "r", "owner": "o",
       "expires": "2027-01-31", "expires": "2099-12-31"},
      "ad.rbcd",
      {"check": "ad.rbcd", "object": "dcd92fa5-84e8-4898-896a-a8b14c2ab5bc", "reason": "r", "owner": "o",
       "expires": "2027-01-31", "note": null}
    ]})", "inline.json");
    REQUIRE(f.entries.size() == 5);
    CHECK_THAT(f.entries[0].problem, Contains("'expires' must be one text value, not a number (20270131)"));
    CHECK_THAT(f.entries[1].problem, Contains("'object' must be one text value, not a list"));
    CHECK_THAT(f.entries[2].problem, Contains("key 'expires' appears twice"));
    CHECK_THAT(f.entries[3].problem, Contains("not a mapping"));
    CHECK_THAT(f.entries[4].problem, Contains("unknown key 'note'"));
    CHECK(f.entries[0].line == 2);
    CHECK(f.entries[1].line == 4);
    CHECK(f.entries[2].line == 5);
    CHECK(f.entries[3].line == 7);
  }
  SECTION("duplicates are found however the object is spelled") {
    auto f = parse_ok(one_entry({{"object", "\"CN=WS-RBCD,CN=Computers,DC=lab,DC=adpersist,DC=test\""}}) +
                      "  - {check: ad.rbcd, object: 'cn=ws-rbcd, cn=computers, dc=lab, dc=adpersist, dc=test',"
                      " reason: r, owner: o, expires: 2027-01-31}\n");
    REQUIRE(f.entries.size() == 2);
    CHECK(f.entries[0].warnings.empty());
    CHECK(f.entries[1].warnings.size() == 1);
  }
  SECTION("an empty list is a valid file that suppresses nothing") {
    CHECK(parse_ok("version: 1\nsuppressions: []\n").entries.empty());
    CHECK(parse_ok("version: 1\nsuppressions:\n").entries.empty());
    CHECK(parse_ok(R"({"version": 1, "suppressions": []})").entries.empty());
  }
}

TEST_CASE("suppressions: file-level errors stop the run and say where", "[suppressions]") {
  SECTION("YAML syntax: line and column") {
    auto f = policy::load_suppressions(test::fixture_path("suppressions/broken.yaml"));
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().code == ErrorCode::invalid_input);
    CHECK(f.error().context == test::fixture_path("suppressions/broken.yaml") + ":6:4");
    CHECK_THAT(f.error().message, Contains("YAML syntax error"));
  }
  SECTION("JSON syntax: line and column") {
    auto e = parse_error("{\n  \"version\": 1,\n  \"suppressions\": [\n    {\"check\": \"ad.rbcd\",}\n  ]\n}\n",
                         "s.json");
    CHECK(e.context == "s.json:4:25");
    CHECK_THAT(e.message, Contains("JSON syntax error"));
    // A .json name is parsed as JSON even when it does not start with '{'.
    CHECK_THAT(parse_error("version: 1\nsuppressions: []\n", "s.json").message, Contains("JSON syntax error"));
    // Without an extension the content decides.
    CHECK(parse_ok(R"({"version": 1, "suppressions": []})", "suppressions").entries.empty());
    CHECK(parse_ok("version: 1\nsuppressions: []\n", "suppressions").entries.empty());
  }
  SECTION("version") {
    CHECK_THAT(parse_error("suppressions: []\n").message, Contains("missing 'version'"));
    auto e = parse_error("# v2\nversion: 2\nsuppressions: []\n");
    CHECK(e.context == "inline.yaml:2");
    CHECK_THAT(e.message, Contains("version '2' is not supported"));
    CHECK_THAT(parse_error(R"({"version": 2, "suppressions": []})", "s.json").message, Contains("not supported"));
    CHECK_THAT(parse_error(R"({"version": 1.0, "suppressions": []})", "s.json").message, Contains("not supported"));
  }
  SECTION("shape") {
    CHECK_THAT(parse_error("").message, Contains("the file is empty"));
    CHECK_THAT(parse_error("# nothing\n").message, Contains("the file is empty"));
    CHECK_THAT(parse_error("- check: ad.rbcd\n").message, Contains("the file is a list"));
    CHECK_THAT(parse_error("version: 1\n").message, Contains("missing 'suppressions'"));
    CHECK_THAT(parse_error("version: 1\nsupressions: []\n").message, Contains("unknown top-level key 'supressions'"));
    auto e = parse_error("version: 1\nsuppressions:\n  check: ad.rbcd\n");
    CHECK_THAT(e.message, Contains("'suppressions' is a mapping, not a list"));
    CHECK(e.context == "inline.yaml:3");
    CHECK_THAT(parse_error("version: 1\nsuppressions: []\nsuppressions: []\n").message,
               Contains("key 'suppressions' appears twice"));
    CHECK_THAT(parse_error(R"({"version": 1, "suppressions": [], "suppressions": []})", "s.json").message,
               Contains("appears twice"));
    CHECK_THAT(parse_error("version: 1\nsuppressions: []\n---\nversion: 1\nsuppressions: []\n").message,
               Contains("more than one YAML document"));
    CHECK_THAT(parse_error("[1, 2]", "s.json").message, Contains("the file is a list"));
  }
  SECTION("unreadable") {
    auto missing = policy::load_suppressions("/nonexistent/suppressions.yaml");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::io);
    auto dir = policy::load_suppressions(test::fixture_path("suppressions"));
    REQUIRE_FALSE(dir.ok());
    CHECK_THAT(dir.error().message, Contains("is a directory"));
  }
}

TEST_CASE("suppressions: an entry suppresses through its last day (UTC) and not a second longer", "[suppressions]") {
  auto f = parse_ok(one_entry({{"expires", "2026-12-01"}}));
  const auto& e = f.entries[0];
  CHECK(policy::entry_state(e, at("2026-11-30T12:00:00Z")) == "active");
  CHECK(policy::entry_state(e, at("2026-12-01T00:00:00Z")) == "active");
  CHECK(policy::entry_state(e, at("2026-12-01T23:59:59.999999Z")) == "active");
  CHECK(policy::entry_state(e, at("2026-12-02T00:00:00Z")) == "expired");
  // A local time is converted: 23:30 at -01:00 is already the next day in UTC.
  CHECK(policy::entry_state(e, at("2026-12-01T23:30:00-01:00")) == "expired");
  CHECK(policy::days_left(e, at("2026-11-30T23:00:00Z")) == 1);
  CHECK(policy::days_left(e, at("2026-12-01T08:00:00Z")) == 0);
  CHECK(policy::days_left(e, at("2026-12-03T08:00:00Z")) == -2);

  SECTION("warnings: expiring today, soon, or more than a year out") {
    auto w = policy::entry_warnings(e, test::lab_now());
    REQUIRE(w.size() == 1);
    CHECK_THAT(w[0], Contains("expires today"));
    auto soon = parse_ok(one_entry({{"expires", "2026-12-20"}}));
    w = policy::entry_warnings(soon.entries[0], test::lab_now());
    REQUIRE(w.size() == 1);
    CHECK_THAT(w[0], Contains("expires in 19 days (2026-12-20"));
    auto calm = parse_ok(one_entry({{"expires", "2027-06-30"}}));
    CHECK(policy::entry_warnings(calm.entries[0], test::lab_now()).empty());
    auto far = parse_ok(one_entry({{"expires", "2028-06-30"}}));
    CHECK(policy::entry_state(far.entries[0], test::lab_now()) == "active");  // allowed, but flagged
    w = policy::entry_warnings(far.entries[0], test::lab_now());
    REQUIRE(w.size() == 1);
    CHECK_THAT(w[0], Contains("577 days away"));
    CHECK(policy::entry_warnings(e, at("2026-12-05T00:00:00Z")).empty());  // expired: the state says it all
  }
}

TEST_CASE("suppressions: entries match lab findings by GUID, SID, DN and finding id", "[suppressions]") {
  auto r = scan(test::lab_snapshot(), {"ad.spn-on-privileged-user", "ad.unconstrained-delegation",
                                       "ad.weak-kerberos-encryption", "ad.dsheuristics", "ad.adminsdholder-acl"});
  const auto file = load_fixture("good.yaml");
  const auto lines = policy::apply_suppressions(file, r, test::lab_now());

  const auto& spn = finding_on(r, "ad.spn-on-privileged-user", "adm-sql");  // by objectGUID
  REQUIRE(spn.suppressed());
  CHECK(spn.suppression->rule == policy::rule_text(file, file.entries[0]));
  CHECK(spn.suppression->owner == "iam-team@lab.adpersist.test");
  CHECK(spn.suppression->expires == "2027-03-31");
  CHECK_THAT(spn.suppression->reason, Contains("CHG-1234"));
  CHECK(finding_on(r, "ad.unconstrained-delegation", "SRV-LEGACY$").suppressed());  // by SID
  CHECK(finding_on(r, "ad.weak-kerberos-encryption", "rc4-svc").suppressed());       // by DN, other case/spaces
  CHECK_FALSE(finding_on(r, "ad.weak-kerberos-encryption", "des-user").suppressed());
  // By finding id: one of the two dSHeuristics findings on the same object.
  CHECK(finding(r, "170a1aa452f3ad6a6a9ab487ade10080").suppressed());
  CHECK_FALSE(finding(r, "c608365a6c93fb5ee843da366914764b").suppressed());
  // Object and finding id: only the finding with both.
  std::size_t adminsd = 0, adminsd_suppressed = 0;
  for (const auto& f : r.findings)
    if (f.finding.check_id == "ad.adminsdholder-acl") {
      ++adminsd;
      adminsd_suppressed += f.suppressed();
      CHECK(f.suppressed() == (f.finding.finding_id == "2eee46ffa150e55b892dd0cbe17d5095"));
    }
  CHECK(adminsd > 1);
  CHECK(adminsd_suppressed == 1);

  REQUIRE(r.suppressions.size() == 7);
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("entry " << i + 1);
    CHECK(r.suppressions[i].state == "active");
    CHECK(r.suppressions[i].matched == 1);
    CHECK(r.suppressions[i].problem.empty());
  }
  // The Entra entries matched nothing, but their checks did not run: no "matched nothing" note.
  CHECK(r.suppressions[5].matched == 0);
  CHECK(r.suppressions[6].matched == 0);
  CHECK(lines.empty());
  CHECK(r.count_suppressed() == 5);
  // The report says so: the finding stays, marked.
  const auto j = to_json(r);
  CHECK(j["suppressions"].size() == 7);
  CHECK(j["suppressions"][0]["state"] == "active");
  std::size_t marked = 0;
  for (const auto& f : j["findings"])
    if (f["status"] == "suppressed") {
      ++marked;
      CHECK(f["suppression"]["owner"].is_string());
    }
  CHECK(marked == 5);
}

TEST_CASE("suppressions: entries match Entra findings by Graph object id", "[suppressions]") {
  auto r = scan(test::tenant_snapshot(), {"entra.app-credentials", "entra.federation-signing-certificate"});
  const auto file = load_fixture("good.json");
  const auto lines = policy::apply_suppressions(file, r, test::lab_now());
  CHECK(finding_on(r, "entra.app-credentials", "HR Sync").suppressed());
  CHECK_FALSE(finding_on(r, "entra.app-credentials", "Backup Automation").suppressed());
  CHECK(finding_on(r, "entra.federation-signing-certificate", "fed.contoso.com").suppressed());
  CHECK_FALSE(finding_on(r, "entra.federation-signing-certificate", "partners.contoso.com").suppressed());
  CHECK(r.suppressions[5].matched == 1);
  CHECK(r.suppressions[6].matched == 1);
  CHECK(lines.empty());
}

TEST_CASE("suppressions: a suppressed finding never trips the gate; an expired entry stops suppressing",
          "[suppressions]") {
  const auto file = load_fixture("lab.yaml");
  auto fresh = [] { return scan(test::lab_snapshot(), {"ad.spn-on-privileged-user"}); };

  auto before = fresh();
  const auto& f0 = finding(before, "0d5c1589fb7d6dd6d1b3dba1f92b7468");
  CHECK(before.trips_gate(f0));
  CHECK(before.exit_code() == 1);

  auto r = fresh();
  auto lines = policy::apply_suppressions(file, r, test::lab_now());
  const auto& f = finding(r, "0d5c1589fb7d6dd6d1b3dba1f92b7468");
  CHECK(f.suppressed());
  CHECK_FALSE(r.trips_gate(f));
  CHECK_FALSE(r.gate_tripped());
  CHECK(r.exit_code() == 0);
  CHECK(r.findings.size() == before.findings.size());  // still reported
  // Entry 2 (expired 2026-11-30) is reported even though its check did not run in this scan.
  REQUIRE(r.suppressions.size() == 2);
  CHECK(r.suppressions[1].state == "expired");
  CHECK(r.suppressions[1].problem == "expired on 2026-11-30");
  CHECK(any_line(lines, "lab.yaml entry 2 (line 14): expired on 2026-11-30", "no longer suppresses"));

  // The day after entry 1's last day, the same finding counts again.
  auto later = fresh();
  lines = policy::apply_suppressions(file, later, at("2027-04-01T00:00:00Z"));
  const auto& g = finding(later, "0d5c1589fb7d6dd6d1b3dba1f92b7468");
  CHECK_FALSE(g.suppressed());
  CHECK(later.trips_gate(g));
  CHECK(later.exit_code() == 1);
  CHECK(later.suppressions[0].state == "expired");
  CHECK(later.suppressions[0].matched == 0);
  CHECK(any_line(lines, "entry 1 (line 8): expired on 2027-03-31", "(1 finding no longer suppressed)"));
}

TEST_CASE("suppressions: invalid entries suppress nothing and are reported", "[suppressions]") {
  auto r = scan(test::lab_snapshot(), {"ad.rbcd"});
  const auto file = load_fixture("malformed.yaml");
  const auto lines = policy::apply_suppressions(file, r, test::lab_now());
  // Entry 1 (by SID) suppresses WS-RBCD; every other entry names the same object but is invalid.
  const auto& ws = finding_on(r, "ad.rbcd", "WS-RBCD$");
  REQUIRE(ws.suppressed());
  CHECK_THAT(ws.suppression->rule, Contains("malformed.yaml entry 1 (line 4)"));
  CHECK(r.count_suppressed() == 1);
  CHECK(r.suppressions[0].matched == 1);
  for (std::size_t i = 1; i < r.suppressions.size(); ++i) {
    CHECK(r.suppressions[i].state == "invalid");
    CHECK(r.suppressions[i].matched == 0);
    CHECK_FALSE(r.suppressions[i].problem.empty());
  }
  CHECK(lines.size() == 8);
  CHECK(any_line(lines, "malformed.yaml entry 4 (line 21): invalid, suppresses nothing:", "unknown key 'expire'"));
}

TEST_CASE("suppressions: duplicates, stale entries, first match wins, terminal-safe lines", "[suppressions]") {
  auto r = scan(test::lab_snapshot(), {"ad.rbcd"});
  const std::string ws_rbcd = "dcd92fa5-84e8-4898-896a-a8b14c2ab5bc";
  auto file = parse_ok(
      "version: 1\nsuppressions:\n"
      "  - {check: ad.rbcd, object: " + ws_rbcd + ", reason: first, owner: a, expires: 2027-01-31}\n"
      "  - {check: ad.rbcd, object: '{" + ws_rbcd + "}', reason: second, owner: b, expires: 2027-02-28}\n"
      // DC1's RBCD finding exists, but this GUID is no object of the lab.
      "  - {check: ad.rbcd, object: 00000000-1111-2222-3333-444444444444, reason: stale, owner: c,"
      " expires: 2027-01-31}\n"
      "  - {check: ad.rbcd, object: " + ws_rbcd + ", reason: r, owner: \"evil\\e[31m\", expires: 2026-01-01}\n"
      "  - {check: ad.sid-history, object: " + ws_rbcd + ", reason: r, owner: d, expires: 2027-01-31}\n");
  REQUIRE(file.entries.size() == 5);
  CHECK(file.entries[1].warnings ==
        std::vector<std::string>{"names the same check and object/finding as entry 1"});
  const auto lines = policy::apply_suppressions(file, r, test::lab_now());
  const auto& ws = finding_on(r, "ad.rbcd", "WS-RBCD$");
  REQUIRE(ws.suppressed());
  CHECK(ws.suppression->reason == "first");
  CHECK(r.suppressions[0].matched == 1);
  CHECK(r.suppressions[1].matched == 1);
  CHECK(any_line(lines, "inline.yaml entry 2 (line 4): names the same check and object/finding as entry 1"));
  CHECK(any_line(lines, "note: inline.yaml entry 3 (line 5): matched no finding of ad.rbcd on 00000000-1111"));
  // The owner's escape sequence reaches stderr only as visible text.
  CHECK(any_line(lines, "entry 4 (line 6): expired on 2026-01-01 (owner evil\\x1b[31m)"));
  for (const auto& l : lines) CHECK(l.find('\x1b') == std::string::npos);
  // ad.sid-history did not run: no note for entry 5.
  CHECK_FALSE(any_line(lines, "entry 5"));
}
