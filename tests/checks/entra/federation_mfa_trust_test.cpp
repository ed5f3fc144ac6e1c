#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {

constexpr const char* kId = "entra.federation-mfa-trust";

GJ federation(const GJ& mfa_behavior, const std::string& issuer = "http://adfs.contoso.com/adfs/services/trust") {
  GJ f = {{"@odata.type", "#microsoft.graph.internalDomainFederation"},
          {"id", "1156298b-e3fb-4025-a81f-f822e15489eb"},
          {"displayName", "Contoso"},
          {"issuerUri", issuer},
          {"metadataExchangeUri", "https://adfs.contoso.com/adfs/services/trust/mex"},
          {"signingCertificate", nullptr},
          {"passiveSignInUri", "https://adfs.contoso.com/adfs/ls/"},
          {"preferredAuthenticationProtocol", "wsFed"},
          {"activeSignInUri", "https://adfs.contoso.com/adfs/services/trust/2005/usernamemixed"},
          {"signOutUri", "https://adfs.contoso.com/adfs/ls/"},
          {"promptLoginBehavior", "nativeSupport"},
          {"isSignedAuthenticationRequestRequired", false},
          {"nextSigningCertificate", nullptr},
          {"signingCertificateUpdateStatus",
           {{"certificateUpdateResult", "Success"}, {"lastRunDateTime", "2026-03-01T04:00:12Z"}}}};
  if (!mfa_behavior.is_discarded()) f["federatedIdpMfaBehavior"] = mfa_behavior;
  return f;
}

void add_federated(test::CaptureDir& c, const std::string& id, const GJ& config) {
  c.append("domains", {{"id", id},
                       {"authenticationType", "Federated"},
                       {"isVerified", true},
                       {"isDefault", false},
                       {"isInitial", false},
                       {"isRoot", true},
                       {"supportedServices", {"Email"}}});
  c.put("domains/" + id + "/federationConfiguration", {{"value", {config}}});
}

}  // namespace

TEST_CASE("entra.federation-mfa-trust: the federated provider's MFA claim is accepted", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  add_federated(*c, "partners.contoso.com", federation("acceptIfMfaDoneByFederatedIdp", "http://any.sts/B231A11F"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::medium);
  CHECK(f.resource.type == "domain");
  CHECK(f.resource.id == "partners.contoso.com");
  CHECK(f.evidence_key == "federatedIdpMfaBehavior");
  CHECK(f.evidence["federated_idp_mfa_behavior"] == "acceptIfMfaDoneByFederatedIdp");
  CHECK(f.evidence["issuer_uri"] == "http://any.sts/B231A11F");
  CHECK(f.evidence["signed_authentication_request_required"] == false);
  CHECK_THAT(f.message, Catch::Contains("satisfies Entra ID MFA"));
}

TEST_CASE("entra.federation-mfa-trust: MFA always handed to the federated provider", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  add_federated(*c, "fed.contoso.com", federation("EnforceMfaByFederatedIdp"));  // case-insensitive
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK_THAT(r.findings[0].message, Catch::Contains("hands every MFA prompt"));
}

TEST_CASE("entra.federation-mfa-trust: silent when Entra ID does MFA itself; absent property noted",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  add_federated(*c, "fed.contoso.com", federation("rejectMfaByFederatedIdp"));
  add_federated(*c, "old.contoso.com", federation(nullptr));  // configured before the property existed
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("old.contoso.com") && Catch::Contains("SupportsMfa"));
  // Managed domains only: nothing to judge.
  auto r2 = test::run_check(kId, test::CaptureDir::base()->snapshot());
  CHECK(r2.status == CheckStatus::passed);
  CHECK(r2.notes.empty());
}

TEST_CASE("entra.federation-mfa-trust: not evaluated without the domains or their federation", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("domains");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("domains"));
  auto c2 = test::CaptureDir::base();
  add_federated(*c2, "fed.contoso.com", federation("acceptIfMfaDoneByFederatedIdp"));
  c2->remove("domains/fed.contoso.com/federationConfiguration");
  auto r2 = test::run_check(kId, c2->snapshot());
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("federationConfiguration"));
}

TEST_CASE("entra.federation-mfa-trust finds the backdoor domain of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  auto partners = r.for_name("partners.contoso.com");
  REQUIRE(partners.size() == 1);
  CHECK(partners[0]->severity == Severity::medium);
  CHECK(partners[0]->evidence["federated_idp_mfa_behavior"] == "acceptIfMfaDoneByFederatedIdp");
  CHECK(r.for_name("fed.contoso.com").empty());  // rejectMfaByFederatedIdp
}
