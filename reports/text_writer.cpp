#include <string>

#include "reports/writers.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::reports {

namespace {
using model::Severity;

struct Style {
  bool on;
  std::string operator()(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
  }
};

std::string_view severity_colour(Severity s) {
  switch (s) {
    case Severity::critical: return "1;35";
    case Severity::high: return "1;31";
    case Severity::medium: return "33";
    case Severity::low: return "36";
    case Severity::info: return "2";
  }
  return "0";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

// Evidence values as one line; strings from the directory are sanitised for the terminal.
std::string evidence_text(const model::Json& v) {
  if (v.is_string()) return util::sanitize_for_terminal(v.get<std::string>());
  if (v.is_array()) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + evidence_text(x);
    return s.empty() ? "(none)" : s;
  }
  return util::sanitize_for_terminal(dump_json(v));
}
}  // namespace

void write_text(const model::Report& r, std::ostream& out, const TextOptions& options) {
  const Style st{options.color};
  auto clean = [](std::string_view s) { return util::sanitize_for_terminal(s); };

  out << st("1", "adpersist " + r.tool_version);
  for (const auto& t : r.targets) {
    if (t.platform == "entra") {
      out << "  tenant " << clean(t.tenant_name.empty() ? t.tenant_id : t.tenant_name);
      if (!t.tenant_id.empty() && t.tenant_name != t.tenant_id) out << " (" << clean(t.tenant_id) << ")";
      continue;
    }
    out << "  " << clean(t.domain.empty() ? std::string("(no domain found)") : t.domain);
    if (!t.domain_sid.empty()) out << " (" << t.domain_sid << ")";
  }
  out << "  now " << r.now << "\n";
  for (const auto& t : r.targets) {
    std::string srcs;
    for (const auto& s : t.sources) srcs += (srcs.empty() ? "" : ", ") + clean(s);
    out << "sources: " << srcs << "\n";
  }
  if (r.baseline) {
    out << "baseline: " << clean(r.baseline->source);
    if (!r.baseline->existed)
      out << " (none accepted yet)";
    else if (!r.baseline->created_at.empty())
      out << " (accepted " << clean(r.baseline->created_at) << ")";
    out << ": " << r.count_baseline(model::BaselineState::new_finding) << " new, "
        << r.count_baseline(model::BaselineState::unchanged) << " unchanged, " << r.resolved.size()
        << " resolved\n";
  }

  for (int sev = 4; sev >= 0; --sev) {
    const auto s = static_cast<Severity>(sev);
    std::size_t n = 0;
    for (const auto& f : r.findings) n += f.finding.severity == s && !f.suppressed();
    if (!n) continue;
    out << "\n"
        << st(severity_colour(s), upper(model::to_string(s)) + " (" + std::to_string(n) + ")") << "\n";
    for (const auto& rf : r.findings) {
      const auto& f = rf.finding;
      if (f.severity != s || rf.suppressed()) continue;
      out << "  " << st(severity_colour(s), f.check_id) << "  ";
      if (rf.baseline_state == model::BaselineState::new_finding) out << st("1", "NEW") << "  ";
      out << clean(f.resource.name) << ": " << clean(f.message) << "\n";
      if (!f.resource.dn.empty())
        out << "      dn: " << clean(f.resource.dn) << "\n";
      else
        out << "      " << clean(f.resource.type) << ": " << clean(f.resource.id) << "\n";
      for (auto it = f.evidence.begin(); it != f.evidence.end(); ++it)
        out << "      " << clean(it.key()) << ": " << evidence_text(it.value()) << "\n";
      out << "      finding: " << f.finding_id << "\n";
    }
  }

  // Suppressed findings stay visible, briefly, with who accepted them and until when.
  if (const auto n = r.count_suppressed()) {
    out << "\n" << st("1", "SUPPRESSED (" + std::to_string(n) + ")") << "\n";
    for (const auto& rf : r.findings) {
      if (!rf.suppressed()) continue;
      const auto& f = rf.finding;
      out << "  " << f.check_id << "  " << clean(f.resource.name) << " (" << model::to_string(f.severity)
          << "): owner " << clean(rf.suppression->owner) << ", expires " << clean(rf.suppression->expires)
          << ": " << clean(rf.suppression->reason) << "\n";
      out << "      finding: " << f.finding_id << "\n";
    }
  }
  // Entries that suppress nothing (expired or malformed): the findings they named are back in the list above.
  bool bad_header = false;
  for (const auto& x : r.suppressions) {
    if (x.state == "active") continue;
    if (!bad_header) out << "\n" << st("1;33", "SUPPRESSIONS NOT APPLIED") << "\n";
    bad_header = true;
    out << "  " << clean(x.rule) << " (" << clean(x.state) << ")";
    if (!x.owner.empty()) out << " owner " << clean(x.owner);
    if (!x.expires.empty()) out << ", expires " << clean(x.expires);
    if (!x.problem.empty()) out << ": " << clean(x.problem);
    out << "\n";
  }

  if (r.baseline && !r.resolved.empty()) {
    out << "\n" << st("1;32", "RESOLVED (" + std::to_string(r.resolved.size()) + ")") << "\n";
    for (const auto& x : r.resolved) {
      out << "  " << x.check_id << "  " << clean(x.resource.name) << ": " << clean(x.message) << "\n";
      out << "      finding: " << x.finding_id << "\n";
    }
  }

  bool header = false;
  for (const auto& c : r.checks) {
    if (c.status != model::CheckStatus::not_evaluated && c.status != model::CheckStatus::error) continue;
    if (!header) out << "\n" << st("1;33", "NOT EVALUATED") << "\n";
    header = true;
    out << "  " << c.id << " (" << model::to_string(c.status) << "): " << clean(c.reason) << "\n";
  }
  for (const auto& d : r.datasets)
    if (d.state == "partial") out << "  dataset " << d.name << " incomplete: " << clean(d.reason) << "\n";

  bool notes_header = false;
  auto note = [&](const std::string& n) {
    if (!notes_header) out << "\n" << st("1", "NOTES") << "\n";
    notes_header = true;
    out << "  " << clean(n) << "\n";
  };
  for (const auto& n : r.notes) note(n);
  for (const auto& c : r.checks)
    for (const auto& n : c.notes) note(c.id + ": " + n);

  std::size_t by[4] = {0, 0, 0, 0};
  for (const auto& c : r.checks) by[static_cast<int>(c.status)]++;
  const auto counts = r.count_by_severity();
  out << "\n"
      << st("1", "Summary") << ": " << r.checks.size() << " checks (" << by[1] << " failed, " << by[0]
      << " passed, " << by[2] << " not evaluated, " << by[3] << " errors); " << r.findings.size()
      << " findings (" << counts[4] << " critical, " << counts[3] << " high, " << counts[2] << " medium, "
      << counts[1] << " low, " << counts[0] << " info)";
  if (const auto n = r.count_suppressed()) out << ", " << n << " suppressed";
  if (r.baseline)
    out << "; baseline: " << r.count_baseline(model::BaselineState::new_finding) << " new, "
        << r.count_baseline(model::BaselineState::unchanged) << " unchanged, " << r.resolved.size()
        << " resolved";
  out << "\n";
  const int code = r.exit_code();
  out << "Result: "
      << (code == 3   ? st("1;33", "INCOMPLETE (exit 3): some data or checks were not evaluated")
          : code == 1 ? st("1;31", std::string(r.fail_on_new ? "FAIL (exit 1): new findings at or above "
                                                             : "FAIL (exit 1): findings at or above ") +
                                       std::string(r.fail_on ? model::to_string(*r.fail_on) : "none"))
                      : st("1;32", "PASS (exit 0)"))
      << "\n";
}

}  // namespace adpersist::reports
