#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;

namespace {
constexpr const char* kApp = "aa000000-0000-4000-8000-00000000000a";
constexpr const char* kAppId = "ba000000-0000-4000-8000-00000000000a";
constexpr const char* kSp = "ca000000-0000-4000-8000-00000000000a";

GJ fic(const std::string& id, const std::string& issuer, const std::string& subject) {
  return {{"id", id}, {"name", "cred-" + id.substr(0, 4)}, {"issuer", issuer}, {"subject", subject},
          {"audiences", {"api://AzureADTokenExchange"}}, {"description", nullptr}};
}

std::unique_ptr<test::CaptureDir> tenant_with_fics(GJ fics) {
  auto c = test::CaptureDir::base();
  c->add_application(test::application(kApp, kAppId, "Deploy Pipeline", "2023-01-01T00:00:00Z"));
  c->append("servicePrincipals", test::service_principal(kSp, kAppId, "Deploy Pipeline"));
  c->put(std::string("applications/") + kApp + "/federatedIdentityCredentials", {{"value", std::move(fics)}});
  return c;
}
}  // namespace

TEST_CASE("entra.federated-identity-credentials: a GitHub repository may sign in as the app", "[checks][entra]") {
  auto c = tenant_with_fics({fic("da000000-0000-4000-8000-000000000001", "https://token.actions.githubusercontent.com",
                                 "repo:evil-org/infra:ref:refs/heads/main")});
  auto r = test::run_check("entra.federated-identity-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["issuer_kind"] == "GitHub Actions");
  CHECK(r.findings[0].evidence["subject"] == "repo:evil-org/infra:ref:refs/heads/main");

  test::grant_app_role(*c, kSp, "Deploy Pipeline", test::kGraphSpId, "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9");
  auto r2 = test::run_check("entra.federated-identity-credentials", c->snapshot());
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].severity == Severity::critical);
}

TEST_CASE("entra.federated-identity-credentials: this tenant's own issuer is not reported, another tenant's is",
          "[checks][entra]") {
  auto c = tenant_with_fics(
      {fic("da000000-0000-4000-8000-000000000002",
           std::string("https://login.microsoftonline.com/") + test::kTenantId + "/v2.0", "8d1c2e7a-aaaa-4bbb-8ccc-000000000001"),
       fic("da000000-0000-4000-8000-000000000003",
           std::string("https://login.microsoftonline.com/") + test::kVendorTenantId + "/v2.0",
           "8d1c2e7a-aaaa-4bbb-8ccc-000000000002")});
  auto r = test::run_check("entra.federated-identity-credentials", c->snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["issuer_kind"] == "another Entra tenant");
}

TEST_CASE("entra.federated-identity-credentials: not evaluated without the per-app collection", "[checks][entra]") {
  auto c = tenant_with_fics(GJ::array());
  c->remove(std::string("applications/") + kApp + "/federatedIdentityCredentials");
  auto r = test::run_check("entra.federated-identity-credentials", c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("1 application has no applications/{id}/federatedIdentityCredentials"));
}

TEST_CASE("entra.federated-identity-credentials on the fixture tenant", "[checks][entra][fixture]") {
  auto r = test::run_check("entra.federated-identity-credentials", test::tenant_snapshot());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "Deploy Pipeline");
  CHECK(r.findings[0].severity == Severity::critical);
}
