// Microsoft Graph v1.0 JSON → the typed Entra model. Strict about types (a property that is present must
// have Graph's type: a string where Graph sends a string, an array where it sends an array), tolerant of
// absence and of properties it does not know (Graph adds properties over time; doc samples are truncated).
// Errors name the object ("servicePrincipals.json item 12 (id 6f0c...)") and the property path.
#pragma once

#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scanner/model/tenant.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::sources::graph {

using GJson = nlohmann::json;
namespace entra = model::entra;

Result<entra::Application> to_application(const GJson& j, const entra::Origin& o);
Result<entra::ServicePrincipal> to_service_principal(const GJson& j, const entra::Origin& o);
Result<entra::AppRoleAssignment> to_app_role_assignment(const GJson& j, const entra::Origin& o);
Result<entra::FederatedIdentityCredential> to_federated_identity_credential(const GJson& j, const entra::Origin& o);
Result<entra::DirectoryObject> to_directory_object(const GJson& j, const entra::Origin& o);
Result<entra::Domain> to_domain(const GJson& j, const entra::Origin& o);
Result<entra::FederationConfiguration> to_federation_configuration(const GJson& j, const entra::Origin& o,
                                                                   std::string domain_id);
Result<entra::OAuth2PermissionGrant> to_oauth2_permission_grant(const GJson& j, const entra::Origin& o);
Result<entra::RoleDefinition> to_role_definition(const GJson& j, const entra::Origin& o);
Result<entra::RoleAssignment> to_role_assignment(const GJson& j, const entra::Origin& o);
Result<entra::DirectoryAudit> to_directory_audit(const GJson& j, const entra::Origin& o);
Result<entra::Organization> to_organization(const GJson& j, const entra::Origin& o);
Result<entra::KeyCredential> to_key_credential(const GJson& j, const std::string& where);
Result<entra::PasswordCredential> to_password_credential(const GJson& j, const std::string& where);

// The most containers ({ or [) a Graph body may nest. Graph's own bodies nest about 10 deep (a $batch answer
// holding an audit record's modifiedProperties); nlohmann's parser takes any depth, but dump(), copies and
// comparisons recurse once per level, so a body nested tens of thousands deep would overflow the stack.
inline constexpr int kMaxJsonDepth = 128;

// One item of a collection, with its index over all pages.
using ItemFn = std::function<Status(const GJson& item, std::size_t index)>;

// Reads a Graph response body from `in` and calls `fn` for each item of its collection, one item in memory
// at a time (the parser drops each item after `fn`). Accepted shapes (the capture contract):
//   {"value":[...], ...}           one page, or all pages merged
//   [{"value":[...]}, ...]         the page bodies in order
//   {...}                          a single object (no "value" array): one item
// `name` is for messages ("servicePrincipals.json"). A JSON syntax error names the line and column; a body
// nested deeper than kMaxJsonDepth, or a page with two "value" members, is an error.
// Returns the number of items.
Result<std::size_t> for_each_item(std::istream& in, const std::string& name, const ItemFn& fn);

// The property names an object carries (for coverage), "@odata.*" annotations excluded.
std::vector<std::string> property_names(const GJson& j);

}  // namespace adpersist::sources::graph
