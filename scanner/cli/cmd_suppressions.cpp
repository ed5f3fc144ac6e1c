// adpersist suppressions validate FILE: what each entry of a suppressions file means at `now`, for review and
// as a CI gate (exit 1 while some entry is expired or malformed, since such an entry silently stops working).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "reports/writers.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/parsers/ad_time.hpp"
#include "scanner/policy/suppressions.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::cli {

namespace {

struct ValidateOpts {
  std::string file;
  std::string now;
  std::string format = "text";
};

std::string object_column(const policy::SuppressionEntry& e) {
  if (e.object.empty()) return e.finding_id.empty() ? "-" : "finding " + e.finding_id;
  return e.finding_id.empty() ? e.object : e.object + " + finding " + e.finding_id;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

int run_validate(const ValidateOpts& o) {
  using namespace std::chrono;
  model::TimePoint now = time_point_cast<microseconds>(system_clock::now());
  if (!o.now.empty()) {
    auto t = parsers::parse_rfc3339(o.now);
    if (!t) {
      print_error("--now: " + t.error().message);
      return kExitUsage;
    }
    now = t.value();
  }
  auto loaded = policy::load_suppressions(o.file);
  if (!loaded) {
    print_error(loaded.error().describe());
    return kExitUsage;
  }
  const auto& file = loaded.value();

  std::size_t active = 0, expired = 0, invalid = 0;
  for (const auto& e : file.entries) {
    const auto state = policy::entry_state(e, now);
    (state == "active" ? active : state == "expired" ? expired : invalid)++;
  }
  const int code = expired + invalid > 0 ? kExitGate : kExitOk;

  if (o.format == "json") {
    model::Json arr = model::Json::array();
    for (const auto& e : file.entries) {
      const auto left = policy::days_left(e, now);
      const auto state = policy::entry_state(e, now);
      model::Json w = model::Json::array();
      for (const auto& x : policy::entry_warnings(e, now)) w.push_back(x);
      auto opt = [](const std::string& s) { return s.empty() ? model::Json(nullptr) : model::Json(s); };
      arr.push_back({{"index", e.index},
                     {"line", e.line ? model::Json(e.line) : model::Json(nullptr)},
                     {"rule", policy::rule_text(file, e)},
                     {"state", state},
                     {"check", opt(e.check)},
                     {"object", opt(e.object)},
                     {"finding_id", opt(e.finding_id)},
                     {"reason", opt(e.reason)},
                     {"owner", opt(e.owner)},
                     {"expires", opt(e.expires)},
                     {"days_left", left ? model::Json(*left) : model::Json(nullptr)},
                     {"problem", state == "expired" ? model::Json("expired on " + e.expires) : opt(e.problem)},
                     {"warnings", w}});
    }
    std::cout << reports::dump_json(arr, 2) << "\n";
    return code;
  }

  // Every string in the table came from the file: sanitised, so a crafted file cannot drive the terminal.
  auto safe = [](const std::string& s) { return util::sanitize_for_terminal(s); };
  std::cout << safe(file.path) << ": " << file.entries.size() << (file.entries.size() == 1 ? " entry" : " entries")
            << ": " << active << " active, " << expired << " expired, " << invalid << " invalid (as of "
            << parsers::format_rfc3339(now) << ")\n";
  if (file.entries.empty()) return code;
  std::cout << "\n";
  std::vector<std::vector<std::string>> rows{{"ENTRY", "LINE", "STATE", "EXPIRES", "DAYS", "CHECK", "OBJECT / FINDING",
                                              "OWNER"}};
  for (const auto& e : file.entries) {
    const auto left = policy::days_left(e, now);
    rows.push_back({std::to_string(e.index), e.line ? std::to_string(e.line) : "-", policy::entry_state(e, now),
                    safe(or_dash(e.expires)), left ? std::to_string(*left) : "-", safe(or_dash(e.check)),
                    safe(object_column(e)), safe(or_dash(e.owner))});
  }
  print_table(rows);
  bool header = false;
  for (const auto& e : file.entries) {
    std::vector<std::string> msgs;
    const auto state = policy::entry_state(e, now);
    if (state == "invalid") msgs.push_back("invalid, suppresses nothing: " + e.problem);
    if (state == "expired") msgs.push_back("expired on " + e.expires + ": suppresses nothing any more");
    for (const auto& w : policy::entry_warnings(e, now)) msgs.push_back("warning: " + w);
    if (msgs.empty()) continue;
    if (!header) std::cout << "\n";
    header = true;
    const std::string where = "entry " + std::to_string(e.index) +
                              (e.line ? " (line " + std::to_string(e.line) + ")" : std::string());
    for (const auto& m : msgs) std::cout << where << ": " << safe(m) << "\n";
  }
  return code;
}

}  // namespace

void add_suppressions_command(CLI::App& app, Action& action) {
  auto* sup = app.add_subcommand("suppressions", "Check a suppressions file (docs/suppressions.md)");
  sup->require_subcommand(1);
  auto o = std::make_shared<ValidateOpts>();
  auto* validate = sup->add_subcommand(
      "validate", "List each entry and its state; exit 1 if any is expired or invalid, 2 if the file is unusable");
  validate->add_option("file", o->file, "The suppressions file (YAML or JSON)")->required();
  validate->add_option("--now", o->now, "Judge expiry as of this RFC 3339 time (default: now)");
  validate->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  validate->callback([o, &action] { action = [o] { return run_validate(*o); }; });
}

}  // namespace adpersist::cli
