#include <catch2/catch.hpp>

#include "scanner/parsers/sid.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::kUsers;
using test::sid_of;

const std::string kId = "ad.gmsa-readers";
const std::string kMsa = "CN=Managed Service Accounts," + kDomain;
const std::string kVectorReader = "S-1-5-21-3130019616-2776909439-2417379446-500";

std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

std::string gmsa(const std::string& name, std::uint32_t rid, const std::string& extra) {
  return "dn: CN=" + name + "," + kMsa +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"
         "objectClass: computer\nobjectClass: msDS-GroupManagedServiceAccount\ncn: " +
         name + "\nsAMAccountName: " + name + "$\nobjectSid:: " + test::sid_b64(sid_of(rid)) +
         "\nuserAccountControl: 4096\nprimaryGroupID: 515\ninstanceType: 4\nuSNChanged: 2000\n" + extra +
         "\n";
}

// The real msDS-GroupMSAMembership value (O:BA, one full-control allow ACE) with its reader swapped for
// `reader`.
std::string vector_value(const std::string& reader) {
  auto raw = util::base64_decode(util::trim(
      test::read_text(test::vector_path("onprem/security-descriptors/gmsa_msDS-GroupMSAMembership.b64"))));
  REQUIRE(raw.ok());
  const auto from = parsers::parse_sid_string(kVectorReader)->to_binary();
  const auto to = parsers::parse_sid_string(reader)->to_binary();
  REQUIRE(from.size() == to.size());
  const auto pos = raw->find(from);
  REQUIRE(pos != std::string::npos);
  raw->replace(pos, from.size(), to);
  return "msDS-GroupMSAMembership:: " + util::base64_encode(*raw) + "\n";
}

std::string members_of_da(const std::string& ldif, const std::string& member_dn) {
  return with_attrs(ldif, "CN=Domain Admins," + kUsers, "member: " + member_dn + "\n");
}
}  // namespace

TEST_CASE("ad.gmsa-readers flags an ordinary computer reading a Domain Admins gMSA (real descriptor)",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(test::computer("WS-RANDOM", 1140, 0x1000) +
                                     gmsa("gmsa-t0", 1141, vector_value(sid_of(1140))));
  ldif = members_of_da(ldif, "CN=gmsa-t0," + kMsa);
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "gmsa-t0$");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == sid_of(1140));
  CHECK(f.message == sid_of(1140) + " (WS-RANDOM$) can read the password of tier-0 gMSA gmsa-t0$");
  CHECK(f.evidence["reader"] == sid_of(1140));
  CHECK(f.evidence["reader_name"] == "WS-RANDOM$");
  CHECK(f.evidence["reader_scope"] == "principal");
  CHECK(f.evidence["aces"] ==
        std::vector<std::string>{"(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(1140) + ")"});
  CHECK(f.evidence["readers"] == std::vector<std::string>{sid_of(1140) + " (WS-RANDOM$)"});
  CHECK(f.evidence["decoded"] == true);
  CHECK(f.evidence["tier0"] == true);
  CHECK(f.evidence["enabled"] == true);
  CHECK(f.evidence["privileged_groups"].size() >= 1);
  CHECK(r.notes.empty());
}

TEST_CASE("ad.gmsa-readers: everyone-like readers are critical on tier 0 and medium elsewhere",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(
      gmsa("gmsa-t0", 1141,
           test::sd_line("O:BAD:(A;;RP;;;" + sid_of(515) + ")(A;;RP;;;DA)", "msDS-GroupMSAMembership")) +
      gmsa("gmsa-app", 1142,
           test::sd_line("O:BAD:(A;;RP;;;AU)(A;;RP;;;" + sid_of(1143) + ")", "msDS-GroupMSAMembership")));
  ldif = members_of_da(ldif, "CN=gmsa-t0," + kMsa);
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  auto t0 = r.for_name("gmsa-t0$");
  REQUIRE(t0.size() == 1);
  CHECK(t0[0]->severity == Severity::critical);
  CHECK(t0[0]->evidence["reader"] == sid_of(515));
  CHECK(t0[0]->evidence["reader_name"] == "Domain Computers");
  CHECK(t0[0]->evidence["reader_scope"] == "everyone");
  auto app = r.for_name("gmsa-app$");
  REQUIRE(app.size() == 1);
  CHECK(app[0]->severity == Severity::medium);
  CHECK(app[0]->evidence["reader"] == "S-1-5-11");
  CHECK(app[0]->evidence["tier0"] == false);
  CHECK(app[0]->evidence["readers"].size() == 2);
}

TEST_CASE("ad.gmsa-readers is clean for ordinary gMSAs and tier-0 gMSAs read by tier 0", "[checks][ad]") {
  auto ldif = test::base_domain_ldif(
      test::computer("SRV-WEB", 1150, 0x1000) +
      gmsa("gmsa-web", 1151, vector_value(sid_of(1150))) +  // an ordinary service read by its server
      gmsa("gmsa-t0", 1152,
           test::sd_line("O:BAD:(A;;RP;;;DA)(A;;RP;;;" + sid_of(1000) + ")(A;;RP;;;PS)(D;;RP;;;WD)",
                         "msDS-GroupMSAMembership")));  // DA, the DC, SELF, a deny for Everyone
  ldif = members_of_da(ldif, "CN=gmsa-t0," + kMsa);
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.gmsa-readers: an undecodable value is a finding with a note", "[checks][ad]") {
  auto ldif = test::base_domain_ldif(gmsa(
      "gmsa-t0", 1141,
      "msDS-GroupMSAMembership:: " + util::base64_encode(std::string("\x01\x00\x04\x80\x14\x00", 6)) + "\n"));
  ldif = members_of_da(ldif, "CN=gmsa-t0," + kMsa);
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence_key == "undecodable");
  CHECK(r.findings[0].evidence["decoded"] == false);
  CHECK_FALSE(r.findings[0].evidence["decode_error"].get<std::string>().empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=gmsa-t0") && Catch::Contains("msDS-GroupMSAMembership"));
}

TEST_CASE("ad.gmsa-readers is not evaluated when msDS-GroupMSAMembership was not read", "[checks][ad]") {
  SECTION("not requested") {
    auto r =
        test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                                 "objectClass cn sAMAccountName objectSid userAccountControl member", "")));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("msDS-GroupMSAMembership"));
  }
  SECTION("a '*' export whose gMSAs all lack it (not readable by the exporting account)") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                                      "*", gmsa("gmsa-a", 1160, "") + gmsa("gmsa-b", 1161, ""))));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("2 gMSA object(s)") && Catch::Contains("msDS-GroupMSAMembership"));
  }
  SECTION("requested by name: a gMSA without readers is simply clean") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                                      "* msDS-GroupMSAMembership", gmsa("gmsa-a", 1160, ""))));
    CHECK(r.status == CheckStatus::passed);
  }
}

TEST_CASE("ad.gmsa-readers finds the lab's tier-0 gMSA readable by Helpdesk, not by its DC",
          "[checks][ad][ad.gmsa-readers]") {
  // fixtures/lab: gmsa-backup$ (Backup Operators) lets DC1$ (tier 0) and Helpdesk read its password.
  auto r = test::run_check("ad.gmsa-readers", test::lab_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "gmsa-backup$");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence["reader_name"] == "Helpdesk");
  CHECK(f.evidence["readers"].size() == 2);
}
