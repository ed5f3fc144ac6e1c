// Subcommands: each file adds one to the CLI11 app and returns the action to run after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace adpersist::cli {

using Action = std::function<int()>;

// Exit codes (README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitGate = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitIncomplete = 3;

void add_scan_command(CLI::App& app, Action& action);
void add_checks_command(CLI::App& app, Action& action);
void add_collect_command(CLI::App& app, Action& action);
void add_report_commands(CLI::App& app, Action& action);        // report, diff (cmd_report.cpp)
void add_baseline_command(CLI::App& app, Action& action);       // baseline accept (cmd_baseline.cpp)
void add_suppressions_command(CLI::App& app, Action& action);   // suppressions validate (cmd_suppressions.cpp)

// "a,b" "c" → {a, b, c}
std::vector<std::string> split_list(const std::vector<std::string>& in);

// "adpersist: <message>" on stderr, sanitised.
void print_error(const std::string& message);

}  // namespace adpersist::cli
