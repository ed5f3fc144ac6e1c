#include "scanner/model/report.hpp"

namespace adpersist::model {

std::string_view to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::passed: return "passed";
    case CheckStatus::failed: return "failed";
    case CheckStatus::not_evaluated: return "not_evaluated";
    case CheckStatus::error: return "error";
  }
  return "error";
}

bool Report::incomplete() const {
  for (const auto& d : datasets)
    if (d.state == "partial") return true;
  for (const auto& c : checks)
    if (c.status == CheckStatus::not_evaluated || c.status == CheckStatus::error) return true;
  return false;
}

std::string_view to_string(BaselineState s) {
  switch (s) {
    case BaselineState::none: return "";
    case BaselineState::new_finding: return "new";
    case BaselineState::unchanged: return "unchanged";
  }
  return "";
}

bool Report::trips_gate(const ReportFinding& f) const {
  if (!fail_on || f.suppressed()) return false;
  if (fail_on_new && f.baseline_state != BaselineState::new_finding) return false;
  return f.finding.severity >= *fail_on;
}

bool Report::gate_tripped() const {
  for (const auto& f : findings)
    if (trips_gate(f)) return true;
  return false;
}

std::size_t Report::count_baseline(BaselineState s) const {
  std::size_t n = 0;
  for (const auto& f : findings) n += f.baseline_state == s;
  return n;
}

std::size_t Report::count_suppressed() const {
  std::size_t n = 0;
  for (const auto& f : findings) n += f.suppressed();
  return n;
}

int Report::exit_code() const {
  if (incomplete()) return 3;
  return gate_tripped() ? 1 : 0;
}

std::vector<std::size_t> Report::count_by_severity() const {
  std::vector<std::size_t> n(5, 0);
  for (const auto& f : findings) n[static_cast<std::size_t>(f.finding.severity)]++;
  return n;
}

Json to_json(const Resource& r) {
  Json j = Json::object();
  j["type"] = r.type;
  j["id"] = r.id;
  j["dn"] = r.dn;
  j["sid"] = r.sid.empty() ? Json(nullptr) : Json(r.sid);
  j["name"] = r.name;
  return j;
}

namespace {
Json or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
}  // namespace

Json to_json(const Report& r) {
  Json j = Json::object();
  j["schema_version"] = kReportSchemaVersion;
  j["tool"] = {{"name", "adpersist"}, {"version", r.tool_version}};
  j["run"] = {{"started_at", r.started_at},
              {"finished_at", r.finished_at},
              {"now", r.now},
              {"since_seconds", r.since_seconds},
              {"fail_on", r.fail_on ? Json(std::string(to_string(*r.fail_on))) : Json("none")}};
  Json targets = Json::array();
  for (const auto& t : r.targets) {
    Json tj = {{"platform", t.platform},
               {"domain", t.domain},
               {"domain_dn", t.domain_dn},
               {"domain_sid", t.domain_sid},
               {"netbios_name", t.netbios_name}};
    if (t.platform == "entra") {
      tj["tenant_id"] = t.tenant_id;
      tj["tenant_name"] = t.tenant_name;
    }
    tj["sources"] = t.sources;
    targets.push_back(std::move(tj));
  }
  j["targets"] = targets;

  Json sev = Json::object();
  const auto counts = r.count_by_severity();
  for (int s = 4; s >= 0; --s) sev[std::string(to_string(static_cast<Severity>(s)))] = counts[static_cast<std::size_t>(s)];
  Json by_status = Json::object();
  for (auto st : {CheckStatus::passed, CheckStatus::failed, CheckStatus::not_evaluated, CheckStatus::error}) {
    std::size_t n = 0;
    for (const auto& c : r.checks) n += c.status == st;
    by_status[std::string(to_string(st))] = n;
  }
  j["summary"] = {{"findings", r.findings.size()},
                  {"by_severity", sev},
                  {"checks_run", r.checks.size()},
                  {"checks_by_status", by_status},
                  {"complete", !r.incomplete()},
                  {"suppressed", r.count_suppressed()},
                  {"new", r.baseline ? Json(r.count_baseline(BaselineState::new_finding)) : Json(nullptr)},
                  {"unchanged", r.baseline ? Json(r.count_baseline(BaselineState::unchanged)) : Json(nullptr)},
                  {"resolved", r.baseline ? Json(r.resolved.size()) : Json(nullptr)},
                  {"gate", {{"fail_on", r.fail_on ? Json(std::string(to_string(*r.fail_on))) : Json("none")},
                            {"fail_on_new", r.fail_on_new},
                            {"tripped", r.gate_tripped()}}},
                  {"exit_code", r.exit_code()}};

  Json datasets = Json::array();
  for (const auto& d : r.datasets) datasets.push_back({{"name", d.name}, {"state", d.state}, {"reason", d.reason}});
  j["datasets"] = datasets;

  Json checks = Json::array();
  for (const auto& c : r.checks) {
    checks.push_back({{"id", c.id},
                      {"title", c.title},
                      {"category", c.category},
                      {"severity", to_string(c.severity)},
                      {"status", to_string(c.status)},
                      {"reason", c.reason.empty() ? Json(nullptr) : Json(c.reason)},
                      {"findings", c.findings},
                      {"notes", c.notes}});
  }
  j["checks"] = checks;

  Json findings = Json::array();
  for (const auto& rf : r.findings) {
    const auto& f = rf.finding;
    Json attack = Json::array();
    for (const auto& t : rf.attack) attack.push_back({{"technique_id", t}});
    findings.push_back({{"finding_id", f.finding_id},
                        {"check_id", f.check_id},
                        {"title", rf.title},
                        {"category", rf.category},
                        {"severity", to_string(f.severity)},
                        {"message", f.message},
                        {"resource", to_json(f.resource)},
                        {"evidence", f.evidence},
                        {"attack", attack},
                        {"references", rf.references},
                        {"remediation", rf.remediation},
                        {"status", rf.suppressed() ? "suppressed" : "open"},
                        {"baseline_state", or_null(std::string(to_string(rf.baseline_state)))},
                        {"first_seen", or_null(rf.first_seen)},
                        {"suppression", rf.suppression ? Json{{"rule", rf.suppression->rule},
                                                              {"reason", rf.suppression->reason},
                                                              {"owner", rf.suppression->owner},
                                                              {"expires", rf.suppression->expires}}
                                                       : Json(nullptr)}});
  }
  j["findings"] = findings;
  j["notes"] = r.notes;

  if (r.baseline)
    j["baseline"] = {{"source", r.baseline->source},
                     {"created_at", or_null(r.baseline->created_at)},
                     {"findings", r.baseline->findings},
                     {"existed", r.baseline->existed}};
  else
    j["baseline"] = nullptr;
  Json resolved = Json::array();
  for (const auto& x : r.resolved)
    resolved.push_back({{"finding_id", x.finding_id},
                        {"check_id", x.check_id},
                        {"title", x.title},
                        {"severity", to_string(x.severity)},
                        {"message", x.message},
                        {"resource", to_json(x.resource)},
                        {"first_seen", or_null(x.first_seen)}});
  j["resolved"] = resolved;
  Json sup = Json::array();
  for (const auto& x : r.suppressions)
    sup.push_back({{"rule", x.rule},
                   {"check", x.check},
                   {"object", or_null(x.object)},
                   {"finding_id", or_null(x.finding_id)},
                   {"reason", x.reason},
                   {"owner", x.owner},
                   {"expires", x.expires},
                   {"state", x.state},
                   {"problem", or_null(x.problem)},
                   {"matched", x.matched}});
  j["suppressions"] = sup;
  return j;
}

}  // namespace adpersist::model
