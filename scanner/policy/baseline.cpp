#include "scanner/policy/baseline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include "scanner/model/json_fields.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::policy {

using model::Json;

namespace {

bool is_finding_id(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool in(const std::vector<std::string>& platforms, const std::string& p) {
  return platforms.empty() || std::find(platforms.begin(), platforms.end(), p) != platforms.end();
}

// Checks that ran to completion in `r`: only their silence proves a baseline finding is gone.
std::unordered_set<std::string> completed_checks(const model::Report& r) {
  std::unordered_set<std::string> ids;
  for (const auto& c : r.checks)
    if (c.status == model::CheckStatus::passed || c.status == model::CheckStatus::failed) ids.insert(c.id);
  return ids;
}

}  // namespace

std::string platform_of_check(std::string_view check_id) {
  return std::string(check_id.substr(0, check_id.find('.')));
}

Json to_json(const Baseline& b) {
  Json targets = Json::array();
  for (const auto& t : b.targets) targets.push_back({{"platform", t.platform}, {"id", t.id}, {"name", t.name}});
  Json findings = Json::array();
  for (const auto& e : b.findings)
    findings.push_back({{"finding_id", e.finding_id},
                        {"check_id", e.check_id},
                        {"severity", model::to_string(e.severity)},
                        {"title", e.title},
                        {"message", e.message},
                        {"resource", model::to_json(e.resource)},
                        {"first_seen", e.first_seen}});
  return {{"format", kBaselineFormat},
          {"version", kBaselineVersion},
          {"created_at", b.created_at},
          {"tool_version", b.tool_version},
          {"targets", targets},
          {"findings", findings}};
}

Result<Baseline> baseline_from_json(const Json& j, const std::string& source) {
  model::JsonFields rd(source);
  if (!j.is_object() || !j.contains("format") || j["format"] != kBaselineFormat)
    return make_error(ErrorCode::invalid_input,
                      "not an adpersist baseline (no \"format\": \"adpersist-baseline\"); a JSON report is turned into "
                      "one with `adpersist baseline accept REPORT.json -o FILE`",
                      source);
  const auto version = rd.integer(j, "", "version");
  if (rd.ok() && version != kBaselineVersion)
    return make_error(ErrorCode::unsupported,
                      "baseline version " + std::to_string(version) + " is not one this adpersist reads (1)", source);
  Baseline b;
  b.created_at = rd.str(j, "", "created_at");
  b.tool_version = rd.str(j, "", "tool_version");
  const auto& targets = rd.array(j, "", "targets");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto p = model::JsonFields::at("", "targets", i);
    b.targets.push_back({rd.str(targets[i], p, "platform"), rd.str(targets[i], p, "id"), rd.str(targets[i], p, "name")});
  }
  const auto& findings = rd.array(j, "", "findings");
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < findings.size() && rd.ok(); ++i) {
    const auto p = model::JsonFields::at("", "findings", i);
    const auto& f = findings[i];
    BaselineEntry e;
    e.finding_id = rd.str(f, p, "finding_id");
    e.check_id = rd.str(f, p, "check_id");
    e.severity = rd.severity(f, p, "severity");
    e.title = rd.str(f, p, "title");
    e.message = rd.str(f, p, "message");
    e.resource = rd.resource(f, p);
    e.first_seen = rd.str(f, p, "first_seen");
    if (!rd.ok()) break;
    if (!is_finding_id(e.finding_id)) rd.fail(p + ".finding_id", "is not 32 lower-case hex digits: '" + e.finding_id + "'");
    else if (!seen.insert(e.finding_id).second) rd.fail(p + ".finding_id", "appears twice: " + e.finding_id);
    b.findings.push_back(std::move(e));
  }
  if (!rd.ok()) return rd.error();
  return b;
}

Result<std::optional<Baseline>> read_baseline(const std::string& path) {
  if (!util::file_exists(path)) return std::optional<Baseline>{};
  auto text = util::read_file(path);
  if (!text) return text.error();
  Json j = Json::parse(text.value(), nullptr, false);
  if (j.is_discarded())
    return make_error(ErrorCode::invalid_input, "the baseline is not valid JSON (corrupt or truncated?)", path);
  auto b = baseline_from_json(j, path);
  if (!b) return b.error();
  return std::optional<Baseline>(std::move(b.value()));
}

Status write_baseline(const std::string& path, const Baseline& b) {
  return util::write_file_atomic(path, to_json(b).dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

Result<util::FileLock> lock_baseline(const std::string& path, int timeout_s) {
  return util::FileLock::acquire(path + ".lock", timeout_s);
}

std::vector<BaselineTarget> targets_of(const model::Report& r) {
  std::vector<BaselineTarget> out;
  for (const auto& t : r.targets) {
    if (t.platform == "entra") out.push_back({t.platform, t.tenant_id, t.tenant_name.empty() ? t.domain : t.tenant_name});
    else out.push_back({t.platform, t.domain_sid, t.domain});
  }
  return out;
}

void compare_with_baseline(model::Report& r, const Baseline* b, const std::vector<std::string>& platforms) {
  std::unordered_map<std::string_view, const BaselineEntry*> accepted;
  if (b)
    for (const auto& e : b->findings) accepted.emplace(e.finding_id, &e);
  std::unordered_set<std::string_view> present;
  for (auto& rf : r.findings) {
    const auto& f = rf.finding;
    if (!in(platforms, platform_of_check(f.check_id))) continue;
    present.insert(f.finding_id);
    if (auto it = accepted.find(f.finding_id); it != accepted.end()) {
      rf.baseline_state = model::BaselineState::unchanged;
      rf.first_seen = it->second->first_seen.empty() ? b->created_at : it->second->first_seen;
    } else {
      rf.baseline_state = model::BaselineState::new_finding;
      rf.first_seen = r.now;
    }
  }
  if (!b) return;
  const auto completed = completed_checks(r);
  for (const auto& e : b->findings) {
    if (!in(platforms, platform_of_check(e.check_id)) || present.count(e.finding_id) ||
        !completed.count(e.check_id))
      continue;
    r.resolved.push_back({e.finding_id, e.check_id, e.title, e.message, e.first_seen, e.severity, e.resource});
  }
}

Baseline baseline_from_report(const model::Report& r, const Baseline* previous, const std::vector<std::string>& platforms) {
  Baseline b;
  b.created_at = r.finished_at.empty() ? r.now : r.finished_at;
  b.tool_version = r.tool_version;
  for (auto& t : targets_of(r))
    if (in(platforms, t.platform)) b.targets.push_back(std::move(t));
  std::unordered_map<std::string_view, const BaselineEntry*> before;
  if (previous)
    for (const auto& e : previous->findings) before.emplace(e.finding_id, &e);
  std::unordered_set<std::string_view> present;
  for (const auto& rf : r.findings) {
    const auto& f = rf.finding;
    if (!in(platforms, platform_of_check(f.check_id)) || !present.insert(f.finding_id).second) continue;
    BaselineEntry e{f.finding_id, f.check_id, rf.title, f.message, rf.first_seen, f.severity, f.resource};
    if (auto it = before.find(f.finding_id); it != before.end() && !it->second->first_seen.empty())
      e.first_seen = it->second->first_seen;
    if (e.first_seen.empty()) e.first_seen = r.now;
    b.findings.push_back(std::move(e));
  }
  if (previous) {
    const auto completed = completed_checks(r);
    for (const auto& e : previous->findings)
      if (in(platforms, platform_of_check(e.check_id)) && !present.count(e.finding_id) && !completed.count(e.check_id))
        b.findings.push_back(e);
  }
  std::sort(b.findings.begin(), b.findings.end(),
            [](const BaselineEntry& x, const BaselineEntry& y) { return x.finding_id < y.finding_id; });
  return b;
}

Result<std::string> state_root() {
  if (const char* d = std::getenv("STATE_DIRECTORY"); d && *d) {
    // systemd passes one path per StateDirectory= entry, colon-separated: the first is ours.
    std::string s(d);
    return s.substr(0, s.find(':'));
  }
  if (::geteuid() == 0) return std::string("/var/lib/adpersist");
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x == '/') return std::string(x) + "/adpersist";
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.local/state/adpersist";
  return make_error(ErrorCode::usage,
                    "--baseline auto: no state directory (set STATE_DIRECTORY or XDG_STATE_HOME, or pass --baseline FILE)");
}

Result<std::string> auto_baseline_path(const std::string& root, const BaselineTarget& t) {
  // The id names a directory: a domain SID or a tenant GUID, nothing that could climb out of the root
  // (the tenant id comes from the server).
  const bool safe = !t.id.empty() && t.id.size() <= 200 && std::all_of(t.id.begin(), t.id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
  if (!safe)
    return make_error(ErrorCode::usage,
                      "--baseline auto needs the " + std::string(t.platform == "entra" ? "tenant id" : "domain SID") +
                          " to name the state directory, and this scan has " +
                          (t.id.empty() ? std::string("none") : "'" + util::sanitize_for_terminal(t.id) + "'") +
                          "; pass --baseline FILE");
  return root + "/targets/" + t.id + "/baseline.json";
}

Result<std::vector<std::string>> run_baseline(model::Report& r, const std::string& spec, bool compare, bool update) {
  // (file, platforms it covers): a named file holds every platform of the run, auto one file per target.
  std::vector<std::pair<std::string, std::vector<std::string>>> files;
  if (spec == "auto") {
    auto root = state_root();
    if (!root) return root.error();
    for (const auto& t : targets_of(r)) {
      auto path = auto_baseline_path(root.value(), t);
      if (!path) return path.error();
      files.emplace_back(path.value(), std::vector<std::string>{t.platform});
    }
  } else {
    files.emplace_back(spec, std::vector<std::string>{});
  }

  std::vector<std::string> notes;
  model::BaselineInfo info;
  info.existed = false;
  for (const auto& [path, platforms] : files) {
    if (update) {
      const auto slash = path.rfind('/');
      if (slash != std::string::npos && slash > 0)
        if (auto st = util::make_directories(path.substr(0, slash)); !st) return st.error();
    }
    util::FileLock lock;
    if (update || util::file_exists(path + ".lock")) {
      auto l = lock_baseline(path);
      if (!l) return l.error();
      lock = std::move(l.value());
    }
    auto previous = read_baseline(path);
    if (!previous) return previous.error();
    const Baseline* prev = previous.value() ? &*previous.value() : nullptr;
    if (compare) {
      compare_with_baseline(r, prev, platforms);
      info.source += (info.source.empty() ? "" : ", ") + path;
      if (prev) {
        info.existed = true;
        info.findings += prev->findings.size();
        if (info.created_at.empty() || prev->created_at > info.created_at) info.created_at = prev->created_at;
      } else {
        notes.push_back("no baseline at " + path + " yet: every finding is new" +
                        (update ? std::string() : " (accept this run's findings with --update-baseline)"));
      }
    }
    if (update) {
      const auto next = baseline_from_report(r, prev, platforms);
      if (auto st = write_baseline(path, next); !st) return st.error();
      notes.push_back("baseline " + path + " updated: " + std::to_string(next.findings.size()) + " findings accepted");
    }
  }
  if (compare) r.baseline = info;
  return notes;
}

}  // namespace adpersist::policy
