// ad.privileged-object-owner: the owner of a tier-0 object, a domain controller or a GPO is not tier 0. The
// owner holds WRITE_DAC implicitly, so it can grant itself anything on the object at any time.
#include <set>
#include <string>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/domain_sids.hpp"
#include "checks/support/tier0_objects.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// Lower-case DNs of every GPO some gPLink names (enabled or not: a disabled link is one flag away).
std::set<std::string> linked_gpos(const Snapshot& snap) {
  std::set<std::string> out;
  for (const auto& e : snap.entries()) {
    for (auto v : e.values("gPLink")) {
      // [LDAP://cn={GUID},cn=policies,cn=system,DC=x;0][LDAP://...;2]
      for (auto part : util::split(v, '[')) {
        auto end = part.find(';');
        auto dn = part.substr(0, end == std::string_view::npos ? part.find(']') : end);
        if (util::istarts_with(dn, "LDAP://")) dn.remove_prefix(7);
        if (!dn.empty()) out.insert(util::to_lower(dn));
      }
    }
  }
  return out;
}

// OWNER RIGHTS (S-1-3-4) ACEs replace the owner's implicit READ_CONTROL and WRITE_DAC: when some apply and
// none of them grants WriteDacl, the owner cannot rewrite the DACL.
bool owner_rights_restricted(const parsers::SecurityDescriptor& sd, const Entry& e) {
  static const Sid kOwnerRights(3, {4});
  if (!sd.dacl) return false;
  bool any = false;
  acl::Rights r = 0;
  for (const auto& ace : sd.dacl->aces) {
    if (ace.trustee != kOwnerRights || !acl::applies_to(ace, e)) continue;
    any = true;
    r |= acl::rights_of(ace);
  }
  return any && (acl::implied(r) & acl::right::kWriteDacl) == 0;
}

class PrivilegedObjectOwner final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.privileged-object-owner",
        .title = "Owner of a tier-0 object, domain controller or GPO is not tier 0",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1484.001"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/secauthz/owner-of-a-new-object",
                       "BloodHound edge Owns", "PingCastle P-DCOwner (vuln3_owner)",
                       "Purple Knight SI000025 Privileged objects with unprivileged owners",
                       "Purple Knight SI000050 Domain Controller owner is not an administrator"},
        .description =
            "The owner of an object in the security descriptor may always read and rewrite its DACL, "
            "whatever "
            "the DACL says (unless OWNER RIGHTS ACEs restrict it). An ordinary account that owns a "
            "privileged group, an admin account, a domain "
            "controller's computer account, krbtgt, the Domain Controllers OU or a group policy object can "
            "therefore grant itself full control whenever it wants, and no ACE shows it. Ownership changes "
            "hands when a delegated administrator creates an object (the creator becomes its owner, unless "
            "it "
            "is a Domain Admin, when Domain Admins is), when a computer account is pre-created by a helpdesk "
            "account and then promoted to a DC, or when an attacker with WriteOwner takes ownership to keep "
            "a "
            "quiet way back in. The check reports every such object whose owner is outside tier 0 (SYSTEM, "
            "Administrators, Domain/Enterprise Admins, Enterprise Domain Controllers, members of privileged "
            "groups, ...).",
        .severity_notes =
            "High for a tier-0 object or a linked GPO; critical when the owner is Everyone, Authenticated "
            "Users, Domain Users or a similar everyone-like group. Medium for an account that only carries "
            "adminCount=1, for a GPO no gPLink in the input names, and when OWNER RIGHTS (S-1-3-4) ACEs take "
            "the owner's implicit WriteDacl away. A descriptor that does not decode is noted and skipped.",
        .false_positives =
            "Objects created by a delegated account before it was made an administrator, or by an account "
            "since removed from Domain Admins, keep that account as owner: harmless only if the account is "
            "disabled or trusted as tier 0. Members of Group Policy Creator Owners own the GPOs they create; "
            "they count as tier 0 here.",
        .remediation =
            "Set the owner back to Domain Admins: in Active Directory Users and Computers > Security > "
            "Advanced "
            "> Owner, or Set-Acl with a descriptor whose owner is DOMAIN\\Domain Admins (e.g. $acl = Get-Acl "
            "\"AD:<DN>\"; $acl.SetOwner([Security.Principal.NTAccount]'DOMAIN\\Domain Admins'); Set-Acl "
            "\"AD:<DN>\" $acl). For a GPO, also review its settings and SYSVOL folder for changes. Then "
            "check "
            "what the former owner changed on the object's DACL.",
        .needs = {{Dataset::domain,
                   {"nTSecurityDescriptor"},
                   {"adminCount", "gPLink", "displayName", "objectSid", "member", "primaryGroupID",
                    "userAccountControl"}}},
        .evidence =
            {{"object_kind",
              "domain_controller, krbtgt, privileged_group, privileged_account, domain_controllers_ou, "
              "admincount_account or gpo"},
             {"tier0", "the object is tier 0 now (false for admincount_account and gpo)"},
             {"owner", "SID of the owner"},
             {"owner_name", "its resolved name, or unresolved"},
             {"owner_scope", "everyone when the owner stands for any account, else principal"},
             {"owner_rights_restricted", "OWNER RIGHTS ACEs take the implicit WriteDacl away"},
             {"linked", "a gPLink in the input names the GPO (GPOs; absent when gPLink was not read)"},
             {"gpo_name", "the GPO's displayName"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const bool links_known = snap.attribute("gPLink") == AttrCoverage::collected;
    const auto linked = links_known ? linked_gpos(snap) : std::set<std::string>{};
    std::size_t judged = 0, no_owner = 0;

    for (const auto& e : snap.entries()) {
      const auto t = tier0_object(snap, e);
      const bool gpo = !t && e.has_class("groupPolicyContainer");
      if (!t && !gpo) continue;
      const auto* sd = acl::descriptor_or_note(snap, e, out);
      if (!sd) continue;
      if (!sd->owner) {
        ++no_owner;
        continue;
      }
      ++judged;
      const Sid& owner = *sd->owner;
      if (acl::is_tier0_principal(snap, owner)) continue;

      auto& f = out.add(e).set_key(owner.to_string());
      const bool everyone = acl::is_everyone_like(snap, owner);
      const bool restricted = owner_rights_restricted(*sd, e);
      std::string what;
      Severity sev = Severity::high;
      if (gpo) {
        const auto name = e.first("displayName");
        what = "GPO " + std::string(name ? *name : e.display_name());
        f.add("object_kind", "gpo");
        f.add("tier0", false);
        if (name) f.add("gpo_name", std::string(*name));
        if (links_known) {
          const bool is_linked = linked.count(util::to_lower(e.dn())) > 0;
          f.add("linked", is_linked);
          if (!is_linked) sev = Severity::medium;
        }
      } else {
        what = std::string(tier0_kind_label(t->kind)) + " " + std::string(e.display_name());
        f.add("object_kind", std::string(tier0_kind_id(t->kind)));
        f.add("tier0", t->tier0);
        if (!t->tier0) sev = Severity::medium;
      }
      if (restricted) sev = Severity::medium;
      if (everyone) sev = Severity::critical;
      f.set_severity(sev);

      const auto name = sid_name(snap, owner);
      f.add("owner", owner.to_string());
      f.add("owner_name", name.empty() ? std::string("unresolved") : name);
      f.add("owner_scope", everyone ? "everyone" : "principal");
      if (restricted) f.add("owner_rights_restricted", true);
      f.set_message(what + " is owned by " + acl::principal_label(snap, owner) +
                    (restricted ? ", which is not tier 0 (OWNER RIGHTS ACEs limit what the owner may do)"
                                : ", which is not tier 0 and can rewrite its DACL at any time"));
    }
    if (no_owner > 0) {
      if (judged == 0)
        out.not_evaluated(
            "no security descriptor in the input carries an owner: export nTSecurityDescriptor with "
            "the SD-flags control value 7 (owner, group, DACL)");
      else
        out.note(std::to_string(no_owner) +
                 " tier-0 or GPO security descriptors carry no owner and were skipped");
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PrivilegedObjectOwner)
}  // namespace adpersist::checks
