#include <iostream>
#include <memory>
#include <sstream>

#include "scanner/cli/commands.hpp"
#include "scanner/cli/source_options.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/sources/ldif/ldif_writer.hpp"
#include "scanner/util/fs.hpp"

namespace adpersist::cli {

namespace {
struct CollectOpts {
  SourceCli source;
  std::string output;
  std::vector<std::string> checks, skip_checks;
};

int run_collect(const CollectOpts& o) {
  auto selected = engine::select_checks(split_list(o.checks), split_list(o.skip_checks));
  if (!selected) {
    print_error(selected.error().describe());
    return kExitUsage;
  }
  auto loaded = load_snapshot(o.source, selected.value());
  if (!loaded.snapshot) return loaded.exit_code;
  const auto& snap = *loaded.snapshot;

  // One search section per source, in collection order: `scan --ldif` reads the result back as the
  // same snapshot (same requested attributes, same completeness).
  std::ostringstream out;
  sources::LdifWriter w(out);
  out << "version: 1\n\n";
  bool complete = true;
  for (std::uint32_t i = 0; i < snap.sources().size(); ++i) {
    const auto& src = snap.sources()[i];
    w.begin_search(src.base, src.filter.empty() ? "(objectClass=*)" : src.filter, src.requested);
    for (const auto& e : snap.entries())
      if (e.origin().source == i) w.entry(e);
    const auto& ds = src.dataset ? snap.dataset(*src.dataset) : model::DatasetStatus{model::DatasetState::ok, {}};
    if (ds.state == model::DatasetState::partial) {
      complete = false;
      w.end_search(80, "Other (adpersist: " + ds.reason + ")");  // LDAP_OTHER: the reader marks it partial
    } else {
      w.end_search(0, "Success");
    }
  }
  if (auto st = util::write_file_atomic(o.output, out.str()); !st) {
    print_error(st.error().describe());
    return kExitUsage;
  }
  std::cerr << "adpersist: wrote " << snap.entries().size() << " entries to " << o.output
            << (complete ? "" : " (INCOMPLETE: see the result lines in the file)") << "\n";
  return complete ? kExitOk : kExitIncomplete;
}
}  // namespace

void add_collect_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CollectOpts>();
  auto* cmd = app.add_subcommand("collect", "Collect a live directory into an LDIF file that 'scan --ldif' reads");
  add_source_options(cmd, o->source, false);
  cmd->add_option("-o,--output", o->output, "LDIF file to write (atomic, mode 0640)")->required();
  cmd->add_option("--checks", o->checks, "Collect only what these checks need (default: all checks)");
  cmd->add_option("--skip-checks", o->skip_checks, "Leave out what only these checks need");
  cmd->callback([o, &action] { action = [o] { return run_collect(*o); }; });
}

}  // namespace adpersist::cli
