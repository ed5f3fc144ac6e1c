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
using test::group;

std::string user(const std::string& name, std::uint32_t rid, const std::string& extra = "",
                 std::uint32_t uac = 0x200) {
  return account(name, name, rid, uac, false, extra);
}
}  // namespace

TEST_CASE("ad.spn-on-privileged-user flags each SPN of a privileged service account", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("svc-sql", 1301,
                                  "servicePrincipalName: MSSQLSvc/sql01.corp.example.test:1433\n"
                                  "servicePrincipalName: MSSQLSvc/sql01.corp.example.test\n"
                                  "msDS-SupportedEncryptionTypes: 4\npwdLastSet: 133500000000000000\n") +
                             group("Enterprise Admins", 519, {"svc-sql"})));
  auto r = test::run_check("ad.spn-on-privileged-user", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);  // krbtgt's kadmin/changepw and the DC's SPNs are not reported
  auto found = r.for_name("svc-sql");
  REQUIRE(found.size() == 2);
  const model::Finding* f =
      found[0]->evidence_key == "mssqlsvc/sql01.corp.example.test:1433" ? found[0] : found[1];
  CHECK(f->evidence_key == "mssqlsvc/sql01.corp.example.test:1433");
  CHECK(f->resource.type == "user");
  CHECK(f->severity == Severity::high);
  CHECK(f->evidence["spn"] == "MSSQLSvc/sql01.corp.example.test:1433");
  CHECK(f->evidence["tier0"] == true);
  CHECK_THAT(f->evidence["privileged_groups"].dump(), Catch::Contains("Enterprise Admins"));
  CHECK(f->evidence["encryption_types"][0] == "RC4-HMAC");
  CHECK(f->evidence.contains("pwdLastSet"));
}

TEST_CASE("ad.spn-on-privileged-user: adminCount=1 alone makes a user privileged", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-old-admin", 1302, "adminCount: 1\nservicePrincipalName: HTTP/legacy.corp.example.test\n")));
  auto r = test::run_check("ad.spn-on-privileged-user", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence_key == "http/legacy.corp.example.test");
  CHECK(r.findings[0].evidence["adminCount"] == 1);
  CHECK(r.findings[0].evidence["tier0"] == false);
}

TEST_CASE("ad.spn-on-privileged-user: a disabled privileged user is still high", "[checks][ad]") {
  // 0x202 = NORMAL_ACCOUNT | ACCOUNTDISABLE: the SPN still yields a crackable ticket once re-enabled.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-bkp", 1303, "servicePrincipalName: backup/bkp01.corp.example.test\n", 0x202) +
      group("Enterprise Admins", 519, {"svc-bkp"})));
  auto r = test::run_check("ad.spn-on-privileged-user", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["enabled"] == false);
}

TEST_CASE("ad.spn-on-privileged-user is clean on a default domain and look-alikes", "[checks][ad]") {
  // An ordinary service account with an SPN, a privileged user without one, a computer in a privileged
  // group (computer passwords are random) and adminCount=0: none are reported. krbtgt has kadmin/changepw.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-web", 1304, "servicePrincipalName: HTTP/web01.corp.example.test\n") +
      user("it-admin", 1305, "adminCount: 1\n") +
      user("svc-zero", 1306, "adminCount: 0\nservicePrincipalName: x/y\n") +
      account("SRV-MGMT", "SRV-MGMT$", 1307, 0x1000, true, "servicePrincipalName: HOST/srv-mgmt\n") +
      group("Enterprise Admins", 519, {"it-admin", "SRV-MGMT"})));
  auto r = test::run_check("ad.spn-on-privileged-user", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.spn-on-privileged-user is not evaluated without servicePrincipalName", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::requesting_header(
          "cn sAMAccountName objectSid objectClass userAccountControl member adminCount") +
      "dn: " + kDomain + "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\nobjectSid:: " +
      test::sid_b64(test::kTestDomainSid) + "\ninstanceType: 5\nuSNChanged: 1000\n\n" + user("svc-x", 1308) +
      "# search result\nsearch: 2\nresult: 0 Success\n\n");
  auto r = test::run_check("ad.spn-on-privileged-user", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("servicePrincipalName"));
}
