#include <catch2/catch.hpp>
#include <map>

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

namespace {
const std::string kIssuer = "DC=test,DC=example,DC=corp,CN=corp-CA01-CA";
}  // namespace

TEST_CASE("ad.alt-security-identities flags each explicit mapping of an account", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("jdoe", 1901, 0x200,
                                  "altSecurityIdentities: X509:<I>" + kIssuer +
                                      "<S>DC=test,DC=example,DC=corp,CN=Users,CN=jdoe\n"
                                      "altSecurityIdentities: X509:<I>" +
                                      kIssuer + "<SR>1200000000AC11000000002B\n")));
  auto r = test::run_check("ad.alt-security-identities", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  const model::Finding* weak = nullptr;
  const model::Finding* strong = nullptr;
  for (const auto& f : r.findings) (f.evidence["strong_mapping"] == true ? strong : weak) = &f;
  REQUIRE(weak != nullptr);
  REQUIRE(strong != nullptr);
  CHECK(weak->resource.name == "jdoe");
  CHECK(weak->severity == Severity::medium);
  CHECK(weak->evidence["mapping"] == "X509:<I>" + kIssuer + "<S>DC=test,DC=example,DC=corp,CN=Users,CN=jdoe");
  CHECK(weak->evidence["mapping_type"] == "x509-issuer-subject");
  CHECK(weak->evidence_key ==
        "x509:<i>dc=test,dc=example,dc=corp,cn=corp-ca01-ca<s>dc=test,dc=example,dc=corp,"
        "cn=users,cn=jdoe");
  CHECK(strong->evidence["mapping_type"] == "x509-issuer-serial");
  CHECK(strong->severity == Severity::medium);
}

TEST_CASE("ad.alt-security-identities names every mapping type", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("mapped", 1902, 0x200,
           "altSecurityIdentities: X509:<SKI>8e0e6fb8c5c5f3b1a4d5e2b96c1d57a1b2c3d4e5\n"
           "altSecurityIdentities: X509:<SHA1-PUKEY>2f6c4e3c0b8e9a1d7f5e4c3b2a1908f7e6d5c4b3\n"
           "altSecurityIdentities: X509:<RFC822>mapped@corp.example.test\n"
           "altSecurityIdentities: X509:<S>DC=test,DC=example,DC=corp,CN=Users,CN=mapped\n"
           "altSecurityIdentities: Kerberos:mapped@PARTNER.EXAMPLE\n"
           "altSecurityIdentities: something-else\n")));
  auto r = test::run_check("ad.alt-security-identities", snap);
  REQUIRE(r.findings.size() == 6);
  std::map<std::string, std::pair<std::string, bool>> types;
  for (const auto& f : r.findings)
    types[f.evidence["mapping"].get<std::string>().substr(0, 9)] = {
        f.evidence["mapping_type"].get<std::string>(), f.evidence["strong_mapping"].get<bool>()};
  CHECK(types["X509:<SKI"] == std::pair<std::string, bool>{"x509-ski", true});
  CHECK(types["X509:<SHA"] == std::pair<std::string, bool>{"x509-sha1-pukey", true});
  CHECK(types["X509:<RFC"] == std::pair<std::string, bool>{"x509-rfc822", false});
  CHECK(types["X509:<S>D"] == std::pair<std::string, bool>{"x509-subject", false});
  CHECK(types["Kerberos:"] == std::pair<std::string, bool>{"kerberos", false});
  CHECK(types["something"] == std::pair<std::string, bool>{"other", false});
}

TEST_CASE("ad.alt-security-identities: critical on a tier-0 user and on krbtgt", "[checks][ad]") {
  auto ldif = test::base_domain_ldif(
      user("t0-admin", 1903, 0x200, "altSecurityIdentities: X509:<I>" + kIssuer + "<SR>11\n") +
      group("Enterprise Admins", 519, {"t0-admin"}));
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, "altSecurityIdentities: Kerberos:krbtgt@EVIL.EXAMPLE\n");
  auto r = test::run_check("ad.alt-security-identities", test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  CHECK(r.for_name("t0-admin")[0]->severity == Severity::critical);
  CHECK(r.for_name("krbtgt")[0]->severity == Severity::critical);
  CHECK(r.for_name("krbtgt")[0]->evidence["tier0"] == true);
  CHECK(r.for_name("krbtgt")[0]->evidence_key == "kerberos:krbtgt@evil.example");
}

TEST_CASE("ad.alt-security-identities: values differing only in case are one finding", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("dup", 1904, 0x200,
           "altSecurityIdentities: Kerberos:dup@PARTNER.EXAMPLE\naltSecurityIdentities: "
           "kerberos:dup@partner.example\n")));
  auto r = test::run_check("ad.alt-security-identities", snap);
  CHECK(r.findings.size() == 1);
}

TEST_CASE("ad.alt-security-identities is clean on a default domain and look-alikes", "[checks][ad]") {
  // Certificates published on the user (userCertificate) are not mappings.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("alice", 1905, 0x200, "userPrincipalName: alice@corp.example.test\nuserCertificate:: MAA=\n")));
  auto r = test::run_check("ad.alt-security-identities", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.alt-security-identities is not evaluated without altSecurityIdentities", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_requesting(
      "cn sAMAccountName objectSid objectClass userAccountControl",
      "dn: CN=alice," + kUsers + "\nobjectClass: user\ncn: alice\nsAMAccountName: alice\n\n"));
  auto r = test::run_check("ad.alt-security-identities", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("altSecurityIdentities"));
}
