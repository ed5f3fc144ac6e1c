#include <cstdio>
#include <exception>
#include <iostream>

#include "scanner/cli/commands.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::cli {
void print_error(const std::string& message) {
  std::cerr << "adpersist: " << util::sanitize_for_terminal(message) << "\n";
}
}  // namespace adpersist::cli

int main(int argc, char** argv) {
  using namespace adpersist::cli;
  CLI::App app{"adpersist: finds threat-actor persistence in Active Directory and Entra ID", "adpersist"};
  app.set_version_flag("--version", std::string("adpersist ") + ADPERSIST_VERSION);
  app.require_subcommand(1);
  Action action;
  add_scan_command(app, action);
  add_collect_command(app, action);
  add_checks_command(app, action);
  add_report_commands(app, action);
  add_baseline_command(app, action);
  add_suppressions_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitUsage;
  }
}
