#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kApp = "a1000000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b1000000-0000-4000-8000-000000000001";
constexpr const char* kSp = "c1000000-0000-4000-8000-000000000001";

std::unique_ptr<test::CaptureDir> tenant_with(const GJ& app) {
  auto c = test::CaptureDir::base();
  c->add_application(app);
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, app["displayName"]));
  return c;
}
}  // namespace

TEST_CASE("entra.app-credentials: a secret added recently to an old application", "[checks][entra]") {
  GJ app = test::application(kApp, kAppId, "HR Sync", "2020-02-11T09:00:00Z");
  app["passwordCredentials"].push_back(
      test::password_credential("d1000000-0000-4000-8000-000000000001", "2026-11-20T14:03:11.5238171Z",
                                "2027-11-20T14:03:11.5238171Z", "sync"));
  auto c = tenant_with(app);
  auto r = test::run_check("entra.app-credentials", c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.resource.type == "application");
  CHECK(f.resource.id == kApp);
  CHECK(f.resource.name == "HR Sync");
  CHECK(f.evidence_key == "credential:d1000000-0000-4000-8000-000000000001");
  CHECK(f.evidence["credential"]["kind"] == "secret");
  CHECK(f.evidence["credential"]["start"] == "2026-11-20T14:03:11Z");
  CHECK_FALSE(f.evidence["credential"].contains("hint"));  // not even the first characters of the secret
  CHECK(f.evidence["days_after_app_created"] == 2474);
}

TEST_CASE("entra.app-credentials: critical when the app holds a critical permission", "[checks][entra]") {
  GJ app = test::application(kApp, kAppId, "Backup Automation", "2020-06-02T09:00:00Z");
  app["keyCredentials"].push_back(test::key_credential("d2000000-0000-4000-8000-000000000002",
                                                       "2026-11-18T08:00:00Z", "2027-11-18T08:00:00Z", "Verify",
                                                       "2iD8ppbE+D6Kmu1ZvjM2jtQh88E="));
  auto c = tenant_with(app);
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8");
  auto r = test::run_check("entra.app-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["credential"]["kind"] == "certificate");
  // customKeyIdentifier of an uploaded certificate is its SHA-1 thumbprint (Graph documentation sample).
  CHECK(f.evidence["credential"]["thumbprint"] == "DA20FCA696C4F83E8A9AED59BE33368ED421F3C1");
  CHECK(f.evidence["privileged_permissions"][0] == "RoleManagement.ReadWrite.Directory (Microsoft Graph)");
}

TEST_CASE("entra.app-credentials: silent on set-up secrets, old rotations and Sign keys", "[checks][entra]") {
  // Created with the app (same day, inside the window).
  GJ fresh = test::application(kApp, kAppId, "Onboarding Portal", "2026-11-10T10:00:00Z");
  fresh["passwordCredentials"].push_back(test::password_credential(
      "d3000000-0000-4000-8000-000000000003", "2026-11-10T10:05:00Z", "2027-05-10T10:05:00Z"));
  // Rotated before the window.
  GJ old = test::application("a4000000-0000-4000-8000-000000000004", "b4000000-0000-4000-8000-000000000004",
                             "Payroll Connector", "2022-01-01T00:00:00Z");
  old["passwordCredentials"].push_back(test::password_credential(
      "d4000000-0000-4000-8000-000000000004", "2026-09-15T00:00:00Z", "2027-03-14T00:00:00Z"));
  // A token-signing key does not let anyone sign in as the app.
  GJ sign = test::application("a5000000-0000-4000-8000-000000000005", "b5000000-0000-4000-8000-000000000005",
                              "SAML App", "2021-01-01T00:00:00Z");
  sign["keyCredentials"].push_back(test::key_credential("d5000000-0000-4000-8000-000000000005",
                                                        "2026-11-25T00:00:00Z", "2029-11-25T00:00:00Z", "Sign"));
  auto c = test::CaptureDir::base();
  c->add_application(fresh);
  c->add_application(old);
  c->add_application(sign);
  auto r = test::run_check("entra.app-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.app-credentials: not evaluated without the applications", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("applications");
  auto r = test::run_check("entra.app-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("applications.json"));
  // And without any Entra source at all.
  auto r2 = test::run_check("entra.app-credentials", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("--graph-dir"));
}

TEST_CASE("entra.app-credentials: not evaluated when the capture lacks the credential properties", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->add_application({{"id", kApp}, {"appId", kAppId}, {"displayName", "X"}, {"createdDateTime", "2020-01-01T00:00:00Z"}});
  auto r = test::run_check("entra.app-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("keyCredentials") && Catch::Contains("$select"));
}

TEST_CASE("entra.app-credentials finds the planted cases of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.app-credentials", test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  auto hr = r.for_name("HR Sync");
  REQUIRE(hr.size() == 1);
  CHECK(hr[0]->severity == Severity::high);
  auto backup = r.for_name("Backup Automation");
  REQUIRE(backup.size() == 1);
  CHECK(backup[0]->severity == Severity::critical);
  CHECK(r.for_name("Onboarding Portal").empty());
  CHECK(r.for_name("Payroll Connector").empty());
  CHECK(r.for_name("Sales Dashboard").empty());
}
