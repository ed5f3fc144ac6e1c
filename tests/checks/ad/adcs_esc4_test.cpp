#include <catch2/catch.hpp>

#include "tests/support/config_ldif.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using Json = nlohmann::ordered_json;

namespace {
using test::sid_of;
constexpr const char* kId = "ad.adcs-esc4";
const std::string kNameFlagGuid = "ea1dddc4-60ff-416e-8cc0-17cee534bce7";     // msPKI-Certificate-Name-Flag
const std::string kDisplayNameGuid = "bf967953-0de6-11d0-a285-00aa003049e2";  // displayName
const std::string kCa = "LAB-CA (ca1.corp.example.test)";

// A helpdesk user (1105), the CA's computer (1150, dNSHostName ca1...) and Cert Publishers (517), plus
// `records` and LAB-CA publishing `published`, whose enrollment service has the DACL `ca_sddl`.
model::Snapshot forest(const std::vector<std::string>& published, const std::string& records,
                       const std::string& ca_sddl = "", const std::string& templates_sddl = "") {
  return test::snapshot_from_ldif(
      test::forest_export(test::user("helpdesk", 1105, 0x200) +
                              test::computer("CA1", 1150, 0x1000, "dNSHostName: ca1.corp.example.test\n") +
                              test::group("Cert Publishers", 517, {"CA1"}) +
                              test::enrollment_service("LAB-CA", "ca1.corp.example.test", published,
                                                       {test::test_cert("lab-root-ca.der")}, ca_sddl) +
                              records,
                          templates_sddl));
}

test::TemplateSpec tmpl(const std::string& name, const std::string& extra_aces = "",
                        const std::string& owner = "EA") {
  test::TemplateSpec t;
  t.name = name;
  t.sddl = test::template_sddl(extra_aces);
  t.sddl.replace(2, 2, owner);  // "O:EA..." -> "O:<owner>..."
  return t;
}

const model::Finding* by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.adcs-esc4 flags a helpdesk user who can set a published template's name flag",
          "[checks][ad][ad.adcs-esc4]") {
  const std::string ace = "(OA;;WP;" + kNameFlagGuid + ";;" + sid_of(1105) + ")";
  auto r = test::run_check(kId, forest({"User"}, test::cert_template(tmpl("User", ace))));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.notes.empty());
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == "ace:" + sid_of(1105));
  CHECK(f.resource.dn == "CN=User," + test::kTemplates);
  CHECK(f.message ==
        sid_of(1105) + " (helpdesk) controls certificate template User (published by " + kCa +
            ") (WritePKINameFlag): it can turn it into an ESC1 template (enrollee-supplied subject, "
            "logon EKU) whenever it likes");
  CHECK(f.evidence["object_kind"] == "certificate_template");
  CHECK(f.evidence["template"] == "User");
  CHECK(f.evidence["display_name"] == "User display");
  CHECK(f.evidence["certificate_authorities"] == Json::array({kCa}));
  CHECK(f.evidence["trustee"] == sid_of(1105));
  CHECK(f.evidence["trustee_name"] == "helpdesk");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] == Json::array({"WritePKINameFlag"}));
  CHECK(f.evidence["aces"] == Json::array({"(OA;;WP;" + kNameFlagGuid + ";;" + sid_of(1105) + ")"}));
  CHECK(f.evidence["inherited"] == false);
}

TEST_CASE("ad.adcs-esc4: a template owned by an ordinary user", "[checks][ad][ad.adcs-esc4]") {
  auto r = test::run_check(kId, forest({"Custom"}, test::cert_template(tmpl("Custom", "", sid_of(1105)))));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == "owner:" + sid_of(1105));
  CHECK(f.evidence["rights"] == Json::array({"Owner"}));
  CHECK(f.evidence["aces"].empty());
  CHECK(f.message == "certificate template Custom (published by " + kCa + ") is owned by " + sid_of(1105) +
                         " (helpdesk), outside tier 0: the owner can turn it into an ESC1 template "
                         "(enrollee-supplied subject, logon EKU) whenever it likes");
}

TEST_CASE("ad.adcs-esc4: the template container, an enrollment service and the NTAuth store",
          "[checks][ad][ad.adcs-esc4]") {
  const std::string base = "O:EAG:EAD:PAI(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)(A;;LCRPLORC;;;AU)";
  // The CA host's own full control is expected; Cert Publishers' GenericWrite is high; helpdesk's WriteDacl
  // critical.
  const std::string ca_sddl = base + "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(1150) + ")(A;;RPWPSWRC;;;" +
                              sid_of(517) + ")(A;;WD;;;" + sid_of(1105) + ")";
  auto snap =
      forest({}, test::ntauth_store({test::test_cert("lab-root-ca.der")}, "O:EAG:EAD:NO_ACCESS_CONTROL"),
             ca_sddl, base + "(A;;WD;;;DU)");
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 4);

  const auto* container = by_key(r, "ace:" + sid_of(513));
  REQUIRE(container != nullptr);
  CHECK(container->resource.dn == test::kTemplates);
  CHECK(container->severity == Severity::critical);
  CHECK(container->evidence["object_kind"] == "template_container");
  CHECK(container->evidence["trustee_scope"] == "everyone");
  CHECK(container->evidence["rights"] == Json::array({"WriteDacl"}));
  CHECK(container->message == sid_of(513) +
                                  " (Domain Users) controls the Certificate Templates container "
                                  "(WriteDacl): it can change the ACL that every template inherits, "
                                  "and so rewrite any template");

  const auto* publishers = by_key(r, "ace:" + sid_of(517));
  REQUIRE(publishers != nullptr);
  CHECK(publishers->severity == Severity::high);
  CHECK(publishers->evidence["object_kind"] == "enrollment_service");
  CHECK(publishers->evidence["rights"] == Json::array({"GenericWrite", "WriteAllProperties"}));

  const auto* helpdesk = by_key(r, "ace:" + sid_of(1105));
  REQUIRE(helpdesk != nullptr);
  CHECK(helpdesk->severity == Severity::critical);
  CHECK(helpdesk->message ==
        sid_of(1105) + " (helpdesk) controls the enrollment service of CA " + kCa +
            " (WriteDacl): it can make the CA publish any template (certificateTemplates)");

  const auto* ntauth = by_key(r, "null-dacl");
  REQUIRE(ntauth != nullptr);
  CHECK(ntauth->resource.dn == test::kNtauth);
  CHECK(ntauth->severity == Severity::critical);
  CHECK(ntauth->evidence["object_kind"] == "ntauth_store");
  CHECK(ntauth->evidence["trustee"] == "S-1-1-0");
  CHECK(ntauth->message ==
        "the NTAuth store (NTAuthCertificates) has a null DACL: anyone can add a CA of its own "
        "to the certificates trusted for logon");
  CHECK(by_key(r, "ace:" + sid_of(1150)) == nullptr);
}

TEST_CASE("ad.adcs-esc4 is clean on default ACLs, unpublished templates and harmless writes",
          "[checks][ad][ad.adcs-esc4]") {
  const std::string harmless = "(OA;;WP;" + kDisplayNameGuid + ";;" + sid_of(1105) + ")" +
                               "(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)(A;;RPLCLORC;;;DU)" +
                               "(A;CIIO;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;CO)";
  auto snap = forest(
      {"User", "Machine"},
      test::cert_template(tmpl("User", harmless)) + test::cert_template(tmpl("Machine", "", "DA")) +
          test::cert_template(tmpl("Unpublished", "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DU)", sid_of(1105))) +
          test::ntauth_store({test::test_cert("lab-root-ca.der")}));
  auto r = test::run_check(kId, snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.adcs-esc4 finds the lab's template that Authenticated Users can rewrite, and only it",
          "[checks][ad][ad.adcs-esc4]") {
  auto r = test::run_check(kId, test::lab_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].resource.name == "ESC4-WebServer");
  CHECK(r.findings[0].severity == Severity::critical);
  CHECK(r.findings[0].evidence["trustee"] == "S-1-5-11");
}

TEST_CASE("ad.adcs-esc4 is not evaluated without security descriptors or the configuration NC",
          "[checks][ad][ad.adcs-esc4]") {
  SECTION("nTSecurityDescriptor not requested") {
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
