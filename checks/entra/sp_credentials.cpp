// entra.sp-credentials: secrets and certificates stored on a service principal of this tenant's own apps.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class SpCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.sp-credentials",
        .title = "Credential stored on a service principal instead of its application",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"CISA AA21-008A",
                       "https://github.com/cisagov/ScubaGear/issues/1951",
                       "https://learn.microsoft.com/en-us/graph/api/serviceprincipal-addpassword"},
        .description =
            "A service principal can carry its own secrets and certificates, separate from its application "
            "object. They authenticate exactly like the application's, but the Entra portal's App registrations "
            "blade does not show them and rotating the application's credentials leaves them in place, which "
            "makes them a quiet backdoor. Legitimate uses are narrow: the signing certificate Entra creates for "
            "SAML single sign-on and managed identities (Azure manages those). This check covers service "
            "principals of applications registered in this tenant (and of unknown owner); Microsoft's and "
            "other tenants' applications have their own checks.",
        .severity_notes =
            "Critical when the service principal holds a critical application permission or a privileged "
            "directory role; high otherwise.",
        .false_positives =
            "Some older hybrid and provisioning connectors were set up with service-principal secrets; confirm "
            "with the application owner and move the credential to the application object.",
        .remediation =
            "Remove the credential (Remove-MgServicePrincipalPassword / update keyCredentials), review the "
            "service principal's sign-ins for the key id, and give the application a credential on its "
            "application object if it still needs one.",
        .needs = {{Dataset::service_principals,
                   {"keyCredentials", "passwordCredentials", "servicePrincipalType", "appOwnerOrganizationId"},
                   {"preferredSingleSignOnMode"}}},
        .evidence = {{"app_id", "the service principal's application (client) id"},
                     {"service_principal_type", "Application or Legacy"},
                     {"credential", "kind, key id, display name, start and end; thumbprint for certificates"},
                     {"recent", "the credential's start lies inside the recent window"},
                     {"privileged_permissions", "critical or data-access permissions and privileged roles held"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    for (const auto& sp : t.service_principals()) {
      if (entra::is_managed_identity(sp)) continue;
      const auto own = entra::ownership(t, sp);
      if (own == entra::Ownership::microsoft || own == entra::Ownership::third_party) continue;
      const auto labels = grants.privileged_labels(sp.id);
      const bool critical = grants.top_tier(sp.id) == me::RoleTier::critical || grants.holds_privileged_directory_role(sp.id);
      for (auto& c : entra::sign_in_credentials(sp)) {
        auto& f = out.add(entra::resource_of(sp)).set_key("credential:" + c.key_id);
        if (critical) f.set_severity(Severity::critical);
        const bool recent = c.start && ctx.is_recent(*c.start);
        std::string msg = std::string(c.kind) + " on the service principal itself";
        if (c.start) msg += ", added " + parsers::format_rfc3339(*c.start).substr(0, 10);
        if (recent) msg += " (inside the recent window)";
        msg += entra::holds_phrase(labels);
        f.set_message(msg);
        f.add("app_id", sp.app_id);
        f.add("service_principal_type", sp.type);
        f.add("credential", std::move(c.evidence));
        f.add("recent", recent);
        f.add("privileged_permissions", labels);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(SpCredentials)
}  // namespace adpersist::checks
