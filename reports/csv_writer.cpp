// RFC 4180 CSV, one row per finding, safe to open in a spreadsheet (docs/formats.md, "CSV").
#include <string>
#include <vector>

#include "reports/report_util.hpp"
#include "reports/writers.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::reports {

namespace {
// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV Injection"); directory
// names are attacker-chosen, so such a cell gets a leading apostrophe, which spreadsheets hide. A value that
// itself starts with an apostrophe gets one too, so the guard is undone exactly by removing one leading
// apostrophe from any cell that has one.
bool needs_guard(std::string_view v) {
  return !v.empty() && std::string_view("=+-@\t\r'").find(v.front()) != std::string_view::npos;
}

// Control characters other than tab and line breaks (which a quoted cell holds), C1 codes and bidi overrides
// are shown as visible escapes, as in the text report: a NUL ends the row in some CSV readers, an ESC drives
// the terminal of whoever runs `cat` on the file, and the others spoof what a viewer displays.
std::string cell(std::string_view raw) {
  std::string v = util::sanitize_for_terminal(detail::valid_utf8(raw), true);
  if (needs_guard(v)) v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

void row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << cell(cells[i]);
  out << "\r\n";
}
}  // namespace

void write_csv(const model::Report& r, std::ostream& out) {
  row(out, {"finding_id",
            "check_id",
            "severity",
            "status",
            "baseline_state",
            "first_seen",
            "title",
            "category",
            "resource_type",
            "resource_name",
            "resource_dn",
            "resource_id",
            "resource_sid",
            "message",
            "evidence",
            "remediation",
            "attack",
            "suppression_owner",
            "suppression_expires",
            "suppression_reason"});
  for (const auto& rf : r.findings) {
    const auto& f = rf.finding;
    std::string attack;
    for (const auto& a : rf.attack) attack += (attack.empty() ? "" : " ") + a;
    row(out, {f.finding_id,
              f.check_id,
              std::string(model::to_string(f.severity)),
              rf.suppressed() ? "suppressed" : "open",
              std::string(model::to_string(rf.baseline_state)),
              rf.first_seen,
              rf.title,
              rf.category,
              f.resource.type,
              f.resource.name,
              f.resource.dn,
              f.resource.id,
              f.resource.sid,
              f.message,
              dump_json(f.evidence),
              rf.remediation,
              attack,
              rf.suppression ? rf.suppression->owner : "",
              rf.suppression ? rf.suppression->expires : "",
              rf.suppression ? rf.suppression->reason : ""});
  }
}

}  // namespace adpersist::reports
