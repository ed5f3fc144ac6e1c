#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kComputers = "CN=Computers," + kDomain;

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

// The Seamless SSO account as Entra Connect creates it: a computer with two Microsoft SPNs.
std::string sso_account(const std::string& cn, std::uint32_t rid, const std::string& pwd_line) {
  return "dn: CN=" + cn + "," + kComputers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\nobjectClass: computer\ncn: " +
         cn + "\nsAMAccountName: " + cn + "$\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: 4096\nprimaryGroupID: 515\n" + pwd_line +
         "servicePrincipalName: HTTP/autologon.microsoftazuread-sso.com\nservicePrincipalName: "
         "HTTP/aadg.windows.net.nsatc.net\ndescription: Used for Seamless SSO\ninstanceType: 4\nuSNChanged: "
         "2000\n\n";
}

model::TimePoint at(const char* rfc3339) {
  return parsers::parse_rfc3339(rfc3339).value();
}
// The scan time every age below is computed against (passed explicitly, so fixture defaults do not matter).
const char* const kNow = "2026-11-28T12:00:00Z";
}  // namespace

TEST_CASE("ad.azureadssoacc-password-age flags a Seamless SSO key older than 30 days", "[checks][ad]") {
  // 133300512000000000 = 2023-06-01T00:00:00Z
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(sso_account("AZUREADSSOACC", 1300, "pwdLastSet: 133300512000000000\n")));
  auto r = test::run_check("ad.azureadssoacc-password-age", snap, at(kNow));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "AZUREADSSOACC$");
  CHECK(f.resource.type == "computer");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == "password-age");
  CHECK(f.evidence["password_last_set"] == "2023-06-01T00:00:00Z");
  CHECK(f.evidence["age_days"] == 1276);
  CHECK(f.evidence["threshold_days"] == 30);
  CHECK(f.evidence["servicePrincipalNames"][0] == "HTTP/autologon.microsoftazuread-sso.com");
  CHECK(f.evidence["enabled"] == true);
}

TEST_CASE("ad.azureadssoacc-password-age: 30 days is fine, 31 is not", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(sso_account("AZUREADSSOACC", 1300, "pwdLastSet: 133300512000000000\n")));
  CHECK(test::run_check("ad.azureadssoacc-password-age", snap, at("2023-07-01T12:00:00Z")).findings.empty());
  auto r = test::run_check("ad.azureadssoacc-password-age", snap, at("2023-07-02T00:00:00Z"));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["age_days"] == 31);
}

TEST_CASE("ad.azureadssoacc-password-age is clean without the account, with a fresh key, and on look-alikes",
          "[checks][ad]") {
  auto none =
      test::run_check("ad.azureadssoacc-password-age", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(none.status == CheckStatus::passed);
  CHECK(none.findings.empty());

  // 134387424000000000 = 2026-11-10T00:00:00Z (18 days before --now); a look-alike name is not the SSO
  // account.
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(sso_account("AZUREADSSOACC", 1300, "pwdLastSet: 134387424000000000\n") +
                             sso_account("AZUREADSSOACC-OLD", 1301, "pwdLastSet: 133300512000000000\n")));
  auto r = test::run_check("ad.azureadssoacc-password-age", snap, at(kNow));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.azureadssoacc-password-age is not evaluated when the key age is unknown", "[checks][ad]") {
  auto absent = test::run_check(
      "ad.azureadssoacc-password-age",
      test::snapshot_from_ldif(test::base_domain_ldif(sso_account("AZUREADSSOACC", 1300, ""))));
  CHECK(absent.status == CheckStatus::not_evaluated);
  CHECK_THAT(absent.reason, Catch::Contains("AZUREADSSOACC") && Catch::Contains("no pwdLastSet"));

  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid "
                              "userAccountControl", ""));
  auto r = test::run_check("ad.azureadssoacc-password-age", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("pwdLastSet"));
}
