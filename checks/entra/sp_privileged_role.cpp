// entra.sp-privileged-role: a service principal is a member of a privileged directory role.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

bool tenant_wide(std::string_view scope) {
  return scope.empty() || scope == "/";
}

class SpPrivilegedRole final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.sp-privileged-role",
        .title = "Service principal holds a privileged directory role",
        .severity = Severity::critical,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098.003"},
        .references = {"CISA AA21-008A",
                       "https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/"
                       "permissions-reference",
                       "https://learn.microsoft.com/en-us/graph/api/rbacapplication-list-roleassignments",
                       "https://github.com/Azure/Azure-Sentinel/blob/master/Detections/AuditLogs/"
                       "ServicePrincipalAssignedPrivilegedRole.yaml"},
        .description =
            "A service principal in Global Administrator, Privileged Role Administrator, Application "
            "Administrator or another privileged directory role is an administrator that never signs in "
            "interactively: whoever holds one of its credentials administers the tenant app-only, without "
            "MFA and outside Conditional Access for users. Making an application the attacker controls a "
            "Global Administrator is a quiet way to keep tenant control after the compromised user accounts "
            "are cleaned up. This check reports every active role assignment of a privileged directory role "
            "whose principal is a service principal (the expanded principal's type, or a principal id that "
            "is a service principal of the tenant).",
        .severity_notes =
            "Critical for Global Administrator and the roles that lead to it directly (Privileged Role "
            "Administrator, Privileged Authentication Administrator, Application and Cloud Application "
            "Administrator, Hybrid Identity Administrator, External Identity Provider Administrator, "
            "Directory Synchronization Accounts, Partner Tier2 Support); high for the other privileged "
            "roles. One step lower when the assignment is scoped to an administrative unit or a single "
            "object rather than the tenant (directoryScopeId other than /), and one step lower when the "
            "service principal is disabled.",
        .false_positives =
            "A few management products ask for a directory role for their service principal; confirm each "
            "with its owner and record it in a baseline. Eligible (PIM) assignments are not read by this "
            "check.",
        .remediation =
            "If the assignment is not approved, remove it (Remove-MgRoleManagementDirectoryRoleAssignment), "
            "review the audit log ('Add member to role') for who added it, review the service principal's "
            "sign-ins and directory changes, and remove or rotate its credentials. Approved service "
            "principals should use the narrowest role and scope, and their applications should have no "
            "owners outside tier 0.",
        .needs = {{Dataset::role_assignments,
                   {"principalId", "roleDefinitionId"},
                   {"directoryScopeId", "principal"}}},
        .evidence = {{"role", "the directory role's display name"},
                     {"role_definition_id", "the role definition id (the template id for built-in roles)"},
                     {"tier0", "the role is Global Administrator or leads to it directly"},
                     {"directory_scope", "directoryScopeId: / for the whole tenant"},
                     {"assignment_id", "the roleAssignment's id"},
                     {"app_id", "the service principal's appId"},
                     {"ownership",
                      "this tenant, Microsoft, third party or unknown (from appOwnerOrganizationId)"},
                     {"app_owner_organization_id", "the tenant the application is registered in"},
                     {"credentials",
                      "unexpired credentials on the service principal and on its application "
                      "(null when not in the input)"},
                     {"other_privileged_permissions",
                      "the service principal's critical or data-access application "
                      "permissions and other privileged directory roles"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    const bool sps_ok = ctx.snapshot.dataset(Dataset::service_principals).state == DatasetState::ok;
    const bool apps_ok = ctx.snapshot.dataset(Dataset::applications).state == DatasetState::ok;
    if (ctx.snapshot.dataset(Dataset::role_definitions).state != DatasetState::ok)
      out.note(
          "role names resolved from the built-in role list only: dataset 'roleDefinitions' is not complete");
    if (!sps_ok)
      out.note(
          "ownership and credentials of the service principals not shown: dataset 'servicePrincipals' is not "
          "complete");
    if (ctx.snapshot.dataset(Dataset::app_role_assigned_to).state != DatasetState::ok)
      out.note(
          "application permissions not listed among other privileges: dataset 'appRoleAssignedTo' is not "
          "complete");

    std::size_t undetermined = 0;
    std::set<std::string> seen;
    for (const auto& ra : t.role_assignments()) {
      const entra::DirectoryRoleGrant* grant = nullptr;
      for (const auto& g : grants.directory_roles(ra.principal_id))
        if (g.assignment == &ra) grant = &g;
      if (!grant || !grant->info) continue;  // not a privileged role

      const me::ServicePrincipal* sp = t.sp_by_id(ra.principal_id);
      bool is_sp = sp != nullptr;
      if (ra.principal && !ra.principal->type.empty())
        is_sp = util::iequals(ra.principal->type, "servicePrincipal");
      if (!is_sp) {
        if (!ra.principal && !sps_ok) ++undetermined;
        continue;
      }

      std::string key = "role:" + ra.role_definition_id;
      if (!tenant_wide(ra.directory_scope_id)) key += "@" + ra.directory_scope_id;
      if (!seen.insert(ra.principal_id + "|" + key).second) continue;

      Severity sev = grant->info->tier0 ? Severity::critical : Severity::high;
      if (!tenant_wide(ra.directory_scope_id)) sev = lower(sev);
      if (sp && sp->account_enabled == false) sev = lower(sev);

      Resource r;
      if (sp) {
        r = entra::resource_of(*sp);
      } else {
        r.type = "servicePrincipal";
        r.id = ra.principal_id;
        r.name = ra.principal && !ra.principal->display_name.empty() ? ra.principal->display_name
                                                                     : ra.principal_id;
      }
      const auto own = sp ? entra::ownership(t, *sp) : entra::Ownership::unknown;
      const me::Application* app = sp ? t.app_by_app_id(sp->app_id) : nullptr;
      const int sp_creds = sp ? entra::live_credentials(sp->keys, sp->passwords, ctx.now) : 0;

      std::vector<std::string> others;
      for (const auto& l : grants.privileged_labels(ra.principal_id))
        if (l != grant->role_name + " (directory role)") others.push_back(l);

      std::string msg = "service principal holds the " + grant->role_name + " directory role";
      msg += tenant_wide(ra.directory_scope_id) ? " (tenant-wide)" : " (scope " + ra.directory_scope_id + ")";
      if (own == entra::Ownership::third_party) msg += "; third-party application";
      if (own == entra::Ownership::microsoft) msg += "; Microsoft application";
      if (sp_creds > 0)
        msg += "; " + std::to_string(sp_creds) + " credential" + (sp_creds > 1 ? "s" : "") +
               " on the service principal";
      if (sp && sp->account_enabled == false) msg += "; the service principal is disabled";

      auto& f = out.add(std::move(r)).set_key(key).set_severity(sev).set_message(msg);
      f.add("role", grant->role_name);
      f.add("role_definition_id", ra.role_definition_id);
      f.add("tier0", grant->info->tier0);
      f.add("directory_scope", ra.directory_scope_id.empty() ? std::string("/") : ra.directory_scope_id);
      f.add("assignment_id", ra.id);
      f.add("app_id", sp ? sp->app_id : (ra.principal ? ra.principal->app_id : std::string()));
      f.add("ownership", std::string(entra::to_string(own)));
      f.add("app_owner_organization_id", sp ? sp->owner_org : std::string());
      Json creds = Json::object();
      creds["service_principal"] = sp ? Json(sp_creds) : Json(nullptr);
      creds["application"] =
          apps_ok && app ? Json(entra::live_credentials(app->keys, app->passwords, ctx.now)) : Json(nullptr);
      f.add("credentials", std::move(creds));
      f.add("other_privileged_permissions", std::move(others));
    }
    if (undetermined > 0)
      out.note(
          std::to_string(undetermined) + " privileged role assignment" +
          (undetermined > 1 ? "s have" : " has") +
          " no expanded principal and the service principals are not complete: whether the principal is a "
          "service principal could not be told");
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(SpPrivilegedRole)
}  // namespace adpersist::checks
