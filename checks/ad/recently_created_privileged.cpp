// ad.recently-created-privileged: tier-0 accounts and groups created inside the --since window.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class RecentlyCreatedPrivileged final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.recently-created-privileged",
        .title = "Privileged (tier-0) account or group created recently",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1136.002", "T1098"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/"
             "appendix-b--privileged-accounts-and-groups-in-active-directory",
             "Purple Knight SI000033", "Purple Knight SI000044", "CISA AA21-008A"},
        .description =
            "Creating a new account and putting it in an administrative group is the first persistence step "
            "of most intrusions: the attacker no longer depends on the credential they stole. A tier-0 "
            "object (member of a privileged group, a privileged group itself, a domain controller or a "
            "krbtgt account) whose whenCreated falls inside the review window (--since) deserves a named "
            "owner and a change ticket.",
        .severity_notes = "High for every tier-0 account, group or foreign principal created inside --since. "
                          "Objects created within 24 hours of the domain head itself are the domain's own "
                          "built-ins (made by its creation) and are not reported.",
        .false_positives =
            "New administrators, newly promoted domain controllers and new admin groups created by change "
            "management; match them against tickets. A restored or re-created object also gets a new "
            "whenCreated.",
        .remediation =
            "Confirm who created the object and why (event 4720/4727/4741 on the DCs, or replication "
            "metadata). If unexplained, disable it (Disable-ADAccount), remove it from privileged groups "
            "(Remove-ADGroupMember), and hunt for what it did since whenCreated.",
        .needs = {{Dataset::domain,
                   {"whenCreated"},
                   {"member", "primaryGroupID", "objectSid", "userAccountControl"}}},
        .evidence = {{"when_created", "whenCreated as RFC 3339 UTC"},
                     {"age_days", "whole days between whenCreated and the scan time (--now)"},
                     {"privileged_groups", "privileged groups the object belongs to, with the path"},
                     {"privileged_group", "the object is itself a privileged group"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "always true here"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    // Objects made by the domain's own creation (built-in groups, Administrator, krbtgt, the first DC)
    // are as old as the domain head: in a new domain they are recent, but nobody added them.
    std::optional<TimePoint> domain_created;
    if (const auto& d = ctx.snapshot.domain()) {
      auto t = d->head->generalized_time("whenCreated");
      if (t.ok()) domain_created = t.value();
    }
    for (const auto& e : ctx.snapshot.entries()) {
      if (!(e.is_account() || e.is_group() || e.is_foreign_principal()) || !priv.is_tier0(e)) continue;
      auto created = e.generalized_time("whenCreated");
      if (!created) {
        out.note(created.error().describe());
        continue;
      }
      if (!created.value() || !ctx.is_recent(*created.value())) continue;
      if (domain_created && *created.value() - *domain_created < std::chrono::hours(24)) continue;
      const auto age = ctx.days_since(*created.value());
      const char* kind = e.is_computer() ? "computer"
                         : e.is_group()  ? "group"
                         : e.is_user()   ? "user"
                                         : "foreign principal";
      auto& f = out.add(e).set_key("recently-created");
      f.set_message(std::string("tier-0 ") + kind + " created " + std::to_string(age) + " days ago");
      f.add("when_created", parsers::format_rfc3339(*created.value()));
      f.add("age_days", age);
      if (e.is_account()) {
        add_account_evidence(f, e, priv);
        if (!f.evidence.contains("privileged_groups")) f.add("privileged_groups", std::vector<std::string>{});
      } else {
        f.add("privileged_groups", priv.describe(e));
        f.add("tier0", true);
      }
      f.add("privileged_group", priv.is_privileged_group(e));
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(RecentlyCreatedPrivileged)
}  // namespace adpersist::checks
