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

constexpr const char* kId = "entra.audit-federation-events";

GJ user(const std::string& upn, const std::string& ip) {
  return {{"app", nullptr},
          {"user", {{"id", "cb5e2909-b16c-40e1-b857-7a007f88d19b"}, {"displayName", nullptr},
                    {"userPrincipalName", upn}, {"ipAddress", ip}}}};
}
GJ prop(const std::string& name, const GJ& old_value, const GJ& new_value) {
  return {{"displayName", name},
          {"oldValue", old_value.is_null() ? GJ(nullptr) : GJ(old_value.dump())},
          {"newValue", new_value.is_null() ? GJ(nullptr) : GJ(new_value.dump())}};
}
// Domain events name the domain as an "Other" target without id (as the fixture writes them).
GJ domain_event(const std::string& id, const std::string& activity, const std::string& time, const std::string& domain,
                const GJ& props, const std::string& result = "success") {
  return {{"id", id}, {"category", "DirectoryManagement"}, {"correlationId", "corr-" + id}, {"result", result},
          {"resultReason", ""}, {"activityDisplayName", activity}, {"activityDateTime", time},
          {"loggedByService", "Core Directory"}, {"operationType", "Update"},
          {"initiatedBy", user("svc-sync2@contoso.com", "203.0.113.45")},
          {"targetResources", {{{"id", nullptr}, {"displayName", domain}, {"type", "Other"},
                                {"userPrincipalName", nullptr}, {"groupType", nullptr}, {"modifiedProperties", list(props)}}}},
          {"additionalDetails", GJ::array()}};
}

const model::Finding& by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return f;
  FAIL("no finding with key " << key);
  return r.findings.front();
}

}  // namespace

TEST_CASE("entra.audit-federation-events: a domain switched to Federated and its settings set", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("domains", {{"id", "partners.contoso.com"}, {"authenticationType", "Federated"}, {"isVerified", true},
                        {"isDefault", false}, {"isInitial", false}, {"isRoot", true}, {"supportedServices", {"Email"}}});
  c->put("domains/partners.contoso.com/federationConfiguration", {{"value", GJ::array()}});
  c->append("auditLogs/directoryAudits",
            domain_event("Auth", "Set domain authentication", "2026-11-19T09:31:40.4458201Z", "partners.contoso.com",
                         {prop("LiveType", {"Managed"}, {"Federated"}),
                          prop("Included Updated Properties", nullptr, "LiveType")}));
  c->append("auditLogs/directoryAudits",
            domain_event("Fed", "Set federation settings on domain", "2026-11-19T09:31:41Z", "partners.contoso.com",
                         {prop("IssuerUri", nullptr, {"http://any.sts/B231A11F"}),
                          prop("SigningCertificateThumbprint", nullptr, {"829F08A7DF3050952A340F6866BFF2C16CC8B998"}),
                          prop("Included Updated Properties", nullptr, "IssuerUri, SigningCertificateThumbprint")}));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);

  const auto& a = by_key(r, "audit:Auth");
  CHECK(a.severity == Severity::critical);
  CHECK(a.resource.type == "domain");
  CHECK(a.resource.id == "partners.contoso.com");
  CHECK(a.evidence["domain"] == "partners.contoso.com");
  CHECK(a.evidence["live_type"]["old"] == "Managed");
  CHECK(a.evidence["live_type"]["new"] == "Federated");
  CHECK(a.evidence["actor"] == "svc-sync2@contoso.com (203.0.113.45)");
  CHECK(a.evidence["time"] == "2026-11-19T09:31:40Z");
  CHECK(a.evidence["current_authentication_type"] == "Federated");
  CHECK(a.evidence["modified_properties"].size() == 1);  // "Included Updated Properties" left out
  CHECK(a.message ==
        "authentication switched from Managed to Federated by svc-sync2@contoso.com "
        "(203.0.113.45) at 2026-11-19T09:31:40Z");

  const auto& f = by_key(r, "audit:Fed");
  CHECK(f.severity == Severity::critical);
  REQUIRE(f.evidence["modified_properties"].size() == 2);
  CHECK(f.evidence["modified_properties"][0]["name"] == "IssuerUri");
  CHECK(f.evidence["modified_properties"][0]["old"].is_null());
  CHECK(f.evidence["modified_properties"][0]["new"] == Json::array({"http://any.sts/B231A11F"}));
  CHECK_THAT(f.message, Catch::Contains("federation settings changed (IssuerUri, SigningCertificateThumbprint)"));
}

TEST_CASE("entra.audit-federation-events: domains added or verified are medium, so is de-federation",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("auditLogs/directoryAudits", domain_event("Unv", "Add unverified domain", "2026-11-19T09:14:02Z",
                                                      "Contoso-Support.net", {prop("Name", nullptr, {"contoso-support.net"})}));
  c->append("auditLogs/directoryAudits",
            domain_event("Ver", "Verify domain", "2026-11-20T00:00:00Z", "contoso-support.net", GJ::array()));
  c->append("auditLogs/directoryAudits",
            domain_event("AddV", "Add verified domain", "2026-11-20T00:00:01Z", "brand.example", GJ::array()));
  c->append("auditLogs/directoryAudits",
            domain_event("Managed", "Set domain authentication", "2026-11-21T00:00:00Z", "fed.contoso.com",
                         {prop("LiveType", {"Federated"}, {"Managed"})}));
  c->append("auditLogs/directoryAudits",
            domain_event("Failed", "Set federation settings on domain", "2026-11-22T00:00:00Z", "fed.contoso.com",
                         {prop("IssuerUri", nullptr, {"http://evil.example/"})}, "failure"));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 5);
  const auto& unv = by_key(r, "audit:Unv");
  CHECK(unv.severity == Severity::medium);
  CHECK(unv.resource.id == "contoso-support.net");  // lower-cased
  CHECK(unv.evidence["current_authentication_type"].is_null());  // not in /domains (any more)
  CHECK_THAT(unv.message, Catch::StartsWith("unverified domain added by svc-sync2@contoso.com"));
  CHECK(by_key(r, "audit:Ver").severity == Severity::medium);
  CHECK(by_key(r, "audit:AddV").severity == Severity::medium);
  const auto& managed = by_key(r, "audit:Managed");
  CHECK(managed.severity == Severity::medium);
  CHECK_THAT(managed.message, Catch::Contains("set back to Managed (was Federated)"));
  const auto& failed = by_key(r, "audit:Failed");
  CHECK(failed.severity == Severity::high);
  CHECK(failed.evidence["result"] == "failure");
  CHECK_THAT(failed.message, Catch::EndsWith("(failed)"));
}

TEST_CASE("entra.audit-federation-events: long values are shortened", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  const std::string cert(5000, 'M');  // a certificate pasted into a modified property
  c->append("auditLogs/directoryAudits",
            domain_event("Long", "Set federation settings on domain", "2026-11-19T10:05:27Z", "fed.contoso.com",
                         {prop("SigningCertificate", nullptr, {cert})}));
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto v = r.findings[0].evidence["modified_properties"][0]["new"].get<std::string>();
  CHECK(v.size() <= 203);
  CHECK_THAT(v, Catch::EndsWith("..."));
}

TEST_CASE("entra.audit-federation-events: silent on old records and other activities", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("auditLogs/directoryAudits",
            domain_event("Old", "Set domain authentication", "2026-10-31T23:59:59Z", "partners.contoso.com",
                         {prop("LiveType", {"Managed"}, {"Federated"})}));
  c->append("auditLogs/directoryAudits",
            domain_event("Upd", "Update domain", "2026-11-20T00:00:00Z", "contoso.com", GJ::array()));
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("entra.audit-federation-events: not evaluated without the audit log", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("auditLogs/directoryAudits");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("directoryAudits"));
  // Without the domains the records are still judged; only their current state is left out.
  auto c2 = test::CaptureDir::base();
  c2->remove("domains");
  c2->append("auditLogs/directoryAudits",
             domain_event("Unv", "Add unverified domain", "2026-11-19T09:14:02Z", "contoso-support.net", GJ::array()));
  auto r2 = test::run_check(kId, c2->snapshot());
  REQUIRE(r2.findings.size() == 1);
  CHECK_FALSE(r2.findings[0].evidence.contains("current_authentication_type"));
  REQUIRE(r2.notes.size() == 1);
  CHECK_THAT(r2.notes[0], Catch::Contains("domains"));
}

TEST_CASE("entra.audit-federation-events finds the federation records of the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.findings.size() == 4);
  auto partners = r.for_name("partners.contoso.com");
  REQUIRE(partners.size() == 2);
  for (const auto* f : partners) CHECK(f->severity == Severity::critical);
  auto fed = r.for_name("fed.contoso.com");
  REQUIRE(fed.size() == 1);
  CHECK(fed[0]->severity == Severity::critical);
  CHECK(fed[0]->evidence["modified_properties"][0]["name"] == "NextSigningCertificateThumbprint");
  CHECK(fed[0]->evidence["modified_properties"][0]["new"] == Json::array({"EC8F18D2707C6E647AAFF7FF882066B04390D216"}));
  auto support = r.for_name("contoso-support.net");
  REQUIRE(support.size() == 1);
  CHECK(support[0]->severity == Severity::medium);
  CHECK(support[0]->evidence["current_verified"] == false);
}
