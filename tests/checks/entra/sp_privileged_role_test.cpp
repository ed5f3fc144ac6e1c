#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.sp-privileged-role";
constexpr const char* kApp = "a4100000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b4100000-0000-4000-8000-000000000001";
constexpr const char* kSp = "c4100000-0000-4000-8000-000000000001";
constexpr const char* kGlobalAdmin = "62e90394-69f5-4237-9190-012177145e10";
constexpr const char* kExchangeAdmin = "29232cdf-9323-42fd-ade2-1d097af3e4de";
constexpr const char* kDirectoryReaders = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
constexpr const char* kRoleManagementRW = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";

constexpr const char* kAssignments = "roleManagement/directory/roleAssignments";

GJ sp_principal(const std::string& id, const std::string& name, const std::string& app_id) {
  return {{"@odata.type", "#microsoft.graph.servicePrincipal"},
          {"id", id},
          {"displayName", name},
          {"appId", app_id},
          {"servicePrincipalType", "Application"},
          {"appOwnerOrganizationId", test::kTenantId}};
}

GJ user_principal(const std::string& id, const std::string& upn) {
  return {{"@odata.type", "#microsoft.graph.user"},
          {"id", id},
          {"displayName", upn.substr(0, upn.find('@'))},
          {"userPrincipalName", upn},
          {"userType", "Member"},
          {"createdDateTime", "2019-03-14T10:41:07Z"}};
}

// A roleAssignment as GET /roleManagement/directory/roleAssignments?$expand=principal returns it.
GJ role_assignment(const std::string& principal_id, const std::string& role, const GJ& principal,
                   const std::string& scope = "/") {
  GJ a = {{"id", role.substr(0, 8) + "-" + principal_id.substr(0, 8) + "-1"},
          {"directoryScopeId", scope},
          {"principalId", principal_id},
          {"roleDefinitionId", role}};
  if (!principal.is_null()) a["principal"] = principal;
  return a;
}

std::unique_ptr<test::CaptureDir> tenant_with_sp() {
  auto c = test::CaptureDir::base();
  c->add_application(test::application(kApp, kAppId, "Backup Automation", "2020-06-02T09:00:00Z"));
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, "Backup Automation"));
  return c;
}
}  // namespace

TEST_CASE("entra.sp-privileged-role: a service principal in Global Administrator", "[checks][entra]") {
  auto c = tenant_with_sp();
  c->append(kAssignments, role_assignment(kSp, kGlobalAdmin, sp_principal(kSp, "Backup Automation", kAppId)));
  test::grant_app_role(*c, kSp, "Backup Automation", test::kGraphSpId, kRoleManagementRW);
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.type == "servicePrincipal");
  CHECK(f.resource.id == kSp);
  CHECK(f.resource.name == "Backup Automation");
  CHECK(f.evidence_key == std::string("role:") + kGlobalAdmin);
  CHECK(f.message == "service principal holds the Global Administrator directory role (tenant-wide)");
  CHECK(f.evidence["role"] == "Global Administrator");
  CHECK(f.evidence["tier0"] == true);
  CHECK(f.evidence["directory_scope"] == "/");
  CHECK(f.evidence["app_id"] == kAppId);
  CHECK(f.evidence["ownership"] == "this tenant");
  CHECK(f.evidence["other_privileged_permissions"] ==
        Json::array({"RoleManagement.ReadWrite.Directory (Microsoft Graph)"}));
}

TEST_CASE("entra.sp-privileged-role: severity by role, scope and state", "[checks][entra]") {
  SECTION("a non-tier-0 privileged role is high") {
    auto c = tenant_with_sp();
    c->append(kAssignments,
              role_assignment(kSp, kExchangeAdmin, sp_principal(kSp, "Backup Automation", kAppId)));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["role"] ==
          "Exchange Administrator");  // from the built-in list: no definitions
    CHECK(r.findings[0].evidence["tier0"] == false);
  }
  SECTION("a scoped assignment is one step lower and keyed by its scope") {
    auto c = tenant_with_sp();
    c->append(kAssignments, role_assignment(kSp, kGlobalAdmin, sp_principal(kSp, "Backup Automation", kAppId),
                                            "/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a"));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence_key ==
          std::string("role:") + kGlobalAdmin + "@/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a");
    CHECK_THAT(r.findings[0].message,
               Catch::EndsWith("(scope /administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a)"));
  }
  SECTION("a disabled service principal is one step lower") {
    auto c = test::CaptureDir::base();
    GJ sp = test::service_principal(kSp, kAppId, "Old Tool");
    sp["accountEnabled"] = false;
    c->append("servicePrincipals", sp);
    c->append(kAssignments, role_assignment(kSp, kGlobalAdmin, sp_principal(kSp, "Old Tool", kAppId)));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
  }
  SECTION("credentials are counted, never shown") {
    auto c = test::CaptureDir::base();
    GJ sp = test::service_principal(kSp, kAppId, "Backup Automation");
    sp["passwordCredentials"].push_back(test::password_credential(
        "d4100000-0000-4000-8000-000000000001", "2026-11-21T04:40:11Z", "2028-11-21T04:40:11Z"));
    c->append("servicePrincipals", sp);
    c->append(kAssignments,
              role_assignment(kSp, kGlobalAdmin, sp_principal(kSp, "Backup Automation", kAppId)));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].evidence["credentials"]["service_principal"] == 1);
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("; 1 credential on the service principal"));
    CHECK(r.findings[0].evidence.dump().find("Abc") == std::string::npos);
  }
}

TEST_CASE("entra.sp-privileged-role: a principal without expansion is recognised by its id",
          "[checks][entra]") {
  auto c = tenant_with_sp();
  c->append(kAssignments, role_assignment(kSp, kGlobalAdmin, GJ()));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "Backup Automation");
  CHECK(r.findings[0].severity == Severity::critical);
}

TEST_CASE("entra.sp-privileged-role: silent on users and on non-privileged roles", "[checks][entra]") {
  auto c = tenant_with_sp();
  c->append(kAssignments,
            role_assignment(kSp, kDirectoryReaders, sp_principal(kSp, "Backup Automation", kAppId)));
  const std::string user = "e4100000-0000-4000-8000-000000000001";
  c->append(kAssignments,
            role_assignment(user, kGlobalAdmin, user_principal(user, "adele.vance@contoso.com")));
  // A user whose id is not a service principal, without expansion.
  c->append(kAssignments, role_assignment("e4100000-0000-4000-8000-000000000002", kGlobalAdmin, GJ()));
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.sp-privileged-role: not evaluated without role assignments", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove(kAssignments);
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("roleAssignments.json"));
}

TEST_CASE("entra.sp-privileged-role finds the planted case of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 1);
  auto backup = r.for_name("Backup Automation");
  REQUIRE(backup.size() == 1);
  CHECK(backup[0]->severity == Severity::critical);
  CHECK(backup[0]->evidence["role"] == "Global Administrator");
  CHECK(backup[0]->evidence["assignment_id"] == "lAPpYvVpN0KRkAEhdxReEMWuqTIwWItErUGwWvGKC8c-1");
  CHECK(r.for_name("Contoso Security Scanner").empty());  // Directory Readers is not privileged
  CHECK(r.notes.empty());
}
