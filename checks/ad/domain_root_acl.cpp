// ad.domain-root-acl: control of the domain head (GenericAll, WriteDacl, WriteOwner, write-all-properties,
// gPLink write, ownership) by a principal that is not tier 0.
#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

// Replication rights are ad.dcsync-rights' business and are not listed here.
constexpr acl::Rights kWanted = right::kGenericAll | right::kWriteDacl | right::kWriteOwner |
                                right::kWriteAllProperties | right::kWriteGpLink;
// Named in evidence: GenericWrite is shown by its own name next to the write-all-properties it carries.
constexpr acl::Rights kShown = kWanted | right::kGenericWrite;

// Exchange's own group: its WriteDacl on the domain head is the PrivExchange path (fixed by Microsoft in 2019
// by making the ACE inherit-only, which `acl::grants` already does not count).
bool is_exchange_windows_permissions(const Entry* e) {
  return e && util::iequals(e->first("sAMAccountName").value_or(""), "Exchange Windows Permissions");
}

class DomainRootAcl final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.domain-root-acl",
        .title =
            "Non-admin principal controls the domain head (GenericAll, WriteDacl, WriteOwner, owner, gPLink)",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1484", "T1484.001"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-gplink",
                       "PingCastle P-ExchangePrivEsc", "PingCastle P-DelegationKeyAdmin",
                       "PingCastle P-DangerousExtendedRight", "Purple Knight SI000056",
                       "Purple Knight: Delegation changes to Domain NC head",
                       "Purple Knight SI000032 (GPO linking delegation at the domain level)",
                       "BloodHound GenericAll / WriteDacl / WriteOwner / Owns / WriteGPLink on Domain"},
        .description =
            "The domain head (DC=...) is the root of the domain naming context. WriteDacl or WriteOwner on "
            "it lets a principal grant itself anything there at any time, most often DCSync (the two "
            "replication extended rights) or full control inherited by every object; GenericAll already "
            "includes both; write-all-properties lets it rewrite domain-wide settings "
            "(ms-DS-MachineAccountQuota, gPLink, the password policy); gPLink write links any Group Policy "
            "object to every computer of the domain, domain controllers included. Attackers plant such an "
            "ACE (or take ownership) to be able to re-grant themselves DCSync after a clean-up; Exchange's "
            "historical WriteDacl for 'Exchange Windows Permissions' is the PrivExchange path to the same "
            "place. The owner of the head holds WriteDacl implicitly and is reported too. Replication rights "
            "alone are reported by ad.dcsync-rights.",
        .severity_notes =
            "Critical for GenericAll, WriteDacl, WriteOwner, write-all-properties or GenericWrite, and for a "
            "non-tier-0 owner, whoever the trustee (everyone-like groups included). High when the only right "
            "is gPLink write (abuse also needs a GPO the attacker can edit). Not reported: tier-0 principals "
            "(Domain/Enterprise Admins, Administrators, SYSTEM, domain controllers, Key Admins and "
            "Enterprise Key Admins, ...) and SELF/CREATOR OWNER placeholders; inherit-only ACEs (they do not "
            "apply to the head itself) and deny ACEs are ignored. A GenericAll holder also appears in "
            "ad.dcsync-rights because GenericAll includes DCSync.",
        .false_positives =
            "Exchange (before the 2019 hardening) grants 'Exchange Windows Permissions' WriteDacl: a real "
            "finding, fixed by running Exchange's current /PrepareAD. Some identity-management products and "
            "old delegation models hold write-all-properties on the domain head; confirm with their owners, "
            "move the delegation to the objects they manage and baseline what remains.",
        .remediation =
            "Remove the ACE (ADUC > domain > Properties > Security > Advanced, or dsacls \"<domain DN>\" /R "
            "<DOMAIN\\principal>) and, for an owner, set the owner back to Domain Admins (dsacls \"<domain "
            "DN>\" /takeownership as a Domain Admin). For Exchange, rerun setup /PrepareAD from a current "
            "cumulative update. Then check for what the trustee could have granted itself: replication "
            "rights (ad.dcsync-rights), AdminSDHolder (ad.adminsdholder-acl), GPO links, and review event "
            "5136 on the head.",
        .needs = {{Dataset::domain, {"nTSecurityDescriptor"}, {"sAMAccountName", "objectClass"}}},
        .evidence = {{"trustee", "SID of the principal (the owner for an owner finding)"},
                     {"trustee_name", "its resolved name (or unresolved)"},
                     {"trustee_scope", "\"everyone\" when the trustee stands for every user"},
                     {"rights", "the dangerous rights held (\"Owner\" for the owner)"},
                     {"aces", "the contributing ACEs in SDDL (empty for the owner)"},
                     {"inherited", "every contributing ACE is inherited"},
                     {"exchange_windows_permissions",
                      "the trustee is Exchange's 'Exchange Windows Permissions'"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& dom = snap.domain();
    if (!dom || !dom->head) return;
    const auto& head = *dom->head;
    // The one object this check judges: a descriptor that does not decode makes it not evaluated, never
    // passed.
    if (const auto why = acl::undecodable_descriptor(snap, head); !why.empty()) {
      out.not_evaluated("the domain head cannot be judged: " + why);
      return;
    }
    const auto* sd = acl::descriptor_or_note(snap, head, out);
    if (!sd) {
      if (!snap.descriptors().of(head))
        out.not_evaluated("the domain head " + dom->dn + " carries no nTSecurityDescriptor in the input");
      return;
    }

    if (acl::dacl_grants_everyone(*sd)) {
      auto& f = out.add(head).set_key("null-dacl");
      f.set_message("the domain head has a null DACL: everyone has full control of it");
      acl::add_null_dacl_evidence(f);
    }

    for (const auto& g : acl::grants(*sd, head, kWanted)) {
      if (acl::is_placeholder(g.trustee) || acl::is_tier0_principal(snap, g.trustee)) continue;
      const Entry* who = snap.find_sid(g.trustee);
      const bool exchange = is_exchange_windows_permissions(who);
      const bool gplink_only = (g.effective & (kWanted & ~right::kWriteGpLink)) == 0;
      const auto rights = acl::shown_rights(g, kShown);
      std::string names;
      for (const auto& r : rights) names += (names.empty() ? "" : ", ") + r;

      auto& f = out.add(head).set_key(g.trustee.to_string());
      std::string msg = acl::principal_label(snap, g.trustee) + " holds " + names + " on the domain head";
      if (gplink_only) {
        f.set_severity(Severity::high);
        msg += ": it can link any Group Policy object to every computer of the domain";
      } else {
        msg += ": it can grant itself DCSync or full control of the domain at any time";
      }
      if (exchange) msg += " (Exchange Windows Permissions: the PrivExchange path)";
      f.set_message(msg);
      acl::add_grant_evidence(f, snap, g, kShown);
      if (exchange) f.add("exchange_windows_permissions", true);
    }

    if (sd->owner && !acl::is_tier0_principal(snap, *sd->owner)) {
      auto& f = out.add(head).set_key("owner");
      f.set_message(
          "the domain head is owned by " + acl::principal_label(snap, *sd->owner) +
          ", which is not tier 0: an owner can rewrite the DACL (and grant itself DCSync) at any time");
      acl::add_owner_evidence(f, snap, *sd->owner);
    } else if (!sd->owner) {
      out.note(
          "the domain head's nTSecurityDescriptor carries no owner (exported without the owner part of the "
          "SD flags): its owner was not checked");
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(DomainRootAcl)
}  // namespace adpersist::checks
