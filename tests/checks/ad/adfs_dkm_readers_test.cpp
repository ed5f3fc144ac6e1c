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

const std::string kId = "ad.adfs-dkm-readers";
const std::string kAdfs = "CN=ADFS,CN=Microsoft,CN=Program Data," + kDomain;
const std::string kFarmGuid = "9530440c-bc84-4fe6-a3f9-8d60162a7bcf";
const std::string kFarm = "CN=" + kFarmGuid + "," + kAdfs;
const std::string kKey = "CN=5d3e8a47-1c2b-4f0e-9a6d-7b8c9d0e1f2a," + kFarm;
const std::string kPolicy = "CN=CryptoPolicy," + kFarm;
const std::string kSvc = sid_of(1170);       // svc-adfs
const std::string kAttacker = sid_of(1171);  // helpdesk
const std::string kThumbnailPhoto = "8d3bca50-1d7e-11d0-a081-00aa006c33ed";
const std::string kFull = "CCDCLCSWRPWPDTLOCRSDRCWDWO";
const std::string kAdmins = "(A;;" + kFull + ";;;DA)(A;;" + kFull + ";;;SY)(A;;" + kFull + ";;;EA)";

std::string container(const std::string& dn, const std::string& extra = "") {
  const auto cn = dn.substr(3, dn.find(',') - 3);
  return "dn: " + dn + "\nobjectClass: top\nobjectClass: container\ncn: " + cn +
         "\ninstanceType: 4\nuSNChanged: 2000\n" + extra + "\n";
}
std::string contact(const std::string& dn, const std::string& extra) {
  const auto cn = dn.substr(3, dn.find(',') - 3);
  return "dn: " + dn +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
         "objectClass: contact\ncn: " +
         cn + "\ninstanceType: 4\nuSNChanged: 2000\n" + extra + "\n";
}

// The ACEs Microsoft's CreateNonDADkmContainer.ps1 puts on the farm container for the service account
// (GenericRead, CreateChild, WriteOwner, DeleteTree, all inheriting), after the admins' ones.
const std::string kFarmDacl = "D:P" + kAdmins + "(A;CI;RPLCLORC;;;" + kSvc + ")(A;CI;CC;;;" + kSvc +
                              ")(A;CI;WO;;;" + kSvc + ")(A;CI;DT;;;" + kSvc + ")";
// What a key contact inherits from it.
const std::string kContactDacl = "D:AI(A;ID;" + kFull + ";;;DA)(A;ID;" + kFull + ";;;SY)(A;ID;" + kFull +
                                 ";;;EA)(A;CIID;RPLCLORC;;;" + kSvc + ")(A;CIID;CC;;;" + kSvc +
                                 ")(A;CIID;WO;;;" + kSvc + ")(A;CIID;DT;;;" + kSvc + ")";

// A domain with one ADFS farm; `contact_extra_aces` are added (explicitly) to the key contact's DACL and
// `farm_extra_aces` to the farm container's.
std::string adfs_domain(const std::string& contact_extra_aces, const std::string& farm_extra_aces = "",
                        const std::string& more = "") {
  return test::base_domain_ldif(
      test::user("svc-adfs", 1170, 0x10200) + test::user("helpdesk", 1171, 0x200) +
      container("CN=Program Data," + kDomain) + container("CN=Microsoft,CN=Program Data," + kDomain) +
      container(kAdfs, test::sd_line("O:DAG:DAD:" + kAdmins + "(A;;RPLCLORC;;;AU)")) +
      container(kFarm, test::sd_line("O:DAG:DA" + kFarmDacl + farm_extra_aces)) +
      contact(kPolicy,
              test::sd_line("O:" + kSvc + "G:DA" + kContactDacl + "(A;;RP;;;AU)") + "displayName: 1\n") +
      contact(kKey, test::sd_line("O:" + kSvc + "G:DA" + kContactDacl + contact_extra_aces)) + more);
}
}  // namespace

TEST_CASE("ad.adfs-dkm-readers flags a helpdesk account that can read the DKM key", "[checks][ad]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(adfs_domain("(OA;;RP;" + kThumbnailPhoto + ";;" + kAttacker + ")")));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  const model::Finding* inv = nullptr;
  const model::Finding* hit = nullptr;
  for (const auto& f : r.findings) (f.evidence_key == "inventory" ? inv : hit) = &f;
  REQUIRE(hit != nullptr);
  CHECK(hit->resource.dn == kFarm);
  CHECK(hit->severity == Severity::critical);
  CHECK(hit->evidence_key == kAttacker);
  CHECK(hit->message == kAttacker + " (helpdesk) can read the DKM key of ADFS farm " + kFarmGuid +
                            " (ReadDKMKey): it can decrypt the token-signing key and forge SAML tokens");
  CHECK(hit->evidence["farm"] == kFarmGuid);
  CHECK(hit->evidence["trustee"] == kAttacker);
  CHECK(hit->evidence["trustee_name"] == "helpdesk");
  CHECK(hit->evidence["trustee_scope"] == "principal");
  CHECK(hit->evidence["rights"] == std::vector<std::string>{"ReadDKMKey"});
  CHECK(hit->evidence["aces"] ==
        std::vector<std::string>{"(OA;;RP;" + kThumbnailPhoto + ";;" + kAttacker + ")"});
  CHECK(hit->evidence["inherited"] == false);
  CHECK(hit->evidence["objects"] == std::vector<std::string>{kKey});
  CHECK(hit->evidence["owner"] == false);

  REQUIRE(inv != nullptr);
  CHECK(inv->severity == Severity::info);
  CHECK(inv->evidence["service_accounts"] == std::vector<std::string>{kSvc + " (svc-adfs)"});
  CHECK(inv->evidence["key_contacts"] == std::vector<std::string>{kKey});
  CHECK(inv->message ==
        "ADFS farm " + kFarmGuid + ": service account " + kSvc + " (svc-adfs), 1 DKM key contact(s)");
  CHECK(r.notes.empty());
}

TEST_CASE("ad.adfs-dkm-readers: everyone reading, control of the farm container, ownership of a key",
          "[checks][ad]") {
  SECTION("Authenticated Users with generic read on the key contact") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(adfs_domain("(A;;RPLCLORC;;;AU)")));
    REQUIRE(r.findings.size() == 2);
    const auto& f = r.findings[0].evidence_key == "inventory" ? r.findings[1] : r.findings[0];
    CHECK(f.severity == Severity::critical);
    CHECK(f.evidence["trustee"] == "S-1-5-11");
    CHECK(f.evidence["trustee_scope"] == "everyone");
    CHECK(f.evidence["rights"] == std::vector<std::string>{"ReadAllProperties"});
  }
  SECTION("a key contact with a null DACL") {
    const std::string ldif = test::base_domain_ldif(
        test::user("svc-adfs", 1170, 0x10200) + container(kAdfs, test::sd_line("O:DAG:DAD:" + kAdmins)) +
        container(kFarm, test::sd_line("O:DAG:DA" + kFarmDacl)) +
        contact(kKey, test::sd_line("O:" + kSvc + "G:DAD:NO_ACCESS_CONTROL")));
    auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
    REQUIRE(r.findings.size() == 2);
    const auto& f = r.findings[0].evidence_key == "inventory" ? r.findings[1] : r.findings[0];
    CHECK(f.evidence["trustee"] == "S-1-1-0");
    CHECK(f.evidence["trustee_scope"] == "everyone");
    CHECK(f.evidence["rights"] == std::vector<std::string>{"GenericAll"});
  }
  SECTION("WriteDacl on the farm container, inherited onto the key") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(adfs_domain("(A;CIID;WD;;;" + kAttacker + ")",
                                                                       "(A;CI;WD;;;" + kAttacker + ")")));
    REQUIRE(r.findings.size() == 2);
    const auto& f = r.findings[0].evidence_key == "inventory" ? r.findings[1] : r.findings[0];
    CHECK(f.evidence["trustee"] == kAttacker);
    CHECK(f.evidence["rights"] == std::vector<std::string>{"WriteDacl"});
    CHECK(f.evidence["objects"] == std::vector<std::string>{kFarm, kKey});
    CHECK(f.evidence["aces"] ==
          std::vector<std::string>{"(A;CI;WD;;;" + kAttacker + ")", "(A;CIID;WD;;;" + kAttacker + ")"});
  }
}

TEST_CASE("ad.adfs-dkm-readers: CryptoPolicy counts as a key contact only when it carries a thumbnailPhoto",
          "[checks][ad]") {
  // The domain's CryptoPolicy grants Authenticated Users RP (harmless: it holds no key). Give it a
  // thumbnailPhoto and that read becomes a key read.
  auto ldif = adfs_domain("");
  const auto pos = ldif.find("dn: " + kPolicy + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + kPolicy.size() + 5, "thumbnailPhoto:: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  auto r = test::run_check(kId, test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 2);
  const auto& f = r.findings[0].evidence_key == "inventory" ? r.findings[1] : r.findings[0];
  CHECK(f.evidence["trustee"] == "S-1-5-11");
  CHECK(f.evidence["objects"] == std::vector<std::string>{kPolicy});
  const auto& inv = r.findings[0].evidence_key == "inventory" ? r.findings[0] : r.findings[1];
  CHECK(inv.evidence["key_contacts"] == std::vector<std::string>{kPolicy, kKey});
  for (const auto& x : r.findings) CHECK(x.evidence.dump().find("AAECAwQF") == std::string::npos);
}

TEST_CASE("ad.adfs-dkm-readers: a second inferred service account raises the inventory", "[checks][ad]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(adfs_domain("", "(A;CI;" + kFull + ";;;" + kAttacker + ")")));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence_key == "inventory");
  CHECK(r.findings[0].severity == Severity::medium);
  CHECK(r.findings[0].evidence["service_accounts"] ==
        std::vector<std::string>{kSvc + " (svc-adfs)", kAttacker + " (helpdesk)"});
  CHECK_THAT(r.findings[0].message, Catch::Contains("review the others"));
}

TEST_CASE("ad.adfs-dkm-readers is clean for the service account and admins only", "[checks][ad]") {
  SECTION("a farm as ADFS sets it up: only the inventory, and CryptoPolicy's readers do not matter") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(adfs_domain("")));
    CHECK(r.status == CheckStatus::passed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].evidence_key == "inventory");
    CHECK(r.findings[0].severity == Severity::info);
  }
  SECTION("no CN=ADFS container: nothing to report") {
    auto r =
        test::run_check(kId, test::snapshot_from_ldif(test::base_domain_ldif(test::user(
                                 "helpdesk", 1171, 0x200, test::sd_line("O:DAG:DAD:(A;;RPLCLORC;;;AU)")))));
    CHECK(r.status == CheckStatus::passed);
    CHECK(r.findings.empty());
  }
}

TEST_CASE("ad.adfs-dkm-readers on the Samba lab", "[checks][ad][lab]") {
  const auto& lab = test::lab_snapshot();
  auto r = test::run_check(kId, lab);
  CHECK(r.notes.empty());
  const std::string farm =
      "CN=5e0fcb8a-7a66-4d4c-9c39-2f0a6f1c9e21,CN=ADFS,CN=Microsoft,CN=Program "
      "Data,DC=lab,DC=adpersist,DC=test";
  if (!lab.find_dn(farm)) {  // an export without ADFS: nothing to report, and that is a pass
    CHECK(r.status == CheckStatus::passed);
    CHECK(r.findings.empty());
    return;
  }
  // tests/dc/plant-lab.sh: svc-adfs has full control of the farm container; alice may read the
  // thumbnailPhoto of the GUID-named key contact (CryptoPolicy names it). The key contact keeps the contact
  // class's default descriptor, so Authenticated Users can read it too: a further, real, reader.
  const model::Finding* inv = nullptr;
  const model::Finding* alice = nullptr;
  for (const auto& f : r.findings) {
    INFO(f.message);
    if (f.evidence_key == "inventory")
      inv = &f;
    else if (f.evidence["trustee_name"] == "alice")
      alice = &f;
    else
      CHECK(f.evidence["trustee_scope"] == "everyone");
  }
  REQUIRE(inv != nullptr);
  CHECK(inv->severity == Severity::info);
  REQUIRE(inv->evidence["service_accounts"].size() == 1);
  CHECK_THAT(inv->evidence["service_accounts"][0].get<std::string>(), Catch::EndsWith("(svc-adfs)"));
  REQUIRE(alice != nullptr);
  CHECK(alice->severity == Severity::critical);
  CHECK(alice->evidence["rights"] == std::vector<std::string>{"ReadDKMKey"});
}

TEST_CASE("ad.adfs-dkm-readers is not evaluated without nTSecurityDescriptor", "[checks][ad]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(test::export_requesting("objectClass cn sAMAccountName objectSid",
                                                            container(kAdfs) + container(kFarm))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
}
