// ad.reversible-encryption: passwords stored with reversible encryption (per account, domain policy or PSO).
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr std::int64_t kDomainPasswordStoreCleartext = 0x10;  // pwdProperties (MS-ADTS 3.1.1.4.5.4)

class ReversibleEncryption final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.reversible-encryption",
        .title = "Passwords stored with reversible encryption",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1556.005"},
        .references =
            {"https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/"
             "threat-protection/security-policy-settings/store-passwords-using-reversible-encryption",
             "PingCastle S-Reversible", "PingCastle S-C-Reversible", "PingCastle A-ReversiblePwd"},
        .description =
            "With userAccountControl ENCRYPTED_TEXT_PWD_ALLOWED (0x80), the domain policy's pwdProperties "
            "DOMAIN_PASSWORD_STORE_CLEARTEXT (0x10) or a fine-grained password policy with "
            "msDS-PasswordReversibleEncryptionEnabled, the DC stores the next password set in a reversibly "
            "encrypted form (supplementalCredentials Primary:CLEARTEXT). Anyone who can replicate secrets "
            "(DCSync, an NTDS.dit copy) then reads the cleartext password, which works far beyond the "
            "domain. Attackers enable it to harvest the cleartext of every password changed afterwards.",
        .severity_notes =
            "Accounts: medium, high when tier 0. The domain-wide policy bit and a fine-grained password "
            "policy that enables it are high (they apply to many accounts).",
        .false_positives =
            "Legacy authentication that needs the cleartext (CHAP/RADIUS via IAS, HTTP Digest in IIS). These "
            "are rare today and still leave cleartext passwords in the database.",
        .remediation =
            "Clear the flag (Set-ADUser <name> -AllowReversiblePasswordEncryption $false) and then reset the "
            "password: the stored cleartext is only removed at the next password change. For the domain: "
            "Set-ADDefaultDomainPasswordPolicy -ReversibleEncryptionEnabled $false (or the Default Domain "
            "Policy setting 'Store passwords using reversible encryption'); for a PSO: "
            "Set-ADFineGrainedPasswordPolicy <name> -ReversibleEncryptionEnabled $false. Reset the passwords "
            "of every account it applied to.",
        .needs = {{Dataset::domain,
                   {"userAccountControl"},
                   {"pwdProperties", "msDS-PasswordReversibleEncryptionEnabled", "msDS-PSOAppliesTo"}}},
        .evidence = {{"userAccountControl", "the account's flags (hex)"},
                     {"pwdProperties", "the domain policy's pwdProperties (domain finding)"},
                     {"applies_to", "msDS-PSOAppliesTo of a fine-grained password policy (PSO finding)"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    for (const auto& e : snap.entries()) {
      if (e.is_account()) {
        const auto u = e.uac();
        if (!u || !(*u & uac::kEncryptedTextPwdAllowed)) continue;
        add_flagged_account(out, e, *u, "encrypted-text-pwd-allowed",
                            "stores its password with reversible encryption: the next password set is "
                            "recoverable in cleartext",
                            priv, Severity::high);
      } else if (auto pso = e.first("msDS-PasswordReversibleEncryptionEnabled");
                 pso && util::iequals(*pso, "TRUE")) {
        auto& f = out.add(e).set_key("pso-reversible-encryption");
        f.set_severity(Severity::high);
        f.set_message(
            "fine-grained password policy stores passwords with reversible encryption for the "
            "accounts it applies to");
        std::vector<std::string> applies;
        for (auto a : e.values("msDS-PSOAppliesTo")) applies.emplace_back(a);
        f.add("applies_to", applies);
      }
    }

    if (snap.domain() && snap.domain()->head) {
      const Entry& head = *snap.domain()->head;
      auto props = head.integer("pwdProperties");
      if (!props) {
        out.note(props.error().describe());
      } else if (props.value() && (*props.value() & kDomainPasswordStoreCleartext)) {
        auto& f = out.add(head).set_key("domain-password-store-cleartext");
        f.set_severity(Severity::high);
        f.set_message(
            "the domain password policy stores every password with reversible encryption "
            "(pwdProperties DOMAIN_PASSWORD_STORE_CLEARTEXT)");
        f.add("pwdProperties", *props.value());
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(ReversibleEncryption)
}  // namespace adpersist::checks
