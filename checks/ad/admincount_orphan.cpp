// ad.admincount-orphan: adminCount=1 left on objects that are no longer tier 0.
#include <deque>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// Replicator (S-1-5-32-552) is protected by SDProp but is not a tier-0 group: it and its transitive members
// legitimately carry adminCount=1.
std::vector<bool> replicator_members(const Snapshot& snap) {
  std::vector<bool> in(snap.entries().size(), false);
  const Entry* rep = snap.find_sid(Sid(5, {32, 552}));
  if (!rep) return in;
  in[rep->index()] = true;
  std::deque<const Entry*> queue{rep};
  while (!queue.empty()) {
    const Entry* g = queue.front();
    queue.pop_front();
    for (auto dn : g->values("member")) {
      const Entry* m = snap.find_dn(dn);
      if (!m || in[m->index()]) continue;
      in[m->index()] = true;
      if (m->is_group()) queue.push_back(m);
    }
  }
  return in;
}

class AdminCountOrphan final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.admincount-orphan",
        .title = "adminCount=1 on an account or group that is no longer privileged",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1078.002"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/"
             "appendix-c--protected-accounts-and-groups-in-active-directory",
             "PingCastle A-AdminSDHolder", "Purple Knight SI000034"},
        .description =
            "SDProp stamps adminCount=1 on every member of a protected group and replaces its ACL with "
            "AdminSDHolder's, with inheritance disabled. When the object leaves the group neither is undone. "
            "An orphaned adminCount therefore marks a former administrator: possibly an attacker's account "
            "that was 'cleaned up' by removing it from Domain Admins but kept enabled, or an account whose "
            "frozen, non-inheriting ACL hides a backdoor ACE from OU-level permission reviews.",
        .severity_notes = "Medium; low when the account is disabled (it cannot log on until re-enabled).",
        .false_positives =
            "Normal after legitimate removals from admin groups, and for service accounts that were once "
            "privileged. Members of Replicator (also protected by SDProp) are not reported.",
        .remediation =
            "Confirm the object should no longer be privileged, then clear the flag and restore inheritance: "
            "Set-ADUser <name> -Clear adminCount (Set-ADGroup / Set-ADComputer for other objects) and "
            "re-enable inheritance on its ACL (dsacls <DN> /P:N, or the Advanced Security dialog), then "
            "review the resulting ACL. Reset the password of former admin accounts that stay in use.",
        .needs = {{Dataset::domain, {"adminCount"}, {"userAccountControl", "member", "primaryGroupID"}}},
        .evidence = {{"adminCount", "the object's adminCount"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "always false here: the object is not privileged now"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    std::optional<std::vector<bool>> replicator;
    for (const auto& e : snap.entries()) {
      if (!e.is_account() && !e.is_group()) continue;
      auto ac = e.integer("adminCount");
      if (!ac) {
        out.note(ac.error().describe());
        continue;
      }
      if (!ac.value() || *ac.value() != 1) continue;
      if (priv.is_tier0(e)) continue;
      if (!replicator) replicator = replicator_members(snap);
      if ((*replicator)[e.index()]) continue;

      const char* kind = e.is_computer() ? "computer" : e.is_group() ? "group" : "user";
      auto& f = out.add(e).set_key("admincount");
      f.set_message(std::string(kind) +
                    " carries adminCount=1 but is not in any privileged group: a former admin with a "
                    "protected, non-inheriting ACL");
      f.add("adminCount", *ac.value());
      if (e.is_account()) {
        add_account_evidence(f, e, priv);
        lower_if_disabled(f, e);
      } else {
        f.add("tier0", false);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdminCountOrphan)
}  // namespace adpersist::checks
