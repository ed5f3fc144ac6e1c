// ad.password-never-expires-privileged: DONT_EXPIRE_PASSWORD on a tier-0 user account.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class PasswordNeverExpiresPrivileged final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.password-never-expires-privileged",
        .title = "Password never expires on a tier-0 user account",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1098", "T1078.002"},
        .references = {"https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/"
                       "useraccountcontrol-manipulate-account-properties",
                       "PingCastle P-ServiceDomainAdmin", "PingCastle S-PwdNeverExpires",
                       "Purple Knight SI000067", "Purple Knight SI000029"},
        .description =
            "userAccountControl DONT_EXPIRE_PASSWORD (0x10000) exempts an account from the domain's maximum "
            "password age. On a tier-0 user a password (or NT hash) stolen once stays valid indefinitely, so "
            "attackers set the flag on admin accounts they compromised or created to keep their access "
            "without having to steal the credential again.",
        .severity_notes =
            "Medium for every tier-0 user (privileged group member, krbtgt); one step lower when the account "
            "is disabled. Computer accounts (their passwords rotate independently of the flag) are not "
            "reported.",
        .false_positives =
            "The built-in Administrator commonly carries the flag as a break-glass account, and service "
            "accounts placed in admin groups often do. Both remain a risk: rotate them on a schedule or move "
            "services to gMSAs.",
        .remediation =
            "Clear the flag (Set-ADUser <name> -PasswordNeverExpires $false) and reset the password, or, for "
            "a break-glass account, keep the flag but rotate the password on a documented schedule and alert "
            "on its use. Run services as gMSAs instead of privileged users.",
        .needs = {{Dataset::domain, {"userAccountControl"}, {"pwdLastSet"}}},
        .evidence = {{"userAccountControl", "the account's flags (hex)"},
                     {"pwdLastSet", "when the password was last set"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.is_user() || !priv.is_tier0(e)) continue;
      const auto u = e.uac();
      if (!u || !(*u & uac::kDontExpirePassword)) continue;
      auto& f = out.add(e).set_key("dont-expire-password");
      f.set_message(
          "tier-0 user's password never expires: a stolen password or hash stays valid indefinitely");
      f.add("userAccountControl", uac_hex(*u));
      auto pwd = e.filetime("pwdLastSet");
      if (!pwd)
        out.note(pwd.error().describe());
      else if (e.has("pwdLastSet"))
        f.add("pwdLastSet", time_or_never(pwd.value()));
      add_account_evidence(f, e, priv);
      lower_if_disabled(f, e);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PasswordNeverExpiresPrivileged)
}  // namespace adpersist::checks
