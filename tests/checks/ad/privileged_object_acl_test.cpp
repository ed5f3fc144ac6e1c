#include <catch2/catch.hpp>
#include <map>
#include <set>

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

const std::string kId = "ad.privileged-object-acl";
const std::string kHelpdesk = sid_of(1105);
const std::string kMemberGuid = "bf9679c0-0de6-11d0-a285-00aa003049e2";
const std::string kFull = "CCDCLCSWRPWPDTLOCRSDRCWDWO";  // GenericAll as AD stores it
// The default part of a tier-0 object's DACL: admins and SYSTEM in full control, everyone reading.
const std::string kDefaultAces = "(A;;" + kFull + ";;;DA)(A;;" + kFull + ";;;SY)(A;;RPLCLORC;;;AU)";

// Inserts attribute lines into the record of `dn` in an LDIF text.
std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

std::string user_at(const std::string& cn, const std::string& parent, std::uint32_t rid,
                    const std::string& extra) {
  return "dn: CN=" + cn + "," + parent +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
         "user\ncn: " +
         cn + "\nsAMAccountName: " + cn + "\nobjectSid:: " + test::sid_b64(sid_of(rid)) +
         "\nuserAccountControl: 512\nprimaryGroupID: 513\ninstanceType: 4\nuSNChanged: 2000\n" + extra + "\n";
}

// A real Windows descriptor from the vectors, its domain SID (S-1-5-21-3130019616-2776909439-2417379446)
// swapped for the test domain's so that its Domain Admins, Enterprise Admins and other domain SIDs resolve
// here.
std::string vector_sd(const std::string& name) {
  auto raw = util::base64_decode(
      util::trim(test::read_text(test::vector_path("onprem/security-descriptors/" + name + ".b64"))));
  REQUIRE(raw.ok());
  const auto from =
      parsers::parse_sid_string("S-1-5-21-3130019616-2776909439-2417379446")->to_binary().substr(8);
  const auto to = parsers::parse_sid_string(test::kTestDomainSid)->to_binary().substr(8);
  REQUIRE(from.size() == to.size());
  std::size_t swapped = 0;
  for (auto pos = raw->find(from); pos != std::string::npos;
       pos = raw->find(from, pos + to.size()), ++swapped)
    raw->replace(pos, from.size(), to);
  REQUIRE(swapped > 0);
  return "nTSecurityDescriptor:: " + util::base64_encode(*raw) + "\n";
}

std::string ou(const std::string& dn, const std::string& extra) {
  return "dn: " + dn +
         "\nobjectClass: top\nobjectClass: organizationalUnit\ninstanceType: 4\nuSNChanged: 2000\n" + extra +
         "\n";
}
}  // namespace

TEST_CASE("ad.privileged-object-acl flags AddMember on Domain Admins for an ordinary user", "[checks][ad]") {
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200));
  ldif = with_attrs(
      ldif, "CN=Domain Admins," + kUsers,
      test::sd_line("O:DAG:DAD:AI" + kDefaultAces + "(OA;;WP;" + kMemberGuid + ";;" + kHelpdesk + ")"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "Domain Admins");
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == kHelpdesk);
  CHECK(f.message == kHelpdesk + " (helpdesk) can take over privileged group Domain Admins (AddMember)");
  CHECK(f.evidence["object_kind"] == "privileged_group");
  CHECK(f.evidence["tier0"] == true);
  CHECK(f.evidence["trustee"] == kHelpdesk);
  CHECK(f.evidence["trustee_name"] == "helpdesk");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"AddMember"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{"(OA;;WP;" + kMemberGuid + ";;" + kHelpdesk + ")"});
  CHECK(f.evidence["inherited"] == false);
  CHECK_FALSE(f.evidence.contains("inherited_from"));
  CHECK(r.notes.empty());
}

TEST_CASE("ad.privileged-object-acl: AddSelf and AddMember in a real Windows group descriptor",
          "[checks][ad]") {
  // SharpHound's AddMemberSecurityDescriptor: SW Self-Membership to RID 2606, WP member to RID 2119, the
  // rest Windows defaults (Account Operators, Enterprise Admins, SELF, Enterprise DCs, ...).
  auto ldif = with_attrs(test::base_domain_ldif(), "CN=Domain Admins," + kUsers,
                         vector_sd("group_with_addself_and_addmember"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  std::map<std::string, const model::Finding*> by;
  for (const auto& f : r.findings) by[f.evidence_key] = &f;
  REQUIRE(by.count(sid_of(2606)) == 1);
  REQUIRE(by.count(sid_of(2119)) == 1);
  CHECK(by[sid_of(2606)]->evidence["rights"] == std::vector<std::string>{"AddSelf"});
  CHECK(by[sid_of(2606)]->evidence["trustee_name"] == "unresolved");
  CHECK(by[sid_of(2119)]->evidence["rights"] == std::vector<std::string>{"AddMember"});
  CHECK(by[sid_of(2119)]->evidence["aces"] ==
        std::vector<std::string>{"(OA;;WP;" + kMemberGuid + ";;" + sid_of(2119) + ")"});
  for (const auto& f : r.findings) CHECK(f.severity == Severity::critical);
}

TEST_CASE("ad.privileged-object-acl is clean on Windows' default user descriptors (real vectors)",
          "[checks][ad]") {
  // An AdminSDHolder-stamped admin and an ordinary inheriting user whose inherited DCSync ACEs are
  // ad.dcsync-rights' business, not this check's; both descriptors put on tier-0 accounts.
  auto ldif = with_attrs(test::base_domain_ldif(), "CN=Administrator," + kUsers,
                         vector_sd("protected_user_adminsdholder_stamped"));
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, vector_sd("unprotected_user_with_inherited_dcsync"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
  auto owner = test::run_check("ad.privileged-object-owner", test::snapshot_from_ldif(ldif));
  CHECK(owner.status == CheckStatus::passed);
}

TEST_CASE("ad.privileged-object-acl: DC, krbtgt and the Domain Controllers OU", "[checks][ad]") {
  const std::string dc_ou = "OU=Domain Controllers," + kDomain;
  auto ldif = test::base_domain_ldif(
      test::user("helpdesk", 1105, 0x200) +
      ou(dc_ou, test::sd_line("O:DAG:DAD:" + kDefaultAces + "(OA;;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;;" +
                              kHelpdesk + ")")));
  ldif = with_attrs(ldif, "CN=DC1," + dc_ou,
                    test::sd_line("O:DAG:DAD:" + kDefaultAces +
                                  "(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;" + kHelpdesk + ")"));
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers,
                    test::sd_line("O:DAG:DAD:" + kDefaultAces + "(A;;RCWPSW;;;AU)"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 3);

  auto dc = r.for_name("DC1$");
  REQUIRE(dc.size() == 1);
  CHECK(dc[0]->severity == Severity::critical);
  CHECK(dc[0]->evidence["object_kind"] == "domain_controller");
  CHECK(dc[0]->evidence["rights"] == std::vector<std::string>{"ForceChangePassword"});
  CHECK(dc[0]->message ==
        kHelpdesk + " (helpdesk) can take over domain controller DC1$ (ForceChangePassword)");

  auto krbtgt = r.for_name("krbtgt");
  REQUIRE(krbtgt.size() == 1);
  CHECK(krbtgt[0]->evidence["object_kind"] == "krbtgt");
  CHECK(krbtgt[0]->evidence["trustee"] == "S-1-5-11");
  CHECK(krbtgt[0]->evidence["trustee_name"] == "Authenticated Users");
  CHECK(krbtgt[0]->evidence["trustee_scope"] == "everyone");
  // RC|WP|SW is GenericWrite; the helper also names the write-all-properties and validated-writes bits it
  // holds.
  CHECK(krbtgt[0]->evidence["rights"] ==
        std::vector<std::string>{"GenericWrite", "WriteAllProperties", "AllValidatedWrites"});

  const model::Finding* ouf = nullptr;
  for (const auto& f : r.findings)
    if (util::iequals(f.resource.dn, dc_ou)) ouf = &f;
  REQUIRE(ouf != nullptr);
  CHECK(ouf->severity == Severity::critical);
  CHECK(ouf->evidence["object_kind"] == "domain_controllers_ou");
  CHECK(ouf->evidence["rights"] == std::vector<std::string>{"WriteGPLink"});
}

TEST_CASE("ad.privileged-object-acl traces an OU's inheritable ACE on every admin below it", "[checks][ad]") {
  const std::string admins_ou = "OU=Admins," + kDomain;
  const std::string inherited =
      test::sd_line("O:DAG:DAD:AI(A;CIID;" + kFull + ";;;" + kHelpdesk + ")" + kDefaultAces);
  auto ldif = test::base_domain_ldif(
      test::user("helpdesk", 1105, 0x200) +
      ou(admins_ou, test::sd_line("O:DAG:DAD:(A;CI;" + kFull + ";;;" + kHelpdesk + ")" + kDefaultAces)) +
      user_at("adm-a", admins_ou, 1110, inherited) + user_at("adm-b", admins_ou, 1111, inherited));
  ldif = with_attrs(ldif, "CN=Domain Admins," + kUsers,
                    "member: CN=adm-a," + admins_ou + "\nmember: CN=adm-b," + admins_ou + "\n");
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  for (const char* name : {"adm-a", "adm-b"}) {
    INFO(name);
    auto f = r.for_name(name);
    REQUIRE(f.size() == 1);
    CHECK(f[0]->severity == Severity::critical);
    CHECK(f[0]->evidence["object_kind"] == "privileged_account");
    CHECK(f[0]->evidence["privileged_groups"].size() >= 1);
    CHECK(f[0]->evidence["rights"] == std::vector<std::string>{"GenericAll"});
    CHECK(f[0]->evidence["inherited"] == true);
    CHECK(f[0]->evidence["inherited_from"] == admins_ou);
  }
  CHECK(r.findings[0].finding_id != r.findings[1].finding_id);
}

TEST_CASE("ad.privileged-object-acl ignores placeholders, tier-0 trustees and rights that take nothing over",
          "[checks][ad]") {
  const std::string sddl =
      "O:DAG:DAD:AI" + kDefaultAces +
      "(OA;;SW;f3a64788-5306-11d1-a9c5-0000f80367c1;;PS)"  // SELF: validated SPN write
      "(A;;" +
      kFull +
      ";;;CO)"  // CREATOR OWNER
      "(A;;" +
      kFull +
      ";;;AO)"  // Account Operators (tier 0)
      "(OA;;WP;5b47d60f-6090-40b2-9f37-2a4de88f3063;;" +
      sid_of(526) +
      ")"  // Key Admins (tier 0)
      "(A;;" +
      kFull +
      ";;;ED)"  // Enterprise Domain Controllers
      "(OA;;WP;bf967a7f-0de6-11d0-a285-00aa003049e2;;" +
      sid_of(517) +
      ")"                                                            // Cert Publishers: userCertificate
      "(OA;;RP;46a9b11d-60ae-405a-b7e8-ff8a58d456d2;;S-1-5-32-560)"  // WAAG: tokenGroups read
      "(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)"            // Everyone: change (not reset) password
      "(A;CIIO;" +
      kFull + ";;;" + kHelpdesk +
      ")"  // inherit-only: children only
      "(OA;CIID;" +
      kFull + ";;bf967a86-0de6-11d0-a285-00aa003049e2;" + kHelpdesk +
      ")"  // computers only
      "(OA;;WP;" +
      kMemberGuid + ";;" + kHelpdesk +
      ")"  // 'member' write on a user: no meaning
      "(D;;" +
      kFull + ";;;" + sid_of(1106) + ")";  // deny
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200));
  ldif = with_attrs(ldif, "CN=Administrator," + kUsers, test::sd_line(sddl));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.privileged-object-acl: high on an adminCount=1 leftover, the account itself ignored",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(
      test::user("helpdesk", 1105, 0x200) +
      test::user("former-admin", 1120, 0x200,
                 "adminCount: 1\n" + test::sd_line("O:DAG:DAD:P" + kDefaultAces + "(A;;" + kFull + ";;;" +
                                                   kHelpdesk + ")(A;;WP;;;" + sid_of(1120) + ")")));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "former-admin");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence["object_kind"] == "admincount_account");
  CHECK(f.evidence["tier0"] == false);
  CHECK(f.evidence["trustee"] == kHelpdesk);
}

TEST_CASE("ad.privileged-object-acl: a null DACL is full control for everyone", "[checks][ad]") {
  auto ldif = with_attrs(test::base_domain_ldif(), "CN=Domain Admins," + kUsers,
                         test::sd_line("O:DAG:DAD:NO_ACCESS_CONTROL"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence_key == "null-dacl");
  CHECK(r.findings[0].evidence["trustee"] == "S-1-1-0");
  CHECK(r.findings[0].evidence["trustee_scope"] == "everyone");
  CHECK_THAT(r.findings[0].message, Catch::Contains("null DACL"));
}

TEST_CASE("ad.privileged-object-acl notes an undecodable descriptor and carries on", "[checks][ad]") {
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200));
  ldif = with_attrs(
      ldif, "CN=Domain Admins," + kUsers,
      "nTSecurityDescriptor:: " + util::base64_encode(std::string("\x01\x00\x04\x80\x14\x00", 6)) + "\n");
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers,
                    test::sd_line("O:DAG:DAD:" + kDefaultAces + "(A;;WD;;;" + kHelpdesk + ")"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "krbtgt");
  CHECK(r.findings[0].evidence["rights"] == std::vector<std::string>{"WriteDacl"});
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("CN=Domain Admins"));
}

TEST_CASE("ad.privileged-object-acl on the Samba lab: defaults are silent, only the plants show",
          "[checks][ad][lab]") {
  const auto& lab = test::lab_snapshot();
  auto r = test::run_check(kId, lab);
  CHECK(r.notes.empty());
  // Samba's provisioned ACLs on tier-0 objects grant nothing to a principal outside tier 0 (SELF, Cert
  // Publishers, Windows Authorization Access Group, Terminal Server License Servers and Pre-Windows 2000
  // Compatible Access rights are not takeover rights). tests/dc/plant-lab.sh adds two ACEs (the lab export
  // with them carries the it-support account): Helpdesk may add members to Domain Admins, bob may reset
  // adm-sql's password.
  if (!lab.find_dn("CN=it-support,CN=Users,DC=lab,DC=adpersist,DC=test")) {
    for (const auto& f : r.findings) {
      INFO(f.resource.dn << ": " << f.message);
      CHECK(f.severity < Severity::high);
    }
    CHECK(r.status == CheckStatus::passed);
    return;
  }
  for (const auto& f : r.findings) UNSCOPED_INFO(f.resource.dn << ": " << f.message);
  CHECK(r.findings.size() == 2);
  auto da = r.for_name("Domain Admins");
  REQUIRE(da.size() == 1);
  CHECK(da[0]->severity == Severity::critical);
  CHECK(da[0]->evidence["trustee_name"] == "Helpdesk");
  CHECK(da[0]->evidence["rights"] == std::vector<std::string>{"AddMember"});
  auto sql = r.for_name("adm-sql");
  REQUIRE(sql.size() == 1);
  CHECK(sql[0]->severity == Severity::critical);
  CHECK(sql[0]->evidence["trustee_name"] == "bob");
  CHECK(sql[0]->evidence["rights"] == std::vector<std::string>{"ForceChangePassword"});
}

TEST_CASE("ad.privileged-object-acl is not evaluated without nTSecurityDescriptor", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::export_requesting(
      "objectClass cn sAMAccountName objectSid userAccountControl member adminCount", ""));
  auto r = test::run_check(kId, snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
}

TEST_CASE(
    "ad.privileged-object-acl: objects sharing one undecodable descriptor are each noted by their own DN",
    "[checks][ad]") {
  // The descriptor table parses a shared value once; the note must still name the object being judged, not
  // the first object that carried the value.
  const std::string bad =
      "nTSecurityDescriptor:: " + util::base64_encode(std::string("\x01\x00\x04\x80\x14\x00", 6)) + "\n";
  auto ldif = with_attrs(test::base_domain_ldif(), "CN=Domain Admins," + kUsers, bad);
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, bad);
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.notes.size() == 2);
  std::set<std::string> named;
  for (const auto& n : r.notes) {
    CHECK_THAT(n, Catch::Contains(" attribute nTSecurityDescriptor does not decode: "));
    for (const auto& dn : {"CN=Domain Admins," + kUsers, "CN=krbtgt," + kUsers})
      if (n.find(": " + dn + " attribute") != std::string::npos) named.insert(dn);
  }
  CHECK(named.size() == 2);
}
