// entra.data-access-app-roles: a service principal can read (or send) every mailbox, file or site of the
// tenant.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

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
        .evidence = {{"permission", "the application permission's value (Mail.Read)"},
                     {"resource",
                      "the API that defines it (Microsoft Graph, Office 365 Exchange Online, ...)"},
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
                      "(application null when it is not registered in this tenant or was not "
                      "collected)"},
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
        if (!g.rating || g.rating->tier != me::RoleTier::data_access || !g.resource) continue;
        const std::string key = "role:" + g.resource->app_id + ":" + g.value;
        if (!seen.insert(util::to_lower(key)).second) continue;

        const me::Application* app = t.app_by_app_id(sp.app_id);
        const int sp_creds = entra::live_credentials(sp.keys, sp.passwords, ctx.now);
        const auto& created = g.assignment->created;
        const bool recent = created && ctx.is_recent(*created);
        const bool foreign = own == entra::Ownership::third_party || own == entra::Ownership::microsoft;
        const bool local_credential = foreign && sp_creds > 0;

        Severity sev = Severity::high;
        if (recent || local_credential)
          sev = Severity::critical;
        else if (own == entra::Ownership::microsoft)
          sev = Severity::medium;
        if (sp.account_enabled == false) sev = lower(sev);

        const std::string label = g.value + " (" + g.resource->display_name + ")";
        std::vector<std::string> others;
        for (const auto& l : labels)
          if (l != label) others.push_back(l);

        std::string msg = "holds " + g.value + " on " + g.resource->display_name + ", ";
        msg += created ? "granted " + parsers::format_rfc3339(*created).substr(0, 10) +
                             (recent ? " (inside the " + entra::window_text(ctx.recent_window) + ")" : "")
                       : std::string("grant date unknown");
        if (own == entra::Ownership::third_party)
          msg += sp.verified_publisher.empty()
                     ? "; third-party application, no verified publisher"
                     : "; third-party application published by " + sp.verified_publisher;
        if (own == entra::Ownership::microsoft) msg += "; Microsoft application";
        if (local_credential)
          msg += "; its service principal carries " + std::to_string(sp_creds) + " credential" +
                 (sp_creds > 1 ? "s" : "") + " added in this tenant";
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
ADPERSIST_REGISTER_CHECK(DataAccessAppRoles)
}  // namespace adpersist::checks
