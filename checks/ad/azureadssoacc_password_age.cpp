// ad.azureadssoacc-password-age: the Seamless SSO computer account's Kerberos key older than 30 days.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr std::int64_t kThresholdDays = 30;

class AzureAdSsoAccPasswordAge final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.azureadssoacc-password-age",
        .title = "AZUREADSSOACC$ (Seamless SSO) Kerberos key not rolled over for more than 30 days",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1558.002", "T1606"},
        .references =
            {"https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-sso-faq",
             "PingCastle T-AzureADSSO", "CISA AA21-008A"},
        .description =
            "Microsoft Entra Seamless SSO creates the computer account AZUREADSSOACC$ and shares its "
            "Kerberos key with Entra ID. Anyone holding that key (DCSync or any read of the account's "
            "secrets) forges Kerberos service tickets for any synchronised user that Entra ID accepts: a "
            "silver ticket into the cloud tenant that needs no password and survives password resets. "
            "Microsoft recommends rolling the key over at least every 30 days; a stale key extends every "
            "past compromise.",
        .severity_notes =
            "High when pwdLastSet is more than 30 days before --now. Disabling the account in AD does not "
            "stop forged tickets, so a disabled account is not lowered.",
        .false_positives =
            "None known for an account that exists: an unrotated key is the risk. If Seamless SSO is no "
            "longer used, the account is a leftover and should be removed instead.",
        .remediation =
            "Roll the key over from the Entra Connect server: Import-Module 'C:\\Program Files\\Microsoft "
            "Azure Active Directory Connect\\AzureADSSO.psd1'; New-AzureADSSOAuthenticationContext; "
            "Update-AzureADSSOForest -OnPremCredentials (Get-Credential). Schedule it at least every 30 "
            "days. If Seamless SSO is not in use, disable it in Entra Connect and delete the AZUREADSSOACC$ "
            "computer object.",
        .needs = {{Dataset::domain,
                   {"pwdLastSet", "sAMAccountName"},
                   {"userAccountControl", "servicePrincipalName", "msDS-SupportedEncryptionTypes"}}},
        .evidence = {{"password_last_set", "pwdLastSet as RFC 3339 UTC"},
                     {"age_days", "whole days between pwdLastSet and the scan time (--now)"},
                     {"threshold_days", "the age above which the key counts as stale (30)"},
                     {"servicePrincipalNames", "the account's SPNs"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    std::string unknown;
    for (const auto& e : ctx.snapshot.entries()) {
      if (!e.is_computer() || !util::iequals(e.first("sAMAccountName").value_or(""), "AZUREADSSOACC$"))
        continue;
      auto t = e.filetime("pwdLastSet");
      if (!t) {
        out.note(t.error().describe());
        unknown += (unknown.empty() ? "" : "; ") + std::string(e.dn()) + " has an unreadable pwdLastSet";
        continue;
      }
      if (!t.value()) {
        unknown += (unknown.empty() ? "" : "; ") + std::string(e.dn()) +
                   (e.has("pwdLastSet") ? " has pwdLastSet 0 (never set)"
                                        : " has no pwdLastSet in the input (not exported or not readable)");
        continue;
      }
      const auto age = ctx.days_since(*t.value());
      if (age <= kThresholdDays) continue;
      auto& f = out.add(e).set_key("password-age");
      f.set_message("AZUREADSSOACC$ Kerberos key was last rolled over " + std::to_string(age) +
                    " days ago (more than " + std::to_string(kThresholdDays) +
                    "): a stolen key forges tickets Entra ID accepts");
      f.add("password_last_set", parsers::format_rfc3339(*t.value()));
      f.add("age_days", age);
      f.add("threshold_days", kThresholdDays);
      std::vector<std::string> spns;
      for (auto s : e.values("servicePrincipalName")) spns.emplace_back(s);
      f.add("servicePrincipalNames", spns);
      add_account_evidence(f, e, priv);
    }
    if (!unknown.empty()) out.not_evaluated("the AZUREADSSOACC$ key age is unknown: " + unknown);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AzureAdSsoAccPasswordAge)
}  // namespace adpersist::checks
