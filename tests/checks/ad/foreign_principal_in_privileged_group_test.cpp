#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;
const std::string kFsps = "CN=ForeignSecurityPrincipals," + kDomain;
const std::string kPartnerSid = "S-1-5-21-1111111111-2222222222-3333333333";

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

// A foreignSecurityPrincipal as AD creates it when a SID of a trusted domain is added to a group.
std::string fsp(const std::string& sid) {
  return "dn: CN=" + sid + "," + kFsps +
         "\nobjectClass: top\nobjectClass: foreignSecurityPrincipal\ncn: " + sid +
         "\nobjectSid:: " + test::sid_b64(sid) + "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

std::string group(const std::string& dn, const std::string& name, const std::string& sid,
                  const std::vector<std::string>& members) {
  std::string s = "dn: " + dn + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(sid) + "\n";
  for (const auto& m : members) s += "member: " + m + "\n";
  return s + "instanceType: 4\nuSNChanged: 2000\n\n";
}

std::string trust() {
  return "dn: CN=partner.example,CN=System," + kDomain +
         "\nobjectClass: top\nobjectClass: leaf\nobjectClass: trustedDomain\ncn: "
         "partner.example\ntrustPartner: partner.example\nflatName: PARTNER\nsecurityIdentifier:: " +
         test::sid_b64(kPartnerSid) +
         "\ntrustDirection: 3\ntrustType: 2\ntrustAttributes: 4\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

const model::Finding* find(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.foreign-principal-in-privileged-group flags a trusted domain's account in Backup Operators",
          "[checks][ad]") {
  const std::string member = "CN=" + kPartnerSid + "-1105," + kFsps;
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      fsp(kPartnerSid + "-1105") + trust() +
      group("CN=Backup Operators,CN=Builtin," + kDomain, "Backup Operators", "S-1-5-32-551", {member})));
  auto r = test::run_check("ad.foreign-principal-in-privileged-group", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::high);
  CHECK(f.resource.type == "foreignSecurityPrincipal");
  CHECK(f.resource.dn == member);
  CHECK(f.evidence_key == "S-1-5-32-551/" + kPartnerSid + "-1105");
  CHECK(f.evidence["group"] == "Backup Operators");
  CHECK(f.evidence["group_sid"] == "S-1-5-32-551");
  CHECK(f.evidence["member_sid"] == kPartnerSid + "-1105");
  CHECK(f.evidence["via"].empty());
  CHECK(f.evidence["known_trust"] == "partner.example");
  CHECK(f.evidence["why"] == "a foreignSecurityPrincipal object");
}

TEST_CASE("ad.foreign-principal-in-privileged-group: broad SIDs, nesting, missing FSPs and other domains",
          "[checks][ad]") {
  const std::string ea = "CN=Enterprise Admins," + kUsers;
  const std::string nested = "CN=Partner Admins," + kUsers;
  const std::string missing_fsp = "CN=S-1-5-21-4-5-6-1200," + kFsps;
  const std::string other_domain = "CN=admin,CN=Users,DC=other,DC=test";
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      fsp("S-1-5-11") + group(nested, "Partner Admins", dsid(1120), {missing_fsp}) +
      group(ea, "Enterprise Admins", dsid(519), {"CN=S-1-5-11," + kFsps, nested, other_domain})));
  auto r = test::run_check("ad.foreign-principal-in-privileged-group", snap);
  REQUIRE(r.findings.size() == 3);

  const auto* au = find(r, dsid(519) + "/S-1-5-11");
  REQUIRE(au);
  CHECK(au->severity == Severity::critical);
  CHECK(au->evidence["member_name"] == "Authenticated Users");

  const auto* ext = find(r, dsid(519) + "/S-1-5-21-4-5-6-1200");
  REQUIRE(ext);
  CHECK(ext->severity == Severity::high);
  CHECK(ext->resource.type == "external");
  CHECK(ext->resource.sid == "S-1-5-21-4-5-6-1200");
  CHECK(ext->evidence["via"] == model::Json::array({"Partner Admins"}));
  CHECK(ext->evidence["known_trust"].is_null());

  const auto* other = find(r, dsid(519) + "/cn=admin,cn=users,dc=other,dc=test");
  REQUIRE(other);
  CHECK(other->severity == Severity::high);
  CHECK(other->evidence["member_sid"].is_null());
  CHECK(other->evidence["why"] == "a DN outside this domain");
}

TEST_CASE("ad.foreign-principal-in-privileged-group is clean when only local principals are privileged",
          "[checks][ad]") {
  // Default FSPs (Authenticated Users, Interactive) in the non-privileged builtin Users group.
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      fsp("S-1-5-11") + fsp("S-1-5-4") +
      group("CN=Users,CN=Builtin," + kDomain, "Users", "S-1-5-32-545",
            {"CN=S-1-5-11," + kFsps, "CN=S-1-5-4," + kFsps, "CN=Domain Users," + kUsers})));
  auto r = test::run_check("ad.foreign-principal-in-privileged-group", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.foreign-principal-in-privileged-group is not evaluated without member", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid", ""));
  auto r = test::run_check("ad.foreign-principal-in-privileged-group", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("member"));
}
