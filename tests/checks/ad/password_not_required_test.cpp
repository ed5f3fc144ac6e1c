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
