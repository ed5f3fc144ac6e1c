// ad.privileged-group-membership: inventory of every (privileged group, transitive member) pair.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// A member DN that is not in the input (another domain, or outside the export).
Resource external_resource(std::string_view dn) {
  Resource r;
  r.type = "external";
  r.id = util::to_lower(dn);
  r.dn = std::string(dn);
  r.name = std::string(first_rdn_value(dn));
  if (auto sid = sid_from_foreign_principal_dn(dn)) r.sid = sid->to_string();
  return r;
}

class PrivilegedGroupMembership final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.privileged-group-membership",
        .title = "Inventory of privileged group members (direct, nested and primary-group)",
        .severity = Severity::info,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1078.002"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/"
             "appendix-b--privileged-accounts-and-groups-in-active-directory",
             "PingCastle P-AdminNum", "PingCastle P-OperatorsEmpty", "Purple Knight SI000043",
             "CISA AA21-008A"},
        .description =
            "Lists every member of every privileged group (Administrators, Domain/Enterprise/Schema Admins, "
            "the operator groups, DnsAdmins, Group Policy Creator Owners, Key Admins, Enterprise Key Admins, "
            "Domain Controllers, Read-only Domain Controllers), resolving nested groups and primaryGroupID. "
            "Adding an account to a privileged group is the commonest hands-on-keyboard persistence; nesting "
            "a group or using primaryGroupID hides it from a glance at the group. Each pair is one "
            "informational finding with a stable id, so a baseline of a known-good scan turns every new "
            "member into a new finding.",
        .severity_notes =
            "Always informational: an inventory. Compare against a baseline to see new members.",
        .false_positives =
            "None as such: every finding is a real membership. Review them against the list of people and "
            "services that should hold tier-0 rights.",
        .remediation =
            "Remove members that do not need the rights: Remove-ADGroupMember -Identity '<group>' -Members "
            "<member>. Keep tier-0 groups small, prefer just-in-time membership, and record the approved set "
            "as a baseline (adpersist baseline) so additions are flagged.",
        .needs = {{Dataset::domain,
                   {"member", "objectSid"},
                   {"primaryGroupID", "userAccountControl", "sAMAccountName"}}},
        .evidence = {{"group", "the privileged group's name"},
                     {"group_sid", "the privileged group's SID"},
                     {"via", "nested groups between the privileged group and the member, outermost first"},
                     {"primary_group", "the membership comes from the member's primaryGroupID"},
                     {"member_type",
                      "user, computer, group, foreignSecurityPrincipal, or external (not in the input)"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    for (const auto& g : ctx.snapshot.privilege().groups()) {
      if (!g.entry) continue;
      const auto gsid = g.entry->object_sid();
      const std::string group_sid = gsid ? gsid->to_string() : std::string();
      const std::string group_name(g.entry->display_name());
      for (const auto& m : g.members) {
        auto& f = m.member ? out.add(*m.member) : out.add(external_resource(m.member_dn));
        f.set_severity(Severity::info);
        f.set_key(group_sid.empty() ? std::string(g.def.label) : group_sid);
        std::vector<std::string> via;
        for (const auto* v : m.via) via.emplace_back(v->display_name());
        std::string path;
        for (const auto& v : via) path += (path.empty() ? "" : " > ") + v;
        if (m.primary_group) path += (path.empty() ? "" : " > ") + std::string("primaryGroupID");
        f.set_message(f.resource.type + " " + (f.resource.name.empty() ? f.resource.dn : f.resource.name) +
                      " is a member of " + group_name + (path.empty() ? "" : " (via " + path + ")"));
        f.add("group", group_name);
        if (group_sid.empty())
          f.add("group_sid", nullptr);
        else
          f.add("group_sid", group_sid);
        f.add("via", via);
        f.add("primary_group", m.primary_group);
        f.add("member_type", f.resource.type);
        if (m.member && m.member->is_account()) f.add("enabled", !m.member->disabled());
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PrivilegedGroupMembership)
}  // namespace adpersist::checks
