#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using test::GJ;
using Json = adpersist::model::Json;

namespace {
constexpr const char* kId = "entra.domain-inventory";

const model::Finding* by_id(const test::CheckRun& r, const std::string& id) {
  for (const auto& f : r.findings)
    if (f.resource.id == id) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("entra.domain-inventory: one informational finding per domain", "[checks][entra]") {
  auto r = test::run_check(kId, test::CaptureDir::base()->snapshot());
  REQUIRE(r.findings.size() == 2);
  const auto* f = by_id(r, "contoso.com");
  REQUIRE(f);
  CHECK(f->severity == Severity::info);
  CHECK(f->resource.type == "domain");
  CHECK(f->evidence_key == "domain");
  CHECK(f->evidence["authentication_type"] == "Managed");
  CHECK(f->evidence["verified"] == true);
  CHECK(f->evidence["default"] == true);
  CHECK(f->evidence["initial"] == false);
  CHECK(f->evidence["root"] == true);
  CHECK(f->evidence["supported_services"] == Json::array({"Email"}));
  CHECK_FALSE(f->evidence.contains("issuer_uri"));
  CHECK(f->message == "Managed, verified, default, root; services Email");
  const auto* init = by_id(r, "contoso.onmicrosoft.com");
  REQUIRE(init);
  CHECK_THAT(init->message, Catch::Contains("initial"));
}

TEST_CASE("entra.domain-inventory: unverified domains are low, federated ones show their issuer", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("domains", {{"id", "contoso-support.net"},
                        {"authenticationType", "Managed"},
                        {"isVerified", false},
                        {"isDefault", false},
                        {"isInitial", false},
                        {"isRoot", true},
                        {"supportedServices", GJ::array()}});
  c->append("domains", {{"id", "fed.contoso.com"},
                        {"authenticationType", "Federated"},
                        {"isVerified", true},
                        {"isDefault", false},
                        {"isInitial", false},
                        {"isRoot", true},
                        {"supportedServices", {"Email"}}});
  c->put("domains/fed.contoso.com/federationConfiguration",
         {{"value", {{{"id", "1156298b-e3fb-4025-a81f-f822e15489eb"},
                      {"issuerUri", "http://adfs.contoso.com/adfs/services/trust"},
                      {"federatedIdpMfaBehavior", "rejectMfaByFederatedIdp"}}}}});
  auto r = test::run_check(kId, c->snapshot());
  REQUIRE(r.findings.size() == 4);
  for (const auto& f : r.findings) CHECK(f.severity <= Severity::low);  // never above low
  const auto* un = by_id(r, "contoso-support.net");
  REQUIRE(un);
  CHECK(un->severity == Severity::low);
  CHECK(un->evidence["verified"] == false);
  CHECK_THAT(un->message, Catch::Contains("not verified"));
  const auto* fed = by_id(r, "fed.contoso.com");
  REQUIRE(fed);
  CHECK(fed->severity == Severity::info);
  CHECK(fed->evidence["issuer_uri"] == "http://adfs.contoso.com/adfs/services/trust");
  CHECK_THAT(fed->message, Catch::Contains("Federated (issuer http://adfs.contoso.com/adfs/services/trust)"));
}

TEST_CASE("entra.domain-inventory: runs without the federation configuration, with a note", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->append("domains", {{"id", "fed.contoso.com"}, {"authenticationType", "Federated"}, {"isVerified", true}});
  auto r = test::run_check(kId, c->snapshot());  // federationConfiguration missing: the dataset is partial
  REQUIRE(r.findings.size() == 3);
  const auto* fed = by_id(r, "fed.contoso.com");
  REQUIRE(fed);
  CHECK(fed->evidence["issuer_uri"].is_null());
  CHECK(fed->evidence["default"].is_null());  // not returned: unknown, not false
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("federationConfiguration"));
}

TEST_CASE("entra.domain-inventory: not evaluated without the domains", "[checks][entra]") {
  auto c = test::CaptureDir::base();
  c->remove("domains");
  auto r = test::run_check(kId, c->snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("domains.json"));
  auto c2 = test::CaptureDir::base();
  c2->put("domains", {{"value", {{{"id", "contoso.com"}, {"authenticationType", "Managed"}}}}});
  auto r2 = test::run_check(kId, c2->snapshot());
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("isVerified"));
}

TEST_CASE("entra.domain-inventory lists the fixture tenant's domains", "[checks][entra][fixture]") {
  auto r = test::run_check(kId, test::tenant_snapshot());
  REQUIRE(r.findings.size() == 5);
  auto support = r.for_name("contoso-support.net");
  REQUIRE(support.size() == 1);
  CHECK(support[0]->severity == Severity::low);
  for (const char* name : {"contoso.com", "contoso.onmicrosoft.com", "fed.contoso.com", "partners.contoso.com"}) {
    auto v = r.for_name(name);
    REQUIRE(v.size() == 1);
    CHECK(v[0]->severity == Severity::info);
  }
  CHECK(r.for_name("partners.contoso.com")[0]->evidence["issuer_uri"] == "http://any.sts/B231A11F");
}
