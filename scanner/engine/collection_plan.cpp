#include "scanner/engine/collection_plan.hpp"

#include <algorithm>

#include "scanner/util/strings.hpp"

namespace adpersist::engine {

const std::vector<std::string>& core_attributes(model::Dataset d) {
  static const std::vector<std::string> kDomain = {
      "objectClass", "objectSid", "objectGUID", "sAMAccountName", "cn", "name", "userAccountControl",
      "primaryGroupID", "member", "whenCreated", "instanceType", "uSNChanged"};
  static const std::vector<std::string> kConfig = {"objectClass", "objectGUID", "cn", "name", "nCName",
                                                   "nETBIOSName", "dnsRoot", "whenCreated", "instanceType",
                                                   "uSNChanged"};
  return d == model::Dataset::domain ? kDomain : kConfig;
}

CollectionPlan plan_collection(const std::vector<const Check*>& checks) {
  CollectionPlan plan;
  auto add = [&plan](model::Dataset d, const std::string& a) {
    auto& v = plan[d];
    if (std::none_of(v.begin(), v.end(), [&](const std::string& x) { return util::iequals(x, a); })) v.push_back(a);
  };
  for (auto d : {model::Dataset::domain, model::Dataset::configuration})
    for (const auto& a : core_attributes(d)) add(d, a);
  for (const auto* c : checks)
    for (const auto& n : c->info().needs) {
      if (model::platform_of(n.dataset) != model::Platform::ad) continue;  // Graph requests are planned apart
      for (const auto& a : n.required) add(n.dataset, a);
      for (const auto& a : n.optional) add(n.dataset, a);
    }
  return plan;
}

}  // namespace adpersist::engine
