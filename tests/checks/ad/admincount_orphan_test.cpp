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

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac, const std::string& extra,
                 std::uint32_t pgid = 513) {
  return "dn: CN=" + name + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         name + "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) + "\n" +
         extra + "instanceType: 4\nuSNChanged: 2000\n\n";
}

std::string group(const std::string& dn, const std::string& name, const std::string& sid,
                  const std::string& extra) {
  return "dn: " + dn + "\nobjectClass: top\nobjectClass: group\ncn: " + name + "\nsAMAccountName: " + name +
         "\nobjectSid:: " + test::sid_b64(sid) + "\n" + extra + "instanceType: 4\nuSNChanged: 2000\n\n";
}
}  // namespace

TEST_CASE("ad.admincount-orphan flags a former admin that kept adminCount=1", "[checks][ad]") {
  auto snap =
      test::snapshot_from_ldif(test::base_domain_ldif(user("former-admin", 1101, 0x200, "adminCount: 1\n")));
  auto r = test::run_check("ad.admincount-orphan", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "former-admin");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "admincount");
  CHECK(f.evidence["adminCount"] == 1);
  CHECK(f.evidence["enabled"] == true);
  CHECK(f.evidence["tier0"] == false);
  CHECK(f.message ==
        "user carries adminCount=1 but is not in any privileged group: a former admin with a "
        "protected, non-inheriting ACL");
}

TEST_CASE("ad.admincount-orphan: disabled accounts are low, groups medium", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(user("old-admin", 1102, 0x202, "adminCount: 1\n") +
                             group("CN=Old Admins," + kUsers, "Old Admins", dsid(1103), "adminCount: 1\n")));
  auto r = test::run_check("ad.admincount-orphan", snap);
  REQUIRE(r.findings.size() == 2);
  REQUIRE(r.for_name("old-admin").size() == 1);
  CHECK(r.for_name("old-admin")[0]->severity == Severity::low);
  CHECK(r.for_name("old-admin")[0]->evidence["enabled"] == false);
  REQUIRE(r.for_name("Old Admins").size() == 1);
  CHECK(r.for_name("Old Admins")[0]->severity == Severity::medium);
  CHECK(r.for_name("Old Admins")[0]->resource.type == "group");
}

TEST_CASE("ad.admincount-orphan is clean for current admins, Replicator and adminCount 0", "[checks][ad]") {
  const std::string ops = "CN=Backup Operators,CN=Builtin," + kDomain;
  const std::string rep = "CN=Replicator,CN=Builtin," + kDomain;
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("backup-op", 1104, 0x200, "adminCount: 1\n") +      // member of Backup Operators
      user("pg-admin", 1105, 0x200, "adminCount: 1\n", 512) +  // Domain Admins by primary group
      user("repl-svc", 1106, 0x200, "adminCount: 1\n") +       // member of Replicator
      user("reset", 1107, 0x200, "adminCount: 0\n") +          // cleared the usual way
      group(ops, "Backup Operators", "S-1-5-32-551", "adminCount: 1\nmember: CN=backup-op," + kUsers + "\n") +
      group(rep, "Replicator", "S-1-5-32-552", "adminCount: 1\nmember: CN=repl-svc," + kUsers + "\n")));
  auto r = test::run_check("ad.admincount-orphan", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.admincount-orphan notes an unparseable adminCount", "[checks][ad]") {
  auto snap =
      test::snapshot_from_ldif(test::base_domain_ldif(user("weird", 1108, 0x200, "adminCount: yes\n")));
  auto r = test::run_check("ad.admincount-orphan", snap);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=weird") && Catch::Contains("adminCount"));
}

TEST_CASE("ad.admincount-orphan is not evaluated without adminCount", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid "
                              "userAccountControl member", ""));
  auto r = test::run_check("ad.admincount-orphan", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("adminCount"));
}
