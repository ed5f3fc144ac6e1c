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
const std::string kComputers = "CN=Computers," + kDomain;
const std::string kVectorOwnerSid = "S-1-5-21-3130019616-2776909439-2417379446-500";

std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    bool is_computer, std::uint32_t pgid, const std::string& extra,
                    const std::string& parent) {
  std::string s = "dn: CN=" + cn + "," + parent + "\n";
  for (const char* c : {"top", "person", "organizationalPerson", "user"})
    s += "objectClass: " + std::string(c) + "\n";
  if (is_computer) s += "objectClass: computer\n";
  s += "cn: " + cn + "\nsAMAccountName: " + sam + "\nobjectSid:: " + test::sid_b64(sid_of(rid)) +
       "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) +
       "\ninstanceType: 4\nuSNChanged: 2000\nwhenCreated: 20240105093000.0Z\n" + extra;
  return s + "\n";
}
std::string computer(const std::string& name, std::uint32_t rid, const std::string& extra = "") {
  return account(name, name + "$", rid, 0x1000, true, 515, extra, kComputers);
}
std::string user(const std::string& name, std::uint32_t rid, const std::string& extra = "") {
  return account(name, name, rid, 0x200, false, 513, extra, kUsers);
}
std::string enterprise_admins(const std::string& member_cn) {
  return "dn: CN=Enterprise Admins," + kUsers +
         "\nobjectClass: top\nobjectClass: group\ncn: Enterprise Admins\n"
         "sAMAccountName: Enterprise Admins\nobjectSid:: " +
         test::sid_b64(sid_of(519)) + "\nmember: CN=" + member_cn + "," + kUsers +
         "\ninstanceType: 4\nuSNChanged: 2000\n\n";
}

// The real msDS-GroupMSAMembership descriptor (O:BA, one allow ACE with full control), which has exactly the
// shape Windows writes into msDS-AllowedToActOnBehalfOfOtherIdentity; the trustee is swapped for `trustee`.
std::string rbcd_value(const std::string& trustee = kVectorOwnerSid) {
  auto raw = util::base64_decode(util::trim(
      test::read_text(test::vector_path("onprem/security-descriptors/gmsa_msDS-GroupMSAMembership.b64"))));
  REQUIRE(raw.ok());
  const auto from = parsers::parse_sid_string(kVectorOwnerSid)->to_binary();
  const auto to = parsers::parse_sid_string(trustee)->to_binary();
  REQUIRE(from.size() == to.size());
  const auto pos = raw->find(from);
  REQUIRE(pos != std::string::npos);
  raw->replace(pos, from.size(), to);
  return "msDS-AllowedToActOnBehalfOfOtherIdentity:: " + util::base64_encode(*raw) + "\n";
}

// Inserts attribute lines into the record of `dn` in an LDIF text.
std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}
}  // namespace

TEST_CASE("ad.rbcd flags a member server that lets an attacker-created computer act for any user",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::base_domain_ldif(computer("SRV-FILE", 1110, rbcd_value(sid_of(1120))) + computer("EVIL", 1120)));
  auto r = test::run_check("ad.rbcd", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "SRV-FILE$");
  CHECK(f.resource.type == "computer");
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == "rbcd");
  REQUIRE(f.evidence["allowed_principals"].size() == 1);
  CHECK(f.evidence["allowed_principals"][0] == sid_of(1120) + " (EVIL$)");
  CHECK(f.evidence["sddl"] == "O:S-1-5-32-544D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(1120) + ")");
  CHECK(f.evidence["decoded"] == true);
  CHECK(f.evidence["tier0"] == false);
  CHECK_THAT(f.message, Catch::Contains("EVIL$"));
  CHECK(r.notes.empty());
}

TEST_CASE("ad.rbcd: a trustee outside the input is listed as unresolved", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(computer("SRV-APP", 1111, rbcd_value())));
  auto r = test::run_check("ad.rbcd", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["allowed_principals"][0] == kVectorOwnerSid + " (unresolved)");
}

TEST_CASE("ad.rbcd: critical on a domain controller, krbtgt and a tier-0 user", "[checks][ad]") {
  const std::string dc2 = account("DC2", "DC2$", 1001, 0x82000, true, 516, rbcd_value(sid_of(1120)),
                                  "OU=Domain Controllers," + kDomain);
  auto ldif =
      test::base_domain_ldif(dc2 + computer("EVIL", 1120) + user("t0-admin", 1130, rbcd_value(sid_of(1120))) +
                             enterprise_admins("t0-admin"));
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, rbcd_value(sid_of(1120)));
  auto snap = test::snapshot_from_ldif(ldif);
  auto r = test::run_check("ad.rbcd", snap);
  REQUIRE(r.findings.size() == 3);
  for (const char* name : {"DC2$", "krbtgt", "t0-admin"}) {
    INFO(name);
    auto f = r.for_name(name);
    REQUIRE(f.size() == 1);
    CHECK(f[0]->severity == Severity::critical);
    CHECK(f[0]->evidence["tier0"] == true);
  }
  CHECK_THAT(r.for_name("DC2$")[0]->message, Catch::Contains("domain controller"));
}

TEST_CASE("ad.rbcd: an undecodable descriptor is still a finding, with a note", "[checks][ad]") {
  // A descriptor cut off inside its header (revision 1, control SR|DP, nothing else).
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      computer("SRV-BAD", 1112,
               "msDS-AllowedToActOnBehalfOfOtherIdentity:: " +
                   util::base64_encode(std::string("\x01\x00\x04\x80\x14\x00", 6)) + "\n")));
  auto r = test::run_check("ad.rbcd", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK(r.findings[0].evidence["decoded"] == false);
  CHECK_FALSE(r.findings[0].evidence["decode_error"].get<std::string>().empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=SRV-BAD," + kComputers));
  CHECK_THAT(r.notes[0], Catch::Contains("msDS-AllowedToActOnBehalfOfOtherIdentity"));
}

TEST_CASE("ad.rbcd is clean on a default domain and computers without the attribute", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(
      computer("SRV-WEB", 1113, "servicePrincipalName: HOST/srv-web.corp.example.test\n") +
      user("svc-web", 1114, "msDS-AllowedToDelegateTo: cifs/srv-file\n")));
  auto r = test::run_check("ad.rbcd", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.rbcd is not evaluated without msDS-AllowedToActOnBehalfOfOtherIdentity", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      test::requesting_header("cn sAMAccountName objectSid objectClass userAccountControl primaryGroupID") +
      test::base_domain_ldif() + "# search result\nsearch: 2\nresult: 0 Success\n\n");
  auto r = test::run_check("ad.rbcd", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("msDS-AllowedToActOnBehalfOfOtherIdentity"));
}
