// ad.krbtgt-password-age: the krbtgt secret (and RODC krbtgt_* secrets) not rotated for more than 180 days.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/repl_meta.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr std::int64_t kThresholdDays = 180;

class KrbtgtPasswordAge final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.krbtgt-password-age",
        .title = "krbtgt password not changed for more than 180 days",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1558.001"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/forest-recovery-guide/"
             "ad-forest-recovery-reset-the-krbtgt-password",
             "PingCastle A-Krbtgt", "Purple Knight SI000017", "CISA AA21-008A"},
        .description =
            "The krbtgt account's key signs and encrypts every Kerberos TGT of the domain. Anyone who has "
            "copied it (DCSync, an ntds.dit backup, a compromised DC) forges golden tickets for any user, "
            "with any groups and lifetime, until the key is changed twice (the KDC accepts the current and "
            "the previous key). A krbtgt password that has not changed for a long time means any past "
            "compromise still grants domain-wide access. Read-only DCs have their own krbtgt_<number> "
            "accounts, whose keys forge tickets accepted by that RODC.",
        .severity_notes =
            "High when the key is more than 180 days older than --now. The key's age comes from the "
            "replication metadata of unicodePwd when the input has it (the time the key really changed), "
            "else from pwdLastSet. The accounts are disabled by design, so being disabled does not lower the "
            "severity. Not evaluated when neither is available for krbtgt.",
        .false_positives =
            "pwdLastSet can be set without a real key change (hash injection, tooling): when the two "
            "disagree the finding shows both and trusts unicodePwd's metadata. A domain that rotated the key "
            "recently but was exported from a stale backup shows the old date.",
        .remediation =
            "Reset the krbtgt password twice, waiting for replication and at least the maximum ticket "
            "lifetime (10 hours by default) between the two resets, e.g. with Microsoft's New-KrbtgtKeys.ps1 "
            "or Set-ADAccountPassword -Identity krbtgt -Reset. For RODCs reset each krbtgt_<n> account the "
            "same way. Rotate at least every 180 days, and twice after any suspected compromise.",
        .needs = {{Dataset::domain,
                   {"pwdLastSet", "objectSid"},
                   {"sAMAccountName", "userAccountControl", kReplPropertyMetaData, kReplAttributeMetaData}}},
        .evidence = {{"password_last_set", "when the key last changed, RFC 3339 UTC"},
                     {"source", "unicodePwd replication metadata, or pwdLastSet"},
                     {"pwd_last_set", "pwdLastSet, when it disagrees with the metadata by more than a day"},
                     {"age_days", "whole days between that time and the scan time (--now)"},
                     {"threshold_days", "the age above which the key counts as stale (180)"},
                     {"rodc", "the account is the krbtgt_<n> account of a read-only DC"},
                     {"enabled", "false when ACCOUNTDISABLE is set (krbtgt accounts always are)"},
                     {"tier0", "always true for krbtgt accounts"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    std::vector<const Entry*> targets;
    std::string unknown;
    if (priv.krbtgt())
      targets.push_back(priv.krbtgt());
    else
      unknown = "the krbtgt account (RID 502 of the domain SID) is not in the input";
    for (const auto& e : snap.entries())
      if (e.is_user() && &e != priv.krbtgt() && util::istarts_with(e.display_name(), "krbtgt_"))
        targets.push_back(&e);

    for (const auto* e : targets) {
      const bool rodc = e != priv.krbtgt();
      auto t = e->filetime("pwdLastSet");
      if (!t) out.note(t.error().describe());
      const std::optional<TimePoint> pwd_last_set = t.ok() ? t.value() : std::nullopt;
      // unicodePwd's last originating write is when the key really changed (onprem-indicators.md note 2).
      const auto meta = ReplMeta::of(*e, out);
      const auto* key_change = meta.find("unicodePwd");
      std::optional<TimePoint> last_set = pwd_last_set;
      std::string source = "pwdLastSet";
      if (key_change && key_change->when) {
        last_set = key_change->when;
        source = "unicodePwd replication metadata (" + key_change->source + ")";
      }
      if (!last_set) {
        unknown += (unknown.empty() ? "" : "; ") + std::string(e->display_name()) +
                   (!t.ok()                  ? " has an unreadable pwdLastSet"
                    : e->has("pwdLastSet") ? " has pwdLastSet 0 (never set)"
                                           : " has no pwdLastSet in the input (not exported or not readable)");
        continue;
      }
      const auto age = ctx.days_since(*last_set);
      if (age <= kThresholdDays) continue;
      auto& f = out.add(*e).set_key("password-age");
      f.set_message(std::string(rodc ? "RODC krbtgt" : "krbtgt") + " password was last set " +
                    std::to_string(age) + " days ago (more than " + std::to_string(kThresholdDays) +
                    "): a stolen key still forges tickets");
      f.add("password_last_set", parsers::format_rfc3339(*last_set));
      f.add("source", source);
      if (pwd_last_set && std::chrono::abs(*pwd_last_set - *last_set) > std::chrono::hours(24))
        f.add("pwd_last_set", parsers::format_rfc3339(*pwd_last_set));
      f.add("age_days", age);
      f.add("threshold_days", kThresholdDays);
      f.add("rodc", rodc);
      add_account_evidence(f, *e, priv);
    }
    if (!unknown.empty()) out.not_evaluated("the krbtgt key age is unknown: " + unknown);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(KrbtgtPasswordAge)
}  // namespace adpersist::checks
