// KEYCREDENTIALLINK_BLOB and DN-Binary parsing against fixtures/vectors/onprem/keycredentiallink: every
// expected value comes from the vector's *.expected.json (DSInternals' own assertions and the reference
// decoder's output).
#include <openssl/evp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "scanner/parsers/key_credential_link.hpp"

using namespace adpersist;
using namespace adpersist::parsers;
using nlohmann::json;

namespace {

const std::string kDir = std::string(ADPERSIST_VECTORS_DIR) + "/onprem/keycredentiallink/";

constexpr const char* kBlobVectors[] = {
    "nonmfakey",    "userkey1",      "userkey2",      "userkey3",     "userkey4",     "userkeyfido0",
    "userkeyfido1", "userkeyfido2",  "userkeyfido3",  "userkeyfido4", "userkeyfido5", "userkeyfido6",
    "userkeyfido7", "devicekey_rsa", "devicekey_tpm", "computerkey",  "impacket"};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string from_hex(std::string_view text) {
  std::string out, digits;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  REQUIRE(digits.size() % 2 == 0);
  for (std::size_t i = 0; i < digits.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(std::string_view b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : b) {
    out.push_back(kHex[static_cast<std::uint8_t>(c) >> 4]);
    out.push_back(kHex[static_cast<std::uint8_t>(c) & 0xf]);
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string sha256_base64(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) == 1);
  std::array<unsigned char, 64> out{};
  const int n = EVP_EncodeBlock(out.data(), md.data(), static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string blob(const std::string& name) {
  return from_hex(slurp(kDir + name + ".hex"));
}
json expected(const std::string& name) {
  return json::parse(slurp(kDir + name + ".expected.json"));
}

KeyCredential parse_ok(std::string_view b) {
  auto r = parse_key_credential(b);
  INFO((r.ok() ? std::string() : r.error().describe()));
  REQUIRE(r.ok());
  return r.value();
}

// format_key_time without the " (implausible)" marker, to compare with the reference decoder's text.
std::string time_text(const KeyTime& t) {
  std::string s = format_key_time(t);
  if (auto at = s.find(" ("); at != std::string::npos) s.resize(at);
  return s;
}

const std::map<std::string, KeyMaterialKind> kFormats = {
    {"BCRYPT_RSAKEY_BLOB (RSA1)", KeyMaterialKind::bcrypt_rsa},
    {"DER RSAPublicKey (PKCS#1)", KeyMaterialKind::der_rsa},
    {"PCP_KEY_BLOB_WIN8 (TPM)", KeyMaterialKind::tpm_pcp},
    {"JSON (FIDO: version/authData/x5c/displayName)", KeyMaterialKind::fido_json},
};

void check_time(const std::optional<KeyTime>& got, const json& want, bool azure) {
  REQUIRE(got);
  CHECK(got->raw == want["raw_int64"].get<std::int64_t>());
  if (azure) {
    CHECK(got->encoding == KeyTimeEncoding::dotnet_binary);
    CHECK(got->dotnet_kind == want["kind"].get<int>());
    CHECK(time_text(*got) == want["as_DotNet_ToBinary"].get<std::string>());
  } else {
    CHECK(got->encoding == KeyTimeEncoding::filetime);
    CHECK(time_text(*got) == want["as_FILETIME_utc"].get<std::string>());
  }
}

// The quoted string in a DSInternals assertion such as Assert.AreEqual("x", key.Identifier).
std::string quoted(const std::string& assertion) {
  const auto a = assertion.find('"'), b = assertion.find('"', a + 1);
  REQUIRE(b != std::string::npos);
  return assertion.substr(a + 1, b - a - 1);
}

// Applies the DSInternals assertions this parser has an equivalent for; returns how many it checked.
int check_dsinternals_asserts(const KeyCredential& k, const json& list) {
  int n = 0;
  for (const auto& item : list) {
    const std::string s = item.get<std::string>();
    auto has = [&](const char* part) { return s.find(part) != std::string::npos; };
    INFO(s);
    ++n;
    if (has("KeyCredentialVersion.Version2, key.Version"))
      CHECK(k.version == kKeyCredentialVersion2);
    else if (has(", key.Usage)"))
      CHECK("KeyUsage." + k.usage_name() == s.substr(16, s.find(',') - 16));
    else if (has(", key.Source)"))
      CHECK("KeySource." + std::string(k.source_name()) == s.substr(16, s.find(',') - 16));
    else if (has("key.Identifier)"))
      CHECK(k.key_id_base64() == quoted(s));
    else if (has("key.DeviceId.ToString()"))
      CHECK(k.device_id->to_string() == quoted(s));
    else if (has("km.DisplayName)"))
      CHECK(k.fido_display_name == quoted(s));
    else if (has("IsNotNull(key.CustomKeyInfo)"))
      CHECK(k.custom_key_info);
    else if (has("IsNull(key.CustomKeyInfo)"))
      CHECK_FALSE(k.custom_key_info);
    else if (has("KeyFlags.None, key.CustomKeyInfo.Flags"))
      CHECK(k.custom_key_info->flags == 0);
    else if (has("KeyFlags.Attestation, key.CustomKeyInfo.Flags"))
      CHECK(k.custom_key_info->flags == 1);
    else if (has("HasFlag(KeyFlags.MFANotUsed)"))
      CHECK(k.custom_key_info->mfa_not_used());
    else if (has("SupportsNotification.Value"))
      CHECK(k.custom_key_info->supports_notification == 1);
    else if (has("AreEqual(3625, key.CreationTime.Value.Year)"))
      CHECK(k.creation_time->year == 3625);
    else if (has("AreEqual(0x304, key.RawKeyMaterial.Length)"))
      CHECK(k.key_material.size() == 0x304);
    else if (has("AreEqual(256, key.RSAPublicKey.Value.Modulus.Length)"))
      CHECK(k.rsa_bits == 256 * 8);
    else if (has("IsNotNull(key.RSAPublicKey)") || has("IsNotNull(key.RSAModulus)"))
      CHECK(k.rsa_bits > 0);
    else if (has("IsNull(key.RSAPublicKey)"))
      CHECK(k.rsa_bits == 0);
    else if (has("key.LastLogonTime, key.CreationTime"))
      CHECK(k.last_logon->raw == k.creation_time->raw);
    else if (has("CreationTime.Value.ToUniversalTime().ToString(\"o\")")) {
      std::string o = quoted(s);  // 7 fractional digits; TimePoint keeps microseconds
      o.erase(o.size() - 2, 1);
      CHECK(time_text(*k.creation_time) == o);
    } else {
      --n;  // FIDO authenticator data and EC key details are not decoded here
    }
  }
  return n;
}

}  // namespace

TEST_CASE("all 17 KEYCREDENTIALLINK_BLOB vectors match their expected.json", "[parsers][kcl]") {
  int dsinternals_checked = 0;
  for (const char* name : kBlobVectors) {
    INFO(name);
    const json want = expected(name);
    const json& d = want["decoded_by_independent_reference_decoder"];
    const std::string b = blob(name);
    CHECK(b.size() == want["length_bytes"].get<std::size_t>());
    const KeyCredential k = parse_ok(b);

    CHECK(k.version == std::stoul(d["version"].get<std::string>(), nullptr, 16));
    REQUIRE(k.entries.size() == d["entries"].size());
    for (std::size_t i = 0; i < k.entries.size(); ++i) {
      CHECK(k.entries[i].identifier == d["entries"][i]["type"].get<int>());
      CHECK(k.entries[i].length == d["entries"][i]["length"].get<std::size_t>());
    }
    CHECK(k.entries_sorted);
    CHECK(k.key_id_base64() == d["KeyID_base64"].get<std::string>());
    CHECK(to_hex(k.key_id) == d["KeyID_hex"].get<std::string>());
    REQUIRE(k.key_hash);
    CHECK(to_hex(*k.key_hash) == d["KeyHash_hex"].get<std::string>());
    CHECK(k.key_material.size() == d["KeyMaterial_len"].get<std::size_t>());
    CHECK(to_hex(k.key_material.substr(0, 8)) == d["KeyMaterial_prefix_hex"].get<std::string>());
    CHECK(sha256_base64(k.key_material) == d["KeyMaterial_sha256_base64"].get<std::string>());
    CHECK(k.material_kind == kFormats.at(d["KeyMaterial_format"].get<std::string>()));
    if (d.contains("RSA_bits")) CHECK(k.rsa_bits == d["RSA_bits"].get<std::uint32_t>());
    CHECK(k.usage_name() == d["KeyUsage"].get<std::string>());
    CHECK(k.source_name() == d["KeySource"].get<std::string>());
    CHECK(k.device_id.has_value() == d.contains("DeviceId"));
    if (k.device_id) CHECK(k.device_id->to_string() == d["DeviceId"].get<std::string>());

    CHECK(k.custom_key_info.has_value() == d.contains("CustomKeyInformation"));
    if (k.custom_key_info) {
      const json& c = d["CustomKeyInformation"];
      const CustomKeyInfo& ck = *k.custom_key_info;
      CHECK(lower(to_hex(ck.raw)) == c["raw_hex"].get<std::string>());
      CHECK(ck.version == c["version"].get<int>());
      CHECK(ck.flags == c["flags"].get<int>());
      const std::pair<const char*, std::optional<std::uint8_t>> fields[] = {
          {"volumeType", ck.volume_type},
          {"supportsNotification", ck.supports_notification},
          {"fekKeyVersion", ck.fek_key_version},
          {"keyStrength", ck.key_strength}};
      for (const auto& [key, value] : fields) {
        INFO(key);
        CHECK(value.has_value() == c.contains(key));
        if (value) CHECK(*value == c[key].get<int>());
      }
      if (c.contains("reserved_hex"))
        CHECK(lower(to_hex(ck.reserved)) == c["reserved_hex"].get<std::string>());
      CHECK(ck.encoded_extended.empty());
    }
    const bool azure = d["KeySource"] == "AzureAD";
    check_time(k.last_logon, d["KeyApproximateLastLogonTimeStamp"], azure);
    check_time(k.creation_time, d["KeyCreationTime"], azure);
    CHECK(k.key_id_matches_material == d["check_KeyID_eq_sha256_KeyMaterial"].get<bool>());
    CHECK(k.key_hash_valid == d["check_KeyHash_eq_sha256_following"].get<bool>());
    dsinternals_checked += check_dsinternals_asserts(k, want["dsinternals_asserts_verbatim"]);
  }
  CHECK(dsinternals_checked == 104);  // of 192; the rest concern FIDO authenticator data and EC keys
}

TEST_CASE("key facts: FIDO ids, the Impacket fingerprint, Azure AD times", "[parsers][kcl]") {
  const KeyCredential imp = parse_ok(blob("impacket"));
  CHECK_FALSE(imp.key_hash_valid);
  CHECK(imp.key_id_matches_material);
  REQUIRE(imp.creation_time);
  CHECK(imp.creation_time->year == 3625);
  CHECK_FALSE(imp.creation_time->plausible());
  CHECK(format_key_time(*imp.creation_time).find("(implausible)") != std::string::npos);

  const KeyCredential fido = parse_ok(blob("userkeyfido0"));
  CHECK(fido.usage == key_usage::kFido);
  CHECK_FALSE(fido.key_id_matches_material);  // the FIDO credential id, by design
  CHECK(fido.key_hash_valid);
  CHECK(fido.device_id->is_zero());
  CHECK(fido.custom_key_info->attestation());

  const KeyCredential user1 = parse_ok(blob("userkey1"));
  CHECK(user1.creation_time->plausible());
  CHECK(user1.last_logon->plausible());
  const KeyCredential user2 = parse_ok(blob("userkey2"));
  CHECK(user2.creation_time->plausible());
  CHECK(user2.last_logon->year == 1);  // Azure AD's "never" (0001-01-01T08:00:00Z)
  CHECK_FALSE(user2.last_logon->plausible());

  const KeyCredential computer = parse_ok(blob("computerkey"));
  CHECK_FALSE(computer.device_id);
  CHECK(computer.rsa_bits == 2048);  // 0x0101-byte modulus with a leading zero (KeyMaterial_prefix_hex)

  const KeyCredential tpm = parse_ok(blob("devicekey_tpm"));
  CHECK(tpm.material_kind == KeyMaterialKind::tpm_pcp);
}

TEST_CASE("DN-Binary wrapper of userkey1", "[parsers][kcl]") {
  const json want = json::parse(slurp(kDir + "dnwithbinary_userkey1.expected.json"))["expected"];
  std::string text = slurp(kDir + "dnwithbinary_userkey1.txt");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto r = parse_dn_with_binary(text);
  REQUIRE(r.ok());
  CHECK(r->binary.size() == want["binary_length_bytes"].get<std::size_t>());
  CHECK(text.substr(2, text.find(':', 2) - 2) == std::to_string(want["hex_char_count"].get<int>()));
  CHECK(r->dn == want["dn"].get<std::string>());
  CHECK(r->binary == blob("userkey1"));
  CHECK(parse_ok(r->binary).key_id_base64() == "IHF64FL8z1RqrQ1R6Hiq1pzgT9w59ajY4866a8tNoOc=");
}

TEST_CASE("DN-Binary: malformed values are errors", "[parsers][kcl][negative]") {
  for (const char* bad :
       {"", "B:", "B:4:0102", "B:4:0102:", "B:3:010:CN=x", "B:6:0102:CN=x", "B:4:01zz:CN=x", "X:4:0102:CN=x",
        "B:-4:0102:CN=x", "B:99999999999999999999999:00:CN=x", "B::0102:CN=x"}) {
    INFO(bad);
    auto r = parse_dn_with_binary(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
  }
  auto ok = parse_dn_with_binary("B:4:0aFF:CN=a:b,DC=x");
  REQUIRE(ok.ok());
  CHECK(ok->binary == std::string("\x0a\xff", 2));
  CHECK(ok->dn == "CN=a:b,DC=x");
  CHECK(parse_dn_with_binary("B:0::CN=x").ok());
}

TEST_CASE("KEYCREDENTIALLINK: Samba-style and lying-length negatives", "[parsers][kcl][negative]") {
  const std::string good = blob("userkey1");
  SECTION("version 0x300 is unsupported") {
    std::string b = good;
    b[1] = 0x03;
    auto r = parse_key_credential(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::unsupported);
    CHECK(r.error().message.find("0x300") != std::string::npos);
  }
  SECTION("a 3-byte blob") {
    auto r = parse_key_credential(good.substr(0, 3));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
  }
  SECTION("entry length beyond the buffer") {
    std::string b = good;
    b[4 + 3 + 32 + 3 + 32] = static_cast<char>(0xff);  // KeyMaterial Length low byte
    b[4 + 3 + 32 + 3 + 32 + 1] = static_cast<char>(0xff);
    auto r = parse_key_credential(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("KeyMaterial") != std::string::npos);
    CHECK(r.error().message.find("Length 65535") != std::string::npos);
  }
  SECTION("a fixed-size entry with another length") {
    // Hand-built: KeyID(1 byte), KeyMaterial(1 byte), KeyUsage, KeySource with 2 bytes.
    auto r = parse_key_credential(from_hex("00020000 0100 01 aa 0100 03 bb 0100 04 01 0200 05 0000"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("KeySource") != std::string::npos);
  }
  SECTION("a duplicate entry") {
    auto r = parse_key_credential(from_hex("00020000 0100 01 aa 0100 03 bb 0100 04 01 0100 04 01"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("duplicate") != std::string::npos);
  }
  SECTION("a required entry missing") {
    auto r = parse_key_credential(from_hex("00020000 0100 01 aa 0100 04 01"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("KeyMaterial") != std::string::npos);
  }
}

TEST_CASE("truncating userkey1 at every length: only entry boundaries parse, never with a valid hash",
          "[parsers][kcl][negative]") {
  const std::string good = blob("userkey1");
  const KeyCredential full = parse_ok(good);
  std::set<std::size_t> boundaries;
  bool required_seen = false;
  for (const auto& e : full.entries) {
    required_seen = required_seen || e.identifier == key_entry::kKeyUsage;
    if (required_seen) boundaries.insert(e.offset + e.length);
  }
  for (std::size_t len = 0; len < good.size(); ++len) {
    INFO(len);
    auto r = parse_key_credential(std::string_view(good).substr(0, len));
    CHECK(r.ok() == (boundaries.count(len) == 1));
    if (r.ok()) CHECK_FALSE(r->key_hash_valid);
  }
}

TEST_CASE("legacy version 0 blobs pad each value to 4 bytes", "[parsers][kcl]") {
  // Hand-built (no legacy vector exists): KeyID = SHA-256 of the 5-byte material, padded values.
  const std::string material = "\x01\x02\x03\x04\x05";
  std::array<unsigned char, 32> id{};
  unsigned int len = 0;
  REQUIRE(EVP_Digest(material.data(), material.size(), id.data(), &len, EVP_sha256(), nullptr) == 1);
  std::string b = from_hex("00000000 2000 01");
  b.append(reinterpret_cast<const char*>(id.data()), 32);
  b += from_hex("0500 03") + material + std::string(3, '\0') + from_hex("0100 04 02 000000");
  const KeyCredential k = parse_ok(b);
  CHECK(k.version == kKeyCredentialVersion0);
  CHECK(k.key_material == material);
  CHECK(k.usage == key_usage::kStk);
  CHECK(k.key_id_matches_material);
  CHECK_FALSE(k.key_hash_valid);  // no KeyHash entry
}

TEST_CASE("evidence and descriptions never contain key material", "[parsers][kcl]") {
  for (const char* name : kBlobVectors) {
    INFO(name);
    const KeyCredential k = parse_ok(blob(name));
    std::string all = describe_key_credential(k);
    std::set<std::string> keys;
    for (const auto& [key, value] : key_credential_evidence(k)) {
      keys.insert(key);
      all += key + "=" + value + "\n";
    }
    CHECK(keys.count("key_id") == 1);
    CHECK(keys.count("usage") == 1);
    const std::string m = k.key_material;
    for (std::size_t at = 0; at + 16 <= m.size(); at += 16) {
      const std::string chunk = m.substr(at, 16);
      CHECK(all.find(chunk) == std::string::npos);
      CHECK(all.find(to_hex(chunk)) == std::string::npos);
      CHECK(lower(all).find(lower(to_hex(chunk))) == std::string::npos);
    }
  }
}

TEST_CASE("random corruption of real blobs never crashes", "[parsers][kcl][negative]") {
  std::mt19937 rng(4242);
  for (const char* name : kBlobVectors) {
    const std::string good = blob(name);
    for (int round = 0; round < 1500; ++round) {
      std::string b = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
      if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
      auto r = parse_key_credential(b);
      if (r.ok()) CHECK_FALSE(describe_key_credential(r.value()).empty());
    }
  }
}
