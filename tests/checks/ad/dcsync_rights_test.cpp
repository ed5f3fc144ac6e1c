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

const std::string kId = "ad.dcsync-rights";
const std::string kGetChanges = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
const std::string kGetChangesAll = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";
const std::string kFilteredSet = "89e95b76-444d-4c62-991a-0facbeda640c";
const std::string kEvil = sid_of(1105);

std::string cr(const std::string& right, const std::string& trustee, const std::string& flags = "") {
  return "(OA;" + flags + ";CR;" + right + ";;" + trustee + ")";
}

// The replication ACEs a Windows domain head carries by default (Enterprise Read-only DCs Get-Changes, Domain
// Controllers -All, Enterprise DCs and Administrators all three), plus the admins' full control and reads.
const std::string kDefaultHead =
    "O:BAG:BAD:AI" + cr(kGetChanges, sid_of(498)) + cr(kGetChangesAll, sid_of(516)) + cr(kGetChanges, "ED") +
    cr(kGetChangesAll, "ED") + cr(kFilteredSet, "ED") + cr(kGetChanges, "BA") + cr(kGetChangesAll, "BA") +
    cr(kFilteredSet, "BA") +
    "(A;;CCLCSWRPWPLOCRRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)(A;;RPRC;;;RU)(A;;RP;;;WD)(A;;"
    "LCRPLORC;;;ED)(A;;LCRPLORC;;;AU)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;CI;CCLCSWRPWPLOCRSDRCWDWO;;;BA)";

// Inserts attribute lines into the record of `dn`.
std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

// The test domain whose head carries the default DACL plus `extra_aces`; `records` are further objects.
std::string domain(const std::string& extra_aces, const std::string& records = "") {
  return with_attrs(test::base_domain_ldif(test::user("backdoor", 1105, 0x200) + records), kDomain,
                    test::sd_line(kDefaultHead + extra_aces));
}

model::Snapshot snap(const std::string& extra_aces, const std::string& records = "") {
  return test::snapshot_from_ldif(domain(extra_aces, records));
}
}  // namespace

TEST_CASE("ad.dcsync-rights flags an ordinary account holding both replication rights",
          "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(kId, snap(cr(kGetChanges, kEvil) + cr(kGetChangesAll, kEvil)));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.type == "domain");
  CHECK(f.resource.dn == kDomain);
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == kEvil);
  CHECK(f.message == kEvil +
                         " (backdoor) can DCSync the domain naming context: it holds "
                         "DS-Replication-Get-Changes-All and DS-Replication-Get-Changes");
  CHECK(f.evidence["trustee"] == kEvil);
  CHECK(f.evidence["trustee_name"] == "backdoor");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] ==
        std::vector<std::string>{"DS-Replication-Get-Changes", "DS-Replication-Get-Changes-All"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{cr(kGetChanges, kEvil), cr(kGetChangesAll, kEvil)});
  CHECK(f.evidence["inherited"] == false);
  CHECK(f.evidence["naming_context"] == kDomain);
  CHECK(f.evidence["naming_context_type"] == "domain");
  CHECK(f.evidence["complete"] == true);
  CHECK(f.evidence["azure_ad_connect"] == false);
  CHECK(f.evidence["enabled"] == true);
  CHECK_FALSE(f.evidence.contains("get_changes_from"));
  CHECK(r.notes.empty());
}

TEST_CASE("ad.dcsync-rights: Get-Changes-All alone is high, Get-Changes alone is nothing",
          "[checks][ad][ad.dcsync-rights]") {
  auto half = test::run_check(kId, snap(cr(kGetChangesAll, kEvil)));
  REQUIRE(half.findings.size() == 1);
  CHECK(half.findings[0].severity == Severity::high);
  CHECK(half.findings[0].evidence["complete"] == false);
  CHECK(half.findings[0].evidence["rights"] == std::vector<std::string>{"DS-Replication-Get-Changes-All"});
  CHECK(half.findings[0].message ==
        kEvil +
            " (backdoor) holds DS-Replication-Get-Changes-All on the domain naming context without "
            "DS-Replication-Get-Changes: one more ACE completes DCSync");

  auto read_only = test::run_check(kId, snap(cr(kGetChanges, kEvil) + cr(kFilteredSet, kEvil)));
  CHECK(read_only.status == CheckStatus::passed);
  CHECK(read_only.findings.empty());
}

TEST_CASE("ad.dcsync-rights: GenericAll and All-Extended-Rights carry DCSync",
          "[checks][ad][ad.dcsync-rights]") {
  const std::string other = sid_of(1106);
  auto r =
      test::run_check(kId, snap("(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + kEvil + ")(OA;;CR;;;" + other + ")",
                                test::user("svc-audit", 1106, 0x200)));
  REQUIRE(r.findings.size() == 2);
  // Both findings are on the head: tell them apart by trustee.
  const model::Finding* by_ga = nullptr;
  const model::Finding* by_cr = nullptr;
  for (const auto& f : r.findings) (f.evidence_key == kEvil ? by_ga : by_cr) = &f;
  REQUIRE(by_ga != nullptr);
  REQUIRE(by_cr != nullptr);
  CHECK(by_ga->severity == Severity::critical);
  CHECK(by_ga->evidence["rights"] == std::vector<std::string>{"GenericAll"});
  CHECK(by_cr->evidence_key == other);
  CHECK(by_cr->severity == Severity::critical);
  CHECK(by_cr->evidence["rights"] == std::vector<std::string>{"AllExtendedRights"});
  CHECK(by_cr->evidence["trustee_name"] == "svc-audit");
}

TEST_CASE("ad.dcsync-rights: Get-Changes held by Authenticated Users completes anyone's -All",
          "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(kId, snap(cr(kGetChanges, "AU") + cr(kGetChangesAll, kEvil)));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["complete"] == true);
  CHECK(f.evidence["rights"] == std::vector<std::string>{"DS-Replication-Get-Changes-All"});
  CHECK(f.evidence["get_changes_from"] == std::vector<std::string>{"S-1-5-11 (Authenticated Users)"});
  CHECK_THAT(f.message, Catch::Contains("every account holds DS-Replication-Get-Changes"));
}

TEST_CASE("ad.dcsync-rights: an everyone-like trustee with both rights", "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(kId, snap(cr(kGetChanges, sid_of(513)) + cr(kGetChangesAll, sid_of(513))));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["trustee"] == sid_of(513));
  CHECK(r.findings[0].evidence["trustee_name"] == "Domain Users");
  CHECK(r.findings[0].evidence["trustee_scope"] == "everyone");
}

TEST_CASE("ad.dcsync-rights: the Azure AD Connect account is medium, a look-alike is not",
          "[checks][ad][ad.dcsync-rights]") {
  const std::string msol = sid_of(1150), fake = sid_of(1151), gmsa = sid_of(1152);
  const std::string records =
      test::user(
          "MSOL_0a1b2c3d4e5f", 1150, 0x10200,
          "description: Account created by Microsoft Azure Active Directory Connect with installation "
          "identifier 0a1b2c3d4e5f4a6b8c9d0e1f2a3b4c5d running on computer SYNC01 configured to synchronize "
          "to tenant contoso.onmicrosoft.com. This account must have directory replication permissions in "
          "the local Active Directory and write permission on certain attributes to enable Hybrid "
          "Deployment.\n") +
      test::user("MSOL_backdoor", 1151, 0x10200, "description: sync\n") +
      "dn: CN=provAgentgMSA,CN=Managed Service Accounts," + kDomain +
      "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: "
      "user\nobjectClass: computer\nobjectClass: msDS-GroupManagedServiceAccount\ncn: provAgentgMSA\n"
      "sAMAccountName: provAgentgMSA$\nobjectSid:: " +
      test::sid_b64(gmsa) + "\nuserAccountControl: 4096\ninstanceType: 4\nuSNChanged: 2000\n\n";
  std::string aces;
  for (const auto& s : {msol, fake, gmsa}) aces += cr(kGetChanges, s) + cr(kGetChangesAll, s);
  auto r = test::run_check(kId, snap(aces, records));
  REQUIRE(r.findings.size() == 3);

  const model::Finding* by[3] = {};  // all on the domain head: by trustee
  for (const auto& f : r.findings) {
    if (f.evidence_key == msol) by[0] = &f;
    if (f.evidence_key == fake) by[1] = &f;
    if (f.evidence_key == gmsa) by[2] = &f;
  }
  REQUIRE(by[0] != nullptr);
  REQUIRE(by[1] != nullptr);
  REQUIRE(by[2] != nullptr);
  CHECK(by[0]->severity == Severity::medium);
  CHECK(by[0]->evidence["azure_ad_connect"] == true);
  CHECK(by[0]->message ==
        "Azure AD Connect sync account " + msol +
            " (MSOL_0a1b2c3d4e5f) holds DCSync rights on the domain naming context (expected for password "
            "hash sync; MSOL_ account with the Azure AD Connect wizard's description): baseline it and "
            "protect it as tier 0");
  CHECK(by[1]->severity == Severity::critical);
  CHECK(by[1]->evidence["azure_ad_connect"] == false);
  CHECK(by[1]->evidence["azure_ad_connect_lookalike"] == true);
  CHECK_THAT(by[1]->message, Catch::Contains("named like an Azure AD Connect account"));
  CHECK(by[2]->severity == Severity::medium);
  CHECK(by[2]->evidence["azure_ad_connect"] == true);
  CHECK_THAT(by[2]->message, Catch::Contains("provAgentgMSA$"));
}

TEST_CASE("ad.dcsync-rights ignores tier 0, RODC defaults, SELF, inherit-only and deny ACEs",
          "[checks][ad][ad.dcsync-rights]") {
  const std::string rodcs = sid_of(521);
  const std::string extra =
      // Tier 0 by RID, by builtin SID and by membership (Administrator is in Domain Admins).
      cr(kGetChanges, "DA") + cr(kGetChangesAll, "DA") + cr(kGetChanges, sid_of(500)) +
      cr(kGetChangesAll, sid_of(500)) + cr(kGetChangesAll, "S-1-5-18") +
      // Read-only DCs: Get-Changes and the filtered set are theirs.
      cr(kGetChanges, rodcs) + cr(kFilteredSet, rodcs) + cr(kFilteredSet, sid_of(498)) +
      // SELF stands for the head itself.
      cr(kGetChanges, "PS") + cr(kGetChangesAll, "PS") +
      // Inherit-only: applies to children, not the head. Deny: never a grant.
      cr(kGetChanges, kEvil, "CIIO") + cr(kGetChangesAll, kEvil, "CIIO") + "(OD;;CR;" + kGetChangesAll +
      ";;" + sid_of(1106) + ")";
  auto r = test::run_check(kId, snap(extra, test::user("svc-x", 1106, 0x200)));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.dcsync-rights: Read-only DCs holding Get-Changes-All are reported",
          "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(kId, snap(cr(kGetChangesAll, sid_of(521))));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["trustee"] == sid_of(521));
  CHECK(r.findings[0].evidence["trustee_name"] == "Read-only Domain Controllers");
  CHECK(r.findings[0].severity == Severity::high);
}

TEST_CASE("ad.dcsync-rights reads the configuration naming-context head too",
          "[checks][ad][ad.dcsync-rights]") {
  const std::string config = "CN=Configuration," + kDomain;
  const std::string records =
      "dn: " + config + "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n" +
      test::sd_line("O:EAG:EAD:" + cr(kGetChanges, "ED") + cr(kGetChangesAll, "ED") + cr(kGetChanges, kEvil) +
                    cr(kGetChangesAll, kEvil) + "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)") +
      "instanceType: 5\nuSNChanged: 1000\n\n";
  auto r = test::run_check(kId, snap("", records));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.dn == config);
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["naming_context"] == config);
  CHECK(f.evidence["naming_context_type"] == "configuration");
  CHECK_THAT(f.message, Catch::Contains("the configuration naming context"));
}

TEST_CASE("ad.dcsync-rights is clean on the default head", "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(kId, snap(""));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.dcsync-rights finds the lab's planted DCSync and its Azure AD Connect account",
          "[checks][ad][ad.dcsync-rights]") {
  // fixtures/lab: svc-sync and MSOL_4a1c6e0f2b3d hold both rights on the domain head; Samba's own defaults
  // (Domain Controllers -All, Enterprise Read-only DCs Get-Changes, Administrators, Enterprise DCs) are
  // silent.
  auto lab = test::run_check(kId, test::lab_snapshot());
  REQUIRE(lab.findings.size() == 2);
  CHECK(lab.notes.empty());
  const model::Finding* sync = nullptr;
  const model::Finding* msol = nullptr;
  for (const auto& f : lab.findings) (f.evidence["trustee_name"] == "svc-sync" ? sync : msol) = &f;
  REQUIRE(sync != nullptr);
  REQUIRE(msol != nullptr);
  CHECK(sync->severity == Severity::critical);
  CHECK(sync->evidence["complete"] == true);
  CHECK(sync->evidence["azure_ad_connect"] == false);
  CHECK(sync->evidence["naming_context"] == "DC=lab,DC=adpersist,DC=test");
  CHECK(msol->evidence["trustee_name"] == "MSOL_4a1c6e0f2b3d");
  CHECK(msol->severity == Severity::medium);
  CHECK(msol->evidence["azure_ad_connect"] == true);
}

TEST_CASE("ad.dcsync-rights is not evaluated without nTSecurityDescriptor",
          "[checks][ad][ad.dcsync-rights]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(test::export_requesting(
               "objectClass cn sAMAccountName objectSid description", test::user("a", 1120, 0x200))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
}

TEST_CASE("ad.dcsync-rights is not evaluated when the domain head has no descriptor",
          "[checks][ad][ad.dcsync-rights]") {
  // Other objects carry one, so the attribute counts as exported, but the head's is missing.
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(test::base_domain_ldif(test::user(
               "a", 1120, 0x200, test::sd_line("O:DAG:DAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)")))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("carries no nTSecurityDescriptor"));
}

TEST_CASE(
    "ad.dcsync-rights is not evaluated, never passed, when a naming-context head's descriptor does not "
    "decode",
    "[checks][ad][ad.dcsync-rights]") {
  const std::string config = "CN=Configuration," + kDomain;
  auto config_record = [&](const std::string& sd_attr_line) {
    return "dn: " + config + "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n" +
           sd_attr_line + "instanceType: 5\nuSNChanged: 1000\n\n";
  };
  const std::string evil_pair = cr(kGetChanges, kEvil) + cr(kGetChangesAll, kEvil);
  const std::string config_sddl = "O:EAG:EAD:" + evil_pair + "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)";

  // The domain head lies (its DCSync ACE for kEvil is unreadable): not evaluated, the reason names the head;
  // the configuration head's DCSync is still reported.
  auto r = test::run_check(kId, test::snapshot_from_ldif(with_attrs(
                                    test::base_domain_ldif(test::user("backdoor", 1105, 0x200) +
                                                           config_record(test::sd_line(config_sddl))),
                                    kDomain, test::lying_sd_line(kDefaultHead + evil_pair))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::StartsWith("the domain naming-context head cannot be judged: "));
  CHECK_THAT(r.reason,
             Catch::Contains(kDomain + " attribute nTSecurityDescriptor does not decode: OffsetDacl"));
  CHECK_THAT(r.reason, Catch::Contains("points past the end"));
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.dn == config);

  // The configuration head lies instead: not evaluated naming it; the domain head's DCSync is reported.
  auto c = test::run_check(kId, test::snapshot_from_ldif(with_attrs(
                                    test::base_domain_ldif(test::user("backdoor", 1105, 0x200) +
                                                           config_record(test::lying_sd_line(config_sddl))),
                                    kDomain, test::sd_line(kDefaultHead + evil_pair))));
  CHECK(c.status == CheckStatus::not_evaluated);
  CHECK_THAT(c.reason, Catch::StartsWith("the configuration naming-context head cannot be judged: "));
  CHECK_THAT(c.reason, Catch::Contains(config + " attribute nTSecurityDescriptor does not decode"));
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].resource.dn == kDomain);
}
