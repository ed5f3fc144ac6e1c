#include <catch2/catch.hpp>

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

const std::string kId = "ad.privileged-object-owner";
const std::string kHelpdesk = sid_of(1105);
const std::string kDacl = "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(A;;RPLCLORC;;;AU)";
const std::string kPolicies = "CN=Policies,CN=System," + kDomain;

std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

std::string gpo(const std::string& guid, const std::string& name, const std::string& owner) {
  return "dn: CN={" + guid + "}," + kPolicies +
         "\nobjectClass: top\nobjectClass: container\nobjectClass: groupPolicyContainer\ncn: {" + guid +
         "}\ndisplayName: " + name + "\ninstanceType: 4\nuSNChanged: 2000\n" +
         test::sd_line("O:" + owner + "G:DA" + kDacl) + "\n";
}

// An OU whose gPLink names the GPO `linked_guid` (so gPLink counts as collected).
std::string linking_ou(const std::string& linked_guid) {
  return "dn: OU=Workstations," + kDomain +
         "\nobjectClass: top\nobjectClass: organizationalUnit\n"
         "gPLink: [LDAP://cn={" +
         linked_guid + "},cn=policies,cn=system," + util::to_lower(kDomain) +
         ";0]\ninstanceType: 4\nuSNChanged: 2000\n\n";
}
}  // namespace

TEST_CASE("ad.privileged-object-owner flags a domain controller owned by a helpdesk account",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200));
  ldif = with_attrs(ldif, "CN=DC1,OU=Domain Controllers," + kDomain,
                    test::sd_line("O:" + kHelpdesk + "G:DA" + kDacl));
  ldif = with_attrs(ldif, "CN=Domain Admins," + kUsers, test::sd_line("O:DAG:DA" + kDacl));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "DC1$");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == kHelpdesk);
  CHECK(f.message == "domain controller DC1$ is owned by " + kHelpdesk +
                         " (helpdesk), which is not tier 0 and can rewrite its DACL at any time");
  CHECK(f.evidence["object_kind"] == "domain_controller");
  CHECK(f.evidence["tier0"] == true);
  CHECK(f.evidence["owner"] == kHelpdesk);
  CHECK(f.evidence["owner_name"] == "helpdesk");
  CHECK(f.evidence["owner_scope"] == "principal");
  CHECK_FALSE(f.evidence.contains("owner_rights_restricted"));
  CHECK(r.notes.empty());
}

TEST_CASE("ad.privileged-object-owner: critical for an everyone-like owner, medium under OWNER RIGHTS",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200));
  ldif = with_attrs(ldif, "CN=Domain Admins," + kUsers, test::sd_line("O:AUG:DA" + kDacl));
  // OWNER RIGHTS limited to read: the owner keeps no implicit WriteDacl.
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers,
                    test::sd_line("O:" + kHelpdesk + "G:DA" + kDacl + "(A;;RC;;;OW)"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  auto da = r.for_name("Domain Admins");
  REQUIRE(da.size() == 1);
  CHECK(da[0]->severity == Severity::critical);
  CHECK(da[0]->evidence["owner"] == "S-1-5-11");
  CHECK(da[0]->evidence["owner_scope"] == "everyone");
  auto k = r.for_name("krbtgt");
  REQUIRE(k.size() == 1);
  CHECK(k[0]->severity == Severity::medium);
  CHECK(k[0]->evidence["object_kind"] == "krbtgt");
  CHECK(k[0]->evidence["owner_rights_restricted"] == true);
  CHECK_THAT(k[0]->message, Catch::Contains("OWNER RIGHTS"));
}

TEST_CASE("ad.privileged-object-owner: GPOs, high when linked and medium when not", "[checks][ad]") {
  const std::string linked = "6AC1786C-016F-11D2-945F-00C04FB984F9";
  const std::string unlinked = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
  const std::string clean = "31B2F340-016D-11D2-945F-00C04FB984F9";
  auto ldif = test::base_domain_ldif(test::user("helpdesk", 1105, 0x200) + linking_ou(linked) +
                                     gpo(linked, "Workstation baseline", kHelpdesk) +
                                     gpo(unlinked, "Test policy", kHelpdesk) +
                                     gpo(clean, "Default Domain Policy", "DA"));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  auto by_gpo = [&](const std::string& guid) -> const model::Finding* {
    for (const auto& f : r.findings)
      if (util::istarts_with(f.resource.dn, "CN={" + guid + "}")) return &f;
    return nullptr;
  };
  const auto* l = by_gpo(linked);
  REQUIRE(l != nullptr);
  CHECK(l->severity == Severity::high);
  CHECK(l->evidence["object_kind"] == "gpo");
  CHECK(l->evidence["linked"] == true);
  CHECK(l->evidence["gpo_name"] == "Workstation baseline");
  CHECK(l->message == "GPO Workstation baseline is owned by " + kHelpdesk +
                          " (helpdesk), which is not tier 0 and can rewrite its DACL at any time");
  const auto* u = by_gpo(unlinked);
  REQUIRE(u != nullptr);
  CHECK(u->severity == Severity::medium);
  CHECK(u->evidence["linked"] == false);
}

TEST_CASE("ad.privileged-object-owner is clean when tier 0 owns tier-0 objects; ordinary objects ignored",
          "[checks][ad]") {
  auto ldif = test::base_domain_ldif(
      test::user("helpdesk", 1105, 0x200) +
      // An ordinary workstation joined by a user: the user owns it, by design.
      test::computer("WS1", 1130, 0x1000, test::sd_line("O:" + kHelpdesk + "G:DA" + kDacl)) +
      // A member of Domain Admins as owner counts as tier 0.
      test::user("adm-x", 1131, 0x200));
  ldif = with_attrs(ldif, "CN=Domain Admins," + kUsers,
                    "member: CN=adm-x," + kUsers + "\n" + test::sd_line("O:DAG:DA" + kDacl));
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, test::sd_line("O:" + sid_of(1131) + "G:DA" + kDacl));
  ldif = with_attrs(ldif, "CN=Administrators,CN=Builtin," + kDomain, test::sd_line("O:BAG:BA" + kDacl));
  ldif = with_attrs(ldif, "CN=DC1,OU=Domain Controllers," + kDomain, test::sd_line("O:SYG:DA" + kDacl));
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.privileged-object-owner on the Samba lab: defaults are silent, only the plant shows",
          "[checks][ad][lab]") {
  const auto& lab = test::lab_snapshot();
  auto r = test::run_check(kId, lab);
  CHECK(r.notes.empty());
  // Samba makes Domain Admins the owner of what it provisions and of what Administrator creates.
  // tests/dc/plant-lab.sh (the export with the it-support account) hands adm-cert's ownership to alice.
  if (!lab.find_dn("CN=it-support,CN=Users,DC=lab,DC=adpersist,DC=test")) {
    for (const auto& f : r.findings) UNSCOPED_INFO(f.resource.dn << ": " << f.message);
    CHECK(r.findings.empty());
    CHECK(r.status == CheckStatus::passed);
    return;
  }
  for (const auto& f : r.findings) UNSCOPED_INFO(f.resource.dn << ": " << f.message);
  CHECK(r.findings.size() == 1);
  auto cert = r.for_name("adm-cert");
  REQUIRE(cert.size() == 1);
  CHECK(cert[0]->severity == Severity::high);
  CHECK(cert[0]->evidence["owner_name"] == "alice");
}

TEST_CASE("ad.privileged-object-owner is not evaluated without owners", "[checks][ad]") {
  SECTION("nTSecurityDescriptor not exported") {
    auto r =
        test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                                 "objectClass cn sAMAccountName objectSid userAccountControl member", "")));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
  }
  SECTION("descriptors exported without the owner (SD flags 4: DACL only)") {
    auto ldif = with_attrs(test::base_domain_ldif(), "CN=Domain Admins," + kUsers, test::sd_line(kDacl));
    auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("owner"));
  }
}
