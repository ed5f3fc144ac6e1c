#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::kUsers;
using test::sid_of;

const std::string kId = "ad.domain-root-acl";
const std::string kHelpdesk = sid_of(1106);
const std::string kGpLink = "f30e3bbe-9ff0-11d1-b603-0000f80367c1";
const std::string kKeyCredentialLink = "5b47d60f-6090-40b2-9f37-2a4de88f3063";

// A Windows-like domain head DACL: admins' control, Key Admins' and Enterprise Key Admins'
// msDS-KeyCredentialLink write (Windows Server 2016 and later), replication rights for DCs and
// Administrators, reads for everybody.
const std::string kDefaultDacl =
    "D:AI(OA;;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;ED)(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;BA)"
    "(OA;CI;RPWP;" +
    kKeyCredentialLink + ";;" + sid_of(526) + ")(OA;CI;RPWP;" + kKeyCredentialLink + ";;" + sid_of(527) +
    ")(A;;CCLCSWRPWPLOCRRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)(A;CI;CCLCSWRPWPLOCRSDRCWDWO;;;BA)("
    "A;;RPRC;;;RU)(A;CI;LC;;;RU)(A;;RP;;;WD)(A;;LCRPLORC;;;ED)(A;;LCRPLORC;;;AU)(A;;"
    "CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(OA;CIIO;RPWPCR;91e647de-d96f-4b70-9557-d63ff4f3ccd8;;PS)";

std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

model::Snapshot snap(const std::string& extra_aces, const std::string& owner = "BA",
                     const std::string& records = "") {
  return test::snapshot_from_ldif(
      with_attrs(test::base_domain_ldif(test::user("helpdesk", 1106, 0x200) + records), kDomain,
                 test::sd_line("O:" + owner + "G:BA" + kDefaultDacl + extra_aces)));
}
}  // namespace

TEST_CASE("ad.domain-root-acl flags WriteDacl on the domain head for an ordinary account",
          "[checks][ad][ad.domain-root-acl]") {
  auto r = test::run_check(kId, snap("(A;;WD;;;" + kHelpdesk + ")"));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.dn == kDomain);
  CHECK(f.resource.type == "domain");
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == kHelpdesk);
  CHECK(f.message == kHelpdesk +
                         " (helpdesk) holds WriteDacl on the domain head: it can grant itself DCSync or "
                         "full control of the domain at any time");
  CHECK(f.evidence["trustee"] == kHelpdesk);
  CHECK(f.evidence["trustee_name"] == "helpdesk");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"WriteDacl"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{"(A;;WD;;;" + kHelpdesk + ")"});
  CHECK(f.evidence["inherited"] == false);
  CHECK_FALSE(f.evidence.contains("exchange_windows_permissions"));
  CHECK(r.notes.empty());
}

TEST_CASE("ad.domain-root-acl: each dangerous right, and gPLink write alone is high",
          "[checks][ad][ad.domain-root-acl]") {
  struct Case {
    std::string ace;
    std::vector<std::string> rights;
    Severity sev;
  };
  for (const auto& c :
       {Case{"(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + kHelpdesk + ")", {"GenericAll"}, Severity::critical},
        Case{"(A;;WO;;;" + kHelpdesk + ")", {"WriteOwner"}, Severity::critical},
        Case{"(A;;WP;;;" + kHelpdesk + ")", {"WriteAllProperties"}, Severity::critical},
        Case{"(A;;RCWPSW;;;" + kHelpdesk + ")", {"GenericWrite", "WriteAllProperties"}, Severity::critical},
        Case{"(OA;;WP;" + kGpLink + ";;" + kHelpdesk + ")", {"WriteGPLink"}, Severity::high}}) {
    INFO(c.ace);
    auto r = test::run_check(kId, snap(c.ace));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == c.sev);
    CHECK(r.findings[0].evidence["rights"] == c.rights);
  }
  auto gplink = test::run_check(kId, snap("(OA;;WP;" + kGpLink + ";;" + kHelpdesk + ")"));
  CHECK(gplink.findings[0].message == kHelpdesk +
                                          " (helpdesk) holds WriteGPLink on the domain head: it can link "
                                          "any Group Policy object to every computer of the domain");
}

TEST_CASE("ad.domain-root-acl: Authenticated Users with write-all-properties",
          "[checks][ad][ad.domain-root-acl]") {
  auto r = test::run_check(kId, snap("(A;;WP;;;AU)"));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["trustee"] == "S-1-5-11");
  CHECK(r.findings[0].evidence["trustee_scope"] == "everyone");
}

TEST_CASE("ad.domain-root-acl: Exchange Windows Permissions WriteDacl (PrivExchange)",
          "[checks][ad][ad.domain-root-acl]") {
  const std::string ewp = sid_of(1120);
  const std::string group = test::group("Exchange Windows Permissions", 1120, {});
  auto r = test::run_check(kId, snap("(A;CI;WD;;;" + ewp + ")", "BA", group));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["exchange_windows_permissions"] == true);
  CHECK_THAT(r.findings[0].message, Catch::EndsWith("(Exchange Windows Permissions: the PrivExchange path)"));

  // After Microsoft's 2019 fix the ACE is inherit-only: it no longer applies to the head.
  auto fixed = test::run_check(
      kId, snap("(OA;CIIO;WD;;bf967aba-0de6-11d0-a285-00aa003049e2;" + ewp + ")", "BA", group));
  CHECK(fixed.status == CheckStatus::passed);
}

TEST_CASE("ad.domain-root-acl flags a non-tier-0 owner", "[checks][ad][ad.domain-root-acl]") {
  auto r = test::run_check(kId, snap("", kHelpdesk));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == "owner");
  CHECK(f.message ==
        "the domain head is owned by " + kHelpdesk +
            " (helpdesk), which is not tier 0: an owner can rewrite the DACL (and grant itself DCSync) at "
            "any time");
  CHECK(f.evidence["trustee"] == kHelpdesk);
  CHECK(f.evidence["rights"] == std::vector<std::string>{"Owner"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{});
}

TEST_CASE("ad.domain-root-acl ignores tier 0, Key Admins, SELF, replication-only and inherit-only ACEs",
          "[checks][ad][ad.domain-root-acl]") {
  const std::string admin_user = sid_of(500);  // member of Domain Admins in the base domain
  auto r = test::run_check(
      kId, snap("(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(526) + ")(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" +
                    sid_of(527) + ")(A;;WD;;;" + admin_user +
                    ")(A;;WDWO;;;PS)(A;;WD;;;CO)"
                    "(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;" +
                    kHelpdesk + ")(A;CIIO;WD;;;" + kHelpdesk + ")(D;;WD;;;" + sid_of(1107) + ")",
                "DA"));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.domain-root-acl is clean on a default head", "[checks][ad][ad.domain-root-acl]") {
  auto r = test::run_check(kId, snap(""));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.domain-root-acl finds the lab's planted PrivExchange WriteDacl and nothing else",
          "[checks][ad][ad.domain-root-acl]") {
  // fixtures/lab: (A;;WD;;;Exchange Windows Permissions) on the domain head; Samba's default head DACL (owner
  // Administrators, Domain Admins' WriteDacl/WriteOwner, Enterprise Admins' full control) is silent.
  auto lab = test::run_check(kId, test::lab_snapshot());
  REQUIRE(lab.findings.size() == 1);
  CHECK(lab.notes.empty());
  const auto& f = lab.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.resource.dn == "DC=lab,DC=adpersist,DC=test");
  CHECK(f.evidence["trustee_name"] == "Exchange Windows Permissions");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"WriteDacl"});
  CHECK(f.evidence["exchange_windows_permissions"] == true);
}

TEST_CASE("ad.domain-root-acl is not evaluated without nTSecurityDescriptor",
          "[checks][ad][ad.domain-root-acl]") {
  auto r =
      test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                               "objectClass cn sAMAccountName objectSid", test::user("a", 1120, 0x200))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
}

TEST_CASE("ad.domain-root-acl is not evaluated, never passed, when the head's descriptor does not decode",
          "[checks][ad][ad.domain-root-acl]") {
  auto r =
      test::run_check(kId, test::snapshot_from_ldif(with_attrs(
                               test::base_domain_ldif(test::user("helpdesk", 1106, 0x200)), kDomain,
                               test::lying_sd_line("O:BAG:BA" + kDefaultDacl + "(A;;WD;;;" + kHelpdesk + ")"))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::StartsWith("the domain head cannot be judged: "));
  CHECK_THAT(r.reason,
             Catch::Contains(kDomain + " attribute nTSecurityDescriptor does not decode: OffsetDacl"));
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}
