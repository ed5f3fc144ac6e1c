// Security descriptor parser and SDDL writer against the conformance vectors in fixtures/vectors/onprem
// (Windows-made descriptors; expected values come from their *.expected.json files).
#include <openssl/evp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "scanner/parsers/ad_guids.hpp"
#include "scanner/parsers/security_descriptor.hpp"

using namespace adpersist;
using namespace adpersist::parsers;
using nlohmann::json;

namespace {

const std::string kDir = std::string(ADPERSIST_VECTORS_DIR) + "/onprem/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json load_json(const std::string& rel) {
  return json::parse(slurp(kDir + rel));
}

std::string to_hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += {kDigits[c >> 4], kDigits[c & 15]};
  }
  return out;
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

std::string from_base64(std::string_view text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto p = kAlphabet.find(c);
    if (p == std::string::npos) continue;  // whitespace and '=' padding
    acc = acc << 6 | static_cast<std::uint32_t>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), buf.data(), &len, md, nullptr) == 1);
  std::string out;
  char hex[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", buf[i]);
    out += hex;
  }
  return out;
}

std::uint32_t le32_at(std::string_view b, std::size_t o) {
  std::uint32_t v = 0;
  for (std::size_t i = 4; i-- > 0;) v = v << 8 | static_cast<std::uint8_t>(b[o + i]);
  return v;
}
void put16(std::string& b, std::size_t o, std::uint16_t v) {
  b[o] = static_cast<char>(v & 0xff);
  b[o + 1] = static_cast<char>(v >> 8);
}
void put32(std::string& b, std::size_t o, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[o + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// The six descriptor vectors and how their bytes are stored.
struct SdVector {
  const char* name;
  bool hex;
};
constexpr SdVector kSdVectors[] = {
    {"protected_user_adminsdholder_stamped", false}, {"unprotected_user_with_inherited_dcsync", false},
    {"gmsa_msDS-GroupMSAMembership", false},         {"group_with_addself_and_addmember", false},
    {"ntds_dit_object_sd_with_sacl", false},         {"smb_file_sd_4aces", true}};

std::string sd_bytes(const SdVector& v) {
  const std::string base = kDir + "security-descriptors/" + v.name;
  return v.hex ? from_hex(slurp(base + ".hex")) : from_base64(slurp(base + ".b64"));
}

SecurityDescriptor parse_ok(std::string_view bytes) {
  auto r = parse_security_descriptor(bytes);
  INFO((r.ok() ? std::string() : r.error().describe()));
  REQUIRE(r.ok());
  return r.value();
}

void check_acl(const Acl& acl, const json& want) {
  CHECK(acl.revision == want["revision"].get<int>());
  REQUIRE(acl.aces.size() == want["count"].get<std::size_t>());
  REQUIRE(want["aces"].size() == acl.aces.size());
  for (std::size_t i = 0; i < acl.aces.size(); ++i) {
    const Ace& a = acl.aces[i];
    const json& w = want["aces"][i];
    INFO("ACE " << i);
    CHECK(a.type == w["type_num"].get<int>());
    CHECK(ace_type_to_sddl(a.type) == w["type"].get<std::string>());
    CHECK(a.flags == w["flags"].get<int>());
    CHECK(ace_flags_to_sddl(a.flags) == w["flags_str"].get<std::string>());
    CHECK(a.mask == w["mask"].get<std::uint32_t>());
    CHECK(a.trustee.to_string() == w["sid"].get<std::string>());
    CHECK(a.object_flags == w.value("object_flags", 0u));
    CHECK(a.object_type.has_value() == w.contains("object_type"));
    if (a.object_type) CHECK(a.object_type->to_string() == w["object_type"].get<std::string>());
    CHECK(a.inherited_object_type.has_value() == w.contains("inherited_object_type"));
    if (a.inherited_object_type)
      CHECK(a.inherited_object_type->to_string() == w["inherited_object_type"].get<std::string>());
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Minimal reading of the SDDL side of a pair: one "type|objectType|inheritedObjectType" key per ACE.
std::vector<std::string> sddl_ace_keys(std::string_view sddl) {
  std::vector<std::string> keys;
  std::size_t p = 0;
  while ((p = sddl.find('(', p)) != std::string_view::npos) {
    int depth = 0;
    std::size_t q = p;
    for (; q < sddl.size(); ++q) {
      if (sddl[q] == '(') ++depth;
      if (sddl[q] == ')' && --depth == 0) break;
    }
    std::vector<std::string> f;
    std::string cur;
    for (char c : sddl.substr(p + 1, q - p - 1)) {
      if (c == ';') {
        f.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    f.push_back(cur);
    REQUIRE(f.size() >= 6);
    keys.push_back(f[0] + "|" + lower(f[3]) + "|" + lower(f[4]));
    p = q + 1;
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> parsed_ace_keys(const SecurityDescriptor& sd) {
  std::vector<std::string> keys;
  for (const auto* acl : {&sd.dacl, &sd.sacl}) {
    if (!*acl) continue;
    for (const auto& a : (*acl)->aces)
      keys.push_back(ace_type_to_sddl(a.type) + "|" + (a.object_type ? a.object_type->to_string() : "") +
                     "|" + (a.inherited_object_type ? a.inherited_object_type->to_string() : ""));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

TEST_CASE("security descriptor vectors decode exactly as their expected.json says", "[parsers][sd]") {
  for (const auto& v : kSdVectors) {
    INFO(v.name);
    const json want = load_json(std::string("security-descriptors/") + v.name + ".expected.json");
    const std::string bytes = sd_bytes(v);
    if (want.contains("length_bytes")) CHECK(bytes.size() == want["length_bytes"].get<std::size_t>());
    if (want.contains("md5_hex")) CHECK(digest_hex(EVP_md5(), bytes) == want["md5_hex"].get<std::string>());
    const SecurityDescriptor sd = parse_ok(bytes);
    const json& d = want["decoded"];
    CHECK(sd.revision == d["revision"].get<int>());
    CHECK(sd.sbz1 == d["sbz1"].get<int>());
    CHECK(sd.control == d["control"].get<int>());
    CHECK(sd.owner.has_value() == d.contains("owner"));
    if (sd.owner) CHECK(sd.owner->to_string() == d["owner"].get<std::string>());
    CHECK(sd.group.has_value() == d.contains("group"));
    if (sd.group) CHECK(sd.group->to_string() == d["group"].get<std::string>());
    CHECK(sd.dacl.has_value() == d.contains("dacl"));
    if (sd.dacl) check_acl(*sd.dacl, d["dacl"]);
    CHECK(sd.sacl.has_value() == d.contains("sacl"));
    if (sd.sacl) check_acl(*sd.sacl, d["sacl"]);

    // The reference decoder prints raw SIDs and DS mnemonics; for the file SD it spells SYNCHRONIZE out,
    // where Windows (and we) write FA, so only the AD descriptors are compared as text.
    const std::string ref = want["sddl_by_independent_reference_decoder"].get<std::string>();
    if (ref.find("SYNCHRONIZE") == std::string::npos) {
      CHECK(to_sddl(sd, SddlContext::raw_sids()) == ref);
    } else {
      CHECK(to_sddl(sd).find("(A;ID;FA;;;WD)") != std::string::npos);
    }
  }
}

TEST_CASE("AdminSDHolder-stamped user: protected DACL equal to the Windows default", "[parsers][sd]") {
  const json want = load_json("security-descriptors/protected_user_adminsdholder_stamped.expected.json");
  const SecurityDescriptor sd = parse_ok(sd_bytes(kSdVectors[0]));
  CHECK(sd.dacl_protected());
  REQUIRE(sd.dacl);
  CHECK(sd.dacl->aces.size() == 24);
  const Sid owner = parse_sid_string(want["decoded"]["owner"].get<std::string>()).value();
  CHECK(owner.rid() == 512);

  // VECTORS.md: the DACL equals adminsdholder_reference_sddl.txt once -512/-519/-517 print as DA/EA/CA and
  // the builtin SIDs as RU/BA/AU/SY/WD/PS, which is what the domain SID in the context gives.
  std::string reference = slurp(kDir + "security-descriptors/adminsdholder_reference_sddl.txt");
  while (!reference.empty() && std::isspace(static_cast<unsigned char>(reference.back())))
    reference.pop_back();
  SecurityDescriptor dacl_only;
  dacl_only.control = sd.control;
  dacl_only.dacl = sd.dacl;
  CHECK(to_sddl(dacl_only, SddlContext::for_domain(owner.parent())) == reference);
  // Without the domain SID the domain-relative principals stay as SIDs.
  CHECK(to_sddl(dacl_only).find("(A;;CCDCLCSWRPWPLOCRRCWDWO;;;" + owner.to_string() + ")") !=
        std::string::npos);
  CHECK(to_sddl(sd, SddlContext::for_domain(owner.parent())).substr(0, 10) == "O:DAD:PAI(");
}

TEST_CASE("unprotected user carries the inherited DCSync ACEs", "[parsers][sd]") {
  const json want = load_json("security-descriptors/unprotected_user_with_inherited_dcsync.expected.json");
  const SecurityDescriptor sd = parse_ok(sd_bytes(kSdVectors[1]));
  CHECK_FALSE(sd.dacl_protected());
  REQUIRE(sd.dacl);
  CHECK(sd.dacl->aces.size() == 39);
  std::vector<std::string> aces;
  for (const auto& a : sd.dacl->aces) aces.push_back(ace_to_sddl(a));
  int asserted = 0;
  for (const auto& line : want["asserted_by_source"]) {
    const std::string s = line.get<std::string>();
    if (s.rfind("contains ", 0) != 0) continue;
    ++asserted;
    CHECK(std::count(aces.begin(), aces.end(), s.substr(9)) == 1);
  }
  CHECK(asserted == 1);
  // VECTORS.md key facts: Get-Changes-All to -2111 and -2122, Get-Changes to -2122, all inherited.
  int all = 0, changes = 0;
  for (const auto& a : sd.dacl->aces) {
    if (!a.object_type ||
        (*a.object_type != kDsReplicationGetChangesAll && *a.object_type != kDsReplicationGetChanges))
      continue;
    CHECK(a.mask == kRightControlAccess);
    CHECK(a.inherited());
    if (*a.object_type == kDsReplicationGetChangesAll) ++all;
    if (*a.object_type == kDsReplicationGetChanges) {
      ++changes;
      CHECK(a.trustee.rid() == 2122);
    }
  }
  CHECK(all == 2);
  CHECK(changes == 1);
  CHECK(well_known_guid_name(kDsReplicationGetChangesAll) == "DS-Replication-Get-Changes-All");
}

TEST_CASE("group DACL: Self-Membership validated write and member write", "[parsers][sd]") {
  const json want = load_json("security-descriptors/group_with_addself_and_addmember.expected.json");
  const SecurityDescriptor sd = parse_ok(sd_bytes(kSdVectors[3]));
  REQUIRE(sd.dacl);
  std::map<std::string, std::string> edges;  // "AddSelf" -> SID, from the source's assertions
  for (const auto& line : want["asserted_by_source"]) {
    const std::string s = line.get<std::string>();
    for (const char* edge : {"AddSelf", "AddMember"})
      if (auto at = s.find(std::string(edge) + " from "); at != std::string::npos)
        edges[edge] = s.substr(at + std::string(edge).size() + 6);
  }
  REQUIRE(edges.size() == 2);
  auto find = [&](std::uint32_t mask, const std::string& sid) {
    return std::count_if(sd.dacl->aces.begin(), sd.dacl->aces.end(), [&](const Ace& a) {
      return a.is_allow() && a.is_object() && a.mask == mask && a.object_type == kSelfMembership &&
             a.trustee.to_string() == sid && !a.inherited();
    });
  };
  CHECK(find(kRightSelf, edges["AddSelf"]) == 1);
  CHECK(find(kRightWriteProperty, edges["AddMember"]) == 1);
  CHECK(well_known_guid_name(kSelfMembership) == "member");
}

TEST_CASE("gMSA membership SD: owner BA, full control to RID 500", "[parsers][sd]") {
  const json want = load_json("security-descriptors/gmsa_msDS-GroupMSAMembership.expected.json");
  const SecurityDescriptor sd = parse_ok(sd_bytes(kSdVectors[2]));
  REQUIRE(sd.owner);
  CHECK(sd_bytes(kSdVectors[2]).size() == want["length_bytes"].get<std::size_t>());
  CHECK(sid_to_sddl(*sd.owner) == "BA");
  REQUIRE(sd.dacl);
  REQUIRE(sd.dacl->aces.size() == 1);
  const Ace& a = sd.dacl->aces[0];
  CHECK(a.is_allow());
  CHECK(a.trustee.to_string() == "S-1-5-21-3130019616-2776909439-2417379446-500");
  CHECK(access_mask_names(a.mask) == "GenericAll");
  CHECK(to_sddl(sd) ==
        "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;S-1-5-21-3130019616-2776909439-2417379446-500)");
}

TEST_CASE("ntds.dit SD: SACL stored before the DACL, two object-audit ACEs", "[parsers][sd]") {
  const json want = load_json("security-descriptors/ntds_dit_object_sd_with_sacl.expected.json");
  const std::string bytes = sd_bytes(kSdVectors[4]);
  CHECK(from_hex(digest_hex(EVP_md5(), bytes)) == from_base64(want["md5_base64"].get<std::string>()));
  CHECK(le32_at(bytes, 12) < le32_at(bytes, 16));  // OffsetSacl < OffsetDacl
  const SecurityDescriptor sd = parse_ok(bytes);
  REQUIRE(sd.sacl);
  REQUIRE(sd.sacl->aces.size() == 2);
  for (const auto& a : sd.sacl->aces) {
    CHECK(a.type == ace_type::kSystemAuditObject);
    CHECK(a.is_audit());
    CHECK(a.inherited_object_type == kClassOrganizationalUnit);
    CHECK(a.inherit_only());
  }
  CHECK(sd.sacl->aces[0].object_type == kAttrGpLink);
  CHECK(sd.sacl->aces[1].object_type == kAttrGpOptions);
  CHECK(sd.group->rid() == 515);
}

TEST_CASE("file SD (SMB) keeps FILE_ALL_ACCESS masks", "[parsers][sd]") {
  const SecurityDescriptor sd = parse_ok(sd_bytes(kSdVectors[5]));
  REQUIRE(sd.dacl);
  for (const auto& a : sd.dacl->aces) {
    CHECK(a.mask == 0x1f01ff);
    CHECK(access_mask_to_sddl(a.mask) == "FA");
    CHECK(access_mask_names(a.mask) == "GenericAll|Synchronize");
  }
}

TEST_CASE("the 22 Windows SDDL/binary pairs print back as the SDDL given to Windows", "[parsers][sd][sddl]") {
  for (int i = 1; i <= 22; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "sddl-windows-pairs/samba_win_%02d.json", i);
    INFO(name);
    const json pair = load_json(name);
    const std::string bytes = from_hex(pair["windows_binary_hex"].get<std::string>());
    CHECK(bytes.size() == pair["length_bytes"].get<std::size_t>());
    const SecurityDescriptor sd = parse_ok(bytes);
    const std::string input = pair["sddl_input"].get<std::string>();
    // Samba's capture domain (origin note); none of the 22 inputs uses a domain-relative alias.
    const auto ctx =
        SddlContext::for_domain(parse_sid_string("S-1-5-21-2457507606-2709100691-398136650").value());
    CHECK(to_sddl(sd, ctx) == input);
    CHECK(parsed_ace_keys(sd) == sddl_ace_keys(input));
    const std::string ref = pair["sddl_by_independent_reference_decoder"].get<std::string>();
    if (ref.find("SYNCHRONIZE") == std::string::npos) CHECK(to_sddl(sd, SddlContext::raw_sids()) == ref);
  }
}

TEST_CASE("bulk Samba corpus: 7,140 Windows-made descriptors parse with the SDDL's ACEs and GUIDs",
          "[parsers][sd][sddl][bulk]") {
  const std::string path = kDir + "sddl-windows-pairs/BULK_short-ordinary-acls.json.gz";
  if (!std::ifstream("/bin/gzip").good()) {
    WARN("/bin/gzip not found; skipping the bulk SDDL corpus");
    return;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("/bin/gzip -dc '" + path + "'").c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string text;
  std::array<char, 65536> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0;)
    text.append(buf.data(), n);
  const json corpus = json::parse(text);
  REQUIRE(corpus.size() == 7140);
  std::size_t checked = 0, same_text = 0;
  const auto ctx =
      SddlContext::for_domain(parse_sid_string("S-1-5-21-2457507606-2709100691-398136650").value());
  for (const auto& [sddl, byte_list] : corpus.items()) {
    std::string bytes;
    for (const auto& v : byte_list) bytes.push_back(static_cast<char>(v.get<int>()));
    auto r = parse_security_descriptor(bytes);
    INFO(sddl);
    if (!r.ok()) FAIL(r.error().describe());
    const auto want = sddl_ace_keys(sddl), got = parsed_ace_keys(r.value());
    if (want != got) FAIL("ACE types/GUIDs differ");
    const std::string printed = to_sddl(r.value(), ctx);
    if (printed == sddl) ++same_text;
    // Samba wrote these inputs and Windows accepted them. Apart from SIDs with a hex authority (the
    // inputs write S-1-0x12A05F200; sid.cpp prints MS-DTYP's "0x" 12HEXDIG form, S-1-0x00012A05F200),
    // every one prints back as written.
    if (sddl.find("-0x") == std::string::npos && printed != sddl) FAIL("prints back as " << printed);
    ++checked;
  }
  CHECK(checked == 7140);
  // The corpus keys are Samba's inputs, not Windows' own output text.
  WARN("bulk corpus: " << same_text << " of " << checked << " print back as the exact input SDDL");
  CHECK(same_text == checked - 4);  // the four hex-authority descriptors
}

TEST_CASE("truncating a real descriptor at every length is an error, never a crash",
          "[parsers][sd][negative]") {
  const std::string bytes = sd_bytes(kSdVectors[4]);  // owner, group, SACL and DACL
  std::size_t end = 0;                                // last byte any part of it references
  const SecurityDescriptor full = parse_ok(bytes);
  (void)full;
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    auto r = parse_security_descriptor(std::string_view(bytes).substr(0, len));
    if (r.ok()) end = std::max(end, len);
  }
  // Every prefix shorter than the whole buffer fails: the descriptor's parts reach its last byte.
  CHECK(end == 0);
  CHECK_FALSE(parse_security_descriptor(std::string_view(bytes).substr(0, 19)).ok());
}

TEST_CASE("lying lengths and offsets are errors naming the field", "[parsers][sd][negative]") {
  const std::string good = sd_bytes(kSdVectors[0]);
  const std::size_t dacl = le32_at(good, 16);
  const std::size_t ace0 = dacl + 8;
  auto fails_with = [](const std::string& b, const std::string& field) {
    auto r = parse_security_descriptor(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
    INFO(r.error().message);
    CHECK(r.error().message.find(field) != std::string::npos);
    CHECK(r.error().message.find("offset") != std::string::npos);
  };
  SECTION("AceSize below the 4-byte header") {
    std::string b = good;
    put16(b, ace0 + 2, 2);
    fails_with(b, "AceSize");
  }
  SECTION("AceSize below the minimum of its type") {
    std::string b = good;
    put16(b, ace0 + 2, 12);
    fails_with(b, "AceSize");
  }
  SECTION("AceSize beyond AclSize") {
    std::string b = good;
    put16(b, ace0 + 2, 0xfff0);
    fails_with(b, "AclSize");
  }
  SECTION("AclSize beyond the buffer") {
    std::string b = good;
    put16(b, dacl + 2, static_cast<std::uint16_t>(good.size()));
    fails_with(b, "AclSize");
  }
  SECTION("AclSize smaller than its ACEs") {
    std::string b = good;
    put16(b, dacl + 2, 40);
    fails_with(b, "AclSize");
  }
  SECTION("AceCount larger than the ACL can hold") {
    std::string b = good;
    put16(b, dacl + 4, 0xffff);
    fails_with(b, "AceCount");
  }
  SECTION("trustee SID claiming 15 sub-authorities overruns its ACE") {
    std::string b = good;
    // First ACE is an OA with both GUIDs: 4 header + 4 mask + 4 flags + 32 GUIDs, then the SID.
    b[ace0 + 44 + 1] = 15;
    fails_with(b, "SID");
  }
  SECTION("owner SID count beyond the buffer") {
    std::string b = good;
    b[le32_at(good, 4) + 1] = 15;
    fails_with(b, "OffsetOwner");
  }
  SECTION("OffsetOwner past the end") {
    std::string b = good;
    put32(b, 4, static_cast<std::uint32_t>(good.size()));
    fails_with(b, "OffsetOwner");
  }
  SECTION("OffsetDacl past the end") {
    std::string b = good;
    put32(b, 16, 0xffffffff);
    fails_with(b, "OffsetDacl");
  }
  SECTION("unknown ACL revision") {
    std::string b = good;
    b[dacl] = 3;
    fails_with(b, "AclRevision");
  }
}

TEST_CASE("null DACL, absent parts and unknown ACE types", "[parsers][sd]") {
  // Hand-built: header only, DACL_PRESENT with OffsetDacl 0 (a null DACL), no owner.
  std::string b(20, '\0');
  b[0] = 1;
  put16(b, 2, kSeSelfRelative | kSeDaclPresent);
  SecurityDescriptor sd = parse_ok(b);
  CHECK(sd.null_dacl());
  CHECK_FALSE(sd.owner);
  CHECK(to_sddl(sd) == "D:NO_ACCESS_CONTROL");

  // Hand-built: one ACL with an ACE of unknown type 0x20 (kept opaque) and an ML ACE.
  std::string acl =
      from_hex("02 00 2400 0200 0000  20 00 0800 aabbccdd  11 00 1400 01000000 0101000000000010 00300000");
  b += acl;
  put32(b, 16, 20);
  sd = parse_ok(b);
  REQUIRE(sd.dacl);
  REQUIRE(sd.dacl->aces.size() == 2);
  CHECK_FALSE(sd.dacl->aces[0].is_known_type());
  CHECK(sd.dacl->aces[0].type == 0x20);
  CHECK(sd.dacl->aces[0].application_data == from_hex("aabbccdd"));
  CHECK(sd.dacl->aces[1].type == ace_type::kSystemMandatoryLabel);
  CHECK(sid_to_sddl(sd.dacl->aces[1].trustee) == "HI");
  CHECK(ace_to_sddl(sd.dacl->aces[1]) == "(ML;;NW;;;HI)");
}

TEST_CASE("random corruption of real descriptors never crashes", "[parsers][sd][negative]") {
  std::mt19937 rng(20240229);
  for (const auto& v : kSdVectors) {
    const std::string good = sd_bytes(v);
    for (int round = 0; round < 2000; ++round) {
      std::string b = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
      if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
      auto r = parse_security_descriptor(b);
      if (r.ok()) CHECK_FALSE(to_sddl(r.value()).empty());
    }
  }
}

TEST_CASE("access mask names and SDDL rights", "[parsers][sd]") {
  CHECK(access_mask_names(0) == "");
  CHECK(access_mask_names(kDsGenericAllMapped) == "GenericAll");
  CHECK(access_mask_names(kRightWriteDac | kRightWriteOwner) == "WriteDacl|WriteOwner");
  CHECK(access_mask_names(kRightControlAccess | 0x200) == "ExtendedRight|0x200");
  CHECK(access_mask_to_sddl(0x10000000) == "GA");
  CHECK(access_mask_to_sddl(0x1200a9) == "0x1200a9");
  CHECK(access_mask_to_sddl(0x120089) == "FR");
}

TEST_CASE("SDDL parses and encodes to exactly the bytes Windows wrote (22 pairs)", "[parsers][sd][sddl]") {
  const auto ctx =
      SddlContext::for_domain(parse_sid_string("S-1-5-21-2457507606-2709100691-398136650").value());
  for (int i = 1; i <= 22; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "sddl-windows-pairs/samba_win_%02d.json", i);
    INFO(name);
    const json pair = load_json(name);
    const std::string bytes = from_hex(pair["windows_binary_hex"].get<std::string>());
    auto sd = parse_sddl(pair["sddl_input"].get<std::string>(), ctx);
    REQUIRE(sd.ok());
    CHECK(encode_security_descriptor(*sd) == bytes);
    sd->control |= kSeSelfRelative;
    CHECK(*sd == parse_ok(bytes));
  }
}

TEST_CASE("bulk Samba corpus: SDDL encodes to Windows' bytes for all 7,140 descriptors",
          "[parsers][sd][sddl][bulk]") {
  const std::string path = kDir + "sddl-windows-pairs/BULK_short-ordinary-acls.json.gz";
  if (!std::ifstream("/bin/gzip").good()) {
    WARN("/bin/gzip not found; skipping the bulk SDDL corpus");
    return;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("/bin/gzip -dc '" + path + "'").c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string text;
  std::array<char, 65536> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0;)
    text.append(buf.data(), n);
  const json corpus = json::parse(text);
  const auto ctx =
      SddlContext::for_domain(parse_sid_string("S-1-5-21-2457507606-2709100691-398136650").value());
  std::size_t same = 0, unsupported = 0, differ = 0, quirk = 0;
  for (const auto& [sddl, byte_list] : corpus.items()) {
    std::string bytes;
    for (const auto& v : byte_list) bytes.push_back(static_cast<char>(v.get<int>()));
    auto sd = parse_sddl(sddl, ctx);
    INFO(sddl);
    if (!sd.ok()) {
      ++unsupported;
      continue;
    }
    const auto got = encode_security_descriptor(*sd);
    // Windows' own quirk: 8 inputs, each holding an ACE without rights ("(A;;;;;AU)") next to file-rights
    // ACEs, were written as ACL revision 4 with 4 spare bytes at the end of the ACL. They must decode to what
    // the SDDL says; they are counted apart.
    const bool zero_mask = sd->dacl && std::any_of(sd->dacl->aces.begin(), sd->dacl->aces.end(),
                                                   [](const Ace& a) { return a.mask == 0; });
    if (got != bytes && zero_mask) {
      ++quirk;
      sd->control |= kSeSelfRelative;
      auto windows = parse_ok(bytes);
      if (windows.dacl) windows.dacl->revision = sd->dacl->revision;
      if (!(windows == *sd)) FAIL("zero-mask descriptor decodes differently");
      continue;
    }
    if (got != bytes) {
      if (++differ <= 8) WARN(sddl << "\n  encodes as " << to_hex(got) << "\n  Windows wrote " << to_hex(bytes));
      continue;
    }
    ++same;
  }
  WARN("bulk corpus: " << same << " encode byte-identical, " << quirk << " zero-mask quirk, " << unsupported
                        << " unsupported");
  CHECK(same + unsupported + differ + quirk == 7140);
  CHECK(quirk == 8);
  CHECK(differ == 0);
  CHECK(unsupported == 0);
}

TEST_CASE("SDDL errors name the problem and its offset", "[parsers][sd][sddl][negative]") {
  for (const char* bad : {"X:BA", "O:ZZ", "D:(A;;QQ;;;BA)", "D:(A;;GA;;;BA", "D:(A;;GA;bad;;BA)",
                          "D:(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;S-1-x)", "O:DA",
                          "D:(XA;;GA;;;BA;(x))", "D:NO_ACCESS_CONTROL(A;;GA;;;BA)", "D:(A;QQ;GA;;;BA)",
                          "D:(A;;0x1FFFFFFFF;;;BA)"}) {
    INFO(bad);
    auto r = parse_sddl(bad);  // no domain: DA is an error too
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("SDDL: ") == 0);
    CHECK(r.error().message.find(" at offset ") != std::string::npos);
  }
  auto null_dacl = parse_sddl("O:BAD:NO_ACCESS_CONTROL");
  REQUIRE(null_dacl.ok());
  CHECK(null_dacl->null_dacl());
  CHECK(to_sddl(parse_ok(encode_security_descriptor(*null_dacl))) == "O:BAD:NO_ACCESS_CONTROL");
}

// Found by the sddl_fuzz round-trip property (bench/fuzz.sh): to_sddl prints an identifier authority of 2^32
// or more as 0x + 12 hex digits, and parse_sddl read the 'D' of a following "D:" as a 13th digit.
TEST_CASE("SDDL: a hex identifier authority ends after 12 digits (fuzz regression)", "[parsers][sd][sddl]") {
  // The minimized reproducer: the owner prints as O:S-1-0x000139D53E40 and must not swallow the D of D:.
  auto owner = parse_sddl("O:S-1-5265243712D:");
  REQUIRE(owner.ok());
  const std::string owner_text = to_sddl(*owner, SddlContext::raw_sids());
  CHECK(owner_text == "O:S-1-0x000139D53E40D:");
  auto owner_again = parse_sddl(owner_text);
  REQUIRE(owner_again.ok());
  CHECK(owner_again->owner == owner->owner);
  CHECK(parse_ok(encode_security_descriptor(*owner_again)).owner == owner->owner);

  auto sd = parse_sddl("G:S-1-4294967296D:");
  REQUIRE(sd.ok());
  const std::string text = to_sddl(*sd, SddlContext::raw_sids());
  CHECK(text == "G:S-1-0x000100000000D:");
  auto again = parse_sddl(text);
  REQUIRE(again.ok());
  CHECK(again->group == sd->group);
  CHECK(again->dacl_present());
  CHECK(to_sddl(*again, SddlContext::raw_sids()) == text);
  CHECK(parse_sddl("O:S-1-0x0000FFFFFFFF-7").ok());
  CHECK_FALSE(parse_sddl("O:S-1-0x00000000000AD").ok());  // 13 hex digits: the D is not the authority's
}

// The encoder writes AclSize as 16 bits: an SDDL ACL that would encode past 65535 bytes is refused rather
// than encoded with a wrapped (lying) AclSize.
TEST_CASE("SDDL: an ACL too long for AclSize is an error", "[parsers][sd][sddl][negative]") {
  std::string aces;
  for (int i = 0; i < 1638; ++i) aces += "(A;;GA;;;UD)";  // 40 bytes each: 8 + 65520 = 65528 bytes
  auto fits = parse_sddl("D:" + aces);
  REQUIRE(fits.ok());
  const std::string bytes = encode_security_descriptor(*fits);
  CHECK(parse_ok(bytes).dacl->aces.size() == 1638);
  auto too_long = parse_sddl("D:" + aces + "(A;;GA;;;UD)");  // 65568 bytes
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().message.find("65535") != std::string::npos);
}
