// `adpersist baseline accept REPORT.json -o FILE|auto`: accept a saved report's findings as the baseline
// (what `scan --update-baseline` does at the end of a run), under the baseline's lock, atomically.
#include <iostream>
#include <memory>

#include "scanner/cli/commands.hpp"
#include "scanner/policy/baseline.hpp"

namespace adpersist::cli {

void add_baseline_command(CLI::App& app, Action& action) {
  auto* baseline = app.add_subcommand("baseline", "Manage the accepted baseline");
  baseline->require_subcommand(1);
  struct AcceptOpts {
    std::string report, output;
  };
  auto o = std::make_shared<AcceptOpts>();
  auto* accept = baseline->add_subcommand("accept", "Accept a JSON report's findings as the baseline");
  accept->add_option("report", o->report, "A JSON report (scan --format json / --output json=PATH)")->required();
  accept->add_option("-o,--output", o->output, "The baseline FILE to write, or 'auto' (the state directory)")
      ->required();
  accept->callback([o, &action] {
    action = [o] {
      auto r = model::read_report_file(o->report);
      if (!r) {
        print_error(r.error().describe());
        return kExitUsage;
      }
      auto notes = policy::run_baseline(r.value(), o->output, false, true);
      if (!notes) {
        print_error(notes.error().describe());
        return kExitUsage;
      }
      for (const auto& n : notes.value()) print_error(n);
      return kExitOk;
    };
  });
}

}  // namespace adpersist::cli
