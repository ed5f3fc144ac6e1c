// What the LDAP collector must fetch for the selected checks (the AD datasets only): one search per dataset, with the union of the
// attributes the checks need plus the attributes the snapshot itself uses (classification, domain
// identity, tier-0 membership).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scanner/engine/check.hpp"

namespace adpersist::engine {

using CollectionPlan = std::map<model::Dataset, std::vector<std::string>>;

CollectionPlan plan_collection(const std::vector<const Check*>& checks);
// The attributes every snapshot needs, whatever checks run.
const std::vector<std::string>& core_attributes(model::Dataset d);

}  // namespace adpersist::engine
