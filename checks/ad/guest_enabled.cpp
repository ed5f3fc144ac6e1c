// ad.guest-enabled: the built-in Guest account (RID 501) is enabled.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class GuestEnabled final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.guest-enabled",
        .title = "The built-in Guest account is enabled",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "accounts",
        .mitre = {"T1078.001"},
        .references = {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/"
                       "understand-default-user-accounts",
                       "PingCastle A-Guest", "Purple Knight SI000012"},
        .description =
            "The domain's built-in Guest account (RID 501) has no password by default and is disabled. "
            "Enabling it gives anyone who can reach a domain machine an authenticated domain identity "
            "without a credential, which attackers use to keep or regain a foothold for reconnaissance and "
            "for whatever Guest (or Everyone) is allowed to reach.",
        .severity_notes =
            "Medium when Guest lacks ACCOUNTDISABLE (0x2); high when Guest is also a member of a privileged "
            "group.",
        .false_positives = "Rare: some legacy kiosk or file-sharing setups enabled Guest on purpose.",
        .remediation =
            "Disable-ADAccount -Identity Guest (or net user Guest /active:no /domain), remove it from every "
            "group other than Domain Guests, and find who enabled it (replication metadata of "
            "userAccountControl, event 4722).",
        .needs = {{Dataset::domain, {"userAccountControl", "objectSid"}, {"sAMAccountName"}}},
        .evidence = {{"userAccountControl", "the Guest account's flags (hex)"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is privileged, a DC or krbtgt"},
                     {"privileged_groups", "privileged groups Guest belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& d = snap.domain();
    if (!d || !d->sid) {
      out.not_evaluated("the domain head has no objectSid, so the Guest account (RID 501) cannot be found");
      return;
    }
    const Entry* guest = snap.find_sid(d->sid->with_rid(501));
    if (!guest) {
      out.note("the built-in Guest account (RID 501) is not in the input");
      return;
    }
    auto raw = guest->integer("userAccountControl");
    if (!raw) {
      out.note(raw.error().describe());
      out.not_evaluated("the Guest account's userAccountControl cannot be read");
      return;
    }
    const auto u = guest->uac();
    if (!u) {
      out.not_evaluated("the Guest account has no userAccountControl in the input");
      return;
    }
    if (*u & uac::kAccountDisable) return;
    const auto& priv = snap.privilege();
    auto& f = out.add(*guest).set_key("guest-enabled");
    f.set_message("the built-in Guest account is enabled: a domain identity that needs no password");
    f.add("userAccountControl", uac_hex(*u));
    add_account_evidence(f, *guest, priv);
    if (priv.is_privileged(*guest)) f.set_severity(Severity::high);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(GuestEnabled)
}  // namespace adpersist::checks
