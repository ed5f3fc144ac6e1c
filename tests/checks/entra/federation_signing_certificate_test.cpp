#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;
using Json = adpersist::model::Json;

namespace {

constexpr const char* kId = "entra.federation-signing-certificate";

GJ federation(const GJ& current, const GJ& next, const std::string& last_run) {
  return {{"@odata.type", "#microsoft.graph.internalDomainFederation"},
          {"id", "1156298b-e3fb-4025-a81f-f822e15489eb"},
          {"displayName", "Contoso"},
          {"issuerUri", "http://adfs.contoso.com/adfs/services/trust"},
          {"metadataExchangeUri", "https://adfs.contoso.com/adfs/services/trust/mex"},
          {"signingCertificate", current},
          {"passiveSignInUri", "https://adfs.contoso.com/adfs/ls/"},
          {"preferredAuthenticationProtocol", "wsFed"},
          {"activeSignInUri", "https://adfs.contoso.com/adfs/services/trust/2005/usernamemixed"},
          {"signOutUri", "https://adfs.contoso.com/adfs/ls/"},
          {"promptLoginBehavior", "nativeSupport"},
          {"isSignedAuthenticationRequestRequired", true},
          {"nextSigningCertificate", next},
          {"federatedIdpMfaBehavior", "rejectMfaByFederatedIdp"},
          {"signingCertificateUpdateStatus", {{"certificateUpdateResult", "Success"}, {"lastRunDateTime", last_run}}}};
}

std::unique_ptr<test::CaptureDir> federated(const GJ& config, const std::string& id = "fed.contoso.com") {
  auto c = test::CaptureDir::base();
  c->append("domains", {{"id", id},
                        {"authenticationType", "Federated"},
                        {"isVerified", true},
                        {"isDefault", false},
                        {"isInitial", false},
                        {"isRoot", true},
                        {"supportedServices", {"Email"}}});
  c->put("domains/" + id + "/federationConfiguration", {{"value", {config}}});
  return c;
}

}  // namespace

TEST_CASE("entra.federation-signing-certificate: a rogue next certificate staged outside rollover", "[checks][entra]") {
  // The fixture's case 13: AD FS's current certificate, and a self-signed 5-year next certificate with another
  // subject, issued 2026-11-19 while the automatic update last ran 2026-03-01.
  auto c = federated(federation(test::fixture_cert_b64("adfs-signing-2026"), test::fixture_cert_b64("adfs-backup-signing-2026"),
                                "2026-03-01T04:00:12.5518231Z"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.resource.type == "domain");
  CHECK(f.resource.id == "fed.contoso.com");
  CHECK(f.evidence_key == "nextSigningCertificate");
  CHECK(f.evidence["slot"] == "nextSigningCertificate");
  CHECK(f.evidence["reasons"] == Json::array({"subject_differs", "long_validity", "recent", "outside_rollover"}));
  CHECK(f.evidence["subject"] == "CN=ADFS Signing - adfs-backup.contoso.com");
  CHECK(f.evidence["issuer"] == "CN=ADFS Signing - adfs-backup.contoso.com");
  CHECK(f.evidence["current_subject"] == "CN=ADFS Signing - adfs.contoso.com");
  CHECK(f.evidence["sha1"] == "EC8F18D2707C6E647AAFF7FF882066B04390D216");
  CHECK(f.evidence["sha256"].get<std::string>().size() == 64);
  CHECK(f.evidence["not_before"] == "2026-11-19T09:55:00Z");
  CHECK(f.evidence["not_after"] == "2031-11-19T09:55:00Z");
  CHECK(f.evidence["validity_days"] == 1826);
  CHECK(f.evidence["last_run"] == "2026-03-01T04:00:12Z");
  CHECK(f.evidence["self_issued"] == true);
  CHECK(f.message ==
        "next token-signing certificate CN=ADFS Signing - adfs-backup.contoso.com: not from the current "
        "certificate's issuer (CN=ADFS Signing - adfs.contoso.com); valid 1826 days; issued 2026-11-19 inside the "
        "recent window, after the last automatic certificate update (2026-03-01)");
}

TEST_CASE("entra.federation-signing-certificate: the any.sts 10-year certificate is high", "[checks][entra]") {
  // Recent and long-lived; the automatic update ran after it (so not outside_rollover).
  auto c = federated(federation(test::fixture_cert_b64("any-sts-2026"), nullptr, "2026-11-30T03:12:40.2284412Z"),
                     "partners.contoso.com");
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == "signingCertificate");
  CHECK(f.evidence["reasons"] == Json::array({"long_validity", "recent"}));
  CHECK(f.evidence["validity_days"] == 3653);
  CHECK(f.evidence["sha1"] == "829F08A7DF3050952A340F6866BFF2C16CC8B998");
  CHECK_FALSE(f.evidence.contains("current_subject"));
}

TEST_CASE("entra.federation-signing-certificate: long validity before the window is medium", "[checks][entra]") {
  // A 3-year certificate from 2025-01-10 (a CA-issued AD FS certificate looks like this).
  auto c = federated(federation(test::fixture_cert_b64("reporting-api-2025"), nullptr, "2025-01-11T00:00:00Z"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK(r.findings[0].evidence["reasons"] == Json::array({"long_validity"}));
  CHECK(r.findings[0].evidence["validity_days"] == 1095);
}

TEST_CASE("entra.federation-signing-certificate: a one-year certificate set after the last update run", "[checks][entra]") {
  auto c = federated(federation(test::fixture_cert_b64("backup-automation-2026"), nullptr, "2026-03-01T04:00:12Z"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["reasons"] == Json::array({"outside_rollover"}));
  CHECK(r.findings[0].evidence["validity_days"] == 365);
}

TEST_CASE("entra.federation-signing-certificate: silent on AD FS auto-rollover", "[checks][entra]") {
  // The fixture's legit current certificate (1 year, brought in by the update run that followed it).
  auto c = federated(federation(test::fixture_cert_b64("adfs-signing-2026"), nullptr, "2026-03-01T04:00:12.5518231Z"));
  // A rollover: next certificate with the current one's subject, one year, picked up by the update run.
  auto c2 = federated(
      federation(test::fixture_cert_b64("backup-automation-2020"), test::fixture_cert_b64("backup-automation-2026"), "2026-11-19T00:00:00Z"));
  // No next certificate at all (null), and a managed domain without federation.
  for (auto* cap : {c.get(), c2.get()}) {
    auto r = test::run_check(kId, cap->snapshot());
    CHECK(r.status == CheckStatus::passed);
    CHECK(r.findings.empty());
  }
  auto r = test::run_check(kId, test::CaptureDir::base()->snapshot());
  CHECK(r.status == CheckStatus::passed);
}

TEST_CASE("entra.federation-signing-certificate: a value that is no certificate is noted, never a crash",
          "[checks][entra]") {
  // Valid base64 but not DER, and not base64 at all.
  auto c = federated(federation("AAECAwQ=", "not base64!", "2026-03-01T04:00:12Z"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 2);
  for (const auto& f : r.findings) {
    CHECK(f.severity == Severity::medium);
    CHECK(f.evidence["decoded"] == false);
    CHECK_FALSE(f.evidence["decode_error"].get<std::string>().empty());
  }
  for (const auto& f : r.findings) {
    // Valid base64 that is no DER still has a thumbprint; text that is not base64 has none.
    if (f.evidence_key == "signingCertificate") CHECK(f.evidence.contains("sha1"));
    else CHECK((f.evidence_key == "nextSigningCertificate" && !f.evidence.contains("sha1")));
  }
  REQUIRE(r.notes.size() == 2);
  CHECK_THAT(r.notes[0], Catch::Contains("signingCertificate of fed.contoso.com is not a certificate"));
}

TEST_CASE("entra.federation-signing-certificate: not evaluated without the domains or their federation",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("domains");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("domains"));

  auto c2 = federated(federation(test::fixture_cert_b64("adfs-signing-2026"), nullptr, "2026-03-01T04:00:12Z"));
  c2->remove("domains/fed.contoso.com/federationConfiguration");
  auto r2 = test::run_check(kId, c2->snapshot());
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("federationConfiguration"));
}

TEST_CASE("entra.federation-signing-certificate finds the planted certificates of the fixture tenant",
          "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 2);
  auto fed = r.for_name("fed.contoso.com");
  REQUIRE(fed.size() == 1);  // the current AD FS certificate stays silent
  CHECK(fed[0]->evidence_key == "nextSigningCertificate");
  CHECK(fed[0]->severity == Severity::high);
  CHECK(fed[0]->evidence["sha1"] == "EC8F18D2707C6E647AAFF7FF882066B04390D216");
  CHECK(fed[0]->evidence["reasons"] == Json::array({"subject_differs", "long_validity", "recent", "outside_rollover"}));
  auto partners = r.for_name("partners.contoso.com");
  REQUIRE(partners.size() == 1);
  CHECK(partners[0]->evidence_key == "signingCertificate");
  CHECK(partners[0]->severity == Severity::high);
  CHECK(partners[0]->evidence["validity_days"] == 3653);
}
