// The Entra ID (Azure AD) half of a snapshot: typed Microsoft Graph objects, read from a capture or a live
// collection, with dataset coverage and the indexes the checks join on. Checks read it; they never query.
//
// Objects are typed (not kept as JSON): a 100k-service-principal tenant costs what its fields cost. Every
// object remembers where it came from ("servicePrincipals.json item 4711") for error messages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scanner/model/dataset.hpp"
#include "scanner/parsers/ad_time.hpp"

namespace adpersist::model::entra {

using parsers::TimePoint;

// The tenant Microsoft's own multi-tenant applications are registered in (appOwnerOrganizationId).
inline constexpr std::string_view kMicrosoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
// Microsoft's corporate tenant: owner of some first-party applications too.
inline constexpr std::string_view kMicrosoftCorpTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
bool is_microsoft_tenant(std::string_view tenant_id);

// keyCredential (certificate or symmetric key). `key` (the public certificate) only comes back on a
// single-object $select; when it did, the certificate's hashes and names are filled in.
struct KeyCredential {
  std::string key_id;
  std::string display_name;
  std::string type;   // AsymmetricX509Cert, X509CertAndPassword, Symmetric
  std::string usage;  // Verify (authenticates the client), Sign (token signing)
  std::string custom_key_identifier;  // base64 as Graph sends it; for uploaded certificates the SHA-1 thumbprint
  std::optional<TimePoint> start, end;
  // From `key`, when present (never the key bytes themselves).
  std::string cert_sha1, cert_sha256, cert_subject, cert_issuer;
  std::string key_problem;  // `key` was present but not a decodable certificate (the evidence says why)
  // customKeyIdentifier decoded as a thumbprint (upper-case hex) when it is 20 bytes.
  std::string thumbprint() const;
};

// passwordCredential (client secret). The secret itself is never returned by a list (secretText null).
struct PasswordCredential {
  std::string key_id;
  std::string display_name;
  std::string hint;  // first characters of the secret, as Graph shows them
  std::string custom_key_identifier;
  std::optional<TimePoint> start, end;
};

struct AppRole {
  std::string id;
  std::string value;  // "Mail.Read"
  std::string display_name;
  bool application = false;  // allowedMemberTypes contains "Application"
};

struct Origin {
  std::string file;       // capture path relative to the capture root, or the request path of a live scan
  std::size_t index = 0;  // item index inside the collection
  std::string where() const { return file + " item " + std::to_string(index); }
};

struct Application {
  std::string id, app_id, display_name;
  std::optional<TimePoint> created;
  std::string sign_in_audience, publisher_domain;
  std::vector<KeyCredential> keys;
  std::vector<PasswordCredential> passwords;
  std::set<std::string> properties;  // Graph properties present on the object (coverage)
  Origin origin;
};

struct ServicePrincipal {
  std::string id, app_id, display_name;
  std::string type;       // Application, ManagedIdentity, Legacy, SocialIdp
  std::string owner_org;  // appOwnerOrganizationId
  std::optional<bool> account_enabled;
  std::string preferred_sso_mode;  // saml, password, oidc, notSupported, ""
  std::string preferred_token_signing_thumbprint;
  std::string verified_publisher;  // verifiedPublisher.displayName, "" when none
  std::vector<KeyCredential> keys;
  std::vector<PasswordCredential> passwords;
  std::vector<AppRole> app_roles;
  Origin origin;
};

struct AppRoleAssignment {
  std::string id, principal_id, principal_type, principal_display_name, app_role_id, resource_id,
      resource_display_name;
  std::optional<TimePoint> created;
  Origin origin;
};

struct FederatedIdentityCredential {
  std::string id, name, issuer, subject, description;
  std::vector<std::string> audiences;
  Origin origin;
};

// A directoryObject reference (owners, an expanded role-assignment principal).
struct DirectoryObject {
  std::string id;
  std::string type;  // user, group, servicePrincipal, device, ... (from @odata.type)
  std::string display_name, user_principal_name, user_type, app_id;
  std::optional<TimePoint> created;
};

struct OAuth2PermissionGrant {
  std::string id, client_id, consent_type, principal_id, resource_id, scope;
  Origin origin;
  std::vector<std::string> scopes() const;  // scope split on spaces
};

struct Domain {
  std::string id;  // the DNS name
  std::string authentication_type;  // Managed, Federated
  std::optional<bool> is_verified, is_root, is_default, is_initial;
  std::vector<std::string> supported_services;
  Origin origin;
};

struct FederationConfiguration {
  std::string domain_id;
  std::string id, display_name, issuer_uri, metadata_exchange_uri, passive_sign_in_uri, active_sign_in_uri,
      sign_out_uri;
  std::string signing_certificate, next_signing_certificate;  // base64 DER as Graph sends them
  std::string certificate_update_result;
  std::optional<TimePoint> certificate_update_last_run;
  std::string preferred_authentication_protocol, prompt_login_behavior, federated_idp_mfa_behavior;
  std::optional<bool> signed_authentication_request_required;
  Origin origin;
};

struct RoleDefinition {
  std::string id, display_name, template_id;
  std::optional<bool> is_built_in, is_enabled;
  std::vector<std::string> allowed_resource_actions;
  Origin origin;
};

struct RoleAssignment {
  std::string id, principal_id, role_definition_id, directory_scope_id;
  std::optional<DirectoryObject> principal;  // when expanded
  Origin origin;
};

struct ModifiedProperty {
  std::string name, old_value, new_value;  // values as Graph sends them (JSON-encoded strings)
};

struct AuditTarget {
  std::string id, display_name, type, user_principal_name;
  std::vector<ModifiedProperty> modified;
};

struct DirectoryAudit {
  std::string id, category, correlation_id, result, result_reason, activity, logged_by_service;
  std::optional<TimePoint> time;
  // initiatedBy: a user or an app
  std::string actor_user_id, actor_upn, actor_ip, actor_app_id, actor_app_name, actor_sp_id;
  std::vector<AuditTarget> targets;
  Origin origin;
  // The actor for humans: "alice@contoso.com (203.0.113.9)" or "app Backup Automation (appId ...)".
  std::string actor() const;
};

struct Organization {
  std::string id, display_name;
  std::optional<TimePoint> created;
  std::vector<std::string> verified_domains;  // names
  std::string default_domain, initial_domain;
};

// What the tenant snapshot holds. Built by a TenantBuilder (sources), read-only afterwards.
class Tenant {
 public:
  const std::string& tenant_id() const { return tenant_id_; }
  const std::optional<Organization>& organization() const { return organization_; }
  // A name for humans: the organization's display name, else the default domain, else the tenant id.
  std::string display_name() const;

  const std::vector<Application>& applications() const { return applications_; }
  const std::vector<ServicePrincipal>& service_principals() const { return service_principals_; }
  const std::vector<Domain>& domains() const { return domains_; }
  const std::vector<OAuth2PermissionGrant>& oauth2_permission_grants() const { return grants_; }
  const std::vector<RoleAssignment>& role_assignments() const { return role_assignments_; }
  const std::vector<RoleDefinition>& role_definitions() const { return role_definitions_; }
  const std::vector<DirectoryAudit>& directory_audits() const { return audits_; }

  // Per-object collections. nullptr: not collected for that object (never "empty").
  const std::vector<AppRoleAssignment>* app_role_assigned_to(std::string_view resource_sp_id) const;
  const std::vector<FederatedIdentityCredential>* federated_identity_credentials(std::string_view app_object_id) const;
  const std::vector<DirectoryObject>* owners(std::string_view app_object_id) const;
  const std::vector<FederationConfiguration>* federation(std::string_view domain_id) const;
  // Every collected appRoleAssignedTo list, keyed by resource service principal id.
  const std::map<std::string, std::vector<AppRoleAssignment>, std::less<>>& all_app_role_assignments() const {
    return assigned_to_;
  }

  // Indexes (case-insensitive GUIDs are stored lower-case).
  const ServicePrincipal* sp_by_id(std::string_view id) const;
  const ServicePrincipal* sp_by_app_id(std::string_view app_id) const;
  const Application* app_by_app_id(std::string_view app_id) const;
  const Application* app_by_id(std::string_view id) const;
  // A role definition by id or template id.
  const RoleDefinition* role_definition(std::string_view id) const;

  const DatasetStatus& dataset(Dataset d) const;
  // Whether objects of the dataset carry the Graph property `name` (from $select): collected when some
  // object has the key (null counts) or the collection is empty.
  AttrCoverage property(Dataset d, std::string_view name) const;

  std::vector<std::string> sources;  // capture directories / Graph base URLs
  std::vector<std::string> notes;

 private:
  friend class TenantBuilder;
  std::string tenant_id_;
  std::optional<Organization> organization_;
  std::vector<Application> applications_;
  std::vector<ServicePrincipal> service_principals_;
  std::vector<Domain> domains_;
  std::vector<OAuth2PermissionGrant> grants_;
  std::vector<RoleAssignment> role_assignments_;
  std::vector<RoleDefinition> role_definitions_;
  std::vector<DirectoryAudit> audits_;
  std::map<std::string, std::vector<AppRoleAssignment>, std::less<>> assigned_to_;
  std::map<std::string, std::vector<FederatedIdentityCredential>, std::less<>> fics_;
  std::map<std::string, std::vector<DirectoryObject>, std::less<>> owners_;
  std::map<std::string, std::vector<FederationConfiguration>, std::less<>> federation_;
  std::unordered_map<std::string, std::size_t> sp_by_id_, sp_by_app_id_, app_by_app_id_, app_by_id_, role_def_;
  std::map<Dataset, DatasetStatus> datasets_;
  std::map<Dataset, std::set<std::string, std::less<>>> properties_;  // lower-case property names seen
  std::map<Dataset, std::size_t> counts_;
};

// Assembles a Tenant. Sources add objects as they parse them, then say what each dataset's state is.
class TenantBuilder {
 public:
  void set_tenant_id(std::string id);
  void set_organization(Organization o);
  void add(Application a);
  void add(ServicePrincipal sp);
  void add(Domain d);
  void add(OAuth2PermissionGrant g);
  void add(RoleAssignment r);
  void add(RoleDefinition r);
  void add(DirectoryAudit a);
  // Per-object collections: the call itself records "collected for this object", even with no items.
  void set_app_role_assigned_to(std::string resource_sp_id, std::vector<AppRoleAssignment> v);
  void set_federated_identity_credentials(std::string app_object_id, std::vector<FederatedIdentityCredential> v);
  void set_owners(std::string app_object_id, std::vector<DirectoryObject> v);
  void set_federation(std::string domain_id, std::vector<FederationConfiguration> v);

  // The Graph properties seen on one object of a dataset (for coverage).
  void saw_properties(Dataset d, const std::vector<std::string>& names);
  void saw_collection(Dataset d, std::size_t items);
  void set_status(Dataset d, DatasetStatus s);
  void add_source(std::string s) { t_.sources.push_back(std::move(s)); }
  void add_note(std::string n) { t_.notes.push_back(std::move(n)); }

  // Read back while collecting (a live collector decides later requests from earlier answers). The lookups
  // (sp_by_id, role_definition, ...) see what was added before the last reindex().
  const Tenant& peek() const { return t_; }
  void reindex();
  Tenant finish() &&;

 private:
  Tenant t_;
};

// Applications that matter most: their service principal holds a critical or data-access application
// role, or a privileged directory role. Used by the collector (whose owners to read) and the checks.
// Needs the service principals, appRoleAssignedTo and role assignments; what is missing is skipped.
std::vector<const Application*> privileged_applications(const Tenant& t);

}  // namespace adpersist::model::entra
