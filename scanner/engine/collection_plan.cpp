#include "scanner/engine/collection_plan.hpp"

#include <algorithm>

#include "scanner/util/strings.hpp"

namespace adpersist::engine {

using model::Dataset;

const std::vector<std::string>& core_attributes(model::Dataset d) {
  static const std::vector<std::string> kDomain = {
      "objectClass", "objectSid", "objectGUID", "sAMAccountName", "cn", "name", "userAccountControl",
      "primaryGroupID", "member", "whenCreated", "instanceType", "uSNChanged"};
  static const std::vector<std::string> kConfig = {"objectClass", "objectGUID", "cn", "name", "nCName",
                                                   "nETBIOSName", "dnsRoot", "whenCreated", "instanceType",
                                                   "uSNChanged"};
  static const std::vector<std::string> kNone;
  if (d == Dataset::domain) return kDomain;
  if (d == Dataset::configuration) return kConfig;
  return kNone;
}

namespace {
void add_unique(std::vector<std::string>& v, const std::string& a) {
  if (std::none_of(v.begin(), v.end(), [&](const std::string& x) { return util::iequals(x, a); })) v.push_back(a);
}
}  // namespace

CollectionPlan plan_collection(const std::vector<const Check*>& checks) {
  CollectionPlan plan;
  for (auto d : model::kAllDatasets)
    if (model::platform_of(d) == model::Platform::ad)
      for (const auto& a : core_attributes(d)) add_unique(plan[d], a);
  for (const auto* c : checks)
    for (const auto& n : c->info().needs) {
      if (model::platform_of(n.dataset) != model::Platform::ad) continue;
      for (const auto& a : n.required) add_unique(plan[n.dataset], a);
      for (const auto& a : n.optional) add_unique(plan[n.dataset], a);
    }
  return plan;
}

const std::vector<std::string>& core_graph_properties(model::Dataset d) {
  static const std::map<Dataset, std::vector<std::string>> kCore = {
      {Dataset::organization, {"id", "displayName", "createdDateTime", "verifiedDomains"}},
      {Dataset::applications, {"id", "appId", "displayName"}},
      // appRoles: the resource's role table, which every application-permission join resolves against.
      {Dataset::service_principals, {"id", "appId", "displayName", "appRoles"}},
      {Dataset::app_role_assigned_to,
       {"id", "principalId", "principalType", "principalDisplayName", "appRoleId", "resourceId",
        "resourceDisplayName"}},
      {Dataset::federated_identity_credentials, {"id", "name"}},
      {Dataset::app_owners, {"id", "displayName"}},
      // authenticationType: the collector reads federationConfiguration for the Federated domains.
      {Dataset::domains, {"id", "authenticationType"}},
      {Dataset::federation_configuration, {"id", "displayName"}},
      {Dataset::oauth2_permission_grants, {"id", "clientId", "consentType", "principalId", "resourceId", "scope"}},
      {Dataset::role_assignments, {"id", "principalId", "roleDefinitionId", "directoryScopeId"}},
      {Dataset::role_definitions, {"id", "displayName", "templateId", "isBuiltIn", "isEnabled"}},
      {Dataset::directory_audits, {"id", "activityDisplayName", "activityDateTime"}},
  };
  static const std::vector<std::string> kNone;
  auto it = kCore.find(d);
  return it == kCore.end() ? kNone : it->second;
}

CollectionPlan plan_graph_collection(const std::vector<const Check*>& checks) {
  CollectionPlan plan;
  for (const auto* c : checks)
    for (const auto& n : c->info().needs) {
      if (model::platform_of(n.dataset) != model::Platform::entra) continue;
      auto& v = plan[n.dataset];
      for (const auto& a : n.required) add_unique(v, a);
      for (const auto& a : n.optional) add_unique(v, a);
    }
  if (plan.empty()) return plan;
  auto need = [&plan](Dataset d) { plan[d]; };
  need(Dataset::organization);
  need(Dataset::role_definitions);
  if (plan.count(Dataset::app_owners)) {
    need(Dataset::applications);
    need(Dataset::service_principals);
    need(Dataset::app_role_assigned_to);
    need(Dataset::role_assignments);
  }
  if (plan.count(Dataset::app_role_assigned_to)) need(Dataset::service_principals);
  if (plan.count(Dataset::federated_identity_credentials)) need(Dataset::applications);
  if (plan.count(Dataset::federation_configuration)) need(Dataset::domains);
  for (auto& [d, props] : plan) {
    std::vector<std::string> all;
    for (const auto& a : core_graph_properties(d)) add_unique(all, a);
    for (const auto& a : props) add_unique(all, a);
    props = std::move(all);
  }
  return plan;
}

}  // namespace adpersist::engine
