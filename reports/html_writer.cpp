// The HTML report: one self-contained file a manager can open and print. No scripts and no external assets
// (a CSP meta tag forbids both), and every string from the report is escaped: directory names are chosen by
// whoever controls the directory, and `adpersist report` renders JSON files of unknown origin.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "reports/report_util.hpp"
#include "reports/writers.hpp"
#include "scanner/parsers/ad_time.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::reports {

namespace {
using model::BaselineState;
using model::Json;
using model::Severity;

// How many findings the "fix first" list names; the list says how many there are in all.
constexpr std::size_t kFixFirst = 25;
// Suppressions that end within this many days of the run are flagged.
constexpr int kExpirySoonDays = 30;

// Visible escapes for controls, bidi overrides and invalid UTF-8 (as in the text report), then HTML escaping.
std::string esc(std::string_view raw) {
  const std::string s = util::sanitize_for_terminal(raw);
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Multi-line text (remediation): each line escaped, the line breaks kept.
std::string esc_lines(std::string_view s) {
  std::string out;
  for (auto line : util::split(s, '\n')) out += (out.empty() ? "" : "<br>") + esc(line);
  return out;
}

// A reference is a link only when it is an http(s) URL; anything else ("CISA AA21-008A") is text.
std::string reference(const std::string& ref) {
  if (util::istarts_with(ref, "https://") || util::istarts_with(ref, "http://"))
    return "<a href=\"" + esc(ref) + "\" rel=\"noreferrer noopener\">" + esc(ref) + "</a>";
  return esc(ref);
}

// Finding ids are hex fingerprints; anything else (a hand-edited report) is reduced to a safe fragment id.
std::string anchor(std::string_view finding_id) {
  std::string a = "f-";
  for (char c : finding_id) a += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return a;
}

std::string sev_badge(Severity s) {
  const std::string name(model::to_string(s));
  return "<span class=\"badge sev-" + name + "\">" + name + "</span>";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

std::string evidence_value(const Json& v) {
  if (v.is_string()) return esc(v.get<std::string>());
  if (v.is_null()) return "<span class=\"muted\">(none)</span>";
  if (v.is_array()) {
    if (v.empty()) return "<span class=\"muted\">(none)</span>";
    std::string s = "<ul class=\"values\">";
    for (const auto& x : v) s += "<li>" + evidence_value(x) + "</li>";
    return s + "</ul>";
  }
  if (v.is_object()) return "<code>" + esc(dump_json(v)) + "</code>";
  return esc(dump_json(v));
}

// Whole days from the run's UTC date to a suppression's last day ("YYYY-MM-DD"): 0 on that day, as the
// suppressions policy counts them (scanner/policy/suppressions.hpp); nullopt when unparsable.
std::optional<long> days_left(const std::string& now, const std::string& expires) {
  using std::chrono::days;
  auto n = parsers::parse_rfc3339(now);
  auto e = parsers::parse_rfc3339(expires + "T00:00:00Z");
  if (!n || !e) return std::nullopt;
  return (std::chrono::floor<days>(e.value()) - std::chrono::floor<days>(n.value())).count();
}

// "expires in 12 days" / "EXPIRED" / "INVALID": what a reviewer must act on, or "".
std::string expiry_flag(const std::string& now, const std::string& state, const std::string& expires) {
  if (state == "invalid") return "<span class=\"flag flag-bad\">INVALID</span>";
  if (state == "expired") return "<span class=\"flag flag-bad\">EXPIRED</span>";
  if (auto d = days_left(now, expires); d && *d <= kExpirySoonDays)
    return *d <= 0 ? std::string("<span class=\"flag flag-warn\">expires today</span>")
                   : "<span class=\"flag flag-warn\">expires in " + std::to_string(*d) +
                         (*d == 1 ? " day" : " days") + "</span>";
  return {};
}

constexpr const char* kStyle = R"css(
:root { color-scheme: light; --crit: #7b1fa2; --high: #c62828; --med: #e65100; --low: #0277bd; --info: #546e7a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1c1c1c;
       margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.25rem; border-bottom: 2px solid #ddd;
     padding-bottom: .2rem; margin-top: 2rem; } h3 { font-size: 1.05rem; margin: 1.2rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e3e3e3; }
th { background: #f4f4f4; font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
td.check { white-space: nowrap; }
table.narrow { width: auto; } table.narrow td, table.narrow th { min-width: 7rem; }
#fix-first td a { color: inherit; text-decoration: none; } #fix-first td a:hover { text-decoration: underline; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.kv dt { font-weight: 600; color: #444; } dl.kv dd { margin: 0; word-break: break-word; }
.muted { color: #777; } nav ul { columns: 2; list-style: none; padding: 0; } nav a { text-decoration: none; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem; font-weight: 700;
         color: #fff; text-transform: uppercase; letter-spacing: .02em; white-space: nowrap; }
.sev-critical { background: var(--crit); } .sev-high { background: var(--high); }
.sev-medium { background: var(--med); } .sev-low { background: var(--low); } .sev-info { background: var(--info); }
.badge.new { background: #d81b60; } .badge.unchanged { background: #9e9e9e; }
.badge.suppressed { background: #616161; }
.result { display: inline-block; font-weight: 700; padding: .3rem .7rem; border-radius: .3rem; margin: .4rem 0; }
.result.fail { background: #fdecea; color: #b71c1c; } .result.pass { background: #e8f5e9; color: #1b5e20; }
.result.incomplete { background: #fff8e1; color: #8d6e00; }
.alert { border: 2px solid #f9a825; background: #fffde7; padding: .6rem 1rem; border-radius: .3rem; }
.alert.ok { border-color: #a5d6a7; background: #f1f8e9; }
.alert h3 { margin-top: 0; }
.bar { display: inline-block; height: .8rem; vertical-align: middle; border-radius: .2rem; min-width: 1px; }
.card { border: 1px solid #ddd; border-left: 6px solid var(--info); border-radius: .3rem; padding: .6rem 1rem;
        margin: .8rem 0; break-inside: avoid; }
.card.sev-critical { border-left-color: var(--crit); } .card.sev-high { border-left-color: var(--high); }
.card.sev-medium { border-left-color: var(--med); } .card.sev-low { border-left-color: var(--low); }
.card.sev-info { border-left-color: var(--info); } .card.sev-critical, .card.sev-high, .card.sev-medium,
.card.sev-low, .card.sev-info { background: #fff; }
.card h4 { margin: .1rem 0 .4rem; font-size: 1rem; } .card .msg { font-weight: 500; }
.card table { font-size: .92em; } .card th { width: 12rem; background: #fafafa; }
ul.values { margin: 0; padding-left: 1.1rem; }
.flag { font-weight: 700; padding: 0 .35rem; border-radius: .2rem; }
.flag-bad { background: #fdecea; color: #b71c1c; } .flag-warn { background: #fff8e1; color: #8d6e00; }
footer { margin-top: 2rem; color: #777; font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; } tr, .card, .alert { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .refs a[href]::after { content: ""; }
}
)css";

class HtmlReport {
 public:
  HtmlReport(const model::Report& r, std::ostream& out) : r_(r), out_(out) {}

  void write() {
    head();
    header();
    nav();
    coverage();
    summary();
    if (r_.baseline) baseline();
    fix_first();
    findings();
    suppressions();
    catalogue();
    out_ << "<footer>Generated by adpersist " << esc(r_.tool_version) << " (report schema "
         << model::kReportSchemaVersion
         << "). Every value above comes from the scan; names are shown exactly as the "
         << "directory holds them, with control characters made visible.</footer>\n</body>\n</html>\n";
  }

 private:
  const model::Report& r_;
  std::ostream& out_;

  std::string target_label(const model::Target& t) const {
    if (t.platform == "entra")
      return "Entra ID tenant " + esc(t.tenant_name.empty() ? t.tenant_id : t.tenant_name) +
             (t.tenant_name.empty() ? "" : " <span class=\"mono\">(" + esc(t.tenant_id) + ")</span>");
    std::string s =
        "Active Directory domain " + esc(t.domain.empty() ? std::string("(no domain found)") : t.domain);
    if (!t.domain_sid.empty()) s += " <span class=\"mono\">(" + esc(t.domain_sid) + ")</span>";
    return s;
  }

  void head() {
    std::string names;
    for (const auto& t : r_.targets)
      names += (names.empty() ? "" : ", ") +
               (t.platform == "entra" ? (t.tenant_name.empty() ? t.tenant_id : t.tenant_name) : t.domain);
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
            "'unsafe-inline'; "
            "img-src data:\">\n"
         << "<meta name=\"referrer\" content=\"no-referrer\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"adpersist " << esc(r_.tool_version) << "\">\n"
         << "<title>adpersist report: " << esc(names.empty() ? std::string("no target") : names) << " ("
         << esc(r_.now) << ")</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  }

  void header() {
    out_ << "<header id=\"scope\">\n<h1>adpersist report</h1>\n";
    const int code = r_.exit_code();
    const std::string fail_on = r_.fail_on ? std::string(model::to_string(*r_.fail_on)) : "none";
    if (code == 3)
      out_ << "<p class=\"result incomplete\">INCOMPLETE (exit 3): some data or checks were not evaluated; "
              "see "
              "<a href=\"#coverage\">Coverage</a></p>\n";
    else if (code == 1)
      out_ << "<p class=\"result fail\">FAIL (exit 1): " << (r_.fail_on_new ? "new " : "")
           << "findings at or above " << esc(fail_on) << "</p>\n";
    else
      out_ << "<p class=\"result pass\">PASS (exit 0)</p>\n";
    out_ << "<dl class=\"kv\">\n";
    for (const auto& t : r_.targets) {
      out_ << "<dt>Target</dt><dd>" << target_label(t) << "</dd>\n";
      if (!t.netbios_name.empty()) out_ << "<dt>NetBIOS name</dt><dd>" << esc(t.netbios_name) << "</dd>\n";
      if (!t.domain_dn.empty())
        out_ << "<dt>Naming context</dt><dd class=\"mono\">" << esc(t.domain_dn) << "</dd>\n";
      out_ << "<dt>Sources</dt><dd>";
      if (t.sources.empty()) out_ << "<span class=\"muted\">(none recorded)</span>";
      for (std::size_t i = 0; i < t.sources.size(); ++i)
        out_ << (i ? "<br>" : "") << "<span class=\"mono\">" << esc(t.sources[i]) << "</span>";
      out_ << "</dd>\n";
    }
    if (r_.targets.empty()) out_ << "<dt>Target</dt><dd class=\"muted\">(none)</dd>\n";
    out_ << "<dt>Evaluated as of</dt><dd>" << esc(r_.now) << "</dd>\n"
         << "<dt>Run</dt><dd>started " << esc(r_.started_at) << ", finished " << esc(r_.finished_at)
         << "</dd>\n"
         << "<dt>Recent window</dt><dd>" << r_.since_seconds / 86400 << " days"
         << (r_.since_seconds % 86400 ? " (" + std::to_string(r_.since_seconds) + " s)" : "") << "</dd>\n"
         << "<dt>Gate</dt><dd>fail on " << esc(fail_on) << (r_.fail_on_new ? ", new findings only" : "")
         << "; exit code " << code << "</dd>\n"
         << "<dt>Tool</dt><dd>adpersist " << esc(r_.tool_version) << ", report schema "
         << model::kReportSchemaVersion << "</dd>\n</dl>\n</header>\n";
  }

  void nav() {
    out_ << "<nav><h2>Contents</h2><ul>\n<li><a href=\"#coverage\">Coverage</a></li>\n"
         << "<li><a href=\"#summary\">Summary</a></li>\n";
    if (r_.baseline) out_ << "<li><a href=\"#baseline\">New since the baseline</a></li>\n";
    out_ << "<li><a href=\"#fix-first\">Fix first</a></li>\n<li><a href=\"#findings\">Findings</a></li>\n"
         << "<li><a href=\"#suppressions\">Suppressions</a></li>\n<li><a href=\"#checks\">Check "
            "catalogue</a></li>\n"
         << "</ul></nav>\n";
  }

  void coverage() {
    out_ << "<section id=\"coverage\">\n<h2>Coverage</h2>\n";
    std::vector<const model::DatasetResult*> bad_ds;
    for (const auto& d : r_.datasets)
      if (d.state != "ok") bad_ds.push_back(&d);
    std::vector<const model::CheckResult*> bad_checks;
    for (const auto& c : r_.checks)
      if (c.status == model::CheckStatus::not_evaluated || c.status == model::CheckStatus::error)
        bad_checks.push_back(&c);
    std::size_t partial = 0;
    for (const auto* d : bad_ds) partial += d->state == "partial";

    if (bad_checks.empty() && partial == 0) {
      out_ << "<div class=\"alert ok\"><p>All " << r_.checks.size()
           << " checks were evaluated and every dataset "
           << "they read was complete.</p></div>\n";
    } else {
      out_ << "<div class=\"alert\" id=\"coverage-gaps\"><h3>Not everything was evaluated</h3>\n<p>"
           << bad_checks.size() << " of " << r_.checks.size() << " checks were not evaluated or failed, and "
           << partial << " dataset" << (partial == 1 ? " was" : "s were")
           << " incomplete. A check that did not run found nothing: that is no evidence the indicator is "
              "absent.</p>\n";
      if (!bad_checks.empty()) {
        out_ << "<table><thead><tr><th>Check</th><th>Status</th><th>Why</th></tr></thead><tbody>\n";
        for (const auto* c : bad_checks)
          out_ << "<tr><td class=\"mono check\">" << esc(c->id) << "</td><td>" << model::to_string(c->status)
               << "</td><td>" << esc(c->reason) << "</td></tr>\n";
        out_ << "</tbody></table>\n";
      }
      out_ << "</div>\n";
    }
    if (!bad_ds.empty()) {
      out_ << "<h3>Datasets not fully read (" << bad_ds.size() << ")</h3>\n"
           << "<table><thead><tr><th>Dataset</th><th>State</th><th>Why</th></tr></thead><tbody>\n";
      for (const auto* d : bad_ds)
        out_ << "<tr><td class=\"mono\">" << esc(d->name) << "</td><td>" << esc(d->state) << "</td><td>"
             << esc(d->reason) << "</td></tr>\n";
      out_ << "</tbody></table>\n";
    }
    std::vector<std::string> notes = r_.notes;
    for (const auto& c : r_.checks)
      for (const auto& n : c.notes) notes.push_back(c.id + ": " + n);
    if (!notes.empty()) {
      out_ << "<h3>Notes (" << notes.size() << ")</h3>\n<ul>\n";
      for (const auto& n : notes) out_ << "<li>" << esc(n) << "</li>\n";
      out_ << "</ul>\n";
    }
    out_ << "</section>\n";
  }

  void summary() {
    const auto counts = r_.count_by_severity();
    std::vector<std::size_t> open(5, 0), suppressed(5, 0), fresh(5, 0);
    for (const auto& f : r_.findings) {
      const auto s = static_cast<std::size_t>(f.finding.severity);
      (f.suppressed() ? suppressed : open)[s]++;
      fresh[s] += f.baseline_state == BaselineState::new_finding;
    }
    const std::size_t max = std::max<std::size_t>(1, *std::max_element(counts.begin(), counts.end()));
    out_ << "<section id=\"summary\">\n<h2>Summary</h2>\n<p><strong id=\"count-total\">" << r_.findings.size()
         << "</strong> findings from " << r_.checks.size() << " checks.</p>\n"
         << "<h3>By severity</h3>\n<table id=\"by-severity\"><thead><tr><th>Severity</th><th "
            "class=\"num\">Findings</th>"
         << "<th class=\"num\">Open</th><th class=\"num\">Suppressed</th>"
         << (r_.baseline ? "<th class=\"num\">New</th>" : "") << "<th></th></tr></thead><tbody>\n";
    for (int s = 4; s >= 0; --s) {
      const auto i = static_cast<std::size_t>(s);
      const std::string name(model::to_string(static_cast<Severity>(s)));
      out_ << "<tr><td>" << sev_badge(static_cast<Severity>(s)) << "</td><td class=\"num\" id=\"count-"
           << name << "\">" << counts[i] << "</td><td class=\"num\">" << open[i] << "</td><td class=\"num\">"
           << suppressed[i] << "</td>";
      if (r_.baseline) out_ << "<td class=\"num\">" << fresh[i] << "</td>";
      out_ << "<td style=\"width:40%\"><span class=\"bar sev-" << name
           << "\" style=\"width:" << (counts[i] * 100 / max) << "%\"></span></td></tr>\n";
    }
    out_ << "</tbody></table>\n";

    // Categories with the most findings first, with a column per severity.
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::size_t>> by_cat;
    for (const auto& f : r_.findings) {
      auto [it, inserted] = by_cat.try_emplace(f.category, std::vector<std::size_t>(6, 0));
      if (inserted) order.push_back(f.category);
      it->second[static_cast<std::size_t>(f.finding.severity)]++;
      it->second[5]++;
    }
    std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
      return by_cat[a][5] != by_cat[b][5] ? by_cat[a][5] > by_cat[b][5] : a < b;
    });
    out_ << "<h3>By category</h3>\n";
    if (order.empty()) {
      out_ << "<p class=\"muted\">No findings.</p>\n";
    } else {
      out_ << "<table id=\"by-category\"><thead><tr><th>Category</th><th class=\"num\">Findings</th>";
      for (int s = 4; s >= 0; --s)
        out_ << "<th class=\"num\">" << model::to_string(static_cast<Severity>(s)) << "</th>";
      out_ << "</tr></thead><tbody>\n";
      for (const auto& c : order) {
        const auto& n = by_cat[c];
        out_ << "<tr><td>" << esc(c.empty() ? std::string("(none)") : c) << "</td><td class=\"num\">" << n[5]
             << "</td>";
        for (int s = 4; s >= 0; --s)
          out_ << "<td class=\"num\">" << n[static_cast<std::size_t>(s)] << "</td>";
        out_ << "</tr>\n";
      }
      out_ << "</tbody></table>\n";
    }
    out_ << "</section>\n";
  }

  void baseline() {
    const auto& b = *r_.baseline;
    out_ << "<section id=\"baseline\">\n<h2>New since the baseline</h2>\n<dl class=\"kv\">\n"
         << "<dt>Baseline</dt><dd class=\"mono\">" << esc(b.source) << "</dd>\n"
         << "<dt>Accepted</dt><dd>"
         << (b.existed ? (b.created_at.empty() ? std::string("(time not recorded)") : esc(b.created_at))
                       : std::string("none yet: this is the first run, so every finding is new"))
         << "</dd>\n<dt>Findings in the baseline</dt><dd>" << b.findings << "</dd>\n</dl>\n"
         << "<table id=\"baseline-counts\" class=\"narrow\"><thead><tr><th class=\"num\">New</th><th "
            "class=\"num\">Unchanged</th>"
         << "<th class=\"num\">Resolved</th></tr></thead><tbody><tr><td class=\"num\" id=\"count-new\">"
         << r_.count_baseline(BaselineState::new_finding) << "</td><td class=\"num\" id=\"count-unchanged\">"
         << r_.count_baseline(BaselineState::unchanged) << "</td><td class=\"num\" id=\"count-resolved\">"
         << r_.resolved.size() << "</td></tr></tbody></table>\n";
    out_ << "<h3>Resolved (" << r_.resolved.size() << ")</h3>\n";
    if (r_.resolved.empty()) {
      out_ << "<p class=\"muted\">Every finding of the baseline is still present.</p>\n";
    } else {
      out_ << "<p>In the baseline, no longer found by this run.</p>\n<table "
              "id=\"resolved\"><thead><tr><th>Severity</th>"
           << "<th>Check</th><th>Object</th><th>Message</th><th>First seen</th><th>Finding "
              "id</th></tr></thead><tbody>\n";
      for (const auto& x : r_.resolved)
        out_ << "<tr><td>" << sev_badge(x.severity) << "</td><td class=\"mono check\">" << esc(x.check_id)
             << "</td><td>" << esc(x.resource.name) << "<br><span class=\"mono muted\">"
             << esc(x.resource.dn.empty() ? x.resource.id : x.resource.dn) << "</span></td><td>"
             << esc(x.message) << "</td><td>" << esc(x.first_seen) << "</td><td class=\"mono\">"
             << esc(x.finding_id) << "</td></tr>\n";
      out_ << "</tbody></table>\n";
    }
    out_ << "</section>\n";
  }

  void fix_first() {
    std::vector<const model::ReportFinding*> open;
    for (const auto& f : r_.findings)
      if (!f.suppressed()) open.push_back(&f);
    // New findings first (what changed is what to look at), then severity; the report's order breaks ties.
    std::stable_sort(open.begin(), open.end(), [](const auto* a, const auto* b) {
      const bool na = a->baseline_state == BaselineState::new_finding,
                 nb = b->baseline_state == BaselineState::new_finding;
      if (na != nb) return na;
      return a->finding.severity > b->finding.severity;
    });
    out_ << "<section id=\"fix-first\">\n<h2>Fix first</h2>\n";
    if (open.empty()) {
      out_ << "<p class=\"muted\">No open findings.</p>\n</section>\n";
      return;
    }
    const std::size_t shown = std::min(open.size(), kFixFirst);
    out_ << "<p>"
         << (shown < open.size() ? "The first " + std::to_string(shown) + " of " : std::string("All "))
         << open.size() << " open findings" << (r_.baseline ? ", new ones first, then" : ", ordered")
         << " by severity."
         << (shown < open.size() ? " Every finding is listed under <a href=\"#findings\">Findings</a>." : "")
         << "</p>\n<table><thead><tr><th>#</th><th>Severity</th><th>Check</th><th>Object</th><th>Finding</"
            "th></tr></thead><tbody>\n";
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& rf = *open[i];
      out_ << "<tr><td class=\"num\">" << i + 1 << "</td><td>" << sev_badge(rf.finding.severity)
           << (rf.baseline_state == BaselineState::new_finding ? " <span class=\"badge new\">new</span>" : "")
           << "</td><td class=\"mono check\">" << esc(rf.finding.check_id) << "</td><td>"
           << esc(rf.finding.resource.name) << "</td><td><a href=\"#" << anchor(rf.finding.finding_id)
           << "\">" << esc(rf.finding.message) << "</a></td></tr>\n";
    }
    out_ << "</tbody></table>\n</section>\n";
  }

  void card(const model::ReportFinding& rf) {
    const auto& f = rf.finding;
    const std::string sev(model::to_string(f.severity));
    out_ << "<article class=\"card sev-" << sev << "\" id=\"" << anchor(f.finding_id) << "\">\n<h4>"
         << sev_badge(f.severity);
    if (rf.baseline_state == BaselineState::new_finding) out_ << " <span class=\"badge new\">new</span>";
    if (rf.baseline_state == BaselineState::unchanged)
      out_ << " <span class=\"badge unchanged\">unchanged</span>";
    if (rf.suppressed()) out_ << " <span class=\"badge suppressed\">suppressed</span>";
    out_ << " <span class=\"mono\">" << esc(f.check_id) << "</span> " << esc(rf.title) << "</h4>\n"
         << "<p class=\"msg\">" << esc(f.message) << "</p>\n<table>\n"
         << "<tr><th>Object</th><td>" << esc(f.resource.name) << " <span class=\"muted\">("
         << esc(f.resource.type) << ")</span></td></tr>\n";
    if (!f.resource.dn.empty())
      out_ << "<tr><th>DN</th><td class=\"mono\">" << esc(f.resource.dn) << "</td></tr>\n";
    out_ << "<tr><th>Object id</th><td class=\"mono\">" << esc(f.resource.id) << "</td></tr>\n";
    if (!f.resource.sid.empty())
      out_ << "<tr><th>SID</th><td class=\"mono\">" << esc(f.resource.sid) << "</td></tr>\n";
    for (auto it = f.evidence.begin(); it != f.evidence.end(); ++it)
      out_ << "<tr><th>" << esc(it.key()) << "</th><td>" << evidence_value(it.value()) << "</td></tr>\n";
    if (!rf.remediation.empty())
      out_ << "<tr><th>Remediation</th><td>" << esc_lines(rf.remediation) << "</td></tr>\n";
    if (!rf.attack.empty()) {
      out_ << "<tr><th>ATT&amp;CK</th><td>";
      for (std::size_t i = 0; i < rf.attack.size(); ++i)
        out_ << (i ? ", " : "") << "<a href=\"" << esc(detail::attack_url(rf.attack[i]))
             << "\" rel=\"noreferrer noopener\">" << esc(rf.attack[i]) << "</a>";
      out_ << "</td></tr>\n";
    }
    if (!rf.references.empty()) {
      out_ << "<tr><th>References</th><td class=\"refs\"><ul class=\"values\">";
      for (const auto& ref : rf.references) out_ << "<li>" << reference(ref) << "</li>";
      out_ << "</ul></td></tr>\n";
    }
    if (rf.suppression) {
      const auto& s = *rf.suppression;
      out_ << "<tr><th>Suppressed by</th><td>" << esc(s.rule) << ": owner " << esc(s.owner) << ", expires "
           << esc(s.expires) << " " << expiry_flag(r_.now, "active", s.expires) << "<br>" << esc(s.reason)
           << "</td></tr>\n";
    }
    if (!rf.first_seen.empty()) out_ << "<tr><th>First seen</th><td>" << esc(rf.first_seen) << "</td></tr>\n";
    out_ << "<tr><th>Finding id</th><td class=\"mono\">" << esc(f.finding_id)
         << "</td></tr>\n</table>\n</article>\n";
  }

  void findings() {
    out_ << "<section id=\"findings\">\n<h2>Findings (" << r_.findings.size() << ")</h2>\n";
    if (r_.findings.empty()) out_ << "<p class=\"muted\">No findings.</p>\n";
    for (int s = 4; s >= 0; --s) {
      const auto sev = static_cast<Severity>(s);
      std::size_t n = 0;
      for (const auto& f : r_.findings) n += f.finding.severity == sev && !f.suppressed();
      if (!n) continue;
      out_ << "<h3>" << upper(model::to_string(sev)) << " (" << n << ")</h3>\n";
      for (const auto& f : r_.findings)
        if (f.finding.severity == sev && !f.suppressed()) card(f);
    }
    if (const auto n = r_.count_suppressed()) {
      out_ << "<h3>Suppressed (" << n
           << ")</h3>\n<p>Accepted by their owner until the expiry date; they do not trip "
           << "the gate.</p>\n";
      for (const auto& f : r_.findings)
        if (f.suppressed()) card(f);
    }
    out_ << "</section>\n";
  }

  void suppressions() {
    out_ << "<section id=\"suppressions\">\n<h2>Suppressions (" << r_.suppressions.size() << ")</h2>\n";
    if (r_.suppressions.empty()) {
      out_ << "<p class=\"muted\">"
           << (r_.count_suppressed() ? "The report does not list the suppression entries."
                                     : "No suppressions file was used.")
           << "</p>\n</section>\n";
      return;
    }
    std::size_t attention = 0;
    for (const auto& x : r_.suppressions) attention += !expiry_flag(r_.now, x.state, x.expires).empty();
    if (attention)
      out_ << "<p><span class=\"flag flag-warn\">" << attention << " entr"
           << (attention == 1 ? "y needs" : "ies need")
           << " attention</span>: expired or invalid entries suppress nothing, and entries expiring within "
           << kExpirySoonDays << " days will soon stop suppressing.</p>\n";
    out_ << "<table "
            "id=\"suppression-list\"><thead><tr><th>Entry</th><th>Matches</th><th>Owner</th><th>Reason</th>"
         << "<th>Expires</th><th>State</th><th class=\"num\">Matched</th></tr></thead><tbody>\n";
    for (const auto& x : r_.suppressions) {
      out_ << "<tr><td>" << esc(x.rule) << "</td><td><span class=\"mono\">" << esc(x.check) << "</span>";
      if (!x.object.empty()) out_ << "<br>object <span class=\"mono\">" << esc(x.object) << "</span>";
      if (!x.finding_id.empty())
        out_ << "<br>finding <span class=\"mono\">" << esc(x.finding_id) << "</span>";
      out_ << "</td><td>" << esc(x.owner) << "</td><td>" << esc(x.reason) << "</td><td>" << esc(x.expires)
           << " " << expiry_flag(r_.now, x.state, x.expires) << "</td><td>" << esc(x.state);
      if (!x.problem.empty()) out_ << ": " << esc(x.problem);
      out_ << "</td><td class=\"num\">" << x.matched << "</td></tr>\n";
    }
    out_ << "</tbody></table>\n</section>\n";
  }

  void catalogue() {
    out_ << "<section id=\"checks\">\n<h2>Check catalogue (" << r_.checks.size() << ")</h2>\n"
         << "<p>The checks this run selected; <code>adpersist checks show ID</code> explains each.</p>\n"
         << "<table><thead><tr><th>Check</th><th>Title</th><th>Category</th><th>Severity</th><th>Status</th>"
         << "<th class=\"num\">Findings</th></tr></thead><tbody>\n";
    for (const auto& c : r_.checks) {
      out_ << "<tr><td class=\"mono check\">" << esc(c.id) << "</td><td>" << esc(c.title) << "</td><td>"
           << esc(c.category) << "</td><td>" << sev_badge(c.severity) << "</td><td>"
           << model::to_string(c.status);
      if (!c.reason.empty()) out_ << ": " << esc(c.reason);
      out_ << "</td><td class=\"num\">" << c.findings << "</td></tr>\n";
    }
    out_ << "</tbody></table>\n</section>\n";
  }
};
}  // namespace

void write_html(const model::Report& r, std::ostream& out) {
  HtmlReport(r, out).write();
}

}  // namespace adpersist::reports
