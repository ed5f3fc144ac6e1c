#include <catch2/catch.hpp>
#include <map>

#include "tests/support/config_ldif.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
constexpr const char* kId = "ad.ntauth-certificates";
const std::string kLabThumb = "F05B57B1DD5AA99110726981BFA636819541DBA8";
const std::string kRogueThumb = "505B46DC6E16CDD8381B768FDC210BDDF8E4C96B";
const std::string kRenewedThumb = "B22BBD74343F0AAA345C20BA892C2B6714571AF8";

const model::Finding* by_key(const test::CheckRun& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.evidence_key == key) return &f;
  return nullptr;
}

std::string lab_ca(const std::vector<std::string>& certs) {
  return test::enrollment_service("LAB-CA", "ca1.corp.example.test", {"User"}, certs);
}
}  // namespace

TEST_CASE(
    "ad.ntauth-certificates: a CA in NTAuth that no enterprise CA uses is high, the enterprise CA's info",
    "[checks][ad][ad.ntauth-certificates]") {
  const auto lab = test::test_cert("lab-root-ca.der");
  const auto rogue = test::test_cert("rogue-ca.der");
  auto snap = test::snapshot_from_ldif(test::forest_export(lab_ca({lab}) + test::ntauth_store({lab, rogue})));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.notes.empty());

  const auto* f = by_key(r, "cert:" + kRogueThumb);
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::high);
  CHECK(f->resource.dn == test::kNtauth);
  CHECK(f->message == "the NTAuth store trusts CA 'CN=Rogue CA,DC=adpersist,DC=test' (thumbprint " +
                          kRogueThumb +
                          ") for logon, but no enterprise CA of the forest uses it: its key holder can sign "
                          "a logon certificate "
                          "for any account");
  CHECK(f->evidence["subject"] == "CN=Rogue CA,DC=adpersist,DC=test");
  CHECK(f->evidence["issuer"] == "CN=Rogue CA,DC=adpersist,DC=test");
  CHECK(f->evidence["serial"] == "0BADCA");
  CHECK(f->evidence["thumbprint"] == kRogueThumb);
  CHECK(f->evidence["sha256"] == "FD2CEB0E4175C03A9E7B6FD734FDA594860E093A7C5708E952563DCFF7745D74");
  CHECK(f->evidence["not_before"] == "2026-11-28T15:34:58Z");
  CHECK(f->evidence["not_after"] == "2046-11-23T15:34:58Z");
  CHECK(f->evidence["expired"] == false);
  CHECK(f->evidence["self_issued"] == true);
  CHECK(f->evidence["key"] == "id-ecPublicKey 256");
  CHECK(f->evidence["enrollment_services"].empty());
  CHECK(f->evidence["same_subject_as"].empty());
  CHECK(f->evidence["decoded"] == true);
  CHECK(f->evidence["value_index"] == 1);

  const auto* g = by_key(r, "cert:" + kLabThumb);
  REQUIRE(g != nullptr);
  CHECK(g->severity == Severity::info);
  CHECK(g->evidence["subject"] == "CN=Lab Root CA,DC=lab,DC=adpersist,DC=test");
  CHECK(g->evidence["serial"] == "4C41420001");
  CHECK(g->evidence["key"] == "rsaEncryption 2048");
  REQUIRE(g->evidence["enrollment_services"].size() == 1);
  CHECK(g->evidence["enrollment_services"][0] == "LAB-CA (ca1.corp.example.test)");
  CHECK(g->message == "the NTAuth store trusts CA 'CN=Lab Root CA,DC=lab,DC=adpersist,DC=test' (thumbprint " +
                          kLabThumb +
                          ") for logon; it is the certificate of enterprise CA LAB-CA "
                          "(ca1.corp.example.test)");
}

TEST_CASE(
    "ad.ntauth-certificates: a certificate with an enterprise CA's subject but another key is still high",
    "[checks][ad][ad.ntauth-certificates]") {
  const auto lab = test::test_cert("lab-root-ca.der");
  const auto renewed = test::test_cert("lab-root-ca-renewed.der");
  auto snap =
      test::snapshot_from_ldif(test::forest_export(lab_ca({renewed}) + test::ntauth_store({lab, renewed})));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 2);
  const auto* old_cert = by_key(r, "cert:" + kLabThumb);
  REQUIRE(old_cert != nullptr);
  CHECK(old_cert->severity == Severity::high);
  REQUIRE(old_cert->evidence["same_subject_as"].size() == 1);
  CHECK(old_cert->evidence["same_subject_as"][0] == "LAB-CA (ca1.corp.example.test)");
  CHECK_THAT(old_cert->message, Catch::EndsWith("(enterprise CA LAB-CA (ca1.corp.example.test) has the same "
                                                "subject with another certificate)"));
  const auto* current = by_key(r, "cert:" + kRenewedThumb);
  REQUIRE(current != nullptr);
  CHECK(current->severity == Severity::info);
}

TEST_CASE("ad.ntauth-certificates: a value that is not a certificate is high, with a note naming the object",
          "[checks][ad][ad.ntauth-certificates]") {
  const auto lab = test::test_cert("lab-root-ca.der");
  const std::string junk("\x30\x03\x02\x01\x05", 5);
  auto snap = test::snapshot_from_ldif(test::forest_export(lab_ca({lab}) + test::ntauth_store({lab, junk})));
  auto r = test::run_check(kId, snap);
  REQUIRE(r.findings.size() == 2);
  const model::Finding* bad = nullptr;
  for (const auto& f : r.findings)
    if (f.evidence["decoded"] == false) bad = &f;
  REQUIRE(bad != nullptr);
  CHECK(bad->severity == Severity::high);
  CHECK(bad->evidence_key.rfind("undecodable:", 0) == 0);
  CHECK(bad->evidence["value_index"] == 1);
  CHECK(bad->evidence["length"] == 5);
  CHECK_THAT(bad->evidence["decode_error"].get<std::string>(),
             Catch::Contains("not a DER X.509 certificate"));
  CHECK_THAT(bad->message,
             Catch::StartsWith("the NTAuth store holds a value that is not an X.509 certificate"));
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains(test::kNtauth) && Catch::Contains("cACertificate value 1"));
}

TEST_CASE(
    "ad.ntauth-certificates is clean when the store holds only enterprise CA certificates, or is absent",
    "[checks][ad][ad.ntauth-certificates]") {
  const auto lab = test::test_cert("lab-root-ca.der");
  SECTION("the enterprise CA's certificate: an info inventory finding, status passed") {
    auto r = test::run_check(
        kId, test::snapshot_from_ldif(test::forest_export(lab_ca({lab}) + test::ntauth_store({lab}))));
    CHECK(r.status == CheckStatus::passed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::info);
  }
  SECTION("no NTAuth store (no AD CS)") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(test::forest_export("")));
    CHECK(r.status == CheckStatus::passed);
    CHECK(r.findings.empty());
  }
}

TEST_CASE("ad.ntauth-certificates finds the lab's planted rogue CA next to its enterprise CA",
          "[checks][ad][ad.ntauth-certificates]") {
  // fixtures/lab: NTAuth holds fixtures/certs/lab-root-ca.der (Lab-CA's) and rogue-ca.der (no CA uses it).
  auto r = test::run_check(kId, test::lab_snapshot());
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.notes.empty());
  std::map<std::string, Severity> by_subject;
  for (const auto& f : r.findings) by_subject[f.evidence["subject"].get<std::string>()] = f.severity;
  CHECK(by_subject["CN=Rogue CA,DC=adpersist,DC=test"] == Severity::high);
  CHECK(by_subject["CN=Lab Root CA,DC=lab,DC=adpersist,DC=test"] == Severity::info);
}

TEST_CASE("ad.ntauth-certificates is not evaluated without cACertificate or the configuration NC",
          "[checks][ad][ad.ntauth-certificates]") {
  SECTION("cACertificate not requested") {
    auto snap = test::snapshot_from_ldif(test::requesting_header("objectClass cn objectSid") +
                                         test::base_domain_ldif(test::config_base()) +
                                         "# search result\nsearch: 2\nresult: 0 Success\n\n");
    auto r = test::run_check(kId, snap);
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("cACertificate"));
  }
  SECTION("no configuration NC") {
    auto r = test::run_check(kId, test::snapshot_from_ldif(test::export_requesting("*", "")));
    CHECK(r.status == CheckStatus::not_evaluated);
    CHECK_THAT(r.reason, Catch::Contains("configuration"));
  }
}
