#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";

// A domain head as Windows writes it, with `quota_line` (the default fixture always sets the quota to 0).
std::string domain(const std::string& quota_line) {
  return "version: 1\n\ndn: " + kDomain +
         "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\ndc: corp\nobjectSid:: " +
         test::sid_b64(test::kTestDomainSid) + "\n" + quota_line +
         "maxPwdAge: -37108517437440\nminPwdLength: 7\ninstanceType: 5\nuSNChanged: 1000\nwhenCreated: "
         "20190301000000.0Z\n\ndn: CN=Users," +
         kDomain +
         "\nobjectClass: top\nobjectClass: container\ncn: Users\ninstanceType: 4\nuSNChanged: 1000\n\n";
}
}  // namespace

TEST_CASE("ad.machine-account-quota flags the Windows default of 10", "[checks][ad]") {
  auto r = test::run_check("ad.machine-account-quota",
                           test::snapshot_from_ldif(domain("ms-DS-MachineAccountQuota: 10\n")));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.type == "domain");
  CHECK(f.resource.dn == kDomain);
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "machine-account-quota");
  CHECK(f.evidence["value"] == 10);
}

TEST_CASE("ad.machine-account-quota flags any positive value", "[checks][ad]") {
  auto r = test::run_check("ad.machine-account-quota",
                           test::snapshot_from_ldif(domain("ms-DS-MachineAccountQuota: 1\n")));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["value"] == 1);
}

TEST_CASE("ad.machine-account-quota is clean at 0", "[checks][ad]") {
  auto r = test::run_check("ad.machine-account-quota", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.machine-account-quota: absent on the head gives a note, no finding", "[checks][ad]") {
  auto r = test::run_check("ad.machine-account-quota", test::snapshot_from_ldif(domain("")));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("ms-DS-MachineAccountQuota is absent"));

  auto bad = test::run_check("ad.machine-account-quota",
                             test::snapshot_from_ldif(domain("ms-DS-MachineAccountQuota: ten\n")));
  CHECK(bad.findings.empty());
  REQUIRE(bad.notes.size() == 1);
  CHECK_THAT(bad.notes[0], Catch::Contains(kDomain) && Catch::Contains("ms-DS-MachineAccountQuota"));
}

TEST_CASE("ad.machine-account-quota is not evaluated when the export lacks the attribute", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn objectSid", ""));
  auto r = test::run_check("ad.machine-account-quota", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("ms-DS-MachineAccountQuota"));
}
