// ad.password-not-required: PASSWD_NOTREQD lets the account have an empty password.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class PasswordNotRequired final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.password-not-required",
        .title = "Account may have an empty password (PASSWD_NOTREQD)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1078.002", "T1098"},
        .references = {"https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/"
                       "useraccountcontrol-manipulate-account-properties",
                       "PingCastle S-PwdNotRequired", "Purple Knight SI000074"},
        .description =
            "userAccountControl PASSWD_NOTREQD (0x20) exempts the account from the password policy, so its "
            "password may be set to an empty string regardless of the length requirement. Attackers who can "
            "write userAccountControl set the flag and blank the password of a dormant account to keep a "
            "silent, credential-free way back in; pre-created computer accounts with the flag often carry a "
            "guessable password too.",
        .severity_notes =
            "Medium; high when the account is tier 0. One step lower when the account is disabled (the "
            "built-in Guest, disabled by default, ends at low).",
        .false_positives =
            "Accounts created by old provisioning tools or migrations (ADMT) and pre-created computer "
            "accounts carry the flag without an empty password. The flag still lets anyone who can reset the "
            "password set an empty one.",
        .remediation =
            "Clear the flag: Set-ADAccountControl <name> -PasswordNotRequired $false, then reset the "
            "password so it meets the policy. Find accounts with an empty password by testing a logon with "
            "an empty password from an isolated host, or with DSInternals Test-PasswordQuality.",
        .needs = {{Dataset::domain, {"userAccountControl"}}},
        .evidence = {{"userAccountControl", "the account's flags (hex)"},
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
      const auto u = e.uac();
      if (!u || !(*u & uac::kPasswdNotReqd)) continue;
      auto& f = add_flagged_account(out, e, *u, "passwd-notreqd",
                                    "is exempt from the password policy (PASSWD_NOTREQD): its password may be "
                                    "empty",
                                    priv, Severity::high);
      lower_if_disabled(f, e);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PasswordNotRequired)
}  // namespace adpersist::checks
