#include <catch2/catch.hpp>

#include "scanner/engine/collection_plan.hpp"
#include "scanner/engine/registry.hpp"

using namespace adpersist;

TEST_CASE("The LDAP collection plan holds the AD datasets only, whatever checks are selected", "[unit][engine]") {
  auto all = engine::select_checks({}, {});
  REQUIRE(all.ok());
  bool has_entra = false;
  for (const auto* c : all.value()) has_entra |= c->info().platform == model::Platform::entra;
  REQUIRE(has_entra);  // the Entra checks' Graph needs must not turn into LDAP searches
  const auto plan = engine::plan_collection(all.value());
  REQUIRE(plan.size() == 2);
  CHECK(plan.count(model::Dataset::domain) == 1);
  CHECK(plan.count(model::Dataset::configuration) == 1);
}
