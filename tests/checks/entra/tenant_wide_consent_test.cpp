#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Json;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kCheck = "entra.tenant-wide-consent";
constexpr const char* kSp = "c3100000-0000-4000-8000-000000000001";
constexpr const char* kAppId = "b3100000-0000-4000-8000-000000000001";

GJ grant(const std::string& client, const std::string& consent_type, const std::string& scope,
         const std::string& principal = "") {
  return {{"id", "g-" + client.substr(0, 8) + "-" + consent_type},
          {"clientId", client},
          {"consentType", consent_type},
          {"principalId", principal.empty() ? GJ(nullptr) : GJ(principal)},
          {"resourceId", test::kGraphSpId},
          {"scope", scope}};
}

std::unique_ptr<test::CaptureDir> tenant_with_client(const std::string& owner_tenant,
                                                     const std::string& publisher = "") {
  auto c = test::CaptureDir::base();
  GJ sp = test::service_principal(kSp, kAppId, "Meeting Notes AI", owner_tenant);
  if (!publisher.empty())
    sp["verifiedPublisher"] = {{"displayName", publisher},
                               {"verifiedPublisherId", "7654321"},
                               {"addedDateTime", "2022-01-01T00:00:00Z"}};
  c->append("servicePrincipals", sp);
  return c;
}
}  // namespace

TEST_CASE("entra.tenant-wide-consent: mail and file scopes consented for all users by an unverified vendor",
          "[checks][entra]") {
  auto c = tenant_with_client(test::kVendorTenantId);
  c->append("oauth2PermissionGrants",
            grant(kSp, "AllPrincipals", "openid profile offline_access Mail.ReadWrite Files.ReadWrite.All"));
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.type == "servicePrincipal");
  CHECK(f.resource.id == kSp);
  CHECK(f.resource.name == "Meeting Notes AI");
  CHECK(f.evidence_key == std::string("consent:") + test::kGraphSpId);
  CHECK(
      f.message ==
      "consented for all users: Mail.ReadWrite, Files.ReadWrite.All on Microsoft Graph (third-party "
      "application, no verified publisher)");
  CHECK(f.evidence["client_app_id"] == kAppId);
  CHECK(f.evidence["ownership"] == "third party");
  CHECK(f.evidence["app_owner_organization_id"] == test::kVendorTenantId);
  CHECK(f.evidence["verified_publisher"] == "");
  CHECK(f.evidence["resource"] == "Microsoft Graph");
  CHECK(f.evidence["resource_app_id"] == "00000003-0000-0000-c000-000000000000");
  CHECK(f.evidence["risky_scopes"] == Json::array({"Mail.ReadWrite", "Files.ReadWrite.All"}));
  CHECK(f.evidence["scopes"] ==
        Json::array({"openid", "profile", "offline_access", "Mail.ReadWrite", "Files.ReadWrite.All"}));
}

TEST_CASE("entra.tenant-wide-consent: severity by the client's owner and publisher", "[checks][entra]") {
  SECTION("third party with a verified publisher: high") {
    auto c = tenant_with_client(test::kVendorTenantId, "Notes Inc.");
    c->append("oauth2PermissionGrants", grant(kSp, "AllPrincipals", "User.Read Mail.Read"));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["verified_publisher"] == "Notes Inc.");
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("(third-party application published by Notes Inc.)"));
  }
  SECTION("an application of this tenant: high") {
    auto c = tenant_with_client(test::kTenantId);
    c->append("oauth2PermissionGrants", grant(kSp, "AllPrincipals", "Directory.AccessAsUser.All"));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["ownership"] == "this tenant");
    CHECK(r.findings[0].message == "consented for all users: Directory.AccessAsUser.All on Microsoft Graph");
  }
  SECTION("a Microsoft first-party client: low") {
    auto c = tenant_with_client(test::kMicrosoftTenantId);
    c->append("oauth2PermissionGrants", grant(kSp, "AllPrincipals", "openid EWS.AccessAsUser.All"));
    auto r = test::run_check(kCheck, c->snapshot());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::low);
    CHECK(r.findings[0].evidence["ownership"] == "Microsoft");
  }
}

TEST_CASE("entra.tenant-wide-consent: silent on harmless scopes and per-user consent", "[checks][entra]") {
  auto c = tenant_with_client(test::kVendorTenantId);
  c->append("oauth2PermissionGrants",
            grant(kSp, "AllPrincipals", "openid profile email offline_access User.Read"));
  c->append("oauth2PermissionGrants",
            grant("c3200000-0000-4000-8000-000000000001", "AllPrincipals", "access_as_user"));
  c->append("oauth2PermissionGrants", grant(kSp, "Principal", "Mail.ReadWrite Files.ReadWrite.All",
                                            "e3100000-0000-4000-8000-000000000001"));
  c->append("oauth2PermissionGrants", grant(kSp, "AllPrincipals", ""));
  auto r = test::run_check(kCheck, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.tenant-wide-consent: without the service principals the grant is still reported",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("oauth2PermissionGrants", grant(kSp, "AllPrincipals", "Mail.Read"));
  c->remove("servicePrincipals");
  auto r = test::run_check(kCheck, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].resource.id == kSp);
  CHECK(r.findings[0].evidence["ownership"] == "unknown");
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("'servicePrincipals'"));
}

TEST_CASE("entra.tenant-wide-consent: not evaluated without the grants", "[checks][entra]") {
  {
    auto c = test::CaptureDir::base();
    c->remove("oauth2PermissionGrants");
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("oauth2PermissionGrants.json"));
  }
  {
    auto c = test::CaptureDir::base();
    c->append("oauth2PermissionGrants", {{"id", "x"}, {"clientId", kSp}, {"resourceId", test::kGraphSpId}});
    auto r = test::run_check(kCheck, c->snapshot());
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("consentType") && Catch::Contains("scope"));
  }
}

TEST_CASE("entra.tenant-wide-consent finds the planted case of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kCheck, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 1);
  auto notes = r.for_name("Meeting Notes AI");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0]->severity == Severity::critical);
  CHECK(notes[0]->evidence["risky_scopes"] == Json::array({"Mail.ReadWrite", "Files.ReadWrite.All"}));
  CHECK(notes[0]->evidence["ownership"] == "third party");
  for (const char* name : {"Intranet Portal", "Contoso Expenses", "Teams Leave Bot", "Visitor Registration",
                           "Contoso Mobile App", "Fabrikam Calendar Sync", "Graph Explorer",
                           "Microsoft Graph Command Line Tools"}) {
    INFO(name);
    CHECK(r.for_name(name).empty());
  }
}
