#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kSp = "c6000000-0000-4000-8000-000000000006";
GJ vendor_sp(const std::string& start) {
  GJ sp = test::service_principal(kSp, "b6000000-0000-4000-8000-000000000006", "MailGuard Archiver",
                                  test::kVendorTenantId);
  sp["passwordCredentials"] = {
      test::password_credential("f6000000-0000-4000-8000-000000000006", start, "2027-05-21T05:11:38Z")};
  return sp;
}
}  // namespace

TEST_CASE("entra.third-party-sp-credentials: a vendor SP with a local secret", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("servicePrincipals", vendor_sp("2025-01-01T00:00:00Z"));
  auto r = test::run_check("entra.third-party-sp-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["owner_tenant"] == test::kVendorTenantId);
  CHECK(r.findings[0].evidence["verified_publisher"] == "");

  // Holding full_access_as_app (the Mimecast exposure) makes it critical.
  test::grant_app_role(*c, kSp, "MailGuard Archiver", test::kExchangeSpId, "dc890d15-9560-4a4c-9b7f-a736ec74ec40");
  auto r2 = test::run_check("entra.third-party-sp-credentials", c->snapshot());
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].severity == Severity::critical);
  CHECK(r2.findings[0].evidence["privileged_permissions"][0] == "full_access_as_app (Office 365 Exchange Online)");
}

TEST_CASE("entra.third-party-sp-credentials: silent on vendor SPs without credentials and on own apps",
          "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("servicePrincipals", test::service_principal(kSp, "b6000000-0000-4000-8000-000000000006", "Zoom",
                                                         test::kVendorTenantId));
  GJ own = test::service_principal("c7000000-0000-4000-8000-000000000007", "b7000000-0000-4000-8000-000000000007",
                                   "Own App");
  own["passwordCredentials"] = {test::password_credential("f7000000-0000-4000-8000-000000000007",
                                                          "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z")};
  c->append("servicePrincipals", own);
  auto r = test::run_check("entra.third-party-sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::passed);
}

TEST_CASE("entra.third-party-sp-credentials: not evaluated when the tenant id is unknown", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("organization");
  c->append("servicePrincipals", vendor_sp("2025-01-01T00:00:00Z"));
  auto r = test::run_check("entra.third-party-sp-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("tenant's own id is unknown"));
}

TEST_CASE("entra.third-party-sp-credentials on the fixture tenant: MailGuard Archiver", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.third-party-sp-credentials", test::tenant_snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "MailGuard Archiver");
  CHECK(r.findings[0].severity == Severity::critical);
}
