// ad.spn-on-privileged-user: a privileged user account with a servicePrincipalName (Kerberoastable admin).
#include <set>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/kerberos_util.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class SpnOnPrivilegedUser final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.spn-on-privileged-user",
        .title = "Service principal name on a privileged user account (Kerberoastable admin)",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "kerberos",
        .mitre = {"T1558.003"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/ad/service-principal-names",
                       "PingCastle P-Kerberoasting", "Purple Knight SI000019", "Purple Knight SI000042",
                       "Microsoft Defender for Identity alert 2410"},
        .description =
            "Any domain user can request a service ticket for an SPN, and the ticket is encrypted with a key "
            "derived from the password of the account that holds the SPN. When that account is a privileged "
            "user with a human-chosen password, the ticket can be cracked offline (Kerberoasting) into "
            "tier-0 credentials. Attackers who can write servicePrincipalName set an SPN on an admin when "
            "they need the hash (targeted Kerberoasting) and may leave it behind.",
        .severity_notes =
            "High for every SPN on a user that is a transitive member of a privileged group, tier 0 or "
            "carries adminCount=1. Computer accounts (random 120-character passwords) and krbtgt "
            "(kadmin/changepw is its default SPN) are not reported.",
        .false_positives =
            "Service accounts that were made domain admins for convenience (SQL, backup, monitoring). They "
            "are a real exposure even when documented; adminCount=1 may also be a leftover from a past "
            "membership (see ad.admincount-orphan).",
        .remediation =
            "Remove the SPN when the account is not a service (Set-ADUser <name> -ServicePrincipalNames "
            "@{Remove='<spn>'}), or take the service account out of privileged groups and run the service as "
            "a gMSA. If the account must stay privileged, give it a random password of 25+ characters, allow "
            "only AES (msDS-SupportedEncryptionTypes 0x18) and reset it now.",
        .needs = {{Dataset::domain,
                   {"servicePrincipalName"},
                   {"adminCount", "userAccountControl", "msDS-SupportedEncryptionTypes", "pwdLastSet"}}},
        .evidence = {{"spn", "the service principal name"},
                     {"adminCount", "the account's adminCount, when set"},
                     {"encryption_types", "msDS-SupportedEncryptionTypes decoded, when set"},
                     {"pwdLastSet", "when the password (the ticket key) was last set"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.is_user() || !e.has("servicePrincipalName") || is_krbtgt_account(priv, e)) continue;
      auto admin_count = e.integer("adminCount");
      if (!admin_count) out.note(admin_count.error().describe());
      const bool admin_flag = admin_count && admin_count.value() && *admin_count.value() == 1;
      if (!priv.is_tier0(e) && !priv.is_privileged(e) && !admin_flag) continue;

      auto etypes = e.integer("msDS-SupportedEncryptionTypes");
      if (!etypes) out.note(etypes.error().describe());
      auto pwd = e.filetime("pwdLastSet");
      if (!pwd) out.note(pwd.error().describe());

      std::set<std::string> seen;
      for (auto spn : e.values("servicePrincipalName")) {
        auto key = util::to_lower(spn);
        if (!seen.insert(key).second) continue;
        auto& f = out.add(e).set_key(key);
        f.set_message(
            std::string("privileged user has SPN ") + std::string(spn) +
            ": any domain user can request a ticket encrypted with its password and crack it offline");
        f.add("spn", std::string(spn));
        if (admin_count && admin_count.value()) f.add("adminCount", *admin_count.value());
        if (etypes && etypes.value())
          f.add("encryption_types", enctype_names(static_cast<std::uint32_t>(*etypes.value())));
        if (pwd && e.has("pwdLastSet")) f.add("pwdLastSet", time_or_never(pwd.value()));
        add_account_evidence(f, e, priv);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(SpnOnPrivilegedUser)
}  // namespace adpersist::checks
