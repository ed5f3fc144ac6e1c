// ad.unconstrained-delegation: TRUSTED_FOR_DELEGATION on accounts that are not domain controllers.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class UnconstrainedDelegation final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.unconstrained-delegation",
        .title = "Unconstrained Kerberos delegation on an account that is not a domain controller",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "delegation",
        .mitre = {"T1558", "T1134"},
        .references = {"https://learn.microsoft.com/en-us/windows-server/security/kerberos/kerberos-constrained-delegation-overview",
                       "PingCastle P-UnconstrainedDelegation", "Purple Knight SI000016", "CISA AA21-008A"},
        .description =
            "Every user who authenticates to a host trusted for unconstrained delegation (userAccountControl "
            "TRUSTED_FOR_DELEGATION, 0x80000) leaves a forwardable TGT in its memory. An attacker who controls "
            "such a host, or sets the flag on an account they own, coerces a domain controller to authenticate "
            "to it (printer bug, PetitPotam) and receives the DC's TGT: full domain compromise on demand. Only "
            "domain controllers need this flag.",
        .severity_notes = "Critical when the account is tier 0 (a privileged user holding the flag); one step lower "
                          "when the account is disabled.",
        .false_positives = "Legacy application servers that were configured for unconstrained delegation before "
                           "constrained or resource-based delegation existed. They are still a standing risk.",
        .remediation = "Replace with constrained or resource-based constrained delegation and clear "
                       "TRUSTED_FOR_DELEGATION (Set-ADAccountControl -TrustedForDelegation $false). Put tier-0 "
                       "accounts in Protected Users or mark them 'sensitive and cannot be delegated'.",
        .needs = {{Dataset::domain, {"userAccountControl"}, {"servicePrincipalName", "primaryGroupID"}}},
        .evidence = {{"userAccountControl", "the account's flags (hex)"},
                     {"servicePrincipalNames", "SPNs of the account (where tickets are delegated)"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.is_account() || priv.is_dc(e)) continue;
      const auto u = e.uac();
      if (!u || !(*u & uac::kTrustedForDelegation)) continue;
      auto& f = out.add(e).set_key("trusted-for-delegation");
      f.set_message(std::string(e.is_computer() ? "computer" : "user") +
                    " is trusted for unconstrained delegation: it receives the TGT of everyone who "
                    "authenticates to it");
      f.add("userAccountControl", uac_hex(*u));
      std::vector<std::string> spns;
      for (auto s : e.values("servicePrincipalName")) spns.emplace_back(s);
      f.add("servicePrincipalNames", spns);
      add_account_evidence(f, e, priv);
      if (priv.is_tier0(e)) f.set_severity(Severity::critical);
      lower_if_disabled(f, e);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(UnconstrainedDelegation)
}  // namespace adpersist::checks
