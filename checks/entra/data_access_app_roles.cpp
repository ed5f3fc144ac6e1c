// entra.data-access-app-roles: a service principal can read (or send) every mailbox, file or site of the
// tenant.
#include "checks/check.hpp"
#include "checks/support/entra_app_roles.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class DataAccessAppRoles final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.data-access-app-roles",
        .title = "Service principal can read every mailbox, file or site of the tenant",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098.003", "T1114.002"},
        .references = {"CISA AA21-008A", "CISA AA20-352A", "ScubaGear RiskyAppPermissions.json",
                       "https://github.com/cisagov/ScubaGear",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/graph/permissions-reference",
                       "https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list-approleassignedto"},
        .description =
            "Application permissions such as Mail.Read, Files.ReadWrite.All, Sites.FullControl.All or "
            "Exchange Online's full_access_as_app give whoever holds the application's credential every "
            "user's mail, files or sites, with no user signed in and no MFA. The SolarWinds actor granted "
            "Mail.Read to applications it had added credentials to; the Mimecast compromise showed that a "
            "vendor's stolen certificate opens every customer tenant that granted the vendor's application "
            "full_access_as_app. This check lists every service principal holding such a data-access "
            "permission of Microsoft Graph, Exchange Online or SharePoint Online, resolved from the "
            "resource's own appRoles.",
        .severity_notes =
            "High. Critical when the permission was granted inside the recent window (--since), or when a "
            "third-party or Microsoft service principal carries an unexpired credential added in this tenant "
            "(its rightful owner keeps its credentials in its own tenant: a local one is someone else's way "
            "in). Medium for a Microsoft first-party service principal without such a credential. One step "
            "lower when the service principal is disabled (accountEnabled false).",
        .false_positives =
            "Archiving, backup, e-discovery and migration products need tenant-wide data access; confirm "
            "each with its owner, record it in a baseline and scope it where the resource allows (Exchange "
            "RBAC for applications or application access policies, SharePoint Sites.Selected).",
        .remediation =
            "If the grant is not approved, remove it (Remove-MgServicePrincipalAppRoleAssignedTo on the "
            "resource service principal) and review the audit log ('Add app role assignment to service "
            "principal') and the service principal's sign-ins and mailbox access (MailItemsAccessed). If it "
            "is approved, scope it to the mailboxes or sites it needs and, for third-party applications, ask "
            "the vendor how its credentials are protected; remove credentials added to a vendor's service "
            "principal in this tenant.",
        .needs = {{Dataset::service_principals,
                   {"appId", "appRoles"},
                   {"appOwnerOrganizationId", "verifiedPublisher", "accountEnabled", "keyCredentials",
                    "passwordCredentials"}},
                  {Dataset::app_role_assigned_to,
                   {"principalId", "principalType", "appRoleId", "createdDateTime"}}},
        .evidence = entra::held_permission_evidence_fields(
            "the application permission's value (Mail.Read)",
            "the API that defines it (Microsoft Graph, Office 365 Exchange Online, ...)"),
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const entra::Grants grants(*ctx.snapshot.tenant());
    entra::note_permission_inputs(ctx, out);
    entra::for_each_held_permission(ctx, grants, me::RoleTier::data_access, [&](const entra::HeldPermission& h) {
      const auto& sp = *h.sp;
      const bool foreign = h.ownership == entra::Ownership::third_party || h.ownership == entra::Ownership::microsoft;
      const bool local_credential = foreign && h.sp_credentials > 0;
      Severity sev = Severity::high;
      if (h.recent || local_credential)
        sev = Severity::critical;
      else if (h.ownership == entra::Ownership::microsoft)
        sev = Severity::medium;
      if (sp.account_enabled == false) sev = lower(sev);

      std::string msg = entra::held_permission_summary(ctx, h);
      if (h.ownership == entra::Ownership::third_party)
        msg += sp.verified_publisher.empty() ? "; third-party application, no verified publisher"
                                             : "; third-party application published by " + sp.verified_publisher;
      if (h.ownership == entra::Ownership::microsoft) msg += "; Microsoft application";
      if (local_credential)
        msg += "; its service principal carries " + std::to_string(h.sp_credentials) + " credential" +
               (h.sp_credentials > 1 ? "s" : "") + " added in this tenant";
      if (sp.account_enabled == false) msg += "; the service principal is disabled";
      entra::add_held_permission(ctx, grants, h, sev, msg, out);
    });
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(DataAccessAppRoles)
}  // namespace adpersist::checks
