// ad.foreign-principal-in-privileged-group: identities of another domain or forest holding tier-0 membership.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"
#include "checks/support/domain_trusts.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class ForeignPrincipalInPrivilegedGroup final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.foreign-principal-in-privileged-group",
        .title = "A principal of another domain or forest is a member of a privileged group",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1484.002"},
        .references =
            {"https://learn.microsoft.com/en-us/windows/win32/adschema/c-foreignsecurityprincipal",
             "https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/"
             "appendix-b--privileged-accounts-and-groups-in-active-directory",
             "Purple Knight Foreign Security Principals in Privileged Group", "CISA AA21-008A"},
        .description =
            "When a principal of a trusted domain or forest is added to a group here, AD records it as a "
            "foreignSecurityPrincipal under CN=ForeignSecurityPrincipals named after its SID. Such a member "
            "makes whoever controls the other domain an administrator of this one, and it is easy to miss: "
            "the member shows up as a bare SID, and the other domain's defenders do not watch this domain's "
            "groups. Attackers who own a partner or lab domain add its accounts to tier-0 groups here as a "
            "persistence path that survives every password reset in this domain. Well-known SIDs such as "
            "Authenticated Users or Everyone appear the same way and make every user an administrator.",
        .severity_notes =
            "High for every foreign member of a privileged group (direct or nested); critical when the "
            "member is Everyone, Anonymous Logon, Authenticated Users or Users (S-1-1-0, S-1-5-7, S-1-5-11, "
            "S-1-5-32-545).",
        .false_positives =
            "Multi-domain forests sometimes place administrators of the forest root in child-domain groups "
            "(the member is then a user of another domain of the same forest). Resource forests grant admins "
            "of the account forest rights by design; confirm each such membership is documented.",
        .remediation =
            "Remove the member: Remove-ADGroupMember -Identity '<group>' -Members '<member DN>'. Resolve the "
            "SID in the partner domain to find the account and ask its owners; review the trust (SID "
            "filtering, selective authentication) and the membership's history (msDS-ReplValueMetaData of "
            "member).",
        .needs = {{Dataset::domain,
                   {"member", "objectSid"},
                   {"trustPartner", "securityIdentifier", "sAMAccountName", "userAccountControl"}}},
        .evidence = {{"group", "the privileged group's name"},
                     {"group_sid", "the privileged group's SID"},
                     {"member_sid", "the foreign member's SID, when known"},
                     {"member_dn", "the member's DN as listed in the group"},
                     {"member_name", "the SID's well-known name, when it has one"},
                     {"via", "nested groups between the privileged group and the member, outermost first"},
                     {"known_trust", "the trust partner whose domain SID matches the member's, or null"},
                     {"why", "what makes the member foreign"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the account is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to (accounts only)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    const auto& domain = snap.domain();
    const std::optional<Sid> own = domain ? domain->sid : std::nullopt;
    const std::string domain_dn = domain ? domain->dn : std::string();
    const auto trusts = read_trusts(snap);

    for (const auto& g : priv.groups()) {
      if (!g.entry) continue;
      const auto gsid = g.entry->object_sid();
      const std::string group_sid = gsid ? gsid->to_string() : std::string(g.def.label);
      const std::string group_name(g.entry->display_name());
      for (const auto& m : g.members) {
        std::optional<Sid> msid;
        std::string why;
        if (m.member) {
          msid = m.member->object_sid();
          if (!msid) msid = sid_from_foreign_principal_dn(m.member_dn);
          if (m.member->is_foreign_principal())
            why = "a foreignSecurityPrincipal object";
          else if (is_foreign_principal_dn(m.member_dn))
            why = "an object under CN=ForeignSecurityPrincipals";
          else if (msid && own && (m.member->is_account() || m.member->is_group()) &&
                   msid->is_domain_account() && !msid->is_in_domain(*own))
            why = "its SID belongs to another domain";
        } else {
          msid = sid_from_foreign_principal_dn(m.member_dn);
          if (is_foreign_principal_dn(m.member_dn))
            why = "a foreign security principal (not in the input)";
          else if (!domain_dn.empty() && !dn_is_below(m.member_dn, domain_dn))
            why = "a DN outside this domain";
        }
        if (why.empty()) continue;

        const std::string member_key = msid ? msid->to_string() : util::to_lower(m.member_dn);
        Finding* fp = nullptr;
        if (m.member) {
          fp = &out.add(*m.member);
        } else {
          Resource r;
          r.type = "external";
          r.id = util::to_lower(m.member_dn);
          r.dn = std::string(m.member_dn);
          r.name = std::string(first_rdn_value(m.member_dn));
          if (msid) r.sid = msid->to_string();
          fp = &out.add(std::move(r));
        }
        auto& f = *fp;
        f.set_key(group_sid + "/" + member_key);
        const bool broad = msid && is_broad_sid(*msid);
        f.set_severity(broad ? Severity::critical : Severity::high);
        const std::string wk = msid ? std::string(well_known_sid_name(*msid)) : std::string();
        const TrustInfo* trust =
            msid && msid->is_domain_account() ? find_trust(trusts, msid->parent()) : nullptr;

        std::vector<std::string> via;
        for (const auto* v : m.via) via.emplace_back(v->display_name());
        std::string label = wk.empty() ? member_key : wk + " (" + member_key + ")";
        f.set_message("foreign principal " + label + " is a member of " + group_name +
                      (via.empty() ? "" : " (nested)") +
                      (trust ? " from trusted domain " + trust->partner : ""));
        f.add("group", group_name);
        f.add("group_sid", gsid ? gsid->to_string() : std::string());
        if (msid)
          f.add("member_sid", msid->to_string());
        else
          f.add("member_sid", nullptr);
        f.add("member_dn", std::string(m.member_dn));
        if (!wk.empty()) f.add("member_name", wk);
        f.add("via", via);
        if (trust)
          f.add("known_trust", trust->partner);
        else
          f.add("known_trust", nullptr);
        f.add("why", why);
        if (m.member && m.member->is_account()) add_account_evidence(f, *m.member, priv);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(ForeignPrincipalInPrivilegedGroup)
}  // namespace adpersist::checks
