// ad.shadow-credentials: msDS-KeyCredentialLink keys (PKINIT logon as the account without its password).
#include <set>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "scanner/parsers/key_credential_link.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace kcl = adpersist::parsers;

constexpr const char* kAttr = "msDS-KeyCredentialLink";

// The only key Windows writes on a computer through the validated write (MS-ADTS 3.1.1.5.3.1.1.6):
// an NGC key from AD without a device id or custom key information.
bool validated_write_shape(const kcl::KeyCredential& k) {
  return k.usage_legacy.empty() && k.usage == kcl::key_usage::kNgc && k.source == kcl::key_source::kAd &&
         !k.device_id && !k.custom_key_info;
}

// Traces that no Windows component leaves: a KeyHash that does not match, a creation time that does not
// decode to a plausible date (Impacket/pywhisker write .NET ticks as a FILETIME: year 3625).
std::vector<std::string> tool_fingerprints(const kcl::KeyCredential& k) {
  std::vector<std::string> out;
  if (k.key_hash && !k.key_hash_valid) out.emplace_back("KeyHash does not match the blob");
  if (k.creation_time && !k.creation_time->plausible())
    out.emplace_back("KeyCreationTime " + kcl::format_key_time(*k.creation_time));
  return out;
}

class ShadowCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.shadow-credentials",
        .title = "Key credential on an account (msDS-KeyCredentialLink, shadow credentials)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1556", "T1098"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-keycredentiallink",
                       "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/"
                       "f3f01e95-6d0c-4fe6-8b43-d585167658fa",
                       "Microsoft Defender for Identity alert 2431", "DSInternals Get-ADKeyCredential",
                       "CISA AA21-008A"},
        .description =
            "Each msDS-KeyCredentialLink value holds a public key (Windows Hello for Business, FIDO2 or a "
            "computer's own key). The KDC accepts PKINIT from whoever holds the matching private key and "
            "issues a TGT, and with it the account's NT hash, for the account. An attacker who can write the "
            "attribute adds a key of their own (Whisker, pywhisker, Certipy 'shadow'), which survives "
            "password resets and is invisible in group membership: a password-independent backdoor into the "
            "account.",
        .severity_notes =
            "Critical on tier 0 (privileged users, DCs, krbtgt). A computer holding exactly one key of the "
            "shape Windows writes itself (KeyUsage NGC, KeySource AD, no DeviceId, no CustomKeyInformation) "
            "is info, an inventory entry so a baseline can flag a second key. Other keys are medium, raised "
            "to high when the blob carries an attack-tool fingerprint (KeyHash mismatch, or a creation time "
            "no Windows component writes, such as year 3625), or when it is a KeySource AD key whose "
            "DeviceId matches no msDS-Device object while the input holds CN=RegisteredDevices. A value "
            "that does not decode is medium "
            "(critical on tier 0) with a note.",
        .false_positives =
            "Windows Hello for Business (key trust or hybrid), FIDO2 security keys registered on-premises "
            "and Hybrid Azure AD joined computers write legitimate keys. Expect user keys with a DeviceId of "
            "a registered device and sensible creation times.",
        .remediation =
            "Compare the key with the user's registered devices (Get-ADKeyCredential from DSInternals, or "
            "'Get-ADUser <name> -Properties msDS-KeyCredentialLink'). Remove an unknown key with "
            "Set-ADObject <dn> -Remove @{'msDS-KeyCredentialLink'='<value>'} (or pywhisker --action remove "
            "--device-id). Then find who could write the attribute (Key Admins, Enterprise Key Admins, the "
            "account itself) and, on tier 0, reset the account and review its logons.",
        .needs = {{Dataset::domain, {kAttr}, {"userAccountControl", "primaryGroupID", "msDS-DeviceID"}}},
        .evidence = {{"key_id", "KeyID (base64): SHA-256 of the public key, or the FIDO credential id"},
                     {"device_id", "the DeviceId the key was registered for, when present"},
                     {"registered_device", "whether an msDS-Device object with that DeviceId exists (only "
                                           "when the input holds CN=RegisteredDevices)"},
                     {"usage", "KeyUsage: NGC, FIDO, STK, ..."},
                     {"source", "KeySource: AD or AzureAD"},
                     {"creation_time",
                      "KeyCreationTime (marked implausible when no Windows component writes it)"},
                     {"last_logon", "KeyApproximateLastLogonTimeStamp, when present"},
                     {"key_type", "the public key's format (bcrypt-rsa, der-rsa, tpm-pcp, fido-json)"},
                     {"key_bits", "RSA modulus size, when derivable"},
                     {"fido_name", "display name of a FIDO2 key, when present"},
                     {"key_hash_valid", "KeyHash matches the blob (false is an attack-tool fingerprint)"},
                     {"key_id_matches_material", "KeyID is the SHA-256 of the key material"},
                     {"tool_fingerprints", "traces no Windows component leaves, when any"},
                     {"link_dn", "the DN inside the DN-Binary value (normally the object itself)"},
                     {"keys_on_object", "how many msDS-KeyCredentialLink values the object has"},
                     {"decoded", "false when the value could not be decoded"},
                     {"decode_error", "the parser's error for an undecodable value"},
                     {"blob_sha256", "SHA-256 (hex) of an undecodable value"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the account is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    // Device registration (Windows Hello for Business on-prem, device writeback) keeps one msDS-Device
    // object per device in CN=RegisteredDevices; a key of source AD naming a DeviceId with no such object
    // was not made by that flow (attack tools write random DeviceIds).
    std::set<Guid> devices;
    bool registry = false;
    if (const auto& d = ctx.snapshot.domain())
      registry = ctx.snapshot.find_dn("CN=RegisteredDevices," + d->dn) != nullptr;
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.has_class("msDS-Device")) continue;
      registry = true;
      if (auto g = e.guid("msDS-DeviceID"); g.ok() && g.value()) devices.insert(*g.value());
    }
    for (const auto& e : ctx.snapshot.entries()) {
      const auto values = e.values(kAttr);
      if (values.empty()) continue;
      const bool tier0 = priv.is_tier0(e);
      const std::string who = std::string(tier0 ? "tier-0 " : "") + (e.is_computer() ? "computer"
                                                                     : e.is_user()   ? "user"
                                                                                     : "object");
      std::set<std::string> seen;
      for (auto value : values) {
        auto dnb = kcl::parse_dn_with_binary(value);
        Result<kcl::KeyCredential> key =
            dnb ? kcl::parse_key_credential(dnb->binary) : Result<kcl::KeyCredential>(dnb.error());
        if (!key) {
          const auto digest = util::sha256_hex(dnb ? std::string_view(dnb->binary) : value);
          if (!seen.insert("key:" + digest).second) continue;
          out.note(std::string(e.dn()) + " attribute " + kAttr + ": " + key.error().describe());
          auto& f = out.add(e).set_key("key:" + digest);
          f.set_message(who +
                        " has a key credential that does not decode: a key may allow PKINIT logon as it");
          f.add("decoded", false);
          f.add("decode_error", key.error().describe());
          f.add("blob_sha256", digest);
          f.add("keys_on_object", values.size());
          if (e.is_account()) add_account_evidence(f, e, priv);
          if (tier0) f.set_severity(Severity::critical);
          continue;
        }
        const auto& k = *key;
        const auto key_id = k.key_id_base64();
        if (!seen.insert("key:" + key_id).second) continue;
        auto& f = out.add(e).set_key("key:" + key_id);
        const auto marks = tool_fingerprints(k);
        std::optional<bool> registered;
        if (registry && k.device_id) registered = devices.count(*k.device_id) > 0;
        const bool unregistered = registered == false && k.source == kcl::key_source::kAd;

        if (tier0) {
          f.set_severity(Severity::critical);
        } else if (e.is_computer() && values.size() == 1 && validated_write_shape(k) && marks.empty()) {
          f.set_severity(Severity::info);
        } else if (!marks.empty() || unregistered) {
          f.set_severity(Severity::high);
        }
        std::string msg = who + " has a key credential (" + k.usage_name() + ", " +
                          std::string(k.source_name()) + "): its holder can log on as it with PKINIT";
        if (!marks.empty()) msg += "; the blob shows an attack-tool fingerprint";
        if (unregistered) msg += "; its DeviceId matches no registered device";
        f.set_message(msg);

        f.add("key_id", key_id);
        if (k.device_id) f.add("device_id", k.device_id->to_string());
        if (registered) f.add("registered_device", *registered);
        f.add("usage", k.usage_name());
        f.add("source", std::string(k.source_name()));
        if (k.creation_time) f.add("creation_time", kcl::format_key_time(*k.creation_time));
        if (k.last_logon) f.add("last_logon", kcl::format_key_time(*k.last_logon));
        f.add("key_type", std::string(kcl::to_string(k.material_kind)));
        if (k.rsa_bits) f.add("key_bits", k.rsa_bits);
        if (!k.fido_display_name.empty()) f.add("fido_name", k.fido_display_name);
        f.add("key_hash_valid", k.key_hash_valid);
        f.add("key_id_matches_material", k.key_id_matches_material);
        if (!marks.empty()) f.add("tool_fingerprints", marks);
        f.add("link_dn", dnb->dn);
        f.add("keys_on_object", values.size());
        f.add("decoded", true);
        if (e.is_account()) add_account_evidence(f, e, priv);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(ShadowCredentials)
}  // namespace adpersist::checks
