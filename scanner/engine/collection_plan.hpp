// What a collector must fetch for the selected checks. Active Directory: one search per dataset, with the
// union of the attributes the checks need plus the attributes the snapshot itself uses (classification,
// domain identity, tier-0 membership). Entra ID: one Graph collection per dataset, with $select = the union
// of the properties the checks need plus those the model joins on, and the datasets the needed ones depend on.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scanner/engine/check.hpp"

namespace adpersist::engine {

using CollectionPlan = std::map<model::Dataset, std::vector<std::string>>;

// The Active Directory datasets only.
CollectionPlan plan_collection(const std::vector<const Check*>& checks);
// The attributes every snapshot needs, whatever checks run (AD datasets).
const std::vector<std::string>& core_attributes(model::Dataset d);

// The Entra ID datasets the checks need, each with the Graph properties to $select. Empty when no selected
// check reads Entra ID. Besides the checks' own needs:
//   * organization and roleDefinitions always (the tenant's identity and names; role tiers by template id);
//   * the datasets a per-object collection is read for: appRoleAssignedTo → servicePrincipals,
//     federatedIdentityCredentials → applications, federationConfiguration → domains, and the application
//     owners → applications, servicePrincipals, appRoleAssignedTo and roleAssignments (which applications
//     are privileged);
//   * core_graph_properties(d) for each dataset in the plan.
// A navigation property ("principal" on roleAssignments) stays in the list; the collector expands it.
CollectionPlan plan_graph_collection(const std::vector<const Check*>& checks);
// The properties the model and its joins use, whatever checks run (ids, appId, display names, the links
// between objects).
const std::vector<std::string>& core_graph_properties(model::Dataset d);

}  // namespace adpersist::engine
