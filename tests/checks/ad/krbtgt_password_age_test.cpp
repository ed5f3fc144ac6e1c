#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

// pwdLastSet as Windows writes it: 100 ns ticks since 1601-01-01 UTC.
std::string filetime(std::chrono::sys_days day) {
  const auto unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count();
  return std::to_string((unix_seconds + 11644473600LL) * 10000000LL);
}

model::TimePoint at(const char* rfc3339) {
  return parsers::parse_rfc3339(rfc3339).value();
}
// The scan time every age below is computed against (passed explicitly, so fixture defaults do not matter).
const char* const kNow = "2026-11-28T12:00:00Z";

// An RODC's krbtgt account: krbtgt_<number>, disabled, as Windows creates it.
std::string rodc_krbtgt(const std::string& sam, std::uint32_t rid, const std::string& pwd_last_set) {
  return "dn: CN=" + sam + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         sam + "\nsAMAccountName: " + sam + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: 514\nprimaryGroupID: 513\npwdLastSet: " + pwd_last_set +
         "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

// A small domain whose krbtgt carries `krbtgt_extra` (the default fixture's krbtgt always has pwdLastSet).
std::string domain_with_krbtgt(const std::string& krbtgt_extra) {
  using namespace std::chrono;
  return "version: 1\n\ndn: " + kDomain +
         "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\nobjectSid:: " +
         test::sid_b64(test::kTestDomainSid) + "\ninstanceType: 5\nuSNChanged: 1000\n\ndn: CN=krbtgt," +
         kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: krbtgt\nsAMAccountName: krbtgt\nobjectSid:: " +
         test::sid_b64(dsid(502)) + "\nuserAccountControl: 514\nprimaryGroupID: 513\n" + krbtgt_extra +
         "instanceType: 4\nuSNChanged: 1000\n\ndn: CN=alice," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: alice\nsAMAccountName: alice\nobjectSid:: " +
         test::sid_b64(dsid(1101)) +
         "\nuserAccountControl: 512\nprimaryGroupID: 513\npwdLastSet: " + filetime(sys_days{2026y / 10 / 1}) +
         "\ninstanceType: 4\nuSNChanged: 1000\n\n";
}
}  // namespace

TEST_CASE("ad.krbtgt-password-age flags a krbtgt key older than 180 days", "[checks][ad]") {
  // The default fixture's krbtgt: pwdLastSet 134050000000000000 = 2025-10-15T11:06:40Z.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  auto r = test::run_check("ad.krbtgt-password-age", snap, at(kNow));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "krbtgt");
  CHECK(f.severity == Severity::high);  // disabled by design: not lowered
  CHECK(f.evidence_key == "password-age");
  CHECK(f.evidence["password_last_set"] == "2025-10-15T11:06:40Z");
  CHECK(f.evidence["age_days"] == 409);
  CHECK(f.evidence["threshold_days"] == 180);
  CHECK(f.evidence["rodc"] == false);
  CHECK(f.evidence["tier0"] == true);
}

TEST_CASE("ad.krbtgt-password-age covers RODC krbtgt_ accounts", "[checks][ad]") {
  using namespace std::chrono;
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(rodc_krbtgt("krbtgt_27071", 1201, filetime(sys_days{2024y / 1 / 10})) +
                             rodc_krbtgt("krbtgt_31337", 1202, filetime(sys_days{2026y / 9 / 1}))));
  auto r = test::run_check("ad.krbtgt-password-age", snap, at(kNow));
  REQUIRE(r.findings.size() == 2);
  auto old = r.for_name("krbtgt_27071");
  REQUIRE(old.size() == 1);
  CHECK(old[0]->severity == Severity::high);
  CHECK(old[0]->evidence["rodc"] == true);
  CHECK(old[0]->evidence["password_last_set"] == "2024-01-10T00:00:00Z");
  CHECK(r.for_name("krbtgt_31337").empty());
}

TEST_CASE("ad.krbtgt-password-age: the threshold is more than 180 whole days", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  // 2025-10-15T11:06:40Z + 180 days = 2026-04-13T11:06:40Z
  CHECK(test::run_check("ad.krbtgt-password-age", snap, at("2026-04-14T11:00:00Z")).findings.empty());
  auto r = test::run_check("ad.krbtgt-password-age", snap, at("2026-04-14T11:06:40Z"));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["age_days"] == 181);
}

TEST_CASE("ad.krbtgt-password-age is clean when krbtgt was reset recently", "[checks][ad]") {
  using namespace std::chrono;
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(rodc_krbtgt("krbtgt_27071", 1201, filetime(sys_days{2025y / 12 / 1}))));
  auto r = test::run_check("ad.krbtgt-password-age", snap, at("2026-01-05T00:00:00Z"));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.krbtgt-password-age is not evaluated when krbtgt has no pwdLastSet", "[checks][ad]") {
  auto r = test::run_check("ad.krbtgt-password-age", test::snapshot_from_ldif(domain_with_krbtgt("")));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("krbtgt") && Catch::Contains("no pwdLastSet"));

  auto zero = test::run_check("ad.krbtgt-password-age",
                              test::snapshot_from_ldif(domain_with_krbtgt("pwdLastSet: 0\n")));
  CHECK(zero.status == CheckStatus::not_evaluated);
  CHECK_THAT(zero.reason, Catch::Contains("pwdLastSet 0"));

  auto bad = test::run_check("ad.krbtgt-password-age",
                             test::snapshot_from_ldif(domain_with_krbtgt("pwdLastSet: yesterday\n")));
  CHECK(bad.status == CheckStatus::not_evaluated);
  REQUIRE(bad.notes.size() == 1);
  CHECK_THAT(bad.notes[0], Catch::Contains("CN=krbtgt") && Catch::Contains("pwdLastSet"));
}

TEST_CASE("ad.krbtgt-password-age is not evaluated when the export lacks pwdLastSet", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid "
                              "userAccountControl", ""));
  auto r = test::run_check("ad.krbtgt-password-age", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("pwdLastSet"));
}

TEST_CASE("ad.krbtgt-password-age dates the lab's krbtgt key from unicodePwd's replication metadata",
          "[checks][ad]") {
  // fixtures/lab: Samba's binary replPropertyMetaData, unicodePwd's entry backdated to krbtgt's pwdLastSet.
  auto r = test::run_check("ad.krbtgt-password-age", test::lab_snapshot());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "krbtgt");
  CHECK(f.evidence["source"] == "unicodePwd replication metadata (replPropertyMetaData)");
  CHECK(f.evidence["password_last_set"] == "2019-03-01T00:00:00Z");
  CHECK_FALSE(f.evidence.contains("pwd_last_set"));  // the two agree
  CHECK(f.evidence["age_days"] == 2832);
}
