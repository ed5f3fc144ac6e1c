// `adpersist report REPORT.json --format F [-o PATH]`: any format from a saved JSON report.
// `adpersist diff OLD.json NEW.json`: what is new, resolved and unchanged between two saved reports, by the
// same finding ids and rules as `scan --baseline` (a check that did not complete in NEW resolves nothing).
#include <unistd.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <unordered_set>

#include "reports/writers.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/policy/baseline.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::cli {

namespace {

struct ReportOpts {
  std::string input;
  std::string format = "text";
  std::string output;  // empty or "-": stdout
  std::string color = "auto";
};

int run_report(const ReportOpts& o) {
  auto fmt = reports::parse_format(o.format);
  if (!fmt) {
    print_error("unknown --format '" + o.format + "' (" + std::string(reports::format_names()) + ")");
    return kExitUsage;
  }
  auto r = model::read_report_file(o.input);
  if (!r) {
    print_error(r.error().describe());
    return kExitUsage;
  }
  if (o.output.empty() || o.output == "-") {
    const bool color = o.color == "always" || (o.color == "auto" && *fmt == reports::Format::text &&
                                               ::isatty(STDOUT_FILENO) && !util::no_color_requested());
    reports::write(*fmt, r.value(), std::cout, {color});
    std::cout.flush();
    return kExitOk;
  }
  std::ostringstream ss;
  reports::write(*fmt, r.value(), ss);
  if (auto st = util::write_file_atomic(o.output, ss.str()); !st) {
    print_error(st.error().describe());
    return kExitUsage;
  }
  return kExitOk;
}

struct DiffOpts {
  std::string old_path, new_path;
  std::string format = "text";
};

void print_diff_text(const model::Report& r, std::size_t carried) {
  auto clean = [](std::string_view s) { return util::sanitize_for_terminal(s); };
  auto line = [&](std::string_view sev, const std::string& check, const model::Resource& res, const std::string& msg,
                  const std::string& id) {
    std::cout << "  " << sev << "  " << check << "  " << clean(res.name.empty() ? res.id : res.name) << ": "
              << clean(msg) << "  [" << id << "]\n";
  };
  const auto n_new = r.count_baseline(model::BaselineState::new_finding);
  std::cout << "new: " << n_new << "\n";
  for (const auto& rf : r.findings)
    if (rf.baseline_state == model::BaselineState::new_finding)
      line(model::to_string(rf.finding.severity), rf.finding.check_id, rf.finding.resource, rf.finding.message,
           rf.finding.finding_id);
  std::cout << "resolved: " << r.resolved.size() << "\n";
  for (const auto& x : r.resolved) line(model::to_string(x.severity), x.check_id, x.resource, x.message, x.finding_id);
  std::cout << "unchanged: " << r.count_baseline(model::BaselineState::unchanged) << "\n";
  if (carried)
    std::cout << "not compared: " << carried
              << " findings of the old report belong to checks the new report did not complete\n";
}

int run_diff(const DiffOpts& o) {
  auto old_report = model::read_report_file(o.old_path);
  if (!old_report) {
    print_error(old_report.error().describe());
    return kExitUsage;
  }
  auto r = model::read_report_file(o.new_path);
  if (!r) {
    print_error(r.error().describe());
    return kExitUsage;
  }
  // The old report's findings as a baseline; the new report compared with it as a scan would be.
  const auto base = policy::baseline_from_report(old_report.value(), nullptr);
  auto& now = r.value();
  for (auto& rf : now.findings) rf.baseline_state = model::BaselineState::none;
  now.resolved.clear();
  policy::compare_with_baseline(now, &base);
  std::size_t carried = 0;
  {
    std::unordered_set<std::string> completed, present;
    for (const auto& c : now.checks)
      if (c.status == model::CheckStatus::passed || c.status == model::CheckStatus::failed) completed.insert(c.id);
    for (const auto& rf : now.findings) present.insert(rf.finding.finding_id);
    for (const auto& e : base.findings) carried += !present.count(e.finding_id) && !completed.count(e.check_id);
  }
  if (o.format == "json") {
    model::Json out = model::Json::object();
    auto ids = [&](model::BaselineState s) {
      model::Json a = model::Json::array();
      for (const auto& rf : now.findings)
        if (rf.baseline_state == s) a.push_back({{"finding_id", rf.finding.finding_id},
                                                 {"check_id", rf.finding.check_id},
                                                 {"severity", model::to_string(rf.finding.severity)},
                                                 {"message", rf.finding.message},
                                                 {"resource", model::to_json(rf.finding.resource)}});
      return a;
    };
    out["new"] = ids(model::BaselineState::new_finding);
    model::Json resolved = model::Json::array();
    for (const auto& x : now.resolved)
      resolved.push_back({{"finding_id", x.finding_id},
                          {"check_id", x.check_id},
                          {"severity", model::to_string(x.severity)},
                          {"message", x.message},
                          {"resource", model::to_json(x.resource)}});
    out["resolved"] = resolved;
    out["unchanged"] = ids(model::BaselineState::unchanged);
    out["not_compared"] = carried;
    std::cout << reports::dump_json(out, 2) << "\n";
  } else {
    print_diff_text(now, carried);
  }
  return now.count_baseline(model::BaselineState::new_finding) ? kExitGate : kExitOk;
}

}  // namespace

void add_report_commands(CLI::App& app, Action& action) {
  auto ro = std::make_shared<ReportOpts>();
  auto* report = app.add_subcommand("report", "Render a saved JSON report in another format");
  report->add_option("report", ro->input, "A JSON report (scan --format json / --output json=PATH)")->required();
  report->add_option("--format", ro->format, "text, json, ndjson, ocsf, ecs, hec, csv, html")->capture_default_str();
  report->add_option("-o,--output", ro->output, "Write to PATH (atomically, mode 0640) instead of stdout");
  report->add_option("--color", ro->color, "auto|always|never")->check(CLI::IsMember({"auto", "always", "never"}));
  report->callback([ro, &action] { action = [ro] { return run_report(*ro); }; });

  auto d = std::make_shared<DiffOpts>();
  auto* diff = app.add_subcommand("diff", "New, resolved and unchanged findings between two JSON reports (exit 1: new)");
  diff->add_option("old", d->old_path, "The earlier JSON report")->required();
  diff->add_option("new", d->new_path, "The later JSON report")->required();
  diff->add_option("--format", d->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  diff->callback([d, &action] { action = [d] { return run_diff(*d); }; });
}

}  // namespace adpersist::cli
