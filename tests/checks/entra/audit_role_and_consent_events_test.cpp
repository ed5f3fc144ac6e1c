#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;
using Json = adpersist::model::Json;

namespace {

// A braced list of one object would be that object itself (nlohmann): make it a list again.
GJ list(const GJ& v) { return v.is_array() ? v : GJ::array({v}); }

constexpr const char* kId = "entra.audit-role-and-consent-events";
constexpr const char* kGa = "62e90394-69f5-4237-9190-012177145e10";
constexpr const char* kBackupSp = "32a9aec5-5830-448b-ad41-b05af18a0bc7";
constexpr const char* kBackupAppId = "72d8ac21-d351-4361-9dc8-7c7a4d0df3a7";
constexpr const char* kNotesSp = "10469655-1cf9-4c6d-9545-658b5a0fdf45";

GJ user(const std::string& upn, const std::string& ip) {
  return {{"app", nullptr},
          {"user", {{"id", "9fd3b204-5ead-4be5-b4f0-a6deeb82024d"}, {"displayName", nullptr},
                    {"userPrincipalName", upn}, {"ipAddress", ip}}}};
}
GJ app_actor(const std::string& name) {
  return {{"app", {{"appId", nullptr}, {"displayName", name}, {"servicePrincipalId", kBackupSp}, {"servicePrincipalName", nullptr}}},
          {"user", nullptr}};
}
// Single values as Graph writes them here: a JSON string inside the string ("\"Global Administrator\"").
GJ prop(const std::string& name, const std::string& new_value) {
  return {{"displayName", name}, {"oldValue", nullptr}, {"newValue", GJ(new_value).dump()}};
}
GJ target(const GJ& id, const GJ& name, const std::string& type, const GJ& props = GJ::array(), const GJ& upn = nullptr) {
  return {{"id", id}, {"displayName", name}, {"type", type}, {"userPrincipalName", upn}, {"groupType", nullptr},
          {"modifiedProperties", list(props)}};
}
GJ audit(const std::string& id, const std::string& activity, const std::string& time, const GJ& by, const GJ& targets,
         const std::string& correlation = "", const std::string& result = "success") {
  return {{"id", id}, {"category", "RoleManagement"}, {"correlationId", correlation.empty() ? "corr-" + id : correlation},
          {"result", result}, {"resultReason", ""}, {"activityDisplayName", activity}, {"activityDateTime", time},
          {"loggedByService", "Core Directory"}, {"operationType", "Assign"}, {"initiatedBy", by},
          {"targetResources", list(targets)}, {"additionalDetails", GJ::array()}};
}
GJ role_member(const std::string& id, const std::string& activity, const GJ& principal, const std::string& role_name,
               const std::string& template_id, const std::string& time = "2026-11-18T01:15:48Z") {
  GJ p = principal;
  if (!role_name.empty()) p["modifiedProperties"].push_back(prop("Role.DisplayName", role_name));
  if (!template_id.empty()) {
    p["modifiedProperties"].push_back(prop("Role.ObjectID", template_id));
    p["modifiedProperties"].push_back(prop("Role.TemplateId", template_id));
  }
  return audit(id, activity, time, user("svc-sync2@contoso.com", "203.0.113.45"),
               {p, target(template_id.empty() ? GJ(nullptr) : GJ(template_id), nullptr, "Role")});
}
GJ app_role_event(const std::string& id, const std::string& value, const std::string& role_id) {
  return audit(id, "Add app role assignment to service principal", "2026-11-18T01:12:09Z", user("svc-sync2@contoso.com", "203.0.113.45"),
               {target(test::kGraphSpId, "Microsoft Graph", "ServicePrincipal",
                       {prop("AppRole.Id", role_id), prop("AppRole.Value", value),
                        prop("ServicePrincipal.DisplayName", "Backup Automation"),
                        prop("ServicePrincipal.AppId", kBackupAppId)})});
}
GJ consent_event(const std::string& id, bool admin, const std::string& scope, const std::string& correlation = "") {
  return audit(id, "Consent to application", "2026-11-23T14:27:56Z", user("megan.bowen@contoso.com", "203.0.113.45"),
               {target(kNotesSp, "Meeting Notes AI", "ServicePrincipal",
                       {prop("ConsentContext.IsAdminConsent", admin ? "True" : "False"),
                        prop("ConsentContext.IsAppOnly", "False"),
                        prop("ConsentContext.OnBehalfOfAll", admin ? "True" : "False"),
                        prop("ConsentAction.Permissions",
                             "[] => [[Id: VZZGEPkcbUyV, ClientId: " + std::string(kNotesSp) +
                                 ", PrincipalId: , ResourceId: ff185ed3-8947-4b3c-8fd1-20f3bee88987, ConsentType: " +
                                 (admin ? "AllPrincipals" : "Principal") + ", Scope:  " + scope +
                                 ", CreatedDateTime: , LastModifiedDateTime ]]; ")})},
               correlation);
}
GJ grant_event(const std::string& id, const std::string& consent_type, const std::string& scope,
               const std::string& correlation = "") {
  return audit(id, "Add delegated permission grant", "2026-11-23T14:27:56Z", user("megan.bowen@contoso.com", "203.0.113.45"),
               {target(test::kGraphSpId, "Microsoft Graph", "ServicePrincipal",
                       {prop("DelegatedPermissionGrant.Scope", scope), prop("DelegatedPermissionGrant.ClientId", kNotesSp),
                        prop("DelegatedPermissionGrant.ConsentType", consent_type)}),
                target(kNotesSp, "Meeting Notes AI", "ServicePrincipal")},
               correlation);
}

const model::Finding& by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return f;
  FAIL("no finding with key " << key);
  return r.findings.front();
}

std::unique_ptr<test::CaptureDir> with(std::initializer_list<GJ> audits) {
  auto c = test::CaptureDir::base();
  c->append("servicePrincipals", test::service_principal(kBackupSp, kBackupAppId, "Backup Automation"));
  for (const auto& a : audits) c->append("auditLogs/directoryAudits", a);
  return c;
}

}  // namespace

TEST_CASE("entra.audit-role-and-consent-events: Global Administrator given to a service principal", "[checks][entra]") {
  auto c = with({role_member("R1", "Add member to role", target(kBackupSp, "Backup Automation", "ServicePrincipal"),
                             "Global Administrator", kGa)});
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.type == "servicePrincipal");
  CHECK(f.resource.id == kBackupSp);
  CHECK(f.resource.name == "Backup Automation");
  CHECK(f.evidence_key == "audit:R1");
  CHECK(f.evidence["role"]["name"] == "Global Administrator");
  CHECK(f.evidence["role"]["template_id"] == kGa);
  CHECK(f.evidence["role"]["tier0"] == true);
  CHECK(f.evidence["role"]["eligible"] == false);
  CHECK(f.evidence["actor"] == "svc-sync2@contoso.com (203.0.113.45)");
  CHECK(f.evidence["targets"].size() == 2);
  CHECK(f.message ==
        "added to Global Administrator (tier 0) by svc-sync2@contoso.com (203.0.113.45) at "
        "2026-11-18T01:15:48Z");
}

TEST_CASE("entra.audit-role-and-consent-events: role severity follows the role", "[checks][entra]") {
  const GJ pradeep = target("739d7b98-4755-4049-8f27-cda78288ca9b", nullptr, "User", GJ::array(), "pradeep.gupta@contoso.com");
  auto c = with({
      // Privileged but not tier 0.
      role_member("Help", "Add member to role", pradeep, "Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8"),
      // Named only (no template id): recognised by name.
      role_member("ByName", "Add eligible member to role", pradeep, "Privileged Role Administrator", ""),
      // A PIM completion form.
      role_member("Pim", "Add member to role in PIM completed (permanent)", pradeep, "Global Administrator", kGa),
      // A role outside the privileged list.
      role_member("Reader", "Add member to role", pradeep, "Message Center Reader", "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b"),
  });
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 4);
  const auto& help = by_key(r, "audit:Help");
  CHECK(help.severity == Severity::high);
  CHECK(help.resource.type == "user");
  CHECK(help.resource.name == "pradeep.gupta@contoso.com");
  CHECK(help.evidence["role"]["privileged"] == true);
  CHECK(help.evidence["role"]["tier0"] == false);
  const auto& by_name = by_key(r, "audit:ByName");
  CHECK(by_name.severity == Severity::critical);
  CHECK(by_name.evidence["role"]["eligible"] == true);
  CHECK_THAT(by_name.message, Catch::Contains("made eligible for Privileged Role Administrator"));
  CHECK(by_key(r, "audit:Pim").severity == Severity::critical);
  const auto& reader = by_key(r, "audit:Reader");
  CHECK(reader.severity == Severity::high);
  CHECK(reader.evidence["role"]["privileged"] == false);
}

TEST_CASE("entra.audit-role-and-consent-events: application permissions rated by value", "[checks][entra]") {
  auto c = with({app_role_event("Crit", "RoleManagement.ReadWrite.Directory", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"),
                 app_role_event("Data", "Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01"),
                 // The value left out: resolved from the resource's appRoles.
                 app_role_event("NoValue", "", "06b708a9-e830-4db3-a914-8e69da51d44f")});
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 3);
  const auto& crit = by_key(r, "audit:Crit");
  CHECK(crit.severity == Severity::critical);
  CHECK(crit.resource.type == "servicePrincipal");
  CHECK(crit.resource.id == kBackupSp);  // the client, resolved from ServicePrincipal.AppId
  CHECK(crit.evidence["app_role"]["value"] == "RoleManagement.ReadWrite.Directory");
  CHECK(crit.evidence["app_role"]["resource"] == "Microsoft Graph");
  CHECK(crit.evidence["app_role"]["resource_app_id"] == "00000003-0000-0000-c000-000000000000");
  CHECK(crit.evidence["app_role"]["rating"] == "critical");
  CHECK(crit.evidence["client"]["name"] == "Backup Automation");
  CHECK_THAT(crit.message, Catch::StartsWith("granted RoleManagement.ReadWrite.Directory on Microsoft Graph (critical:"));
  const auto& data = by_key(r, "audit:Data");
  CHECK(data.severity == Severity::high);
  CHECK(data.evidence["app_role"]["rating"] == "data_access");
  const auto& nv = by_key(r, "audit:NoValue");
  CHECK(nv.severity == Severity::critical);
  CHECK(nv.evidence["app_role"]["value"] == "AppRoleAssignment.ReadWrite.All");
}

TEST_CASE("entra.audit-role-and-consent-events: the resource is recognised by name without service principals",
          "[checks][entra]") {
  auto c = with({app_role_event("Crit", "RoleManagement.ReadWrite.Directory", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8")});
  c->remove("servicePrincipals");
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].resource.id == kBackupAppId);  // no object id in the record: the appId stands in
  CHECK_THAT(r.notes.back(), Catch::Contains("service principals not collected"));
}

TEST_CASE("entra.audit-role-and-consent-events: consents and delegated grants", "[checks][entra]") {
  auto c = with({
      consent_event("Admin", true, "openid profile offline_access Mail.ReadWrite Files.ReadWrite.All", "op-1"),
      grant_event("Grant-dup", "AllPrincipals", "openid profile offline_access Mail.ReadWrite Files.ReadWrite.All", "op-1"),
      consent_event("User", false, "openid profile User.Read"),
      grant_event("Grant-alone", "AllPrincipals", "Mail.Read"),
  });
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 3);  // the grant of the consent's own operation is not repeated
  const auto& admin = by_key(r, "audit:Admin");
  CHECK(admin.severity == Severity::critical);
  CHECK(admin.resource.id == kNotesSp);
  CHECK(admin.resource.name == "Meeting Notes AI");
  CHECK(admin.evidence["consent"]["admin_consent"] == true);
  CHECK(admin.evidence["consent"]["on_behalf_of_all"] == true);
  CHECK(admin.evidence["scopes"] == Json::array({"openid", "profile", "offline_access", "Mail.ReadWrite", "Files.ReadWrite.All"}));
  CHECK(admin.evidence["risky_scopes"] == Json::array({"Mail.ReadWrite", "Files.ReadWrite.All"}));
  CHECK_THAT(admin.message, Catch::StartsWith("admin consent for all users: openid, profile"));
  const auto& user_consent = by_key(r, "audit:User");
  CHECK(user_consent.severity == Severity::high);
  CHECK(user_consent.evidence["risky_scopes"].empty());
  const auto& alone = by_key(r, "audit:Grant-alone");
  CHECK(alone.severity == Severity::critical);
  CHECK(alone.resource.id == kNotesSp);
  CHECK(alone.evidence["consent"]["consent_type"] == "AllPrincipals");
  CHECK_THAT(alone.message, Catch::StartsWith("delegated permissions for all users granted on Microsoft Graph: Mail.Read (risky: Mail.Read)"));
}

TEST_CASE("entra.audit-role-and-consent-events: owners added", "[checks][entra]") {
  const std::string app_id = "a8d6cb84-48c8-4730-8720-9b5e8ec963b0";
  auto c = with({audit("Own", "Add owner to application", "2026-11-20T00:00:00Z", user("megan.bowen@contoso.com", "203.0.113.45"),
                       {target("02aa2044-4da5-43ee-9ca6-f3f6dff6c562", nullptr, "User",
                               {prop("Application.ObjectID", app_id), prop("Application.DisplayName", "Tenant Tools"),
                                prop("Application.AppId", "c269eb28-8581-4409-b623-c4799ed3bd75")},
                               "intern@contoso.com"),
                        target(app_id, "Tenant Tools", "Application")}),
                 audit("OwnSp", "Add owner to service principal", "2026-11-20T00:00:01Z", app_actor("Backup Automation"),
                       {target(kBackupSp, "Backup Automation", "ServicePrincipal",
                               {prop("ServicePrincipal.ObjectID", kNotesSp), prop("ServicePrincipal.DisplayName", "Meeting Notes AI")}),
                        target(kNotesSp, "Meeting Notes AI", "ServicePrincipal")})});
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 2);
  const auto& own = by_key(r, "audit:Own");
  CHECK(own.severity == Severity::high);
  CHECK(own.resource.type == "application");
  CHECK(own.resource.id == app_id);
  CHECK(own.evidence["owner"]["name"] == "intern@contoso.com");
  CHECK(own.evidence["owner"]["type"] == "user");
  CHECK(own.message ==
        "user intern@contoso.com made owner of the application by megan.bowen@contoso.com (203.0.113.45) at "
        "2026-11-20T00:00:00Z");
  const auto& own_sp = by_key(r, "audit:OwnSp");
  CHECK(own_sp.resource.id == kNotesSp);
  CHECK(own_sp.evidence["owner"]["id"] == kBackupSp);
  CHECK_THAT(own_sp.message, Catch::StartsWith("service principal Backup Automation made owner of the service principal by app Backup Automation"));
}

TEST_CASE("entra.audit-role-and-consent-events: silent on old records, activations and other activities",
          "[checks][entra]") {
  const GJ patti = target("325b718c-a13f-4dac-b919-cf8d7e40971c", nullptr, "User", GJ::array(), "patti.fernandez@contoso.com");
  auto c = with({
      role_member("Old", "Add member to role", patti, "Global Administrator", kGa, "2026-08-04T13:20:00Z"),
      role_member("Act", "Add member to role completed (PIM activation)", patti, "Global Administrator", kGa),
      audit("Grp", "Add member to group", "2026-11-06T14:03:13Z", user("lidia.holloway@contoso.com", "198.51.100.17"),
            {target("aa0f2e5f-9828-4f7e-9c30-8d9c9bf13d72", "Project Falcon", "Group")}),
  });
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.audit-role-and-consent-events: not evaluated without the audit log", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("auditLogs/directoryAudits");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("directoryAudits"));
}

TEST_CASE("entra.audit-role-and-consent-events finds the grants of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 5);
  auto svc = r.for_name("svc-sync2@contoso.com");
  REQUIRE(svc.size() == 1);
  CHECK(svc[0]->severity == Severity::critical);
  CHECK(svc[0]->evidence["actor"] == "megan.bowen@contoso.com (203.0.113.45)");
  auto backup = r.for_name("Backup Automation");  // Global Administrator and RoleManagement.ReadWrite.Directory
  REQUIRE(backup.size() == 2);
  for (const auto* f : backup) CHECK(f->severity == Severity::critical);
  auto hr = r.for_name("HR Sync");  // Mail.Read
  REQUIRE(hr.size() == 1);
  CHECK(hr[0]->severity == Severity::high);
  CHECK(hr[0]->evidence["app_role"]["rating"] == "data_access");
  auto notes = r.for_name("Meeting Notes AI");  // the consent; its delegated-grant record is not repeated
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]->severity == Severity::critical);
  CHECK(notes[0]->evidence["activity"] == "Consent to application");
  CHECK(r.for_name("patti.fernandez@contoso.com").empty());  // Helpdesk Administrator, August
}
