#include <catch2/catch.hpp>
#include <set>

#include "scanner/engine/registry.hpp"
#include "scanner/model/ioc.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/config_ldif.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;
using Json = adpersist::model::Json;

namespace {

constexpr const char* kId = "ad.ioc-match";

test::CheckRun run(const model::Snapshot& snap, const model::IocSet& set) {
  return test::run_check(kId, snap, test::lab_now(), std::chrono::hours(24 * 30), &set);
}

const model::Finding* find(const test::CheckRun& r, const std::string& name, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.resource.name == name && f.evidence_key == key) return &f;
  return nullptr;
}

// The lab (fixtures/lab/README.md): its domain SID and planted principals.
const std::string kLabSid = "S-1-5-21-1281853893-3718847160-3668237006";
const std::string kLab = "DC=lab,DC=adpersist,DC=test";
const std::string kNtauthDn =
    "CN=NTAuthCertificates,CN=Public Key Services,CN=Services,CN=Configuration," + kLab;
const std::string kRogueSha1 = "505b46dc6e16cdd8381b768fdc210bddf8e4c96b";
const std::string kRogueSha256 = "fd2ceb0e4175c03a9e7b6fd734fda594860e093a7c5708e952563dcff7745d74";
const std::string kPartnerDomainSid = "S-1-5-21-1111111111-2222222222-3333333333";

}  // namespace

TEST_CASE("ad.ioc-match: a certificate thumbprint in the NTAuth store", "[checks][ad][ioc][ad.ioc-match]") {
  // The lab's rogue CA, given as SHA-1 (with colons, as certutil prints it) and as SHA-256.
  const auto set = test::ioc_set(R"({"source": "CISA AA21-008A", "certificate_thumbprints": [
      "50:5B:46:DC:6E:16:CD:D8:38:1B:76:8F:DC:21:0B:DD:F8:E4:C9:6B",
      "FD2CEB0E4175C03A9E7B6FD734FDA594860E093A7C5708E952563DCFF7745D74"]})");
  auto r = run(test::lab_snapshot(), set);
  REQUIRE(r.status == CheckStatus::failed);
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 2);  // one per indicator; the rogue CA is published nowhere else
  const auto* f = find(r, "NTAuthCertificates", "certificate_thumbprint:" + kRogueSha1);
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->resource.dn == kNtauthDn);
  CHECK(f->message ==
        "matches certificate 505B46DC6E16CDD8381B768FDC210BDDF8E4C96B from the IOC list (cACertificate[1])");
  CHECK(f->evidence["indicator_type"] == "certificate_thumbprint");
  CHECK(f->evidence["indicator"] == kRogueSha1);
  CHECK(f->evidence["found_in"] == Json::array({"cACertificate[1]"}));
  const auto& m = f->evidence["matches"][0];
  CHECK(m["path"] == "cACertificate[1]");
  CHECK(m["matched_by"] == "SHA-1");
  CHECK(m["thumbprint"] == "505B46DC6E16CDD8381B768FDC210BDDF8E4C96B");
  CHECK(m["sha256"] == "FD2CEB0E4175C03A9E7B6FD734FDA594860E093A7C5708E952563DCFF7745D74");
  CHECK(m["subject"] == "CN=Rogue CA,DC=adpersist,DC=test");
  CHECK(f->evidence["ioc_list"] == "iocs.json");
  CHECK(f->evidence["ioc_source"] == "CISA AA21-008A");
  const auto* g = find(r, "NTAuthCertificates", "certificate_thumbprint:" + kRogueSha256);
  REQUIRE(g != nullptr);
  CHECK(g->evidence["matches"][0]["matched_by"] == "SHA-256");
}

TEST_CASE("ad.ioc-match: SIDs in sIDHistory, objectSid and a trust", "[checks][ad][ioc][ad.ioc-match]") {
  SECTION("one account SID: the migrated account's sIDHistory") {
    auto r =
        run(test::lab_snapshot(), test::ioc_set(R"({"sids": ["S-1-5-21-1111111111-2222222222-3333333333-1234"]})"));
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.resource.name == "migrated-user");
    CHECK(f.evidence_key == "sid:S-1-5-21-1111111111-2222222222-3333333333-1234");
    CHECK(f.evidence["found_in"] == Json::array({"sIDHistory"}));
    CHECK(f.evidence["matches"][0]["value"] == "S-1-5-21-1111111111-2222222222-3333333333-1234");
    CHECK(f.evidence["enabled"] == true);
    CHECK(f.message ==
          "matches SID S-1-5-21-1111111111-2222222222-3333333333-1234 from the IOC list (sIDHistory)");
  }
  SECTION("a domain SID: every trace of that domain") {
    auto r = run(test::lab_snapshot(), test::ioc_set(R"({"sids": ["S-1-5-21-1111111111-2222222222-3333333333"]})"));
    REQUIRE(r.findings.size() == 3);
    const std::string key = "sid:" + kPartnerDomainSid;
    const auto* hist = find(r, "migrated-user", key);
    REQUIRE(hist != nullptr);
    CHECK(hist->evidence["matches"][0]["value"] == "S-1-5-21-1111111111-2222222222-3333333333-1234");
    // The foreign security principal that sits in Administrators.
    const auto* fsp = find(r, "S-1-5-21-1111111111-2222222222-3333333333-1105", key);
    REQUIRE(fsp != nullptr);
    CHECK(fsp->evidence["found_in"] == Json::array({"objectSid"}));
    const auto* trust = find(r, "partner.example", key);
    REQUIRE(trust != nullptr);
    CHECK(trust->resource.dn == "CN=partner.example,CN=System," + kLab);
    CHECK(trust->evidence["found_in"] == Json::array({"securityIdentifier"}));
    CHECK(trust->evidence["matches"][0]["trust_partner"] == "partner.example");
  }
}

TEST_CASE("ad.ioc-match: an ACE trustee SID, reported with the rights it holds",
          "[checks][ad][ioc][ad.ioc-match]") {
  // svc-sync holds DCSync on the domain head; it-support holds GenericAll on AdminSDHolder.
  const std::string sync = kLabSid + "-1131", support = kLabSid + "-1134";
  auto r = run(test::lab_snapshot(), test::ioc_set(R"({"sids": [")" + sync + R"(", ")" + support + R"("]})"));
  REQUIRE(r.status == CheckStatus::failed);

  const auto* head = find(r, "lab", "sid:" + sync);
  REQUIRE(head != nullptr);
  CHECK(head->resource.dn == kLab);
  CHECK(head->evidence["found_in"] == Json::array({"nTSecurityDescriptor.dacl"}));
  REQUIRE(head->evidence["matches"].size() == 2);
  CHECK(head->evidence["matches"][0]["trustee_name"] == sync + " (svc-sync)");
  CHECK(head->evidence["matches"][0]["inherited"] == false);
  CHECK(head->evidence["matches"][0]["ace"].get<std::string>().find(sync) != std::string::npos);
  CHECK(head->message ==
        "matches SID " + sync +
            " from the IOC list (nTSecurityDescriptor.dacl): the SID holds DS-Replication-Get-Changes-All, "
            "DS-Replication-Get-Changes");
  // The account itself.
  const auto* self = find(r, "svc-sync", "sid:" + sync);
  REQUIRE(self != nullptr);
  CHECK(self->evidence["found_in"] == Json::array({"objectSid"}));

  const auto* holder = find(r, "AdminSDHolder", "sid:" + support);
  REQUIRE(holder != nullptr);
  CHECK(holder->evidence["matches"][0]["rights"] == Json::array({"GenericAll"}));
  CHECK(find(r, "it-support", "sid:" + support) != nullptr);
  CHECK(r.findings.size() == 4);
}

TEST_CASE("ad.ioc-match: a SID trusted for delegation (RBCD descriptor)", "[checks][ad][ioc][ad.ioc-match]") {
  // WS-ATTACKER$ is named in the msDS-AllowedToActOnBehalfOfOtherIdentity of DC1$ and WS-RBCD$.
  const std::string attacker = kLabSid + "-1105";
  auto r = run(test::lab_snapshot(), test::ioc_set(R"({"sids": [")" + attacker + R"("]})"));
  const std::string key = "sid:" + attacker;
  for (const char* name : {"DC1$", "WS-RBCD$"}) {
    INFO(name);
    const auto* f = find(r, name, key);
    REQUIRE(f != nullptr);
    CHECK(f->evidence["found_in"] == Json::array({"msDS-AllowedToActOnBehalfOfOtherIdentity.dacl"}));
    CHECK(f->evidence["matches"][0]["rights"] == Json::array({"GenericAll"}));
  }
  CHECK(find(r, "WS-ATTACKER$", key) != nullptr);
  CHECK(r.findings.size() == 3);
}

TEST_CASE("ad.ioc-match: account names by sAMAccountName, DOMAIN\\name and UPN",
          "[checks][ad][ioc][ad.ioc-match]") {
  auto r =
      run(test::lab_snapshot(),
          test::ioc_set(R"({"account_names": ["IT-Support", "lab\\bob", "ADM-NEW@lab.adpersist.test", "nobody"]})"));
  REQUIRE(r.findings.size() == 3);
  const auto* support = find(r, "it-support", "account_name:it-support");
  REQUIRE(support != nullptr);
  CHECK(support->evidence["found_in"] == Json::array({"sAMAccountName"}));
  CHECK(support->message == "matches account it-support from the IOC list (sAMAccountName)");
  const auto* bob = find(r, "bob", "account_name:lab\\bob");
  REQUIRE(bob != nullptr);
  CHECK(bob->evidence["matches"][0]["matched_by"] == "NetBIOS domain\\sAMAccountName");
  const auto* adm = find(r, "adm-new", "account_name:adm-new@lab.adpersist.test");
  REQUIRE(adm != nullptr);
  CHECK(adm->evidence["found_in"] == Json::array({"userPrincipalName"}));
  CHECK(adm->evidence["tier0"] == true);
}

TEST_CASE("ad.ioc-match: a KeyCredentialLink key id and device id", "[checks][ad][ioc][ad.ioc-match]") {
  // adm-keyed carries the Impacket/pywhisker blob; WS-HELLO$'s own key must not match.
  auto r = run(test::lab_snapshot(), test::ioc_set(R"({"key_ids": ["om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4=",
                                                        "F3FD9DF5-0A21-7042-82C0-EFB2C0B3FD43"]})"));
  CHECK(r.notes.empty());
  REQUIRE(r.findings.size() == 2);
  const auto* by_key = find(r, "adm-keyed", "key_id:om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4=");
  REQUIRE(by_key != nullptr);
  CHECK(by_key->evidence["found_in"] == Json::array({"msDS-KeyCredentialLink"}));
  const auto& m = by_key->evidence["matches"][0];
  CHECK(m["matched_by"] == "KeyID");
  CHECK(m["device_id"] == "f3fd9df5-0a21-7042-82c0-efb2c0b3fd43");
  CHECK(m["usage"] == "NGC");
  CHECK(by_key->evidence["tier0"] == true);
  const auto* by_device = find(r, "adm-keyed", "key_id:f3fd9df5-0a21-7042-82c0-efb2c0b3fd43");
  REQUIRE(by_device != nullptr);
  CHECK(by_device->evidence["matches"][0]["matched_by"] == "DeviceId");
  // Never key material: the blob's key bytes start right after the KeyID and KeyHash entries.
  for (const auto& f : r.findings) CHECK(f.evidence.dump().find("RSA1") == std::string::npos);
}

TEST_CASE("ad.ioc-match: an issuer DN matches altSecurityIdentities and the CA certificate",
          "[checks][ad][ioc][ad.ioc-match]") {
  // adm-cert maps X509:<I>DC=test,DC=adpersist,CN=Rogue CA<S>CN=adm-cert (reverse RDN order); the NTAuth
  // store holds the Rogue CA's own certificate. contractor's mapping names CN=Partner CA and must stay
  // silent.
  auto r = run(test::lab_snapshot(), test::ioc_set(R"({"issuers": ["CN=Rogue CA,DC=adpersist,DC=test"]})"));
  REQUIRE(r.findings.size() == 2);
  const std::string key = "issuer:cn=rogue ca,dc=adpersist,dc=test";
  const auto* mapped = find(r, "adm-cert", key);
  REQUIRE(mapped != nullptr);
  CHECK(mapped->evidence["found_in"] == Json::array({"altSecurityIdentities"}));
  CHECK(mapped->evidence["matches"][0]["value"] == "DC=test,DC=adpersist,CN=Rogue CA");
  CHECK(mapped->evidence["matches"][0]["mapping"] ==
        "X509:<I>DC=test,DC=adpersist,CN=Rogue CA<S>CN=adm-cert");
  const auto* store = find(r, "NTAuthCertificates", key);
  REQUIRE(store != nullptr);
  CHECK(store->evidence["matches"][0]["matched_by"] == "certificate subject (the CA)");
  CHECK(find(r, "contractor", key) == nullptr);
}

TEST_CASE("ad.ioc-match: certificate mappings by hash and Kerberos principal",
          "[checks][ad][ioc][ad.ioc-match]") {
  const auto lab_ca = test::test_cert("lab-root-ca.der");
  const std::string records =
      test::user("mapped-hash", 1201, 0x200,
                 "altSecurityIdentities: X509:<SHA1-PUKEY>f05b57b1dd5aa99110726981bfa636819541dba8\n") +
      test::user("mapped-krb", 1202, 0x200, "altSecurityIdentities: Kerberos:svc-backdoor@EVIL.EXAMPLE\n") +
      test::user("with-cert", 1203, 0x200, "userCertificate:: " + util::base64_encode(lab_ca) + "\n");
  auto snap = test::snapshot_from_ldif(test::forest_export(records));
  auto r = run(snap, test::ioc_set(R"({"certificate_thumbprints": ["F05B57B1DD5AA99110726981BFA636819541DBA8"],
                            "account_names": ["svc-backdoor@evil.example"]})"));
  REQUIRE(r.findings.size() == 3);
  const auto* hash =
      find(r, "mapped-hash", "certificate_thumbprint:f05b57b1dd5aa99110726981bfa636819541dba8");
  REQUIRE(hash != nullptr);
  CHECK(hash->evidence["matches"][0]["matched_by"] == "SHA1-PUKEY");
  CHECK(hash->evidence["matches"][0]["value"] == "F05B57B1DD5AA99110726981BFA636819541DBA8");
  const auto* cert = find(r, "with-cert", "certificate_thumbprint:f05b57b1dd5aa99110726981bfa636819541dba8");
  REQUIRE(cert != nullptr);
  CHECK(cert->evidence["found_in"] == Json::array({"userCertificate[0]"}));
  CHECK(cert->evidence["matches"][0]["subject"] == "CN=Lab Root CA,DC=lab,DC=adpersist,DC=test");
  const auto* krb = find(r, "mapped-krb", "account_name:svc-backdoor@evil.example");
  REQUIRE(krb != nullptr);
  CHECK(krb->evidence["matches"][0]["matched_by"] == "Kerberos principal");
}

TEST_CASE("ad.ioc-match: an inherited ACE is reported once, where it is set",
          "[checks][ad][ioc][ad.ioc-match]") {
  // mallory holds GenericAll on OU=Staff (container-inherit); carol inherits the ACE, dave has his own.
  const std::string mallory = test::sid_of(1300);
  const std::string ou = "OU=Staff," + test::kDomain;
  auto person = [&](const std::string& cn, std::uint32_t rid, const std::string& sddl) {
    return "dn: CN=" + cn + "," + ou +
           "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
           "objectClass: user\ncn: " +
           cn + "\nsAMAccountName: " + cn + "\nobjectSid:: " + test::sid_b64(test::sid_of(rid)) +
           "\nuserAccountControl: 512\n" + test::sd_line(sddl) + "instanceType: 4\nuSNChanged: 1000\n\n";
  };
  const std::string records =
      test::user("mallory", 1300, 0x200) + "dn: " + ou +
      "\nobjectClass: top\nobjectClass: organizationalUnit\nou: Staff\nname: Staff\n" +
      test::sd_line("O:DAD:(A;;RPLCLORC;;;AU)(A;CI;GA;;;" + mallory + ")") +
      "instanceType: 4\nuSNChanged: 1000\n\n" +
      person("carol", 1301, "O:DAD:(A;;RPLCLORC;;;AU)(A;CIID;GA;;;" + mallory + ")") +
      person("dave", 1302, "O:DAD:(A;;WP;;;" + mallory + ")(A;CIID;GA;;;" + mallory + ")");
  auto snap = test::snapshot_from_ldif(test::forest_export(records));
  auto r = run(snap, test::ioc_set(R"({"sids": [")" + mallory + R"("]})"));
  const std::string key = "sid:" + mallory;
  REQUIRE(r.findings.size() == 3);
  const auto* staff = find(r, "Staff", key);
  REQUIRE(staff != nullptr);
  CHECK(staff->evidence["matches"][0]["rights"] == Json::array({"GenericAll"}));
  CHECK(find(r, "carol", key) == nullptr);
  const auto* dave = find(r, "dave", key);
  REQUIRE(dave != nullptr);
  REQUIRE(dave->evidence["matches"].size() == 1);  // his explicit ACE; the inherited one is the OU's
  CHECK(dave->evidence["matches"][0]["rights"] == Json::array({"WriteAllProperties"}));
  CHECK(find(r, "mallory", key) != nullptr);
  CHECK(r.notes ==
        std::vector<std::string>{"2 inherited ACEs for IOC SIDs were not reported separately: each is "
                                 "reported on the parent that carries the same trustee"});
}

TEST_CASE("ad.ioc-match: attributes the export lacks are named, never silently skipped",
          "[checks][ad][ioc][ad.ioc-match]") {
  // forest_export requests "* nTSecurityDescriptor": msDS-KeyCredentialLink needs to be requested by name.
  auto snap = test::snapshot_from_ldif(test::forest_export(""));
  auto r = run(snap, test::ioc_set(R"({"key_ids": ["om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4="]})"));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.notes ==
        std::vector<std::string>{"msDS-KeyCredentialLink is not in the input: key_ids could not be "
                                 "matched against it"});
}

TEST_CASE("ad.ioc-match: nothing on the list in the lab gives no finding",
          "[checks][ad][ioc][ad.ioc-match]") {
  // Values of the Entra tenant fixture, and a SID and names the lab does not hold.
  auto r = run(test::lab_snapshot(), test::ioc_set(R"({
    "certificate_thumbprints": ["054F1016690F6E6B59E8EB190964BA3BE5CC9A5A"],
    "key_ids": ["ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1"],
    "sids": ["S-1-5-21-1777777777-1888888888-1999999999-500"],
    "account_names": ["svc-sync2@contoso.com"],
    "issuers": ["http://any.sts/B231A11F", "CN=Partner CA,DC=elsewhere"]})"));
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
  CHECK(r.notes.empty());
}

TEST_CASE("ad.ioc-match: not evaluated without an IOC list", "[checks][ad][ioc][ad.ioc-match]") {
  auto r = test::run_check(kId, test::lab_snapshot());
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK(r.reason == "no IOC list was given (--ioc FILE)");
}

TEST_CASE("ad.ioc-match: lab-and-tenant.json gives exactly the planted lab matches",
          "[checks][ad][ioc][ad.ioc-match]") {
  // The list the CLI tests use (fixtures/ioc/README.md); its Entra values must not match anything here.
  auto set = model::load_ioc_file(test::fixture_path("ioc/lab-and-tenant.json"));
  REQUIRE(set.ok());
  auto r = run(test::lab_snapshot(), *set);
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& f : r.findings) got.emplace(f.resource.name, f.evidence_key);
  const std::string sync = "sid:" + kLabSid + "-1131";
  CHECK(got == std::set<std::pair<std::string, std::string>>{
                   {"NTAuthCertificates", "certificate_thumbprint:" + kRogueSha1},
                   {"NTAuthCertificates", "issuer:cn=rogue ca,dc=adpersist,dc=test"},
                   {"adm-cert", "issuer:cn=rogue ca,dc=adpersist,dc=test"},
                   {"adm-keyed", "key_id:om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4="},
                   {"lab", sync},
                   {"svc-sync", sync},
                   {"migrated-user", "sid:S-1-5-21-1111111111-2222222222-3333333333-1234"},
                   {"it-support", "account_name:it-support"}});
  CHECK(r.findings.size() == 8);
  CHECK(r.notes.empty());
}

TEST_CASE("ad.ioc-match: objects whose descriptor does not decode are counted and named in one note",
          "[checks][ad][ioc][ad.ioc-match]") {
  // Their owners and ACE trustees cannot be matched: never silently skipped, and one note (naming the first
  // five) rather than one per object, however many share the bad value.
  const std::string bad =
      "nTSecurityDescriptor:: " + util::base64_encode(std::string("\x01\x00\x04\x80\x14\x00", 6)) + "\n";
  std::string users;
  for (std::uint32_t i = 0; i < 7; ++i) users += test::user("liar" + std::to_string(i), 1200 + i, 0x200, bad);
  auto r = run(test::snapshot_from_ldif(test::forest_export(users)),
               test::ioc_set(R"({"sids": ["S-1-5-21-1777777777-1888888888-1999999999-500"]})"));
  CHECK(r.status == CheckStatus::passed);
  std::vector<std::string> undecodable;
  for (const auto& n : r.notes)
    if (n.find("does not decode") != std::string::npos) undecodable.push_back(n);
  REQUIRE(undecodable.size() == 1);
  const auto& note = undecodable[0];
  CHECK_THAT(note, Catch::StartsWith("7 objects carry an nTSecurityDescriptor that does not decode"));
  CHECK_THAT(note, Catch::Contains("CN=liar0," + test::kUsers + " attribute nTSecurityDescriptor"));
  CHECK_THAT(note, Catch::Contains("CN=liar4," + test::kUsers));
  CHECK_THAT(note, !Catch::Contains("CN=liar5,"));
  CHECK_THAT(note, Catch::EndsWith("; and 2 more)"));
}
