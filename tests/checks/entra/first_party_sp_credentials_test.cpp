#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

TEST_CASE("entra.first-party-sp-credentials: a certificate on Exchange Online's service principal",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  // Rewrite Exchange Online's SP with a Verify certificate (the Solorigate pattern).
  GJ body = {{"value", GJ::array()}};
  std::ifstream in(c->dir() + "/servicePrincipals.json");
  body = GJ::parse(in);
  for (auto& sp : body["value"])
    if (sp["id"] == test::kExchangeSpId)
      sp["keyCredentials"].push_back(test::key_credential("f1000000-0000-4000-8000-000000000001",
                                                          "2026-11-17T21:04:00Z", "2027-11-17T21:04:00Z"));
  c->put("servicePrincipals", body);
  auto r = test::run_check("entra.first-party-sp-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "Office 365 Exchange Online");
  CHECK(r.findings[0].severity == Severity::critical);  // added inside the window
  CHECK(r.findings[0].evidence["owner_tenant"] == test::kMicrosoftTenantId);

  // An old one is high.
  for (auto& sp : body["value"])
    if (sp["id"] == test::kExchangeSpId) sp["keyCredentials"][0]["startDateTime"] = "2021-03-01T00:00:00Z";
  c->put("servicePrincipals", body);
  auto r2 = test::run_check("entra.first-party-sp-credentials", c->snapshot());
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].severity == Severity::high);
}

TEST_CASE("entra.first-party-sp-credentials: Microsoft apps are known by owner tenant, not by name",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  // Named like Microsoft's, owned by this tenant: not first party.
  GJ fake = test::service_principal("c4000000-0000-4000-8000-000000000004", "b4000000-0000-4000-8000-000000000004",
                                    "Microsoft Graph Connector");
  fake["passwordCredentials"] = {test::password_credential("f2000000-0000-4000-8000-000000000002",
                                                           "2026-11-20T00:00:00Z", "2027-05-20T00:00:00Z")};
  c->append("servicePrincipals", fake);
  auto r = test::run_check("entra.first-party-sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.first-party-sp-credentials: not evaluated without appOwnerOrganizationId", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->put("servicePrincipals", {{"value", {{{"id", "c5000000-0000-4000-8000-000000000005"},
                                          {"appId", "b5000000-0000-4000-8000-000000000005"},
                                          {"keyCredentials", GJ::array()},
                                          {"passwordCredentials", GJ::array()}}}}});
  auto r = test::run_check("entra.first-party-sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("appOwnerOrganizationId"));
}

TEST_CASE("entra.first-party-sp-credentials on the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.first-party-sp-credentials", test::tenant_snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "Office 365 Exchange Online");
  CHECK(r.findings[0].evidence["credential"]["thumbprint"] == "054F1016690F6E6B59E8EB190964BA3BE5CC9A5A");
}
