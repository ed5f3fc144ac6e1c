#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::sid_of;

const std::string kId = "ad.gpo-control";
const std::string kHelpdesk = sid_of(1106);
const std::string kPolicies = "CN=Policies,CN=System," + kDomain;
const std::string kDcOu = "OU=Domain Controllers," + kDomain;
const std::string kConfig = "CN=Configuration," + kDomain;
const std::string kSite = "CN=Default-First-Site-Name,CN=Sites," + kConfig;
const std::string kGuid = "{0F3D9D6E-5C1B-4E7A-9F11-2B3C4D5E6F70}";
const std::string kGpo = "CN=" + kGuid + "," + kPolicies;
const std::string kGpcFileSysPath = "f30e3bc1-9ff0-11d1-b603-0000f80367c1";

// What Windows (and Samba) put on a GPO: Domain/Enterprise Admins and SYSTEM edit, CREATOR OWNER for
// children, Authenticated Users read and apply, Enterprise Domain Controllers read.
const std::string kDefaultGpoSd =
    "O:DAG:DAD:PAI(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)(A;CIIO;"
    "CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)(A;"
    "CI;LCRPLORC;;;AU)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;CI;LCRPLORC;;;ED)";

std::string link(const std::string& gpo_dn, int options = 0) {
  return "gPLink: [LDAP://" + gpo_dn + ";" + std::to_string(options) + "]\n";
}

std::string gpo(const std::string& guid, const std::string& name, const std::string& extra_aces,
                const std::string& owner = "DA", const std::string& path = "") {
  const std::string p =
      path.empty() ? "\\\\corp.example.test\\SysVol\\corp.example.test\\Policies\\" + guid : path;
  std::string sd = kDefaultGpoSd;
  sd.replace(2, 2, owner);
  return "dn: CN=" + guid + "," + kPolicies +
         "\nobjectClass: top\nobjectClass: container\nobjectClass: groupPolicyContainer\ncn: " + guid +
         "\ndisplayName: " + name + "\ngPCFileSysPath: " + p + "\nflags: 0\nversionNumber: 3\n" +
         test::sd_line(sd + extra_aces) + "instanceType: 4\nuSNChanged: 2000\n\n";
}

std::string ou(const std::string& dn, const std::string& extra) {
  const auto name = dn.substr(3, dn.find(',') - 3);
  return "dn: " + dn + "\nobjectClass: top\nobjectClass: organizationalUnit\nou: " + name + "\n" + extra +
         "instanceType: 4\nuSNChanged: 2000\n\n";
}

std::string configuration(const std::string& site_extra) {
  const std::string tail = "instanceType: 4\nuSNChanged: 1000\n\n";
  return "dn: " + kConfig + "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n" + tail +
         "dn: CN=Sites," + kConfig + "\nobjectClass: top\nobjectClass: sitesContainer\ncn: Sites\n" + tail +
         "dn: " + kSite + "\nobjectClass: top\nobjectClass: site\ncn: Default-First-Site-Name\n" +
         site_extra + tail;
}

// The test domain with the planted GPO `gpo_record`, the DC OU carrying `dc_ou_links` and a Workstations OU
// carrying `ws_links`, plus the configuration NC with a site carrying `site_links`.
model::Snapshot domain(const std::string& gpo_record, const std::string& dc_ou_links,
                       const std::string& ws_links = "", const std::string& site_links = "") {
  return test::snapshot_from_ldif(test::base_domain_ldif(
      test::user("helpdesk", 1106, 0x200) + ou(kDcOu, dc_ou_links) +
      ou("OU=Workstations," + kDomain, ws_links) + gpo_record + configuration(site_links)));
}

const std::string kEditAce = "(A;CI;RPWPCCDCLCLORCSW;;;" + kHelpdesk + ")";
}  // namespace

TEST_CASE("ad.gpo-control flags a helpdesk account that can edit a GPO linked to the DC OU",
          "[checks][ad][ad.gpo-control]") {
  auto r = test::run_check(kId, domain(gpo(kGuid, "DC Hardening", kEditAce), link(kGpo)));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.dn == kGpo);
  CHECK(f.resource.type == "groupPolicyContainer");
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == kHelpdesk);
  CHECK(f.message ==
        "GPO 'DC Hardening' " + kGuid + " (linked where it applies to the domain controllers): " + kHelpdesk +
            " (helpdesk) holds GenericWrite, WriteAllProperties on it and can make it run code on the "
            "computers it applies to");
  CHECK(f.evidence["gpo_guid"] == kGuid);
  CHECK(f.evidence["gpo_name"] == "DC Hardening");
  CHECK(f.evidence["links"] == std::vector<std::string>{kDcOu + " (domain-controllers)"});
  CHECK(f.evidence["link_scope"] == "domain-controllers");
  CHECK(f.evidence["trustee"] == kHelpdesk);
  CHECK(f.evidence["trustee_name"] == "helpdesk");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"GenericWrite", "WriteAllProperties"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{"(A;CI;CCDCLCSWRPWPLORC;;;" + kHelpdesk + ")"});
  CHECK(f.evidence["inherited"] == false);
  CHECK(r.notes.empty());
}

TEST_CASE("ad.gpo-control ranks a GPO by where it is linked", "[checks][ad][ad.gpo-control]") {
  struct Case {
    std::string dc, ws, site, head;
    std::string scope;
    Severity sev;
  };
  for (const auto& c : {
           Case{"", "", "", link(kGpo, 2), "domain", Severity::critical},
           Case{"", "", link(kGpo), "", "site", Severity::high},
           Case{"", link(kGpo), "", "", "ou", Severity::medium},
           Case{"", "", "", "", "unlinked", Severity::low},
           Case{link(kGpo, 1), "", "", "", "unlinked", Severity::low},  // the only link is disabled
           Case{link(kGpo, 1), link(kGpo), "", "", "ou", Severity::medium},
       }) {
    INFO(c.scope << " " << c.dc << c.ws << c.site << c.head);
    auto ldif = test::base_domain_ldif(test::user("helpdesk", 1106, 0x200) + ou(kDcOu, c.dc) +
                                       ou("OU=Workstations," + kDomain, c.ws) +
                                       gpo(kGuid, "Baseline", kEditAce) + configuration(c.site));
    if (!c.head.empty()) ldif.insert(ldif.find("dn: " + kDomain + "\n") + kDomain.size() + 5, c.head);
    auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].evidence["link_scope"] == c.scope);
    CHECK(r.findings[0].severity == c.sev);
  }
}

TEST_CASE("ad.gpo-control: an OU holding a DC is the DC scope, and links are listed",
          "[checks][ad][ad.gpo-control]") {
  // A DC moved into a Tier0 OU: a GPO linked there applies to it.
  const std::string tier0 = "OU=Tier0," + kDomain;
  auto ldif = test::base_domain_ldif(
      test::user("helpdesk", 1106, 0x200) +
      ou(tier0, "gPLink: [LDAP://" + kGpo + ";0][LDAP://CN={00000000-0000-0000-0000-000000000000}," +
                    kPolicies + ";0][LDAP://" + kGpo + ";1]\n") +
      "dn: CN=DC2," + tier0 +
      "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
      "objectClass: user\nobjectClass: computer\ncn: DC2\nsAMAccountName: DC2$\nobjectSid:: " +
      test::sid_b64(sid_of(1001)) +
      "\nuserAccountControl: 532480\nprimaryGroupID: 516\ninstanceType: 4\n"
      "uSNChanged: 2000\n\n" +
      gpo(kGuid, "Tier0 servers", kEditAce) + configuration(""));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["link_scope"] == "domain-controllers");
  CHECK(r.findings[0].evidence["links"] ==
        std::vector<std::string>{tier0 + " (domain-controllers)", tier0 + " (domain-controllers, disabled)"});
}

TEST_CASE("ad.gpo-control: everyone-like trustees are one step worse", "[checks][ad][ad.gpo-control]") {
  auto r = test::run_check(kId, domain(gpo(kGuid, "Workstations", "(A;CI;WP;;;AU)"), "", link(kGpo)));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::high);
  CHECK(r.findings[0].evidence["trustee_scope"] == "everyone");
  CHECK(r.findings[0].evidence["rights"] == std::vector<std::string>{"WriteAllProperties"});
}

TEST_CASE("ad.gpo-control: write gPCFileSysPath alone, and a non-tier-0 owner",
          "[checks][ad][ad.gpo-control]") {
  auto r = test::run_check(kId, domain(gpo(kGuid, "Default Domain Controllers Policy",
                                           "(OA;;WP;" + kGpcFileSysPath + ";;" + kHelpdesk + ")", kHelpdesk),
                                       link(kGpo)));
  REQUIRE(r.findings.size() == 2);
  const model::Finding* ace = nullptr;
  const model::Finding* owner = nullptr;
  for (const auto& f : r.findings) (f.evidence_key == "owner" ? owner : ace) = &f;
  REQUIRE(ace != nullptr);
  REQUIRE(owner != nullptr);
  CHECK(ace->severity == Severity::critical);
  CHECK(ace->evidence["rights"] == std::vector<std::string>{"WriteGPCFileSysPath"});
  CHECK(owner->severity == Severity::critical);
  CHECK(owner->evidence["trustee"] == kHelpdesk);
  CHECK(owner->evidence["rights"] == std::vector<std::string>{"Owner"});
  CHECK(owner->message ==
        "GPO 'Default Domain Controllers Policy' " + kGuid +
            " (linked where it applies to the domain controllers) is owned by " + kHelpdesk +
            " (helpdesk), which is not tier 0: the owner can rewrite its DACL and settings at any time");
}

TEST_CASE("ad.gpo-control flags a gPCFileSysPath outside SYSVOL", "[checks][ad][ad.gpo-control]") {
  auto r = test::run_check(
      kId, domain(gpo(kGuid, "Logon scripts", "", "DA", "\\\\fileserver.corp.example.test\\share\\" + kGuid),
                  link(kGpo)));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.evidence_key == "filesyspath");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence["gpc_file_sys_path"] == "\\\\fileserver.corp.example.test\\share\\" + kGuid);
  CHECK(f.evidence["expected_prefix"] == "\\\\corp.example.test\\SysVol\\corp.example.test\\Policies\\");
  CHECK_THAT(f.message,
             Catch::StartsWith("GPO 'Logon scripts' " + kGuid +
                               " (linked where it applies to the domain controllers) reads its settings "
                               "from \\\\fileserver.corp.example.test\\share\\"));

  // Case does not matter (Samba writes "sysvol").
  auto lower =
      test::run_check(kId, domain(gpo(kGuid, "x", "", "DA",
                                      "\\\\CORP.example.test\\sysvol\\corp.example.test\\policies\\" + kGuid),
                                  link(kGpo)));
  CHECK(lower.findings.empty());
}

TEST_CASE("ad.gpo-control ignores admins, CREATOR OWNER, read/apply and inherit-only ACEs",
          "[checks][ad][ad.gpo-control]") {
  const std::string gpco = sid_of(520);
  auto r = test::run_check(
      kId, domain(test::group("Group Policy Creator Owners", 520, {}) +
                      gpo(kGuid, "Default Domain Policy",
                          "(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;" + gpco + ")(A;CI;RPLCLORC;;;" + kHelpdesk +
                              ")(A;CIIO;WPWD;;;" + kHelpdesk +
                              ")(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;" + kHelpdesk + ")",
                          "DA"),
                  link(kGpo)));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.gpo-control finds the lab's planted GPO delegation and nothing else",
          "[checks][ad][ad.gpo-control]") {
  // fixtures/lab: (A;;RPWPSWRC;;;Helpdesk) on the Default Domain Controllers Policy; the Default Domain
  // Policy keeps Samba's default ACL and both GPOs point into SYSVOL.
  auto lab = test::run_check(kId, test::lab_snapshot());
  REQUIRE(lab.findings.size() == 1);
  CHECK(lab.notes.empty());
  const auto& f = lab.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["gpo_name"] == "Default Domain Controllers Policy");
  CHECK(f.evidence["gpo_guid"] == "{6AC1786C-016F-11D2-945F-00C04FB984F9}");
  CHECK(f.evidence["link_scope"] == "domain-controllers");
  CHECK(f.evidence["links"] ==
        std::vector<std::string>{"OU=Domain Controllers,DC=lab,DC=adpersist,DC=test (domain-controllers)"});
  CHECK(f.evidence["trustee_name"] == "Helpdesk");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"GenericWrite", "WriteAllProperties"});
}

TEST_CASE("ad.gpo-control without the configuration NC notes that site links were not seen",
          "[checks][ad][ad.gpo-control]") {
  auto r = test::run_check(kId, test::snapshot_from_ldif(test::base_domain_ldif(
                                    test::user("helpdesk", 1106, 0x200) + ou(kDcOu, link(kGpo)) +
                                    gpo(kGuid, "DC Hardening", kEditAce))));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("GPO links on sites were not seen"));
}

TEST_CASE("ad.gpo-control is not evaluated without nTSecurityDescriptor", "[checks][ad][ad.gpo-control]") {
  auto r =
      test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                               "objectClass cn displayName gPLink gPCFileSysPath", ou(kDcOu, link(kGpo)))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
}
