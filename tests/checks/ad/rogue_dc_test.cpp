#include <catch2/catch.hpp>

#include "scanner/util/strings.hpp"
#include "tests/support/config_ldif.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using Json = nlohmann::ordered_json;

namespace {
using test::kDomain;
using test::sid_of;
constexpr const char* kId = "ad.rogue-dc";
const std::string kDcOu = "OU=Domain Controllers," + kDomain;
const std::string kComputers = "CN=Computers," + kDomain;
const std::string kDrsSpn =
    "E3514235-4B06-11D1-AB04-00C04FC2DCD2/5f3e1d2c-0000-4000-8000-000000001160/corp.example.test";

// A computer account under `parent` with the given userAccountControl and primaryGroupID.
std::string machine(const std::string& name, const std::string& parent, std::uint32_t rid, std::uint32_t uac,
                    std::uint32_t pgid, const std::string& extra = "") {
  return "dn: CN=" + name + "," + parent +
         "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"
         "objectClass: computer\ncn: " +
         name + "\nsAMAccountName: " + name + "$\nobjectSid:: " + test::sid_b64(sid_of(rid)) +
         "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + std::to_string(pgid) +
         "\ndNSHostName: " + util::to_lower(name) +
         ".corp.example.test\nwhenCreated: 20261120093000.0Z\ninstanceType: 4\nuSNChanged: 2000\n" + extra +
         "\n";
}

const model::Finding* by_key(const std::vector<const model::Finding*>& fs, const std::string& key) {
  for (const auto* f : fs)
    if (f->evidence_key == key) return f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.rogue-dc flags a workstation registered as a DC with replication SPNs (DCShadow)",
          "[checks][ad][ad.rogue-dc]") {
  const std::string spns = "servicePrincipalName: " + kDrsSpn +
                           "\nservicePrincipalName: GC/ws-evil.corp.example.test/corp.example.test\n"
                           "servicePrincipalName: HOST/ws-evil.corp.example.test\n";
  auto snap =
      test::snapshot_from_ldif(test::forest_export(machine("WS-EVIL", kComputers, 1160, 0x1000, 515, spns) +
                                                   test::site_server("WS-EVIL", "CN=WS-EVIL," + kComputers)));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.notes.empty());

  const auto server = r.for_name("WS-EVIL");
  REQUIRE(server.size() == 1);
  const auto& f = *server[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == "ntdsdsa");
  CHECK(f.resource.dn == "CN=WS-EVIL," + test::kServers);
  CHECK(f.message == "nTDSDSA object (domain controller registration) CN=NTDS Settings,CN=WS-EVIL," +
                         test::kServers +
                         " references WS-EVIL$, which is not a domain controller account: a "
                         "DCShadow registration");
  CHECK(f.evidence["server"] == "CN=WS-EVIL," + test::kServers);
  CHECK(f.evidence["server_reference"] == "CN=WS-EVIL," + kComputers);
  CHECK(f.evidence["reference_state"] == "not_a_dc");
  CHECK(f.evidence["dns_host_name"] == "ws-evil.corp.example.test");
  CHECK(f.evidence["created"] == "2024-01-05T09:30:00Z");
  CHECK(f.evidence["account"] == "WS-EVIL$");
  CHECK(f.evidence["userAccountControl"] == "0x00001000");
  CHECK(f.evidence["primary_group_id"] == 515);

  const auto account = r.for_name("WS-EVIL$");
  REQUIRE(account.size() == 1);
  const auto& g = *account[0];
  CHECK(g.severity == Severity::high);
  CHECK(g.evidence_key == "replication-spn");
  CHECK(g.evidence["replication_spns"] ==
        Json::array({kDrsSpn, "GC/ws-evil.corp.example.test/corp.example.test"}));
  CHECK(g.evidence["tier0"] == false);
  CHECK(g.message ==
        "computer carries " + kDrsSpn +
            " and 1 more replication SPN(s) but is not a domain controller: DCShadow registers these "
            "while the host poses as a DC");
}

TEST_CASE("ad.rogue-dc: registrations with no, or a dangling, serverReference", "[checks][ad][ad.rogue-dc]") {
  auto snap = test::snapshot_from_ldif(test::forest_export(
      test::site_server("GHOST", "") + test::site_server("GONE", "CN=GONE," + kDcOu) +
      // A DC of a child domain: its account is in another NC, not judged here.
      test::site_server("CHILD-DC1",
                        "CN=CHILD-DC1,OU=Domain Controllers,DC=child,DC=corp,DC=example,DC=test") +
      // A server object without nTDSDSA (a member server in a site, or a removed DC's leftover): not a DSA.
      test::site_server("OLD-SRV", "", false)));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 2);
  const auto ghost = r.for_name("GHOST");
  REQUIRE(ghost.size() == 1);
  CHECK(ghost[0]->severity == Severity::critical);
  CHECK(ghost[0]->evidence["reference_state"] == "absent");
  CHECK(ghost[0]->evidence["server_reference"] == "");
  CHECK_THAT(ghost[0]->message, Catch::Contains("no serverReference"));
  const auto gone = r.for_name("GONE");
  REQUIRE(gone.size() == 1);
  CHECK(gone[0]->evidence["reference_state"] == "missing");
  CHECK_THAT(gone[0]->message, Catch::Contains("references CN=GONE," + kDcOu + ", which does not exist"));
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0],
             Catch::StartsWith("1 domain controller registration(s) reference accounts of other"));
}

TEST_CASE("ad.rogue-dc: DC accounts without an nTDSDSA object", "[checks][ad][ad.rogue-dc]") {
  auto snap = test::snapshot_from_ldif(test::forest_export(machine("OLDDC", kDcOu, 1170, 0x82000, 516) +
                                                           machine("WS-PREP", kComputers, 1171, 0x2000, 515) +
                                                           machine("WS-OFF", kComputers, 1172, 0x2002, 515)));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 3);

  const auto* old_dc = by_key(r.for_name("OLDDC$"), "no-ntdsdsa");
  REQUIRE(old_dc != nullptr);
  CHECK(old_dc->severity == Severity::high);
  CHECK(old_dc->evidence["looks_like"] == "half-removed DC");
  CHECK(old_dc->evidence["in_domain_controllers_ou"] == true);
  CHECK(old_dc->evidence["primary_group_id"] == 516);
  CHECK(old_dc->evidence["userAccountControl"] == "0x00082000");
  CHECK(old_dc->evidence["created"] == "2026-11-20T09:30:00Z");
  CHECK(old_dc->message ==
        "computer carries SERVER_TRUST_ACCOUNT but no nTDSDSA object registers it as a domain "
        "controller: it looks like a DC whose demotion or metadata cleanup left the account "
        "behind");

  const auto* prep = by_key(r.for_name("WS-PREP$"), "no-ntdsdsa");
  REQUIRE(prep != nullptr);
  CHECK(prep->severity == Severity::high);
  CHECK(prep->evidence["looks_like"] == "account made a DC by hand");
  CHECK(prep->evidence["in_domain_controllers_ou"] == false);
  CHECK(prep->evidence["tier0"] == true);  // SERVER_TRUST_ACCOUNT makes it a DC to the privilege model
  CHECK_THAT(prep->message,
             Catch::EndsWith("it looks like an account made a DC by hand (DCShadow preparation or a "
                             "DCSync-capable backdoor), not a demoted DC"));

  const auto* off = by_key(r.for_name("WS-OFF$"), "no-ntdsdsa");
  REQUIRE(off != nullptr);
  CHECK(off->severity == Severity::medium);
  CHECK(off->evidence["enabled"] == false);
}

TEST_CASE("ad.rogue-dc is clean for real DCs, read-only DCs and user SPNs that only look similar",
          "[checks][ad][ad.rogue-dc]") {
  auto snap = test::snapshot_from_ldif(test::forest_export(
      machine("RODC1", kDcOu, 1180, 0x4001000, 521,
              "servicePrincipalName: GC/rodc1.corp.example.test/corp.example.test\n") +
      test::site_server("RODC1", "CN=RODC1," + kDcOu) +
      machine("DC2", kDcOu, 1181, 0x82000, 516, "servicePrincipalName: " + kDrsSpn + "\n") +
      test::site_server("DC2", "CN=DC2," + kDcOu) +
      test::user("svc-gc", 1182, 0x200, "servicePrincipalName: HTTP/gc.corp.example.test\n")));
  auto r = test::run_check(kId, snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.rogue-dc finds the lab's planted registration and DC-flagged workstation, not DC1",
          "[checks][ad][ad.rogue-dc]") {
  // fixtures/lab: CN=ROGUE-DC (nTDSDSA, serverReference WS-ATTACKER$) and WS-SHADOW$ (UAC 0x2000, DRS SPN).
  auto r = test::run_check(kId, test::lab_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.notes.empty());
  CHECK(r.for_name("DC1$").empty());
  CHECK(r.for_name("DC1").empty());
  REQUIRE(r.for_name("ROGUE-DC").size() == 1);
  CHECK(r.for_name("ROGUE-DC")[0]->severity == Severity::critical);
  REQUIRE_FALSE(r.for_name("WS-SHADOW$").empty());
  for (const auto* f : r.for_name("WS-SHADOW$")) CHECK(f->severity == Severity::high);
}

TEST_CASE("ad.rogue-dc: a user with a replication SPN", "[checks][ad][ad.rogue-dc]") {
  auto snap = test::snapshot_from_ldif(
      test::forest_export(test::user("svc-x", 1190, 0x200, "servicePrincipalName: " + kDrsSpn + "\n")));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence_key == "replication-spn");
  CHECK(r.findings[0].severity == Severity::high);
  CHECK_THAT(r.findings[0].message, Catch::StartsWith("user carries " + kDrsSpn));
}

TEST_CASE("ad.rogue-dc is not evaluated without the configuration NC or its Sites container",
          "[checks][ad][ad.rogue-dc]") {
  SECTION("no configuration NC") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(test::export_requesting("*", "")));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("configuration"));
  }
  SECTION("a configuration NC without any nTDSDSA object") {
    const std::string config = "dn: " + test::kConfig +
                               "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n"
                               "instanceType: 4\nuSNChanged: 3000\n\n";
    auto snap = test::snapshot_from_ldif(test::requesting_header("*") + test::base_domain_ldif(config) +
                                         "# search result\nsearch: 2\nresult: 0 Success\n\n");
    auto r = test::run_check(kId, snap);
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("no nTDSDSA object"));
  }
  SECTION("serverReference not requested") {
    auto snap = test::snapshot_from_ldif(
        test::requesting_header("objectClass cn userAccountControl primaryGroupID servicePrincipalName") +
        test::base_domain_ldif(test::site_server("DC1", "") + "dn: " + test::kConfig +
                               "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n"
                               "instanceType: 4\nuSNChanged: 3000\n\n") +
        "# search result\nsearch: 2\nresult: 0 Success\n\n");
    auto r = test::run_check(kId, snap);
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("serverReference"));
  }
}
