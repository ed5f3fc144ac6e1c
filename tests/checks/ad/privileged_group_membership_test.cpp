#include <catch2/catch.hpp>
#include <set>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;
const std::string kForeign =
    "CN=S-1-5-21-1111111111-2222222222-3333333333-1105,CN=ForeignSecurityPrincipals," + kDomain;

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac, std::uint32_t pgid = 513) {
  return "dn: CN=" + name + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         name + "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) +
         "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

std::string group(const std::string& dn, const std::string& name, const std::string& sid,
                  const std::vector<std::string>& members) {
  std::string s = "dn: " + dn + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(sid) + "\n";
  for (const auto& m : members) s += "member: " + m + "\n";
  return s + "instanceType: 4\nuSNChanged: 2000\n\n";
}

const model::Finding* find(const test::CheckRun& r, const std::string& name, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.resource.name == name && f.evidence_key == key) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.privileged-group-membership lists the default domain's privileged members", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("alice", 1101, 0x200)));
  auto r = test::run_check("ad.privileged-group-membership", snap);
  // Inventory only: info findings do not fail the check.
  CHECK(r.status == CheckStatus::passed);
  // Administrators: Domain Admins, Administrator; Domain Admins: Administrator; Domain Controllers: DC1$.
  REQUIRE(r.findings.size() == 4);
  for (const auto& f : r.findings) CHECK(f.severity == Severity::info);
  const auto* dc = find(r, "DC1$", dsid(516));
  REQUIRE(dc);
  CHECK(dc->evidence["primary_group"] == true);
  CHECK(dc->evidence["group"] == "Domain Controllers");
  CHECK(dc->evidence["member_type"] == "computer");
  const auto* nested_group = find(r, "Domain Admins", "S-1-5-32-544");
  REQUIRE(nested_group);
  CHECK(nested_group->evidence["member_type"] == "group");
  CHECK(r.for_name("alice").empty());
}

TEST_CASE("ad.privileged-group-membership resolves nested, primary-group and external members",
          "[checks][ad]") {
  const std::string it_admins = "CN=IT-Admins," + kUsers;
  const std::string ops = "CN=Backup Operators,CN=Builtin," + kDomain;
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("helpdesk-lead", 1102, 0x200) + user("old-op", 1103, 0x202) + user("pg-hidden", 1104, 0x200, 512) +
      group(it_admins, "IT-Admins", dsid(1110), {"CN=helpdesk-lead," + kUsers}) +
      group(ops, "Backup Operators", "S-1-5-32-551", {it_admins, "CN=old-op," + kUsers, kForeign})));
  auto r = test::run_check("ad.privileged-group-membership", snap);
  CHECK(r.status == CheckStatus::passed);
  // 4 default pairs; Backup Operators: IT-Admins, helpdesk-lead (nested), old-op, the foreign member;
  // pg-hidden in Domain Admins (primary group) and so in Administrators (via Domain Admins).
  REQUIRE(r.findings.size() == 10);

  const auto* nested = find(r, "helpdesk-lead", "S-1-5-32-551");
  REQUIRE(nested);
  CHECK(nested->evidence["group"] == "Backup Operators");
  CHECK(nested->evidence["group_sid"] == "S-1-5-32-551");
  CHECK(nested->evidence["via"] == model::Json::array({"IT-Admins"}));
  CHECK(nested->evidence["primary_group"] == false);
  CHECK(nested->evidence["member_type"] == "user");
  CHECK(nested->evidence["enabled"] == true);
  CHECK(nested->resource.sid == dsid(1102));

  const auto* disabled = find(r, "old-op", "S-1-5-32-551");
  REQUIRE(disabled);
  CHECK(disabled->evidence["enabled"] == false);

  const auto* hidden = find(r, "pg-hidden", dsid(512));
  REQUIRE(hidden);
  CHECK(hidden->evidence["primary_group"] == true);
  CHECK(hidden->evidence["via"].empty());
  const auto* hidden_ba = find(r, "pg-hidden", "S-1-5-32-544");
  REQUIRE(hidden_ba);
  CHECK(hidden_ba->evidence["via"] == model::Json::array({"Domain Admins"}));
  CHECK(hidden_ba->evidence["primary_group"] == true);

  const auto* ext = find(r, "S-1-5-21-1111111111-2222222222-3333333333-1105", "S-1-5-32-551");
  REQUIRE(ext);
  CHECK(ext->resource.type == "external");
  CHECK(ext->resource.dn == kForeign);
  CHECK(ext->resource.id ==
        "cn=s-1-5-21-1111111111-2222222222-3333333333-1105,cn=foreignsecurityprincipals,dc=corp,dc=example,"
        "dc=test");
  CHECK(ext->evidence["member_type"] == "external");
  CHECK_FALSE(ext->evidence.contains("enabled"));

  // One finding per (group, member): every fingerprint differs.
  std::set<std::string> ids;
  for (const auto& f : r.findings) ids.insert(f.finding_id);
  CHECK(ids.size() == r.findings.size());
}

TEST_CASE("ad.privileged-group-membership keys by group SID so a new member is a new finding",
          "[checks][ad]") {
  auto before =
      test::run_check("ad.privileged-group-membership", test::snapshot_from_ldif(test::base_domain_ldif()));
  auto after =
      test::run_check("ad.privileged-group-membership",
                      test::snapshot_from_ldif(test::base_domain_ldif(user("intruder", 1105, 0x200, 512))));
  std::set<std::string> old_ids;
  for (const auto& f : before.findings) old_ids.insert(f.finding_id);
  std::vector<std::string> added;
  for (const auto& f : after.findings)
    if (!old_ids.count(f.finding_id)) added.push_back(f.resource.name);
  // Domain Admins (primary group) and Administrators (through Domain Admins): two new pairs, nothing else.
  CHECK(added == std::vector<std::string>{"intruder", "intruder"});
}

TEST_CASE("ad.privileged-group-membership is not evaluated without member", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid "
                              "primaryGroupID", ""));
  auto r = test::run_check("ad.privileged-group-membership", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("member"));
}
