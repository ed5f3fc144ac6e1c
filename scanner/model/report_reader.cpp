// The JSON report read back (schema 1.x). A saved report is the input of `report`, `diff` and `baseline
// accept`, so every field is checked for its type and a wrong one is an error naming the field, never a
// silently empty report.
#include <string>

#include "scanner/model/json_fields.hpp"
#include "scanner/model/report.hpp"
#include "scanner/util/fs.hpp"

namespace adpersist::model {

namespace {


CheckStatus parse_status(JsonFields& rd, const std::string& path, const std::string& s) {
  for (auto st : {CheckStatus::passed, CheckStatus::failed, CheckStatus::not_evaluated, CheckStatus::error})
    if (s == to_string(st)) return st;
  rd.fail(path, "is not a check status: '" + s + "'");
  return CheckStatus::error;
}

}  // namespace

Result<Report> report_from_json(const Json& j, const std::string& source) {
  JsonFields rd(source);
  Report r;
  if (!j.is_object()) return make_error(ErrorCode::invalid_input, "not an adpersist JSON report (not an object)", source);
  const auto version = rd.str(j, "", "schema_version");
  if (!rd.ok()) return make_error(ErrorCode::invalid_input, "not an adpersist JSON report (no schema_version)", source);
  if (version.rfind("1.", 0) != 0)
    return make_error(ErrorCode::unsupported,
                      "report schema version " + version + " is not one this adpersist reads (1.x)", source);

  if (const Json* tool = rd.field(j, "", "tool")) r.tool_version = rd.str(*tool, "tool", "version");
  if (const Json* run = rd.field(j, "", "run")) {
    r.started_at = rd.str(*run, "run", "started_at");
    r.finished_at = rd.str(*run, "run", "finished_at");
    r.now = rd.str(*run, "run", "now");
    r.since_seconds = rd.integer(*run, "run", "since_seconds");
    const auto fail_on = rd.str(*run, "run", "fail_on");
    if (rd.ok() && fail_on != "none") {
      r.fail_on = parse_severity(fail_on);
      if (!r.fail_on) rd.fail("run.fail_on", "is not none or a severity: '" + fail_on + "'");
    }
  }
  const auto& targets = rd.array(j, "", "targets");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto p = JsonFields::at("", "targets", i);
    const auto& t = targets[i];
    Target tg;
    tg.platform = rd.str(t, p, "platform");
    tg.domain = rd.str(t, p, "domain");
    tg.domain_dn = rd.str(t, p, "domain_dn");
    tg.domain_sid = rd.str(t, p, "domain_sid");
    tg.netbios_name = rd.str(t, p, "netbios_name");
    tg.tenant_id = rd.str(t, p, "tenant_id", false);
    tg.tenant_name = rd.str(t, p, "tenant_name", false);
    tg.sources = rd.strings(t, p, "sources");
    r.targets.push_back(std::move(tg));
  }
  const auto& datasets = rd.array(j, "", "datasets");
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    const auto p = JsonFields::at("", "datasets", i);
    r.datasets.push_back({rd.str(datasets[i], p, "name"), rd.str(datasets[i], p, "state"),
                          rd.str(datasets[i], p, "reason")});
  }
  const auto& checks = rd.array(j, "", "checks");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto p = JsonFields::at("", "checks", i);
    const auto& c = checks[i];
    CheckResult cr;
    cr.id = rd.str(c, p, "id");
    cr.title = rd.str(c, p, "title");
    cr.category = rd.str(c, p, "category");
    cr.severity = rd.severity(c, p, "severity");
    cr.status = parse_status(rd, JsonFields::join(p, "status"), rd.str(c, p, "status"));
    cr.reason = rd.str(c, p, "reason", false);
    cr.findings = static_cast<std::size_t>(rd.integer(c, p, "findings"));
    cr.notes = rd.strings(c, p, "notes");
    r.checks.push_back(std::move(cr));
  }
  const auto& findings = rd.array(j, "", "findings");
  for (std::size_t i = 0; i < findings.size() && rd.ok(); ++i) {
    const auto p = JsonFields::at("", "findings", i);
    const auto& f = findings[i];
    ReportFinding rf;
    rf.finding.finding_id = rd.str(f, p, "finding_id");
    rf.finding.check_id = rd.str(f, p, "check_id");
    rf.finding.severity = rd.severity(f, p, "severity");
    rf.finding.message = rd.str(f, p, "message");
    rf.finding.resource = rd.resource(f, p);
    if (const Json* ev = rd.field(f, p, "evidence")) {
      if (ev->is_object()) rf.finding.evidence = *ev;
      else rd.fail(JsonFields::join(p, "evidence"), "is not an object");
    }
    rf.title = rd.str(f, p, "title");
    rf.category = rd.str(f, p, "category");
    rf.remediation = rd.str(f, p, "remediation");
    rf.references = rd.strings(f, p, "references");
    const auto& attack = rd.array(f, p, "attack");
    for (std::size_t k = 0; k < attack.size(); ++k) rf.attack.push_back(rd.str(attack[k], JsonFields::at(p, "attack", k), "technique_id"));
    // 1.1.0 fields; absent in 1.0.0 reports.
    const auto state = rd.str(f, p, "baseline_state", false);
    if (state == "new") rf.baseline_state = BaselineState::new_finding;
    else if (state == "unchanged") rf.baseline_state = BaselineState::unchanged;
    else if (!state.empty()) rd.fail(JsonFields::join(p, "baseline_state"), "is not new, unchanged or null: '" + state + "'");
    rf.first_seen = rd.str(f, p, "first_seen", false);
    if (const Json* s = rd.field(f, p, "suppression", false)) {
      const auto sp = JsonFields::join(p, "suppression");
      rf.suppression = Suppression{rd.str(*s, sp, "rule"), rd.str(*s, sp, "reason"), rd.str(*s, sp, "owner"),
                                   rd.str(*s, sp, "expires")};
    }
    r.findings.push_back(std::move(rf));
  }
  r.notes = rd.strings(j, "", "notes");

  if (const Json* b = rd.field(j, "", "baseline", false)) {
    BaselineInfo bi;
    bi.source = rd.str(*b, "baseline", "source");
    bi.created_at = rd.str(*b, "baseline", "created_at", false);
    bi.findings = static_cast<std::size_t>(rd.integer(*b, "baseline", "findings"));
    bi.existed = rd.boolean(*b, "baseline", "existed");
    r.baseline = bi;
  }
  const auto& resolved = rd.array(j, "", "resolved", false);
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    const auto p = JsonFields::at("", "resolved", i);
    const auto& x = resolved[i];
    ResolvedFinding rf;
    rf.finding_id = rd.str(x, p, "finding_id");
    rf.check_id = rd.str(x, p, "check_id");
    rf.title = rd.str(x, p, "title");
    rf.severity = rd.severity(x, p, "severity");
    rf.message = rd.str(x, p, "message");
    rf.resource = rd.resource(x, p);
    rf.first_seen = rd.str(x, p, "first_seen", false);
    r.resolved.push_back(std::move(rf));
  }
  const auto& sups = rd.array(j, "", "suppressions", false);
  for (std::size_t i = 0; i < sups.size(); ++i) {
    const auto p = JsonFields::at("", "suppressions", i);
    const auto& x = sups[i];
    SuppressionStatus s;
    s.rule = rd.str(x, p, "rule");
    s.check = rd.str(x, p, "check");
    s.object = rd.str(x, p, "object", false);
    s.finding_id = rd.str(x, p, "finding_id", false);
    s.reason = rd.str(x, p, "reason");
    s.owner = rd.str(x, p, "owner");
    s.expires = rd.str(x, p, "expires");
    s.state = rd.str(x, p, "state");
    s.problem = rd.str(x, p, "problem", false);
    s.matched = static_cast<std::size_t>(rd.integer(x, p, "matched"));
    r.suppressions.push_back(std::move(s));
  }
  if (const Json* summary = rd.field(j, "", "summary"))
    if (const Json* gate = rd.field(*summary, "summary", "gate")) r.fail_on_new = rd.boolean(*gate, "summary.gate", "fail_on_new", false);
  if (!rd.ok()) return rd.error();
  return r;
}

Result<Report> read_report_file(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) return text.error();
  Json j = Json::parse(text.value(), nullptr, false);
  if (j.is_discarded())
    return make_error(ErrorCode::invalid_input, "not JSON (an adpersist report is written by --format json)", path);
  return report_from_json(j, path);
}

}  // namespace adpersist::model
