// entra.critical-app-roles: a service principal holds an application permission that amounts to tenant
// control.
#include "checks/check.hpp"
#include "checks/support/entra_app_roles.hpp"

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
        .evidence = entra::held_permission_evidence_fields(
            "the application permission's value (RoleManagement.ReadWrite.Directory)",
            "the API that defines it (Microsoft Graph)"),
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const entra::Grants grants(*ctx.snapshot.tenant());
    entra::note_permission_inputs(ctx, out);
    entra::for_each_held_permission(ctx, grants, me::RoleTier::critical, [&](const entra::HeldPermission& h) {
      const auto& sp = *h.sp;
      Severity sev = Severity::critical;
      if (h.ownership == entra::Ownership::microsoft && h.sp_credentials == 0) sev = Severity::high;
      if (sp.account_enabled == false) sev = lower(sev);

      std::string msg = entra::held_permission_summary(ctx, h);
      if (h.ownership == entra::Ownership::third_party) msg += "; third-party application";
      if (h.ownership == entra::Ownership::microsoft)
        msg += h.sp_credentials ? "; Microsoft application with a credential added in this tenant"
                                : "; Microsoft application";
      if (sp.account_enabled == false) msg += "; the service principal is disabled";
      entra::add_held_permission(ctx, grants, h, sev, msg, out);
    });
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(CriticalAppRoles)
}  // namespace adpersist::checks
