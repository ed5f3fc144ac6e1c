// ad.hidden-primary-group: primaryGroupID other than the default for the kind of account.
#include <algorithm>
#include <array>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// Domain RIDs whose membership makes the account privileged (the membership is invisible in `member`).
constexpr std::array<std::int64_t, 9> kPrivilegedRids = {512, 516, 518, 519, 520, 521, 526, 527, 498};

class HiddenPrimaryGroup final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.hidden-primary-group",
        .title = "Account with a non-default primaryGroupID (membership hidden from the group's member list)",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1564"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-primarygroupid",
                       "PingCastle S-PrimaryGroup", "PingCastle S-C-PrimaryGroup", "Purple Knight SI000014"},
        .description =
            "An account's primary group is stored only in its own primaryGroupID attribute: the group's "
            "member attribute never lists it, so Get-ADGroupMember-style reviews, most SIEM membership "
            "reports and 'who is in Domain Admins' dashboards do not show it. Setting primaryGroupID to 512 "
            "(Domain Admins) on an ordinary account is a known way to hide an administrator. Windows sets "
            "513 for users, 515 for computers, 516 for domain controllers and 521 for read-only domain "
            "controllers; anything else was changed on purpose.",
        .severity_notes =
            "High when the primary group is privileged (512, 518, 519, 520, 526, 527, 498, 516 on an account "
            "that is not a DC, 521 on an account that is not an RODC); medium for any other non-default "
            "value. The built-in Guest (RID 501) may also have 514 (Domain Guests).",
        .false_positives =
            "Some POSIX/Unix integrations and old scripts set primaryGroupID to a custom group so that a "
            "primary GID maps correctly (medium). Computers pre-created in the wrong way can carry 513.",
        .remediation =
            "Add the account to its default group and reset the primary group: Add-ADGroupMember 'Domain "
            "Users' <name>; Set-ADUser <name> -Replace @{primaryGroupID=513} (515 for computers). For "
            "privileged values investigate who changed it (replication metadata of primaryGroupID) and treat "
            "the account as a possible backdoor.",
        .needs = {{Dataset::domain,
                   {"primaryGroupID", "userAccountControl"},
                   {"objectSid", "sAMAccountName"}}},
        .evidence = {{"primaryGroupID", "the account's primaryGroupID"},
                     {"group", "the name of that group (resolved in the input, else its well-known name)"},
                     {"expected", "the default primaryGroupID values for this kind of account"},
                     {"privileged_group", "the primary group grants tier-0 privileges"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups the account belongs to, with the path"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    const std::optional<Sid> own = snap.domain() ? snap.domain()->sid : std::nullopt;
    for (const auto& e : snap.entries()) {
      if (!e.is_account()) continue;
      auto pg = e.integer("primaryGroupID");
      if (!pg) {
        out.note(pg.error().describe());
        continue;
      }
      if (!pg.value()) continue;  // not readable on this object; nothing to judge
      const std::int64_t pgid = *pg.value();
      const auto u = e.uac().value_or(0);

      std::vector<std::int64_t> expected;
      if (e.is_computer()) {
        if (u & uac::kPartialSecretsAccount)
          expected = {521};
        else if (u & uac::kServerTrustAccount)
          expected = {516};
        else
          expected = {515};
      } else {
        expected = {513};
        if (auto sid = e.object_sid(); sid && own && sid->is_in_domain(*own) && sid->rid() == 501)
          expected.push_back(514);
      }
      if (std::find(expected.begin(), expected.end(), pgid) != expected.end()) continue;

      const bool privileged =
          std::find(kPrivilegedRids.begin(), kPrivilegedRids.end(), pgid) != kPrivilegedRids.end();
      std::string group;
      if (own && pgid >= 0 && pgid <= static_cast<std::int64_t>(UINT32_MAX))
        group = sid_name(snap, own->with_rid(static_cast<std::uint32_t>(pgid)));

      auto& f = out.add(e).set_key("primary-group");
      f.set_severity(privileged ? Severity::high : Severity::medium);
      f.set_message(std::string(e.is_computer() ? "computer" : "user") + " has primaryGroupID " +
                    std::to_string(pgid) + (group.empty() ? "" : " (" + group + ")") + " instead of " +
                    std::to_string(expected.front()) +
                    (privileged ? ": a privileged membership that no member list shows" : ""));
      f.add("primaryGroupID", pgid);
      if (group.empty())
        f.add("group", nullptr);
      else
        f.add("group", group);
      f.add("expected", expected);
      f.add("privileged_group", privileged);
      add_account_evidence(f, e, priv);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(HiddenPrimaryGroup)
}  // namespace adpersist::checks
