// ad.constrained-delegation: msDS-AllowedToDelegateTo (Kerberos constrained delegation), one finding per
// target.
#include <set>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/kerberos_util.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// The DC whose host name the SPN host part names (FQDN, NetBIOS name, or NetBIOS name + domain suffix).
const Entry* dc_for_host(const Snapshot& snap, std::string_view host) {
  if (host.empty()) return nullptr;
  const std::string dns = snap.domain() ? snap.domain()->dns_name : std::string();
  for (const Entry* dc : snap.privilege().domain_controllers()) {
    if (auto fqdn = dc->first("dNSHostName")) {
      std::string_view f = *fqdn;
      while (!f.empty() && f.back() == '.') f.remove_suffix(1);
      if (util::iequals(host, f) || util::iequals(host, f.substr(0, f.find('.')))) return dc;
    }
    if (auto sam = dc->first("sAMAccountName")) {
      std::string_view s = *sam;
      if (!s.empty() && s.back() == '$') s.remove_suffix(1);
      if (s.empty()) continue;
      if (util::iequals(host, s)) return dc;
      if (!dns.empty() && util::iequals(host, std::string(s) + "." + dns)) return dc;
    }
  }
  return nullptr;
}

class ConstrainedDelegation final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.constrained-delegation",
        .title = "Kerberos constrained delegation configured on an account (msDS-AllowedToDelegateTo)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "delegation",
        .mitre = {"T1558", "T1134"},
        .references = {"https://learn.microsoft.com/en-us/windows-server/security/kerberos/"
                       "kerberos-constrained-delegation-overview",
                       "https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-allowedtodelegateto",
                       "PingCastle P-DelegationDCa2d2", "PingCastle P-DelegationDCt2a4d",
                       "PingCastle P-UnkownDelegation", "Purple Knight SI000070", "Purple Knight SI000065",
                       "Purple Knight SI000099", "Purple Knight SI000057", "Purple Knight SI000058"},
        .description =
            "An account whose msDS-AllowedToDelegateTo lists a service may obtain tickets to that service as "
            "any user (S4U2proxy). With protocol transition (userAccountControl "
            "TRUSTED_TO_AUTH_FOR_DELEGATION, 0x1000000) it does not even need the user to authenticate first "
            "(S4U2self): whoever holds the account's secret can impersonate a domain admin to the listed "
            "services at will. Attackers add delegation to a DC service (ldap/, cifs/, host/ of a DC: DCSync "
            "or code execution on the DC) or to krbtgt (a delegation-based golden ticket) on an account they "
            "control, and keep that as a quiet re-entry path that survives resets of every admin password.",
        .severity_notes =
            "Critical when the account has protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION), when the "
            "target SPN's host is a domain controller (dNSHostName or NetBIOS name, with or without the "
            "domain suffix) or when the target service is krbtgt; medium otherwise.",
        .false_positives =
            "Application servers (IIS front ends, SQL Reporting Services, file-share gateways) legitimately "
            "delegate to back-end services on member servers. Delegation to a DC service or with protocol "
            "transition is rarely needed and deserves review even when documented.",
        .remediation =
            "Confirm the delegation with the application owner. Remove targets that are not needed: "
            "Set-ADUser|Set-ADComputer <name> -Remove @{'msDS-AllowedToDelegateTo'='<spn>'}; turn off "
            "protocol transition with Set-ADAccountControl <name> -TrustedToAuthForDelegation $false; prefer "
            "resource-based constrained delegation on the target. Mark tier-0 accounts 'sensitive and cannot "
            "be delegated' or add them to Protected Users. If a DC or krbtgt target was not expected, treat "
            "the account's secret as compromised and reset it.",
        .needs = {{Dataset::domain,
                   {"msDS-AllowedToDelegateTo", "userAccountControl"},
                   {"servicePrincipalName", "dNSHostName", "primaryGroupID"}}},
        .evidence = {{"target", "the delegation target SPN as stored"},
                     {"protocol_transition", "TRUSTED_TO_AUTH_FOR_DELEGATION is set (S4U2self for any user)"},
                     {"target_is_dc", "the target SPN's host is a domain controller"},
                     {"target_dc", "the domain controller the target names, when it does"},
                     {"target_is_krbtgt", "the target service is krbtgt"},
                     {"userAccountControl", "the account's flags (hex)"},
                     {"servicePrincipalNames", "SPNs of the delegating account"},
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
      const auto targets = e.values("msDS-AllowedToDelegateTo");
      if (targets.empty()) continue;
      const std::uint32_t u = e.uac().value_or(0);
      const bool transition = (u & uac::kTrustedToAuthForDelegation) != 0;
      std::set<std::string> seen;
      for (auto target : targets) {
        auto key = util::to_lower(target);
        if (!seen.insert(key).second) continue;
        const auto parts = split_spn(target);
        const Entry* dc = dc_for_host(snap, parts.host);
        const bool krbtgt = util::iequals(parts.service, "krbtgt");

        auto& f = out.add(e).set_key(key);
        std::string msg = "may impersonate any user to " + std::string(target);
        if (dc) msg += " on domain controller " + std::string(dc->display_name());
        if (krbtgt) msg += " (krbtgt: tickets for the KDC itself)";
        if (transition) msg += ", with protocol transition";
        f.set_message(msg);
        f.add("target", std::string(target));
        f.add("protocol_transition", transition);
        f.add("target_is_dc", dc != nullptr);
        if (dc) f.add("target_dc", std::string(dc->display_name()));
        f.add("target_is_krbtgt", krbtgt);
        if (e.has("userAccountControl")) f.add("userAccountControl", uac_hex(u));
        f.add("servicePrincipalNames", spn_list(e));
        if (e.is_account()) add_account_evidence(f, e, priv);
        if (transition || dc || krbtgt) f.set_severity(Severity::critical);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(ConstrainedDelegation)
}  // namespace adpersist::checks
