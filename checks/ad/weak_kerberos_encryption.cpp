// ad.weak-kerberos-encryption: DES-only accounts, and RC4/DES without AES on accounts whose keys matter.
#include <cstdio>
#include <string_view>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/kerberos_util.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

class WeakKerberosEncryption final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.weak-kerberos-encryption",
        .title = "Account limited to weak Kerberos encryption (DES only, or RC4/DES without AES)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "kerberos",
        .mitre = {"T1558", "T1558.003"},
        .references =
            {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-supportedencryptiontypes",
             "https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/"
             "useraccountcontrol-manipulate-account-properties",
             "PingCastle S-DesEnabled", "PingCastle T-AlgsAES", "Purple Knight SI000075", "CISA AA21-008A"},
        .description =
            "userAccountControl USE_DES_KEY_ONLY (0x200000) restricts an account to DES, and an "
            "msDS-SupportedEncryptionTypes value that allows DES (0x1, 0x2) or RC4 (0x4) but neither AES "
            "type (0x8, 0x10) makes the KDC issue its tickets with those ciphers. DES keys are brute-forced "
            "in days; RC4 keys are the unsalted NT hash, so service tickets crack quickly (Kerberoasting) "
            "and a stolen hash forges tickets directly. Attackers downgrade service, trust and "
            "AZUREADSSOACC$ accounts to RC4 to make their tickets crackable or forgeable with the NT hash "
            "alone.",
        .severity_notes =
            "Medium; high when the account is tier 0. The RC4/DES-without-AES rule only applies to accounts "
            "whose service keys are exposed: accounts with an SPN, tier-0 accounts, trust accounts "
            "(INTERDOMAIN_TRUST_ACCOUNT) and AZUREADSSOACC$.",
        .false_positives =
            "Service accounts kept on RC4 for an application that cannot do AES (old Java or appliance "
            "keytabs). AES keys only exist after a password change on a 2008+ domain functional level, so "
            "fix the value and reset the password together.",
        .remediation =
            "Allow AES and drop DES/RC4: Set-ADUser|Set-ADComputer <name> -KerberosEncryptionType "
            "AES128,AES256 (msDS-SupportedEncryptionTypes 0x18), clear USE_DES_KEY_ONLY with "
            "Set-ADAccountControl <name> -UseDESKeyOnly $false, then reset the password so AES keys exist. "
            "For AZUREADSSOACC$ roll the key with Update-AzureADSSOForest; for trusts use 'netdom trust ... "
            "/enabletgtaes' or the trust's 'supports AES' setting.",
        .needs = {{Dataset::domain,
                   {"userAccountControl", "msDS-SupportedEncryptionTypes"},
                   {"servicePrincipalName"}}},
        .evidence = {{"userAccountControl", "the account's flags (hex)"},
                     {"msDS-SupportedEncryptionTypes", "the raw value (hex), when set"},
                     {"encryption_types", "the value's bits by name"},
                     {"scope", "why the no-AES rule applies: spn, tier0, trust-account or azureadssoacc"},
                     {"servicePrincipalNames", "SPNs of the account"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.is_account()) continue;
      const std::uint32_t u = e.uac().value_or(0);
      const bool tier0 = priv.is_tier0(e);
      auto et = e.integer("msDS-SupportedEncryptionTypes");
      if (!et) out.note(et.error().describe());
      std::optional<std::uint32_t> types;
      if (et && et.value()) types = static_cast<std::uint32_t>(*et.value());

      auto common = [&](Finding& f) {
        f.add("userAccountControl", uac_hex(u));
        if (types) {
          f.add("msDS-SupportedEncryptionTypes", hex32(*types));
          f.add("encryption_types", enctype_names(*types));
        }
        if (e.has("servicePrincipalName")) f.add("servicePrincipalNames", spn_list(e));
        add_account_evidence(f, e, priv);
        if (tier0) f.set_severity(Severity::high);
      };

      if (u & uac::kUseDesKeyOnly) {
        auto& f = out.add(e).set_key("des-only");
        f.set_message(
            "account may only use DES keys for Kerberos (USE_DES_KEY_ONLY): its tickets can be "
            "brute-forced");
        common(f);
      }

      if (!types || !(*types & (etype::kDes | etype::kRc4Hmac)) || (*types & etype::kAes)) continue;
      std::vector<std::string> scope;
      if (e.has("servicePrincipalName")) scope.emplace_back("spn");
      if (tier0) scope.emplace_back("tier0");
      if (u & uac::kInterdomainTrustAccount) scope.emplace_back("trust-account");
      if (auto sam = e.first("sAMAccountName"); sam && util::iequals(*sam, "AZUREADSSOACC$"))
        scope.emplace_back("azureadssoacc");
      if (scope.empty()) continue;
      auto& f = out.add(e).set_key("no-aes");
      const std::string_view weak = (*types & etype::kRc4Hmac) ? "RC4" : "DES";
      f.set_message("account allows " + std::string(weak) + " but no AES for Kerberos (msDS-SupportedEncryptionTypes " +
                    hex32(*types) + "): its tickets are cheap to crack or forge");
      f.add("scope", scope);
      common(f);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(WeakKerberosEncryption)
}  // namespace adpersist::checks
