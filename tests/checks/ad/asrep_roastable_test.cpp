#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;

std::string sid_of(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    bool is_computer, const std::string& extra) {
  std::string s = "dn: CN=" + cn + "," + kUsers + "\n";
  for (const char* c : {"top", "person", "organizationalPerson", "user"})
    s += "objectClass: " + std::string(c) + "\n";
  if (is_computer) s += "objectClass: computer\n";
  s += "cn: " + cn + "\nsAMAccountName: " + sam + "\nobjectSid:: " + test::sid_b64(sid_of(rid)) +
       "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + (is_computer ? "515" : "513") +
       "\ninstanceType: 4\nuSNChanged: 2000\nwhenCreated: 20240105093000.0Z\n" + extra;
  return s + "\n";
}
std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac,
                 const std::string& extra = "") {
  return account(name, name, rid, uac, false, extra);
}
std::string computer(const std::string& name, std::uint32_t rid, std::uint32_t uac,
                     const std::string& extra = "") {
  return account(name, name + "$", rid, uac, true, extra);
}
std::string group(const std::string& name, std::uint32_t rid, const std::vector<std::string>& member_cns) {
  std::string s = "dn: CN=" + name + "," + kUsers + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(sid_of(rid)) + "\n";
  for (const auto& m : member_cns) s += "member: CN=" + m + "," + kUsers + "\n";
  return s + "instanceType: 4\nuSNChanged: 2000\n\n";
}
// An ldapsearch export that requested only `attrs`: the domain head plus `records`.
std::string export_requesting(const std::string& attrs, const std::string& records) {
  return test::requesting_header(attrs) + "dn: " + kDomain +
         "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\nobjectSid:: " +
         test::sid_b64(test::kTestDomainSid) + "\ninstanceType: 5\nuSNChanged: 1000\n\n" + records +
         "# search result\nsearch: 2\nresult: 0 Success\n\n";
}
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
