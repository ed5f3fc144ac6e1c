// ad.recent-sensitive-change: replication metadata says a persistence-relevant attribute of a tier-0 object
// (or a privileged group's membership) changed inside the --since window.
#include <array>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"
#include "checks/support/repl_meta.hpp"
#include "scanner/parsers/repl_metadata.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

struct Watched {
  const char* attribute;
  Severity severity;
  const char* why;
};

// Attributes whose change on a tier-0 object is a persistence step (onprem-indicators.md rows 2, 5, 8, 12,
// 29, 62; MDI alerts 2431, 2430).
constexpr std::array<Watched, 9> kWatched = {{
    {"msDS-KeyCredentialLink", Severity::critical, "a key that logs on as the account (shadow credentials)"},
    {"msDS-AllowedToActOnBehalfOfOtherIdentity", Severity::critical,
     "who may impersonate any user to it (RBCD)"},
    {"sIDHistory", Severity::critical, "extra SIDs in every ticket of the account"},
    {"altSecurityIdentities", Severity::critical, "a certificate or Kerberos name that logs on as the account"},
    {"nTSecurityDescriptor", Severity::high, "who controls the object"},
    {"servicePrincipalName", Severity::high, "a roastable or delegable service name"},
    {"msDS-AllowedToDelegateTo", Severity::high, "constrained delegation targets"},
    {"userAccountControl", Severity::high, "delegation, pre-authentication and password flags"},
    {"member", Severity::high, "who is in the group"},
}};

// Changes this close to the object's creation are part of creating it (ad.recently-created-privileged
// reports new tier-0 objects).
constexpr auto kCreationSlack = std::chrono::hours(1);

class RecentSensitiveChange final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.recent-sensitive-change",
        .title = "Persistence-relevant attribute of a tier-0 object changed recently",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1556", "T1134.005"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-replattributemetadata",
                       "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-drsr/",
                       "Purple Knight SI000043", "Purple Knight SI000055", "Purple Knight SI000060",
                       "Microsoft Defender for Identity alert 2430", "ADTimeline", "CISA AA21-008A"},
        .description =
            "Every attribute write in Active Directory leaves replication metadata: the time of the last "
            "originating change, a version counter and the DC that made it. That record survives log "
            "rotation and is readable by any user, so it dates an attacker's change even when no event log "
            "was kept. This check reads it for the objects that matter most (privileged accounts and groups, "
            "domain controllers, krbtgt, the domain head, AdminSDHolder and the Domain Controllers OU) and "
            "reports each persistence-relevant attribute (msDS-KeyCredentialLink, "
            "msDS-AllowedToActOnBehalfOfOtherIdentity, sIDHistory, altSecurityIdentities, "
            "nTSecurityDescriptor, servicePrincipalName, msDS-AllowedToDelegateTo, userAccountControl, and "
            "privileged group membership) last changed inside the review window (--since). On Windows DCs "
            "the per-value metadata of member (msDS-ReplValueMetaData) names each member added or removed.",
        .severity_notes =
            "Critical for credential-adding attributes (msDS-KeyCredentialLink, "
            "msDS-AllowedToActOnBehalfOfOtherIdentity, sIDHistory, altSecurityIdentities); high for the "
            "others and for a member added to a privileged group; medium for a member removed (an ephemeral "
            "membership: added and removed again, or cleanup). Changes within an hour of the object's own "
            "creation are part of creating it and are not reported (ad.recently-created-privileged covers "
            "new tier-0 objects).",
        .false_positives =
            "Administrators legitimately add members, reset delegation or change ACLs; Windows Hello for "
            "Business and Azure AD Connect write msDS-KeyCredentialLink; promoting a DC writes "
            "servicePrincipalName and userAccountControl on its account. Match each change with a ticket: "
            "the version and originating DC help find the event (4662/5136) on that DC.",
        .remediation =
            "For each change, find the account that made it on the originating DC (Security log 5136 / 4738 "
            "around the time shown; repadmin /showobjmeta for the full history). Revert unexplained changes "
            "and treat the writer's credentials as compromised. Keep the metadata: it dates the intrusion.",
        // Either form of the metadata will do (checked in evaluate), so neither is required here.
        .needs = {{Dataset::domain,
                   {},
                   {kReplPropertyMetaData, kReplAttributeMetaData, "msDS-ReplValueMetaData", "whenCreated", "member", "objectSid",
                    "userAccountControl", "primaryGroupID", "adminCount"}}},
        .evidence = {{"attribute", "the attribute that changed"},
                     {"changed_at", "last originating change, RFC 3339 UTC"},
                     {"days_ago", "whole days between the change and the scan time (--now)"},
                     {"version", "originating writes of the attribute so far (1 = only its creation)"},
                     {"originating_dsa", "the DC that made the change (DN, or invocation id from the "
                                         "binary metadata)"},
                     {"metadata_source", "replPropertyMetaData, msDS-ReplAttributeMetaData or "
                                         "msDS-ReplValueMetaData"},
                     {"why", "what the attribute controls"},
                     {"member", "for member values: the member DN added or removed"},
                     {"removed", "for member values: true when the change removed the member"},
                     {"tier0", "the object is tier 0 (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    if (snap.attribute(kReplPropertyMetaData) != AttrCoverage::collected &&
        snap.attribute(kReplAttributeMetaData) != AttrCoverage::collected) {
      out.not_evaluated("the input holds no replication metadata (replPropertyMetaData or "
                        "msDS-ReplAttributeMetaData): request them by name in the export");
      return;
    }
    std::string admin_sd_holder, dc_ou;
    if (const auto& d = snap.domain()) {
      admin_sd_holder = "CN=AdminSDHolder,CN=System," + d->dn;
      dc_ou = "OU=Domain Controllers," + d->dn;
    }
    for (const auto& e : snap.entries()) {
      const bool head = snap.domain() && &e == snap.domain()->head;
      const bool watched_object = priv.is_tier0(e) || priv.is_dc(e) || head ||
                                  util::iequals(e.dn(), admin_sd_holder) || util::iequals(e.dn(), dc_ou);
      if (!watched_object) continue;
      std::optional<TimePoint> created;
      if (auto c = e.generalized_time("whenCreated"); c.ok()) created = c.value();
      auto part_of_creation = [&](TimePoint t) {
        return created && t >= *created - std::chrono::minutes(5) && t <= *created + kCreationSlack;
      };

      const auto meta = ReplMeta::of(e, out);
      bool member_values = false;
      if (priv.is_privileged_group(e)) member_values = report_member_values(ctx, e, out, part_of_creation);
      for (const auto& w : kWatched) {
        if (member_values && std::string_view(w.attribute) == "member") continue;
        if (std::string_view(w.attribute) == "member" && !priv.is_privileged_group(e)) continue;
        const auto* c = meta.find(w.attribute);
        if (!c || !c->when || !ctx.is_recent(*c->when) || part_of_creation(*c->when)) continue;
        auto& f = out.add(e).set_key(std::string("attr:") + w.attribute);
        f.set_severity(w.severity);
        f.set_message(std::string(w.attribute) + " of this " + kind(e, priv, head) + " changed " +
                      std::to_string(ctx.days_since(*c->when)) + " days ago (" +
                      parsers::format_rfc3339(*c->when) + ", version " + std::to_string(c->version) + ")");
        add_change(f, ctx, *c, w.why);
        if (e.is_account()) add_account_evidence(f, e, priv);
      }
    }
  }

 private:
  static std::string kind(const Entry& e, const Privilege& priv, bool head) {
    if (head) return "domain head";
    if (priv.is_dc(e)) return "domain controller";
    if (priv.is_privileged_group(e)) return "privileged group";
    if (e.is_account()) return "tier-0 account";
    return "tier-0 object";
  }

  static void add_change(Finding& f, const engine::CheckContext& ctx, const AttrChange& c, const char* why) {
    f.add("attribute", c.attribute);
    f.add("changed_at", parsers::format_rfc3339(*c.when));
    f.add("days_ago", ctx.days_since(*c.when));
    f.add("version", c.version);
    f.add("originating_dsa", c.originating_dsa);
    f.add("metadata_source", c.source);
    f.add("why", why);
  }

  // msDS-ReplValueMetaData of a privileged group: one finding per member value added or removed in the
  // window. Returns whether the group had per-value metadata at all (then the attribute-level entry for
  // member is redundant).
  template <class CreationTest>
  static bool report_member_values(const engine::CheckContext& ctx, const Entry& group, Findings& out,
                                   CreationTest&& part_of_creation) {
    bool any = false;
    for (auto value : group.values("msDS-ReplValueMetaData")) {
      auto v = parsers::parse_repl_value_metadata_xml(value);
      if (!v) {
        out.note(group.where() + ": " + std::string(group.dn()) + " msDS-ReplValueMetaData: " +
                 v.error().describe());
        continue;
      }
      if (!util::iequals(v->attribute_name, "member")) continue;
      any = true;
      const bool removed = v->deleted.has_value();
      const TimePoint when = removed ? *v->deleted : v->created;
      if (!ctx.is_recent(when) || part_of_creation(when)) continue;
      auto& f = out.add(group).set_key("member:" + util::to_lower(v->object_dn) + (removed ? ":removed" : ""));
      f.set_severity(removed ? Severity::medium : Severity::high);
      f.set_message(std::string(removed ? "member removed from" : "member added to") + " this privileged group " +
                    std::to_string(ctx.days_since(when)) + " days ago: " + v->object_dn);
      AttrChange c{"member", when, v->version, v->originating_dsa_dn, "msDS-ReplValueMetaData"};
      add_change(f, ctx, c, "who is in the group");
      f.add("member", v->object_dn);
      f.add("removed", removed);
    }
    return any;
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(RecentSensitiveChange)
}  // namespace adpersist::checks
