#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kSp = "c1000000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b1000000-0000-4000-8000-000000000001";
}  // namespace

TEST_CASE("entra.sp-credentials: a secret on the service principal of an own app", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  GJ sp = test::service_principal(kSp, kAppId, "Finance Reports");
  sp["passwordCredentials"].push_back(test::password_credential("e1000000-0000-4000-8000-000000000001",
                                                                "2026-11-21T04:40:11Z", "2027-05-20T04:40:11Z"));
  c->append("servicePrincipals", sp);
  auto r = test::run_check("entra.sp-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].resource.type == "servicePrincipal");
  CHECK(r.findings[0].evidence["recent"] == true);
  CHECK(r.findings[0].evidence_key == "credential:e1000000-0000-4000-8000-000000000001");

  // Critical once the service principal holds a critical permission.
  test::grant_app_role(*c, kSp, "Finance Reports", test::kGraphSpId, "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9");
  auto r2 = test::run_check("entra.sp-credentials", c->snapshot());
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].severity == Severity::critical);
}

TEST_CASE("entra.sp-credentials: silent on the SAML signing pattern, managed identities, other owners",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  const std::string tp = "36hM9zKR93Z4Ywnx7B8Hshe6XX4=";
  GJ saml = test::service_principal(kSp, kAppId, "Salesforce");
  saml["preferredSingleSignOnMode"] = "saml";
  saml["preferredTokenSigningKeyThumbprint"] = "DFA84CF73291F776786309F1EC1F07B217BA5D7E";
  saml["keyCredentials"] = {test::key_credential("e2000000-0000-4000-8000-000000000001", "2026-11-20T00:00:00Z",
                                                 "2029-11-20T00:00:00Z", "Sign", tp),
                            test::key_credential("e2000000-0000-4000-8000-000000000002", "2026-11-20T00:00:00Z",
                                                 "2029-11-20T00:00:00Z", "Verify", tp)};
  GJ pw = test::password_credential("e2000000-0000-4000-8000-000000000003", "2026-11-20T00:00:00Z", "2029-11-20T00:00:00Z");
  pw["customKeyIdentifier"] = tp;
  saml["passwordCredentials"] = {pw};
  c->append("servicePrincipals", saml);
  GJ mi = test::service_principal("c2000000-0000-4000-8000-000000000002", "b2000000-0000-4000-8000-000000000002",
                                  "vm-backup", "");
  mi["appOwnerOrganizationId"] = nullptr;
  mi["servicePrincipalType"] = "ManagedIdentity";
  mi["keyCredentials"] = {test::key_credential("e2000000-0000-4000-8000-000000000004", "2026-11-01T00:00:00Z",
                                               "2027-01-30T00:00:00Z", "AsymmetricX509Cert")};
  c->append("servicePrincipals", mi);
  // Another tenant's app: entra.third-party-sp-credentials reports it, not this check.
  GJ vendor = test::service_principal("c3000000-0000-4000-8000-000000000003", "b3000000-0000-4000-8000-000000000003",
                                      "Vendor App", test::kVendorTenantId);
  vendor["passwordCredentials"] = {test::password_credential("e2000000-0000-4000-8000-000000000005",
                                                             "2026-11-20T00:00:00Z", "2027-05-20T00:00:00Z")};
  c->append("servicePrincipals", vendor);
  auto r = test::run_check("entra.sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.sp-credentials: not evaluated without the service principals", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("servicePrincipals");
  auto r = test::run_check("entra.sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("servicePrincipals.json"));
}

TEST_CASE("entra.sp-credentials on the fixture tenant: Finance Reports only", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.sp-credentials", test::tenant_snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "Finance Reports");
}
