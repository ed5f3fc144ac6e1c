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

TEST_CASE("ad.weak-kerberos-encryption flags DES-only and RC4-only service accounts", "[checks][ad]") {
  // 0x200200 = NORMAL_ACCOUNT | USE_DES_KEY_ONLY; msDS-SupportedEncryptionTypes 4 = RC4 only.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("des-user", 1801, 0x200200) +
      user("svc-rc4", 1802, 0x200,
           "servicePrincipalName: HTTP/app.corp.example.test\nmsDS-SupportedEncryptionTypes: 4\n")));
  auto r = test::run_check("ad.weak-kerberos-encryption", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  const auto* des = r.for_name("des-user")[0];
  CHECK(des->evidence_key == "des-only");
  CHECK(des->severity == Severity::medium);
  CHECK(des->evidence["userAccountControl"] == "0x00200200");
  const auto* rc4 = r.for_name("svc-rc4")[0];
  CHECK(rc4->evidence_key == "no-aes");
  CHECK(rc4->severity == Severity::medium);
  CHECK(rc4->evidence["msDS-SupportedEncryptionTypes"] == "0x4");
  CHECK(rc4->evidence["encryption_types"] == nlohmann::ordered_json::array({"RC4-HMAC"}));
  CHECK(rc4->evidence["scope"] == nlohmann::ordered_json::array({"spn"}));
  CHECK(rc4->evidence["servicePrincipalNames"][0] == "HTTP/app.corp.example.test");
}

TEST_CASE("ad.weak-kerberos-encryption: tier 0, trust and AZUREADSSOACC$ accounts", "[checks][ad]") {
  // A tier-0 user with USE_DES_KEY_ONLY and DES-only types gets both findings at high. A trust account
  // (0x820 = INTERDOMAIN_TRUST_ACCOUNT | PASSWD_NOTREQD) and AZUREADSSOACC$ with RC4 only are medium.
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("t0-des", 1803, 0x200200, "msDS-SupportedEncryptionTypes: 3\n") +
                             group("Enterprise Admins", 519, {"t0-des"}) +
                             user("PARTNER$", 1804, 0x820, "msDS-SupportedEncryptionTypes: 4\n") +
                             computer("AZUREADSSOACC", 1805, 0x1000,
                                      "servicePrincipalName: HTTP/autologon.microsoftazuread-sso.com\n"
                                      "msDS-SupportedEncryptionTypes: 4\n")));
  auto r = test::run_check("ad.weak-kerberos-encryption", snap);
  REQUIRE(r.findings.size() == 4);
  auto t0 = r.for_name("t0-des");
  REQUIRE(t0.size() == 2);
  for (const auto* f : t0) CHECK(f->severity == Severity::high);
  const auto* no_aes = t0[0]->evidence_key == "no-aes" ? t0[0] : t0[1];
  CHECK(no_aes->evidence_key == "no-aes");
  CHECK(no_aes->evidence["scope"] == nlohmann::ordered_json::array({"tier0"}));
  CHECK(no_aes->evidence["encryption_types"] ==
        nlohmann::ordered_json::array({"DES-CBC-CRC", "DES-CBC-MD5"}));
  const auto* trust = r.for_name("PARTNER$")[0];
  CHECK(trust->severity == Severity::medium);
  CHECK(trust->evidence["scope"] == nlohmann::ordered_json::array({"trust-account"}));
  const auto* sso = r.for_name("AZUREADSSOACC$")[0];
  CHECK(sso->severity == Severity::medium);
  CHECK(sso->evidence["scope"] == nlohmann::ordered_json::array({"spn", "azureadssoacc"}));
}

TEST_CASE("ad.weak-kerberos-encryption: an unparseable value is a note", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-odd", 1806, 0x200, "servicePrincipalName: x/odd\nmsDS-SupportedEncryptionTypes: RC4\n")));
  auto r = test::run_check("ad.weak-kerberos-encryption", snap);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0],
             Catch::Contains("CN=svc-odd," + kUsers + " attribute msDS-SupportedEncryptionTypes"));
}

TEST_CASE("ad.weak-kerberos-encryption is clean on a default domain and look-alikes", "[checks][ad]") {
  // RC4 next to AES (0x1C), AES only (0x18), RC4-only on an account without SPN that is not tier 0, and
  // AES256-SK plus FAST bits on a computer: none is reported.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-mixed", 1807, 0x200, "servicePrincipalName: a/b\nmsDS-SupportedEncryptionTypes: 28\n") +
      user("svc-aes", 1808, 0x200, "servicePrincipalName: c/d\nmsDS-SupportedEncryptionTypes: 24\n") +
      user("alice", 1809, 0x200, "msDS-SupportedEncryptionTypes: 4\n") +
      computer("WS01", 1810, 0x1000,
               "servicePrincipalName: HOST/ws01\nmsDS-SupportedEncryptionTypes: 65592\n")));
  auto r = test::run_check("ad.weak-kerberos-encryption", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.weak-kerberos-encryption is not evaluated without msDS-SupportedEncryptionTypes",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_requesting("cn sAMAccountName objectSid objectClass userAccountControl servicePrincipalName",
                        "dn: CN=alice," + kUsers +
                            "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n"
                            "userAccountControl: 512\n\n"));
  auto r = test::run_check("ad.weak-kerberos-encryption", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("msDS-SupportedEncryptionTypes"));
}
