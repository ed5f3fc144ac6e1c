#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.critical-app-roles";
constexpr const char* kApp = "a1100000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b1100000-0000-4000-8000-000000000001";
constexpr const char* kSp = "c1100000-0000-4000-8000-000000000001";
// Microsoft Graph application permissions (ids as on the Graph service principal of CaptureDir::base()).
constexpr const char* kRoleManagementRW = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";
constexpr const char* kAppRoleAssignmentRW = "06b708a9-e830-4db3-a914-8e69da51d44f";
constexpr const char* kMailRead = "810c84a8-4a9e-49e6-bf7d-12d183f40d01";
constexpr const char* kUserReadAll = "df021288-bdef-4463-88db-98f22de89214";
constexpr const char* kDirectoryReadAll = "7ab1d382-f21e-4acd-a863-ba3e13f7da61";
constexpr const char* kGraphAppId = "00000003-0000-0000-c000-000000000000";

std::unique_ptr<test::CaptureDir> tenant_with_sp(const std::string& owner_tenant = test::kTenantId) {
  auto c = test::CaptureDir::base();
  c->add_application(test::application(kApp, kAppId, "Backup Automation", "2020-06-02T09:00:00Z"));
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, "Backup Automation", owner_tenant));
  return c;
}
}  // namespace

TEST_CASE("entra.critical-app-roles: a service principal granted RoleManagement.ReadWrite.Directory recently",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kRoleManagementRW,
                       "2026-11-18T01:12:09.8812245Z");
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kMailRead, "2024-01-01T00:00:00Z");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);  // Mail.Read is data access, not critical
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.type == "servicePrincipal");
  CHECK(f.resource.id == kSp);
  CHECK(f.resource.name == "Backup Automation");
  CHECK(f.evidence_key == std::string("role:") + kGraphAppId + ":RoleManagement.ReadWrite.Directory");
  CHECK(
      f.message ==
      "holds RoleManagement.ReadWrite.Directory on Microsoft Graph, granted 2026-11-18 (inside the 30-day "
      "window)");
  CHECK(f.evidence["permission"] == "RoleManagement.ReadWrite.Directory");
  CHECK(f.evidence["resource"] == "Microsoft Graph");
  CHECK(f.evidence["resource_app_id"] == kGraphAppId);
  CHECK(f.evidence["granted"] == "2026-11-18T01:12:09Z");
  CHECK(f.evidence["granted_in_window"] == true);
  CHECK_THAT(f.evidence["why"].get<std::string>(), Catch::Contains("Global Administrator"));
  CHECK(f.evidence["ownership"] == "this tenant");
  CHECK(f.evidence["credentials"]["service_principal"] == 0);
  CHECK(f.evidence["credentials"]["application"] == 0);
  CHECK(f.evidence["other_privileged_permissions"] == Json::array({"Mail.Read (Microsoft Graph)"}));
}

TEST_CASE("entra.critical-app-roles: an old grant is still critical, the message has no window flag",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  GJ app = test::application(kApp, kAppId, "Backup Automation", "2020-06-02T09:00:00Z");
  app["passwordCredentials"].push_back(test::password_credential(
      "d1100000-0000-4000-8000-000000000001", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));
  // An expired secret is not counted.
  app["passwordCredentials"].push_back(test::password_credential(
      "d1100000-0000-4000-8000-000000000002", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"));
  c->put("applications", {{"value", {app}}});
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kAppRoleAssignmentRW,
                       "2024-08-01T15:08:27Z");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.message == "holds AppRoleAssignment.ReadWrite.All on Microsoft Graph, granted 2024-08-01");
  CHECK(f.evidence["granted_in_window"] == false);
  CHECK(f.evidence["credentials"]["application"] == 1);
  CHECK(f.evidence.dump().find("Abc") == std::string::npos);  // never a secret hint
}

TEST_CASE("entra.critical-app-roles: Microsoft, third-party and disabled service principals",
          "[checks][entra]") {
  SECTION("a Microsoft first-party service principal without a local credential is high") {
    auto c = tenant_with_sp(test::kMicrosoftTenantId);
    test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kRoleManagementRW);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["ownership"] == "Microsoft");
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("; Microsoft application"));
  }
  SECTION("... but critical with a credential added in this tenant (the Solorigate pattern)") {
    auto c = test::CaptureDir::base();
    GJ sp = test::service_principal(kSp, kAppId, "Office 365 Portal", test::kMicrosoftTenantId);
    sp["keyCredentials"].push_back(test::key_credential("d1200000-0000-4000-8000-000000000001",
                                                        "2026-11-17T21:04:00Z", "2027-11-17T21:04:00Z"));
    c->append("servicePrincipals", sp);
    test::grant_app_role(*c, kSp, "Office 365 Portal", test::kGraphSpId, kRoleManagementRW);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::critical);
    CHECK(r.findings[0].evidence["credentials"]["service_principal"] == 1);
    CHECK(r.findings[0].evidence["credentials"]["application"].is_null());  // not registered in this tenant
  }
  SECTION("a third-party service principal is critical") {
    auto c = tenant_with_sp(test::kVendorTenantId);
    test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kRoleManagementRW);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::critical);
    CHECK(r.findings[0].evidence["ownership"] == "third party");
    CHECK(r.findings[0].evidence["app_owner_organization_id"] == test::kVendorTenantId);
  }
  SECTION("a disabled service principal is one step lower") {
    auto c = test::CaptureDir::base();
    GJ sp = test::service_principal(kSp, kAppId, "Old Tool");
    sp["accountEnabled"] = false;
    c->append("servicePrincipals", sp);
    test::grant_app_role(*c, kSp, "Old Tool", test::kGraphSpId, kRoleManagementRW);
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["account_enabled"] == false);
  }
}

TEST_CASE("entra.critical-app-roles: silent on read-only and data permissions and on look-alike APIs",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kUserReadAll);
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kDirectoryReadAll);
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kMailRead);
  // An internal API that defines a role with a critical Graph permission's name and even its GUID: the rating
  // is by (resource appId, value), so neither makes it critical.
  const std::string api_sp = "c1300000-0000-4000-8000-000000000001";
  GJ api = test::service_principal(api_sp, "b1300000-0000-4000-8000-000000000001", "Contoso Intranet API");
  api["appRoles"] = {{{"allowedMemberTypes", {"Application"}},
                      {"description", "Manage roles of the intranet"},
                      {"displayName", "RoleManagement.ReadWrite.Directory"},
                      {"id", kRoleManagementRW},
                      {"isEnabled", true},
                      {"origin", "Application"},
                      {"value", "RoleManagement.ReadWrite.Directory"}}};
  c->append("servicePrincipals", api);
  test::grant_app_role(*c, kSp, "Backup Automation", api_sp, kRoleManagementRW);
  // A user (not a service principal) assigned a role of the Graph resource is not an application permission.
  GJ user_assignment =
      test::app_role_assignment("e1300000-0000-4000-8000-000000000001", "Megan Bowen", test::kGraphSpId,
                                kAppRoleAssignmentRW, "2026-11-20T00:00:00Z");
  user_assignment["principalType"] = "User";
  c->append(std::string("servicePrincipals/") + test::kGraphSpId + "/appRoleAssignedTo", user_assignment);
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.critical-app-roles: not evaluated without service principals or appRoleAssignedTo",
          "[checks][entra]") {
  {
    auto c = test::CaptureDir::base();
    c->remove("servicePrincipals");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("servicePrincipals.json"));
  }
  {
    auto c = test::CaptureDir::base();
    c->remove(std::string("servicePrincipals/") + test::kGraphSpId + "/appRoleAssignedTo");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("'appRoleAssignedTo'") && Catch::Contains(test::kGraphSpId));
  }
  auto r = test::run_check(kCheck, test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("--graph-dir"));
}

TEST_CASE("entra.critical-app-roles: a missing applications collection only loses enrichment",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kRoleManagementRW);
  c->remove("applications");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["credentials"]["application"].is_null());
  REQUIRE_FALSE(r.notes.empty());
  CHECK_THAT(r.notes[0], Catch::Contains("'applications'"));
}

TEST_CASE("entra.critical-app-roles finds the planted cases of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 3);
  auto backup = r.for_name("Backup Automation");
  REQUIRE(backup.size() == 1);
  CHECK(backup[0]->severity == Severity::critical);
  CHECK(backup[0]->evidence["permission"] == "RoleManagement.ReadWrite.Directory");
  CHECK_THAT(backup[0]->message, Catch::Contains("granted 2026-11-18 (inside the 30-day window)"));
  CHECK(backup[0]->evidence["other_privileged_permissions"] ==
        Json::array({"Global Administrator (directory role)"}));
  auto tools = r.for_name("Tenant Tools");
  REQUIRE(tools.size() == 1);
  CHECK(tools[0]->severity == Severity::critical);
  CHECK(tools[0]->evidence["permission"] == "AppRoleAssignment.ReadWrite.All");
  CHECK(tools[0]->evidence["granted_in_window"] == false);
  auto deploy = r.for_name("Deploy Pipeline");
  REQUIRE(deploy.size() == 1);
  CHECK(deploy[0]->evidence["permission"] == "Application.ReadWrite.All");
  // Data access only, or read-only roles.
  for (const char* name : {"MailGuard Archiver", "HR Sync", "Intranet Search", "Org Chart Viewer",
                           "Asset Inventory", "Payroll Connector", "Sales Dashboard", "Teams Leave Bot",
                           "Contoso Security Scanner", "Reporting API", "Legacy Connector"}) {
    INFO(name);
    CHECK(r.for_name(name).empty());
  }
}
