// ad.sid-history: sIDHistory values, graded by what the SID grants and where it comes from.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"
#include "checks/support/domain_trusts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class SidHistory final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.sid-history",
        .title = "sIDHistory carries a privileged, same-domain or unknown-domain SID",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1134.005"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-sidhistory",
                       "https://learn.microsoft.com/en-us/defender-for-identity/"
                       "security-assessment-unsecure-sid-history-attribute",
                       "PingCastle T-SIDHistoryDangerous", "PingCastle T-SIDHistorySameDomain",
                       "PingCastle T-SIDHistoryUnknownDomain", "PingCastle S-SIDHistory",
                       "Purple Knight SI000023", "Purple Knight SI000060"},
        .description =
            "Every SID in an account's sIDHistory is added to its Kerberos and NTLM tokens, exactly as if "
            "the account were that principal. Migrations use it to keep access to resources of an old "
            "domain; attackers write it (mimikatz sid::add, DCShadow, or a DSInternals offline edit) to give "
            "an innocuous account the SID of Domain Admins, Enterprise Admins or Administrators. The rights "
            "never appear in any group's member list, so membership reviews miss them. A SID of the same "
            "domain has no migration purpose at all, and a SID of a domain that is no longer trusted is a "
            "leftover at best.",
        .severity_notes =
            "Critical when the SID is privileged (any SID outside an account domain such as S-1-5-32-544, or "
            "a domain SID with a RID below 1000) or belongs to this domain. Medium when the SID's domain is "
            "a known trust of this domain (an ordinary migration leftover). High otherwise: a SID of an "
            "unknown or removed domain.",
        .false_positives =
            "Accounts migrated with ADMT from a domain that is still trusted keep ordinary SIDs of that "
            "domain (medium). Migrated accounts whose source domain was decommissioned keep SIDs of an "
            "unknown domain until the history is cleaned.",
        .remediation =
            "Confirm no migration is in progress, then clear the value: Set-ADUser <name> -Remove "
            "@{sIDHistory='<SID>'} (Set-ADGroup / Set-ADComputer for other objects). For privileged or "
            "same-domain SIDs treat the account as compromised: reset its password, review its logons since "
            "whenCreated, and enable SID filtering (quarantine) on trusts (netdom trust <trusting> "
            "/domain:<trusted> /quarantine:yes).",
        .needs = {{Dataset::domain,
                   {"sIDHistory"},
                   {"objectSid", "userAccountControl", "trustPartner", "securityIdentifier", "flatName"}}},
        .evidence = {{"sid", "the sIDHistory value (string form)"},
                     {"sid_domain", "the SID without its RID (the domain it belongs to)"},
                     {"rid", "the SID's last sub-authority"},
                     {"sid_name", "what the SID is called (resolved in the input or well known), when known"},
                     {"privileged", "the SID is privileged: outside an account domain, or a RID below 1000"},
                     {"same_domain", "the SID belongs to this domain"},
                     {"known_trust", "the trust partner whose domain SID matches, or null"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the object is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the object belongs to (accounts only)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    const std::optional<Sid> own = snap.domain() ? snap.domain()->sid : std::nullopt;
    const auto trusts = read_trusts(snap);
    for (const auto& e : snap.entries()) {
      for (auto value : e.values("sIDHistory")) {
        auto parsed = parsers::parse_sid_any(value);
        if (!parsed) {
          out.note(std::string(e.dn()) + " attribute sIDHistory: " + parsed.error().message);
          continue;
        }
        const Sid& sid = parsed.value();
        const bool privileged = is_privileged_sid(sid);
        const bool same_domain = own && sid.is_in_domain(*own);
        const TrustInfo* trust = sid.is_domain_account() ? find_trust(trusts, sid.parent()) : nullptr;

        const std::string text = sid.to_string();
        auto& f = out.add(e).set_key(text);
        const std::string name = sid_name(snap, sid);
        std::string why;
        if (privileged || same_domain) {
          f.set_severity(Severity::critical);
          why = privileged ? "a privileged SID" : "a SID of its own domain";
        } else if (trust) {
          f.set_severity(Severity::medium);
          why = "a SID of trusted domain " + trust->partner;
        } else {
          f.set_severity(Severity::high);
          why = "a SID of an unknown or removed domain";
        }
        f.set_message("sIDHistory holds " + why + " (" + text + (name.empty() ? "" : " " + name) +
                      "): the object acts with that SID's rights");
        f.add("sid", text);
        f.add("sid_domain", sid.sub_count() > 0 ? sid.parent().to_string() : text);
        f.add("rid", sid.rid());
        if (!name.empty()) f.add("sid_name", name);
        f.add("privileged", privileged);
        f.add("same_domain", same_domain);
        if (trust)
          f.add("known_trust", trust->partner);
        else
          f.add("known_trust", nullptr);
        if (e.is_account()) add_account_evidence(f, e, priv);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(SidHistory)
}  // namespace adpersist::checks
