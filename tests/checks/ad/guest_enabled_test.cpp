#include <catch2/catch.hpp>

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

// The built-in Guest as Windows creates it: 66082 = ACCOUNTDISABLE | PASSWD_NOTREQD | NORMAL | DONT_EXPIRE.
std::string guest(std::uint32_t uac, std::uint32_t pgid = 514) {
  return "dn: CN=Guest," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: Guest\nsAMAccountName: Guest\nobjectSid:: " +
         test::sid_b64(dsid(501)) + "\nuserAccountControl: " + std::to_string(uac) +
         "\nprimaryGroupID: " + std::to_string(pgid) +
         "\npwdLastSet: 0\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac) {
  return "dn: CN=" + name + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         name + "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) +
         "\nprimaryGroupID: 513\ninstanceType: 4\nuSNChanged: 2000\n\n";
}
}  // namespace

TEST_CASE("ad.guest-enabled flags the built-in Guest without ACCOUNTDISABLE", "[checks][ad]") {
  // 66080 = PASSWD_NOTREQD | NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD: enabled
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(guest(66080)));
  auto r = test::run_check("ad.guest-enabled", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "Guest");
  CHECK(f.resource.sid == dsid(501));
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "guest-enabled");
  CHECK(f.evidence["userAccountControl"] == "0x00010220");
  CHECK(f.evidence["enabled"] == true);
  CHECK(f.evidence["tier0"] == false);
}

TEST_CASE("ad.guest-enabled is high when Guest is privileged", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(guest(66080, 512)));
  auto r = test::run_check("ad.guest-enabled", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["privileged_groups"][1] == "Domain Admins (via primaryGroupID)");
}

TEST_CASE("ad.guest-enabled is clean when Guest is disabled, even with an enabled look-alike",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(guest(66082) + user("guest2", 1101, 0x200)));
  auto r = test::run_check("ad.guest-enabled", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.guest-enabled: a missing Guest account is a note, not a finding", "[checks][ad]") {
  auto r = test::run_check("ad.guest-enabled", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("Guest"));
}

TEST_CASE("ad.guest-enabled is not evaluated without userAccountControl", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid", ""));
  auto r = test::run_check("ad.guest-enabled", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
