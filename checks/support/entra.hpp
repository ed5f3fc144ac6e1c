// Shared pieces of the Entra ID checks: resources and evidence for Graph objects, and the joins most checks
// make (which service principal holds which rated application permission or privileged directory role).
// Everything here reads the tenant snapshot; nothing does I/O.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "scanner/model/entra_roles.hpp"
#include "scanner/model/finding.hpp"
#include "scanner/model/tenant.hpp"

namespace adpersist::checks::entra {

namespace me = model::entra;

model::Resource resource_of(const me::Application& a);
model::Resource resource_of(const me::ServicePrincipal& sp);
model::Resource resource_of(const me::Domain& d);

// Evidence for one credential: ids, dates, thumbprints; never key material (Graph lists carry none).
model::Json key_evidence(const me::KeyCredential& k);
model::Json password_evidence(const me::PasswordCredential& p);

// One application permission held by a service principal, rated or not.
struct AppRoleGrant {
  const me::AppRoleAssignment* assignment = nullptr;
  const me::ServicePrincipal* resource = nullptr;  // the API (Microsoft Graph, Exchange Online, ...)
  std::string value;                               // "Mail.Read"; the role id when the resource does not define it
  const me::RatedRole* rating = nullptr;           // nullptr: not a critical or data-access permission
};

// One directory role held by a principal.
struct DirectoryRoleGrant {
  const me::RoleAssignment* assignment = nullptr;
  std::string role_name;
  const me::DirectoryRoleInfo* info = nullptr;  // nullptr: not a privileged role
};

// Indexes built once per check run.
class Grants {
 public:
  explicit Grants(const me::Tenant& t);
  // Application permissions held by the service principal `sp_id`.
  const std::vector<AppRoleGrant>& app_roles(std::string_view sp_id) const;
  // Directory roles held by principal `principal_id` (user, group or service principal).
  const std::vector<DirectoryRoleGrant>& directory_roles(std::string_view principal_id) const;
  // The highest tier among the SP's application permissions (nullopt: none rated).
  std::optional<me::RoleTier> top_tier(std::string_view sp_id) const;
  bool holds_privileged_directory_role(std::string_view principal_id) const;
  // "RoleManagement.ReadWrite.Directory (Microsoft Graph), Global Administrator": the rated permissions
  // and privileged roles, for evidence.
  std::vector<std::string> privileged_labels(std::string_view sp_id) const;

 private:
  std::map<std::string, std::vector<AppRoleGrant>, std::less<>> app_;
  std::map<std::string, std::vector<DirectoryRoleGrant>, std::less<>> dir_;
};

// The owner of a service principal's application relative to this tenant.
enum class Ownership { this_tenant, microsoft, third_party, unknown };
Ownership ownership(const me::Tenant& t, const me::ServicePrincipal& sp);
std::string_view to_string(Ownership o);

std::string format_time(const std::optional<me::TimePoint>& t);

// The SAML single sign-on pattern Entra creates for an enterprise application: a Sign key, its Verify twin
// and a password, all with the customKeyIdentifier of the signing certificate. True when `custom_key_id`
// belongs to that pattern on `sp` (preferredSingleSignOnMode "saml" and a Sign key with that identifier).
bool is_saml_signing_credential(const me::ServicePrincipal& sp, std::string_view custom_key_id);

// A credential that lets its holder sign in as an application: a secret, or a certificate with usage Verify.
struct SignInCredential {
  std::string_view kind;  // "secret" or "certificate"
  std::string key_id;
  std::optional<me::TimePoint> start, end;
  model::Json evidence;  // key_evidence / password_evidence
};
// The sign-in credentials of an application object.
std::vector<SignInCredential> sign_in_credentials(const me::Application& app);
// The sign-in credentials stored on a service principal, the SAML signing pattern left out (and `all_keys`:
// every keyCredential, Sign keys included, for checks where any key at all is the indicator).
std::vector<SignInCredential> sign_in_credentials(const me::ServicePrincipal& sp, bool all_keys = false);

// Whether the service principal is a managed identity (Azure manages its certificate; never reported).
bool is_managed_identity(const me::ServicePrincipal& sp);

// Credentials that can still authenticate (secrets and Verify certificates not yet expired), counted; the
// SAML signing pattern is not set apart.
int live_credentials(const std::vector<me::KeyCredential>& keys, const std::vector<me::PasswordCredential>& pws,
                     me::TimePoint now);

// "30-day window": the recent window (--since) in days, for messages.
std::string window_text(std::chrono::seconds recent_window);

// "; it holds Mail.Read (Microsoft Graph) and more" for a message; empty when `labels` is.
std::string holds_phrase(const std::vector<std::string>& labels, std::string_view lead = "; it holds ");

// Whole days between two times (negative when b is before a).
std::int64_t days_between(me::TimePoint a, me::TimePoint b);

}  // namespace adpersist::checks::entra
