#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";
const std::string kUsers = "CN=Users," + kDomain;
const std::string kPartnerSid = "S-1-5-21-1111111111-2222222222-3333333333";

std::string dsid(std::uint32_t rid) {
  return std::string(test::kTestDomainSid) + "-" + std::to_string(rid);
}

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac, const std::string& extra) {
  return "dn: CN=" + name + "," + kUsers +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         name + "\nsAMAccountName: " + name + "\nobjectSid:: " + test::sid_b64(dsid(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) +
         "\nprimaryGroupID: 513\nwhenCreated: 20190301000000.0Z\ninstanceType: 4\nuSNChanged: 2000\n" +
         extra + "\n";
}

std::string trust(const std::string& partner, const std::string& flat, const std::string& sid) {
  return "dn: CN=" + partner + ",CN=System," + kDomain +
         "\nobjectClass: top\nobjectClass: leaf\nobjectClass: trustedDomain\ncn: " + partner +
         "\ntrustPartner: " + partner + "\nflatName: " + flat +
         "\nsecurityIdentifier:: " + test::sid_b64(sid) +
         "\ntrustDirection: 3\ntrustType: 2\ntrustAttributes: 4\nwhenCreated: "
         "20190301000000.0Z\ninstanceType: 4\nuSNChanged: 2001\n\n";
}

const model::Finding* by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.sid-history grades each sIDHistory value by privilege and origin", "[checks][ad]") {
  const std::string values = "sIDHistory:: " + test::sid_b64(dsid(512)) +  // same domain, Domain Admins
                             "\nsIDHistory: S-1-5-32-544\n"                // builtin, string form
                             "sIDHistory:: " +
                             test::sid_b64(kPartnerSid + "-1234") +                      // trusted, ordinary
                             "\nsIDHistory:: " + test::sid_b64("S-1-5-21-9-8-7-1105") +  // unknown domain
                             "\nsIDHistory:: " + test::sid_b64(dsid(1500)) + "\n";  // same domain, ordinary
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("sidhist-user", 1120, 0x200, values) + trust("partner.example", "PARTNER", kPartnerSid)));
  auto r = test::run_check("ad.sid-history", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 5);
  for (const auto& f : r.findings) CHECK(f.resource.name == "sidhist-user");

  const auto* da = by_key(r, dsid(512));
  REQUIRE(da);
  CHECK(da->severity == Severity::critical);
  CHECK(da->evidence["sid"] == dsid(512));
  CHECK(da->evidence["sid_domain"] == test::kTestDomainSid);
  CHECK(da->evidence["rid"] == 512);
  CHECK(da->evidence["same_domain"] == true);
  CHECK(da->evidence["privileged"] == true);
  CHECK(da->evidence["sid_name"] == "Domain Admins");
  CHECK(da->evidence["known_trust"].is_null());
  CHECK(da->evidence["enabled"] == true);

  const auto* ba = by_key(r, "S-1-5-32-544");
  REQUIRE(ba);
  CHECK(ba->severity == Severity::critical);
  CHECK(ba->evidence["sid_domain"] == "S-1-5-32");
  CHECK(ba->evidence["same_domain"] == false);
  CHECK(ba->evidence["sid_name"] == "Administrators");

  const auto* trusted = by_key(r, kPartnerSid + "-1234");
  REQUIRE(trusted);
  CHECK(trusted->severity == Severity::medium);
  CHECK(trusted->evidence["known_trust"] == "partner.example");
  CHECK(trusted->evidence["privileged"] == false);

  const auto* unknown = by_key(r, "S-1-5-21-9-8-7-1105");
  REQUIRE(unknown);
  CHECK(unknown->severity == Severity::high);
  CHECK(unknown->evidence["known_trust"].is_null());
  CHECK(unknown->evidence["sid_domain"] == "S-1-5-21-9-8-7");

  const auto* same = by_key(r, dsid(1500));
  REQUIRE(same);
  CHECK(same->severity == Severity::critical);
  CHECK(same->evidence["same_domain"] == true);
  CHECK(same->evidence["privileged"] == false);

  // Keys are the SIDs, so every value has its own stable finding id.
  CHECK(r.findings[0].finding_id != r.findings[1].finding_id);
}

TEST_CASE("ad.sid-history: a privileged SID of a trusted domain stays critical", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("migrated-admin", 1121, 0x200, "sIDHistory:: " + test::sid_b64(kPartnerSid + "-519") + "\n") +
      trust("partner.example", "PARTNER", kPartnerSid)));
  auto r = test::run_check("ad.sid-history", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["known_trust"] == "partner.example");
  CHECK(r.findings[0].evidence["rid"] == 519);
}

TEST_CASE("ad.sid-history reports groups too, and notes an unparseable value", "[checks][ad]") {
  const std::string group =
      "dn: CN=Migrated Staff," + kUsers +
      "\nobjectClass: top\nobjectClass: group\ncn: Migrated Staff\nsAMAccountName: Migrated "
      "Staff\nobjectSid:: " +
      test::sid_b64(dsid(1130)) + "\nsIDHistory:: " + test::sid_b64("S-1-5-21-9-8-7-2000") +
      "\nsIDHistory:: AQUAAA==\ninstanceType: 4\nuSNChanged: 2002\n\n";
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(group));
  auto r = test::run_check("ad.sid-history", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.type == "group");
  CHECK(r.findings[0].severity == Severity::high);
  CHECK_FALSE(r.findings[0].evidence.contains("enabled"));
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=Migrated Staff") && Catch::Contains("sIDHistory"));
}

TEST_CASE("ad.sid-history is clean on a default domain with a trust and ordinary users", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      user("alice", 1122, 0x200, "") + trust("partner.example", "PARTNER", kPartnerSid)));
  auto r = test::run_check("ad.sid-history", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.sid-history is not evaluated when the export did not request sIDHistory", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn sAMAccountName objectSid", ""));
  auto r = test::run_check("ad.sid-history", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("sIDHistory"));
}
