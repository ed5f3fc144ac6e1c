#include <iostream>
#include <memory>
#include <sstream>

#include "scanner/cli/commands.hpp"
#include "scanner/cli/source_options.hpp"
#include "scanner/engine/collection_plan.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/sources/ldif/ldif_writer.hpp"
#include "scanner/util/fs.hpp"

namespace adpersist::cli {

namespace {
struct CollectOpts {
  SourceCli source;
  std::string output;
  std::string record;
  std::vector<std::string> checks, skip_checks;
  std::string now;
  std::string since = "30d";
};

// The LDIF of an AD collection: one search section per source, in collection order, so `scan --ldif` reads
// the result back as the same snapshot (same requested attributes, same completeness).
bool write_ldif(const model::Snapshot& snap, const std::string& path, bool& complete) {
  std::ostringstream out;
  sources::LdifWriter w(out);
  out << "version: 1\n\n";
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
  if (auto st = util::write_file_atomic(path, out.str()); !st) {
    print_error(st.error().describe());
    return false;
  }
  std::cerr << "adpersist: wrote " << snap.entries().size() << " entries to " << path
            << (complete ? "" : " (INCOMPLETE: see the result lines in the file)") << "\n";
  return true;
}

int run_collect(const CollectOpts& o) {
  const bool ad = o.source.has_ad(), entra = o.source.has_graph_live();
  if (!ad && !entra) {
    print_error("nothing to collect: give --ldap URI with -o FILE (Active Directory), --tenant T with --record DIR "
                "(Entra ID), or both");
    return kExitUsage;
  }
  if (ad != !o.output.empty()) {
    print_error(ad ? "collect --ldap needs -o FILE (the LDIF to write)" : "-o writes an LDIF: it needs --ldap");
    return kExitUsage;
  }
  if (entra != !o.record.empty()) {
    print_error(entra ? "collect --tenant needs --record DIR (the Graph capture to write)"
                      : "--record writes a Graph capture: it needs --tenant");
    return kExitUsage;
  }
  LoadContext ctx;
  if (!o.now.empty()) {
    auto t = parsers::parse_rfc3339(o.now);
    if (!t) {
      print_error("--now: " + t.error().message);
      return kExitUsage;
    }
    ctx.now = t.value();
  }
  auto since = parsers::parse_duration(o.since);
  if (!since) {
    print_error("--since: " + since.error().message);
    return kExitUsage;
  }
  ctx.since = since.value();
  ctx.record_dir = o.record;

  auto selected = engine::select_checks(split_list(o.checks), split_list(o.skip_checks));
  if (!selected) {
    print_error(selected.error().describe());
    return kExitUsage;
  }
  auto loaded = load_snapshot(o.source, selected.value(), ctx);
  if (!loaded.snapshot) return loaded.exit_code;
  const auto& snap = *loaded.snapshot;

  bool complete = true;
  if (ad && !write_ldif(snap, o.output, complete)) return kExitUsage;
  if (entra) {
    // Every dataset the plan asked for must be complete, else the recording says less than a live scan would.
    std::string incomplete;
    for (const auto& [d, props] : engine::plan_graph_collection(selected.value())) {
      const auto& st = snap.tenant()->dataset(d);
      if (st.state != model::DatasetState::ok)
        incomplete += std::string(incomplete.empty() ? "" : "; ") + std::string(model::to_string(d)) + ": " + st.reason;
    }
    if (!incomplete.empty()) complete = false;
    std::cerr << "adpersist: recorded the Microsoft Graph collection of tenant " << snap.tenant()->tenant_id() << " in "
              << o.record << (incomplete.empty() ? "" : " (INCOMPLETE: " + incomplete + ")") << "\n";
  }
  return complete ? kExitOk : kExitIncomplete;
}
}  // namespace

void add_collect_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CollectOpts>();
  auto* cmd = app.add_subcommand(
      "collect",
      "Collect a live directory: AD into an LDIF file that 'scan --ldif' reads, Entra ID into a Graph capture "
      "directory that 'scan --graph-dir' reads");
  add_source_options(cmd, o->source, false);
  cmd->add_option("-o,--output", o->output, "LDIF file to write for --ldap (atomic, mode 0640)");
  cmd->add_option("--record", o->record,
                  "Graph capture directory to write for --tenant (created; must be empty): every response, then "
                  "_adpersist.json")
      ->group("Entra ID");
  cmd->add_option("--checks", o->checks, "Collect only what these checks need (default: all checks)");
  cmd->add_option("--skip-checks", o->skip_checks, "Leave out what only these checks need");
  cmd->add_option("--since", o->since, "Entra ID audit records of this window before --now, e.g. 30d")
      ->capture_default_str();
  cmd->add_option("--now", o->now, "End of the --since window (RFC 3339; default: the clock)");
  cmd->callback([o, &action] { action = [o] { return run_collect(*o); }; });
}

}  // namespace adpersist::cli
