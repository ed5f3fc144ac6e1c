// ad.rbcd: resource-based constrained delegation (msDS-AllowedToActOnBehalfOfOtherIdentity) on an object.
#include <set>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "scanner/parsers/security_descriptor.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr const char* kAttr = "msDS-AllowedToActOnBehalfOfOtherIdentity";

class Rbcd final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.rbcd",
        .title = "Resource-based constrained delegation configured on an object",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "delegation",
        .mitre = {"T1558", "T1098"},
        .references = {"https://learn.microsoft.com/en-us/windows-server/security/kerberos/"
                       "kerberos-constrained-delegation-overview",
                       "https://learn.microsoft.com/en-us/windows/win32/adschema/"
                       "a-msds-allowedtoactonbehalfofotheridentity",
                       "PingCastle P-DelegationDCsourcedeleg", "Purple Knight SI000066",
                       "Purple Knight SI000071", "Microsoft Defender for Identity alert 2423"},
        .description =
            "msDS-AllowedToActOnBehalfOfOtherIdentity holds a security descriptor whose allow ACEs name the "
            "principals that may impersonate any user to this object's services (S4U2self + S4U2proxy). "
            "Anyone who can write the attribute decides who that is, so attackers set it on a computer, a "
            "domain controller or krbtgt, pointing at an account they control (often a machine account they "
            "created), and can then obtain a ticket as a domain admin to that host whenever they like. On a "
            "DC that is DCSync or code execution; on krbtgt it is a delegation-based golden ticket.",
        .severity_notes =
            "Critical when the object is a domain controller or tier 0 (including krbtgt); medium otherwise. "
            "A value that does not decode is still reported (its presence is the indicator), with a note "
            "naming the parser's error.",
        .false_positives =
            "Some deployments use RBCD deliberately (a web front end delegating to a file or SQL server, "
            "cluster name objects). Such a value lists a known service account or computer and sits on a "
            "member server, never on a DC or krbtgt.",
        .remediation =
            "Confirm each allowed principal with the service owner. Clear an unexpected value with "
            "Set-ADComputer <name> -PrincipalsAllowedToDelegateToAccount $null (or Set-ADUser for a user; "
            "Set-ADObject <dn> -Clear msDS-AllowedToActOnBehalfOfOtherIdentity otherwise). On a DC or "
            "krbtgt, treat the allowed principals as compromised: reset or disable them, find who could "
            "write the attribute, and review the DC for tickets issued since.",
        .needs = {{Dataset::domain, {kAttr}, {"userAccountControl", "primaryGroupID", "objectSid"}}},
        .evidence = {{"allowed_principals", "trustees of the allow ACEs, each \"SID (name)\""},
                     {"sddl", "the descriptor in SDDL (SIDs unabbreviated)"},
                     {"decoded", "false when the descriptor could not be parsed"},
                     {"decode_error", "the parser's error for an undecodable value"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the object is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    parsers::SddlContext sddl_ctx;
    if (snap.domain()) sddl_ctx.domain = snap.domain()->sid;
    sddl_ctx.use_aliases = false;

    for (const auto& e : snap.entries()) {
      const auto value = e.first(kAttr);
      if (!value) continue;
      const bool critical = priv.is_dc(e) || priv.is_tier0(e);
      auto& f = out.add(e).set_key("rbcd");
      if (critical) f.set_severity(Severity::critical);
      const std::string what = priv.is_dc(e) ? "domain controller" : critical ? "tier-0 object" : "object";

      auto sd = parsers::parse_security_descriptor(*value);
      if (!sd) {
        out.note(std::string(e.dn()) + " attribute " + kAttr + ": " + sd.error().describe());
        f.set_message("resource-based delegation is set on this " + what +
                      " but its security descriptor does not decode");
        f.add("decoded", false);
        f.add("decode_error", sd.error().describe());
      } else {
        std::vector<std::string> principals;
        std::set<parsers::Sid> seen;
        if (sd->dacl) {
          for (const auto& ace : sd->dacl->aces) {
            if (!ace.is_allow() || !seen.insert(ace.trustee).second) continue;
            const Entry* who = snap.find_sid(ace.trustee);
            principals.push_back(ace.trustee.to_string() + " (" +
                                 (who ? std::string(who->display_name()) : std::string("unresolved")) + ")");
          }
        }
        std::string msg = "resource-based delegation on this " + what + ": ";
        if (principals.empty()) {
          msg += sd->null_dacl() ? "a null DACL lets anyone impersonate users to it"
                                 : "the descriptor allows no principal";
        } else if (principals.size() == 1) {
          msg += principals.front() + " may impersonate any user to it";
        } else {
          msg += std::to_string(principals.size()) + " principals, " + principals.front() +
                 " and others, may impersonate any user to it";
        }
        f.set_message(msg);
        f.add("allowed_principals", principals);
        f.add("sddl", parsers::to_sddl(*sd, sddl_ctx));
        f.add("decoded", true);
      }
      if (e.is_account()) add_account_evidence(f, e, priv);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(Rbcd)
}  // namespace adpersist::checks
