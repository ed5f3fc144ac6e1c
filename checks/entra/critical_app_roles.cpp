// entra.critical-app-roles: a service principal holds an application permission that amounts to tenant
// control.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class CriticalAppRoles final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.critical-app-roles",
        .title = "Service principal holds an application permission that controls the tenant",
        .severity = Severity::critical,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098.003"},
        .references = {"CISA AA21-008A", "CISA AA20-352A", "ScubaGear RiskyAppPermissions.json",
                       "https://github.com/cisagov/ScubaGear",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/graph/permissions-reference",
                       "https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list-approleassignedto"},
        .description =
            "Application permissions such as RoleManagement.ReadWrite.Directory, "
            "AppRoleAssignment.ReadWrite.All or Application.ReadWrite.All let whoever holds the "
            "application's credential make any account (itself included) Global Administrator, grant itself "
            "any other permission or add credentials to any other application: tenant takeover on demand, "
            "without a user, without MFA, surviving password resets. Granting such a permission to an "
            "application the attacker controls was a core persistence step of the SolarWinds actor. This "
            "check lists every service principal holding an application permission of a Microsoft resource "
            "(Microsoft Graph, the legacy Azure AD Graph) rated critical; the permission is resolved from "
            "the resource's own appRoles, never from a GUID alone.",
        .severity_notes =
            "Critical. High when the service principal belongs to a Microsoft first-party application "
            "(appOwnerOrganizationId is a Microsoft tenant: Microsoft holds its credentials) and carries no "
            "credential added in this tenant; a Microsoft service principal with a tenant-local credential "
            "stays critical (the Solorigate pattern). One step lower when the service principal is disabled "
            "(accountEnabled false). A grant inside the recent window (--since) is flagged in the message.",
        .false_positives =
            "Identity-governance, backup and provisioning tools sometimes need these permissions; confirm "
            "each with its owner and record it in a baseline. Prefer narrower permissions "
            "(Application.ReadWrite.OwnedBy instead of Application.ReadWrite.All, RBAC for applications).",
        .remediation =
            "If the grant is not approved, remove it (Remove-MgServicePrincipalAppRoleAssignedTo on the "
            "resource service principal), review the audit log ('Add app role assignment to service "
            "principal') for who granted it, review the service principal's sign-ins and everything it "
            "changed since, and rotate or remove its credentials. If it is approved, keep its credentials in "
            "a managed identity or certificate held in an HSM and restrict who owns the application.",
        .needs = {{Dataset::service_principals,
                   {"appId", "appRoles"},
                   {"appOwnerOrganizationId", "verifiedPublisher", "accountEnabled", "keyCredentials",
                    "passwordCredentials"}},
                  {Dataset::app_role_assigned_to,
                   {"principalId", "principalType", "appRoleId"},
                   {"createdDateTime"}}},
        .evidence = {{"permission",
                      "the application permission's value (RoleManagement.ReadWrite.Directory)"},
                     {"resource", "the API that defines it (Microsoft Graph)"},
                     {"resource_app_id", "the resource's appId"},
                     {"app_role_id", "the permission's id on that resource"},
                     {"granted", "when the assignment was created"},
                     {"granted_in_window", "the assignment was created inside the recent window"},
                     {"why", "what the permission lets the application do"},
                     {"app_id", "the service principal's appId"},
                     {"ownership",
                      "this tenant, Microsoft, third party or unknown (from appOwnerOrganizationId)"},
                     {"app_owner_organization_id", "the tenant the application is registered in"},
                     {"verified_publisher", "the verified publisher's name, empty when none"},
                     {"account_enabled", "whether the service principal can sign in"},
                     {"credentials",
                      "unexpired credentials on the service principal and on its application "
                      "(application null when it is not registered in this tenant or was not collected)"},
                     {"other_privileged_permissions",
                      "the service principal's other critical or data-access "
                      "permissions and privileged directory roles"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    const bool apps_ok = ctx.snapshot.dataset(Dataset::applications).state == DatasetState::ok;
    if (!apps_ok)
      out.note("credentials of the applications not counted: dataset 'applications' is not complete");
    if (ctx.snapshot.dataset(Dataset::role_assignments).state != DatasetState::ok)
      out.note(
          "privileged directory roles not listed among other privileges: dataset 'roleAssignments' is not "
          "complete");
    if (t.property(Dataset::service_principals, "appOwnerOrganizationId") != AttrCoverage::collected)
      out.note(
          "the service principals carry no appOwnerOrganizationId: Microsoft and third-party applications "
          "cannot be told apart");

    for (const auto& sp : t.service_principals()) {
      const auto own = entra::ownership(t, sp);
      const auto labels = grants.privileged_labels(sp.id);
      std::set<std::string> seen;
      for (const auto& g : grants.app_roles(sp.id)) {
        if (!g.rating || g.rating->tier != me::RoleTier::critical || !g.resource) continue;
        const std::string key = "role:" + g.resource->app_id + ":" + g.value;
        if (!seen.insert(util::to_lower(key)).second) continue;

        const me::Application* app = t.app_by_app_id(sp.app_id);
        const int sp_creds = entra::live_credentials(sp.keys, sp.passwords, ctx.now);
        const auto& created = g.assignment->created;
        const bool recent = created && ctx.is_recent(*created);

        Severity sev = Severity::critical;
        if (own == entra::Ownership::microsoft && sp_creds == 0) sev = Severity::high;
        if (sp.account_enabled == false) sev = lower(sev);

        const std::string label = g.value + " (" + g.resource->display_name + ")";
        std::vector<std::string> others;
        for (const auto& l : labels)
          if (l != label) others.push_back(l);

        std::string msg = "holds " + g.value + " on " + g.resource->display_name + ", ";
        msg += created ? "granted " + parsers::format_rfc3339(*created).substr(0, 10) +
                             (recent ? " (inside the " + entra::window_text(ctx.recent_window) + ")" : "")
                       : std::string("grant date unknown");
        if (own == entra::Ownership::third_party) msg += "; third-party application";
        if (own == entra::Ownership::microsoft)
          msg += sp_creds ? "; Microsoft application with a credential added in this tenant"
                          : "; Microsoft application";
        if (sp.account_enabled == false) msg += "; the service principal is disabled";

        auto& f = out.add(entra::resource_of(sp)).set_key(key).set_severity(sev).set_message(msg);
        f.add("permission", g.value);
        f.add("resource", g.resource->display_name);
        f.add("resource_app_id", g.resource->app_id);
        f.add("app_role_id", g.assignment->app_role_id);
        f.add("granted", created ? Json(entra::format_time(created)) : Json(nullptr));
        f.add("granted_in_window", recent);
        f.add("why", std::string(g.rating->why));
        f.add("app_id", sp.app_id);
        f.add("ownership", std::string(entra::to_string(own)));
        f.add("app_owner_organization_id", sp.owner_org);
        f.add("verified_publisher", sp.verified_publisher);
        f.add("account_enabled", sp.account_enabled ? Json(*sp.account_enabled) : Json(nullptr));
        Json creds = Json::object();
        creds["service_principal"] = sp_creds;
        creds["application"] =
            apps_ok && app ? Json(entra::live_credentials(app->keys, app->passwords, ctx.now)) : Json(nullptr);
        f.add("credentials", std::move(creds));
        f.add("other_privileged_permissions", std::move(others));
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(CriticalAppRoles)
}  // namespace adpersist::checks
