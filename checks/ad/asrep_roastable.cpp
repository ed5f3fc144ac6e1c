// ad.asrep-roastable: DONT_REQ_PREAUTH lets anyone request an AS-REP encrypted with the account's password.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class AsrepRoastable final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.asrep-roastable",
        .title = "Kerberos pre-authentication disabled on an account (AS-REP roastable)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "kerberos",
        .mitre = {"T1558.004"},
        .references = {"https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/"
                       "useraccountcontrol-manipulate-account-properties",
                       "PingCastle S-NoPreAuth", "PingCastle S-NoPreAuthAdmin", "Purple Knight SI000027",
                       "Microsoft Defender for Identity alert 2412"},
        .description =
            "With userAccountControl DONT_REQ_PREAUTH (0x400000) the KDC answers an AS-REQ for the account "
            "without proof of the password, and part of the reply is encrypted with the account's key. "
            "Anyone on the network, without any credential, can request it and crack the password offline "
            "(AS-REP roasting). Attackers who can write userAccountControl set the flag on an account to "
            "keep a credential-free way back to its password.",
        .severity_notes =
            "Medium; high when the account is tier 0. One step lower when the account is disabled.",
        .false_positives =
            "Very old Kerberos clients (some UNIX/Java implementations) that cannot do pre-authentication. "
            "Such accounts should still have long random passwords.",
        .remediation =
            "Require pre-authentication: Set-ADAccountControl <name> -DoesNotRequirePreAuth $false. If the "
            "flag was not expected, reset the account's password (it may already be cracked) and find who "
            "changed userAccountControl.",
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
      if (!u || !(*u & uac::kDontReqPreauth)) continue;
      auto& f = add_flagged_account(out, e, *u, "dont-req-preauth",
                                    "does not require Kerberos pre-authentication: anyone can request an "
                                    "AS-REP and crack its password offline",
                                    priv, Severity::high);
      lower_if_disabled(f, e);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AsrepRoastable)
}  // namespace adpersist::checks
