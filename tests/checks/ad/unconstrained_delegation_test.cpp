#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kUsers = "CN=Users,DC=corp,DC=example,DC=test";

std::string computer(const std::string& name, std::uint32_t uac, std::uint32_t rid, const std::string& extra = "") {
  return "dn: CN=" + name + "," + kUsers + "\nobjectClass: top\nobjectClass: person\nobjectClass: user\n"
         "objectClass: computer\ncn: " + name + "\nsAMAccountName: " + name + "$\nobjectSid:: " +
         test::sid_b64(std::string(test::kTestDomainSid) + "-" + std::to_string(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: 515\ninstanceType: 4\nuSNChanged: 1\n" +
         extra + "\n";
}
}  // namespace

TEST_CASE("ad.unconstrained-delegation flags a member server trusted for delegation", "[checks][ad]") {
  // 0x81000 = WORKSTATION_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      computer("SRV-LEGACY", 0x81000, 1105, "servicePrincipalName: HOST/srv-legacy.corp.example.test\n")));
  auto r = test::run_check("ad.unconstrained-delegation", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);  // the DC (also 0x80000) is not flagged
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "SRV-LEGACY$");
  CHECK(f.resource.type == "computer");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence["userAccountControl"] == "0x00081000");
  CHECK(f.evidence["servicePrincipalNames"][0] == "HOST/srv-legacy.corp.example.test");
  CHECK(f.finding_id.size() == 32);
}

TEST_CASE("ad.unconstrained-delegation: disabled accounts are one step lower", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(computer("OLD", 0x81002, 1106)));
  auto r = test::run_check("ad.unconstrained-delegation", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK(r.findings[0].evidence["enabled"] == false);
}

TEST_CASE("ad.unconstrained-delegation is clean on a default domain (DCs carry the flag by design)", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(computer("WS1", 0x1000, 1107)));
  auto r = test::run_check("ad.unconstrained-delegation", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.unconstrained-delegation is not evaluated without userAccountControl", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::export_requesting("cn sAMAccountName objectSid objectClass", ""));
  auto r = test::run_check("ad.unconstrained-delegation", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
