#include <catch2/catch.hpp>
#include <map>

#include "tests/support/fixtures.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;

std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    const std::string& classes, std::uint32_t pgid, const std::string& extra,
                    const std::string& parent = kUsers) {
  std::string s = "dn: CN=" + cn + "," + parent + "\n";
  for (const char* c : {"top", "person", "organizationalPerson", "user"})
    s += "objectClass: " + std::string(c) + "\n";
  if (!classes.empty()) s += "objectClass: " + classes + "\n";
  s += "cn: " + cn + "\nsAMAccountName: " + sam +
       "\nobjectSid:: " + test::sid_b64(std::string(test::kTestDomainSid) + "-" + std::to_string(rid)) +
       "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) +
       "\ninstanceType: 4\nuSNChanged: 2000\nwhenCreated: 20240105093000.0Z\n" + extra;
  return s + "\n";
}
std::string user(const std::string& name, std::uint32_t uac, std::uint32_t rid,
                 const std::string& extra = "") {
  return account(name, name, rid, uac, "", 513, extra);
}
std::string computer(const std::string& name, std::uint32_t uac, std::uint32_t rid,
                     const std::string& extra = "") {
  return account(name, name + "$", rid, uac, "computer", 515, extra);
}
// A second DC without dNSHostName: only its NetBIOS name identifies it.
std::string dc2() {
  return account("DC2", "DC2$", 1001, 0x82000, "computer", 516, "servicePrincipalName: ldap/DC2\n",
                 "OU=Domain Controllers," + kDomain);
}
}  // namespace

TEST_CASE("ad.constrained-delegation flags each delegation target of a service account", "[checks][ad]") {
  // 0x200 = NORMAL_ACCOUNT; targets as Windows stores them (case preserved).
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-web", 0x200, 1201,
           "servicePrincipalName: HTTP/web01.corp.example.test\nservicePrincipalName: HTTP/web01\n"
           "msDS-AllowedToDelegateTo: MSSQLSvc/sql01.corp.example.test:1433\n"
           "msDS-AllowedToDelegateTo: MSSQLSvc/SQL01\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  auto found = r.for_name("svc-web");
  REQUIRE(found.size() == 2);
  const model::Finding* sql = nullptr;
  for (const auto* f : found)
    if (f->evidence_key == "mssqlsvc/sql01.corp.example.test:1433") sql = f;
  REQUIRE(sql != nullptr);
  CHECK(sql->resource.type == "user");
  CHECK(sql->severity == Severity::medium);
  CHECK(sql->evidence["target"] == "MSSQLSvc/sql01.corp.example.test:1433");
  CHECK(sql->evidence["protocol_transition"] == false);
  CHECK(sql->evidence["target_is_dc"] == false);
  CHECK(sql->evidence["target_is_krbtgt"] == false);
  CHECK(sql->evidence["servicePrincipalNames"].size() == 2);
  CHECK(sql->evidence["servicePrincipalNames"][0] == "HTTP/web01.corp.example.test");
  CHECK(sql->evidence["userAccountControl"] == "0x00000200");
  CHECK(sql->evidence["enabled"] == true);
  CHECK(sql->evidence["tier0"] == false);
  CHECK_FALSE(sql->message.empty());
  CHECK(sql->finding_id.size() == 32);
}

TEST_CASE("ad.constrained-delegation: protocol transition is critical", "[checks][ad]") {
  // 0x1000200 = NORMAL_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-portal", 0x1000200, 1202, "msDS-AllowedToDelegateTo: http/app01.corp.example.test\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["protocol_transition"] == true);
  CHECK(r.findings[0].evidence["target_is_dc"] == false);
}

TEST_CASE("ad.constrained-delegation: a DC target is critical in every host spelling", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      dc2() + computer("APP01", 0x1000, 1203,
                       "msDS-AllowedToDelegateTo: ldap/dc1.corp.example.test/corp.example.test\n"
                       "msDS-AllowedToDelegateTo: cifs/DC1\n"
                       "msDS-AllowedToDelegateTo: HOST/dc2.corp.example.test\n"
                       "msDS-AllowedToDelegateTo: ldap/DC2.\n"
                       "msDS-AllowedToDelegateTo: cifs/fs-dc1.corp.example.test\n"
                       "msDS-AllowedToDelegateTo: cifs/dc1.corp.example.test.evil.test\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  REQUIRE(r.findings.size() == 6);
  std::map<std::string, const model::Finding*> by_key;
  for (const auto& f : r.findings) by_key[f.evidence_key] = &f;
  for (const char* k : {"ldap/dc1.corp.example.test/corp.example.test", "cifs/dc1"}) {
    INFO(k);
    REQUIRE(by_key.count(k) == 1);
    CHECK(by_key[k]->severity == Severity::critical);
    CHECK(by_key[k]->evidence["target_is_dc"] == true);
    CHECK(by_key[k]->evidence["target_dc"] == "DC1$");
  }
  for (const char* k : {"host/dc2.corp.example.test", "ldap/dc2."}) {
    INFO(k);
    REQUIRE(by_key.count(k) == 1);
    CHECK(by_key[k]->severity == Severity::critical);
    CHECK(by_key[k]->evidence["target_dc"] == "DC2$");
  }
  // Look-alikes of a DC name are ordinary targets.
  for (const char* k : {"cifs/fs-dc1.corp.example.test", "cifs/dc1.corp.example.test.evil.test"}) {
    INFO(k);
    REQUIRE(by_key.count(k) == 1);
    CHECK(by_key[k]->severity == Severity::medium);
    CHECK(by_key[k]->evidence["target_is_dc"] == false);
  }
}

TEST_CASE("ad.constrained-delegation: a krbtgt target is critical", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-sync", 0x200, 1204, "msDS-AllowedToDelegateTo: krbtgt/CORP.EXAMPLE.TEST\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence_key == "krbtgt/corp.example.test");
  CHECK(r.findings[0].evidence["target_is_krbtgt"] == true);
}

TEST_CASE("ad.constrained-delegation: targets differing only in case are one finding", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("svc-web2", 0x200, 1205,
                                  "msDS-AllowedToDelegateTo: http/intranet.corp.example.test\n"
                                  "msDS-AllowedToDelegateTo: HTTP/intranet.corp.example.test\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence_key == "http/intranet.corp.example.test");
  CHECK(r.notes.empty());
}

TEST_CASE("ad.constrained-delegation is clean on a default domain and look-alikes", "[checks][ad]") {
  // Protocol transition without any target list, and SPNs alone, are not delegation to anything.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("svc-app", 0x1000200, 1206, "servicePrincipalName: http/app02.corp.example.test\n") +
      computer("WS01", 0x1000, 1207, "servicePrincipalName: HOST/ws01.corp.example.test\n")));
  auto r = test::run_check("ad.constrained-delegation", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.constrained-delegation is not evaluated without msDS-AllowedToDelegateTo", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::requesting_header(
          "cn sAMAccountName objectSid objectClass userAccountControl servicePrincipalName") +
      test::base_domain_ldif() + "# search result\nsearch: 2\nresult: 0 Success\n\n");
  auto r = test::run_check("ad.constrained-delegation", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("msDS-AllowedToDelegateTo"));
}
