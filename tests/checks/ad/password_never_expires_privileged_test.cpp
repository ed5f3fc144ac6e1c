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

// Replaces the only occurrence of `from` in an LDIF text.
std::string replace_once(std::string ldif, const std::string& from, const std::string& to) {
  const auto pos = ldif.find(from);
  REQUIRE(pos != std::string::npos);
  REQUIRE(ldif.find(from, pos + 1) == std::string::npos);
  return ldif.replace(pos, from.size(), to);
}
}  // namespace

TEST_CASE("ad.password-never-expires-privileged flags the default Administrator", "[checks][ad]") {
  // The base domain's Administrator carries 0x10200 (NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD), as many do.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  auto r = test::run_check("ad.password-never-expires-privileged", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "Administrator");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "dont-expire-password");
  CHECK(f.evidence["userAccountControl"] == "0x00010200");
  CHECK(f.evidence["tier0"] == true);
  CHECK_THAT(f.evidence["privileged_groups"].dump(), Catch::Contains("Domain Admins"));
  CHECK(f.evidence.contains("pwdLastSet"));
}

TEST_CASE("ad.password-never-expires-privileged: nested admins count, disabled ones are low",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("svc-backup", 1501, 0x10200) + user("old-admin", 1502, 0x10202) +
                             group("Enterprise Admins", 519, {"svc-backup", "old-admin"})));
  auto r = test::run_check("ad.password-never-expires-privileged", snap);
  REQUIRE(r.findings.size() == 3);
  CHECK(r.for_name("svc-backup")[0]->severity == Severity::medium);
  CHECK(r.for_name("old-admin")[0]->severity == Severity::low);
  CHECK(r.for_name("old-admin")[0]->evidence["enabled"] == false);
}

TEST_CASE("ad.password-never-expires-privileged is clean without the flag on tier-0 users", "[checks][ad]") {
  // Administrator without the flag; an ordinary user and a privileged computer with it are not reported.
  auto ldif =
      replace_once(test::base_domain_ldif(), "userAccountControl: 66048\n", "userAccountControl: 512\n") +
      user("alice", 1503, 0x10200) + user("t0", 1504, 0x200) + computer("SRV-MGMT", 1505, 0x11000) +
      group("Enterprise Admins", 519, {"t0", "SRV-MGMT"});
  auto snap = test::snapshot_from_ldif(ldif);
  auto r = test::run_check("ad.password-never-expires-privileged", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.password-never-expires-privileged is not evaluated without userAccountControl",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_requesting(
      "cn sAMAccountName objectSid objectClass member",
      "dn: CN=alice," + kUsers + "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n\n"));
  auto r = test::run_check("ad.password-never-expires-privileged", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
