#include <catch2/catch.hpp>
#include <cctype>

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
using test::computer;
using test::group;

// The base domain as an ldapsearch export that requested `attrs` (e.g. "* msDS-KeyCredentialLink").
std::string export_of(const std::string& attrs, const std::string& extra) {
  return test::requesting_header(attrs) + test::base_domain_ldif(extra) +
         "# search result\nsearch: 2\nresult: 0 Success\n\n";
}
// Inserts attribute lines into the record of `dn` in an LDIF text.
std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}
}  // namespace

namespace {
const std::string kAttrs = "* msDS-KeyCredentialLink";

// The hex of a real KEYCREDENTIALLINK_BLOB vector (DSInternals test data).
std::string vector_hex(const std::string& name) {
  std::string hex;
  for (char c : test::read_text(test::vector_path("onprem/keycredentiallink/" + name + ".hex")))
    if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
  return hex;
}
// An msDS-KeyCredentialLink line as Windows returns it: B:<hex digit count>:<hex>:<owner DN>.
std::string key_line(const std::string& vector, const std::string& owner_dn) {
  const auto hex = vector_hex(vector);
  return "msDS-KeyCredentialLink: B:" + std::to_string(hex.size()) + ":" + hex + ":" + owner_dn + "\n";
}
std::string user_dn(const std::string& cn) {
  return "CN=" + cn + "," + kUsers;
}

const char* kImpacketKeyId = "om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4=";
const char* kComputerKeyId = "nADgJrYVeT3keVH/WKFfH5Zyl5gMPtqvYLngj8mYbxM=";
const char* kUserKey1Id = "IHF64FL8z1RqrQ1R6Hiq1pzgT9w59ajY4866a8tNoOc=";

// No 32-hex-digit slice of the blob may appear in the evidence (the key material is most of it).
void check_no_material(const model::Finding& f, const std::string& vector) {
  const auto hex = vector_hex(vector);
  const auto dumped = util::to_lower(f.evidence.dump() + f.message);
  for (std::size_t i = 0; i + 32 <= hex.size(); i += 16) {
    INFO("blob hex at " << i);
    CHECK(dumped.find(util::to_lower(hex.substr(i, 32))) == std::string::npos);
  }
  CHECK(dumped.find("rsa1") == std::string::npos);
}
}  // namespace

TEST_CASE("ad.shadow-credentials flags an Impacket-written key on a user as high", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_of(kAttrs, user("jdoe", 2101, 0x200, key_line("impacket", user_dn("jdoe")))));
  auto r = test::run_check("ad.shadow-credentials", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.resource.name == "jdoe");
  CHECK(f.severity == Severity::high);  // medium, raised by the tool fingerprints
  CHECK(f.evidence_key == std::string("key:") + kImpacketKeyId);
  CHECK(f.evidence["key_id"] == kImpacketKeyId);
  CHECK(f.evidence["device_id"] == "f3fd9df5-0a21-7042-82c0-efb2c0b3fd43");
  CHECK(f.evidence["usage"] == "NGC");
  CHECK(f.evidence["source"] == "AD");
  CHECK_THAT(f.evidence["creation_time"].get<std::string>(), Catch::StartsWith("3625-02-19T09:50:44"));
  CHECK_THAT(f.evidence["creation_time"].get<std::string>(), Catch::Contains("implausible"));
  CHECK(f.evidence["key_type"] == "bcrypt-rsa");
  CHECK(f.evidence["key_bits"] == 2048);
  CHECK(f.evidence["key_hash_valid"] == false);
  CHECK(f.evidence["key_id_matches_material"] == true);
  CHECK(f.evidence["tool_fingerprints"].size() == 2);
  CHECK(f.evidence["link_dn"] == user_dn("jdoe"));
  CHECK(f.evidence["keys_on_object"] == 1);
  CHECK(r.notes.empty());
  check_no_material(f, "impacket");
}

TEST_CASE("ad.shadow-credentials: a Windows-shaped user key is medium", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_of(kAttrs, user("whfb-user", 2102, 0x200, key_line("userkey1", user_dn("whfb-user")))));
  auto r = test::run_check("ad.shadow-credentials", snap);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.severity == Severity::medium);
  CHECK(f.evidence_key == std::string("key:") + kUserKey1Id);
  CHECK(f.evidence["device_id"] == "47f577e3-d2d0-4a0a-8aca-e0501098bde4");
  CHECK(f.evidence["key_hash_valid"] == true);
  CHECK_FALSE(f.evidence.contains("tool_fingerprints"));
  CHECK_THAT(f.evidence["creation_time"].get<std::string>(), Catch::StartsWith("2018-06-13T22:32:38"));
  check_no_material(f, "userkey1");
}

TEST_CASE("ad.shadow-credentials: one self-written computer key is inventory, a second is not",
          "[checks][ad]") {
  const std::string ws1 = "CN=WS01," + kUsers;
  const std::string ws2 = "CN=WS02," + kUsers;
  auto snap = test::snapshot_from_ldif(export_of(
      kAttrs, computer("WS01", 2103, 0x1000, key_line("computerkey", ws1)) +
                  computer("WS02", 2104, 0x1000, key_line("computerkey", ws2) + key_line("userkey1", ws2)) +
                  computer("WS03", 2105, 0x1000, key_line("impacket", "CN=WS03," + kUsers))));
  auto r = test::run_check("ad.shadow-credentials", snap);
  REQUIRE(r.findings.size() == 4);
  auto one = r.for_name("WS01$");
  REQUIRE(one.size() == 1);
  CHECK(one[0]->severity == Severity::info);
  CHECK(one[0]->evidence["key_id"] == kComputerKeyId);
  CHECK(one[0]->evidence["key_type"] == "der-rsa");
  CHECK_FALSE(one[0]->evidence.contains("device_id"));
  check_no_material(*one[0], "computerkey");
  auto two = r.for_name("WS02$");
  REQUIRE(two.size() == 2);
  for (const auto* f : two) {
    CHECK(f->severity == Severity::medium);
    CHECK(f->evidence["keys_on_object"] == 2);
  }
  CHECK(r.for_name("WS03$")[0]->severity == Severity::high);
}

TEST_CASE("ad.shadow-credentials: only inventory keys leave the check passed", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_of(kAttrs, computer("WS01", 2106, 0x1000, key_line("computerkey", "CN=WS01," + kUsers))));
  auto r = test::run_check("ad.shadow-credentials", snap);
  CHECK(r.status == CheckStatus::passed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::info);
}

TEST_CASE("ad.shadow-credentials: critical on tier-0 users, DCs and krbtgt", "[checks][ad]") {
  const std::string dc2_dn = "CN=DC2,OU=Domain Controllers," + kDomain;
  auto ldif = export_of(
      kAttrs, user("t0-admin", 2107, 0x200, key_line("userkey1", user_dn("t0-admin"))) +
                  group("Enterprise Admins", 519, {"t0-admin"}) + "dn: " + dc2_dn +
                  "\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                  "objectClass: user\nobjectClass: computer\ncn: DC2\nsAMAccountName: DC2$\nobjectSid:: " +
                  test::sid_b64(sid_of(1001)) + "\nuserAccountControl: 532480\nprimaryGroupID: 516\n" +
                  key_line("computerkey", dc2_dn) + "instanceType: 4\nuSNChanged: 2000\n\n");
  ldif = with_attrs(ldif, "CN=krbtgt," + kUsers, key_line("impacket", "CN=krbtgt," + kUsers));
  auto r = test::run_check("ad.shadow-credentials", test::snapshot_from_ldif(ldif));
  REQUIRE(r.findings.size() == 3);
  for (const char* name : {"t0-admin", "DC2$", "krbtgt"}) {
    INFO(name);
    auto f = r.for_name(name);
    REQUIRE(f.size() == 1);
    CHECK(f[0]->severity == Severity::critical);
    CHECK(f[0]->evidence["tier0"] == true);
  }
}

TEST_CASE("ad.shadow-credentials: an undecodable value is a medium finding with a note", "[checks][ad]") {
  // A blob with an unknown version, and a value that is not DN-Binary at all.
  auto snap = test::snapshot_from_ldif(
      export_of(kAttrs, user("odd", 2108, 0x200,
                             "msDS-KeyCredentialLink: B:8:01020304:" + user_dn("odd") +
                                 "\nmsDS-KeyCredentialLink: not-a-dn-binary\n")));
  auto r = test::run_check("ad.shadow-credentials", snap);
  REQUIRE(r.findings.size() == 2);
  for (const auto& f : r.findings) {
    CHECK(f.severity == Severity::medium);
    CHECK(f.evidence["decoded"] == false);
    CHECK_FALSE(f.evidence["decode_error"].get<std::string>().empty());
  }
  const auto blob_sha = util::sha256_hex(std::string("\x01\x02\x03\x04", 4));
  bool found = false;
  for (const auto& f : r.findings) found |= f.evidence_key == "key:" + blob_sha;
  CHECK(found);
  REQUIRE(r.notes.size() == 2);
  CHECK_THAT(r.notes[0], Catch::Contains(user_dn("odd") + " attribute msDS-KeyCredentialLink"));
}

TEST_CASE("ad.shadow-credentials is clean on a default domain without keys", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(export_of(
      kAttrs, user("alice", 2109, 0x200, "userCertificate:: MAA=\n") + computer("WS01", 2110, 0x1000)));
  auto r = test::run_check("ad.shadow-credentials", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.shadow-credentials is not evaluated unless msDS-KeyCredentialLink was requested",
          "[checks][ad]") {
  // "*" does not return it to most readers: absence proves nothing.
  auto snap = test::snapshot_from_ldif(export_of("*", user("alice", 2111, 0x200)));
  auto r = test::run_check("ad.shadow-credentials", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("msDS-KeyCredentialLink"));
}

TEST_CASE("ad.shadow-credentials: a KeySource AD key whose DeviceId no registered device has is high",
          "[checks][ad]") {
  // userkey1 names DeviceId 47f577e3-d2d0-4a0a-8aca-e0501098bde4 (DSInternals test data).
  const auto device_id = parsers::parse_guid_string("47f577e3-d2d0-4a0a-8aca-e0501098bde4");
  REQUIRE(device_id.ok());
  const std::string registry = "dn: CN=RegisteredDevices," + kDomain +
                               "\nobjectClass: top\nobjectClass: msDS-DeviceContainer\ncn: RegisteredDevices\n"
                               "instanceType: 4\nuSNChanged: 2000\n\n";
  auto device = [&](const parsers::Guid& id) {
    return "dn: CN=" + id.to_string() + ",CN=RegisteredDevices," + kDomain +
           "\nobjectClass: top\nobjectClass: msDS-Device\ncn: " + id.to_string() +
           "\nmsDS-DeviceID:: " + util::base64_encode(id.to_binary()) + "\ninstanceType: 4\nuSNChanged: 2000\n\n";
  };
  const auto key_user = user("whfb-user", 2102, 0x200, key_line("userkey1", user_dn("whfb-user")));
  SECTION("no such device") {
    auto r = test::run_check("ad.shadow-credentials",
                             test::snapshot_from_ldif(export_of(kAttrs, registry + key_user)));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::high);
    CHECK(r.findings[0].evidence["registered_device"] == false);
    CHECK_THAT(r.findings[0].message, Catch::EndsWith("its DeviceId matches no registered device"));
  }
  SECTION("the device is registered") {
    auto r = test::run_check(
        "ad.shadow-credentials",
        test::snapshot_from_ldif(export_of(kAttrs, registry + device(*device_id) + key_user)));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::medium);
    CHECK(r.findings[0].evidence["registered_device"] == true);
  }
  SECTION("no device registry in the input: nothing is claimed") {
    auto r = test::run_check("ad.shadow-credentials", test::snapshot_from_ldif(export_of(kAttrs, key_user)));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].severity == Severity::medium);
    CHECK_FALSE(r.findings[0].evidence.contains("registered_device"));
  }
}
