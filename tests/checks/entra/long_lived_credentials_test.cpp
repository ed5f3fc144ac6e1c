#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {
GJ app_with(const std::string& n, GJ secrets, GJ keys) {
  GJ app = test::application("a8000000-0000-4000-8000-00000000000" + n, "b8000000-0000-4000-8000-00000000000" + n,
                             "App " + n, "2021-01-01T00:00:00Z");
  app["passwordCredentials"] = std::move(secrets);
  app["keyCredentials"] = std::move(keys);
  return app;
}
}  // namespace

TEST_CASE("entra.long-lived-credentials: limits for secrets and certificates", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  // 2299 secret: high.
  c->add_application(app_with("1", {test::password_credential("e8000000-0000-4000-8000-000000000001",
                                                              "2021-07-08T15:05:51Z", "2299-12-31T00:00:00Z")},
                              GJ::array()));
  // 3-year certificate: medium.
  c->add_application(app_with("2", GJ::array(),
                              {test::key_credential("e8000000-0000-4000-8000-000000000002", "2025-01-10T11:30:00Z",
                                                    "2028-01-10T11:30:00Z")}));
  // At the limits (180-day secret, a year with a leap day): silent.
  c->add_application(app_with("3", {test::password_credential("e8000000-0000-4000-8000-000000000003",
                                                              "2026-09-15T00:00:00Z", "2027-03-14T00:00:00Z")},
                              {test::key_credential("e8000000-0000-4000-8000-000000000004", "2027-01-01T00:00:00Z",
                                                    "2028-01-02T00:00:00Z")}));
  // Long but expired: silent. Long Sign key: silent (it does not sign in).
  c->add_application(app_with("4", {test::password_credential("e8000000-0000-4000-8000-000000000005",
                                                              "2019-01-01T00:00:00Z", "2026-01-01T00:00:00Z")},
                              {test::key_credential("e8000000-0000-4000-8000-000000000006", "2025-01-01T00:00:00Z",
                                                    "2030-01-01T00:00:00Z", "Sign")}));
  auto r = test::run_check("entra.long-lived-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 2);
  auto never = r.for_name("App 1");
  REQUIRE(never.size() == 1);
  CHECK(never[0]->severity == Severity::high);
  CHECK(never[0]->evidence["limit_days"] == 180);
  CHECK(never[0]->evidence["lifetime_days"] == 101712);
  auto cert = r.for_name("App 2");
  REQUIRE(cert.size() == 1);
  CHECK(cert[0]->severity == Severity::medium);
  CHECK(cert[0]->evidence["lifetime_days"] == 1095);
  CHECK(cert[0]->evidence["limit_days"] == 366);
}

TEST_CASE("entra.long-lived-credentials: service principals, SAML signing aside", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  const std::string tp = "36hM9zKR93Z4Ywnx7B8Hshe6XX4=";
  GJ saml = test::service_principal("c9000000-0000-4000-8000-000000000009", "b9000000-0000-4000-8000-000000000009",
                                    "Salesforce");
  saml["preferredSingleSignOnMode"] = "saml";
  saml["keyCredentials"] = {test::key_credential("e9000000-0000-4000-8000-000000000001", "2025-01-01T00:00:00Z",
                                                 "2028-01-01T00:00:00Z", "Sign", tp),
                            test::key_credential("e9000000-0000-4000-8000-000000000002", "2025-01-01T00:00:00Z",
                                                 "2028-01-01T00:00:00Z", "Verify", tp),
                            test::key_credential("e9000000-0000-4000-8000-000000000003", "2025-01-01T00:00:00Z",
                                                 "2028-01-01T00:00:00Z", "Verify")};
  c->append("servicePrincipals", saml);
  auto r = test::run_check("entra.long-lived-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence_key == "credential:e9000000-0000-4000-8000-000000000003");
  CHECK(r.findings[0].evidence["object"] == "service principal");
}

TEST_CASE("entra.long-lived-credentials: not evaluated without service principals", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("servicePrincipals");
  auto r = test::run_check("entra.long-lived-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
}

TEST_CASE("entra.long-lived-credentials on the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.long-lived-credentials", test::tenant_snapshot());
  REQUIRE(r.for_name("Legacy Connector").size() == 1);
  CHECK(r.for_name("Legacy Connector")[0]->severity == Severity::high);
  REQUIRE(r.for_name("Reporting API").size() == 1);
  CHECK(r.for_name("Salesforce").empty());
  CHECK(r.for_name("Payroll Connector").empty());
}
