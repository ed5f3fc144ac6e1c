// Reference sets the Entra checks and the collector share: the Microsoft resource applications whose app
// roles matter, the application permissions that amount to tenant control or tenant-wide data access, the
// privileged directory roles, risky delegated scopes. Matching is on (resource appId, role value) resolved
// from the resource's own appRoles at scan time; the GUIDs here only cross-check (a role id is unique within
// its resource only). Sources: ../shared/reference/entra-indicators.md (ScubaGear RiskyAppPermissions.json,
// Mandiant AAD Investigator, Microsoft Graph permissions reference).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace adpersist::model::entra {

struct ResourceApp {
  std::string_view app_id;
  std::string_view name;
};
// Microsoft resource applications whose application permissions the checks rate (and whose
// appRoleAssignedTo the collector reads): Microsoft Graph, Exchange Online, SharePoint Online, the retired
// Azure AD Graph, the Office 365 Management APIs.
const std::vector<ResourceApp>& rated_resources();
const ResourceApp* rated_resource(std::string_view app_id);

inline constexpr std::string_view kMicrosoftGraphAppId = "00000003-0000-0000-c000-000000000000";
inline constexpr std::string_view kExchangeOnlineAppId = "00000002-0000-0ff1-ce00-000000000000";
inline constexpr std::string_view kSharePointOnlineAppId = "00000003-0000-0ff1-ce00-000000000000";

enum class RoleTier {
  critical,     // control of the tenant: grant itself any role, add credentials anywhere, change federation
  data_access,  // tenant-wide read/write of mail, files, chats
};

struct RatedRole {
  std::string_view resource_app_id;
  std::string_view value;  // "RoleManagement.ReadWrite.Directory"
  std::string_view id;     // the role's GUID on that resource
  RoleTier tier;
  std::string_view why;    // one line for evidence
};
const std::vector<RatedRole>& rated_roles();
// The rating of an application permission, by resource appId and role value (case-insensitive).
const RatedRole* rate_app_role(std::string_view resource_app_id, std::string_view value);

struct DirectoryRoleInfo {
  std::string_view template_id;
  std::string_view name;
  bool tier0;  // Global Administrator and the roles that can become it directly
};
// Privileged directory roles (template ids are the same in every tenant).
const std::vector<DirectoryRoleInfo>& privileged_directory_roles();
const DirectoryRoleInfo* privileged_directory_role(std::string_view template_id);

// Delegated scopes that give tenant-wide reach when consented for all principals.
bool is_risky_delegated_scope(std::string_view scope);

}  // namespace adpersist::model::entra
