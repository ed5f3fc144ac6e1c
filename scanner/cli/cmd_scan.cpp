#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "reports/writers.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/cli/source_options.hpp"
#include "scanner/engine/engine.hpp"
#include "scanner/engine/registry.hpp"
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
};

int run_scan_command(const ScanOpts& o) {
  using namespace std::chrono;
  const auto started = time_point_cast<microseconds>(system_clock::now());

  // Everything the user typed is validated before any input is read or any server contacted.
  auto fmt = reports::parse_format(o.format);
  if (!fmt) {
    print_error("unknown --format '" + o.format + "' (text, json, ndjson)");
    return kExitUsage;
  }
  std::vector<std::pair<reports::Format, std::string>> outputs;
  for (const auto& spec : o.outputs) {
    auto eq = spec.find('=');
    auto f = eq == std::string::npos ? std::nullopt : reports::parse_format(spec.substr(0, eq));
    if (!f || eq + 1 >= spec.size()) {
      print_error("--output takes FORMAT=PATH (e.g. json=out/report.json), got '" + spec + "'");
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

  for (const auto& [f, path] : outputs) {
    std::ostringstream ss;
    reports::write(f, report, ss);
    if (auto st = util::write_file_atomic(path, ss.str()); !st) {
      print_error(st.error().describe());
      return kExitUsage;
    }
  }
  if (!o.quiet) {
    const char* no_color = std::getenv("NO_COLOR");
    const bool color = o.color == "always" ||
                       (o.color == "auto" && ::isatty(STDOUT_FILENO) && !(no_color && *no_color));
    reports::write(*fmt, report, std::cout, {color});
  }
  std::cout.flush();
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
  scan->add_option("--format", o->format, "Report format on stdout: text, json, ndjson")->capture_default_str();
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
  scan->callback([o, &action] { action = [o] { return run_scan_command(*o); }; });
}

}  // namespace adpersist::cli
