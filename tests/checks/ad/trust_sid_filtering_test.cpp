#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kDomain = "DC=corp,DC=example,DC=test";

// A trustedDomain object as Windows stores it under CN=System.
std::string trust(const std::string& partner, const std::string& flat, const std::string& sid, int direction,
                  int type, std::uint32_t attributes, const std::string& created = "20190301000000.0Z") {
  return "dn: CN=" + partner + ",CN=System," + kDomain +
         "\nobjectClass: top\nobjectClass: leaf\nobjectClass: trustedDomain\ncn: " + partner +
         "\ntrustPartner: " + partner + "\nflatName: " + flat +
         "\nsecurityIdentifier:: " + test::sid_b64(sid) + "\ntrustDirection: " + std::to_string(direction) +
         "\ntrustType: " + std::to_string(type) + "\ntrustAttributes: " + std::to_string(attributes) +
         "\nwhenCreated: " + created + "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

const model::Finding* find(const test::CheckRun& r, const std::string& partner, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.resource.name == partner && f.evidence_key == key) return &f;
  return nullptr;
}

std::size_t count_key(const test::CheckRun& r, const std::string& key) {
  std::size_t n = 0;
  for (const auto& f : r.findings) n += f.evidence_key == key;
  return n;
}
}  // namespace

TEST_CASE("ad.trust-sid-filtering flags an external trust without quarantine", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      trust("partner.example", "PARTNER", "S-1-5-21-1111111111-2222222222-3333333333", 3, 2, 0)));
  auto r = test::run_check("ad.trust-sid-filtering", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);

  const auto* inv = find(r, "partner.example", "trust");
  REQUIRE(inv);
  CHECK(inv->severity == Severity::info);
  CHECK(inv->resource.type == "trustedDomain");
  CHECK(inv->evidence["trustPartner"] == "partner.example");
  CHECK(inv->evidence["flatName"] == "PARTNER");
  CHECK(inv->evidence["direction"] == "bidirectional");
  CHECK(inv->evidence["type"] == "uplevel");
  CHECK(inv->evidence["attributes"].empty());
  CHECK(inv->evidence["trustAttributes"] == "0x00000000");
  CHECK(inv->evidence["securityIdentifier"] == "S-1-5-21-1111111111-2222222222-3333333333");
  CHECK(inv->evidence["whenCreated"] == "2019-03-01T00:00:00Z");

  const auto* sf = find(r, "partner.example", "sid-filtering");
  REQUIRE(sf);
  CHECK(sf->severity == Severity::critical);
  CHECK(sf->evidence["trust_kind"] == "external");
  CHECK_THAT(sf->evidence["reason"].get<std::string>(), Catch::Contains("QUARANTINED_DOMAIN"));
}

TEST_CASE("ad.trust-sid-filtering applies the forest, direction and TGT delegation rules", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      // forest trust with TREAT_AS_EXTERNAL, bidirectional: SID filtering off
      trust("forest.example", "FOREST", "S-1-5-21-1777777777-1888888888-1999999999", 3, 2, 0x48) +
      // outbound-only external trust without quarantine: off
      trust("out.example", "OUT", "S-1-5-21-1-2-3", 2, 1, 0) +
      // inbound-only external trust: this domain accepts no SIDs from it, so filtering is not judged
      trust("in.example", "IN", "S-1-5-21-4-5-6", 1, 2, 0) +
      // inbound forest trust with TGT delegation enabled
      trust("deleg.example", "DELEG", "S-1-5-21-7-8-9", 1, 2, 0x808) +
      // forest trust with 0x800 but also 0x200: no delegation
      trust("nodeleg.example", "NODELEG", "S-1-5-21-10-11-12", 3, 2, 0xA08) +
      // bidirectional forest trust with 0x800 and no 0x40: delegation only
      trust("deleg2.example", "DELEG2", "S-1-5-21-13-14-15", 3, 2, 0x808)));
  auto r = test::run_check("ad.trust-sid-filtering", snap);
  CHECK(count_key(r, "trust") == 6);
  CHECK(count_key(r, "sid-filtering") == 2);
  CHECK(count_key(r, "tgt-delegation") == 2);
  REQUIRE(r.findings.size() == 10);

  const auto* forest = find(r, "forest.example", "sid-filtering");
  REQUIRE(forest);
  CHECK(forest->severity == Severity::critical);
  CHECK(forest->evidence["trust_kind"] == "forest");
  CHECK_THAT(forest->evidence["reason"].get<std::string>(), Catch::Contains("TREAT_AS_EXTERNAL"));
  CHECK(find(r, "forest.example", "trust")->evidence["attributes"] ==
        model::Json::array({"FOREST_TRANSITIVE", "TREAT_AS_EXTERNAL"}));
  CHECK(find(r, "out.example", "sid-filtering"));
  CHECK(find(r, "out.example", "trust")->evidence["type"] == "downlevel");
  CHECK_FALSE(find(r, "in.example", "sid-filtering"));

  const auto* deleg = find(r, "deleg.example", "tgt-delegation");
  REQUIRE(deleg);
  CHECK(deleg->severity == Severity::high);
  CHECK(deleg->evidence["direction"] == "inbound");
  CHECK(deleg->evidence["trustAttributes"] == "0x00000808");
  CHECK(find(r, "deleg2.example", "tgt-delegation"));
  CHECK_FALSE(find(r, "nodeleg.example", "tgt-delegation"));
}

TEST_CASE("ad.trust-sid-filtering lists benign trusts as inventory only", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      trust("quarantined.example", "QUAR", "S-1-5-21-21-22-23", 2, 2, 0x4) +        // external, filtered
      trust("child.corp.example.test", "CHILD", "S-1-5-21-24-25-26", 3, 2, 0x20) +  // within forest
      trust("forest2.example", "FOREST2", "S-1-5-21-27-28-29", 3, 2, 0x8) +         // forest, filtered
      trust("MIT.REALM", "MIT.REALM", "S-1-5-21-30-31-32", 2, 3, 0x1)));            // MIT realm
  auto r = test::run_check("ad.trust-sid-filtering", snap);
  CHECK(r.status == CheckStatus::passed);
  REQUIRE(r.findings.size() == 4);
  for (const auto& f : r.findings) {
    CHECK(f.evidence_key == "trust");
    CHECK(f.severity == Severity::info);
  }
  CHECK(find(r, "MIT.REALM", "trust")->evidence["type"] == "mit");
  CHECK(find(r, "MIT.REALM", "trust")->evidence["attributes"] == model::Json::array({"NON_TRANSITIVE"}));

  auto none = test::run_check("ad.trust-sid-filtering", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(none.status == CheckStatus::passed);
  CHECK(none.findings.empty());
}

TEST_CASE("ad.trust-sid-filtering notes an unparseable trustAttributes and still lists the trust",
          "[checks][ad]") {
  std::string t = trust("odd.example", "ODD", "S-1-5-21-33-34-35", 3, 2, 0);
  t.replace(t.find("trustAttributes: 0"), 18, "trustAttributes: x");
  auto r = test::run_check("ad.trust-sid-filtering", test::snapshot_from_ldif(test::base_domain_ldif(t)));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence_key == "trust");
  CHECK(r.findings[0].evidence["trustAttributes"].is_null());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("trustAttributes"));
}

TEST_CASE("ad.trust-sid-filtering is not evaluated without trustAttributes", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::export_requesting("objectClass cn trustPartner trustDirection "
                              "trustType", ""));
  auto r = test::run_check("ad.trust-sid-filtering", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("trustAttributes"));
}
