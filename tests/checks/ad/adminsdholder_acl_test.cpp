#include <catch2/catch.hpp>

#include <set>

#include "scanner/parsers/sid.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::sid_of;

const std::string kId = "ad.adminsdholder-acl";
const std::string kHolder = "CN=AdminSDHolder,CN=System," + kDomain;
const std::string kEvil = sid_of(1105);

// vectors/onprem/security-descriptors/adminsdholder_reference_sddl.txt: the Windows default DACL.
std::string reference_dacl() {
  auto text =
      test::read_text(test::vector_path("onprem/security-descriptors/adminsdholder_reference_sddl.txt"));
  return std::string(util::trim(text));
}

std::string holder_record(const std::string& sd_attr_line) {
  return "dn: " + kHolder + "\nobjectClass: top\nobjectClass: container\ncn: AdminSDHolder\n" + sd_attr_line +
         "instanceType: 4\nuSNChanged: 2000\n\n";
}

// The test domain with AdminSDHolder carrying `sddl`.
model::Snapshot domain_with_holder(const std::string& sddl) {
  return test::snapshot_from_ldif(
      test::base_domain_ldif(test::user("backdoor", 1105, 0x200) + holder_record(test::sd_line(sddl))));
}

// The real Windows descriptor SDProp stamped on a protected user (SharpHound's test data), moved into the
// test domain: every SID of the vector's domain gets the test domain's identifier authority and
// sub-authorities.
std::string stamped_vector_line() {
  auto raw = util::base64_decode(util::trim(test::read_text(
      test::vector_path("onprem/security-descriptors/protected_user_adminsdholder_stamped.b64"))));
  REQUIRE(raw.ok());
  const auto from =
      parsers::parse_sid_string("S-1-5-21-3130019616-2776909439-2417379446")->to_binary().substr(2);
  const auto to = parsers::parse_sid_string(test::kTestDomainSid)->to_binary().substr(2);
  REQUIRE(from.size() == to.size());
  std::size_t n = 0;
  for (auto pos = raw->find(from); pos != std::string::npos; pos = raw->find(from, pos + to.size()), ++n)
    raw->replace(pos, from.size(), to);
  CHECK(n == 4);  // owner, Domain Admins, Enterprise Admins, Cert Publishers
  return "nTSecurityDescriptor:: " + util::base64_encode(*raw) + "\n";
}

const model::Finding* by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("ad.adminsdholder-acl: the DACL a real Windows domain stamps matches the reference exactly",
          "[checks][ad][ad.adminsdholder-acl]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(test::base_domain_ldif(holder_record(stamped_vector_line()))));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.adminsdholder-acl flags full control added for an ordinary account",
          "[checks][ad][ad.adminsdholder-acl]") {
  const std::string ace = "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + kEvil + ")";
  auto r = test::run_check(kId, domain_with_holder("O:DAG:DA" + reference_dacl() + ace));
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.dn == kHolder);
  CHECK(f.resource.type == "container");
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence_key == kEvil);
  CHECK(f.message ==
        kEvil +
            " (backdoor) has 1 ACE on AdminSDHolder that the Windows default does not have; SDProp copies "
            "them onto every admin (control of every protected account and group)");
  CHECK(f.evidence["trustee"] == kEvil);
  CHECK(f.evidence["trustee_name"] == "backdoor");
  CHECK(f.evidence["trustee_scope"] == "principal");
  CHECK(f.evidence["rights"] == std::vector<std::string>{"GenericAll"});
  CHECK(f.evidence["aces"] == std::vector<std::string>{ace});
  CHECK(f.evidence["inherited"] == false);
}

TEST_CASE("ad.adminsdholder-acl grades added ACEs by what they give and who holds them",
          "[checks][ad][ad.adminsdholder-acl]") {
  struct Case {
    std::string ace, trustee;
    Severity sev;
  };
  const std::string ao = "S-1-5-32-548";
  for (const auto& c : {
           Case{"(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;" + kEvil + ")", kEvil, Severity::critical},
           Case{"(OA;;WP;bf9679c0-0de6-11d0-a285-00aa003049e2;;" + kEvil + ")", kEvil, Severity::critical},
           Case{"(A;;RCWPSW;;;AU)", "S-1-5-11", Severity::critical},
           // userCertificate: a write, but not one that takes a principal over.
           Case{"(OA;;WP;bf967a7f-0de6-11d0-a285-00aa003049e2;;" + kEvil + ")", kEvil, Severity::medium},
           // Inherit-only: stamped onto leaf objects it grants nothing yet.
           Case{"(A;CIIO;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + kEvil + ")", kEvil, Severity::medium},
           Case{"(A;;RPLCLORC;;;" + kEvil + ")", kEvil, Severity::low},
           Case{"(D;;WP;;;" + kEvil + ")", kEvil, Severity::low},
           // Account Operators: capped at high; SELF: capped at low.
           Case{"(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + ao + ")", ao, Severity::high},
           Case{"(A;;WP;;;PS)", "S-1-5-10", Severity::low},
       }) {
    INFO(c.ace);
    auto r = test::run_check(kId, domain_with_holder("O:DAG:DA" + reference_dacl() + c.ace));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].evidence_key == c.trustee);
    CHECK(r.findings[0].severity == c.sev);
  }
}

TEST_CASE("ad.adminsdholder-acl: tier-0 additions are not reported", "[checks][ad][ad.adminsdholder-acl]") {
  auto r =
      test::run_check(kId, domain_with_holder("O:DAG:DA" + reference_dacl() +
                                              "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(A;;WD;;;" + sid_of(500) +
                                              ")(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + sid_of(516) + ")"));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.adminsdholder-acl flags a non-tier-0 owner", "[checks][ad][ad.adminsdholder-acl]") {
  auto r = test::run_check(kId, domain_with_holder("O:" + kEvil + "G:DA" + reference_dacl()));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.evidence_key == "owner");
  CHECK(f.severity == Severity::critical);
  CHECK(f.evidence["trustee"] == kEvil);
  CHECK(f.evidence["rights"] == std::vector<std::string>{"Owner"});
  CHECK(f.message ==
        "AdminSDHolder is owned by " + kEvil +
            " (backdoor), which is not tier 0: the owner can rewrite the template DACL of every admin at "
            "any time");
}

TEST_CASE("ad.adminsdholder-acl: a DACL that inherits is high", "[checks][ad][ad.adminsdholder-acl]") {
  auto dacl = reference_dacl();
  REQUIRE(util::istarts_with(dacl, "D:PAI"));
  auto r = test::run_check(kId, domain_with_holder("O:DAG:DAD:AI" + dacl.substr(5)));
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.evidence_key == "not-protected");
  CHECK(f.severity == Severity::high);
  CHECK(f.evidence["control"] == "0x8404");
  CHECK(f.evidence["schema_default"] == false);
  CHECK(f.message ==
        "AdminSDHolder's DACL is not protected from inheritance: inheritable ACEs of CN=System and the "
        "domain head are copied onto every protected account and group");
}

TEST_CASE("ad.adminsdholder-acl: a removed default ACE is info", "[checks][ad][ad.adminsdholder-acl]") {
  const std::string cert_publishers = "(OA;;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;;CA)";
  auto dacl = reference_dacl();
  const auto pos = dacl.find(cert_publishers);
  REQUIRE(pos != std::string::npos);
  dacl.erase(pos, cert_publishers.size());
  auto r = test::run_check(kId, domain_with_holder("O:DAG:DA" + dacl));
  CHECK(r.status == CheckStatus::passed);  // info findings do not fail the check
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.evidence_key == "removed");
  CHECK(f.severity == Severity::info);
  CHECK(f.evidence["removed_aces"] ==
        std::vector<std::string>{"(OA;;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;;" + sid_of(517) + ")"});
  CHECK(f.message == "1 of the 24 default AdminSDHolder ACEs are missing (drift from the Windows default)");
}

TEST_CASE("ad.adminsdholder-acl: a null DACL is critical", "[checks][ad][ad.adminsdholder-acl]") {
  auto r = test::run_check(kId, domain_with_holder("O:DAG:DAD:NO_ACCESS_CONTROL"));
  const auto* f = by_key(r, "null-dacl");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->evidence["trustee"] == "S-1-1-0");
}

TEST_CASE("ad.adminsdholder-acl finds the lab's planted ACE, and Samba's own AdminSDHolder stays low",
          "[checks][ad][ad.adminsdholder-acl]") {
  // fixtures/lab: (A;;GA;;;it-support) planted on a Samba-provisioned AdminSDHolder. Samba's default
  // (container schema default, inheritance on, no SDProp) may only give low and info findings.
  auto r = test::run_check(kId, test::lab_snapshot());
  CHECK(r.notes.empty());
  const model::Finding* planted = nullptr;
  std::set<std::string> default_keys;
  for (const auto& f : r.findings) {
    if (f.evidence.contains("trustee_name") && f.evidence["trustee_name"] == "it-support") {
      planted = &f;
      continue;
    }
    INFO(f.evidence_key << ": " << f.message);
    CHECK(f.severity <= Severity::low);
    default_keys.insert(f.evidence_key);
  }
  REQUIRE(planted != nullptr);
  CHECK(planted->severity == Severity::critical);
  CHECK(planted->evidence["rights"] == std::vector<std::string>{"GenericAll"});
  CHECK(planted->evidence["inherited"] == false);
  // Inheritance on (with the container schema default), Pre-Windows 2000 Compatible Access's inherited
  // list/read ACEs, and the Windows ACEs Samba does not write.
  CHECK(default_keys == std::set<std::string>{"not-protected", "S-1-5-32-554", "removed"});
  const auto* np = by_key(r, "not-protected");
  REQUIRE(np != nullptr);
  CHECK(np->severity == Severity::low);
  CHECK(np->evidence["schema_default"] == true);
  const auto* pre2k = by_key(r, "S-1-5-32-554");
  REQUIRE(pre2k != nullptr);
  CHECK(pre2k->evidence["inherited"] == true);
}

TEST_CASE("ad.adminsdholder-acl is not evaluated without the object or its descriptor",
          "[checks][ad][ad.adminsdholder-acl]") {
  auto none = test::run_check(kId, test::snapshot_from_ldif(test::export_requesting(
                                       "objectClass cn nTSecurityDescriptor", test::user("a", 1120, 0x200))));
  CHECK(none.status == CheckStatus::not_evaluated);
  CHECK(none.reason == kHolder + " is not in the input (export the whole domain naming context)");

  auto no_sd = test::run_check(
      kId, test::snapshot_from_ldif(test::export_requesting("objectClass cn", holder_record(""))));
  CHECK(no_sd.status == CheckStatus::not_evaluated);
  CHECK_THAT(no_sd.reason, Catch::Contains("nTSecurityDescriptor"));
}

TEST_CASE("ad.adminsdholder-acl is not evaluated, never passed, when its descriptor does not decode",
          "[checks][ad][ad.adminsdholder-acl]") {
  auto r = test::run_check(
      kId, test::snapshot_from_ldif(test::base_domain_ldif(
               test::user("backdoor", 1105, 0x200) +
               holder_record(test::lying_sd_line("O:DAG:DA" + reference_dacl() +
                                           "(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + kEvil + ")")))));
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::StartsWith("AdminSDHolder cannot be judged: "));
  CHECK_THAT(r.reason,
             Catch::Contains(kHolder + " attribute nTSecurityDescriptor does not decode: OffsetDacl"));
  CHECK(r.findings.empty());
}
