#include <catch2/catch.hpp>

#include "checks/support/entra_audit.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {

// A braced list of one object would be that object itself (nlohmann): make it a list again.
GJ list(const GJ& v) { return v.is_array() ? v : GJ::array({v}); }

constexpr const char* kId = "entra.audit-credential-events";
constexpr const char* kApp = "a164fa53-53a9-40eb-9099-5a52f4f7ab7f";
constexpr const char* kSp = "91a4c5eb-5692-4206-8020-72cf193b58cb";

GJ user(const std::string& upn, const std::string& ip) {
  return {{"app", nullptr},
          {"user", {{"id", "cb5e2909-b16c-40e1-b857-7a007f88d19b"}, {"displayName", nullptr},
                    {"userPrincipalName", upn}, {"ipAddress", ip}}}};
}
GJ app(const std::string& name) {
  return {{"app", {{"appId", nullptr}, {"displayName", name}, {"servicePrincipalId", "32a9aec5-5830-448b-ad41-b05af18a0bc7"},
                   {"servicePrincipalName", nullptr}}},
          {"user", nullptr}};
}
// A modified property as Graph writes it: values are JSON text inside the JSON string.
GJ prop(const std::string& name, const GJ& old_value, const GJ& new_value) {
  return {{"displayName", name},
          {"oldValue", old_value.is_null() ? GJ(nullptr) : GJ(old_value.dump())},
          {"newValue", new_value.is_null() ? GJ(nullptr) : GJ(new_value.dump())}};
}
GJ target(const std::string& id, const std::string& name, const std::string& type, const GJ& props) {
  return {{"id", id}, {"displayName", name}, {"type", type}, {"userPrincipalName", nullptr}, {"groupType", nullptr},
          {"modifiedProperties", list(props)}};
}
GJ audit(const std::string& id, const std::string& activity, const std::string& time, const GJ& by, const GJ& targets,
         const std::string& result = "success") {
  return {{"id", id}, {"category", "ApplicationManagement"}, {"correlationId", "corr-" + id}, {"result", result},
          {"resultReason", ""}, {"activityDisplayName", activity}, {"activityDateTime", time},
          {"loggedByService", "Core Directory"}, {"operationType", "Update"}, {"initiatedBy", by},
          {"targetResources", list(targets)}, {"additionalDetails", GJ::array()}};
}
std::string key(const std::string& id, const std::string& type, const std::string& name) {
  return "[KeyIdentifier=" + id + ",KeyType=" + type + ",KeyUsage=Verify,DisplayName=" + name + "]";
}
// An application credential change: the KeyDescription lists every credential before and after.
GJ app_change(const std::string& id, const std::string& activity, const std::string& time, const GJ& old_keys,
              const GJ& new_keys, const std::string& target_id = kApp, const std::string& name = "HR Sync") {
  return audit(id, activity, time, app("Backup Automation"),
               {target(target_id, name, "Application",
                       {prop("KeyDescription", old_keys, new_keys), prop("Included Updated Properties", nullptr, "KeyDescription")})});
}

const model::Finding& by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return f;
  FAIL("no finding with key " << key);
  return r.findings.front();
}

const std::string kOld = key("d623c9d1-61be-4998-abfd-27fd89769923", "Password", "HR Sync 2025");
const std::string kNew = key("3a8672b8-b137-43e8-aeb4-5b31bb2914d4", "Password", "HR Sync prod");

}  // namespace

TEST_CASE("entra.audit-credential-events: a secret added to an application", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("auditLogs/directoryAudits",
            app_change("Directory_1", "Update application \u2013 Certificates and secrets management",
                       "2026-11-20T02:18:44.5529031Z", {kOld}, {kOld, kNew}));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.resource.type == "application");
  CHECK(f.resource.id == kApp);
  CHECK(f.resource.name == "HR Sync");
  CHECK(f.evidence_key == "audit:Directory_1");
  CHECK(f.evidence["activity"] == "Update application \u2013 Certificates and secrets management");
  CHECK(f.evidence["time"] == "2026-11-20T02:18:44Z");
  CHECK(f.evidence["actor"] == "app Backup Automation");
  CHECK(f.evidence["actor_ip"] == "");
  CHECK(f.evidence["result"] == "success");
  CHECK(f.evidence["target"]["type"] == "Application");
  REQUIRE(f.evidence["keys_added"].size() == 1);
  CHECK(f.evidence["keys_added"][0]["key_id"] == "3a8672b8-b137-43e8-aeb4-5b31bb2914d4");
  CHECK(f.evidence["keys_added"][0]["type"] == "Password");
  CHECK(f.evidence["keys_added"][0]["display_name"] == "HR Sync prod");
  CHECK(f.evidence["keys_removed"].empty());
  CHECK(f.message ==
        "secret 3a8672b8-b137-43e8-aeb4-5b31bb2914d4 (\"HR Sync prod\") added by app Backup Automation at "
        "2026-11-20T02:18:44Z");
}

TEST_CASE("entra.audit-credential-events: activity spellings and the other credential activities", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  // Hyphen, Sparrow's '?', other case: all the same activity.
  c->append("auditLogs/directoryAudits", app_change("A-hyphen", "Update application - Certificates and secrets management",
                                                    "2026-11-20T00:00:00Z", GJ::array(), {kNew}));
  c->append("auditLogs/directoryAudits", app_change("A-question", "Update application ? Certificates and secrets management",
                                                    "2026-11-20T00:00:00Z", GJ::array(), {kNew}));
  c->append("auditLogs/directoryAudits", app_change("A-case", "update application \u2013 certificates AND secrets management",
                                                    "2026-11-20T00:00:00Z", GJ::array(), {kNew}));
  // A certificate on a service principal; the DisplayName holds ',' and '='.
  c->append("auditLogs/directoryAudits",
            audit("A-sp", "Add service principal credentials", "2026-11-21T04:40:11Z", user("svc-sync2@contoso.com", "203.0.113.45"),
                  {target(kSp, "Finance Reports", "ServicePrincipal",
                          {prop("KeyDescription", GJ::array(),
                                {key("0d8cbab2-17cb-400c-b113-04b7c303a95a", "AsymmetricX509Cert", "CN=fin,O=Contoso,KeyType=x")})})}));
  // A federated identity credential through "Update service principal".
  c->append("auditLogs/directoryAudits",
            audit("A-fic", "Update service principal", "2026-11-22T00:00:00Z", user("svc-sync2@contoso.com", "203.0.113.45"),
                  {target(kSp, "Finance Reports", "ServicePrincipal",
                          {prop("FederatedIdentityCredentials", nullptr,
                                {{{"Issuer", "https://token.actions.githubusercontent.com"},
                                  {"Subject", "repo:evil-org/infra:ref:refs/heads/main"}}})})}));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 5);
  const auto& sp = by_key(r, "audit:A-sp");
  CHECK(sp.resource.type == "servicePrincipal");
  CHECK(sp.resource.id == kSp);
  CHECK(sp.evidence["actor"] == "svc-sync2@contoso.com (203.0.113.45)");
  CHECK(sp.evidence["actor_ip"] == "203.0.113.45");
  CHECK(sp.evidence["keys_added"][0]["type"] == "AsymmetricX509Cert");
  CHECK(sp.evidence["keys_added"][0]["display_name"] == "CN=fin,O=Contoso,KeyType=x");
  CHECK_THAT(sp.message, Catch::StartsWith("certificate 0d8cbab2-17cb-400c-b113-04b7c303a95a"));
  const auto& fic = by_key(r, "audit:A-fic");
  CHECK(fic.evidence["keys_added"].empty());
  CHECK_THAT(fic.evidence["federated_identity_credentials"].get<std::string>(), Catch::Contains("evil-org"));
  CHECK_THAT(fic.message, Catch::StartsWith("federated identity credential added by svc-sync2@contoso.com"));
}

TEST_CASE("entra.audit-credential-events: silent on old records, removals, set-up and other updates", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  // Before the window (2026-11-01T00:00:00Z), by 78 minutes.
  c->append("auditLogs/directoryAudits", app_change("Old", "Update application \u2013 Certificates and secrets management",
                                                    "2026-10-31T22:41:19Z", {kOld}, {kOld, kNew}));
  // A removal grants nothing.
  c->append("auditLogs/directoryAudits", app_change("Removal", "Update application \u2013 Certificates and secrets management",
                                                    "2026-11-20T00:00:00Z", {kOld, kNew}, {kOld}));
  c->append("auditLogs/directoryAudits",
            audit("Remove", "Remove service principal credentials", "2026-11-20T00:00:00Z", user("a@contoso.com", "198.51.100.10"),
                  {target(kSp, "Finance Reports", "ServicePrincipal", {prop("KeyDescription", {kNew}, GJ::array())})}));
  // An update of another property (the fixture's Salesforce record).
  c->append("auditLogs/directoryAudits",
            audit("Other", "Update service principal", "2026-11-27T11:15:09Z", user("adele.vance@contoso.com", "198.51.100.10"),
                  {target("63ac6cdb-d12a-43b2-8baf-d4e2af43d4bd", "Salesforce", "ServicePrincipal",
                          {prop("AppRoleAssignmentRequired", {false}, {true})})}));
  // Set-up: a secret 14 minutes after "Add application" (the fixture's Onboarding Portal).
  const std::string onboarding = "7cff9f05-7645-4db6-824b-e08ed9d4e39d";
  c->append("auditLogs/directoryAudits",
            audit("Add", "Add application", "2026-11-10T15:22:04Z", user("grady.archie@contoso.com", "198.51.100.14"),
                  {target(onboarding, "Onboarding Portal", "Application", GJ::array())}));
  c->append("auditLogs/directoryAudits",
            app_change("Setup", "Update application \u2013 Certificates and secrets management", "2026-11-10T15:36:47Z",
                       GJ::array(), {kNew}, onboarding, "Onboarding Portal"));
  // Set-up judged from the applications list alone.
  GJ fresh = test::application("a7000000-0000-4000-8000-000000000007", "b7000000-0000-4000-8000-000000000007",
                               "New App", "2026-11-25T10:00:00Z");
  c->add_application(fresh);
  c->append("auditLogs/directoryAudits",
            app_change("Setup2", "Update application \u2013 Certificates and secrets management", "2026-11-26T10:00:00Z",
                       GJ::array(), {kNew}, "a7000000-0000-4000-8000-000000000007", "New App"));
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.audit-credential-events: a failed attempt is medium", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("auditLogs/directoryAudits",
            audit("Fail", "Add service principal credentials", "2026-11-21T00:00:00Z", app("Backup Automation"),
                  {target(kSp, "Finance Reports", "ServicePrincipal",
                          {prop("KeyDescription", GJ::array(), {key("ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1", "Password", "")})})},
                  "failure"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK(r.findings[0].evidence["result"] == "failure");
  CHECK_THAT(r.findings[0].message, Catch::Contains("failed attempt"));
}

TEST_CASE("entra.audit-credential-events: not evaluated without the audit log", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("auditLogs/directoryAudits");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("directoryAudits"));
  auto r2 = test::run_check(kId, test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("--graph-dir"));
}

TEST_CASE("entra.audit-credential-events finds the credential records of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 5);
  for (const char* name : {"HR Sync", "Backup Automation", "Office 365 Exchange Online", "Finance Reports",
                           "MailGuard Archiver"}) {
    INFO(name);
    auto v = r.for_name(name);
    REQUIRE(v.size() == 1);
    CHECK(v[0]->severity == Severity::high);
    CHECK(v[0]->evidence["keys_added"].size() == 1);
  }
  CHECK(r.for_name("HR Sync")[0]->evidence["keys_added"][0]["key_id"] == "3a8672b8-b137-43e8-aeb4-5b31bb2914d4");
  CHECK(r.for_name("Backup Automation")[0]->evidence["actor"] == "svc-sync2@contoso.com (203.0.113.45)");
  CHECK(r.for_name("Office 365 Exchange Online")[0]->evidence["keys_added"][0]["key_id"] ==
        "0d8cbab2-17cb-400c-b113-04b7c303a95a");
  CHECK(r.for_name("Office 365 Exchange Online")[0]->resource.type == "servicePrincipal");
  // Look-alikes: set-up secret, rotations before the window, an unrelated SP update.
  CHECK(r.for_name("Onboarding Portal").empty());
  CHECK(r.for_name("Payroll Connector").empty());
  CHECK(r.for_name("Sales Dashboard").empty());
  CHECK(r.for_name("Salesforce").empty());
}

TEST_CASE("entra_audit helpers: activity names, values decoded twice, KeyDescription entries", "[checks][entra]") {
  namespace au = checks::entra_audit;
  CHECK(au::activity_is("Update application \u2013 Certificates and secrets management",
                        "update application - certificates and secrets management"));
  CHECK(au::activity_is("Update application ? Certificates and secrets management",
                        "Update application \u2013 Certificates and secrets management"));
  CHECK(au::activity_is("Update application \u2014  Certificates and secrets management",
                        "Update application \u2013 Certificates and secrets management"));
  CHECK_FALSE(au::activity_is("Update application", "Update application \u2013 Certificates and secrets management"));
  CHECK(au::activity_starts_with("Add member to role in PIM completed (permanent)", "Add member to role in PIM completed"));
  CHECK_FALSE(au::activity_starts_with("Add member to roles", "Add member to role"));

  // Once-decoded text as the capture holds it, a value encoded twice, plain text, null.
  CHECK(au::values_of("[\"Federated\"]") == std::vector<std::string>{"Federated"});
  CHECK(au::values_of("\"True\"") == std::vector<std::string>{"True"});
  CHECK(au::values_of("\"[\\\"a\\\",\\\"b\\\"]\"") == std::vector<std::string>{"a", "b"});
  CHECK(au::values_of("DirectorySync") == std::vector<std::string>{"DirectorySync"});  // not JSON (2021 doc sample)
  CHECK(au::values_of("[true]") == std::vector<std::string>{"true"});
  CHECK(au::values_of("").empty());
  CHECK(au::values_of("[]").empty());

  auto k = au::parse_key_description("[KeyIdentifier=C75BFF6A-425B-48DE-ADA6-E17B88FA5558,KeyType=AsymmetricX509Cert,"
                                     "KeyUsage=Verify,DisplayName=CN=backup, O=Contoso,KeyType=x]");
  REQUIRE(k);
  CHECK(k->key_id == "c75bff6a-425b-48de-ada6-e17b88fa5558");
  CHECK(k->type == "AsymmetricX509Cert");
  CHECK(k->usage == "Verify");
  CHECK(k->display_name == "CN=backup, O=Contoso,KeyType=x");
  auto empty_name = au::parse_key_description("[KeyIdentifier=ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1,KeyType=Password,KeyUsage=Verify,DisplayName=]");
  REQUIRE(empty_name);
  CHECK(empty_name->display_name.empty());
  CHECK_FALSE(au::parse_key_description("KeyIdentifier=x"));
  CHECK_FALSE(au::parse_key_description("[DisplayName=only]"));

  // The diff: new entries whose key id the old value lacks (case-insensitive), and the reverse.
  model::entra::ModifiedProperty p{"KeyDescription",
                                   "[\"[KeyIdentifier=AAAA,KeyType=Password,KeyUsage=Verify,DisplayName=a]\"]",
                                   "[\"[KeyIdentifier=aaaa,KeyType=Password,KeyUsage=Verify,DisplayName=a]\","
                                   "\"[KeyIdentifier=bbbb,KeyType=Password,KeyUsage=Verify,DisplayName=b]\"]"};
  auto added = au::added_keys(p);
  REQUIRE(added.size() == 1);
  CHECK(added[0].key_id == "bbbb");
  CHECK(au::removed_keys(p).empty());

  CHECK(au::truncate("abc", 5) == "abc");
  CHECK(au::truncate("abcdef", 3) == "abc...");
  CHECK(au::truncate("a\u2013b", 2) == "a...");  // never inside a UTF-8 sequence
}
