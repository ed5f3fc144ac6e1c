#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;
using Json = adpersist::model::Json;

namespace {

GJ domain(const std::string& id, const std::string& auth, bool verified = true) {
  return {{"id", id},           {"authenticationType", auth}, {"isVerified", verified}, {"isDefault", false},
          {"isInitial", false}, {"isRoot", true},             {"supportedServices", {"Email"}}};
}

GJ federation(const std::string& issuer, const std::string& sign_in_host_uri, const std::string& cert) {
  return {{"@odata.type", "#microsoft.graph.internalDomainFederation"},
          {"id", "1156298b-e3fb-4025-a81f-f822e15489eb"},
          {"displayName", "Contoso"},
          {"issuerUri", issuer},
          {"metadataExchangeUri", sign_in_host_uri + "/adfs/services/trust/mex"},
          {"signingCertificate", cert},
          {"passiveSignInUri", sign_in_host_uri + "/adfs/ls/"},
          {"preferredAuthenticationProtocol", "wsFed"},
          {"activeSignInUri", sign_in_host_uri + "/adfs/services/trust/2005/usernamemixed"},
          {"signOutUri", sign_in_host_uri + "/adfs/ls/"},
          {"promptLoginBehavior", "nativeSupport"},
          {"isSignedAuthenticationRequestRequired", true},
          {"nextSigningCertificate", nullptr},
          {"federatedIdpMfaBehavior", "rejectMfaByFederatedIdp"},
          {"signingCertificateUpdateStatus",
           {{"certificateUpdateResult", "Success"}, {"lastRunDateTime", "2026-03-01T04:00:12.5518231Z"}}}};
}

// base() plus one federated domain with the given configuration.
std::unique_ptr<test::CaptureDir> federated(const std::string& id, const GJ& config) {
  auto c = test::CaptureDir::base();
  c->append("domains", domain(id, "Federated"));
  c->put("domains/" + id + "/federationConfiguration", {{"value", {config}}});
  return c;
}

}  // namespace

TEST_CASE("entra.federation-issuer: a domain federated to any.sts is critical", "[checks][entra]") {
  GJ cfg = federation("http://any.sts/B231A11F", "https://any.sts/B231A11F", test::fixture_cert_b64("any-sts-2026"));
  auto c = federated("partners.contoso.com", cfg);
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.type == "domain");
  CHECK(f.resource.id == "partners.contoso.com");
  CHECK(f.evidence_key == "federation");
  CHECK(f.evidence["reason"] == "any.sts");
  CHECK(f.evidence["issuer_uri"] == "http://any.sts/B231A11F");
  CHECK(f.evidence["hosts"] == Json::array({"any.sts"}));
  CHECK(f.evidence["signing_certificate"]["subject"] == "CN=any.sts");
  CHECK(f.evidence["signing_certificate"]["sha1"] == "829F08A7DF3050952A340F6866BFF2C16CC8B998");
  CHECK_FALSE(f.evidence["signing_certificate"].contains("der"));  // names and hashes only
  CHECK_THAT(f.message, Catch::Contains("any.sts") && Catch::Contains("AADInternals"));
}

TEST_CASE("entra.federation-issuer: any.sts in a sign-in URI alone is enough", "[checks][entra]") {
  GJ cfg = federation("http://adfs.contoso.com/adfs/services/trust", "https://adfs.contoso.com", "");
  cfg["passiveSignInUri"] = "https://any.sts/5D3C21A0";
  auto c = federated("fed.contoso.com", cfg);
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["reason"] == "any.sts");
  CHECK(r.findings[0].evidence["signing_certificate"].is_null());
}

TEST_CASE("entra.federation-issuer: an identity provider outside the verified domains is critical", "[checks][entra]") {
  // Issuer and sign-in on a host the tenant does not own, including a suffix look-alike of a verified domain.
  for (const std::string host : {"sts.evil-idp.example", "adfs.contoso.com.evil.example", "adfs.evilcontoso.com"}) {
    INFO(host);
    GJ cfg = federation("http://" + host + "/adfs/services/trust", "https://" + host, test::fixture_cert_b64("adfs-signing-2026"));
    auto c = federated("fed.contoso.com", cfg);
    auto r = test::run_check("entra.federation-issuer", c->snapshot());
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.severity == Severity::critical);
    CHECK(f.evidence["reason"] == "unknown issuer");
    CHECK(f.evidence["unverified_hosts"] == Json::array({host}));
    CHECK(f.evidence["signing_certificate"]["sha1"] == "0B9945B68A3253D1A07315E38A4505C4E46D35FF");
    CHECK_THAT(f.message, Catch::Contains(host));
  }
  // A verified issuer host does not excuse a foreign sign-in host (where passwords are typed).
  GJ cfg = federation("http://adfs.contoso.com/adfs/services/trust", "https://login.attacker.example", "");
  auto c = federated("fed.contoso.com", cfg);
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["unverified_hosts"] == Json::array({"login.attacker.example"}));
}

TEST_CASE("entra.federation-issuer: silent on AD FS inside the verified domains", "[checks][entra]") {
  // The fixture's legit AD FS, the documentation sample's shape (issuer on the root domain, sign-in on sts.),
  // a URN issuer with sign-in on a verified host, a port and upper case.
  auto c = test::CaptureDir::base();
  c->append("domains", domain("fed.contoso.com", "Federated"));
  c->put("domains/fed.contoso.com/federationConfiguration",
         {{"value", {federation("http://adfs.contoso.com/adfs/services/trust", "https://adfs.contoso.com",
                                test::fixture_cert_b64("adfs-signing-2026"))}}});
  c->append("domains", domain("sso.contoso.com", "Federated"));
  c->put("domains/sso.contoso.com/federationConfiguration",
         {{"value", {federation("http://contoso.com/adfs/services/trust", "https://STS.Contoso.com:443", "")}}});
  c->append("domains", domain("urn.contoso.com", "Federated"));
  c->put("domains/urn.contoso.com/federationConfiguration",
         {{"value", {federation("urn:contoso:idp", "https://idp.contoso.onmicrosoft.com", "")}}});
  // Unverified and managed domains have no federation to judge.
  c->append("domains", domain("contoso-support.net", "Managed", false));
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.federation-issuer: the verified domains come from the organization too", "[checks][entra]") {
  // partners.example is not in /domains as verified, but the organization lists it: its host is the tenant's.
  auto c = test::CaptureDir::base();
  c->put("organization", {{"value",
                           {{{"id", test::kTenantId},
                             {"displayName", "Contoso"},
                             {"verifiedDomains",
                              {{{"name", "contoso.com"}, {"isDefault", true}, {"isInitial", false}},
                               {{"name", "partners.example"}, {"isDefault", false}, {"isInitial", false}}}}}}}});
  c->append("domains", domain("fed.contoso.com", "Federated"));
  c->put("domains/fed.contoso.com/federationConfiguration",
         {{"value", {federation("http://sts.partners.example/adfs/services/trust", "https://sts.partners.example", "")}}});
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  CHECK(r.findings.empty());
}

TEST_CASE("entra.federation-issuer: not evaluated without the domains or their federation", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("domains");
  auto r = test::run_check("entra.federation-issuer", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("domains"));

  // A federated domain whose federationConfiguration was not captured.
  auto c2 = test::CaptureDir::base();
  c2->append("domains", domain("fed.contoso.com", "Federated"));
  auto r2 = test::run_check("entra.federation-issuer", c2->snapshot());
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("federationConfiguration"));

  auto r3 = test::run_check("entra.federation-issuer", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r3.status == CheckStatus::not_evaluated);
  CHECK_THAT(r3.reason, Catch::Contains("--graph-dir"));
}

TEST_CASE("entra.federation-issuer finds the any.sts backdoor of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.federation-issuer", test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  auto partners = r.for_name("partners.contoso.com");
  REQUIRE(partners.size() == 1);
  CHECK(partners[0]->severity == Severity::critical);
  CHECK(partners[0]->evidence["reason"] == "any.sts");
  CHECK(partners[0]->evidence["signing_certificate"]["sha1"] == "829F08A7DF3050952A340F6866BFF2C16CC8B998");
  CHECK(r.for_name("fed.contoso.com").empty());  // legit AD FS on adfs.contoso.com
}
