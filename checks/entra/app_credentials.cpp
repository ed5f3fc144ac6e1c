// entra.app-credentials: a credential added to an established application inside the recent window.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

// A credential created within this long after its application is part of setting the app up, not persistence.
constexpr auto kSetupGrace = std::chrono::hours(24 * 7);

class AppCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.app-credentials",
        .title = "Credential recently added to an established application",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"CISA AA21-008A", "CISA AA20-352A",
                       "https://techcommunity.microsoft.com/t5/microsoft-entra-blog/"
                       "understanding-quot-solorigate-quot-s-identity-iocs-for-identity-vendors/ba-p/2007610",
                       "https://learn.microsoft.com/en-us/graph/api/resources/keycredential",
                       "https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential"},
        .description =
            "Whoever holds an application's secret or certificate signs in as the application, with every "
            "application permission it holds, without MFA, and keeps that access across user password resets. "
            "Adding a credential to an application that already works (rather than creating a new one) was the "
            "core persistence technique of the SolarWinds actor. This check reports secrets and certificates "
            "(usage Verify) whose start date lies inside the recent window (--since) and more than seven days "
            "after the application was created.",
        .severity_notes =
            "Critical when the application's service principal holds a critical application permission "
            "(RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All, ...) "
            "or a privileged directory role; high otherwise.",
        .false_positives =
            "Planned rotation adds a new credential before the old one expires: the new one starts shortly "
            "before the old one's end date and the change is in your change records. Credentials created with "
            "the application (within seven days) are not reported.",
        .remediation =
            "Confirm the credential with the application's owner (the audit log's 'Update application - "
            "Certificates and secrets management' event names who added it). If nobody did, remove it "
            "(Remove-MgApplicationPassword / Remove-MgApplicationKey), review the service principal's sign-ins "
            "for the key id, and rotate every other credential of the application.",
        .needs = {{Dataset::applications, {"keyCredentials", "passwordCredentials", "createdDateTime"}}},
        .evidence = {{"app_id", "the application (client) id"},
                     {"app_created", "when the application was created"},
                     {"credential", "kind, key id, display name, start and end; thumbprint for certificates"},
                     {"days_after_app_created", "whole days between the app's creation and the credential's start"},
                     {"privileged_permissions", "critical or data-access permissions and privileged roles the "
                                                "application's service principal holds"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    for (Dataset d : {Dataset::service_principals, Dataset::app_role_assigned_to, Dataset::role_assignments})
      if (ctx.snapshot.dataset(d).state != DatasetState::ok)
        out.note("severity not raised for privileged applications: dataset '" + std::string(to_string(d)) +
                 "' is not complete");

    for (const auto& app : t.applications()) {
      if (!app.created) {
        out.note(app.origin.where() + ": application '" + app.display_name + "' has no createdDateTime");
        continue;
      }
      const me::ServicePrincipal* sp = t.sp_by_app_id(app.app_id);
      const auto labels = sp ? grants.privileged_labels(sp->id) : std::vector<std::string>{};
      const bool critical = sp && (grants.top_tier(sp->id) == me::RoleTier::critical ||
                                   grants.holds_privileged_directory_role(sp->id));

      for (auto& c : entra::sign_in_credentials(app)) {
        if (!c.start || !ctx.is_recent(*c.start) || *c.start <= *app.created + kSetupGrace) continue;
        const auto days = entra::days_between(*app.created, *c.start);
        auto& f = out.add(entra::resource_of(app)).set_key("credential:" + c.key_id);
        if (critical) f.set_severity(Severity::critical);
        std::string msg = std::string(c.kind) + " added on " + parsers::format_rfc3339(*c.start).substr(0, 10) + ", " +
                          std::to_string(days) + " days after the application was created";
        msg += entra::holds_phrase(labels, "; the application holds ");
        f.set_message(msg);
        f.add("app_id", app.app_id);
        f.add("app_created", entra::format_time(app.created));
        f.add("credential", std::move(c.evidence));
        f.add("days_after_app_created", days);
        f.add("privileged_permissions", labels);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AppCredentials)
}  // namespace adpersist::checks
