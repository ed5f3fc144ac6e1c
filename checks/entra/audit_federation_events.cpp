// entra.audit-federation-events: directory audit records of domain federation changes and of domains added or
// verified inside the recent window.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "checks/support/entra_audit.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;
namespace au = entra_audit;

enum class Kind { set_authentication, set_federation, add_verified, add_unverified, verify };

std::optional<Kind> kind_of(const me::DirectoryAudit& a) {
  if (au::activity_is(a.activity, "Set domain authentication")) return Kind::set_authentication;
  if (au::activity_is(a.activity, "Set federation settings on domain")) return Kind::set_federation;
  if (au::activity_is(a.activity, "Add verified domain")) return Kind::add_verified;
  if (au::activity_is(a.activity, "Add unverified domain")) return Kind::add_unverified;
  if (au::activity_is(a.activity, "Verify domain")) return Kind::verify;
  return std::nullopt;
}

// The domain a record is about: the target written as type Other/Domain with the domain as display name,
// else the first target with a display name, else a Name/DomainName modified property.
std::pair<const me::AuditTarget*, std::string> domain_of(const me::DirectoryAudit& a) {
  const me::AuditTarget* t = au::target_of_type(a, {"Domain", "Other"});
  if (!t)
    for (const auto& x : a.targets)
      if (!x.display_name.empty()) {
        t = &x;
        break;
      }
  if (t && !t->display_name.empty()) return {t, util::to_lower(t->display_name)};
  for (const char* p : {"Name", "DomainName", "Domain"})
    if (auto v = au::new_value(a, p); !v.empty()) return {t, util::to_lower(v)};
  return {t, std::string()};
}

class AuditFederationEvents final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.audit-federation-events",
        .title = "Audit log: domain federated, federation settings changed, or domain added",
        .severity = Severity::critical,
        .platform = Platform::entra,
        .category = "trust",
        .mitre = {"T1484.002", "T1606.002"},
        .references = {"CISA AA21-008A", "https://github.com/cisagov/Sparrow",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://aadinternals.com/post/aadbackdoor/",
                       "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-audit-activities"},
        .description =
            "Federating a domain to an identity provider the attacker runs (AADInternals "
            "ConvertTo-AADIntBackdoor, the UNC2452 playbook) or adding a token-signing certificate to an "
            "existing federation lets the attacker sign in as any user of the domain; adding and verifying a "
            "new domain prepares it for that. These changes are rare in a healthy tenant. This check reports "
            "every record inside the recent window (--since) of 'Set domain authentication' and 'Set "
            "federation settings on domain' (critical), and of 'Add verified domain', 'Add unverified domain' "
            "and 'Verify domain' (medium), with the properties the change set (IssuerUri, "
            "SigningCertificateThumbprint, LiveType ...). " +
            std::string(au::kRetentionNote),
        .severity_notes =
            "Critical for 'Set domain authentication' to Federated and for 'Set federation settings on domain'. "
            "Medium for 'Set domain authentication' back to Managed (the federation is removed, not added) and "
            "for adding or verifying a domain. A failed attempt is one level lower.",
        .false_positives =
            "Planned AD FS or third-party identity provider set-up, a manual token-signing certificate rollover "
            "(Update-MsolFederatedDomain, Update-MgDomainFederationConfiguration), adding a domain for a new "
            "brand or mail domain. Confirm each with the identity team and the change records.",
        .remediation =
            "For a federation change nobody expected: compare the domain's federationConfiguration with your "
            "identity provider (entra.federation-issuer and entra.federation-signing-certificate judge the "
            "result), convert the domain back to managed authentication if it is not yours, revoke the "
            "sessions of the domain's users and investigate the actor's account and its sign-ins from "
            "actor_ip. Remove domains nobody added on purpose (Remove-MgDomain).",
        .needs = {{Dataset::directory_audits,
                   {"activityDisplayName", "activityDateTime", "initiatedBy", "targetResources"},
                   {"result", "correlationId", "loggedByService"}}},
        .evidence = au::record_evidence_fields({
            {"domain", "the domain the record is about"},
            {"live_type", "for Set domain authentication: the authentication type before and after"},
            {"modified_properties", "properties the change set: name, decoded old and new values "
                                    "(shortened to 200 characters)"},
            {"current_authentication_type", "the domain's authentication type now (domains list)"},
            {"current_verified", "whether the domain is verified now (domains list)"}
        }),
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const bool have_domains = t.dataset(Dataset::domains).state == DatasetState::ok;
    bool noted = false;
    std::size_t undated = 0;

    for (const auto& a : t.directory_audits()) {
      const auto kind = kind_of(a);
      if (!kind) continue;
      if (!a.time) {
        ++undated;
        continue;
      }
      if (!ctx.is_recent(*a.time)) continue;

      const auto [target, domain] = domain_of(a);
      std::string live_old, live_new;
      if (const auto* p = au::find_property(a, "LiveType")) {
        live_old = au::first_value(p->old_value);
        live_new = au::first_value(p->new_value);
      }

      Severity sev = Severity::medium;
      std::string what;
      switch (*kind) {
        case Kind::set_authentication:
          if (util::iequals(live_new, "Managed")) {
            what = "authentication set back to Managed" + (live_old.empty() ? "" : " (was " + live_old + ")");
          } else {
            sev = Severity::critical;
            what = live_new.empty() ? "authentication type changed"
                                    : "authentication switched " + (live_old.empty() ? "" : "from " + live_old + " ") +
                                          "to " + live_new;
          }
          break;
        case Kind::set_federation: {
          sev = Severity::critical;
          std::string names;
          if (target)
            for (const auto& p : target->modified)
              if (!util::iequals(p.name, "Included Updated Properties")) names += (names.empty() ? "" : ", ") + p.name;
          what = "federation settings changed" + (names.empty() ? "" : " (" + names + ")");
          break;
        }
        case Kind::add_verified: what = "verified domain added"; break;
        case Kind::add_unverified: what = "unverified domain added"; break;
        case Kind::verify: what = "domain verified"; break;
      }
      sev = au::for_result(a, sev);

      Resource res;
      res.type = "domain";
      res.id = domain.empty() ? a.id : domain;
      res.name = domain;
      auto& f = out.add(res).set_key("audit:" + a.id).set_severity(sev);
      f.set_message((domain.empty() ? "domain not named in the record: " : "") + what + " by " + a.actor() + " at " +
                    entra::format_time(a.time) + (au::succeeded(a) ? "" : " (failed)"));
      au::add_record_evidence(f, a);
      f.add("domain", domain);
      if (!live_old.empty() || !live_new.empty()) f.add("live_type", Json{{"old", live_old}, {"new", live_new}});
      f.add("modified_properties", target ? au::modified_json(*target) : Json::array());

      if (!have_domains) {
        if (!noted) out.note("the domains' current state is not shown: the domains list was not collected");
        noted = true;
        continue;
      }
      const me::Domain* now = nullptr;
      for (const auto& d : t.domains())
        if (util::iequals(d.id, domain)) now = &d;
      f.add("current_authentication_type", now ? Json(now->authentication_type) : Json(nullptr));
      f.add("current_verified", now && now->is_verified ? Json(*now->is_verified) : Json(nullptr));
    }
    if (undated) out.note(std::to_string(undated) + " domain audit record(s) without activityDateTime were skipped");
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AuditFederationEvents)
}  // namespace adpersist::checks
