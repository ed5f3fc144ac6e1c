// Datasets: the central list of what a scan reads (STYLE.md 2.5). Checks name the datasets and
// attributes they need; sources report, per dataset and attribute, whether the data was collected.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace adpersist::model {

enum class Dataset {
  // Active Directory (LDAP or LDIF)
  domain,         // the domain naming context (defaultNamingContext), subtree
  configuration,  // the configuration naming context, subtree
  // Entra ID (Microsoft Graph v1.0, live or a capture): one Graph collection each
  organization,                    // /organization
  applications,                    // /applications
  service_principals,              // /servicePrincipals
  app_role_assigned_to,            // /servicePrincipals/{id}/appRoleAssignedTo of the Microsoft resource SPs
  federated_identity_credentials,  // /applications/{id}/federatedIdentityCredentials, every application
  app_owners,                      // /applications/{id}/owners, the privileged applications
  domains,                         // /domains
  federation_configuration,        // /domains/{id}/federationConfiguration, every federated domain
  oauth2_permission_grants,        // /oauth2PermissionGrants
  role_assignments,                // /roleManagement/directory/roleAssignments (principal expanded)
  role_definitions,                // /roleManagement/directory/roleDefinitions
  directory_audits,                // /auditLogs/directoryAudits inside --since
};
inline constexpr Dataset kAllDatasets[] = {
    Dataset::domain,           Dataset::configuration,
    Dataset::organization,     Dataset::applications,
    Dataset::service_principals, Dataset::app_role_assigned_to,
    Dataset::federated_identity_credentials, Dataset::app_owners,
    Dataset::domains,          Dataset::federation_configuration,
    Dataset::oauth2_permission_grants, Dataset::role_assignments,
    Dataset::role_definitions, Dataset::directory_audits};

enum class Platform { ad, entra };
std::string_view to_string(Platform p);
Platform platform_of(Dataset d);

std::string_view to_string(Dataset d);
// One line for docs and `checks list --needs`: what the collector reads for the dataset.
std::string_view describe(Dataset d);
// Entra datasets: the Graph application permission that lets an app read it (empty for AD datasets).
std::string_view graph_permission(Dataset d);

enum class DatasetState {
  ok,       // collected completely
  missing,  // not in the input at all (e.g. no configuration NC was exported)
  partial,  // collection started but did not finish (truncated export, dropped connection)
};

struct DatasetStatus {
  DatasetState state = DatasetState::missing;
  std::string reason;  // for missing/partial: what happened and how to fix it
};

// Whether an attribute's absence from the input means "no object has a value" or "we cannot tell".
enum class AttrCoverage {
  collected,      // requested (or seen): absence on an object means the object has no value
  not_collected,  // the export did not request it
  unknown,        // no header says what was requested and no object carries it
};

// A check's need: attributes of one dataset (Graph properties, for the Entra datasets). `required` gate evaluation; `optional` are fetched too and
// only enrich evidence.
struct Need {
  Dataset dataset;
  std::vector<std::string> required;
  std::vector<std::string> optional = {};
};

}  // namespace adpersist::model
