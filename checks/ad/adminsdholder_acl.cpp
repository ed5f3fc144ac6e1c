// ad.adminsdholder-acl: CN=AdminSDHolder's DACL compared with the Windows default, its owner, and its
// protection from inheritance. SDProp copies this DACL onto every protected account and group every 60
// minutes, so one added ACE is standing control of every admin.
#include <algorithm>
#include <sstream>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;
using parsers::Ace;

// The Windows default AdminSDHolder DACL (schema version 35 and later): PingCastle's `sddlReference`
// (vletoux/pingcastle@31d268da, Healthcheck/HealthcheckAnalyzer.cs), kept in
// vectors/onprem/security-descriptors/adminsdholder_reference_sddl.txt. It equals, ACE for ACE, the DACL
// SDProp stamped on a protected user of a real Windows domain (protected_user_adminsdholder_stamped.b64).
// Aliases: CA is Cert Publishers (RID 517), RU is Pre-Windows 2000 Compatible Access (S-1-5-32-554), EA the
// forest root's Enterprise Admins.
constexpr const char* kWindowsDefaultDacl =
    "D:PAI(OA;;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)(OA;;RP;"
    "4c164200-20c0-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;RU)(OA;;RP;5f202010-79a5-11d0-"
    "9020-00c04fc2d4cf;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)(OA;;RP;5f202010-79a5-11d0-9020-00c04fc2d4cf;"
    "bf967aba-0de6-11d0-a285-00aa003049e2;RU)(OA;;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;4828cc14-1437-45bc-"
    "9b07-ad6f015e5f28;RU)(OA;;RP;bc0ac240-79a9-11d0-9020-00c04fc2d4cf;bf967aba-0de6-11d0-a285-00aa003049e2;"
    "RU)(OA;;RP;59ba2f42-79a2-11d0-9020-00c04fc2d3cf;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)(OA;;RP;"
    "59ba2f42-79a2-11d0-9020-00c04fc2d3cf;bf967aba-0de6-11d0-a285-00aa003049e2;RU)(OA;;RP;037088f8-0ae1-11d2-"
    "b422-00a0c968f939;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)(OA;;RP;037088f8-0ae1-11d2-b422-00a0c968f939;"
    "bf967aba-0de6-11d0-a285-00aa003049e2;RU)(OA;;RPWP;bf967a7f-0de6-11d0-a285-00aa003049e2;;CA)(OA;;RP;"
    "46a9b11d-60ae-405a-b7e8-ff8a58d456d2;;S-1-5-32-560)(OA;;RPWP;6db69a1c-9422-11d1-aebd-0000f80367c1;;S-1-"
    "5-32-561)(OA;;RPWP;5805bc62-bdc9-4428-a5e2-856a0f4c185e;;S-1-5-32-561)(OA;;LCRPLORC;;4828cc14-1437-45bc-"
    "9b07-ad6f015e5f28;RU)(OA;;LCRPLORC;;bf967aba-0de6-11d0-a285-00aa003049e2;RU)(OA;;CR;ab721a53-1e2f-11d0-"
    "9819-00aa0040529b;;WD)(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)(OA;CI;RPWPCR;91e647de-d96f-4b70-"
    "9557-d63ff4f3ccd8;;PS)(A;;CCDCLCSWRPWPLOCRRCWDWO;;;DA)(A;;CCDCLCSWRPWPLOCRRCWDWO;;;EA)(A;;"
    "CCDCLCSWRPWPLOCRSDRCWDWO;;;BA)(A;;LCRPLORC;;;AU)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)";

// The container class's schema default (defaultSecurityDescriptor), which is all Samba 4.17 puts on
// AdminSDHolder when it provisions a domain (fixtures/lab/domain.ldif): explicit full control for Domain
// Admins and SYSTEM, read for Authenticated Users, inheritance left on. Windows' dcpromo writes the protected
// DACL above.
constexpr const char* kContainerSchemaDefaultDacl =
    "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;;LCRPLORC;;;AU)";

// Access bits that change something (everything but RP, LC, LO, RC).
constexpr std::uint32_t kWriteBits =
    parsers::kRightCreateChild | parsers::kRightDeleteChild | parsers::kRightSelf |
    parsers::kRightWriteProperty | parsers::kRightDeleteTree | parsers::kRightControlAccess |
    parsers::kRightDelete | parsers::kRightWriteDac | parsers::kRightWriteOwner | parsers::kRightGenericAll |
    parsers::kRightGenericWrite;

bool is_enterprise_admins(const Sid& sid) {
  return sid.is_domain_account() && sid.rid() == 519;
}

// One ACE of the actual DACL is "the same" as one of the reference: same type, flags (the inherited flag
// aside: an unprotected AdminSDHolder receives the default's inheritable ACEs back from its parents), mask,
// GUIDs and trustee. Enterprise Admins match by RID: in a child domain they belong to the forest root, whose
// SID the domain's own objects do not give.
bool same_ace(const Ace& actual, const Ace& ref) {
  const auto flags = [](const Ace& a) {
    return static_cast<std::uint8_t>(a.flags & ~parsers::kAceInherited);
  };
  if (actual.type != ref.type || flags(actual) != flags(ref) || actual.mask != ref.mask ||
      actual.object_type != ref.object_type || actual.inherited_object_type != ref.inherited_object_type ||
      actual.application_data != ref.application_data)
    return false;
  return actual.trustee == ref.trustee ||
         (is_enterprise_admins(actual.trustee) && is_enterprise_admins(ref.trustee));
}

bool contains(const std::vector<Ace>& set, const Ace& ace) {
  return std::any_of(set.begin(), set.end(), [&](const Ace& r) { return same_ace(ace, r); });
}

// Account, Server, Print and Backup Operators: tier 0 for most checks, but protected *by* AdminSDHolder
// precisely so they cannot control Domain Admins; an ACE for them here is an escalation worth showing.
bool is_operator_group(const Sid& sid) {
  return sid.authority() == 5 && sid.sub_count() == 2 && sid.sub(0) == 32 && sid.sub(1) >= 548 &&
         sid.sub(1) <= 551;
}

// How bad one added ACE is, before the trustee's class caps it.
Severity classify(const Ace& ace) {
  if (!ace.is_allow()) return Severity::low;  // a deny only takes rights away (at worst, from admins)
  Severity s = Severity::low;
  if (acl::implied(acl::rights_of(ace)) & right::kPrincipalTakeover)
    s = Severity::critical;
  else if (ace.mask & kWriteBits)
    s = Severity::medium;
  // Inherit-only: stamped as is onto protected users and groups, which have no children, so it grants nothing
  // there yet; still not default, and one edit away.
  if (ace.inherit_only() && s > Severity::medium) s = Severity::medium;
  return s;
}

std::string hex16(std::uint16_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

class AdminSdHolderAcl final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.adminsdholder-acl",
        .title = "AdminSDHolder's ACL differs from the Windows default, has a non-admin owner or inherits",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1098", "T1484"},
        .references =
            {"https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/"
             "a0d0b4fa-2895-4c64-b182-ba64ad0f84b8",
             "PingCastle InspectAdminSDHolder (delegation: Rule in AdminSDHolder, modified or added)",
             "PingCastle P-ExchangeAdminSDHolder", "Purple Knight SI000055", "Purple Knight SI000106",
             "ANSSI vuln1_permissions_adminsdholder",
             "Microsoft Defender for Identity alert 2430 (Suspicious modification of domain AdminSdHolder)"},
        .description =
            "CN=AdminSDHolder,CN=System holds the template security descriptor of every protected object "
            "(members of Domain/Enterprise/Schema Admins, Administrators, the operator groups, krbtgt, ...). "
            "Every 60 minutes SDProp on the PDC emulator overwrites the DACL of each protected object with "
            "this one. An attacker who adds an ACE here (PowerView Add-DomainObjectAcl -TargetIdentity "
            "AdminSDHolder -Rights All) gets it re-applied to every admin account and group hourly: removing "
            "it from the admins does nothing. The check compares the DACL ACE by ACE with the Windows "
            "default (PingCastle's reference, identical to a real SDProp-stamped DACL), and reports each "
            "principal with added ACEs, default ACEs that were removed, an owner that is not tier 0, and a "
            "DACL that is not protected from inheritance (then whatever is inheritable on CN=System or the "
            "domain head lands on every admin too).",
        .severity_notes =
            "Added ACEs, one finding per trustee: critical when they give control of a principal "
            "(GenericAll, GenericWrite, WriteDacl, WriteOwner, write-all-properties, AddMember, "
            "ForceChangePassword, AddKeyCredentialLink, WriteSPN, ...), medium when they write something "
            "narrower (a single attribute, an unnamed extended right, create/delete) or are inherit-only "
            "(they do not apply to the stamped users and groups), low when read-only or deny. Account, "
            "Server, Print and Backup Operators are capped at high (they are already near tier 0); SELF and "
            "CREATOR OWNER at low; other tier-0 principals (Domain Admins, Administrators, SYSTEM, ...) are "
            "not reported. Owner not tier 0: critical. DACL not protected: high, but low when the explicit "
            "ACEs include the container class's schema default (Domain Admins and SYSTEM full control, "
            "Authenticated Users read), which is what Samba provisions (Samba does not run SDProp) and what "
            "resetting the ACL to the schema default gives. Default ACEs removed: info (drift, not "
            "persistence). A null DACL: critical.",
        .false_positives =
            "Delegations made on purpose through AdminSDHolder (for example a PAM or help-desk group allowed "
            "to reset admin passwords, or Exchange's pre-2019 ACEs, PingCastle's P-ExchangeAdminSDHolder) "
            "are real findings: each gives that group control of every admin. Older schemas (before version "
            "35) lack some default ACEs. Samba domains show the schema default and inherited ACEs instead of "
            "the Windows DACL (reported low / info).",
        .remediation =
            "Restore the default: remove the added ACEs (ADUC > System > AdminSDHolder > Security > "
            "Advanced, or dsacls \"CN=AdminSDHolder,CN=System,<domain>\" /R <DOMAIN\\principal>), set the "
            "owner to Domain Admins, and disable inheritance. Then either wait an hour or run SDProp "
            "(RunProtectAdminGroupsTask) and check that protected objects no longer carry the ACE. Treat the "
            "trustee as having had control of every admin: review its activity and the replication metadata "
            "of nTSecurityDescriptor on AdminSDHolder for when the ACE appeared.",
        .needs = {{Dataset::domain, {"nTSecurityDescriptor"}, {"objectClass"}}},
        .evidence = {{"trustee", "SID of the principal with added ACEs (the owner for an owner finding)"},
                     {"trustee_name", "its resolved name (or unresolved)"},
                     {"trustee_scope", "\"everyone\" when the trustee stands for every user"},
                     {"rights", "named rights the added ACEs give (\"Owner\" for the owner)"},
                     {"aces", "the added ACEs in SDDL"},
                     {"inherited", "every added ACE is inherited from a parent (the DACL is not protected)"},
                     {"removed_aces", "default ACEs missing from the DACL, in SDDL"},
                     {"control", "the descriptor's control flags (hex); 0x1000 is SE_DACL_PROTECTED"},
                     {"schema_default",
                      "the explicit ACEs include the container schema default (Samba's default)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& dom = snap.domain();
    if (!dom || !dom->head || !dom->sid) return;
    const std::string dn = "CN=AdminSDHolder,CN=System," + dom->dn;
    const Entry* holder = snap.find_dn(dn);
    if (!holder) {
      out.not_evaluated(dn + " is not in the input (export the whole domain naming context)");
      return;
    }
    // The one object this check judges: a descriptor that does not decode makes it not evaluated, never
    // passed.
    if (const auto why = acl::undecodable_descriptor(snap, *holder); !why.empty()) {
      out.not_evaluated("AdminSDHolder cannot be judged: " + why);
      return;
    }
    const auto* sd = acl::descriptor_or_note(snap, *holder, out);
    if (!sd) {
      if (!snap.descriptors().of(*holder))
        out.not_evaluated(dn + " carries no nTSecurityDescriptor in the input");
      return;
    }
    const auto sddl_ctx = parsers::SddlContext::for_domain(*dom->sid);
    auto reference = parsers::parse_sddl(kWindowsDefaultDacl, sddl_ctx);
    auto schema_default = parsers::parse_sddl(kContainerSchemaDefaultDacl, sddl_ctx);
    if (!reference || !schema_default || !reference->dacl || !schema_default->dacl) {
      out.not_evaluated("internal: the built-in AdminSDHolder reference DACL does not parse");
      return;
    }
    const auto& ref = reference->dacl->aces;
    const auto ectx = acl::evidence_sddl_context();

    if (!sd->dacl) {
      auto& f = out.add(*holder).set_key("null-dacl");
      f.set_message(
          "AdminSDHolder has a null DACL: everyone has full control of it, and SDProp copies that onto "
          "every protected account and group");
      acl::add_null_dacl_evidence(f);
    } else {
      report_added(snap, *holder, sd->dacl->aces, ref, out);
      std::vector<std::string> removed;
      for (const auto& r : ref)
        if (!contains(sd->dacl->aces, r)) removed.push_back(parsers::ace_to_sddl(r, ectx));
      if (!removed.empty()) {
        auto& f = out.add(*holder).set_key("removed");
        f.set_severity(Severity::info);
        f.set_message(std::to_string(removed.size()) + " of the " + std::to_string(ref.size()) +
                      " default AdminSDHolder ACEs are missing (drift from the Windows default)");
        f.add("removed_aces", removed);
      }
    }

    if (sd->owner && !acl::is_tier0_principal(snap, *sd->owner)) {
      auto& f = out.add(*holder).set_key("owner");
      f.set_message(
          "AdminSDHolder is owned by " + acl::principal_label(snap, *sd->owner) +
          ", which is not tier 0: the owner can rewrite the template DACL of every admin at any time");
      acl::add_owner_evidence(f, snap, *sd->owner);
    } else if (!sd->owner) {
      out.note(dn +
               ": the nTSecurityDescriptor carries no owner (exported without the owner part of the SD "
               "flags): its owner was not checked");
    }

    if (!sd->dacl_protected()) {
      std::vector<Ace> explicit_aces;
      if (sd->dacl)
        for (const auto& a : sd->dacl->aces)
          if (!a.inherited()) explicit_aces.push_back(a);
      // The schema default's three ACEs (Domain Admins with full control, unlike Windows' AdminSDHolder ACE)
      // mark a Samba-provisioned object, or one reset to the schema default. ACEs added on top of them are
      // reported per trustee above; they do not turn Samba's default inheritance into a high finding.
      const auto& sdef = schema_default->dacl->aces;
      const bool schema_shape =
          std::all_of(sdef.begin(), sdef.end(), [&](const Ace& a) { return contains(explicit_aces, a); });
      auto& f = out.add(*holder).set_key("not-protected");
      if (schema_shape) {
        f.set_severity(Severity::low);
        f.set_message(
            "AdminSDHolder's DACL is not protected from inheritance and carries the container class's "
            "schema default, as Samba provisions it (Samba does not run SDProp)");
      } else {
        f.set_severity(Severity::high);
        f.set_message(
            "AdminSDHolder's DACL is not protected from inheritance: inheritable ACEs of CN=System and the "
            "domain head are copied onto every protected account and group");
      }
      f.add("control", hex16(sd->control));
      f.add("schema_default", schema_shape);
    }
  }

 private:
  static void report_added(const Snapshot& snap, const Entry& holder, const std::vector<Ace>& aces,
                           const std::vector<Ace>& ref, Findings& out) {
    // Added ACEs grouped by trustee, in order of first appearance.
    std::vector<acl::Grant> added;
    std::vector<Severity> worst;
    for (const auto& ace : aces) {
      if (contains(ref, ace)) continue;
      auto it = std::find_if(added.begin(), added.end(),
                             [&](const acl::Grant& g) { return g.trustee == ace.trustee; });
      if (it == added.end()) {
        acl::Grant g;
        g.trustee = ace.trustee;
        added.push_back(std::move(g));
        worst.push_back(Severity::info);
        it = std::prev(added.end());
      }
      it->direct |= acl::rights_of(ace);
      it->effective = acl::implied(it->direct);
      it->aces.push_back(&ace);
      if (!ace.inherited()) it->all_inherited = false;
      auto& w = worst[static_cast<std::size_t>(it - added.begin())];
      w = std::max(w, classify(ace));
    }

    for (std::size_t i = 0; i < added.size(); ++i) {
      const auto& g = added[i];
      Severity sev = worst[i];
      const bool op = is_operator_group(g.trustee);
      if (!op && !acl::is_placeholder(g.trustee) && acl::is_tier0_principal(snap, g.trustee)) continue;
      if (op) sev = std::min(sev, Severity::high);
      if (acl::is_placeholder(g.trustee)) sev = std::min(sev, Severity::low);

      auto& f = out.add(holder).set_key(g.trustee.to_string());
      f.set_severity(sev);
      std::string what = sev == Severity::critical ? "control of every protected account and group"
                         : sev >= Severity::medium ? "write access to every protected account and group"
                                                   : "read-only or deny entries";
      f.set_message(acl::principal_label(snap, g.trustee) + " has " + std::to_string(g.aces.size()) +
                    (g.aces.size() == 1 ? " ACE" : " ACEs") +
                    " on AdminSDHolder that the Windows default does not " +
                    "have; SDProp copies them onto every admin (" + what + ")");
      acl::add_grant_evidence(f, snap, g, ~acl::Rights{0});
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdminSdHolderAcl)
}  // namespace adpersist::checks
