#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.privileged-role-members";
constexpr const char* kGlobalAdmin = "62e90394-69f5-4237-9190-012177145e10";
constexpr const char* kPrivRoleAdmin = "e8611ab8-c189-46e8-94e1-60213ab1f814";
constexpr const char* kHelpdeskAdmin = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
constexpr const char* kDirectoryReaders = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
constexpr const char* kAssignments = "roleManagement/directory/roleAssignments";

std::string user_id(int n) {
  std::string s = std::to_string(n);
  return "e5100000-0000-4000-8000-" + std::string(12 - s.size(), '0') + s;
}

GJ user(const std::string& id, const std::string& upn, const std::string& created = "2019-03-14T10:41:07Z",
        const std::string& user_type = "Member") {
  return {{"@odata.type", "#microsoft.graph.user"},
          {"id", id},
          {"displayName", upn.substr(0, upn.find('@'))},
          {"userPrincipalName", upn},
          {"userType", user_type},
          {"createdDateTime", created}};
}

GJ group(const std::string& id, const std::string& name,
         const std::string& created = "2021-01-01T00:00:00Z") {
  return {{"@odata.type", "#microsoft.graph.group"},
          {"id", id},
          {"displayName", name},
          {"createdDateTime", created}};
}

// A roleAssignment as GET /roleManagement/directory/roleAssignments?$expand=principal returns it.
GJ role_assignment(const std::string& principal_id, const std::string& role, const GJ& principal,
                   const std::string& scope = "/") {
  GJ a = {{"id", role.substr(0, 8) + "-" + principal_id + "-1"},
          {"directoryScopeId", scope},
          {"principalId", principal_id},
          {"roleDefinitionId", role}};
  if (!principal.is_null()) a["principal"] = principal;
  return a;
}

// Two long-standing Global Administrators: the baseline every case starts from.
std::unique_ptr<test::CaptureDir> tenant_with_admins() {
  auto c = test::CaptureDir::base();
  c->append(kAssignments,
            role_assignment(user_id(1), kGlobalAdmin, user(user_id(1), "adele.vance@contoso.com")));
  c->append(kAssignments,
            role_assignment(user_id(2), kGlobalAdmin, user(user_id(2), "megan.bowen@contoso.com")));
  return c;
}

const model::Finding* by_id(const test::CheckRun& r, const std::string& id) {
  for (const auto& f : r.findings)
    if (f.resource.id == id) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("entra.privileged-role-members: established administrators are an informational inventory",
          "[checks][entra]") {
  auto c = tenant_with_admins();
  c->append(kAssignments,
            role_assignment(user_id(3), kHelpdeskAdmin, user(user_id(3), "nestor.wilke@contoso.com")));
  c->append(kAssignments,
            role_assignment(user_id(4), kDirectoryReaders, user(user_id(4), "reader@contoso.com")));
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);  // info findings only
  REQUIRE(r.findings.size() == 3);         // Directory Readers is not privileged
  const auto* adele = by_id(r, user_id(1));
  REQUIRE(adele);
  CHECK(adele->severity == Severity::info);
  CHECK(adele->resource.type == "user");
  CHECK(adele->resource.name == "adele.vance@contoso.com");
  CHECK(adele->evidence_key == std::string("role:") + kGlobalAdmin);
  CHECK(adele->message == "holds Global Administrator");
  CHECK(adele->evidence["tier0"] == true);
  CHECK(adele->evidence["guest"] == false);
  CHECK(adele->evidence["created_in_window"] == false);
  const auto* nestor = by_id(r, user_id(3));
  REQUIRE(nestor);
  CHECK(nestor->evidence["role"] == "Helpdesk Administrator");
  CHECK(nestor->evidence["tier0"] == false);
  CHECK(r.notes.empty());
}

TEST_CASE("entra.privileged-role-members: a new account and a guest in privileged roles are high",
          "[checks][entra]") {
  auto c = tenant_with_admins();
  c->append(kAssignments, role_assignment(user_id(3), kGlobalAdmin,
                                          user(user_id(3), "svc-sync2@contoso.com", "2026-11-16T22:41:07Z")));
  c->append(kAssignments, role_assignment(user_id(4), kPrivRoleAdmin,
                                          user(user_id(4), "j.doe_gmail.com#EXT#@contoso.onmicrosoft.com",
                                               "2024-09-03T19:26:14Z", "Guest")));
  // A guest recognised by its UPN alone (userType not returned).
  GJ ext = user(user_id(5), "ext_fabrikam.com#EXT#@contoso.onmicrosoft.com", "2023-01-01T00:00:00Z");
  ext["userType"] = nullptr;
  c->append(kAssignments, role_assignment(user_id(5), kHelpdeskAdmin, ext));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  const auto* fresh = by_id(r, user_id(3));
  REQUIRE(fresh);
  CHECK(fresh->severity == Severity::high);
  CHECK(fresh->message ==
        "holds Global Administrator; account created 2026-11-16 (inside the 30-day window)");
  CHECK(fresh->evidence["created"] == "2026-11-16T22:41:07Z");
  CHECK(fresh->evidence["created_in_window"] == true);
  const auto* guest = by_id(r, user_id(4));
  REQUIRE(guest);
  CHECK(guest->severity == Severity::high);
  CHECK(guest->message == "guest account holds Privileged Role Administrator");
  CHECK(guest->evidence["guest"] == true);
  CHECK(guest->evidence["user_type"] == "Guest");
  const auto* ext_guest = by_id(r, user_id(5));
  REQUIRE(ext_guest);
  CHECK(ext_guest->severity == Severity::high);
  // Outside a 7-day window the new account is only inventory.
  auto narrow = test::run_check(kCheck, c->snapshot(), test::lab_now(), std::chrono::hours(24 * 7));
  REQUIRE(by_id(narrow, user_id(3)));
  CHECK(by_id(narrow, user_id(3))->severity == Severity::info);
}

TEST_CASE("entra.privileged-role-members: groups are listed, service principals are left to the other check",
          "[checks][entra]") {
  auto c = tenant_with_admins();
  const std::string grp = "e5200000-0000-4000-8000-000000000001";
  c->append(kAssignments, role_assignment(grp, kHelpdeskAdmin, group(grp, "Helpdesk Tier 1")));
  const std::string sp = "c5200000-0000-4000-8000-000000000001";
  c->append(kAssignments, role_assignment(sp, kGlobalAdmin,
                                          {{"@odata.type", "#microsoft.graph.servicePrincipal"},
                                           {"id", sp},
                                           {"displayName", "Backup Automation"},
                                           {"appId", "b5200000-0000-4000-8000-000000000001"}}));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 3);
  const auto* g = by_id(r, grp);
  REQUIRE(g);
  CHECK(g->resource.type == "group");
  CHECK(g->resource.name == "Helpdesk Tier 1");
  CHECK(g->severity == Severity::info);
  CHECK(g->evidence["principal_type"] == "group");
  CHECK(by_id(r, sp) == nullptr);
}

TEST_CASE("entra.privileged-role-members: the number of Global Administrators", "[checks][entra]") {
  SECTION("nine users: medium tenant finding") {
    auto c = test::CaptureDir::base();
    for (int i = 1; i <= 9; ++i)
      c->append(kAssignments,
                role_assignment(user_id(i), kGlobalAdmin,
                                user(user_id(i), "admin" + std::to_string(i) + "@contoso.com")));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.status == CheckStatus::failed);
    REQUIRE(r.findings.size() == 10);
    const auto* t = by_id(r, test::kTenantId);
    REQUIRE(t);
    CHECK(t->severity == Severity::medium);
    CHECK(t->resource.type == "tenant");
    CHECK(t->resource.name == "Contoso");
    CHECK(t->evidence_key == "global-administrator-count");
    CHECK(t->message == "9 users hold Global Administrator; ScubaGear MS.AAD.7.1 asks for 2 to 8");
    CHECK(t->evidence["global_administrators"].size() == 9u);
  }
  SECTION("eight users and a service principal: within the range") {
    auto c = test::CaptureDir::base();
    for (int i = 1; i <= 8; ++i)
      c->append(kAssignments,
                role_assignment(user_id(i), kGlobalAdmin,
                                user(user_id(i), "admin" + std::to_string(i) + "@contoso.com")));
    c->append(kAssignments, role_assignment("c5300000-0000-4000-8000-000000000001", kGlobalAdmin,
                                            {{"@odata.type", "#microsoft.graph.servicePrincipal"},
                                             {"id", "c5300000-0000-4000-8000-000000000001"},
                                             {"displayName", "Backup Automation"}}));
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(by_id(r, test::kTenantId) == nullptr);
  }
  SECTION("a single user: medium") {
    auto c = test::CaptureDir::base();
    c->append(kAssignments, role_assignment(user_id(1), kGlobalAdmin, user(user_id(1), "admin@contoso.com")));
    auto r = test::run_check(kCheck, c->snapshot());
    const auto* t = by_id(r, test::kTenantId);
    REQUIRE(t);
    CHECK(t->message == "1 user holds Global Administrator; ScubaGear MS.AAD.7.1 asks for 2 to 8");
  }
  SECTION("a single user and a group: the group may hold more, not reported") {
    auto c = test::CaptureDir::base();
    c->append(kAssignments, role_assignment(user_id(1), kGlobalAdmin, user(user_id(1), "admin@contoso.com")));
    const std::string grp = "e5300000-0000-4000-8000-000000000001";
    c->append(kAssignments, role_assignment(grp, kGlobalAdmin, group(grp, "Tenant Admins")));
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(by_id(r, test::kTenantId) == nullptr);
  }
  SECTION("a scoped assignment does not count; no Global Administrator at all is a note, not a finding") {
    auto c = test::CaptureDir::base();
    c->append(kAssignments,
              role_assignment(user_id(1), kGlobalAdmin, user(user_id(1), "au-admin@contoso.com"),
                              "/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a"));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].resource.id == user_id(1));
    CHECK(r.findings[0].message ==
          "holds Global Administrator (scope /administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a)");
    CHECK(r.findings[0].evidence_key ==
          std::string("role:") + kGlobalAdmin + "@/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a");
    REQUIRE(r.notes.size() == 1);
    CHECK_THAT(r.notes[0], Catch::Contains("no user or group holds Global Administrator"));
  }
}

TEST_CASE("entra.privileged-role-members: without the expanded principal members are shown by id",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append(kAssignments, role_assignment(user_id(1), kGlobalAdmin, GJ()));
  c->append(kAssignments, role_assignment(user_id(2), kGlobalAdmin, GJ()));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].resource.type == "directoryObject");
  CHECK(r.findings[0].resource.name == user_id(1));
  CHECK(r.findings[0].severity == Severity::info);
  CHECK(r.findings[0].evidence["principal_type"] == "unknown");
  CHECK_FALSE(r.findings[0].evidence.contains("created"));
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("$expand=principal"));
}

TEST_CASE("entra.privileged-role-members: not evaluated without role assignments", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove(kAssignments);
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("roleAssignments.json"));
}

TEST_CASE("entra.privileged-role-members finds the planted cases of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  auto svc = r.for_name("svc-sync2@contoso.com");
  REQUIRE(svc.size() == 1);
  CHECK(svc[0]->severity == Severity::high);
  CHECK(svc[0]->evidence["role"] == "Global Administrator");
  CHECK(svc[0]->evidence["created_in_window"] == true);
  auto guest = r.for_name("j.doe_gmail.com#EXT#@contoso.onmicrosoft.com");
  REQUIRE(guest.size() == 1);
  CHECK(guest[0]->severity == Severity::high);
  CHECK(guest[0]->evidence["role"] == "Privileged Role Administrator");
  CHECK(guest[0]->evidence["guest"] == true);
  int high = 0;
  for (const auto& f : r.findings)
    if (f.severity > Severity::info) ++high;
  CHECK(high == 2);
  // Baseline administrators and the Entra Connect account are inventory only.
  for (const char* upn : {"adele.vance@contoso.com", "megan.bowen@contoso.com"}) {
    INFO(upn);
    auto f = r.for_name(upn);
    REQUIRE(f.size() == 1);
    CHECK(f[0]->severity == Severity::info);
  }
  const auto* sync = by_id(r, "36dba836-79c7-4fe1-9279-1d93b07565e7");
  REQUIRE(sync);
  CHECK(sync->severity == Severity::info);
  CHECK(sync->evidence["role"] == "Directory Synchronization Accounts");
  // Service principals (Backup Automation, Contoso Security Scanner) are not members here; three user GAs are
  // within ScubaGear's range.
  CHECK(r.for_name("Backup Automation").empty());
  CHECK(r.for_name("Contoso Security Scanner").empty());
  CHECK(by_id(r, test::kTenantId) == nullptr);
  CHECK(r.notes.empty());
}
