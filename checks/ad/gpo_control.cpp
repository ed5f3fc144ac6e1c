// ad.gpo-control: Group Policy objects that a non-admin can edit (or owns), ranked by where they are linked,
// and GPOs whose files live outside the domain's SYSVOL.
#include <map>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/domain_sids.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

// Rights that let a principal change what a GPO does (its settings live in SYSVOL, but gPCFileSysPath, the
// version numbers and the extension lists live on the object; the DACL decides both).
constexpr acl::Rights kEdit = right::kGenericAll | right::kGenericWrite | right::kWriteDacl |
                              right::kWriteOwner | right::kWriteAllProperties | right::kWriteGpcFileSysPath;

// Where a GPO applies, worst first.
enum class Scope { domain_controllers = 0, domain, site, ou, unlinked };

std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::domain_controllers:
      return "domain-controllers";
    case Scope::domain:
      return "domain";
    case Scope::site:
      return "site";
    case Scope::ou:
      return "ou";
    case Scope::unlinked:
      return "unlinked";
  }
  return "unlinked";
}

std::string_view scope_phrase(Scope s) {
  switch (s) {
    case Scope::domain_controllers:
      return "linked where it applies to the domain controllers";
    case Scope::domain:
      return "linked at the domain head";
    case Scope::site:
      return "linked to a site";
    case Scope::ou:
      return "linked to an OU";
    case Scope::unlinked:
      return "not linked (or only by disabled links)";
  }
  return "";
}

Severity scope_severity(Scope s) {
  switch (s) {
    case Scope::domain_controllers:
    case Scope::domain:
      return Severity::critical;
    case Scope::site:
      return Severity::high;
    case Scope::ou:
      return Severity::medium;
    case Scope::unlinked:
      return Severity::low;
  }
  return Severity::low;
}

struct Link {
  const Entry* where = nullptr;
  Scope scope = Scope::ou;
  bool disabled = false;  // option bit 0 (LINK_DISABLED)
  bool enforced = false;  // option bit 1 (no override)
};

struct ParsedLink {
  std::string gpo_dn;
  std::uint32_t options = 0;
};

// gPLink: "[LDAP://cn={GUID},cn=policies,cn=system,DC=...;<options>]" repeated (MS-GPOL 2.2.2). Malformed
// pieces are skipped: a link we cannot read is not a link the client follows either.
std::vector<ParsedLink> parse_gplink(std::string_view value) {
  std::vector<ParsedLink> out;
  std::size_t pos = 0;
  while ((pos = value.find('[', pos)) != std::string_view::npos) {
    const auto end = value.find(']', pos);
    if (end == std::string_view::npos) break;
    auto body = value.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (!util::istarts_with(body, "LDAP://")) continue;
    body.remove_prefix(7);
    const auto semi = body.rfind(';');
    ParsedLink l;
    l.gpo_dn = std::string(util::trim(body.substr(0, semi)));
    if (semi != std::string_view::npos) {
      for (char c : util::trim(body.substr(semi + 1))) {
        if (c < '0' || c > '9') break;
        l.options = l.options * 10 + static_cast<std::uint32_t>(c - '0');
      }
    }
    if (!l.gpo_dn.empty()) out.push_back(std::move(l));
  }
  return out;
}

std::string describe(const Link& l) {
  std::string s = std::string(l.where->dn()) + " (" + std::string(scope_name(l.scope));
  if (l.disabled) s += ", disabled";
  if (l.enforced) s += ", enforced";
  return s + ")";
}

class GpoControl final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.gpo-control",
        .title = "Group Policy object editable or owned by a non-admin, or served from outside SYSVOL",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1484.001"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-gplink",
                       "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-ada1/"
                       "83495b95-664f-409a-ba99-8e1d4e704dd7",
                       "PingCastle P-DelegationGPOData", "PingCastle P-DelegationFileDeployed",
                       "PingCastle P-DelegationLoginScript", "PingCastle T-FileDeployedOutOfDomain",
                       "Purple Knight SI000032", "Purple Knight SI000041",
                       "BloodHound GenericWrite / Owns on GPO, GPLink"},
        .description =
            "A Group Policy object (groupPolicyContainer under CN=Policies,CN=System) runs whatever its "
            "settings say (scheduled tasks, startup scripts, local group membership, services) on every "
            "computer it is linked to, as SYSTEM, at the next refresh. Whoever can write the GPO object or "
            "its DACL, or owns it, can change those settings, or point gPCFileSysPath at a share of their "
            "own: a GPO linked at the domain head or to the domain controllers is code execution on every "
            "DC. Attackers grant themselves edit rights on such a GPO to come back later. The check reads "
            "the GPO objects' security descriptors and owners, the gPLink values of the domain head, the OUs "
            "and the sites (configuration naming context) to rank each GPO by where it applies, and the "
            "gPCFileSysPath of every GPO. The SYSVOL folder permissions are not visible over LDAP and are "
            "not checked.",
        .severity_notes =
            "Edit right (GenericAll, GenericWrite, WriteDacl, WriteOwner, write-all-properties, write "
            "gPCFileSysPath) or ownership by a non-tier-0 principal: critical when the GPO is linked (an "
            "enabled link) at the domain head or on an OU above a domain controller, high when linked to a "
            "site, medium when linked only to other OUs, low when unlinked or only disabled links point to "
            "it; one step higher for everyone-like trustees (Authenticated Users, Domain Users, ...). "
            "gPCFileSysPath outside \\\\<domain>\\SysVol\\<domain>\\Policies\\: high. Not reported: tier-0 "
            "principals (Domain/Enterprise Admins, SYSTEM, Enterprise Domain Controllers, Group Policy "
            "Creator Owners members, ...) and CREATOR OWNER / SELF; inherit-only and deny ACEs are ignored.",
        .false_positives =
            "GPMC delegations ('Edit settings' for a desktop or server team) are real findings when the GPO "
            "applies to tier 0; for GPOs linked only to workstation OUs they are the medium ones. A GPO "
            "created by a former member of Group Policy Creator Owners stays owned by that user. DFS-based "
            "or DC-specific SYSVOL paths (\\\\dc1.corp.example\\SysVol\\...) are reported as outside SYSVOL.",
        .remediation =
            "In GPMC > the GPO > Delegation, remove the principal (or reduce it to Read / Apply), and set "
            "the owner back to Domain Admins (Advanced > Owner). Review the GPO's settings and its SYSVOL "
            "folder (\\\\<domain>\\SysVol\\<domain>\\Policies\\{GUID}) for scheduled tasks, scripts and "
            "group changes the trustee could have added, and the GPO's versionNumber / whenChanged for when. "
            "Reset a foreign gPCFileSysPath to the SYSVOL folder of the GPO's GUID.",
        .needs = {{Dataset::domain,
                   {"nTSecurityDescriptor", "gPLink", "gPCFileSysPath"},
                   {"displayName", "objectClass"}}},
        .evidence = {{"gpo_guid", "the GPO's {GUID} (its cn)"},
                     {"gpo_name", "the GPO's displayName"},
                     {"links",
                      "enabled and disabled links to the GPO: \"<DN> (scope[, disabled][, enforced])\""},
                     {"link_scope",
                      "where it applies, worst enabled link: domain-controllers, domain, site, ou or "
                      "unlinked"},
                     {"trustee", "SID of the principal (the owner for an owner finding)"},
                     {"trustee_name", "its resolved name (or unresolved)"},
                     {"trustee_scope", "\"everyone\" when the trustee stands for every user"},
                     {"rights", "the edit rights held (\"Owner\" for the owner)"},
                     {"aces", "the contributing ACEs in SDDL (empty for the owner)"},
                     {"inherited", "every contributing ACE is inherited"},
                     {"gpc_file_sys_path", "gPCFileSysPath of a GPO served from outside SYSVOL"},
                     {"expected_prefix", "where the domain's GPO folders live"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& dom = snap.domain();
    if (!dom || !dom->head) return;

    const auto links = collect_links(snap, out);
    const std::string expected_prefix =
        "\\\\" + dom->dns_name + "\\SysVol\\" + dom->dns_name + "\\Policies\\";

    for (const auto& gpo : snap.entries()) {
      if (!gpo.has_class("groupPolicyContainer")) continue;
      const std::string guid(gpo.first("cn").value_or(first_rdn_value(gpo.dn())));
      const std::string name(gpo.first("displayName").value_or(""));
      const std::string label = "GPO '" + (name.empty() ? guid : name) + "' " + guid;

      std::vector<std::string> link_text;
      Scope scope = Scope::unlinked;
      if (auto it = links.find(util::to_lower(gpo.dn())); it != links.end()) {
        for (const auto& l : it->second) {
          link_text.push_back(describe(l));
          if (!l.disabled && l.scope < scope) scope = l.scope;
        }
      }
      auto add_gpo_evidence = [&](Finding& f) {
        f.add("gpo_guid", guid);
        f.add("gpo_name", name);
        f.add("links", link_text);
        f.add("link_scope", scope_name(scope));
      };

      if (auto path = gpo.first("gPCFileSysPath");
          path && !util::istarts_with(util::trim(*path), expected_prefix)) {
        auto& f = out.add(gpo).set_key("filesyspath");
        f.set_severity(Severity::high);
        f.set_message(label + " (" + std::string(scope_phrase(scope)) + ") reads its settings from " +
                      std::string(util::trim(*path)) +
                      ", outside the domain's SYSVOL: whoever controls that " +
                      "location decides what it runs");
        add_gpo_evidence(f);
        f.add("gpc_file_sys_path", std::string(util::trim(*path)));
        f.add("expected_prefix", expected_prefix);
      }

      const auto* sd = acl::descriptor_or_note(snap, gpo, out);
      if (!sd) continue;
      const Severity base = scope_severity(scope);
      const auto severity_for = [&](const Sid& trustee) {
        return acl::is_everyone_like(snap, trustee) ? raise(base) : base;
      };

      if (acl::dacl_grants_everyone(*sd)) {
        auto& f = out.add(gpo).set_key("null-dacl");
        f.set_severity(raise(base));
        f.set_message(label + " (" + std::string(scope_phrase(scope)) +
                      ") has a null DACL: anyone can edit it");
        add_gpo_evidence(f);
        acl::add_null_dacl_evidence(f);
      }

      for (const auto& g : acl::grants(*sd, gpo, kEdit)) {
        if (acl::is_placeholder(g.trustee) || acl::is_tier0_principal(snap, g.trustee)) continue;
        std::string names;
        for (const auto& r : acl::shown_rights(g, kEdit)) names += (names.empty() ? "" : ", ") + r;
        auto& f = out.add(gpo).set_key(g.trustee.to_string());
        f.set_severity(severity_for(g.trustee));
        f.set_message(label + " (" + std::string(scope_phrase(scope)) +
                      "): " + acl::principal_label(snap, g.trustee) + " holds " + names +
                      " on it and can make it run code on the computers it applies to");
        add_gpo_evidence(f);
        acl::add_grant_evidence(f, snap, g, kEdit);
      }

      if (sd->owner && !acl::is_tier0_principal(snap, *sd->owner)) {
        auto& f = out.add(gpo).set_key("owner");
        f.set_severity(severity_for(*sd->owner));
        f.set_message(label + " (" + std::string(scope_phrase(scope)) + ") is owned by " +
                      acl::principal_label(snap, *sd->owner) +
                      ", which is not tier 0: the owner can rewrite its DACL and settings at any time");
        add_gpo_evidence(f);
        acl::add_owner_evidence(f, snap, *sd->owner);
      }
    }
  }

 private:
  // Every gPLink in the input, by lower-case GPO DN. Links on the domain head, on OUs above a domain
  // controller, on sites (configuration NC) and on other OUs.
  static std::map<std::string, std::vector<Link>> collect_links(const Snapshot& snap, Findings& out) {
    std::map<std::string, std::vector<Link>> links;
    const auto& dom = snap.domain();
    const auto* config = snap.configuration_head();
    const std::string sites = config ? "CN=Sites," + std::string(config->dn()) : std::string();
    if (snap.dataset(Dataset::configuration).state != DatasetState::ok)
      out.note(
          "the configuration naming context is not (completely) in the input: GPO links on sites were not "
          "seen, so a GPO linked only to a site is ranked lower than it should be");
    const auto& dcs = snap.privilege().domain_controllers();

    for (const auto& e : snap.entries()) {
      const auto values = e.values("gPLink");
      if (values.empty()) continue;
      Link base;
      base.where = &e;
      if (dom && &e == dom->head) {
        base.scope = Scope::domain;
      } else if (!sites.empty() && dn_is_below(e.dn(), sites)) {
        base.scope = Scope::site;
      } else if (dom && util::iequals(e.dn(), "OU=Domain Controllers," + dom->dn)) {
        base.scope = Scope::domain_controllers;
      } else {
        base.scope = Scope::ou;
        for (const auto* dc : dcs)
          if (dn_is_below(dc->dn(), e.dn())) base.scope = Scope::domain_controllers;
      }
      for (auto v : values) {
        for (auto& pl : parse_gplink(v)) {
          Link l = base;
          l.disabled = (pl.options & 1u) != 0;
          l.enforced = (pl.options & 2u) != 0;
          links[util::to_lower(pl.gpo_dn)].push_back(l);
        }
      }
    }
    return links;
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(GpoControl)
}  // namespace adpersist::checks
