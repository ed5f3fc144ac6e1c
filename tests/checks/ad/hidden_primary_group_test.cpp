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

std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    const std::string& pgid, bool computer, const std::string& parent = kUsers) {
  return "dn: CN=" + cn + "," + parent +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n" +
         (computer ? "objectClass: computer\n" : "") + "cn: " + cn + "\nsAMAccountName: " + sam +
         "\nobjectSid:: " + test::sid_b64(dsid(rid)) + "\nuserAccountControl: " + std::to_string(uac) +
         "\nprimaryGroupID: " + pgid +
         "\nwhenCreated: 20190301000000.0Z\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

std::string user(const std::string& name, std::uint32_t rid, const std::string& pgid,
                 std::uint32_t uac = 0x200) {
  return account(name, name, rid, uac, pgid, false);
}
std::string computer(const std::string& name, std::uint32_t rid, std::uint32_t uac, const std::string& pgid) {
  return account(name, name + "$", rid, uac, pgid, true, "CN=Computers," + kDomain);
}
std::string group(const std::string& name, std::uint32_t rid) {
  return "dn: CN=" + name + "," + kUsers + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
         "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}
// Look-alikes that carry their default primary group.
std::string defaults() {
  return user("alice", 1101, "513") + computer("WS1", 1102, 0x1000, "515") +
         computer("RODC1", 1103, 0x5001000, "521") + user("Guest", 501, "514", 0x10222) +
         account("PARTNER$", "PARTNER$", 1104, 0x820, "513", false);
}
}  // namespace

TEST_CASE("ad.hidden-primary-group flags a user whose primary group is Domain Admins", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(defaults() + user("pg-hidden", 1110, "512")));
  auto r = test::run_check("ad.hidden-primary-group", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "pg-hidden");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == "primary-group");
  CHECK(f.evidence["primaryGroupID"] == 512);
  CHECK(f.evidence["group"] == "Domain Admins");
  CHECK(f.evidence["expected"] == model::Json::array({513}));
  CHECK(f.evidence["privileged_group"] == true);
  CHECK(f.evidence["tier0"] == true);
  CHECK(f.evidence["privileged_groups"][1] == "Domain Admins (via primaryGroupID)");
}

TEST_CASE("ad.hidden-primary-group: privileged RIDs are high, other values medium", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      group("Unix Staff", 1150) + user("u-516", 1111, "516") +  // Domain Controllers on a user: high
      user("u-rodc", 1112, "521") +                             // RODC group on a non-RODC: high
      user("u-ea", 1113, "519") +                               // Enterprise Admins (not in the input): high
      user("u-unix", 1114, "1150") +                            // a custom group: medium
      user("u-guests", 1115, "514") +                           // Domain Guests on a normal user: medium
      computer("SRV1", 1116, 0x1000, "513") +                   // Domain Users on a computer: medium
      computer("SRV2", 1117, 0x1000, "516") +                   // member server in Domain Controllers: high
      computer("DC2", 1118, 0x82000, "515") +                   // a DC with the computer default: medium
      computer("RODC2", 1119, 0x5001000, "516")));              // an RODC in Domain Controllers: high
  auto r = test::run_check("ad.hidden-primary-group", snap);
  REQUIRE(r.findings.size() == 9);
  auto sev = [&](const std::string& name) {
    auto fs = r.for_name(name);
    REQUIRE(fs.size() == 1);
    return fs[0]->severity;
  };
  CHECK(sev("u-516") == Severity::high);
  CHECK(sev("u-rodc") == Severity::high);
  CHECK(sev("u-ea") == Severity::high);
  CHECK(sev("u-unix") == Severity::medium);
  CHECK(sev("u-guests") == Severity::medium);
  CHECK(sev("SRV1$") == Severity::medium);
  CHECK(sev("SRV2$") == Severity::high);
  CHECK(sev("DC2$") == Severity::medium);
  CHECK(sev("RODC2$") == Severity::high);
  CHECK(r.for_name("u-unix")[0]->evidence["group"] == "Unix Staff");
  CHECK(r.for_name("u-ea")[0]->evidence["group"] == "Enterprise Admins");
  CHECK(r.for_name("SRV1$")[0]->evidence["expected"] == model::Json::array({515}));
  CHECK(r.for_name("DC2$")[0]->evidence["expected"] == model::Json::array({516}));
  CHECK(r.for_name("RODC2$")[0]->evidence["expected"] == model::Json::array({521}));
}

TEST_CASE("ad.hidden-primary-group: Guest with another group still expects 513 or 514", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(user("Guest", 501, "512", 0x10220)));
  auto r = test::run_check("ad.hidden-primary-group", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["expected"] == model::Json::array({513, 514}));
}

TEST_CASE("ad.hidden-primary-group is clean on default primary groups and notes a bad value",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(defaults() + user("broken", 1120, "abc")));
  auto r = test::run_check("ad.hidden-primary-group", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=broken") && Catch::Contains("primaryGroupID"));
}

TEST_CASE("ad.hidden-primary-group is not evaluated without primaryGroupID", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid "
                              "userAccountControl", ""));
  auto r = test::run_check("ad.hidden-primary-group", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("primaryGroupID"));
}
