// entra.domain-inventory: every domain of the tenant, one informational finding each; unverified domains low.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

Json optional_bool(const std::optional<bool>& b) { return b ? Json(*b) : Json(nullptr); }

class DomainInventory final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.domain-inventory",
        .title = "Domains of the tenant (inventory), and unverified domains",
        .severity = Severity::info,
        .platform = Platform::entra,
        .category = "configuration",
        .mitre = {"T1484.002"},
        .references = {"https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/graph/api/resources/domain",
                       "https://www.mandiant.com/resources/blog/remediation-and-hardening-strategies-for-microsoft-365-to-defend-against-unc2452"},
        .description =
            "Every domain added to the tenant is a place where sign-in can be redirected: once verified, a "
            "domain can be federated to an identity provider of the attacker's choosing (the domain federation "
            "backdoor), and an unverified domain lingers, ready to be verified and federated later. This check "
            "lists every domain with its authentication type (Managed or Federated, and for a federated domain "
            "the issuer it trusts), whether it is verified, default, initial or root, and the services it is "
            "enabled for, so a baseline shows a domain added since the last scan. Unverified domains are "
            "reported low, as Mandiant's AAD Investigator does.",
        .severity_notes = "Info for verified domains; low for an unverified domain. Never higher: the federation "
                          "checks and entra.audit-federation-events judge what a domain is used for.",
        .false_positives =
            "Unverified domains are often left over from an abandoned migration or a typo. Remove those nobody "
            "needs (Remove-MgDomain) so they cannot be verified and federated later.",
        .remediation =
            "Compare the list with the domains your organisation owns. Remove unknown or unneeded domains "
            "(Remove-MgDomain -DomainId <domain>) after checking that no user, group or application uses them, "
            "and review who added them (audit 'Add unverified domain', 'Add verified domain', 'Verify domain').",
        .needs = {{Dataset::domains,
                   {"authenticationType", "isVerified"},
                   {"isDefault", "isInitial", "isRoot", "supportedServices"}}},
        .evidence = {{"authentication_type", "Managed or Federated"},
                     {"verified", "isVerified"},
                     {"default", "isDefault"},
                     {"initial", "isInitial (the <tenant>.onmicrosoft.com domain)"},
                     {"root", "isRoot"},
                     {"supported_services", "services the domain is enabled for (Email, Intune, ...)"},
                     {"issuer_uri", "for a federated domain: the issuerUri of its federationConfiguration"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const bool have_federation = t.dataset(Dataset::federation_configuration).state == DatasetState::ok;
    bool noted = false;

    for (const auto& dom : t.domains()) {
      const bool federated = util::iequals(dom.authentication_type, "Federated");
      const bool unverified = dom.is_verified.has_value() && !*dom.is_verified;

      std::vector<std::string> issuers;
      if (federated) {
        if (const auto* configs = t.federation(dom.id))
          for (const auto& fc : *configs)
            if (!fc.issuer_uri.empty()) issuers.push_back(fc.issuer_uri);
        if (!have_federation && !noted) {
          out.note("issuers of federated domains may be missing: the federationConfiguration is not complete");
          noted = true;
        }
      }

      auto& f = out.add(entra::resource_of(dom)).set_key("domain");
      if (unverified) f.set_severity(Severity::low);

      std::string msg = dom.authentication_type.empty() ? "authentication type unknown" : dom.authentication_type;
      if (!issuers.empty()) msg += " (issuer " + issuers.front() + ")";
      msg += unverified ? ", not verified" : dom.is_verified ? ", verified" : ", verification unknown";
      if (dom.is_default.value_or(false)) msg += ", default";
      if (dom.is_initial.value_or(false)) msg += ", initial";
      if (dom.is_root.value_or(false)) msg += ", root";
      if (!dom.supported_services.empty()) {
        msg += "; services";
        for (std::size_t i = 0; i < dom.supported_services.size(); ++i)
          msg += (i ? ", " : " ") + dom.supported_services[i];
      }
      if (unverified) msg += "; an unverified domain can be verified and federated later";
      f.set_message(msg);
      f.add("authentication_type", dom.authentication_type);
      f.add("verified", optional_bool(dom.is_verified));
      f.add("default", optional_bool(dom.is_default));
      f.add("initial", optional_bool(dom.is_initial));
      f.add("root", optional_bool(dom.is_root));
      f.add("supported_services", dom.supported_services);
      if (federated) f.add("issuer_uri", issuers.empty() ? Json(nullptr) : Json(issuers.front()));
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(DomainInventory)
}  // namespace adpersist::checks
