#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac, std::uint32_t pgid,
                 const std::string& created) {
  return "dn: CN=" + name + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         name + "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) +
         "\nwhenCreated: " + created + "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

std::string group(const std::string& name, const std::string& created,
                  const std::vector<std::string>& members) {
  std::string s = "dn: CN=" + name + "," + kUsers + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(1150)) +
                  "\nwhenCreated: " + created + "\n";
  for (const auto& m : members) s += "member: " + m + "\n";
  return s + "instanceType: 4\nuSNChanged: 2000\n\n";
}

model::TimePoint at(const char* rfc3339) {
  return parsers::parse_rfc3339(rfc3339).value();
}
// The scan time every age below is computed against (passed explicitly, so fixture defaults do not matter).
const auto kNow = at("2026-11-28T12:00:00Z");
const std::chrono::seconds kMonth = std::chrono::hours(24 * 30);
}  // namespace

TEST_CASE("ad.recently-created-privileged flags a Domain Admin created eight days ago", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("adm-new", 1101, 0x200, 512, "20261120093000.0Z")));
  auto r = test::run_check("ad.recently-created-privileged", snap, kNow, kMonth);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "adm-new");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == "recently-created");
  CHECK(f.evidence["when_created"] == "2026-11-20T09:30:00Z");
  CHECK(f.evidence["age_days"] == 8);
  CHECK(f.evidence["privileged_groups"] ==
        model::Json::array(
            {"Administrators (via Domain Admins > primaryGroupID)", "Domain Admins (via primaryGroupID)"}));
  CHECK(f.evidence["privileged_group"] == false);
  CHECK(f.evidence["tier0"] == true);
}

TEST_CASE("ad.recently-created-privileged covers new privileged groups and their members", "[checks][ad]") {
  // DnsAdmins has no fixed RID; it is found by name. A new one with a member is two tier-0 objects.
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("dns-op", 1102, 0x202, 513, "20261101000000.0Z") +
                             group("DnsAdmins", "20261101000000.0Z", {"CN=dns-op," + kUsers})));
  auto r = test::run_check("ad.recently-created-privileged", snap, kNow, kMonth);
  REQUIRE(r.findings.size() == 2);
  auto g = r.for_name("DnsAdmins");
  REQUIRE(g.size() == 1);
  CHECK(g[0]->severity == Severity::high);
  CHECK(g[0]->resource.type == "group");
  CHECK(g[0]->evidence["privileged_group"] == true);
  CHECK(g[0]->evidence["age_days"] == 27);
  auto u = r.for_name("dns-op");
  REQUIRE(u.size() == 1);
  CHECK(u[0]->severity == Severity::high);  // disabled, still high
  CHECK(u[0]->evidence["privileged_groups"] == model::Json::array({"DnsAdmins"}));
}

TEST_CASE("ad.recently-created-privileged is clean for old admins and new ordinary users", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("new-hire", 1103, 0x200, 513, "20261125080000.0Z") +
                             user("old-admin", 1104, 0x200, 512, "20200101000000.0Z")));
  auto r = test::run_check("ad.recently-created-privileged", snap, kNow, kMonth);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.recently-created-privileged honours the --since window and notes bad timestamps",
          "[checks][ad]") {
  auto snap =
      test::snapshot_from_ldif(test::base_domain_ldif(user("adm-new", 1101, 0x200, 512, "20261120093000.0Z") +
                                                      user("adm-bad", 1105, 0x200, 512, "2026-11-20")));
  auto week = test::run_check("ad.recently-created-privileged", snap, kNow, std::chrono::hours(24 * 7));
  CHECK(week.findings.empty());
  REQUIRE(week.notes.size() == 1);
  CHECK_THAT(week.notes[0], Catch::Contains("CN=adm-bad") && Catch::Contains("whenCreated"));
  auto month = test::run_check("ad.recently-created-privileged", snap, kNow, kMonth);
  CHECK(month.findings.size() == 1);
}

TEST_CASE("ad.recently-created-privileged is not evaluated without whenCreated", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid member", ""));
  auto r = test::run_check("ad.recently-created-privileged", snap, kNow, kMonth);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("whenCreated"));
}

TEST_CASE("ad.recently-created-privileged ignores the built-ins of a newly created domain", "[checks][ad]") {
  // A domain created three days before --now: its built-in admins are recent, but no one added them.
  // Only an admin created a day later is reported.
  std::string ldif = adpersist::test::base_domain_ldif(
      "dn: CN=adm-late,CN=Users,DC=corp,DC=example,DC=test\nobjectClass: top\nobjectClass: user\ncn: adm-late\n"
      "sAMAccountName: adm-late\nobjectSid:: " +
      adpersist::test::sid_b64(std::string(adpersist::test::kTestDomainSid) + "-1500") +
      "\nuserAccountControl: 512\nwhenCreated: 20261129120000.0Z\ninstanceType: 4\nuSNChanged: 1\n\n");
  for (std::size_t pos; (pos = ldif.find("whenCreated: 20190301000000.0Z")) != std::string::npos;)
    ldif.replace(pos, 30, "whenCreated: 20261128090000.0Z");
  const std::string da = "member: CN=Administrator,CN=Users,DC=corp,DC=example,DC=test\n";
  ldif.replace(ldif.find(da), da.size(), da + "member: CN=adm-late,CN=Users,DC=corp,DC=example,DC=test\n");
  auto snap = adpersist::test::snapshot_from_ldif(ldif);
  auto r = adpersist::test::run_check("ad.recently-created-privileged", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "adm-late");
}
