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
using test::account;
using test::user;
using test::group;

// The base domain as an ldapsearch export that requested `attrs` (e.g. "* msDS-KeyCredentialLink").
std::string export_of(const std::string& attrs, const std::string& extra) {
  return test::requesting_header(attrs) + test::base_domain_ldif(extra) +
         "# search result\nsearch: 2\nresult: 0 Success\n\n";
}
}  // namespace

namespace {
const std::string kAll = "* userPassword unixUserPassword msSFU30Password";
const std::string kSecret = "Winter2024!";
}  // namespace

TEST_CASE("ad.cleartext-password-attribute flags populated password attributes without showing them",
          "[checks][ad]") {
  // userPassword is an octet string: ldapsearch prints it base64-encoded.
  auto snap = test::snapshot_from_ldif(
      export_of(kAll, user("nis-user", 2001, 0x200,
                           "userPassword:: " + util::base64_encode(kSecret) +
                               "\nmsSFU30Password: " + kSecret + "\nmsSFU30Password: " + kSecret + "x\n")));
  auto r = test::run_check("ad.cleartext-password-attribute", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "nis-user");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence_key == "password-attributes");
  CHECK(f.evidence["attributes"] == nlohmann::ordered_json::array({"userPassword", "msSFU30Password"}));
  CHECK(f.evidence["value_counts"]["userPassword"] == 1);
  CHECK(f.evidence["value_counts"]["msSFU30Password"] == 2);
  // Never the value, its encoding or its length.
  const auto all = f.evidence.dump() + f.message;
  CHECK_THAT(all, !Catch::Contains("Winter"));
  CHECK_THAT(all, !Catch::Contains(util::base64_encode(kSecret).substr(0, 8)));
  CHECK_THAT(all, !Catch::Contains(std::to_string(kSecret.size())));
}

TEST_CASE("ad.cleartext-password-attribute: critical on tier 0", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_of(kAll, user("t0-unix", 2002, 0x200, "unixUserPassword: {crypt}" + kSecret + "\n") +
                          group("Enterprise Admins", 519, {"t0-unix"})));
  auto r = test::run_check("ad.cleartext-password-attribute", snap);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["attributes"] == nlohmann::ordered_json::array({"unixUserPassword"}));
}

TEST_CASE("ad.cleartext-password-attribute is clean on a default domain and look-alikes", "[checks][ad]") {
  // unicodePwd is never readable; msSFU30Name and unixHomeDirectory are harmless UNIX attributes.
  auto snap = test::snapshot_from_ldif(export_of(
      kAll,
      user("alice", 2003, 0x200, "msSFU30Name: alice\nunixHomeDirectory: /home/alice\nuidNumber: 10001\n")));
  auto r = test::run_check("ad.cleartext-password-attribute", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.cleartext-password-attribute is not evaluated unless all three attributes were requested",
          "[checks][ad]") {
  // "*" does not return them for most readers: absence proves nothing.
  auto snap = test::snapshot_from_ldif(export_of("* userPassword", user("alice", 2004, 0x200)));
  auto r = test::run_check("ad.cleartext-password-attribute", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("unixUserPassword"));
  CHECK_THAT(r.reason, Catch::Contains("msSFU30Password"));

  auto star = test::snapshot_from_ldif(export_of("*", user("bob", 2005, 0x200)));
  auto r2 = test::run_check("ad.cleartext-password-attribute", star);
  CHECK(r2.status == CheckStatus::not_evaluated);
  CHECK_THAT(r2.reason, Catch::Contains("userPassword"));
}
