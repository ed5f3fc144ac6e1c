#include "scanner/sources/ldap/ldap_collector.hpp"

#include <algorithm>
#include <chrono>

#include "scanner/util/progress.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::sources {

Result<LdapCollectStats> collect_ldap(const LdapOptions& options, const engine::CollectionPlan& plan,
                                      model::SnapshotBuilder& builder) {
  const auto t0 = std::chrono::steady_clock::now();
  auto conn = LdapConnection::open(options);
  if (!conn) return conn.error();
  auto root = conn->root_dse();
  if (!root) return root.error();
  LdapCollectStats stats;
  stats.root = root.value();

  for (const auto& [dataset, attributes] : plan) {
    const std::string base = dataset == model::Dataset::domain ? stats.root.default_nc : stats.root.configuration_nc;
    // displaySpecifier objects (1,300+ per forest) are never needed; leaving them out halves the
    // configuration NC (README "Exporting a domain").
    const std::string filter =
        dataset == model::Dataset::configuration ? "(!(objectClass=displaySpecifier))" : "(objectClass=*)";
    model::SourceInfo info;
    info.name = options.uri + " " + base;
    info.requested = attributes;
    info.requested_known = true;
    info.base = base;
    info.filter = filter;
    info.dataset = dataset;
    const auto source = builder.add_source(info);
    // nTSecurityDescriptor comes with the SD-flags control (owner, group, DACL: no SACL rights needed).
    const bool want_sd = std::any_of(attributes.begin(), attributes.end(),
                                     [](const std::string& a) { return util::iequals(a, "nTSecurityDescriptor"); });

    const std::string_view label = dataset == model::Dataset::domain ? "ldap: domain NC" : "ldap: configuration NC";
    std::size_t in_dataset = 0;
    Status st = conn->search(base, filter, attributes, want_sd, [&](LdapEntry& e) -> Status {
      if (auto s = builder.begin_entry(e.dn, {source, 0}); !s) return s;
      for (const auto& a : e.attributes)
        for (const auto& v : a.values) builder.add_value(a.name, v);
      builder.end_entry();
      ++stats.entries;
      if (options.progress) options.progress->update(label, ++in_dataset);
      return ok_status();
    });
    if (!st) builder.mark_partial(dataset, st.error().describe());
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace adpersist::sources
