#include "scanner/model/dataset.hpp"

namespace adpersist::model {

std::string_view to_string(Platform p) { return p == Platform::ad ? "ad" : "entra"; }

Platform platform_of(Dataset d) {
  return d == Dataset::domain || d == Dataset::configuration ? Platform::ad : Platform::entra;
}

std::string_view to_string(Dataset d) {
  switch (d) {
    case Dataset::domain: return "domain";
    case Dataset::configuration: return "configuration";
    case Dataset::organization: return "organization";
    case Dataset::applications: return "applications";
    case Dataset::service_principals: return "servicePrincipals";
    case Dataset::app_role_assigned_to: return "appRoleAssignedTo";
    case Dataset::federated_identity_credentials: return "federatedIdentityCredentials";
    case Dataset::app_owners: return "applicationOwners";
    case Dataset::domains: return "domains";
    case Dataset::federation_configuration: return "federationConfiguration";
    case Dataset::oauth2_permission_grants: return "oauth2PermissionGrants";
    case Dataset::role_assignments: return "roleAssignments";
    case Dataset::role_definitions: return "roleDefinitions";
    case Dataset::directory_audits: return "directoryAudits";
  }
  return "?";
}

std::string_view describe(Dataset d) {
  switch (d) {
    case Dataset::domain:
      return "the domain naming context (defaultNamingContext), subtree, (objectClass=*)";
    case Dataset::configuration:
      return "the configuration naming context (configurationNamingContext), subtree, (objectClass=*)";
    case Dataset::organization: return "GET /organization";
    case Dataset::applications: return "GET /applications";
    case Dataset::service_principals: return "GET /servicePrincipals";
    case Dataset::app_role_assigned_to:
      return "GET /servicePrincipals/{id}/appRoleAssignedTo for each Microsoft resource service principal "
             "(Microsoft Graph, Exchange Online, SharePoint Online, ...)";
    case Dataset::federated_identity_credentials:
      return "GET /applications/{id}/federatedIdentityCredentials for each application";
    case Dataset::app_owners:
      return "GET /applications/{id}/owners for each application holding a critical or data-access role or a "
             "privileged directory role";
    case Dataset::domains: return "GET /domains";
    case Dataset::federation_configuration:
      return "GET /domains/{id}/federationConfiguration for each federated domain";
    case Dataset::oauth2_permission_grants: return "GET /oauth2PermissionGrants";
    case Dataset::role_assignments:
      return "GET /roleManagement/directory/roleAssignments?$expand=principal";
    case Dataset::role_definitions: return "GET /roleManagement/directory/roleDefinitions";
    case Dataset::directory_audits:
      return "GET /auditLogs/directoryAudits?$filter=activityDateTime ge (now - --since)";
  }
  return "?";
}

std::string_view graph_permission(Dataset d) {
  switch (d) {
    case Dataset::domain:
    case Dataset::configuration: return "";
    case Dataset::organization:
    case Dataset::oauth2_permission_grants: return "Directory.Read.All";
    case Dataset::applications:
    case Dataset::service_principals:
    case Dataset::app_role_assigned_to:
    case Dataset::federated_identity_credentials:
    case Dataset::app_owners: return "Application.Read.All";
    case Dataset::domains:
    case Dataset::federation_configuration: return "Domain.Read.All";
    case Dataset::role_assignments:
    case Dataset::role_definitions: return "RoleManagement.Read.Directory";
    case Dataset::directory_audits: return "AuditLog.Read.All";
  }
  return "";
}

}  // namespace adpersist::model
