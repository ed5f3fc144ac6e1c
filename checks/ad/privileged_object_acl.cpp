// ad.privileged-object-acl: a principal outside tier 0 holds a right on a tier-0 object (privileged group,
// admin account, DC, krbtgt, Domain Controllers OU) that hands the object over.
#include <optional>
#include <string>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/tier0_objects.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

// What counts as taking over each kind of object. Group-only rights (AddMember, AddSelf) are not asked of
// accounts and password/key/SPN rights not of groups, so a meaningless ACE (WP member on a user) is no
// finding.
acl::Rights wanted(Tier0Kind kind, const Entry& e) {
  if (kind == Tier0Kind::domain_controllers_ou) return right::kControl | right::kWriteGpLink;
  if (e.is_group()) return right::kControl | right::kAddMember | right::kAddSelf | right::kAllValidatedWrites;
  return right::kPrincipalTakeover & ~(right::kAddMember | right::kAddSelf);
}

bool same_ace(const parsers::Ace& a, const parsers::Ace& b) {
  return a.type == b.type && a.mask == b.mask && a.trustee == b.trustee && a.object_type == b.object_type;
}

// The nearest ancestor holding `ace` as an explicit container-inherit ACE: where an inherited grant comes
// from, so that the same ACE seen on 500 admin accounts is traced to the one OU that sets it.
std::optional<std::string> inherited_from(const Snapshot& snap, const Entry& e, const parsers::Ace& ace) {
  for (auto dn = parent_dn(e.dn()); !dn.empty(); dn = parent_dn(dn)) {
    const Entry* p = snap.find_dn(dn);
    if (!p) continue;
    const auto* sd = snap.descriptors().of(*p);
    if (!sd || !sd->ok() || !sd->value().dacl) continue;
    for (const auto& a : sd->value().dacl->aces)
      if (!a.inherited() && (a.flags & parsers::kAceContainerInherit) && same_ace(a, ace))
        return std::string(p->dn());
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class PrivilegedObjectAcl final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.privileged-object-acl",
        .title = "Principal outside tier 0 can take over a privileged object through its ACL",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1484"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/plan/security-best-practices/"
             "appendix-c--protected-accounts-and-groups-in-active-directory",
             "PingCastle P-ControlPathIndirectEveryone", "PingCastle P-ControlPathIndirectMany",
             "PingCastle P-DelegationEveryone", "ANSSI vuln1_privileged_members_perm",
             "BloodHound edges GenericAll, GenericWrite, WriteDacl, WriteOwner, AddMember, AddSelf, "
             "ForceChangePassword, AddKeyCredentialLink, WriteSPN, AddAllowedToAct, "
             "WriteAccountRestrictions"},
        .description =
            "Reads the DACL (nTSecurityDescriptor) of every tier-0 object: the privileged groups and their "
            "members, domain controller accounts, krbtgt, accounts with adminCount=1 and the Domain "
            "Controllers OU. It reports each principal outside tier 0 holding a right that hands the object "
            "over: GenericAll, GenericWrite, WriteDacl, WriteOwner, write-all-properties, AddMember or "
            "AddSelf "
            "on a group; ForceChangePassword, all extended rights, AddKeyCredentialLink (shadow "
            "credentials), "
            "WriteSPN (targeted Kerberoasting), AddAllowedToAct (RBCD), WriteAccountRestrictions, "
            "userAccountControl, altSecurityIdentities, sIDHistory or delegation writes on an account; a "
            "gPLink "
            "write on the Domain Controllers OU. One ACE like this is a backdoor that survives password "
            "resets and group clean-ups: the holder re-adds itself to Domain Admins, resets an admin's "
            "password or plants a key credential whenever it likes. Allow ACEs that apply to the object "
            "count "
            "(inherit-only ACEs and ACEs for other object classes do not); deny ACEs are ignored, so a right "
            "a deny cancels is still reported. SELF, CREATOR OWNER and other per-object placeholders are "
            "skipped, as are tier-0 trustees (SYSTEM, Administrators, Domain/Enterprise/Schema Admins, "
            "Enterprise Domain Controllers, Key Admins, the operator groups and any member of a privileged "
            "group).",
        .severity_notes =
            "Critical on a tier-0 object. High on an account that only carries adminCount=1 (it was "
            "privileged once and is no longer in a privileged group). A null DACL (everyone has full "
            "control) is reported with Everyone as trustee. A descriptor that does not decode is noted and "
            "the object skipped.",
        .false_positives =
            "Exchange grants its groups (Exchange Trusted Subsystem, Exchange Windows Permissions, "
            "Organization Management) broad rights: these are real control paths to tier 0 and should be "
            "reduced (Exchange split permissions), not accepted. Delegated administration on an OU that "
            "also holds admin accounts shows up here for each such account (the finding names the OU in "
            "inherited_from); move tier-0 accounts out of delegated OUs. Identity-management service "
            "accounts (MIM, provisioning tools) that manage group membership are tier 0 in effect and should "
            "be treated as such.",
        .remediation =
            "Remove the ACE: dsacls \"<object DN>\" /R \"<DOMAIN\\trustee>\" (removes every ACE of that "
            "trustee), or edit it in Active Directory Users and Computers > Security > Advanced. When "
            "inherited is true, fix it on the object named in inherited_from. For accounts protected by "
            "AdminSDHolder, also check CN=AdminSDHolder,CN=System (ad.adminsdholder-acl): SDProp copies its "
            "ACL back every hour. Then find out what the trustee did with the right: group membership "
            "changes, password resets, new msDS-KeyCredentialLink or SPN values on the object.",
        .needs = {{Dataset::domain,
                   {"nTSecurityDescriptor"},
                   {"adminCount", "objectSid", "member", "primaryGroupID", "userAccountControl"}}},
        .evidence =
            {{"object_kind",
              "domain_controller, krbtgt, privileged_group, privileged_account, domain_controllers_ou "
              "or admincount_account"},
             {"tier0", "the object is tier 0 now (false: only adminCount=1)"},
             {"privileged_groups", "privileged groups the object belongs to (accounts)"},
             {"trustee", "SID of the principal holding the right"},
             {"trustee_name", "its resolved name, or unresolved"},
             {"trustee_scope", "everyone when the trustee stands for any account, else principal"},
             {"rights", "the rights that hand the object over (GenericAll, AddMember, ...)"},
             {"aces", "the contributing ACEs as SDDL (SIDs unabbreviated)"},
             {"inherited", "every contributing ACE is inherited from a parent"},
             {"inherited_from", "the ancestor that sets the inherited ACE, when found in the input"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    for (const auto& e : snap.entries()) {
      const auto t = tier0_object(snap, e);
      if (!t) continue;
      const auto* sd = acl::descriptor_or_note(snap, e, out);
      if (!sd) continue;
      const std::string what = std::string(tier0_kind_label(t->kind)) + " " + std::string(e.display_name());
      const auto self = e.object_sid();

      auto add = [&](const std::string& key) -> Finding& {
        auto& f = out.add(e).set_key(key);
        f.set_severity(t->tier0 ? Severity::critical : Severity::high);
        f.add("object_kind", std::string(tier0_kind_id(t->kind)));
        f.add("tier0", t->tier0);
        if (e.is_account() || e.is_group()) {
          if (auto groups = priv.describe(e); !groups.empty()) f.add("privileged_groups", groups);
        }
        return f;
      };

      if (acl::dacl_grants_everyone(*sd)) {
        auto& f = add("null-dacl");
        f.set_message(what + " has a null DACL: everyone has full control of it");
        acl::add_null_dacl_evidence(f);
        continue;
      }

      const acl::Rights want = wanted(t->kind, e);
      for (const auto& g : acl::grants(*sd, e, want)) {
        if (acl::is_placeholder(g.trustee) || acl::is_tier0_principal(snap, g.trustee)) continue;
        if (self && *self == g.trustee) continue;  // an account's rights on itself give it nothing new
        auto& f = add(g.trustee.to_string());
        acl::add_grant_evidence(f, snap, g, want);
        if (g.all_inherited) {
          if (auto src = inherited_from(snap, e, *g.aces.front())) f.add("inherited_from", *src);
        }
        f.set_message(acl::principal_label(snap, g.trustee) + " can take over " + what + " (" +
                      join(acl::shown_rights(g, want)) + ")");
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PrivilegedObjectAcl)
}  // namespace adpersist::checks
