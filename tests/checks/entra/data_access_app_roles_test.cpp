#include <catch2/catch.hpp>
#include <set>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.data-access-app-roles";
constexpr const char* kApp = "a2100000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b2100000-0000-4000-8000-000000000001";
constexpr const char* kSp = "c2100000-0000-4000-8000-000000000001";
constexpr const char* kMailRead = "810c84a8-4a9e-49e6-bf7d-12d183f40d01";
constexpr const char* kFilesReadWriteAll = "75359482-378d-4052-8f01-80520e7db3cd";
constexpr const char* kRoleManagementRW = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";
constexpr const char* kUserReadAll = "df021288-bdef-4463-88db-98f22de89214";
constexpr const char* kFullAccessAsApp = "dc890d15-9560-4a4c-9b7f-a736ec74ec40";
constexpr const char* kExchangeManageAsApp = "dc50a0fb-09a3-484d-be87-e023b12c6440";
constexpr const char* kSitesFullControl = "678536fe-1083-478a-9c59-b99265e6b0d3";

std::unique_ptr<test::CaptureDir> tenant_with_sp(const std::string& name = "HR Sync") {
  auto c = test::CaptureDir::base();
  c->add_application(test::application(kApp, kAppId, name, "2020-02-11T09:00:00Z"));
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, name));
  return c;
}

// A multi-tenant vendor application: its service principal only (the application lives in the vendor's
// tenant).
std::unique_ptr<test::CaptureDir> tenant_with_vendor_sp(bool local_secret, bool verified = false) {
  auto c = test::CaptureDir::base();
  GJ sp = test::service_principal(kSp, kAppId, "MailGuard Archiver", test::kVendorTenantId);
  if (local_secret)
    sp["passwordCredentials"].push_back(test::password_credential("d2100000-0000-4000-8000-000000000001",
                                                                  "2026-11-22T05:11:38Z",
                                                                  "2027-05-21T05:11:38Z", "mgarchiver-sync"));
  if (verified)
    sp["verifiedPublisher"] = {{"displayName", "MailGuard Ltd"},
                               {"verifiedPublisherId", "1234567"},
                               {"addedDateTime", "2021-01-01T00:00:00Z"}};
  c->append("servicePrincipals", sp);
  test::grant_app_role(*c, kSp, "MailGuard Archiver", test::kExchangeSpId, kFullAccessAsApp,
                       "2025-05-10T16:44:03Z");
  return c;
}
}  // namespace

TEST_CASE("entra.data-access-app-roles: an established grant of Mail.Read is high", "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kMailRead, "2024-03-01T00:00:00Z");
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kUserReadAll, "2020-02-11T10:03:55Z");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.resource.type == "servicePrincipal");
  CHECK(f.resource.id == kSp);
  CHECK(f.evidence_key == "role:00000003-0000-0000-c000-000000000000:Mail.Read");
  CHECK(f.message == "holds Mail.Read on Microsoft Graph, granted 2024-03-01");
  CHECK(f.evidence["why"] == "reads every mailbox");
  CHECK(f.evidence["granted_in_window"] == false);
  CHECK(f.evidence["ownership"] == "this tenant");
  CHECK(f.evidence["other_privileged_permissions"].empty());
}

TEST_CASE("entra.data-access-app-roles: a grant inside the window is critical", "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kMailRead, "2026-11-20T02:20:04.9172533Z");
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kRoleManagementRW, "2024-01-01T00:00:00Z");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.message == "holds Mail.Read on Microsoft Graph, granted 2026-11-20 (inside the 30-day window)");
  CHECK(f.evidence["granted_in_window"] == true);
  CHECK(f.evidence["other_privileged_permissions"] ==
        Json::array({"RoleManagement.ReadWrite.Directory (Microsoft Graph)"}));
  // A narrower --since puts the same grant outside the window.
  auto narrow = test::run_check(kCheck, c->snapshot(), test::lab_now(), std::chrono::hours(24 * 7));
  REQUIRE(narrow.findings.size() == 1);
  CHECK(narrow.findings[0].severity == Severity::high);
  CHECK(narrow.findings[0].message == "holds Mail.Read on Microsoft Graph, granted 2026-11-20");
}

TEST_CASE("entra.data-access-app-roles: third-party full_access_as_app (the Mimecast pattern)",
          "[checks][entra]") {
  SECTION("without a local credential: high") {
    auto c = tenant_with_vendor_sp(false);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.severity == Severity::high);
    CHECK(f.evidence_key == "role:00000002-0000-0ff1-ce00-000000000000:full_access_as_app");
    CHECK(f.evidence["resource"] == "Office 365 Exchange Online");
    CHECK(f.evidence["ownership"] == "third party");
    CHECK(f.evidence["verified_publisher"] == "");
    CHECK(f.evidence["credentials"]["application"].is_null());
    CHECK(
        f.message ==
        "holds full_access_as_app on Office 365 Exchange Online, granted 2025-05-10; third-party "
        "application, no verified publisher");
  }
  SECTION("with a secret added in this tenant: critical") {
    auto c = tenant_with_vendor_sp(true);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.severity == Severity::critical);
    CHECK(f.evidence["credentials"]["service_principal"] == 1);
    CHECK_THAT(f.message, Catch::EndsWith("its service principal carries 1 credential added in this tenant"));
    CHECK(f.evidence.dump().find("Abc") == std::string::npos);  // no secret hint
  }
  SECTION("a verified publisher is named") {
    auto c = tenant_with_vendor_sp(false, true);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["verified_publisher"] == "MailGuard Ltd");
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("third-party application published by MailGuard Ltd"));
  }
}

TEST_CASE("entra.data-access-app-roles: Microsoft and disabled service principals", "[checks][entra]") {
  SECTION("Microsoft first party: medium") {
    auto c = test::CaptureDir::base();
    c->append("servicePrincipals",
              test::service_principal(kSp, kAppId, "Microsoft Teams Services", test::kMicrosoftTenantId));
    test::grant_app_role(*c, kSp, "Microsoft Teams Services", test::kGraphSpId, kFilesReadWriteAll);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::medium);
    CHECK(r.findings[0].evidence["ownership"] == "Microsoft");
  }
  SECTION("disabled: one step lower") {
    auto c = test::CaptureDir::base();
    GJ sp = test::service_principal(kSp, kAppId, "Intranet Search");
    sp["accountEnabled"] = false;
    c->append("servicePrincipals", sp);
    test::grant_app_role(*c, kSp, "Intranet Search", test::kSharePointSpId, kSitesFullControl);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::medium);
    CHECK(r.findings[0].evidence_key == "role:00000003-0000-0ff1-ce00-000000000000:Sites.FullControl.All");
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("; the service principal is disabled"));
  }
}

TEST_CASE("entra.data-access-app-roles: one finding per permission", "[checks][entra]") {
  auto c = tenant_with_sp("Archive Tool");
  test::grant_app_role(*c, kSp, "Archive Tool", test::kGraphSpId, kMailRead);
  test::grant_app_role(*c, kSp, "Archive Tool", test::kExchangeSpId, kFullAccessAsApp);
  test::grant_app_role(*c, kSp, "Archive Tool", test::kExchangeSpId, kExchangeManageAsApp);
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 3);
  std::set<std::string> keys;
  for (const auto& f : r.findings) keys.insert(f.evidence_key);
  CHECK(keys == std::set<std::string>{"role:00000003-0000-0000-c000-000000000000:Mail.Read",
                                      "role:00000002-0000-0ff1-ce00-000000000000:full_access_as_app",
                                      "role:00000002-0000-0ff1-ce00-000000000000:Exchange.ManageAsApp"});
}

TEST_CASE("entra.data-access-app-roles: silent on read-only and critical roles and look-alike APIs",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kUserReadAll);
  test::grant_app_role(*c, kSp, "HR Sync", test::kGraphSpId, kRoleManagementRW);  // critical: the other check
  // An internal API with a role named Mail.Read (and the Graph GUID): not Microsoft Graph's Mail.Read.
  const std::string api_sp = "c2300000-0000-4000-8000-000000000001";
  GJ api = test::service_principal(api_sp, "b2300000-0000-4000-8000-000000000001", "Contoso Mail API");
  api["appRoles"] = {{{"allowedMemberTypes", {"Application"}},
                      {"description", "Read the archive"},
                      {"displayName", "Mail.Read"},
                      {"id", kMailRead},
                      {"isEnabled", true},
                      {"origin", "Application"},
                      {"value", "Mail.Read"}}};
  c->append("servicePrincipals", api);
  test::grant_app_role(*c, kSp, "HR Sync", api_sp, kMailRead, "2026-11-25T00:00:00Z");
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.data-access-app-roles: not evaluated without the data it needs", "[checks][entra]") {
  SECTION("no appRoleAssignedTo for Exchange Online") {
    auto c = test::CaptureDir::base();
    c->remove(std::string("servicePrincipals/") + test::kExchangeSpId + "/appRoleAssignedTo");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains(test::kExchangeSpId));
  }
  SECTION("assignments captured without createdDateTime") {
    auto c = tenant_with_sp();
    GJ a = test::app_role_assignment(kSp, "HR Sync", test::kGraphSpId, kMailRead, "2026-11-20T00:00:00Z");
    a.erase("createdDateTime");
    c->append(std::string("servicePrincipals/") + test::kGraphSpId + "/appRoleAssignedTo", a);
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("createdDateTime") && Catch::Contains("$select"));
  }
  SECTION("no service principals") {
    auto c = test::CaptureDir::base();
    c->remove("servicePrincipals");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("servicePrincipals.json"));
  }
}

TEST_CASE("entra.data-access-app-roles finds the planted cases of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 3);
  auto mailguard = r.for_name("MailGuard Archiver");
  REQUIRE(mailguard.size() == 1);
  CHECK(mailguard[0]->severity == Severity::critical);  // third party + a secret added in this tenant
  CHECK(mailguard[0]->evidence["permission"] == "full_access_as_app");
  CHECK(mailguard[0]->evidence["ownership"] == "third party");
  CHECK(mailguard[0]->evidence["credentials"]["service_principal"] == 1);
  auto hr = r.for_name("HR Sync");
  REQUIRE(hr.size() == 1);
  CHECK(hr[0]->severity == Severity::critical);  // granted inside the window
  CHECK(hr[0]->evidence["permission"] == "Mail.Read");
  CHECK_THAT(hr[0]->message, Catch::Contains("granted 2026-11-20 (inside the 30-day window)"));
  auto search = r.for_name("Intranet Search");
  REQUIRE(search.size() == 1);
  CHECK(search[0]->severity == Severity::high);
  CHECK(search[0]->evidence["permission"] == "Sites.FullControl.All");
  CHECK(search[0]->evidence["resource"] == "Office 365 SharePoint Online");
  for (const char* name : {"Backup Automation", "Tenant Tools", "Deploy Pipeline", "Org Chart Viewer",
                           "Asset Inventory", "Payroll Connector", "Sales Dashboard", "Teams Leave Bot",
                           "Contoso Security Scanner", "Meeting Notes AI", "Fabrikam Calendar Sync"}) {
    INFO(name);
    CHECK(r.for_name(name).empty());
  }
}
