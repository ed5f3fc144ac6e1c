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
using test::group;
using test::export_requesting;

// Inserts attribute lines into the record of `dn` in an LDIF text.
std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}
}  // namespace

TEST_CASE("ad.reversible-encryption flags an account storing a reversible password", "[checks][ad]") {
  // 0x280 = NORMAL_ACCOUNT | ENCRYPTED_TEXT_PWD_ALLOWED
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("radius-user", 1701, 0x280)));
  auto r = test::run_check("ad.reversible-encryption", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "radius-user");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "encrypted-text-pwd-allowed");
  CHECK(f.evidence["userAccountControl"] == "0x00000280");
}

TEST_CASE("ad.reversible-encryption: high on tier 0; a disabled account keeps its severity", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("t0-rev", 1702, 0x280) +
                                                              user("old-rev", 1703, 0x282) +
                                                              group("Enterprise Admins", 519, {"t0-rev"})));
  auto r = test::run_check("ad.reversible-encryption", snap);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.for_name("t0-rev")[0]->severity == Severity::high);
  CHECK(r.for_name("old-rev")[0]->severity == Severity::medium);
  CHECK(r.for_name("old-rev")[0]->evidence["enabled"] == false);
}

TEST_CASE("ad.reversible-encryption flags the domain policy bit and a reversible PSO", "[checks][ad]") {
  // pwdProperties 17 = DOMAIN_PASSWORD_COMPLEX | DOMAIN_PASSWORD_STORE_CLEARTEXT
  const std::string pso_container = "CN=Password Settings Container,CN=System," + kDomain;
  auto ldif = test::base_domain_ldif(
      "dn: CN=RADIUS-PSO," + pso_container +
      "\nobjectClass: top\nobjectClass: msDS-PasswordSettings\n"
      "cn: RADIUS-PSO\nmsDS-PasswordSettingsPrecedence: 10\nmsDS-PasswordReversibleEncryptionEnabled: TRUE\n"
      "msDS-PSOAppliesTo: CN=RADIUS Users," +
      kUsers +
      "\ninstanceType: 4\nuSNChanged: 2000\n\n"
      "dn: CN=Strict-PSO," +
      pso_container +
      "\nobjectClass: top\nobjectClass: msDS-PasswordSettings\n"
      "cn: Strict-PSO\nmsDS-PasswordSettingsPrecedence: 5\nmsDS-PasswordReversibleEncryptionEnabled: FALSE\n"
      "instanceType: 4\nuSNChanged: 2000\n\n");
  ldif = with_attrs(ldif, kDomain, "pwdProperties: 17\n");
  auto r = test::run_check("ad.reversible-encryption", test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  const model::Finding* dom = nullptr;
  const model::Finding* pso = nullptr;
  for (const auto& f : r.findings) (f.resource.type == "domain" ? dom : pso) = &f;
  REQUIRE(dom != nullptr);
  REQUIRE(pso != nullptr);
  CHECK(dom->resource.dn == kDomain);
  CHECK(dom->severity == Severity::high);
  CHECK(dom->evidence_key == "domain-password-store-cleartext");
  CHECK(dom->evidence["pwdProperties"] == 17);
  CHECK(pso->resource.name == "RADIUS-PSO");
  CHECK(pso->severity == Severity::high);
  CHECK(pso->evidence["applies_to"][0] == "CN=RADIUS Users," + kUsers);
}

TEST_CASE("ad.reversible-encryption: an unparseable pwdProperties is a note", "[checks][ad]") {
  auto ldif = with_attrs(test::base_domain_ldif(), kDomain, "pwdProperties: sixteen\n");
  auto r = test::run_check("ad.reversible-encryption", test::snapshot_from_ldif(ldif));
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains(kDomain + " attribute pwdProperties"));
}

TEST_CASE("ad.reversible-encryption is clean on a default domain and look-alikes", "[checks][ad]") {
  // pwdProperties 1 (complexity only); 0x100 (TEMP_DUPLICATE_ACCOUNT) and 0x40 neighbour 0x80.
  auto ldif = with_attrs(test::base_domain_ldif(user("alice", 1704, 0x200) + user("bob", 1705, 0x240)),
                         kDomain, "pwdProperties: 1\n");
  auto r = test::run_check("ad.reversible-encryption", test::snapshot_from_ldif(ldif));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.reversible-encryption is not evaluated without userAccountControl", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_requesting(
      "cn sAMAccountName objectSid objectClass pwdProperties",
      "dn: CN=alice," + kUsers + "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n\n"));
  auto r = test::run_check("ad.reversible-encryption", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("userAccountControl"));
}
