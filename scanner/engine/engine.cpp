#include "scanner/engine/engine.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "scanner/model/tenant.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::engine {

using namespace adpersist::model;

std::string unmet_needs(const CheckInfo& info, const Snapshot& snap) {
  std::vector<std::string> problems;
  for (const auto& need : info.needs) {
    const auto& ds = snap.dataset(need.dataset);
    if (ds.state != DatasetState::ok) {
      problems.push_back(std::string("dataset '") + std::string(to_string(need.dataset)) + "' is " +
                         (ds.state == DatasetState::partial ? "incomplete: " : "missing: ") + ds.reason);
      continue;
    }
    if (platform_of(need.dataset) == Platform::entra) {
      // Graph returns every $select-ed property on every object (null when unset): a property no object
      // carries was not selected.
      std::vector<std::string> absent;
      for (const auto& a : need.required)
        if (snap.tenant()->property(need.dataset, a) != AttrCoverage::collected) absent.push_back(a);
      if (!absent.empty()) {
        std::string list;
        for (const auto& a : absent) list += (list.empty() ? "" : ", ") + a;
        problems.push_back("the " + std::string(to_string(need.dataset)) + " objects do not carry " + list +
                           " (not in the collection's $select)");
      }
      continue;
    }
    std::vector<std::string> not_collected, unknown;
    for (const auto& a : need.required) {
      switch (snap.attribute(a)) {
        case AttrCoverage::collected: break;
        case AttrCoverage::not_collected: not_collected.push_back(a); break;
        case AttrCoverage::unknown: unknown.push_back(a); break;
      }
    }
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (!not_collected.empty())
      problems.push_back("the export did not request " + join(not_collected) + " (add " +
                         (not_collected.size() > 1 ? "them" : "it") + " to the export's attribute list)");
    if (!unknown.empty())
      problems.push_back("no object in the input carries " + join(unknown) +
                         " and no header says it was requested: it was not exported or the exporting account "
                         "cannot read it");
  }
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string fingerprint(const Finding& f, std::string_view platform, std::string_view domain_sid) {
  std::string material;
  for (std::string_view part : {std::string_view(f.check_id), platform, domain_sid, std::string_view(f.resource.id),
                                std::string_view(f.evidence_key)}) {
    material += part;
    material += '\x1f';  // unit separator: parts cannot run into each other
  }
  return util::sha256_hex(material).substr(0, 32);
}

Report run_scan(const Snapshot& snap, const std::vector<const Check*>& checks, const ScanOptions& options) {
  Report r;
  r.tool_version = ADPERSIST_VERSION;
  r.now = parsers::format_rfc3339(options.now);
  r.since_seconds = options.recent_window.count();
  r.fail_on = options.fail_on;

  // One target per platform the scan reads (AD when no source at all, so a report always names one).
  const bool ad = snap.has_ad_source() || !snap.has_entra_source();
  const bool entra = snap.has_entra_source();
  std::string domain_sid, tenant_id;
  if (ad) {
    Target t;
    if (const auto& d = snap.domain()) {
      t.domain = d->dns_name;
      t.domain_dn = d->dn;
      t.domain_sid = d->sid ? d->sid->to_string() : "";
      t.netbios_name = d->netbios_name;
    }
    for (const auto& s : snap.sources()) t.sources.push_back(s.name);
    domain_sid = t.domain_sid;
    r.targets.push_back(t);
  }
  if (entra) {
    const auto& tenant = *snap.tenant();
    Target t;
    t.platform = "entra";
    t.tenant_id = tenant.tenant_id();
    t.tenant_name = tenant.display_name();
    if (const auto& org = tenant.organization()) t.domain = org->default_domain;
    t.sources = tenant.sources;
    tenant_id = t.tenant_id;
    r.targets.push_back(t);
    for (const auto& n : tenant.notes) r.notes.push_back(n);
  }
  for (auto d : kAllDatasets) {
    if (platform_of(d) == Platform::ad ? !ad : !entra) continue;
    const auto& st = snap.dataset(d);
    r.datasets.push_back({std::string(to_string(d)),
                          st.state == DatasetState::ok ? "ok" : st.state == DatasetState::partial ? "partial" : "missing",
                          st.reason});
  }
  r.notes.insert(r.notes.begin(), snap.notes().begin(), snap.notes().end());

  const CheckContext ctx{snap, options.now, options.recent_window, options.ioc};
  for (const Check* c : checks) {
    const auto& info = c->info();
    CheckResult cr{info.id, info.title, info.category, info.severity, CheckStatus::passed, {}, 0, {}};
    if (info.needs_ioc && !options.ioc) {
      cr.status = CheckStatus::not_evaluated;
      cr.reason = "no IOC list was given (--ioc FILE)";
      r.checks.push_back(std::move(cr));
      continue;
    }
    if (auto why = unmet_needs(info, snap); !why.empty()) {
      cr.status = CheckStatus::not_evaluated;
      cr.reason = std::move(why);
      r.checks.push_back(std::move(cr));
      continue;
    }
    Findings out(info.id, info.severity);
    try {
      c->evaluate(ctx, out);
    } catch (const std::exception& e) {
      cr.status = CheckStatus::error;
      cr.reason = std::string("the check failed: ") + e.what();
    } catch (...) {
      cr.status = CheckStatus::error;
      cr.reason = "the check failed with an unknown exception";
    }
    cr.notes = out.notes();
    if (cr.status != CheckStatus::error) {
      if (!out.not_evaluated_reason().empty()) {
        cr.status = CheckStatus::not_evaluated;
        cr.reason = out.not_evaluated_reason();
      }
      // Findings are kept even when the check declined part of its work.
      for (auto& f : out.items()) {
        f.finding_id = fingerprint(f, to_string(info.platform), info.platform == Platform::entra ? tenant_id : domain_sid);
        if (f.severity >= Severity::low && cr.status == CheckStatus::passed) cr.status = CheckStatus::failed;
        ReportFinding rf;
        rf.finding = std::move(f);
        rf.title = info.title;
        rf.category = info.category;
        rf.remediation = info.remediation;
        rf.attack = info.mitre;
        rf.references = info.references;
        r.findings.push_back(std::move(rf));
        cr.findings++;
      }
    }
    r.checks.push_back(std::move(cr));
  }

  std::sort(r.findings.begin(), r.findings.end(), [](const ReportFinding& a, const ReportFinding& b) {
    const auto& x = a.finding;
    const auto& y = b.finding;
    if (x.severity != y.severity) return x.severity > y.severity;
    if (x.check_id != y.check_id) return x.check_id < y.check_id;
    if (x.resource.dn != y.resource.dn) return util::to_lower(x.resource.dn) < util::to_lower(y.resource.dn);
    return x.finding_id < y.finding_id;
  });
  // Two findings with one fingerprint would make baselines ambiguous: a check bug, surfaced loudly.
  std::unordered_set<std::string_view> ids;
  for (const auto& rf : r.findings)
    if (!ids.insert(rf.finding.finding_id).second)
      r.notes.push_back("internal: duplicate finding id " + rf.finding.finding_id + " from " + rf.finding.check_id);
  return r;
}

}  // namespace adpersist::engine
