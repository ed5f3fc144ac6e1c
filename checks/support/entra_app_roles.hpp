// What entra.critical-app-roles and entra.data-access-app-roles share: both walk the application permissions
// service principals hold on Microsoft's APIs and report each with the same evidence; only the tier, the
// severity rules and the end of the message differ. Reads the tenant snapshot only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "checks/support/entra.hpp"
#include "scanner/model/check_info.hpp"
#include "scanner/engine/check.hpp"

namespace adpersist::checks::entra {

// One distinct permission of the wanted tier held by a service principal.
struct HeldPermission {
  const me::ServicePrincipal* sp = nullptr;
  const AppRoleGrant* grant = nullptr;  // rated, with its resource
  Ownership ownership = Ownership::unknown;
  int sp_credentials = 0;  // unexpired credentials on the service principal itself
  bool recent = false;     // granted inside --since
  std::string key;         // the finding's evidence key: "role:<resource appId>:<value>"
};

// Notes on inputs the two checks need and did not get whole (applications, role assignments,
// appOwnerOrganizationId).
void note_permission_inputs(const engine::CheckContext& ctx, model::Findings& out);

// Calls `fn` for each permission of `tier` held by each service principal; one permission held twice
// (two assignments of the same role) counts once.
void for_each_held_permission(const engine::CheckContext& ctx, const Grants& grants, me::RoleTier tier,
                              const std::function<void(const HeldPermission&)>& fn);

// "holds Mail.Read on Microsoft Graph, granted 2026-11-20 (inside the last 30 days)", or "..., grant date
// unknown".
std::string held_permission_summary(const engine::CheckContext& ctx, const HeldPermission& h);

// The documentation of the evidence add_held_permission writes (CheckInfo::evidence); the first two entries
// take the check's own example ("the application permission's value (Mail.Read)").
std::vector<model::EvidenceField> held_permission_evidence_fields(std::string permission, std::string resource);

// The finding on the service principal, with the evidence both checks document: permission, resource,
// resource_app_id, app_role_id, granted, granted_in_window, why, app_id, ownership,
// app_owner_organization_id, verified_publisher, account_enabled, credentials, other_privileged_permissions.
model::Finding& add_held_permission(const engine::CheckContext& ctx, const Grants& grants,
                                    const HeldPermission& h, model::Severity severity,
                                    const std::string& message, model::Findings& out);

}  // namespace adpersist::checks::entra
