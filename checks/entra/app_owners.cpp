// entra.app-owners: guests, non-administrators and service principals owning a privileged application.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

enum class Kind { user, service_principal, other };

Kind kind_of(const me::DirectoryObject& o) {
  if (util::iequals(o.type, "user")) return Kind::user;
  if (util::iequals(o.type, "servicePrincipal")) return Kind::service_principal;
  if (!o.type.empty()) return Kind::other;
  if (!o.user_principal_name.empty() || !o.user_type.empty()) return Kind::user;
  if (!o.app_id.empty()) return Kind::service_principal;
  return Kind::other;
}

bool is_guest(const me::DirectoryObject& o) {
  return util::iequals(o.user_type, "Guest") ||
         util::to_lower(o.user_principal_name).find("#ext#") != std::string::npos;
}

std::string owner_label(const me::DirectoryObject& o) {
  if (!o.user_principal_name.empty()) return o.user_principal_name;
  if (!o.display_name.empty()) return o.display_name;
  return o.id;
}

class AppOwners final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.app-owners",
        .title = "Privileged application owned by a guest, a non-administrator or a service principal",
        .severity = Severity::medium,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098", "T1098.001"},
        .references =
            {"CISA AA21-008A",
             "https://learn.microsoft.com/en-us/entra/architecture/security-operations-applications",
             "https://microsoft.github.io/Azure-Threat-Research-Matrix/PrivilegeEscalation/AZT405/AZT405-2/",
             "https://learn.microsoft.com/en-us/graph/api/application-list-owners"},
        .description =
            "An application's owners can add secrets and certificates to it and then sign in as the "
            "application, with every application permission and directory role its service principal holds. "
            "An owner of an application that can grant itself Global Administrator is therefore a Global "
            "Administrator in waiting, and an ownership quietly added by an intruder is persistence by "
            "proxy: no role assignment to see, no credential present until it is needed. This check reads "
            "the owners of the privileged applications (whose service principal holds a critical or "
            "data-access application permission or a privileged directory role) and reports owners who are "
            "guests, users who are not administrators of the right tier, and service principals.",
        .severity_notes =
            "High for a guest owner (its sign-in is governed by another organization). Medium for a user "
            "owner who holds no tier-0 directory role (Global Administrator, Privileged Role Administrator, "
            "Application or Cloud Application Administrator, ...) when the application holds a critical "
            "permission or a tier-0 role, or who holds no privileged directory role at all when the "
            "application only has data access: such an owner can escalate to what the application holds. "
            "Medium for a service principal owner (whoever holds its credential inherits the application). "
            "Tier-0 administrators owning an application are not reported: they can manage every "
            "application's credentials anyway.",
        .false_positives =
            "Developers are often made owners of the applications they build; for a privileged application "
            "that still hands them its permissions. Automation service principals are sometimes owners by "
            "design (infrastructure as code): confirm and record them in a baseline.",
        .remediation =
            "Remove owners who do not need the application (Remove-MgApplicationOwnerByRef), check the "
            "application's credentials for any the owner added (audit log 'Update application - Certificates "
            "and secrets management', 'Add owner to application'), and manage privileged applications "
            "through tier-0 administrators only.",
        .needs = {{Dataset::app_owners, {}, {"id", "userPrincipalName", "userType", "appId"}},
                  {Dataset::applications, {"appId"}},
                  {Dataset::service_principals, {"appId", "appRoles"}},
                  {Dataset::app_role_assigned_to, {"principalId", "principalType", "appRoleId"}},
                  {Dataset::role_assignments, {"principalId", "roleDefinitionId"}}},
        .evidence = {{"app_id", "the application (client) id"},
                     {"owner", "the owner's id, type, display name, user principal name and user type"},
                     {"owner_directory_roles", "directory roles the owner holds"},
                     {"privileged_permissions",
                      "the critical or data-access permissions and privileged "
                      "directory roles the application's service principal holds"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    std::vector<std::string> uncovered;  // privileged applications whose owners are not in the input
    for (const me::Application* app : me::privileged_applications(t)) {
      const auto* owners = t.owners(app->id);
      if (!owners) {
        uncovered.push_back("'" + app->display_name + "' (" + app->id + ")");
        continue;
      }
      const me::ServicePrincipal* sp = t.sp_by_app_id(app->app_id);
      if (!sp) continue;
      const auto labels = grants.privileged_labels(sp->id);
      bool app_tier0 = grants.top_tier(sp->id) == me::RoleTier::critical;
      for (const auto& g : grants.directory_roles(sp->id))
        if (g.info && g.info->tier0) app_tier0 = true;

      std::set<std::string> seen;
      for (const auto& o : *owners) {
        if (!seen.insert(o.id).second) continue;
        const Kind kind = kind_of(o);
        if (kind == Kind::other) continue;

        std::vector<std::string> roles;
        bool owner_tier0 = false, owner_privileged = false;
        for (const auto& g : grants.directory_roles(o.id)) {
          roles.push_back(g.role_name);
          if (g.info) owner_privileged = true;
          if (g.info && g.info->tier0) owner_tier0 = true;
        }

        Severity sev = Severity::medium;
        std::string who;
        const std::string name = owner_label(o);
        if (kind == Kind::service_principal) {
          who = "service principal " + name;
        } else if (is_guest(o)) {
          sev = Severity::high;
          who = "guest " + name;
        } else {
          if (owner_tier0 || (!app_tier0 && owner_privileged)) continue;
          who = owner_privileged ? "user " + name + " (no tier-0 role)"
                                 : "user " + name + " (no administrator role)";
        }

        std::string msg = "owned by " + who;
        if (!labels.empty())
          msg += "; the application holds " + labels.front() + (labels.size() > 1 ? " and more" : "");

        Json owner = Json::object();
        owner["id"] = o.id;
        owner["type"] = kind == Kind::user ? "user" : "servicePrincipal";
        owner["display_name"] = o.display_name;
        if (kind == Kind::user) {
          owner["user_principal_name"] = o.user_principal_name;
          owner["user_type"] = o.user_type;
        } else {
          owner["app_id"] = o.app_id;
        }
        auto& f =
            out.add(entra::resource_of(*app)).set_key("owner:" + o.id).set_severity(sev).set_message(msg);
        f.add("app_id", app->app_id);
        f.add("owner", std::move(owner));
        f.add("owner_directory_roles", std::move(roles));
        f.add("privileged_permissions", labels);
      }
    }
    // The dataset's status already says so when the source knew which applications are privileged; this
    // covers any source that did not.
    if (!uncovered.empty()) {
      std::string list;
      for (std::size_t i = 0; i < uncovered.size() && i < 3; ++i) list += (i ? ", " : "") + uncovered[i];
      if (uncovered.size() > 3) list += ", ...";
      out.not_evaluated("dataset '" + std::string(model::to_string(Dataset::app_owners)) +
                        "' lacks the owners of " + std::to_string(uncovered.size()) +
                        " privileged application" + (uncovered.size() > 1 ? "s: " : ": ") + list);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AppOwners)
}  // namespace adpersist::checks
