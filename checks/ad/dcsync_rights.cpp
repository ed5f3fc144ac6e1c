// ad.dcsync-rights: who may replicate secrets (DS-Replication-Get-Changes + -Get-Changes-All) from a naming
// context, i.e. run DCSync, without being a domain controller or a domain/enterprise admin.
#include <array>
#include <string_view>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

constexpr acl::Rights kReplication =
    right::kGetChanges | right::kGetChangesAll | right::kGetChangesInFilteredSet;

// Descriptions the Azure AD Connect / Entra Connect wizard writes on the MSOL_<installation id> account it
// creates (express settings); public exports of real accounts show the first, Entra Connect builds the
// second.
constexpr std::array<std::string_view, 2> kConnectDescriptions = {
    "Account created by Microsoft Azure Active Directory Connect",
    "Account created by Microsoft Entra Connect",
};

// Enterprise Read-only Domain Controllers (498) and Read-only Domain Controllers (521): RODCs replicate the
// domain without secrets, so Get-Changes and Get-Changes-In-Filtered-Set are theirs by default; -All is not.
bool is_rodc_group(const Snapshot& snap, const Sid& sid) {
  if (!sid.is_domain_account()) return false;
  if (sid.rid() == 498) return true;  // forest-root group: any domain
  const auto& dom = snap.domain();
  return sid.rid() == 521 && dom && dom->sid && sid.is_in_domain(*dom->sid);
}

struct ConnectMatch {
  bool connect = false;    // recognised as the sync account: baseline-able severity
  bool lookalike = false;  // named like one but without the wizard's description
  std::string why;
};

// The account Azure AD Connect / Entra Connect sync uses: MSOL_ + the wizard's description, or the gMSA the
// Entra Cloud Sync agent creates (provAgentgMSA$, the name Microsoft's install guide gives). Both are needed
// for MSOL_: the name alone is exactly the disguise a rogue look-alike account would wear.
ConnectMatch azure_ad_connect(const Entry* e) {
  ConnectMatch m;
  if (!e) return m;
  const auto sam = e->first("sAMAccountName").value_or("");
  if (e->has_class("msDS-GroupManagedServiceAccount") && util::iequals(sam, "provAgentgMSA$")) {
    m.connect = true;
    m.why = "Entra Cloud Sync agent gMSA (provAgentgMSA$)";
    return m;
  }
  if (!util::istarts_with(sam, "MSOL_")) return m;
  const auto desc = util::trim(e->first("description").value_or(""));
  for (auto d : kConnectDescriptions) {
    if (util::istarts_with(desc, d)) {
      m.connect = true;
      m.why = "MSOL_ account with the Azure AD Connect wizard's description";
      return m;
    }
  }
  m.lookalike = true;
  return m;
}

struct NamingContext {
  const Entry* head;
  std::string_view kind;  // domain, configuration, schema
};

class DcsyncRights final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.dcsync-rights",
        .title = "Replication (DCSync) rights on a naming context held by a non-admin principal",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1003.006", "T1098"},
        .references =
            {"https://learn.microsoft.com/en-us/windows/win32/adschema/r-ds-replication-get-changes-all",
             "https://learn.microsoft.com/en-us/windows/win32/adschema/r-ds-replication-get-changes",
             "https://learn.microsoft.com/en-us/azure/active-directory/hybrid/connect/"
             "reference-connect-adsyncconfig",
             "https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/how-to-install",
             "CISA AA21-008A", "PingCastle delegation check (EXT_RIGHT_REPLICATION_GET_CHANGES_ALL)",
             "PingCastle GenerateMSOLData (Azure AD Connect accounts)", "Purple Knight SI000021",
             "Microsoft Defender for Identity alert 2006 (Suspected DCSync attack)",
             "BloodHound GetChanges / GetChangesAll / DCSync"},
        .description =
            "DS-Replication-Get-Changes together with DS-Replication-Get-Changes-All on a naming-context "
            "head lets a principal ask a domain controller to replicate the naming context with its secrets "
            "(DRSGetNCChanges): the NT hash and Kerberos keys of every account, krbtgt included. Mimikatz "
            "and Impacket call this DCSync. Granting the two extended rights to an ordinary account is a "
            "favourite persistence: it survives password resets of the admins, needs no membership in any "
            "group and no logon to a DC, and gives golden tickets at will. GenericAll and "
            "All-Extended-Rights (CR without an object type) include both rights. The check reads the DACL "
            "of the domain head, and of the configuration and schema naming-context heads when they are in "
            "the input.",
        .severity_notes =
            "Critical: both rights (directly, through GenericAll or All-Extended-Rights, or Get-Changes-All "
            "while an everyone-like group such as Authenticated Users holds Get-Changes). High: "
            "Get-Changes-All without Get-Changes (half of DCSync; one more ACE completes it). Medium: the "
            "recognised Azure AD Connect account (MSOL_ name and the wizard's description) or the Entra "
            "Cloud Sync gMSA provAgentgMSA$, which hold DCSync by design for password hash sync: reported "
            "apart so it can be baselined. An MSOL_ account without the wizard's description is not "
            "recognised. Get-Changes or Get-Changes-In-Filtered-Set alone is not reported (no secrets). Not "
            "reported: tier-0 principals (domain controllers, Enterprise Domain Controllers, "
            "Domain/Enterprise Admins, Administrators, SYSTEM, ...), SELF/CREATOR OWNER, and (Enterprise) "
            "Read-only Domain Controllers for Get-Changes and Get-Changes-In-Filtered-Set.",
        .false_positives =
            "Azure AD Connect installed with a custom (non-MSOL_) AD DS connector account, "
            "identity-management or password-audit products (MIM, DSInternals-based audits, some backup "
            "products) that were deliberately granted replication rights. Confirm each with its owner and "
            "baseline it; any account with these rights is tier 0 and must be protected as such.",
        .remediation =
            "Remove the ACEs unless the holder is a documented sync account: on the naming-context head, "
            "dsacls \"<DN>\" /R <DOMAIN\\principal> or in ADUC > Security > Advanced, remove the "
            "'Replicating Directory Changes (All)' entries. Then assume the secrets were replicated: reset "
            "krbtgt twice (with a replication interval between), reset the accounts an attacker would "
            "target, and find how the ACE was added (event 5136 on the head, the replication metadata of "
            "nTSecurityDescriptor).",
        .needs = {{Dataset::domain,
                   {"nTSecurityDescriptor"},
                   {"sAMAccountName", "description", "objectClass"}}},
        .evidence = {{"trustee", "SID of the principal holding the rights"},
                     {"trustee_name", "its resolved name (or unresolved)"},
                     {"trustee_scope", "\"everyone\" when the trustee stands for every user"},
                     {"rights", "replication rights held, or the broader right that carries them"},
                     {"aces", "the contributing ACEs in SDDL"},
                     {"inherited", "every contributing ACE is inherited"},
                     {"naming_context", "DN of the naming-context head"},
                     {"naming_context_type", "domain, configuration or schema"},
                     {"complete", "both halves of DCSync are held"},
                     {"get_changes_from",
                      "everyone-like principals whose Get-Changes completes the trustee's"},
                     {"azure_ad_connect",
                      "the trustee is the recognised Azure AD Connect / Cloud Sync account"},
                     {"azure_ad_connect_lookalike", "named MSOL_ but without the wizard's description"},
                     {"enabled", "false when the trustee account is disabled (accounts only)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& dom = snap.domain();
    if (!dom || !dom->head) return;  // the engine already reports a missing domain dataset

    std::vector<NamingContext> ncs = {{dom->head, "domain"}};
    if (const auto* config = snap.configuration_head()) {
      ncs.push_back({config, "configuration"});
      if (const auto* schema = snap.find_dn("CN=Schema," + std::string(config->dn())))
        ncs.push_back({schema, "schema"});
    }

    // A naming-context head whose descriptor does not decode cannot be judged: the check is not evaluated
    // (never passed), naming each such head; what the other heads show is still reported.
    std::string undecodable;
    for (const auto& nc : ncs) {
      if (const auto why = acl::undecodable_descriptor(snap, *nc.head); !why.empty()) {
        undecodable += (undecodable.empty() ? "" : "; ") + std::string("the ") + std::string(nc.kind) +
                       " naming-context head cannot be judged: " + why;
        continue;
      }
      const auto* sd = acl::descriptor_or_note(snap, *nc.head, out);
      if (!sd) {
        if (!snap.descriptors().of(*nc.head)) {
          const std::string why = "the " + std::string(nc.kind) + " naming-context head " +
                                  std::string(nc.head->dn()) +
                                  " carries no nTSecurityDescriptor in the input";
          if (nc.kind == "domain")
            out.not_evaluated(why);
          else
            out.note(why);
        }
        continue;
      }
      evaluate_head(snap, nc, *sd, out);
    }
    if (!undecodable.empty()) {
      if (!out.not_evaluated_reason().empty()) undecodable = out.not_evaluated_reason() + "; " + undecodable;
      out.not_evaluated(undecodable);
    }
  }

 private:
  static void evaluate_head(const Snapshot& snap, const NamingContext& nc,
                            const parsers::SecurityDescriptor& sd, Findings& out) {
    const std::string nc_dn(nc.head->dn());
    if (acl::dacl_grants_everyone(sd)) {
      const Sid everyone(1, {0});
      auto& f = out.add(*nc.head).set_key("null-dacl");
      f.set_message("the " + std::string(nc.kind) +
                    " naming-context head has a null DACL: everyone holds every right, DCSync included");
      f.add("trustee", everyone.to_string());
      f.add("trustee_name", "Everyone");
      f.add("trustee_scope", "everyone");
      f.add("rights", std::vector<std::string>{"GenericAll"});
      f.add("aces", std::vector<std::string>{});
      f.add("inherited", false);
      f.add("naming_context", nc_dn);
      f.add("naming_context_type", nc.kind);
      f.add("complete", true);
      f.add("azure_ad_connect", false);
      return;
    }

    const auto grants = acl::grants(sd, *nc.head, kReplication);
    // Get-Changes held by an everyone-like group is held by every account: it completes anyone's -All.
    std::vector<std::string> everyone_get_changes;
    for (const auto& g : grants)
      if (g.has(right::kGetChanges) && acl::is_everyone_like(snap, g.trustee))
        everyone_get_changes.push_back(acl::principal_label(snap, g.trustee));

    for (const auto& g : grants) {
      if (acl::is_placeholder(g.trustee)) continue;
      const bool rodc = is_rodc_group(snap, g.trustee);
      if (!rodc && acl::is_tier0_principal(snap, g.trustee)) continue;
      if (!g.has(right::kGetChangesAll)) continue;  // no secrets without -All (RODCs: their default)

      const bool direct_pair = g.has(right::kGetChanges);
      const bool complete = direct_pair || !everyone_get_changes.empty();
      const Entry* who = snap.find_sid(g.trustee);
      const auto connect = azure_ad_connect(who);
      const std::string label = acl::principal_label(snap, g.trustee);
      const std::string where = "the " + std::string(nc.kind) + " naming context";

      auto& f = out.add(*nc.head).set_key(g.trustee.to_string());
      if (connect.connect) {
        f.set_severity(Severity::medium);
        f.set_message("Azure AD Connect sync account " + label + " holds " +
                      (complete ? "DCSync rights" : "DS-Replication-Get-Changes-All") + " on " + where +
                      " (expected for password hash sync; " + connect.why +
                      "): baseline it and protect it as tier 0");
      } else if (complete) {
        f.set_severity(Severity::critical);
        std::string msg = label + " can DCSync " + where + ": it holds DS-Replication-Get-Changes-All";
        msg += direct_pair ? " and DS-Replication-Get-Changes"
                           : " and every account holds DS-Replication-Get-Changes";
        if (connect.lookalike)
          msg += " (named like an Azure AD Connect account, without the wizard's description)";
        f.set_message(msg);
      } else {
        f.set_severity(Severity::high);
        f.set_message(label + " holds DS-Replication-Get-Changes-All on " + where +
                      " without DS-Replication-Get-Changes: one more ACE completes DCSync");
      }
      acl::add_grant_evidence(f, snap, g, kReplication);
      f.add("naming_context", nc_dn);
      f.add("naming_context_type", nc.kind);
      f.add("complete", complete);
      if (!direct_pair && complete) f.add("get_changes_from", everyone_get_changes);
      f.add("azure_ad_connect", connect.connect);
      if (connect.lookalike) f.add("azure_ad_connect_lookalike", true);
      if (who && who->is_account()) f.add("enabled", !who->disabled());
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(DcsyncRights)
}  // namespace adpersist::checks
