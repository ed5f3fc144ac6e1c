#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "reports/writers.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/cli/hec_options.hpp"
#include "scanner/cli/source_options.hpp"
#include "scanner/engine/engine.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/model/ioc.hpp"
#include "scanner/policy/baseline.hpp"
#include "scanner/policy/suppressions.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::cli {

namespace {

struct ScanOpts {
  SourceCli source;
  std::string format = "text";
  std::vector<std::string> outputs;
  std::vector<std::string> checks, skip_checks;
  std::string fail_on = "high";
  std::string now;
  std::string since = "30d";
  std::string color = "auto";
  bool quiet = false;
  std::string baseline;  // FILE or "auto"
  bool update_baseline = false;
  bool fail_on_new = false;
  std::string suppressions;
  std::string ioc;
  HecCli hec;
};

void print_notes(const std::vector<std::string>& lines) {
  for (const auto& l : lines) print_error(l);
}

int run_scan_command(const ScanOpts& o) {
  using namespace std::chrono;
  const auto started = time_point_cast<microseconds>(system_clock::now());

  // Everything the user typed is validated before any input is read or any server contacted.
  auto fmt = reports::parse_format(o.format);
  if (!fmt) {
    print_error("unknown --format '" + o.format + "' (" + std::string(reports::format_names()) + ")");
    return kExitUsage;
  }
  std::vector<std::pair<reports::Format, std::string>> outputs;
  for (const auto& spec : o.outputs) {
    auto eq = spec.find('=');
    auto f = eq == std::string::npos ? std::nullopt : reports::parse_format(spec.substr(0, eq));
    if (!f || eq + 1 >= spec.size()) {
      print_error("--output takes FORMAT=PATH (e.g. json=out/report.json; formats: " +
                  std::string(reports::format_names()) + "), got '" + spec + "'");
      return kExitUsage;
    }
    outputs.emplace_back(*f, spec.substr(eq + 1));
  }
  std::optional<model::Severity> fail_on;
  if (o.fail_on != "none") {
    fail_on = model::parse_severity(o.fail_on);
    if (!fail_on) {
      print_error("unknown --fail-on '" + o.fail_on + "' (none, info, low, medium, high, critical)");
      return kExitUsage;
    }
  }
  engine::ScanOptions so;
  so.fail_on = fail_on;
  so.now = started;
  if (!o.now.empty()) {
    auto t = parsers::parse_rfc3339(o.now);
    if (!t) {
      print_error("--now: " + t.error().message);
      return kExitUsage;
    }
    so.now = t.value();
  }
  auto since = parsers::parse_duration(o.since);
  if (!since) {
    print_error("--since: " + since.error().message);
    return kExitUsage;
  }
  so.recent_window = since.value();
  if ((o.fail_on_new || o.update_baseline) && o.baseline.empty()) {
    print_error(std::string(o.fail_on_new ? "--fail-on-new" : "--update-baseline") +
                " needs --baseline FILE or --baseline auto");
    return kExitUsage;
  }
  // A named baseline that exists but cannot be read stops the run before anything is scanned.
  if (!o.baseline.empty() && o.baseline != "auto") {
    if (auto b = policy::read_baseline(o.baseline); !b) {
      print_error(b.error().describe());
      return kExitUsage;
    } else if (!b.value() && !o.update_baseline) {
      print_error(o.baseline + ": no such baseline (create it with --update-baseline or `adpersist baseline accept`)");
      return kExitUsage;
    }
  }
  std::optional<policy::SuppressionFile> suppressions;
  if (!o.suppressions.empty()) {
    auto sf = policy::load_suppressions(o.suppressions);
    if (!sf) {
      print_error(sf.error().describe());
      return kExitUsage;
    }
    suppressions = std::move(sf.value());
  }
  std::optional<model::IocSet> ioc;
  if (!o.ioc.empty()) {
    auto set = model::load_ioc_file(o.ioc);
    if (!set) {
      print_error(set.error().describe());
      return kExitUsage;
    }
    ioc = std::move(set.value());
    so.ioc = &*ioc;
  }
  if (auto why = validate_hec_options(o.hec); !why.empty()) {
    print_error(why);
    return kExitUsage;
  }

  auto selected = engine::select_checks(split_list(o.checks), split_list(o.skip_checks));
  if (!selected) {
    print_error(selected.error().describe());
    return kExitUsage;
  }
  // Without --checks, the checks of the platforms the scan has a source for; named checks always run (and
  // are "not evaluated" when their platform has no source).
  if (o.checks.empty()) {
    auto& v = selected.value();
    std::erase_if(v, [&](const engine::Check* c) {
      if (c->info().needs_ioc && !ioc) return true;  // IOC matching runs when there is a list to match
      return c->info().platform == model::Platform::ad ? !o.source.has_ad() : !o.source.has_entra();
    });
  }

  LoadContext ctx;
  ctx.now = so.now;
  ctx.since = so.recent_window;
  auto loaded = load_snapshot(o.source, selected.value(), ctx);
  if (!loaded.snapshot) return loaded.exit_code;

  model::Report report = engine::run_scan(*loaded.snapshot, selected.value(), so);
  report.started_at = parsers::format_rfc3339(started);
  report.finished_at = parsers::format_rfc3339(time_point_cast<microseconds>(system_clock::now()));
  report.fail_on_new = o.fail_on_new;
  if (ioc) report.notes.push_back("IOC list " + o.ioc + ": " + std::to_string(ioc->size()) + " indicators");

  if (suppressions) print_notes(policy::apply_suppressions(*suppressions, report, so.now));
  if (!o.baseline.empty()) {
    auto notes = policy::run_baseline(report, o.baseline, true, o.update_baseline);
    if (!notes) {
      print_error(notes.error().describe());
      return kExitUsage;
    }
    print_notes(notes.value());
  }

  for (const auto& [f, path] : outputs) {
    std::ostringstream ss;
    reports::write(f, report, ss);
    if (auto st = util::write_file_atomic(path, ss.str()); !st) {
      print_error(st.error().describe());
      return kExitUsage;
    }
  }
  if (!o.quiet) {
    const bool color =
        o.color == "always" || (o.color == "auto" && ::isatty(STDOUT_FILENO) && !util::no_color_requested());
    reports::write(*fmt, report, std::cout, {color});
  }
  std::cout.flush();
  if (o.hec.enabled()) {
    std::ostringstream envelopes;
    reports::write_hec(report, envelopes);
    if (auto st = post_to_hec(o.hec, envelopes.str()); !st) {
      print_error(st.error().describe());
      return kExitIncomplete;
    }
  }
  return report.exit_code();
}

}  // namespace

std::vector<std::string> split_list(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in)
    for (auto part : util::split(s, ','))
      if (auto t = util::trim(part); !t.empty()) out.emplace_back(t);
  return out;
}

void add_scan_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ScanOpts>();
  auto* scan = app.add_subcommand("scan", "Scan a domain and report persistence indicators");
  add_source_options(scan, o->source, true);
  scan->add_option("--format", o->format, "Report format on stdout: text, json, ndjson, ocsf, ecs, hec, csv, html")
      ->capture_default_str();
  scan->add_option("--output", o->outputs, "Also write FORMAT=PATH (repeatable; written atomically, mode 0640)");
  scan->add_option("--checks", o->checks, "Only these checks (comma-separated ids or globs, e.g. 'ad.*')");
  scan->add_option("--skip-checks", o->skip_checks, "Skip these checks (ids or globs)");
  scan->add_option("--fail-on", o->fail_on, "Exit 1 when a finding is at or above: none|info|low|medium|high|critical")
      ->capture_default_str();
  scan->add_option("--now", o->now, "Evaluate as of this RFC 3339 time (reproducible reports)");
  scan->add_option("--since", o->since, "Recency window for 'recent' checks, e.g. 30d, 12h, 2w")->capture_default_str();
  scan->add_option("--color", o->color, "auto|always|never (auto honours NO_COLOR and a TTY)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  scan->add_flag("-q,--quiet", o->quiet, "Print nothing on stdout (use with --output)");
  scan->add_option("--baseline", o->baseline,
                   "Compare with the accepted baseline: a FILE, or 'auto' (per domain SID / tenant id under "
                   "$STATE_DIRECTORY, /var/lib/adpersist as root, else $XDG_STATE_HOME/adpersist)");
  scan->add_flag("--update-baseline", o->update_baseline, "Accept this run's findings as the new baseline");
  scan->add_flag("--fail-on-new", o->fail_on_new, "Exit 1 only for new findings (not in the baseline) at or above --fail-on");
  scan->add_option("--suppressions", o->suppressions, "Suppressions file (YAML or JSON; docs/suppressions.md)");
  scan->add_option("--ioc", o->ioc, "Indicators of compromise to match (JSON; runs ad.ioc-match and entra.ioc-match)");
  add_hec_options(scan, o->hec);
  scan->callback([o, &action] {
    o->source.quiet = o->quiet;  // --quiet also silences the progress line
    action = [o] { return run_scan_command(*o); };
  });
}

}  // namespace adpersist::cli
