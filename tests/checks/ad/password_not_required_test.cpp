#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::kUsers;
using test::sid_of;
using test::account;
using test::user;
using test::computer;
using test::group;
using test::export_requesting;

}  // namespace

TEST_CASE("ad.password-not-required flags an account exempt from the password policy", "[checks][ad]") {
  // 0x220 = NORMAL_ACCOUNT | PASSWD_NOTREQD
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("kiosk", 1601, 0x220)));
  auto r = test::run_check("ad.password-not-required", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "kiosk");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "passwd-notreqd");
  CHECK(f.evidence["userAccountControl"] == "0x00000220");
  CHECK(f.evidence["enabled"] == true);
}

TEST_CASE("ad.password-not-required: tier 0 high, disabled one lower, Guest low", "[checks][ad]") {
  // Guest as Windows creates it: 0x10222 = DONT_EXPIRE_PASSWORD | NORMAL_ACCOUNT | PASSWD_NOTREQD |
  // ACCOUNTDISABLE. A pre-created computer (0x1020) carries PASSWD_NOTREQD too.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("Guest", 501, 0x10222) + user("t0-blank", 1602, 0x220) + user("t0-off", 1603, 0x222) +
      computer("PRECREATED", 1604, 0x1020) + group("Enterprise Admins", 519, {"t0-blank", "t0-off"})));
  auto r = test::run_check("ad.password-not-required", snap);
  REQUIRE(r.findings.size() == 4);
  CHECK(r.for_name("Guest")[0]->severity == Severity::low);
  CHECK(r.for_name("t0-blank")[0]->severity == Severity::high);
  CHECK(r.for_name("t0-blank")[0]->evidence["tier0"] == true);
  CHECK(r.for_name("t0-off")[0]->severity == Severity::medium);
  CHECK(r.for_name("PRECREATED$")[0]->severity == Severity::medium);
  CHECK(r.for_name("PRECREATED$")[0]->evidence["userAccountControl"] == "0x00001020");
}

TEST_CASE("ad.password-not-required is clean on a default domain and look-alikes", "[checks][ad]") {
  // 0x10 (LOCKOUT) and 0x40 (PASSWD_CANT_CHANGE) neighbour PASSWD_NOTREQD.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("alice", 1605, 0x200) + user("bob", 1606, 0x250) + computer("WS01", 1607, 0x1000)));
  auto r = test::run_check("ad.password-not-required", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.password-not-required is not evaluated without userAccountControl", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_requesting(
      "cn sAMAccountName objectSid objectClass",
      "dn: CN=alice," + kUsers + "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n\n"));
  auto r = test::run_check("ad.password-not-required", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
