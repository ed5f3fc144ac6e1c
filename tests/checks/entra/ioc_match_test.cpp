#include <catch2/catch.hpp>
#include <set>

#include "scanner/engine/registry.hpp"
#include "scanner/model/ioc.hpp"
#include "scanner/model/tenant.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;
using Json = adpersist::model::Json;

namespace {

constexpr const char* kId = "entra.ioc-match";

test::CheckRun run(const model::Snapshot& snap, const model::IocSet& set) {
  return test::run_check(kId, snap, test::lab_now(), std::chrono::hours(24 * 30), &set);
}

const model::Finding* find(const test::CheckRun& r, const std::string& resource_id, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.resource.id == resource_id && f.evidence_key == key) return &f;
  return nullptr;
}

// Fixture tenant objects (fixtures/tenant/README.md).
const char* kBackupApp = "149a5865-0a40-455a-807f-d72c0c58e69b";
const char* kBackupSp = "32a9aec5-5830-448b-ad41-b05af18a0bc7";
const char* kExoSp = "61a8e7b9-02d1-4ce1-8ef8-1555d2bbcdd7";
const char* kSalesforceSp = "63ac6cdb-d12a-43b2-8baf-d4e2af43d4bd";
const char* kMailGuardSp = "e1c06a2b-33a7-4c11-9925-cf1642b33517";
const char* kFinanceSp = "91a4c5eb-5692-4206-8020-72cf193b58cb";
const char* kDeployApp = "8aca3115-48cd-4a63-b221-1d4fe2fd896e";
const char* kTenantToolsApp = "a8d6cb84-48c8-4730-8720-9b5e8ec963b0";
const char* kRunnerApp = "6e9d210f-8610-48d7-9fd0-fdf19f0295b7";
const char* kRunnerSp = "cd589dbf-efd8-456e-9df8-a8bf6b8a8912";
const char* kSvcSync2 = "cb5e2909-b16c-40e1-b857-7a007f88d19b";
const char* kGuest = "136cfff3-c1b9-4d11-bc5e-5477dff3a636";

}  // namespace

TEST_CASE(
    "entra.ioc-match: thumbprints match an application, a service principal and a federation certificate",
    "[checks][entra][ioc][entra.ioc-match]") {
  // The issue's "done when": Backup Automation's new certificate (on the application), the certificate
  // planted on the Exchange Online service principal, and the any.sts token-signing certificate of
  // partners.contoso.com (given as SHA-256, which only the certificate itself yields).
  const auto set = test::ioc_set(R"({"source": "CISA AA21-008A", "certificate_thumbprints": [
      "91:FD:12:2E:6E:AA:72:DD:2D:B2:81:3A:AC:3D:17:20:05:DE:AA:45",
      "054f1016690f6e6b59e8eb190964ba3be5cc9a5a",
      "28A2DFA981B269CC7153DB3BA3BA2304D2D2498F7558928F752457CF9D45250E"]})");
  auto r = run(test::tenant_snapshot(), set);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 3);
  CHECK(r.notes.empty());
  for (const auto& f : r.findings) CHECK(f.severity == Severity::critical);

  const auto* app = find(r, kBackupApp, "certificate_thumbprint:91fd122e6eaa72dd2db2813aac3d172005deaa45");
  REQUIRE(app != nullptr);
  CHECK(app->resource.type == "application");
  CHECK(app->resource.name == "Backup Automation");
  CHECK(app->message ==
        "application trusts certificate 91FD122E6EAA72DD2DB2813AAC3D172005DEAA45 from the IOC list "
        "(keyCredentials[1])");
  CHECK(app->evidence["indicator_type"] == "certificate_thumbprint");
  CHECK(app->evidence["indicator"] == "91fd122e6eaa72dd2db2813aac3d172005deaa45");
  CHECK(app->evidence["found_in"] == Json::array({"keyCredentials[1]"}));
  REQUIRE(app->evidence["matches"].size() == 1);
  const auto& m = app->evidence["matches"][0];
  CHECK(m["path"] == "keyCredentials[1]");
  CHECK(m["matched_by"] == "customKeyIdentifier");
  CHECK(m["value"] == "91FD122E6EAA72DD2DB2813AAC3D172005DEAA45");
  CHECK(m["credential"]["key_id"] == "c75bff6a-425b-48de-ada6-e17b88fa5558");
  CHECK(m["credential"]["display_name"] == "CN=backup-automation.contoso.com");
  CHECK(m["credential"]["usage"] == "Verify");
  CHECK(app->evidence["app_id"] == "72d8ac21-d351-4361-9dc8-7c7a4d0df3a7");
  CHECK(app->evidence["privileged_permissions"] ==
        Json::array({"RoleManagement.ReadWrite.Directory (Microsoft Graph)",
                     "Global Administrator (directory role)"}));
  CHECK(app->evidence["ioc_list"] == "iocs.json");
  CHECK(app->evidence["ioc_source"] == "CISA AA21-008A");

  const auto* sp = find(r, kExoSp, "certificate_thumbprint:054f1016690f6e6b59e8eb190964ba3be5cc9a5a");
  REQUIRE(sp != nullptr);
  CHECK(sp->resource.type == "servicePrincipal");
  CHECK(sp->resource.name == "Office 365 Exchange Online");
  CHECK(sp->evidence["found_in"] == Json::array({"keyCredentials[0]"}));
  CHECK(sp->evidence["matches"][0]["credential"]["key_id"] == "0d8cbab2-17cb-400c-b113-04b7c303a95a");
  CHECK(sp->evidence["app_id"] == "00000002-0000-0ff1-ce00-000000000000");
  CHECK(sp->message ==
        "service principal trusts certificate 054F1016690F6E6B59E8EB190964BA3BE5CC9A5A from the IOC "
        "list (keyCredentials[0])");

  const auto* dom =
      find(r, "partners.contoso.com",
           "certificate_thumbprint:28a2dfa981b269cc7153db3ba3ba2304d2d2498f7558928f752457cf9d45250e");
  REQUIRE(dom != nullptr);
  CHECK(dom->resource.type == "domain");
  CHECK(dom->evidence["found_in"] == Json::array({"federationConfiguration.signingCertificate"}));
  const auto& d = dom->evidence["matches"][0];
  CHECK(d["matched_by"] == "sha256");
  CHECK(d["sha1"] == "829F08A7DF3050952A340F6866BFF2C16CC8B998");
  CHECK(d["sha256"] == "28A2DFA981B269CC7153DB3BA3BA2304D2D2498F7558928F752457CF9D45250E");
  CHECK(d["subject"] == "CN=any.sts");
  CHECK(d["issuer_uri"] == "http://any.sts/B231A11F");
  CHECK(d["federation_configuration_id"] == "5fb4c77a-5764-49b3-9f7b-3508d89be90e");
  CHECK(d["not_after"] == "2036-11-19T09:28:00Z");
  CHECK(dom->message ==
        "federated domain trusts certificate "
        "28A2DFA981B269CC7153DB3BA3BA2304D2D2498F7558928F752457CF9D45250E from the IOC list "
        "(federationConfiguration.signingCertificate)");
  CHECK(dom->evidence["ioc_source"] == "CISA AA21-008A");
}

TEST_CASE("entra.ioc-match: one finding per object and indicator, every place listed",
          "[checks][entra][ioc][entra.ioc-match]") {
  // Salesforce's SAML certificate sits on a Sign and a Verify key and is the preferred token-signing
  // thumbprint; fed.contoso.com stages the rogue AD FS certificate as its next signing certificate.
  const auto set = test::ioc_set(R"({"certificate_thumbprints": ["DFA84CF73291F776786309F1EC1F07B217BA5D7E",
                                                      "EC8F18D2707C6E647AAFF7FF882066B04390D216"]})");
  auto r = run(test::tenant_snapshot(), set);
  REQUIRE(r.findings.size() == 2);
  const auto* sp = find(r, kSalesforceSp, "certificate_thumbprint:dfa84cf73291f776786309f1ec1f07b217ba5d7e");
  REQUIRE(sp != nullptr);
  CHECK(sp->evidence["found_in"] ==
        Json::array({"keyCredentials[0]", "keyCredentials[1]", "preferredTokenSigningKeyThumbprint"}));
  REQUIRE(sp->evidence["matches"].size() == 3);
  CHECK(sp->evidence["matches"][0]["credential"]["usage"] == "Sign");
  CHECK(sp->evidence["matches"][1]["credential"]["usage"] == "Verify");
  CHECK(sp->evidence["matches"][2]["matched_by"] == "preferredTokenSigningKeyThumbprint");

  const auto* fed =
      find(r, "fed.contoso.com", "certificate_thumbprint:ec8f18d2707c6e647aaff7ff882066b04390d216");
  REQUIRE(fed != nullptr);
  CHECK(fed->evidence["found_in"] == Json::array({"federationConfiguration.nextSigningCertificate"}));
  CHECK(fed->evidence["matches"][0]["matched_by"] == "sha1");
  CHECK(fed->evidence["matches"][0]["subject"] == "CN=ADFS Signing - adfs-backup.contoso.com");
}

TEST_CASE("entra.ioc-match: with the certificate itself (key), SHA-256 thumbprints match credentials too",
          "[checks][entra][ioc][entra.ioc-match]") {
  // A single-object read returns `key`, the certificate: both hashes are computed from it.
  auto c = test::CaptureDir::base();
  GJ app = test::application(kBackupApp, "72d8ac21-d351-4361-9dc8-7c7a4d0df3a7", "Backup Automation",
                             "2020-06-02T08:11:37Z");
  GJ key = test::key_credential("c75bff6a-425b-48de-ada6-e17b88fa5558", "2026-11-18T01:05:12Z",
                                "2027-11-18T01:05:12Z", "Verify", "kf0SLm6qct0tsoE6rD0XIAXeqkU=");
  const std::string der_b64 = test::fixture_cert_b64("backup-automation-2026");
  key["key"] = der_b64;
  app["keyCredentials"] = GJ::array({key});
  c->add_application(app);
  const auto set = test::ioc_set(R"({"certificate_thumbprints": [
      "e6edad12bc0670524d7d6c912223fb974752a03415169fffe6685d649f464c29",
      "91fd122e6eaa72dd2db2813aac3d172005deaa45"]})");
  auto r = run(c->snapshot(), set);
  REQUIRE(r.findings.size() == 2);
  const auto* by256 =
      find(r, kBackupApp,
           "certificate_thumbprint:e6edad12bc0670524d7d6c912223fb974752a03415169fffe6685d649f464c29");
  REQUIRE(by256 != nullptr);
  CHECK(by256->evidence["matches"][0]["matched_by"] == "key (SHA-256)");
  CHECK(by256->evidence["matches"][0]["credential"]["certificate_subject"] ==
        "CN=backup-automation.contoso.com");
  // SHA-1 matches twice over (customKeyIdentifier and the certificate): one finding, both ways listed.
  const auto* by1 = find(r, kBackupApp, "certificate_thumbprint:91fd122e6eaa72dd2db2813aac3d172005deaa45");
  REQUIRE(by1 != nullptr);
  REQUIRE(by1->evidence["matches"].size() == 2);
  CHECK(by1->evidence["matches"][0]["matched_by"] == "customKeyIdentifier");
  CHECK(by1->evidence["matches"][1]["matched_by"] == "key (SHA-1)");
  CHECK(by1->evidence["found_in"] == Json::array({"keyCredentials[0]"}));
  // Never the certificate bytes (public, but key material all the same).
  for (const auto& f : r.findings)
    CHECK(f.evidence.dump().find(der_b64.substr(100, 40)) == std::string::npos);
}

TEST_CASE("entra.ioc-match: application ids, key ids, issuers and account names",
          "[checks][entra][ioc][entra.ioc-match]") {
  const auto set = test::ioc_set(R"({
    "app_ids": ["b82e78ca-5b4f-445e-b64c-c0a0337ac4ba", "82652BEB-EB37-43F6-8265-0599650D9093"],
    "key_ids": ["ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1", "c75bff6a-425b-48de-ada6-e17b88fa5558"],
    "issuers": ["http://any.sts/B231A11F/", "https://token.actions.githubusercontent.com"],
    "account_names": ["svc-sync2@contoso.com", "J.DOE_gmail.com#EXT#@contoso.onmicrosoft.com"]})");
  auto r = run(test::tenant_snapshot(), set);
  REQUIRE(r.status == CheckStatus::failed);

  // The third-party MailGuard Archiver (the Mimecast pattern): only its service principal lives in this
  // tenant.
  const auto* mailguard = find(r, kMailGuardSp, "app_id:b82e78ca-5b4f-445e-b64c-c0a0337ac4ba");
  REQUIRE(mailguard != nullptr);
  CHECK(mailguard->message ==
        "service principal is application b82e78ca-5b4f-445e-b64c-c0a0337ac4ba from the IOC list (appId)");
  CHECK(mailguard->evidence["privileged_permissions"] ==
        Json::array({"full_access_as_app (Office 365 Exchange Online)"}));

  // Automation Runner: its own application and service principal, and Backup Automation, which it owns.
  const auto* runner_sp = find(r, kRunnerSp, "app_id:82652beb-eb37-43f6-8265-0599650d9093");
  REQUIRE(runner_sp != nullptr);
  const auto* owned = find(r, kBackupApp, "app_id:82652beb-eb37-43f6-8265-0599650d9093");
  REQUIRE(owned != nullptr);
  CHECK(owned->evidence["found_in"] == Json::array({"owners[" + std::string(kRunnerSp) + "].appId"}));
  CHECK(owned->message ==
        "application is owned by application 82652beb-eb37-43f6-8265-0599650d9093 from the IOC list "
        "(owners[" +
            std::string(kRunnerSp) + "].appId)");
  CHECK(owned->evidence["matches"][0]["owner"]["display_name"] == "Automation Runner");

  // Key ids: a secret on a service principal, a certificate on an application.
  const auto* secret = find(r, kFinanceSp, "key_id:ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1");
  REQUIRE(secret != nullptr);
  CHECK(secret->evidence["found_in"] == Json::array({"passwordCredentials[0]"}));
  CHECK(secret->evidence["matches"][0]["credential"]["kind"] == "secret");
  CHECK_FALSE(secret->evidence["matches"][0]["credential"].contains("hint"));
  const auto* cert = find(r, kBackupApp, "key_id:c75bff6a-425b-48de-ada6-e17b88fa5558");
  REQUIRE(cert != nullptr);
  CHECK(cert->message ==
        "application holds credential c75bff6a-425b-48de-ada6-e17b88fa5558 from the IOC list "
        "(keyCredentials[1])");

  // Issuers: a federation's issuerUri (trailing '/' and case ignored) and a federated identity credential.
  const auto* fed = find(r, "partners.contoso.com", "issuer:http://any.sts/b231a11f");
  REQUIRE(fed != nullptr);
  CHECK(fed->evidence["found_in"] == Json::array({"federationConfiguration.issuerUri"}));
  CHECK(fed->evidence["matches"][0]["value"] == "http://any.sts/B231A11F");
  const auto* fic = find(r, kDeployApp, "issuer:https://token.actions.githubusercontent.com");
  REQUIRE(fic != nullptr);
  CHECK(fic->evidence["found_in"] == Json::array({"federatedIdentityCredentials[gh-deploy].issuer"}));
  CHECK(fic->evidence["matches"][0]["subject"] == "repo:evil-org/infra:ref:refs/heads/main");

  // Accounts: role holders, and the guest also as an owner of Tenant Tools.
  const auto* svc = find(r, kSvcSync2, "account_name:svc-sync2@contoso.com");
  REQUIRE(svc != nullptr);
  CHECK(svc->resource.type == "user");
  CHECK(svc->message ==
        "account svc-sync2@contoso.com from the IOC list holds directory role Global Administrator");
  CHECK(svc->evidence["matches"][0]["role"] == "Global Administrator");
  const std::string guest = "j.doe_gmail.com#ext#@contoso.onmicrosoft.com";
  const auto* guest_role = find(r, kGuest, "account_name:" + guest);
  REQUIRE(guest_role != nullptr);
  CHECK(guest_role->evidence["matches"][0]["role"] == "Privileged Role Administrator");
  const auto* guest_owner = find(r, kTenantToolsApp, "account_name:" + guest);
  REQUIRE(guest_owner != nullptr);
  CHECK(guest_owner->evidence["found_in"] ==
        Json::array({"owners[" + std::string(kGuest) + "].userPrincipalName"}));

  // Nothing else; the Automation Runner application object is the last of the 11.
  CHECK(find(r, kRunnerApp, "app_id:82652beb-eb37-43f6-8265-0599650d9093") != nullptr);
  CHECK(find(r, kBackupSp, "app_id:82652beb-eb37-43f6-8265-0599650d9093") == nullptr);
  CHECK(r.findings.size() == 11);
}

TEST_CASE("entra.ioc-match: nothing on the list in the tenant gives no finding",
          "[checks][entra][ioc][entra.ioc-match]") {
  // Values of another estate: the lab's rogue CA, an unrelated app id and key, the lab's SIDs and issuer.
  const auto set = test::ioc_set(R"({
    "certificate_thumbprints": ["505B46DC6E16CDD8381B768FDC210BDDF8E4C96B"],
    "app_ids": ["00000000-0000-4000-8000-00000000abcd"],
    "key_ids": ["om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4="],
    "sids": ["S-1-5-21-1111111111-2222222222-3333333333"],
    "account_names": ["megan.bowen@contoso.org"],
    "issuers": ["http://adfs.fabrikam.com/adfs/services/trust"]})");
  auto r = run(test::tenant_snapshot(), set);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("entra.ioc-match: not evaluated without an IOC list", "[checks][entra][ioc][entra.ioc-match]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK(r.reason == "no IOC list was given (--ioc FILE)");
  CHECK(r.findings.empty());
}

TEST_CASE("entra.ioc-match: not evaluated when credentials were not collected",
          "[checks][entra][ioc][entra.ioc-match]") {
  auto c = test::CaptureDir::base();
  c->remove("applications");
  const auto set = test::ioc_set(R"({"app_ids": ["b82e78ca-5b4f-445e-b64c-c0a0337ac4ba"]})");
  auto r = run(c->snapshot(), set);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK(r.reason.find("dataset 'applications' is missing") != std::string::npos);
}

TEST_CASE("entra.ioc-match: lab-and-tenant.json gives exactly the planted tenant matches",
          "[checks][entra][ioc][entra.ioc-match]") {
  // The list the CLI tests use (fixtures/ioc/README.md); its AD values must not match anything here.
  auto set = model::load_ioc_file(test::fixture_path("ioc/lab-and-tenant.json"));
  REQUIRE(set.ok());
  auto r = run(test::tenant_snapshot(), *set);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& f : r.findings) got.emplace(f.resource.name, f.evidence_key);
  CHECK(got ==
        std::set<std::pair<std::string, std::string>>{
            {"Backup Automation", "certificate_thumbprint:91fd122e6eaa72dd2db2813aac3d172005deaa45"},
            {"Office 365 Exchange Online", "certificate_thumbprint:054f1016690f6e6b59e8eb190964ba3be5cc9a5a"},
            {"partners.contoso.com",
             "certificate_thumbprint:28a2dfa981b269cc7153db3ba3ba2304d2d2498f7558928f752457cf9d45250e"},
            {"partners.contoso.com", "issuer:http://any.sts/b231a11f"},
            {"MailGuard Archiver", "app_id:b82e78ca-5b4f-445e-b64c-c0a0337ac4ba"},
            {"Finance Reports", "key_id:ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1"},
            {"svc-sync2@contoso.com", "account_name:svc-sync2@contoso.com"}});
  CHECK(r.findings.size() == 7);
  CHECK(r.notes.empty());
}
