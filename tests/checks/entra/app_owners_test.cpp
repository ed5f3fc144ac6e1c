#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.app-owners";
constexpr const char* kApp = "a6100000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b6100000-0000-4000-8000-000000000001";
constexpr const char* kSp = "c6100000-0000-4000-8000-000000000001";
constexpr const char* kAppRoleAssignmentRW = "06b708a9-e830-4db3-a914-8e69da51d44f";
constexpr const char* kSitesFullControl = "678536fe-1083-478a-9c59-b99265e6b0d3";
constexpr const char* kUserReadAll = "df021288-bdef-4463-88db-98f22de89214";
constexpr const char* kGlobalAdmin = "62e90394-69f5-4237-9190-012177145e10";
constexpr const char* kAppAdmin = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
constexpr const char* kSharePointAdmin = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c";
constexpr const char* kAssignments = "roleManagement/directory/roleAssignments";

GJ user(const std::string& id, const std::string& upn, const std::string& user_type = "Member") {
  return {{"@odata.type", "#microsoft.graph.user"},
          {"id", id},
          {"displayName", upn.substr(0, upn.find('@'))},
          {"userPrincipalName", upn},
          {"userType", user_type}};
}

GJ sp_owner(const std::string& id, const std::string& name, const std::string& app_id) {
  return {{"@odata.type", "#microsoft.graph.servicePrincipal"},
          {"id", id},
          {"displayName", name},
          {"appId", app_id}};
}

GJ role_assignment(const std::string& principal_id, const std::string& role) {
  return {{"id", role.substr(0, 8) + "-" + principal_id + "-1"},
          {"directoryScopeId", "/"},
          {"principalId", principal_id},
          {"roleDefinitionId", role}};
}

std::string owner_id(int n) {
  return "e610000" + std::to_string(n) + "-0000-4000-8000-000000000001";
}

// "Tenant Tools": an application whose service principal holds `role` of `resource`, owned by `owners`.
std::unique_ptr<test::CaptureDir> tenant_with_app(const GJ& owners,
                                                  const std::string& resource = test::kGraphSpId,
                                                  const std::string& role = kAppRoleAssignmentRW) {
  auto c = test::CaptureDir::base();
  c->add_application(test::application(kApp, kAppId, "Tenant Tools", "2024-08-01T15:00:00Z"));
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, "Tenant Tools"));
  if (!role.empty()) test::grant_app_role(*c, kSp, "Tenant Tools", resource, role, "2024-08-01T15:08:27Z");
  c->put(std::string("applications/") + kApp + "/owners", {{"value", owners}});
  return c;
}

const model::Finding* by_owner(const test::CheckRun& r, const std::string& id) {
  for (const auto& f : r.findings)
    if (f.evidence_key == "owner:" + id) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("entra.app-owners: a guest, a non-administrator and a service principal own a critical application",
          "[checks][entra]") {
  auto c = tenant_with_app(
      {user(owner_id(1), "j.doe_gmail.com#EXT#@contoso.onmicrosoft.com", "Guest"),
       user(owner_id(2), "intern@contoso.com"),
       sp_owner(owner_id(3), "Automation Runner", "b6300000-0000-4000-8000-000000000001"),
       user(owner_id(4), "adele.vance@contoso.com"), user(owner_id(5), "grady.archie@contoso.com"),
       user(owner_id(6), "alex.wilber@contoso.com")});
  c->append(kAssignments, role_assignment(owner_id(4), kGlobalAdmin));
  c->append(kAssignments, role_assignment(owner_id(5), kAppAdmin));
  c->append(kAssignments, role_assignment(owner_id(6), kSharePointAdmin));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 4);  // tier-0 owners (Global and Application Administrator) are not reported

  const auto* guest = by_owner(r, owner_id(1));
  REQUIRE(guest);
  CHECK(guest->severity == Severity::high);
  CHECK(guest->resource.type == "application");
  CHECK(guest->resource.id == kApp);
  CHECK(guest->resource.name == "Tenant Tools");
  CHECK(guest->message ==
        "owned by guest j.doe_gmail.com#EXT#@contoso.onmicrosoft.com; the application holds "
        "AppRoleAssignment.ReadWrite.All (Microsoft Graph)");
  CHECK(guest->evidence["app_id"] == kAppId);
  CHECK(guest->evidence["owner"]["type"] == "user");
  CHECK(guest->evidence["owner"]["user_type"] == "Guest");
  CHECK(guest->evidence["privileged_permissions"] ==
        Json::array({"AppRoleAssignment.ReadWrite.All (Microsoft Graph)"}));

  const auto* intern = by_owner(r, owner_id(2));
  REQUIRE(intern);
  CHECK(intern->severity == Severity::medium);
  CHECK_THAT(intern->message, Catch::StartsWith("owned by user intern@contoso.com (no administrator role)"));
  CHECK(intern->evidence["owner_directory_roles"].empty());

  const auto* runner = by_owner(r, owner_id(3));
  REQUIRE(runner);
  CHECK(runner->severity == Severity::medium);
  CHECK(runner->evidence["owner"]["type"] == "servicePrincipal");
  CHECK(runner->evidence["owner"]["app_id"] == "b6300000-0000-4000-8000-000000000001");
  CHECK_THAT(runner->message, Catch::StartsWith("owned by service principal Automation Runner"));

  // A SharePoint Administrator can escalate through an application that controls the tenant.
  const auto* alex = by_owner(r, owner_id(6));
  REQUIRE(alex);
  CHECK(alex->severity == Severity::medium);
  CHECK_THAT(alex->message, Catch::StartsWith("owned by user alex.wilber@contoso.com (no tier-0 role)"));
  CHECK(alex->evidence["owner_directory_roles"] == Json::array({"SharePoint Administrator"}));
}

TEST_CASE("entra.app-owners: an application with data access only", "[checks][entra]") {
  auto c =
      tenant_with_app({user(owner_id(1), "alex.wilber@contoso.com"), user(owner_id(2), "intern@contoso.com")},
                      test::kSharePointSpId, kSitesFullControl);
  c->append(kAssignments, role_assignment(owner_id(1), kSharePointAdmin));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);  // an administrator owning a data-access application is not reported
  CHECK(by_owner(r, owner_id(2)) != nullptr);
  CHECK(r.findings[0].severity == Severity::medium);
}

TEST_CASE("entra.app-owners: an application privileged through a directory role", "[checks][entra]") {
  auto c = tenant_with_app({user(owner_id(1), "intern@contoso.com")}, test::kGraphSpId, "");
  c->append(kAssignments, role_assignment(kSp, kGlobalAdmin));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["privileged_permissions"] ==
        Json::array({"Global Administrator (directory role)"}));
}

TEST_CASE("entra.app-owners: silent on owners of unprivileged applications", "[checks][entra]") {
  auto c = tenant_with_app({user(owner_id(1), "j.doe_gmail.com#EXT#@contoso.onmicrosoft.com", "Guest"),
                            user(owner_id(2), "intern@contoso.com")},
                           test::kGraphSpId, kUserReadAll);
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.app-owners: a tenant without applications is evaluated", "[checks][entra]") {
  auto r = test::run_check(kCheck, test::CaptureDir::base()->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.app-owners: not evaluated when a privileged application's owners were not captured",
          "[checks][entra]") {
  {
    auto c = tenant_with_app({user(owner_id(1), "intern@contoso.com")});
    c->remove(std::string("applications/") + kApp + "/owners");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("applicationOwners") && Catch::Contains(kApp));
  }
  {
    auto c = test::CaptureDir::base();
    c->remove("roleManagement/directory/roleAssignments");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("roleAssignments.json"));
  }
}

TEST_CASE("entra.app-owners finds the planted cases of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 3);
  auto tools = r.for_name("Tenant Tools");
  REQUIRE(tools.size() == 2);
  const auto* guest = by_owner(r, "136cfff3-c1b9-4d11-bc5e-5477dff3a636");
  REQUIRE(guest);
  CHECK(guest->resource.name == "Tenant Tools");
  CHECK(guest->severity == Severity::high);
  const auto* intern = by_owner(r, "02aa2044-4da5-43ee-9ca6-f3f6dff6c562");
  REQUIRE(intern);
  CHECK(intern->resource.name == "Tenant Tools");
  CHECK(intern->severity == Severity::medium);
  auto backup = r.for_name("Backup Automation");
  REQUIRE(backup.size() == 1);
  CHECK(backup[0]->severity == Severity::medium);
  CHECK(backup[0]->evidence["owner"]["display_name"] == "Automation Runner");
  // Owned by tier-0 administrators (Application Administrators Grady Archie and Henrietta Mueller), by the
  // SharePoint Administrator of a SharePoint-only application, or not privileged at all.
  for (const char* name : {"HR Sync", "Deploy Pipeline", "Intranet Search", "Contoso Security Scanner",
                           "Salesforce", "Payroll Connector", "Reporting API", "Teams Leave Bot"}) {
    INFO(name);
    CHECK(r.for_name(name).empty());
  }
}
