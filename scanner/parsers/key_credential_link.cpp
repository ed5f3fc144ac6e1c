#include "scanner/parsers/key_credential_link.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <charconv>
#include <cstdio>

namespace adpersist::parsers {

namespace {

using namespace std::chrono;

std::uint8_t u8(std::string_view b, std::size_t o) {
  return static_cast<std::uint8_t>(b[o]);
}
std::uint16_t le16(std::string_view b, std::size_t o) {
  return static_cast<std::uint16_t>(u8(b, o) | u8(b, o + 1) << 8);
}
std::uint16_t be16(std::string_view b, std::size_t o) {
  return static_cast<std::uint16_t>(u8(b, o) << 8 | u8(b, o + 1));
}
std::uint32_t le32(std::string_view b, std::size_t o) {
  return static_cast<std::uint32_t>(le16(b, o)) | static_cast<std::uint32_t>(le16(b, o + 2)) << 16;
}
std::uint64_t le64(std::string_view b, std::size_t o) {
  return static_cast<std::uint64_t>(le32(b, o)) | static_cast<std::uint64_t>(le32(b, o + 4)) << 32;
}

std::string hex_of(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

std::string entry_name(std::uint8_t id) {
  switch (id) {
    case key_entry::kKeyId:
      return "KeyID";
    case key_entry::kKeyHash:
      return "KeyHash";
    case key_entry::kKeyMaterial:
      return "KeyMaterial";
    case key_entry::kKeyUsage:
      return "KeyUsage";
    case key_entry::kKeySource:
      return "KeySource";
    case key_entry::kDeviceId:
      return "DeviceId";
    case key_entry::kCustomKeyInformation:
      return "CustomKeyInformation";
    case key_entry::kKeyApproximateLastLogonTimeStamp:
      return "KeyApproximateLastLogonTimeStamp";
    case key_entry::kKeyCreationTime:
      return "KeyCreationTime";
    default:
      return "identifier " + hex_of(id);
  }
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(u8(in, i)) << 16 |
                            static_cast<std::uint32_t>(u8(in, i + 1)) << 8 | u8(in, i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 0x3f]);
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(u8(in, i)) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(u8(in, i + 1)) << 8;
    out.push_back(kAlphabet[(v >> 18) & 0x3f]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ---- key material ----

struct Tlv {
  std::uint8_t tag = 0;
  std::string_view content;
  std::size_t total = 0;  // header + content
};

// One DER TLV at the start of `d` (definite lengths of up to 4 bytes only).
std::optional<Tlv> read_tlv(std::string_view d) {
  if (d.size() < 2) return std::nullopt;
  Tlv t;
  t.tag = u8(d, 0);
  std::size_t len = u8(d, 1), pos = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > 4 || d.size() - 2 < n) return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = len << 8 | u8(d, 2 + i);
    pos += n;
  }
  if (len > d.size() - pos) return std::nullopt;
  t.content = d.substr(pos, len);
  t.total = pos + len;
  return t;
}

std::uint32_t integer_bits(std::string_view n) {
  std::size_t i = 0;
  while (i < n.size() && n[i] == 0) ++i;
  if (i == n.size()) return 0;
  std::uint32_t bits = static_cast<std::uint32_t>((n.size() - i) * 8);
  for (std::uint8_t top = u8(n, i); !(top & 0x80); top = static_cast<std::uint8_t>(top << 1)) --bits;
  return bits;
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }: the modulus size, 0 if malformed.
std::uint32_t pkcs1_bits(std::string_view d) {
  auto seq = read_tlv(d);
  if (!seq || seq->tag != 0x30 || seq->total != d.size()) return 0;
  auto mod = read_tlv(seq->content);
  if (!mod || mod->tag != 0x02) return 0;
  auto exp = read_tlv(seq->content.substr(mod->total));
  if (!exp || exp->tag != 0x02) return 0;
  return integer_bits(mod->content);
}

// SubjectPublicKeyInfo with rsaEncryption: the modulus size, 0 otherwise.
std::uint32_t spki_rsa_bits(std::string_view d) {
  static constexpr std::string_view kRsaOid = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01";
  auto seq = read_tlv(d);
  if (!seq || seq->tag != 0x30 || seq->total != d.size()) return 0;
  auto alg = read_tlv(seq->content);
  if (!alg || alg->tag != 0x30 || alg->content.substr(0, kRsaOid.size()) != kRsaOid) return 0;
  auto bits = read_tlv(seq->content.substr(alg->total));
  if (!bits || bits->tag != 0x03 || bits->content.empty() || bits->content[0] != 0) return 0;
  return pkcs1_bits(bits->content.substr(1));
}

// PCP_KEY_BLOB_WIN8 holding a TPM 2.0 key: keyBits of the TPMT_PUBLIC RSA parameters, 0 otherwise.
std::uint32_t pcp_rsa_bits(std::string_view m) {
  constexpr std::uint32_t kPcpTypeTpm20 = 2;
  constexpr std::uint16_t kTpmAlgRsa = 0x0001, kTpmAlgNull = 0x0010;
  if (m.size() < 12 || le32(m, 8) != kPcpTypeTpm20) return 0;
  std::size_t p = le32(m, 4);  // cbHeader: TPM2B_PUBLIC follows the header
  auto need = [&](std::size_t n) { return p <= m.size() && m.size() - p >= n; };
  if (!need(2 + 2 + 2 + 4 + 2)) return 0;
  p += 2;  // TPM2B size
  if (be16(m, p) != kTpmAlgRsa) return 0;
  p += 2 + 2 + 4;                    // type, nameAlg, objectAttributes
  p += 2 + std::size_t{be16(m, p)};  // authPolicy
  if (!need(2)) return 0;
  const std::uint16_t sym = be16(m, p);
  p += 2;
  if (sym != kTpmAlgNull) p += 4;  // keyBits, mode
  if (!need(2)) return 0;
  const std::uint16_t scheme = be16(m, p);
  p += 2;
  if (scheme != kTpmAlgNull) p += 2;  // hashAlg
  if (!need(2)) return 0;
  return be16(m, p);
}

// The "displayName" string of FIDO JSON material (basic escapes; \u outside ASCII becomes '?').
std::string json_display_name(std::string_view m) {
  static constexpr std::string_view kKey = "\"displayName\"";
  const std::size_t at = m.find(kKey);
  if (at == std::string_view::npos) return {};
  std::size_t p = at + kKey.size();
  auto skip_ws = [&] {
    while (p < m.size() && (m[p] == ' ' || m[p] == '\t' || m[p] == '\r' || m[p] == '\n')) ++p;
  };
  skip_ws();
  if (p >= m.size() || m[p] != ':') return {};
  ++p;
  skip_ws();
  if (p >= m.size() || m[p] != '"') return {};
  std::string out;
  for (++p; p < m.size() && out.size() < 256; ++p) {
    char c = m[p];
    if (c == '"') return out;
    if (static_cast<unsigned char>(c) < 0x20) return {};
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++p >= m.size()) return {};
    switch (m[p]) {
      case '"':
      case '\\':
      case '/':
        out.push_back(m[p]);
        break;
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        out.push_back(' ');
        break;
      case 'u': {
        if (m.size() - p < 5) return {};
        unsigned v = 0;
        for (std::size_t i = 1; i <= 4; ++i) {
          const int d = hex_digit(m[p + i]);
          if (d < 0) return {};
          v = v << 4 | static_cast<unsigned>(d);
        }
        out.push_back(v >= 0x20 && v < 0x7f ? static_cast<char>(v) : '?');
        p += 4;
        break;
      }
      default:
        return {};
    }
  }
  return {};  // unterminated or too long
}

void classify_material(KeyCredential& k) {
  const std::string_view m = k.key_material;
  if (m.substr(0, 4) == "RSA1") {
    k.material_kind = KeyMaterialKind::bcrypt_rsa;
    // BCRYPT_RSAKEY_BLOB: Magic, BitLength, cbPublicExp, cbModulus, cbPrime1, cbPrime2, then exponent,
    // modulus.
    if (m.size() >= 24 && std::uint64_t{24} + le32(m, 8) + le32(m, 12) <= m.size()) k.rsa_bits = le32(m, 4);
  } else if (m.substr(0, 4) == "PCPM") {
    k.material_kind = KeyMaterialKind::tpm_pcp;
    k.rsa_bits = pcp_rsa_bits(m);
  } else if (!m.empty() && m[0] == 0x30) {
    if (std::uint32_t bits = pkcs1_bits(m); bits) {
      k.material_kind = KeyMaterialKind::der_rsa;
      k.rsa_bits = bits;
    } else if ((bits = spki_rsa_bits(m))) {
      k.material_kind = KeyMaterialKind::der_rsa;
      k.rsa_bits = bits;
    }
  } else {
    std::size_t i = 0;
    while (i < m.size() && (m[i] == ' ' || m[i] == '\t' || m[i] == '\r' || m[i] == '\n')) ++i;
    if (i < m.size() && m[i] == '{') {
      k.material_kind = KeyMaterialKind::fido_json;
      k.fido_display_name = json_display_name(m);
    }
  }
}

// ---- times ----

int year_of(TimePoint t) {
  return static_cast<int>(year_month_day{floor<days>(t)}.year());
}

KeyTime decode_time(std::int64_t raw, std::uint8_t source) {
  KeyTime t;
  t.raw = raw;
  if (source == key_source::kAzureAd) {
    // DateTime.ToBinary(): ticks (100 ns since 0001-01-01) in the low 62 bits, Kind in the top two.
    constexpr std::int64_t kMaxTicks = 3155378975999999999;       // 9999-12-31T23:59:59.9999999
    constexpr std::int64_t kUnixEpochTicks = 621355968000000000;  // 1970-01-01
    t.encoding = KeyTimeEncoding::dotnet_binary;
    const auto bits = static_cast<std::uint64_t>(raw);
    t.dotnet_kind = static_cast<std::uint8_t>(bits >> 62);
    const auto ticks = static_cast<std::int64_t>(bits & 0x3FFFFFFFFFFFFFFFULL);
    if (ticks <= kMaxTicks) {
      const std::int64_t since_unix = ticks - kUnixEpochTicks;
      const std::int64_t micros = since_unix / 10 - (since_unix % 10 < 0 ? 1 : 0);  // floor
      t.time = TimePoint{microseconds{micros}};
    }
  } else {
    t.encoding = KeyTimeEncoding::filetime;
    if (auto r = filetime_to_time(raw); r.ok()) t.time = r.value();
  }
  if (t.time) t.year = year_of(*t.time);
  return t;
}

Error bad_entry(std::size_t index, std::uint8_t id, std::size_t offset, const std::string& what) {
  return make_error(ErrorCode::invalid_input, "KEYCREDENTIALLINK entry " + std::to_string(index) + " (" +
                                                  entry_name(id) + ") at byte offset " +
                                                  std::to_string(offset) + ": " + what);
}

}  // namespace

Result<DnWithBinary> parse_dn_with_binary(std::string_view v) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_input,
                      "'" + std::string(v.substr(0, 40)) + (v.size() > 40 ? "...'" : "'") +
                          " is not a DN-Binary value (B:<count>:<hex>:<dn>): " + why);
  };
  if (v.size() < 2 || (v[0] != 'B' && v[0] != 'b') || v[1] != ':') return bad("no B: prefix");
  std::string_view rest = v.substr(2);
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad("no hex character count");
  std::size_t count = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + colon, count);
  if (ec != std::errc{} || p != rest.data() + colon)
    return bad("the character count is not a decimal number");
  if (count % 2 != 0) return bad("the character count " + std::to_string(count) + " is odd");
  rest = rest.substr(colon + 1);
  if (rest.size() < count || rest.size() - count < 1 || rest[count] != ':')
    return bad("the hex part is not " + std::to_string(count) + " characters followed by ':'");
  DnWithBinary out;
  out.binary.reserve(count / 2);
  for (std::size_t i = 0; i < count; i += 2) {
    const int hi = hex_digit(rest[i]), lo = hex_digit(rest[i + 1]);
    if (hi < 0 || lo < 0) return bad("non-hex character at position " + std::to_string(i));
    out.binary.push_back(static_cast<char>(hi << 4 | lo));
  }
  out.dn = std::string(rest.substr(count + 1));
  if (out.dn.empty()) return bad("the DN is empty");
  return out;
}

std::string_view to_string(KeyMaterialKind kind) {
  switch (kind) {
    case KeyMaterialKind::bcrypt_rsa:
      return "bcrypt-rsa";
    case KeyMaterialKind::der_rsa:
      return "der-rsa";
    case KeyMaterialKind::tpm_pcp:
      return "tpm-pcp";
    case KeyMaterialKind::fido_json:
      return "fido-json";
    case KeyMaterialKind::unknown:
      break;
  }
  return "unknown";
}

std::string KeyCredential::key_id_base64() const {
  return base64(key_id);
}

std::string KeyCredential::usage_name() const {
  if (!usage_legacy.empty()) return usage_legacy;
  switch (usage) {
    case key_usage::kAdminKey:
      return "AdminKey";
    case key_usage::kNgc:
      return "NGC";
    case key_usage::kStk:
      return "STK";
    case key_usage::kBitlockerRecovery:
      return "BitlockerRecovery";
    case key_usage::kFido:
      return "FIDO";
    case key_usage::kFek:
      return "FEK";
    default:
      return "usage-" + std::to_string(usage);
  }
}

std::string_view KeyCredential::source_name() const {
  if (source == key_source::kAd) return "AD";
  if (source == key_source::kAzureAd) return "AzureAD";
  return "unknown";
}

Result<KeyCredential> parse_key_credential(std::string_view b) {
  if (b.size() < 4)
    return make_error(ErrorCode::invalid_input, "KEYCREDENTIALLINK_BLOB is " + std::to_string(b.size()) +
                                                    " bytes, shorter than its 4-byte Version");
  KeyCredential k;
  k.version = le32(b, 0);
  if (k.version != kKeyCredentialVersion2 && k.version != kKeyCredentialVersion1 &&
      k.version != kKeyCredentialVersion0)
    return make_error(ErrorCode::unsupported, "KEYCREDENTIALLINK_BLOB version " + hex_of(k.version) +
                                                  " is not supported (0x200, or legacy 0x100 / 0x0)");
  std::bitset<256> seen;
  std::optional<std::int64_t> raw_last_logon, raw_created;
  std::size_t hash_end = 0;
  int last_id = -1;
  std::size_t pos = 4;
  for (std::size_t index = 0; pos < b.size(); ++index) {
    if (b.size() - pos < 3)
      return make_error(ErrorCode::invalid_input, "KEYCREDENTIALLINK entry " + std::to_string(index) +
                                                      " header at byte offset " + std::to_string(pos) +
                                                      " needs 3 bytes but " + std::to_string(b.size() - pos) +
                                                      " remain");
    const std::size_t len = le16(b, pos);
    const std::uint8_t id = u8(b, pos + 2);
    const std::size_t vpos = pos + 3;
    if (len > b.size() - vpos)
      return bad_entry(index, id, pos,
                       "Length " + std::to_string(len) + " runs past the end of the blob (" +
                           std::to_string(b.size() - vpos) + " bytes remain)");
    if (seen[id]) return bad_entry(index, id, pos, "duplicate identifier");
    seen[id] = true;
    if (static_cast<int>(id) <= last_id) k.entries_sorted = false;
    last_id = std::max(last_id, static_cast<int>(id));
    k.entries.push_back({id, vpos, len});
    const std::string_view value = b.substr(vpos, len);
    std::size_t next = vpos + len;
    if (k.version == kKeyCredentialVersion0) next = std::min(b.size(), next + (4 - len % 4) % 4);

    auto need_len = [&](std::size_t want) -> std::optional<Error> {
      if (len == want) return std::nullopt;
      return bad_entry(index, id, pos,
                       "Length is " + std::to_string(len) + ", expected " + std::to_string(want));
    };
    switch (id) {
      case key_entry::kKeyId:
        k.key_id = std::string(value);
        break;
      case key_entry::kKeyHash:
        if (auto e = need_len(32)) return *e;
        k.key_hash = std::string(value);
        hash_end = next;
        break;
      case key_entry::kKeyMaterial:
        k.key_material = std::string(value);
        break;
      case key_entry::kKeyUsage:
        if (len == 0) return bad_entry(index, id, pos, "empty value");
        if (len == 1)
          k.usage = u8(value, 0);
        else
          k.usage_legacy = std::string(value);
        break;
      case key_entry::kKeySource:
        if (auto e = need_len(1)) return *e;
        k.source = u8(value, 0);
        break;
      case key_entry::kDeviceId: {
        if (auto e = need_len(16)) return *e;
        auto g = parse_guid_binary(value);
        if (!g) return bad_entry(index, id, pos, g.error().message);
        k.device_id = g.value();
        break;
      }
      case key_entry::kCustomKeyInformation: {
        if (len == 0) return bad_entry(index, id, pos, "empty value");
        CustomKeyInfo c;
        c.raw = std::string(value);
        c.version = u8(value, 0);
        std::optional<std::uint8_t>* fields[] = {&c.flags, &c.volume_type, &c.supports_notification,
                                                 &c.fek_key_version, &c.key_strength};
        std::size_t i = 1;
        for (auto* f : fields) {
          if (i >= len) break;
          *f = u8(value, i++);
        }
        if (i < len) {
          c.reserved = std::string(value.substr(i, 10));
          i += c.reserved.size();
        }
        if (i < len) c.encoded_extended = std::string(value.substr(i));
        k.custom_key_info = std::move(c);
        break;
      }
      case key_entry::kKeyApproximateLastLogonTimeStamp:
      case key_entry::kKeyCreationTime: {
        if (auto e = need_len(8)) return *e;
        const auto raw = static_cast<std::int64_t>(le64(value, 0));
        (id == key_entry::kKeyCreationTime ? raw_created : raw_last_logon) = raw;
        break;
      }
      default:
        break;  // unknown identifiers are listed in `entries` only
    }
    pos = next;
  }
  for (std::uint8_t required : {key_entry::kKeyId, key_entry::kKeyMaterial, key_entry::kKeyUsage})
    if (!seen[required])
      return make_error(ErrorCode::invalid_input,
                        "KEYCREDENTIALLINK_BLOB has no " + entry_name(required) + " entry (required)");
  if (raw_last_logon) k.last_logon = decode_time(*raw_last_logon, k.source);
  if (raw_created) k.creation_time = decode_time(*raw_created, k.source);
  classify_material(k);
  k.key_id_matches_material = sha256(k.key_material) == k.key_id;
  k.key_hash_valid = k.key_hash && sha256(b.substr(hash_end)) == *k.key_hash;
  return k;
}

std::string format_key_time(const KeyTime& t) {
  if (!t.time) return "raw:" + std::to_string(t.raw);
  std::string s = format_rfc3339(*t.time);
  const auto micros = (*t.time - floor<seconds>(*t.time)).count();
  if (micros != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
    s.insert(s.size() - 1, buf);
  }
  if (!t.plausible()) s += " (implausible)";
  return s;
}

std::vector<std::pair<std::string, std::string>> key_credential_evidence(const KeyCredential& k) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("key_id", k.key_id_base64());
  out.emplace_back("usage", k.usage_name());
  out.emplace_back("source", std::string(k.source_name()));
  if (k.device_id) out.emplace_back("device_id", k.device_id->to_string());
  if (k.creation_time) out.emplace_back("created", format_key_time(*k.creation_time));
  if (k.last_logon) out.emplace_back("last_logon", format_key_time(*k.last_logon));
  out.emplace_back("key_kind", std::string(to_string(k.material_kind)));
  if (k.rsa_bits) out.emplace_back("key_bits", std::to_string(k.rsa_bits));
  out.emplace_back("key_id_matches_material", k.key_id_matches_material ? "true" : "false");
  out.emplace_back("key_hash_valid", k.key_hash_valid ? "true" : "false");
  return out;
}

std::string describe_key_credential(const KeyCredential& k) {
  std::string s = k.usage_name() + " key (" + std::string(k.source_name()) + ", " +
                  std::string(to_string(k.material_kind));
  if (k.rsa_bits) s += " " + std::to_string(k.rsa_bits) + "-bit";
  s += ") id " + k.key_id_base64();
  if (k.device_id) s += " device " + k.device_id->to_string();
  if (k.creation_time) s += " created " + format_key_time(*k.creation_time);
  return s;
}

}  // namespace adpersist::parsers
