// entra.privileged-role-members: who holds privileged directory roles; guests and new accounts among them;
// the number of Global Administrators.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

constexpr std::string_view kGlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";
constexpr std::size_t kMinGlobalAdmins = 2;  // ScubaGear MS.AAD.7.1v1
constexpr std::size_t kMaxGlobalAdmins = 8;

enum class Kind { user, group, service_principal, other, unknown };

Kind kind_of(const me::RoleAssignment& ra, const me::Tenant& t) {
  if (!ra.principal) return t.sp_by_id(ra.principal_id) ? Kind::service_principal : Kind::unknown;
  const auto& p = *ra.principal;
  if (util::iequals(p.type, "user")) return Kind::user;
  if (util::iequals(p.type, "group")) return Kind::group;
  if (util::iequals(p.type, "servicePrincipal")) return Kind::service_principal;
  if (!p.type.empty()) return Kind::other;
  if (!p.user_principal_name.empty() || !p.user_type.empty()) return Kind::user;
  if (!p.app_id.empty() || t.sp_by_id(ra.principal_id)) return Kind::service_principal;
  return Kind::unknown;
}

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::user:
      return "user";
    case Kind::group:
      return "group";
    case Kind::service_principal:
      return "servicePrincipal";
    case Kind::other:
      return "other";
    case Kind::unknown:
      return "unknown";
  }
  return "unknown";
}

bool is_guest(const me::DirectoryObject& p) {
  return util::iequals(p.user_type, "Guest") ||
         util::to_lower(p.user_principal_name).find("#ext#") != std::string::npos;
}

bool tenant_wide(std::string_view scope) {
  return scope.empty() || scope == "/";
}

// A user by UPN, a group by name; the object id when the principal was not expanded.
Resource principal_resource(const me::RoleAssignment& ra, Kind k) {
  Resource r;
  r.type = k == Kind::user ? "user" : k == Kind::group ? "group" : "directoryObject";
  r.id = ra.principal_id;
  r.name = ra.principal_id;
  if (ra.principal) {
    if (k == Kind::user && !ra.principal->user_principal_name.empty())
      r.name = ra.principal->user_principal_name;
    else if (!ra.principal->display_name.empty())
      r.name = ra.principal->display_name;
  }
  return r;
}

class PrivilegedRoleMembers final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.privileged-role-members",
        .title = "Inventory of privileged directory role members; guests and new accounts among them",
        .severity = Severity::info,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098.003", "T1078.004", "T1136.003"},
        .references = {"CISA AA21-008A",
                       "https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md "
                       "(MS.AAD.7.1)",
                       "https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/"
                       "best-practices",
                       "https://learn.microsoft.com/en-us/graph/api/rbacapplication-list-roleassignments"},
        .description =
            "Lists every user and group holding a privileged directory role (Global Administrator, "
            "Privileged Role Administrator, Application Administrator, Exchange Administrator, ...), one "
            "informational finding per assignment, so that a baseline of a known-good scan turns every new "
            "member into a new finding. Adding an account to a privileged role is the classic administrator "
            "backdoor: a freshly created account, or a guest whose password and MFA live in another "
            "organization, keeps tenant control after the original intrusion is cleaned up. Such members are "
            "raised. A tenant-level finding reports a number of Global Administrators outside two to eight "
            "(ScubaGear MS.AAD.7.1). Service principals in roles are reported by entra.sp-privileged-role.",
        .severity_notes =
            "Informational (inventory) by default. High when the member is a guest (userType Guest, or #EXT# "
            "in the user principal name) or was created inside the recent window (--since). The Global "
            "Administrator count finding is medium: users directly assigned Global Administrator "
            "tenant-wide, more than eight, or fewer than two when no group holds the role (a group's members "
            "are not read).",
        .false_positives =
            "Every finding is a real assignment; a newly hired administrator is a new account in a role. "
            "Confirm raised members with whoever approved the assignment. Guests in privileged roles are "
            "sometimes partners' or MSP staff: prefer GDAP or a member account managed by your organization.",
        .remediation =
            "Remove assignments nobody approved (Remove-MgRoleManagementDirectoryRoleAssignment), then "
            "review the account's sign-ins, authentication methods and everything it changed (audit log, "
            "'Add member to role', 'Add user'). Keep two to eight Global Administrators, prefer just-in-time "
            "(PIM) eligibility over active assignments, and record the approved set as a baseline.",
        .needs = {{Dataset::role_assignments,
                   {"principalId", "roleDefinitionId"},
                   {"directoryScopeId", "principal"}}},
        .evidence = {{"role", "the directory role's display name"},
                     {"role_definition_id", "the role definition id (the template id for built-in roles)"},
                     {"tier0", "the role is Global Administrator or leads to it directly"},
                     {"directory_scope", "directoryScopeId: / for the whole tenant"},
                     {"assignment_id", "the roleAssignment's id"},
                     {"principal_type", "user, group, or unknown when the principal was not expanded"},
                     {"display_name", "the member's display name"},
                     {"user_principal_name", "the user's UPN"},
                     {"user_type", "Member or Guest"},
                     {"guest", "the member is a guest account"},
                     {"created", "when the member was created"},
                     {"created_in_window", "the member was created inside the recent window"},
                     {"global_administrators", "tenant finding: users holding Global Administrator"},
                     {"groups", "tenant finding: groups holding Global Administrator"},
                     {"service_principals",
                      "tenant finding: service principals holding Global Administrator "
                      "(not counted)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    if (ctx.snapshot.dataset(Dataset::role_definitions).state != DatasetState::ok)
      out.note(
          "role names resolved from the built-in role list only: dataset 'roleDefinitions' is not complete");

    std::size_t not_expanded = 0, no_created = 0;
    std::vector<std::string> ga_users, ga_groups, ga_sps;
    std::set<std::string> seen, ga_seen;
    for (const auto& ra : t.role_assignments()) {
      const entra::DirectoryRoleGrant* grant = nullptr;
      for (const auto& g : grants.directory_roles(ra.principal_id))
        if (g.assignment == &ra) grant = &g;
      if (!grant || !grant->info) continue;  // not a privileged role
      const Kind kind = kind_of(ra, t);
      const bool wide = tenant_wide(ra.directory_scope_id);

      Resource r = principal_resource(ra, kind);
      if (wide && grant->info->template_id == kGlobalAdministrator &&
          ga_seen.insert(ra.principal_id).second) {
        if (kind == Kind::group)
          ga_groups.push_back(r.name);
        else if (kind == Kind::service_principal)
          ga_sps.push_back(r.name);
        else if (kind != Kind::other)
          ga_users.push_back(r.name);
      }
      if (kind == Kind::service_principal || kind == Kind::other) continue;

      std::string key = "role:" + ra.role_definition_id;
      if (!wide) key += "@" + ra.directory_scope_id;
      if (!seen.insert(ra.principal_id + "|" + key).second) continue;

      if (!ra.principal) ++not_expanded;
      const bool guest = ra.principal && kind == Kind::user && is_guest(*ra.principal);
      const auto& created = ra.principal ? ra.principal->created : std::optional<me::TimePoint>{};
      if (ra.principal && !created) ++no_created;
      const bool recent = created && ctx.is_recent(*created);

      std::string msg = guest ? "guest account holds " : "holds ";
      msg += grant->role_name;
      if (!wide) msg += " (scope " + ra.directory_scope_id + ")";
      if (recent)
        msg += "; " + std::string(kind == Kind::group ? "group" : "account") + " created " +
               parsers::format_rfc3339(*created).substr(0, 10) + " (inside the " + entra::window_text(ctx.recent_window) + ")";

      auto& f = out.add(std::move(r)).set_key(key).set_message(msg);
      f.set_severity(guest || recent ? Severity::high : Severity::info);
      f.add("role", grant->role_name);
      f.add("role_definition_id", ra.role_definition_id);
      f.add("tier0", grant->info->tier0);
      f.add("directory_scope", wide ? std::string("/") : ra.directory_scope_id);
      f.add("assignment_id", ra.id);
      f.add("principal_type", std::string(to_string(kind)));
      if (ra.principal) {
        f.add("display_name", ra.principal->display_name);
        if (kind == Kind::user) {
          f.add("user_principal_name", ra.principal->user_principal_name);
          f.add("user_type", ra.principal->user_type);
          f.add("guest", guest);
        }
        f.add("created", created ? Json(entra::format_time(created)) : Json(nullptr));
        f.add("created_in_window", recent);
      }
    }

    if (not_expanded > 0)
      out.note(
          std::to_string(not_expanded) + " privileged role assignment" +
          (not_expanded > 1 ? "s were" : " was") +
          " captured without the expanded principal ($expand=principal): members are shown by id and guests "
          "or new accounts among them cannot be recognized");
    if (no_created > 0)
      out.note(std::to_string(no_created) + " expanded principal" +
               (no_created > 1 ? "s carry" : " carries") +
               " no createdDateTime: new accounts among them cannot be recognized");

    const std::size_t users = ga_users.size();
    if (users == 0 && ga_groups.empty()) {
      out.note(
          "no user or group holds Global Administrator in the input: the Global Administrator count was not "
          "judged (is the role-assignment capture filtered?)");
      return;
    }
    const bool too_many = users > kMaxGlobalAdmins;
    const bool too_few = users < kMinGlobalAdmins && ga_groups.empty();
    if (!too_many && !too_few) return;
    Resource tenant;
    tenant.type = "tenant";
    tenant.id = t.tenant_id();
    tenant.name = t.display_name();
    std::string msg = std::to_string(users) + " user" + (users == 1 ? "" : "s") + " hold" +
                      (users == 1 ? "s" : "") + " Global Administrator; ScubaGear MS.AAD.7.1 asks for " +
                      std::to_string(kMinGlobalAdmins) + " to " + std::to_string(kMaxGlobalAdmins);
    auto& f = out.add(std::move(tenant)).set_key("global-administrator-count").set_severity(Severity::medium);
    f.set_message(msg);
    f.add("global_administrators", ga_users);
    f.add("groups", ga_groups);
    f.add("service_principals", ga_sps);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(PrivilegedRoleMembers)
}  // namespace adpersist::checks
