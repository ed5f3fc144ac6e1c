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

TEST_CASE("ad.asrep-roastable flags an account that does not require pre-authentication", "[checks][ad]") {
  // 0x400200 = NORMAL_ACCOUNT | DONT_REQ_PREAUTH
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("unix-bind", 1401, 0x400200)));
  auto r = test::run_check("ad.asrep-roastable", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "unix-bind");
  CHECK(f.resource.type == "user");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "dont-req-preauth");
  CHECK(f.evidence["userAccountControl"] == "0x00400200");
  CHECK(f.evidence["enabled"] == true);
  CHECK(f.evidence["tier0"] == false);
}

TEST_CASE("ad.asrep-roastable: high on tier 0, one step lower when disabled", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("da-roast", 1402, 0x400200) + user("da-off", 1403, 0x400202) + user("old-roast", 1404, 0x400202) +
      computer("WS-ROAST", 1405, 0x401000) + group("Enterprise Admins", 519, {"da-roast", "da-off"})));
  auto r = test::run_check("ad.asrep-roastable", snap);
  REQUIRE(r.findings.size() == 4);
  CHECK(r.for_name("da-roast")[0]->severity == Severity::high);
  CHECK(r.for_name("da-roast")[0]->evidence["tier0"] == true);
  CHECK(r.for_name("da-off")[0]->severity == Severity::medium);
  CHECK(r.for_name("old-roast")[0]->severity == Severity::low);
  CHECK(r.for_name("old-roast")[0]->evidence["enabled"] == false);
  CHECK(r.for_name("WS-ROAST$")[0]->severity == Severity::medium);
  CHECK(r.for_name("WS-ROAST$")[0]->resource.type == "computer");
}

TEST_CASE("ad.asrep-roastable is clean on a default domain and look-alikes", "[checks][ad]") {
  // NOT_DELEGATED (0x100000) and USE_DES_KEY_ONLY (0x200000) sit next to DONT_REQ_PREAUTH.
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("alice", 1406, 0x200) + user("bob", 1407, 0x100200) +
                             user("carol", 1408, 0x10200) + computer("WS01", 1409, 0x1000)));
  auto r = test::run_check("ad.asrep-roastable", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.asrep-roastable is not evaluated without userAccountControl", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_requesting(
      "cn sAMAccountName objectSid objectClass",
      "dn: CN=alice," + kUsers + "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n\n"));
  auto r = test::run_check("ad.asrep-roastable", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
