#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
const std::string kConfig = "CN=Configuration,DC=corp,DC=example,DC=test";
const std::string kDirectoryService = "CN=Directory Service,CN=Windows NT,CN=Services," + kConfig;

std::string container(const std::string& dn, const std::string& cn, const std::string& cls) {
  return "dn: " + dn + "\nobjectClass: top\nobjectClass: " + cls + "\ncn: " + cn +
         "\ninstanceType: 4\nuSNChanged: 1000\nwhenCreated: 20190301000000.0Z\n\n";
}

// The configuration NC down to CN=Directory Service; `ds_extra` goes on the nTDSService object.
std::string configuration(const std::string& ds_extra, bool with_directory_service = true) {
  std::string s = "dn: " + kConfig +
                  "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\ninstanceType: "
                  "13\nuSNChanged: 1000\nwhenCreated: 20190301000000.0Z\n\n";
  s += container("CN=Services," + kConfig, "Services", "container");
  s += container("CN=Windows NT,CN=Services," + kConfig, "Windows NT", "container");
  if (with_directory_service)
    s += "dn: " + kDirectoryService +
         "\nobjectClass: top\nobjectClass: nTDSService\ncn: Directory Service\n" + ds_extra +
         "sPNMappings: host=alerter,appmgmt,cisvc,clipsrv,browser,dhcp,dnscache\ntombstoneLifetime: "
         "180\ninstanceType: 4\nuSNChanged: 1000\nwhenCreated: 20190301000000.0Z\n\n";
  return s;
}

std::string heuristics(const std::string& value) {
  return "dSHeuristics: " + value + "\n";
}

const model::Finding* position(const test::CheckRun& r, int pos) {
  for (const auto& f : r.findings)
    if (f.evidence_key == "position-" + std::to_string(pos)) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.dsheuristics flags the AdminSDHolder exclusion mask and anonymous LDAP", "[checks][ad]") {
  // The lab's value: 7 = '2' (anonymous LDAP), 10 = '1' (check char), 16 = '1' (Account Operators excluded).
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(configuration(heuristics("0000002001000001"))));
  auto r = test::run_check("ad.dsheuristics", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);

  const auto* mask = position(r, 16);
  REQUIRE(mask);
  CHECK(mask->severity == Severity::high);
  CHECK(mask->resource.dn == kDirectoryService);
  CHECK(mask->evidence["dSHeuristics"] == "0000002001000001");
  CHECK(mask->evidence["position"] == 16);
  CHECK(mask->evidence["value"] == "1");
  CHECK(mask->evidence["excluded_groups"] == model::Json::array({"Account Operators"}));
  CHECK_THAT(mask->evidence["meaning"].get<std::string>(), Catch::Contains("dwAdminSDExMask"));

  const auto* anon = position(r, 7);
  REQUIRE(anon);
  CHECK(anon->severity == Severity::high);
  CHECK(anon->evidence["value"] == "2");
  CHECK_THAT(anon->evidence["meaning"].get<std::string>(), Catch::Contains("fLDAPBlockAnonOps"));
}

TEST_CASE("ad.dsheuristics grades every position it knows", "[checks][ad]") {
  // Positions 7='2', 8='1', 9='1', 10='1' (check char), 16='9', 20='2' (check char), 21='1', 28='0', 29='2'.
  const std::string value = "00000021110000090002100000002";
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(configuration(heuristics(value))));
  auto r = test::run_check("ad.dsheuristics", snap);
  REQUIRE(r.findings.size() == 7);
  CHECK(position(r, 16)->severity == Severity::high);
  CHECK(position(r, 16)->evidence["excluded_groups"] ==
        model::Json::array({"Account Operators", "Backup Operators"}));
  CHECK(position(r, 7)->severity == Severity::high);
  CHECK(position(r, 8)->severity == Severity::high);
  CHECK(position(r, 9)->severity == Severity::medium);
  CHECK(position(r, 21)->severity == Severity::medium);
  CHECK(position(r, 28)->severity == Severity::low);
  CHECK(position(r, 29)->severity == Severity::low);
  CHECK(position(r, 29)->evidence["value"] == "2");
  CHECK_FALSE(position(r, 10));  // check characters are not findings
  CHECK_FALSE(position(r, 20));
}

TEST_CASE("ad.dsheuristics: a hex mask names every excluded group", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif(configuration(heuristics("000000000100000f"))));
  auto r = test::run_check("ad.dsheuristics", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["excluded_groups"] ==
        model::Json::array({"Account Operators", "Server Operators", "Print Operators", "Backup Operators"}));
}

TEST_CASE("ad.dsheuristics is clean on defaults and benign values", "[checks][ad]") {
  // Absent: every heuristic has its default.
  auto absent =
      test::run_check("ad.dsheuristics", test::snapshot_from_ldif(test::base_domain_ldif(configuration(""))));
  CHECK(absent.status == CheckStatus::passed);
  CHECK(absent.findings.empty());
  // fLDAPBlockAnonOps = 1 is not the anonymous setting; check chars set; 28/29 enforced.
  auto benign =
      test::run_check("ad.dsheuristics", test::snapshot_from_ldif(test::base_domain_ldif(
                                             configuration(heuristics("00000010010000000002000000011")))));
  CHECK(benign.status == CheckStatus::passed);
  CHECK(benign.findings.empty());
  // A short string leaves the later positions at their defaults.
  auto short_value = test::run_check(
      "ad.dsheuristics", test::snapshot_from_ldif(test::base_domain_ldif(configuration(heuristics("001")))));
  CHECK(short_value.findings.empty());
}

TEST_CASE("ad.dsheuristics is not evaluated without the configuration naming context", "[checks][ad]") {
  auto r = test::run_check("ad.dsheuristics", test::snapshot_from_ldif(test::base_domain_ldif()));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("configuration"));
}

TEST_CASE("ad.dsheuristics is not evaluated when CN=Directory Service is missing", "[checks][ad]") {
  auto r = test::run_check("ad.dsheuristics",
                           test::snapshot_from_ldif(test::base_domain_ldif(configuration("", false))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("CN=Directory Service"));
}
