// msDS-KeyCredentialLink: the DN-Binary wrapper and KEYCREDENTIALLINK_BLOB (MS-ADTS 2.2.20). Pure, no I/O.
// Key material is kept for hashing only: no helper here ever prints it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/parsers/ad_time.hpp"
#include "scanner/parsers/guid.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::parsers {

// Object(DN-Binary) value "B:<hex char count>:<hex>:<dn>".
struct DnWithBinary {
  std::string binary;  // decoded bytes
  std::string dn;
};
// The count must equal the number of hex digits and be even; the DN must not be empty.
Result<DnWithBinary> parse_dn_with_binary(std::string_view value);

inline constexpr std::uint32_t kKeyCredentialVersion0 = 0x0;    // legacy: each value padded to 4 bytes
inline constexpr std::uint32_t kKeyCredentialVersion1 = 0x100;  // legacy: same entry layout as version 2
inline constexpr std::uint32_t kKeyCredentialVersion2 = 0x200;

// KEYCREDENTIALLINK_ENTRY identifiers.
namespace key_entry {
inline constexpr std::uint8_t kKeyId = 0x01;
inline constexpr std::uint8_t kKeyHash = 0x02;
inline constexpr std::uint8_t kKeyMaterial = 0x03;
inline constexpr std::uint8_t kKeyUsage = 0x04;
inline constexpr std::uint8_t kKeySource = 0x05;
inline constexpr std::uint8_t kDeviceId = 0x06;
inline constexpr std::uint8_t kCustomKeyInformation = 0x07;
inline constexpr std::uint8_t kKeyApproximateLastLogonTimeStamp = 0x08;
inline constexpr std::uint8_t kKeyCreationTime = 0x09;
}  // namespace key_entry

namespace key_usage {
inline constexpr std::uint8_t kAdminKey = 0;
inline constexpr std::uint8_t kNgc = 1;
inline constexpr std::uint8_t kStk = 2;
inline constexpr std::uint8_t kBitlockerRecovery = 3;
inline constexpr std::uint8_t kFido = 7;
inline constexpr std::uint8_t kFek = 8;
}  // namespace key_usage

namespace key_source {
inline constexpr std::uint8_t kAd = 0;
inline constexpr std::uint8_t kAzureAd = 1;
}  // namespace key_source

enum class KeyMaterialKind {
  unknown,
  bcrypt_rsa,  // BCRYPT_RSAKEY_BLOB ("RSA1"): NGC user and device keys
  der_rsa,     // DER PKCS#1 RSAPublicKey (or an RSA SubjectPublicKeyInfo): computer self-written keys
  tpm_pcp,     // PCP_KEY_BLOB_WIN8 ("PCPM"): TPM-bound device keys
  fido_json,   // UTF-8 JSON {"version","authData","x5c","displayName"}: FIDO2 keys
};
std::string_view to_string(KeyMaterialKind kind);

enum class KeyTimeEncoding {
  filetime,       // KeySource AD: 100 ns ticks since 1601-01-01 UTC
  dotnet_binary,  // KeySource AzureAD: DateTime.ToBinary(), ticks since 0001-01-01 (low 62 bits) + Kind (top
                  // 2)
};

struct KeyTime {
  std::int64_t raw = 0;  // the 8 bytes as a little-endian int64
  KeyTimeEncoding encoding = KeyTimeEncoding::filetime;
  std::optional<TimePoint> time;  // empty when it does not decode (FILETIME 0, negative, past 9999)
  int year = 0;                   // civil year of `time`; 0 when empty
  std::uint8_t dotnet_kind = 0;   // DateTime.Kind for dotnet_binary (1 = UTC)
  // Decoded and within 2000..2100. Impacket writes .NET ticks as a FILETIME (year 3625); Azure AD writes
  // 0001-01-01 for "never logged on".
  bool plausible() const { return time.has_value() && year >= 2000 && year <= 2100; }
};

struct CustomKeyInfo {
  std::uint8_t version = 0;
  std::optional<std::uint8_t> flags;  // 0x01 attestation, 0x02 MFA not used
  std::optional<std::uint8_t> volume_type, supports_notification, fek_key_version, key_strength;
  std::string reserved;          // up to 10 bytes (Azure FIDO writes 9)
  std::string encoded_extended;  // EncodedExtendedCKI: whatever follows the 10 reserved bytes
  std::string raw;               // the whole entry value (2 bytes = the short form)
  bool attestation() const { return flags && (*flags & 0x01); }
  bool mfa_not_used() const { return flags && (*flags & 0x02); }
};

struct KeyCredentialEntry {
  std::uint8_t identifier = 0;
  std::size_t offset = 0;  // of the value within the blob
  std::size_t length = 0;
};

struct KeyCredential {
  std::uint32_t version = 0;
  std::vector<KeyCredentialEntry> entries;  // blob order, unknown identifiers included
  bool entries_sorted = true;               // identifiers strictly increasing, as MS-ADTS requires

  std::string key_id;                   // raw KeyID (SHA-256 of the material, or the FIDO credential id)
  std::optional<std::string> key_hash;  // raw KeyHash
  std::string key_material;             // raw; never printed
  KeyMaterialKind material_kind = KeyMaterialKind::unknown;
  std::uint32_t rsa_bits = 0;     // 0 when not derivable
  std::string fido_display_name;  // "displayName" of FIDO JSON material (attacker-controllable text)

  std::uint8_t usage = 0;    // numeric KeyUsage (meaningless when usage_legacy is set)
  std::string usage_legacy;  // KeyUsage given as a string (length != 1), e.g. in old Azure AD data
  std::uint8_t source = key_source::kAd;  // KeySource; AD when absent
  std::optional<Guid> device_id;
  std::optional<CustomKeyInfo> custom_key_info;
  std::optional<KeyTime> last_logon;     // KeyApproximateLastLogonTimeStamp
  std::optional<KeyTime> creation_time;  // KeyCreationTime

  bool key_id_matches_material = false;  // SHA-256(KeyMaterial) == KeyID (never true for FIDO)
  bool key_hash_valid = false;           // KeyHash present and == SHA-256 of every byte after its entry

  std::string key_id_base64() const;
  std::string usage_name() const;        // "NGC", "FIDO", ..., the legacy string, or "usage-<n>"
  std::string_view source_name() const;  // "AD", "AzureAD" or "unknown"
};

// Parses a KEYCREDENTIALLINK_BLOB. Versions 0x200, 0x100 and 0x0 (legacy, 4-byte padded values) are accepted;
// any other version is `unsupported`. Every entry is bounds-checked; KeyID, KeyMaterial and KeyUsage are
// required; a duplicate identifier, or a fixed-size entry (KeyHash 32, KeySource 1, DeviceId 16, times 8)
// with another length, is invalid_input. Timestamps never fail the parse (see KeyTime::plausible).
Result<KeyCredential> parse_key_credential(std::string_view blob);

// Evidence pairs safe to report: key_id (base64), usage, source, device_id, created, last_logon, key_kind,
// key_bits, key_id_matches_material, key_hash_valid. Nothing taken from the key material (not even the FIDO
// display name, which a check may add itself).
std::vector<std::pair<std::string, std::string>> key_credential_evidence(const KeyCredential& key);
// One line for humans built from the same fields.
std::string describe_key_credential(const KeyCredential& key);
// A KeyTime for display: RFC 3339 with microseconds, plus " (implausible)" when !plausible(); "raw:<n>" when
// it did not decode.
std::string format_key_time(const KeyTime& t);

}  // namespace adpersist::parsers
