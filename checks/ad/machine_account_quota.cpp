// ad.machine-account-quota: any authenticated user may add computer accounts to the domain.
#include "checks/check.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class MachineAccountQuota final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.machine-account-quota",
        .title = "Any authenticated user can add computer accounts (ms-DS-MachineAccountQuota > 0)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "configuration",
        .mitre = {"T1136.002", "T1098"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-ms-ds-machineaccountquota",
                       "https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/"
                       "default-workstation-numbers-join-domain",
                       "PingCastle S-ADRegistration", "Purple Knight SI000011"},
        .description =
            "ms-DS-MachineAccountQuota on the domain head is how many computer accounts each user may create "
            "with the default 'Add workstations to domain' right (SeMachineAccountPrivilege, granted to "
            "Authenticated Users). Windows sets it to 10. A computer account is a principal with an SPN and "
            "a password the attacker chooses, which is the staging step for resource-based constrained "
            "delegation takeovers (RBCD), shadow-credential and relay attacks (KrbRelayUp, noPac), and a "
            "durable foothold that survives the loss of the user account that created it.",
        .severity_notes = "Medium for any value above 0, including the Windows default of 10.",
        .false_positives =
            "Domains where help-desk staff join machines with their own accounts rely on the quota; grant "
            "them 'Create Computer objects' on a staging OU instead.",
        .remediation =
            "Set-ADDomain -Identity <domain> -Replace @{'ms-DS-MachineAccountQuota'='0'}, and delegate "
            "'Create Computer objects' on a dedicated OU to the groups that join machines. Review computers "
            "created by ordinary users: Get-ADComputer -LDAPFilter '(ms-DS-CreatorSID=*)' -Properties "
            "ms-DS-CreatorSID.",
        .needs = {{Dataset::domain, {"ms-DS-MachineAccountQuota"}}},
        .evidence = {{"value", "ms-DS-MachineAccountQuota on the domain head"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& domain = ctx.snapshot.domain();
    if (!domain || !domain->head) return;  // the engine already reports a missing domain dataset
    const Entry& head = *domain->head;
    auto v = head.integer("ms-DS-MachineAccountQuota");
    if (!v) {
      out.note(v.error().describe());
      return;
    }
    if (!v.value()) {
      out.note(std::string(head.dn()) +
               ": ms-DS-MachineAccountQuota is absent on the domain head (removed, or not readable by the "
               "exporting account); the quota could not be judged");
      return;
    }
    const std::int64_t quota = *v.value();
    if (quota <= 0) return;
    auto& f = out.add(head).set_key("machine-account-quota");
    f.set_message("ms-DS-MachineAccountQuota is " + std::to_string(quota) +
                  ": every authenticated user can create that many computer accounts");
    f.add("value", quota);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(MachineAccountQuota)
}  // namespace adpersist::checks
