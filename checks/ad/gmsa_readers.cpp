// ad.gmsa-readers: who may read a group managed service account's password (msDS-GroupMSAMembership).
#include <algorithm>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/domain_sids.hpp"
#include "scanner/parsers/security_descriptor.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr const char* kAttr = "msDS-GroupMSAMembership";

// The export asked for the attribute by name (a "*" export may silently lack it).
bool requested_by_name(const Snapshot& snap) {
  for (const auto& s : snap.sources())
    for (const auto& a : s.requested)
      if (util::iequals(a, kAttr)) return true;
  return false;
}

class GmsaReaders final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.gmsa-readers",
        .title = "gMSA password readable outside tier 0 (privileged gMSA) or by everyone (any gMSA)",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1552", "T1078.002"},
        .references =
            {"https://learn.microsoft.com/en-us/windows-server/security/group-managed-service-accounts/"
             "group-managed-service-accounts-overview",
             "https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-groupmsamembership",
             "BloodHound edge ReadGMSAPassword",
             "Purple Knight SI000083 Non-privileged users with access to gMSA passwords"},
        .description =
            "A group managed service account's password is computed by the domain controllers and handed to "
            "whoever the security descriptor in its msDS-GroupMSAMembership attribute allows "
            "(PrincipalsAllowedToRetrieveManagedPassword). Every principal with an allow ACE there can read "
            "msDS-ManagedPassword and so hold the account's NT hash and Kerberos keys whenever it likes, "
            "without any logon event on the account. When the gMSA is tier 0 (a member of a privileged "
            "group, "
            "directly or nested), each such reader is tier 0 in effect; an attacker adds a computer or "
            "account of theirs to the list, or to a group on it, to keep domain-admin credentials at hand. "
            "The check reports readers outside tier 0 on tier-0 gMSAs and everyone-like readers on any gMSA. "
            "Like SharpHound's ReadGMSAPassword, every allow ACE counts, whatever its access mask.",
        .severity_notes =
            "High for a non-tier-0 reader of a tier-0 gMSA, critical when the reader is Everyone, "
            "Authenticated Users, Domain Users, Domain Computers or a similar group. Medium for an "
            "everyone-like reader of a gMSA that is not tier 0 (any account can take over that service). "
            "A value that does not decode is reported (high on a tier-0 gMSA, medium otherwise) with a note.",
        .false_positives =
            "The servers that run the service (computer accounts, or a group of them) must be readers: on a "
            "tier-0 gMSA this is by design but makes those servers tier 0, to be managed as such. Readers "
            "are not expanded through groups; a group named here hands the password to all its members.",
        .remediation =
            "Limit the readers to the hosts that run the service: Set-ADServiceAccount <name> "
            "-PrincipalsAllowedToRetrieveManagedPassword <host1$>,<host2$>. If the gMSA is privileged, "
            "question why a service account needs that group, and treat the reader hosts as tier 0. After "
            "removing an unexpected reader, assume the password was read: have the password rolled "
            "(Reset-ADServiceAccountPassword on a host that runs it, or change "
            "ManagedPasswordIntervalInDays) "
            "and review what the account did.",
        .needs = {{Dataset::domain,
                   {kAttr},
                   {"objectSid", "member", "primaryGroupID", "userAccountControl"}}},
        .evidence = {{"reader", "SID of the principal allowed to read the password"},
                     {"reader_name", "its resolved name, or unresolved"},
                     {"reader_scope", "everyone when the reader stands for any account, else principal"},
                     {"aces", "the allow ACEs naming the reader, as SDDL (SIDs unabbreviated)"},
                     {"readers", "every reader of this gMSA, each \"SID (name)\""},
                     {"decoded", "false when the descriptor could not be parsed"},
                     {"decode_error", "the parser's error for an undecodable value"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the gMSA is tier 0 (member of a privileged group)"},
                     {"privileged_groups", "privileged groups the gMSA belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    const auto sddl_ctx = acl::evidence_sddl_context();
    std::size_t gmsas = 0, with_value = 0;

    for (const auto& e : snap.entries()) {
      if (!e.has_class("msDS-GroupManagedServiceAccount")) continue;
      ++gmsas;
      const auto value = e.first(kAttr);
      if (!value) continue;
      ++with_value;
      const bool tier0 = priv.is_tier0(e);

      auto sd = parsers::parse_security_descriptor(*value);
      if (!sd) {
        out.note(std::string(e.dn()) + " attribute " + kAttr + ": " + sd.error().describe());
        auto& f = out.add(e).set_key("undecodable");
        f.set_severity(tier0 ? Severity::high : Severity::medium);
        f.set_message(std::string(tier0 ? "tier-0 " : "") +
                      "gMSA password readers cannot be named: msDS-GroupMSAMembership does not decode");
        f.add("decoded", false);
        f.add("decode_error", sd.error().describe());
        add_account_evidence(f, e, priv);
        continue;
      }

      // Readers in ACE order, each once, with the ACEs that name it.
      struct Reader {
        Sid sid;
        std::vector<std::string> aces;
      };
      std::vector<Reader> readers;
      if (sd->null_dacl()) {
        readers.push_back({Sid(1, {0}), {}});  // no DACL: everyone may read
      } else if (sd->dacl) {
        for (const auto& ace : sd->dacl->aces) {
          if (!ace.is_allow() || !ace.is_known_type() || acl::is_placeholder(ace.trustee)) continue;
          auto it = std::find_if(readers.begin(), readers.end(),
                                 [&](const Reader& r) { return r.sid == ace.trustee; });
          if (it == readers.end()) {
            readers.push_back({ace.trustee, {}});
            it = std::prev(readers.end());
          }
          it->aces.push_back(parsers::ace_to_sddl(ace, sddl_ctx));
        }
      }
      std::vector<std::string> all;
      for (const auto& r : readers) all.push_back(acl::principal_label(snap, r.sid));

      for (const auto& r : readers) {
        const bool everyone = acl::is_everyone_like(snap, r.sid);
        Severity sev;
        if (tier0) {
          if (acl::is_tier0_principal(snap, r.sid)) continue;
          sev = everyone ? Severity::critical : Severity::high;
        } else {
          if (!everyone) continue;
          sev = Severity::medium;
        }
        auto& f = out.add(e).set_key(r.sid.to_string());
        f.set_severity(sev);
        f.set_message(acl::principal_label(snap, r.sid) + " can read the password of " +
                      (tier0 ? "tier-0 gMSA " : "gMSA ") + std::string(e.display_name()) +
                      (sd->null_dacl() ? " (msDS-GroupMSAMembership has a null DACL)" : ""));
        const auto name = sid_name(snap, r.sid);
        f.add("reader", r.sid.to_string());
        f.add("reader_name", name.empty() ? std::string("unresolved") : name);
        f.add("reader_scope", everyone ? "everyone" : "principal");
        f.add("aces", r.aces);
        f.add("readers", all);
        f.add("decoded", true);
        add_account_evidence(f, e, priv);
      }
    }

    // A gMSA always has readers in practice; none carrying the value, in an export that did not ask for it
    // by name, means it was not returned (not readable by the exporting account), not "no readers".
    if (gmsas > 0 && with_value == 0 && !requested_by_name(snap))
      out.not_evaluated(std::to_string(gmsas) + " gMSA object(s) but none carries " + kAttr +
                        ", which the export did not request by name: export it explicitly with an account "
                        "allowed to read it");
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(GmsaReaders)
}  // namespace adpersist::checks
