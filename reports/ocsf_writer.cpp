// OCSF Detection Finding (class 2004) events, NDJSON. The mapping and the choice of status and activity
// are documented in docs/formats.md; keep the two in step.
#include "reports/report_util.hpp"
#include "reports/writers.hpp"

namespace adpersist::reports {

namespace {
using model::Json;

// The OCSF release this writer targets (metadata.version); every field used here is stable across 1.x.
constexpr const char* kOcsfVersion = "1.8.0";
constexpr int kCategoryFindings = 2;
constexpr int kClassDetectionFinding = 2004;

enum class Activity { create = 1, update = 2, close = 3 };
enum class Status { new_finding = 1, in_progress = 2, suppressed = 3, resolved = 4 };

std::string_view caption(Activity a) {
  switch (a) {
    case Activity::create: return "Create";
    case Activity::update: return "Update";
    case Activity::close: return "Close";
  }
  return "Unknown";
}

std::string_view caption(Status s) {
  switch (s) {
    case Status::new_finding: return "New";
    case Status::in_progress: return "In Progress";
    case Status::suppressed: return "Suppressed";
    case Status::resolved: return "Resolved";
  }
  return "Unknown";
}

// The classification and occurrence fields every event of the class requires.
Json base_event(const model::Report& r, Activity activity, model::Severity severity, Status status,
                std::int64_t time_ms) {
  Json e = Json::object();
  e["activity_id"] = static_cast<int>(activity);
  e["activity_name"] = caption(activity);
  e["category_uid"] = kCategoryFindings;
  e["category_name"] = "Findings";
  e["class_uid"] = kClassDetectionFinding;
  e["class_name"] = "Detection Finding";
  e["type_uid"] = kClassDetectionFinding * 100 + static_cast<int>(activity);
  e["type_name"] = "Detection Finding: " + std::string(caption(activity));
  e["severity_id"] = detail::severity_number(severity);
  e["severity"] = detail::severity_caption(severity);
  e["status_id"] = static_cast<int>(status);
  e["status"] = caption(status);
  e["time"] = time_ms;
  e["metadata"] = {
      {"version", kOcsfVersion},
      {"product", {{"name", "adpersist"}, {"vendor_name", "adpersist"}, {"version", r.tool_version}}}};
  return e;
}

Json resource(const model::Resource& res, const model::Target* t) {
  Json data = Json::object();
  data["dn"] = res.dn.empty() ? Json(nullptr) : Json(res.dn);
  data["sid"] = res.sid.empty() ? Json(nullptr) : Json(res.sid);
  if (t && t->platform == "entra") {
    data["tenant_id"] = t->tenant_id;
  } else if (t) {
    data["domain"] = t->domain;
    data["domain_sid"] = t->domain_sid.empty() ? Json(nullptr) : Json(t->domain_sid);
  }
  return Json::array({{{"uid", res.id}, {"name", res.name}, {"type", res.type}, {"data", data}}});
}

Json attacks(const std::vector<std::string>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) {
    const auto a = detail::split_attack(id);
    Json at = {{"technique", {{"uid", a.technique}}}};
    if (!a.sub_technique.empty()) at["sub_technique"] = {{"uid", a.sub_technique}};
    out.push_back(std::move(at));
  }
  return out;
}

Json analytic(const std::string& check_id, const std::string& title, const std::string& category) {
  Json a = {{"uid", check_id}, {"name", title}, {"type_id", 1}, {"type", "Rule"}};
  if (!category.empty()) a["category"] = category;
  return a;
}
}  // namespace

void write_ocsf(const model::Report& r, std::ostream& out) {
  // The finding's time is the run's evaluation time (`now`): when the scan observed the directory.
  const std::int64_t now_ms =
      detail::epoch_millis(r.now).value_or(detail::epoch_millis(r.finished_at).value_or(0));

  for (const auto& rf : r.findings) {
    const auto& f = rf.finding;
    // Lifecycle: a finding the baseline already held is an Update of that finding, else a Create. Status: new
    // findings (and every finding when no baseline is used) are New; findings someone already accepted into
    // the baseline are In Progress (seen, not fixed); a suppression wins over both.
    const Activity activity =
        rf.baseline_state == model::BaselineState::unchanged ? Activity::update : Activity::create;
    const Status status = rf.suppressed()                                        ? Status::suppressed
                          : rf.baseline_state == model::BaselineState::unchanged ? Status::in_progress
                                                                                 : Status::new_finding;
    Json e = base_event(r, activity, f.severity, status, now_ms);
    e["metadata"]["event_code"] = f.check_id;
    e["message"] = f.message;
    e["is_alert"] = !rf.suppressed();

    Json info = {{"uid", f.finding_id},
                 {"title", rf.title},
                 {"analytic", analytic(f.check_id, rf.title, rf.category)}};
    if (!rf.category.empty()) info["types"] = Json::array({rf.category});
    if (!rf.attack.empty()) info["attacks"] = attacks(rf.attack);
    if (auto t = detail::epoch_millis(rf.first_seen)) info["first_seen_time"] = *t;
    info["last_seen_time"] = now_ms;
    e["finding_info"] = std::move(info);

    e["resources"] = resource(f.resource, detail::target_of(r, f.check_id));
    if (!f.evidence.empty()) e["evidences"] = Json::array({{{"data", f.evidence}}});
    if (!rf.remediation.empty()) e["remediation"] = {{"desc", rf.remediation}, {"references", rf.references}};

    Json native = {{"finding_id", f.finding_id},
                   {"check_id", f.check_id},
                   {"status", rf.suppressed() ? "suppressed" : "open"},
                   {"baseline_state", rf.baseline_state == model::BaselineState::none
                                          ? Json(nullptr)
                                          : Json(std::string(model::to_string(rf.baseline_state)))}};
    if (rf.suppression)
      native["suppression"] = {{"rule", rf.suppression->rule},
                               {"reason", rf.suppression->reason},
                               {"owner", rf.suppression->owner},
                               {"expires", rf.suppression->expires}};
    e["unmapped"] = {{"adpersist", native}};
    out << dump_json(e) << '\n';
  }

  // Findings the baseline holds that this run no longer finds: the Close of the finding the SIEM already has.
  for (const auto& x : r.resolved) {
    Json e = base_event(r, Activity::close, x.severity, Status::resolved, now_ms);
    e["metadata"]["event_code"] = x.check_id;
    e["message"] = x.message;
    e["is_alert"] = false;
    Json info = {{"uid", x.finding_id}, {"title", x.title}, {"analytic", analytic(x.check_id, x.title, {})}};
    if (auto t = detail::epoch_millis(x.first_seen)) info["first_seen_time"] = *t;
    e["finding_info"] = std::move(info);
    e["resources"] = resource(x.resource, detail::target_of(r, x.check_id));
    e["unmapped"] = {
        {"adpersist", {{"finding_id", x.finding_id}, {"check_id", x.check_id}, {"status", "resolved"}}}};
    out << dump_json(e) << '\n';
  }
}

}  // namespace adpersist::reports
