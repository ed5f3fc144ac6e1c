// Replication metadata parsers. The XML attribute-metadata values are real Windows DC output
// (fixtures/vectors/onprem/replication-metadata); binary replPropertyMetaData and value-metadata XML have no
// Windows-made vector (VECTORS.md "Known gaps"), so those cases are hand-built and say so.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "scanner/parsers/repl_metadata.hpp"

using namespace adpersist;
using namespace adpersist::parsers;
using nlohmann::json;

namespace {

const std::string kDir = std::string(ADPERSIST_VECTORS_DIR) + "/onprem/replication-metadata/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string from_base64(std::string_view text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto p = kAlphabet.find(c);
    if (p == std::string::npos) continue;
    acc = acc << 6 | static_cast<std::uint32_t>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string from_hex(std::string_view text) {
  std::string out, digits;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

void append_le(std::string& b, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Hand-built PROPERTY_META_DATA_VECTOR with two entries (no Windows-made binary vector exists).
std::string two_entry_vector() {
  std::string b;
  append_le(b, 1, 4);  // dwVersion
  append_le(b, 0, 4);
  append_le(b, 2, 4);  // cNumEntries
  append_le(b, 0, 4);
  const std::string dsa =
      from_hex("5c1f2a8dd458fa4ebcd2f7d85ef53013");  // 8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013
  append_le(b, attrtyp::kUnicodePwd, 4);
  append_le(b, 3, 4);
  append_le(b, 13100000000, 8);  // seconds since 1601
  b += dsa;
  append_le(b, 12776, 8);
  append_le(b, 12777, 8);
  append_le(b, attrtyp::kAdminCount, 4);
  append_le(b, 1, 4);
  append_le(b, 13350000000, 8);
  b += dsa;
  append_le(b, 343946, 8);
  append_le(b, 343950, 8);
  return b;
}

}  // namespace

TEST_CASE("replPropertyMetaData: the empty vector", "[parsers][repl]") {
  auto r = parse_repl_property_metadata(from_hex("01000000000000000000000000000000"));
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("replPropertyMetaData: a hand-built two-entry vector", "[parsers][repl]") {
  auto r = parse_repl_property_metadata(two_entry_vector());
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  const AttrMeta& pwd = (*r)[0];
  CHECK(pwd.attrtyp == 0x9005A);
  CHECK(attrtyp_name(pwd.attrtyp) == "unicodePwd");
  CHECK(pwd.version == 3);
  CHECK(pwd.time_raw == 13100000000);
  REQUIRE(pwd.time);
  CHECK(format_rfc3339(*pwd.time) == "2016-02-15T08:53:20Z");  // 13100000000 s after 1601-01-01
  CHECK(pwd.originating_invocation_id.to_string() == "8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013");
  CHECK(pwd.usn_originating == 12776);
  CHECK(pwd.usn_property == 12777);
  const AttrMeta& admin = (*r)[1];
  CHECK(admin.attrtyp == 589974);
  CHECK(attrtyp_name(admin.attrtyp) == "adminCount");
  CHECK(format_rfc3339(*admin.time) == "2024-01-17T21:20:00Z");
  CHECK(admin.usn_property == 343950);
}

TEST_CASE("replPropertyMetaData: lying counts, truncation, bad version", "[parsers][repl][negative]") {
  const std::string good = two_entry_vector();
  for (std::size_t len = 0; len < good.size(); ++len) {
    INFO(len);
    CHECK_FALSE(parse_repl_property_metadata(std::string_view(good).substr(0, len)).ok());
  }
  for (std::uint32_t count : {0u, 1u, 3u, 0xFFFFFFFFu}) {
    std::string b = good;
    for (int i = 0; i < 4; ++i)
      b[8 + static_cast<std::size_t>(i)] = static_cast<char>((count >> (8 * i)) & 0xff);
    auto r = parse_repl_property_metadata(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("cNumEntries") != std::string::npos);
  }
  std::string v2 = good;
  v2[0] = 2;
  auto r = parse_repl_property_metadata(v2);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::unsupported);
  // Out-of-range times are kept raw, not errors.
  std::string far = good;
  for (int i = 0; i < 8; ++i) far[16 + 8 + static_cast<std::size_t>(i)] = static_cast<char>(0x7f);
  auto f = parse_repl_property_metadata(far);
  REQUIRE(f.ok());
  CHECK_FALSE((*f)[0].time);
}

TEST_CASE("attrtyp values follow the prefix-table rule", "[parsers][repl]") {
  // Values given in onprem-formats.md 6b (PingCastle's constants).
  CHECK(attrtyp::kUnicodePwd == 0x9005A);
  CHECK(attrtyp::kAdminCount == 589974);
  CHECK(attrtyp::kUserPassword == 35);
  CHECK(attrtyp::kUnixUserPassword == 591734);
  CHECK(attrtyp::kDsaSignature == 0x2004A);
  // Derived from the attributeIDs with the same rule.
  CHECK(attrtyp::kMsDsKeyCredentialLink == 0x90000 + 2328);
  CHECK(attrtyp::kNtSecurityDescriptor == 0x20000 + 281);
  CHECK(attrtyp::kMember == 31);
  CHECK(attrtyp_name(attrtyp::kMsDsAllowedToActOnBehalfOfOtherIdentity) ==
        "msDS-AllowedToActOnBehalfOfOtherIdentity");
  CHECK(attrtyp_name(attrtyp::kSidHistory) == "sIDHistory");
  CHECK_FALSE(attrtyp_name(0x12345678));
}

TEST_CASE("msDS-ReplAttributeMetaData: the two real sittingduck values", "[parsers][repl]") {
  for (const char* name : {"sittingduck_administrator_msDS-ReplAttributeMetaData_1",
                           "sittingduck_administrator_msDS-ReplAttributeMetaData_2"}) {
    INFO(name);
    const json want = json::parse(slurp(kDir + name + std::string(".expected.json")));
    const std::string raw = from_base64(slurp(kDir + name + std::string(".b64")));
    CHECK(raw.size() == want["raw_bytes_length"].get<std::size_t>());
    CHECK(raw.substr(raw.size() - 2) == std::string("\n\0", 2));
    auto r = parse_repl_attr_metadata_xml(raw);
    INFO((r.ok() ? std::string() : r.error().describe()));
    REQUIRE(r.ok());
    const json& e = want["expected_fields"];
    CHECK(r->attribute_name == e["pszAttributeName"].get<std::string>());
    CHECK(r->version == e["dwVersion"].get<std::uint32_t>());
    CHECK(format_rfc3339(r->last_originating_change) == e["ftimeLastOriginatingChange"].get<std::string>());
    CHECK(r->originating_invocation_id.to_string() ==
          e["uuidLastOriginatingDsaInvocationID"].get<std::string>());
    CHECK(r->usn_originating == e["usnOriginatingChange"].get<std::int64_t>());
    CHECK(r->usn_local == e["usnLocalChange"].get<std::int64_t>());
    CHECK(r->originating_dsa_dn == e["pszLastOriginatingDsaDN"].get<std::string>());
  }
}

TEST_CASE("msDS-ReplAttributeMetaData: malformed XML is an error", "[parsers][repl][negative]") {
  const std::string raw =
      from_base64(slurp(kDir + "sittingduck_administrator_msDS-ReplAttributeMetaData_2.b64"));
  auto fails = [](const std::string& xml, const std::string& why) {
    auto r = parse_repl_attr_metadata_xml(xml);
    INFO(xml);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
    INFO(r.error().message);
    CHECK(r.error().message.find(why) != std::string::npos);
  };
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = raw;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  fails(replace("<dwVersion>2</dwVersion>", ""), "dwVersion");
  fails(replace("<dwVersion>2</dwVersion>", "<dwVersion>2</dwVersion><dwVersion>3</dwVersion>"), "twice");
  fails(replace("<dwVersion>2</dwVersion>", "<dwVersion>two</dwVersion>"), "dwVersion");
  fails(replace("<dwVersion>2</dwVersion>", "<dwVersion>2"), "dwVersion");
  fails(replace("2017-06-20T00:17:22Z", "2017-13-20T00:17:22Z"), "ftimeLastOriginatingChange");
  fails(replace("29bded81", "29bded8x"), "uuidLastOriginatingDsaInvocationID");
  fails(replace("DS_REPL_ATTR_META_DATA>", "DS_REPL_VALUE_META_DATA>"), "DS_REPL_ATTR_META_DATA");
  fails(replace("<pszLastOriginatingDsaDN></pszLastOriginatingDsaDN>",
                "<pszLastOriginatingDsaDN>&bogus;</pszLastOriginatingDsaDN>"),
        "entity");
  for (std::size_t len = 0; len + 3 < raw.size(); ++len) {  // cuts inside the closing tag or earlier
    INFO(len);
    CHECK_FALSE(parse_repl_attr_metadata_xml(raw.substr(0, len)).ok());
  }
  // Entities are decoded; a self-closing empty element is accepted.
  auto r = parse_repl_attr_metadata_xml(replace("<pszLastOriginatingDsaDN></pszLastOriginatingDsaDN>",
                                                "<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC&amp;1 "
                                                "&lt;&#x41;&gt;&quot;&apos;&#66;</pszLastOriginatingDsaDN>"));
  REQUIRE(r.ok());
  CHECK(r->originating_dsa_dn == "CN=NTDS Settings,CN=DC&1 <A>\"'B");
  r = parse_repl_attr_metadata_xml(
      replace("<pszLastOriginatingDsaDN></pszLastOriginatingDsaDN>", "<pszLastOriginatingDsaDN/>"));
  REQUIRE(r.ok());
  CHECK(r->originating_dsa_dn.empty());
}

TEST_CASE("msDS-ReplValueMetaData: hand-built values (no Windows capture exists)", "[parsers][repl]") {
  // Synthetic, shaped after the documented DS_REPL_VALUE_META_DATA elements (onprem-formats.md 6c).
  const std::string present =
      "<DS_REPL_VALUE_META_DATA>\n"
      "\t<pszAttributeName>member</pszAttributeName>\n"
      "\t<pszObjectDn>CN=Eve &amp; Co,CN=Users,DC=example,DC=test</pszObjectDn>\n"
      "\t<cbData>0</cbData>\n"
      "\t<pbData></pbData>\n"
      "\t<ftimeDeleted>1601-01-01T00:00:00Z</ftimeDeleted>\n"
      "\t<ftimeCreated>2023-03-01T10:00:00Z</ftimeCreated>\n"
      "\t<dwVersion>1</dwVersion>\n"
      "\t<ftimeLastOriginatingChange>2023-03-01T10:00:00Z</ftimeLastOriginatingChange>\n"
      "\t<uuidLastOriginatingDsaInvocationID>8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013</"
      "uuidLastOriginatingDsaInvocationID>\n"
      "\t<usnOriginatingChange>5000</usnOriginatingChange>\n"
      "\t<usnLocalChange>5001</usnLocalChange>\n"
      "\t<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,"
      "CN=Configuration,DC=example,DC=test</pszLastOriginatingDsaDN>\n"
      "</DS_REPL_VALUE_META_DATA>\n";
  auto r = parse_repl_value_metadata_xml(present + std::string(1, '\0'));
  INFO((r.ok() ? std::string() : r.error().describe()));
  REQUIRE(r.ok());
  CHECK(r->attribute_name == "member");
  CHECK(r->object_dn == "CN=Eve & Co,CN=Users,DC=example,DC=test");
  CHECK_FALSE(r->deleted);
  CHECK(format_rfc3339(r->created) == "2023-03-01T10:00:00Z");
  CHECK(r->version == 1);
  CHECK(r->usn_local == 5001);
  CHECK(r->originating_dsa_dn.rfind("CN=NTDS Settings,CN=DC1", 0) == 0);

  std::string removed = present;
  removed.replace(removed.find("1601-01-01T00:00:00Z"), 20, "2023-03-01T10:05:00Z");
  removed.replace(removed.find("<dwVersion>1"), 12, "<dwVersion>2");
  r = parse_repl_value_metadata_xml(removed);
  REQUIRE(r.ok());
  REQUIRE(r->deleted);
  CHECK(*r->deleted - r->created == std::chrono::minutes(5));
  CHECK(r->version == 2);

  std::string no_dn = present;
  no_dn.erase(no_dn.find("\t<pszObjectDn>"),
              no_dn.find("</pszObjectDn>") + 15 - no_dn.find("\t<pszObjectDn>"));
  CHECK_FALSE(parse_repl_value_metadata_xml(no_dn).ok());
}

TEST_CASE("random corruption of metadata values never crashes", "[parsers][repl][negative]") {
  std::mt19937 rng(77);
  const std::string xml =
      from_base64(slurp(kDir + "sittingduck_administrator_msDS-ReplAttributeMetaData_1.b64"));
  const std::string bin = two_entry_vector();
  for (int round = 0; round < 3000; ++round) {
    std::string x = xml, b = bin;
    for (int f = 0; f < 3; ++f) {
      x[rng() % x.size()] = static_cast<char>(rng() & 0xff);
      b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
    }
    (void)parse_repl_attr_metadata_xml(x);
    (void)parse_repl_value_metadata_xml(x);
    (void)parse_repl_property_metadata(b);
  }
}
