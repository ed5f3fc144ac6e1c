#include <catch2/catch.hpp>

#include "tests/support/config_ldif.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::sid_of;
constexpr const char* kId = "ad.adcs-esc1";
const std::string kEnroll = "0e10c968-78fb-11d2-90d4-00c04f79dc55";
const std::string kAutoEnroll = "a05b8cc2-17bc-4802-a710-e7c15ab866a2";
const std::string kCa = "LAB-CA (ca1.corp.example.test)";

std::string enroll_ace(const std::string& trustee, const std::string& right = kEnroll) {
  return "(OA;;CR;" + right + ";;" + trustee + ")";
}

// LAB-CA publishing `published`, plus `records`, in a full forest export with a helpdesk user (1105).
model::Snapshot forest(const std::vector<std::string>& published, const std::string& records) {
  return test::snapshot_from_ldif(
      test::forest_export(test::user("helpdesk", 1105, 0x200) +
                          test::enrollment_service("LAB-CA", "ca1.corp.example.test", published,
                                                   {test::test_cert("lab-root-ca.der")}) +
                          records));
}

test::TemplateSpec esc1(const std::string& name, const std::string& extra_aces) {
  test::TemplateSpec t;
  t.name = name;
  t.name_flag = 0x1;
  t.sddl = test::template_sddl(extra_aces);
  return t;
}
}  // namespace

TEST_CASE("ad.adcs-esc1 flags a published template Domain Users can enroll in with their own subject",
          "[checks][ad][ad.adcs-esc1]") {
  auto snap = forest({"User", "VulnUser"}, test::cert_template(esc1("VulnUser", enroll_ace("DU"))));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.notes.empty());
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == "esc1");
  CHECK(f.resource.dn == "CN=VulnUser," + test::kTemplates);
  CHECK(f.resource.name == "VulnUser");
  CHECK(f.message ==
        "certificate template VulnUser (published by " + kCa + ") lets " + sid_of(513) +
            " (Domain Users), i.e. anyone with an account, request a logon certificate for any user: "
            "enrollee supplies the subject, 1.3.6.1.5.5.7.3.2 (Client Authentication), no manager "
            "approval or authorized signature");
  CHECK(f.evidence["template"] == "VulnUser");
  CHECK(f.evidence["display_name"] == "VulnUser display");
  CHECK(f.evidence["schema_version"] == 2);
  CHECK(f.evidence["certificate_authorities"] == nlohmann::ordered_json::array({kCa}));
  CHECK(f.evidence["name_flags"] == nlohmann::ordered_json::array({"CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"}));
  CHECK(f.evidence["enrollment_flags"].empty());
  CHECK(f.evidence["ra_signatures"] == 0);
  CHECK(f.evidence["ekus"] == nlohmann::ordered_json::array({"1.3.6.1.5.5.7.3.2 (Client Authentication)"}));
  CHECK(f.evidence["enrollees"] == nlohmann::ordered_json::array({sid_of(513) + " (Domain Users)"}));
  CHECK(f.evidence["enrollee_scope"] == "everyone");
  CHECK(f.evidence["enroll_rights"] ==
        nlohmann::ordered_json::array({sid_of(513) + ": Certificate-Enrollment"}));
  CHECK(f.evidence["aces"] ==
        nlohmann::ordered_json::array({"(OA;;CR;" + kEnroll + ";;" + sid_of(513) + ")"}));
}

TEST_CASE("ad.adcs-esc1: SAN flag, no EKU, GenericAll and AutoEnroll count too",
          "[checks][ad][ad.adcs-esc1]") {
  auto t = esc1("AnyPurposeSan", "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(1105) + ")" +
                                     enroll_ace(sid_of(1106), kAutoEnroll));
  t.name_flag = 0x10000 | 0x40000000;  // ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME | SUBJECT_REQUIRE_COMMON_NAME
  t.enrollment_flag = 0x20 | 0x8;      // AUTO_ENROLLMENT | PUBLISH_TO_DS
  t.ekus = {};
  auto snap = forest({"AnyPurposeSan"}, test::cert_template(t) + test::user("svc-enroll", 1106, 0x200));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["enrollee_scope"] == "principal");
  CHECK(f.evidence["enrollees"] ==
        nlohmann::ordered_json::array({sid_of(1105) + " (helpdesk)", sid_of(1106) + " (svc-enroll)"}));
  CHECK(f.evidence["enroll_rights"] ==
        nlohmann::ordered_json::array(
            {sid_of(1105) + ": GenericAll", sid_of(1106) + ": Certificate-AutoEnrollment"}));
  CHECK(f.evidence["ekus"].empty());
  CHECK(f.evidence["name_flags"] ==
        nlohmann::ordered_json::array(
            {"CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME", "CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME"}));
  CHECK(f.evidence["enrollment_flags"] ==
        nlohmann::ordered_json::array({"CT_FLAG_PUBLISH_TO_DS", "CT_FLAG_AUTO_ENROLLMENT"}));
  CHECK(f.message ==
        "certificate template AnyPurposeSan (published by " + kCa + ") lets " + sid_of(1105) +
            " (helpdesk) and 1 more request a logon certificate for any user: enrollee supplies the "
            "SAN, no EKU (any purpose), no manager approval or authorized signature");
}

TEST_CASE("ad.adcs-esc1: Smart Card Logon next to other EKUs, and a null DACL",
          "[checks][ad][ad.adcs-esc1]") {
  auto t = esc1("OpenTemplate", "");
  t.ekus = {"1.3.6.1.5.5.7.3.4", "1.3.6.1.4.1.311.20.2.2"};
  t.sddl = "O:EAG:EAD:NO_ACCESS_CONTROL";
  auto r = test::run_check(kId, forest({"OpenTemplate"}, test::cert_template(t)));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.evidence["enrollees"] == nlohmann::ordered_json::array({"S-1-1-0 (Everyone, null DACL)"}));
  CHECK(f.evidence["enrollee_scope"] == "everyone");
  CHECK(f.evidence["ekus"] == nlohmann::ordered_json::array({"1.3.6.1.5.5.7.3.4 (Secure Email)",
                                                             "1.3.6.1.4.1.311.20.2.2 (Smart Card Logon)"}));
  CHECK_THAT(f.message, Catch::Contains("1.3.6.1.4.1.311.20.2.2 (Smart Card Logon)"));
}

TEST_CASE("ad.adcs-esc1 is clean when any one condition is missing", "[checks][ad][ad.adcs-esc1]") {
  const std::string du = enroll_ace("DU");
  auto unpublished = esc1("Unpublished", du);
  auto approval = esc1("Approval", du);
  approval.enrollment_flag = 0x2;  // PEND_ALL_REQUESTS
  auto signed_ = esc1("AgentSigned", du);
  signed_.ra_signatures = 1;
  auto server = esc1("WebServer", du);
  server.ekus = {"1.3.6.1.5.5.7.3.1"};
  auto from_ad = esc1("User", du);
  from_ad.name_flag =
      0xA6000000;  // SUBJECT_REQUIRE_DIRECTORY_PATH | ..._EMAIL | ALT_REQUIRE_UPN | ALT_REQUIRE_EMAIL
  auto admins_only = esc1("AdminsOnly", "");
  auto tier0_user = esc1("Tier0Enroll", enroll_ace(sid_of(500)) + enroll_ace("CO") + enroll_ace("S-1-5-9"));
  auto snap =
      forest({"Approval", "AgentSigned", "WebServer", "User", "AdminsOnly", "Tier0Enroll"},
             test::cert_template(unpublished) + test::cert_template(approval) + test::cert_template(signed_) +
                 test::cert_template(server) + test::cert_template(from_ad) +
                 test::cert_template(admins_only) + test::cert_template(tier0_user));
  auto r = test::run_check(kId, snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.adcs-esc1 finds the lab's ESC1 template, not its benign user template",
          "[checks][ad][ad.adcs-esc1]") {
  // fixtures/lab: ESC1-VPN (enrollee supplies subject, client auth, Domain Users enroll); LabUser takes the
  // subject from AD; ESC4-WebServer has only the server-auth EKU.
  auto r = test::run_check(kId, test::lab_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "ESC1-VPN");
  CHECK(r.findings[0].severity == Severity::critical);
}

TEST_CASE("ad.adcs-esc1 notes a template whose flags do not decode", "[checks][ad][ad.adcs-esc1]") {
  auto t = esc1("Broken", enroll_ace("DU"));
  auto ldif = test::cert_template(t);
  ldif.replace(ldif.find("msPKI-Certificate-Name-Flag: 1"), 30, "msPKI-Certificate-Name-Flag: x");
  auto r = test::run_check(kId, forest({"Broken"}, ldif));
  CHECK(r.findings.empty());
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("Broken") && Catch::Contains("msPKI-Certificate-Name-Flag"));
}

TEST_CASE("ad.adcs-esc1 is not evaluated without security descriptors or the configuration NC",
          "[checks][ad][ad.adcs-esc1]") {
  SECTION("nTSecurityDescriptor not requested") {
    // The configuration NC head only: no object carries a descriptor, and the header did not ask for one.
    const std::string config = "dn: " + test::kConfig +
                               "\nobjectClass: top\nobjectClass: configuration\ncn: Configuration\n"
                               "instanceType: 4\nuSNChanged: 3000\n\n";
    auto snap = test::snapshot_from_ldif(test::requesting_header("*") + test::base_domain_ldif(config) +
                                         "# search result\nsearch: 2\nresult: 0 Success\n\n");
    auto r = test::run_check(kId, snap);
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("nTSecurityDescriptor"));
  }
  SECTION("no configuration NC") {
    auto r =
        test::run_check(kId, test::snapshot_from_ldif(test::export_requesting("* nTSecurityDescriptor", "")));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("configuration"));
  }
}
