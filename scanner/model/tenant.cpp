#include "scanner/model/tenant.hpp"

#include <algorithm>

#include "scanner/model/entra_roles.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::model::entra {

bool is_microsoft_tenant(std::string_view tenant_id) {
  return util::iequals(tenant_id, kMicrosoftTenant) || util::iequals(tenant_id, kMicrosoftCorpTenant);
}

std::string KeyCredential::thumbprint() const {
  auto raw = util::base64_decode(custom_key_identifier);
  if (!raw || raw->size() != 20) return {};
  std::string hex = util::hex_encode(*raw);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return hex;
}

std::vector<std::string> OAuth2PermissionGrant::scopes() const {
  std::vector<std::string> out;
  for (auto part : util::split(scope, ' '))
    if (auto t = util::trim(part); !t.empty()) out.emplace_back(t);
  return out;
}

std::string DirectoryAudit::actor() const {
  if (!actor_upn.empty() || !actor_user_id.empty()) {
    std::string s = actor_upn.empty() ? "user " + actor_user_id : actor_upn;
    if (!actor_ip.empty()) s += " (" + actor_ip + ")";
    return s;
  }
  if (!actor_app_name.empty() || !actor_app_id.empty()) {
    std::string s = "app " + (actor_app_name.empty() ? actor_app_id : actor_app_name);
    if (!actor_app_id.empty() && !actor_app_name.empty()) s += " (appId " + actor_app_id + ")";
    return s;
  }
  return "unknown";
}

std::string Tenant::display_name() const {
  if (organization_ && !organization_->display_name.empty()) return organization_->display_name;
  if (organization_ && !organization_->default_domain.empty()) return organization_->default_domain;
  return tenant_id_;
}

namespace {
template <class M>
const typename M::mapped_type* find_in(const M& m, std::string_view key) {
  auto it = m.find(util::to_lower(key));
  return it == m.end() ? nullptr : &it->second;
}
}  // namespace

const std::vector<AppRoleAssignment>* Tenant::app_role_assigned_to(std::string_view id) const {
  return find_in(assigned_to_, id);
}
const std::vector<FederatedIdentityCredential>* Tenant::federated_identity_credentials(std::string_view id) const {
  return find_in(fics_, id);
}
const std::vector<DirectoryObject>* Tenant::owners(std::string_view id) const { return find_in(owners_, id); }
const std::vector<FederationConfiguration>* Tenant::federation(std::string_view domain_id) const {
  return find_in(federation_, domain_id);
}

const ServicePrincipal* Tenant::sp_by_id(std::string_view id) const {
  auto it = sp_by_id_.find(util::to_lower(id));
  return it == sp_by_id_.end() ? nullptr : &service_principals_[it->second];
}
const ServicePrincipal* Tenant::sp_by_app_id(std::string_view app_id) const {
  auto it = sp_by_app_id_.find(util::to_lower(app_id));
  return it == sp_by_app_id_.end() ? nullptr : &service_principals_[it->second];
}
const Application* Tenant::app_by_app_id(std::string_view app_id) const {
  auto it = app_by_app_id_.find(util::to_lower(app_id));
  return it == app_by_app_id_.end() ? nullptr : &applications_[it->second];
}
const Application* Tenant::app_by_id(std::string_view id) const {
  auto it = app_by_id_.find(util::to_lower(id));
  return it == app_by_id_.end() ? nullptr : &applications_[it->second];
}
const RoleDefinition* Tenant::role_definition(std::string_view id) const {
  auto it = role_def_.find(util::to_lower(id));
  return it == role_def_.end() ? nullptr : &role_definitions_[it->second];
}

const DatasetStatus& Tenant::dataset(Dataset d) const {
  static const DatasetStatus kMissing{DatasetState::missing, "no Entra ID source was given (--graph-dir or --tenant)"};
  auto it = datasets_.find(d);
  return it == datasets_.end() ? kMissing : it->second;
}

AttrCoverage Tenant::property(Dataset d, std::string_view name) const {
  // A complete collection without objects (no federated domain, so no federationConfiguration file): there is
  // nothing a property could be missing from.
  auto c = counts_.find(d);
  if ((c == counts_.end() || c->second == 0) && dataset(d).state == DatasetState::ok) return AttrCoverage::collected;
  auto it = properties_.find(d);
  if (it == properties_.end()) return AttrCoverage::unknown;
  return it->second.count(util::to_lower(name)) ? AttrCoverage::collected : AttrCoverage::not_collected;
}

// --- builder --------------------------------------------------------------------------------------------

void TenantBuilder::set_tenant_id(std::string id) { t_.tenant_id_ = util::to_lower(id); }
void TenantBuilder::set_organization(Organization o) {
  if (t_.tenant_id_.empty()) t_.tenant_id_ = util::to_lower(o.id);
  t_.organization_ = std::move(o);
}
void TenantBuilder::add(Application a) { t_.applications_.push_back(std::move(a)); }
void TenantBuilder::add(ServicePrincipal sp) { t_.service_principals_.push_back(std::move(sp)); }
void TenantBuilder::add(Domain d) { t_.domains_.push_back(std::move(d)); }
void TenantBuilder::add(OAuth2PermissionGrant g) { t_.grants_.push_back(std::move(g)); }
void TenantBuilder::add(RoleAssignment r) { t_.role_assignments_.push_back(std::move(r)); }
void TenantBuilder::add(RoleDefinition r) { t_.role_definitions_.push_back(std::move(r)); }
void TenantBuilder::add(DirectoryAudit a) { t_.audits_.push_back(std::move(a)); }

void TenantBuilder::set_app_role_assigned_to(std::string id, std::vector<AppRoleAssignment> v) {
  t_.assigned_to_[util::to_lower(id)] = std::move(v);
}
void TenantBuilder::set_federated_identity_credentials(std::string id, std::vector<FederatedIdentityCredential> v) {
  t_.fics_[util::to_lower(id)] = std::move(v);
}
void TenantBuilder::set_owners(std::string id, std::vector<DirectoryObject> v) {
  t_.owners_[util::to_lower(id)] = std::move(v);
}
void TenantBuilder::set_federation(std::string domain_id, std::vector<FederationConfiguration> v) {
  t_.federation_[util::to_lower(domain_id)] = std::move(v);
}

void TenantBuilder::saw_properties(Dataset d, const std::vector<std::string>& names) {
  auto& set = t_.properties_[d];
  for (const auto& n : names) set.insert(util::to_lower(n));
}
void TenantBuilder::saw_collection(Dataset d, std::size_t items) { t_.counts_[d] += items; }
void TenantBuilder::set_status(Dataset d, DatasetStatus s) { t_.datasets_[d] = std::move(s); }

void TenantBuilder::reindex() {
  auto index = [](auto& vec, auto& map, auto key) {
    map.clear();
    map.reserve(vec.size());
    for (std::size_t i = 0; i < vec.size(); ++i) {
      auto k = util::to_lower(key(vec[i]));
      if (!k.empty()) map.emplace(std::move(k), i);  // the first of duplicates wins
    }
  };
  index(t_.service_principals_, t_.sp_by_id_, [](const ServicePrincipal& s) { return s.id; });
  index(t_.service_principals_, t_.sp_by_app_id_, [](const ServicePrincipal& s) { return s.app_id; });
  index(t_.applications_, t_.app_by_id_, [](const Application& a) { return a.id; });
  index(t_.applications_, t_.app_by_app_id_, [](const Application& a) { return a.app_id; });
  index(t_.role_definitions_, t_.role_def_, [](const RoleDefinition& r) { return r.id; });
  for (std::size_t i = 0; i < t_.role_definitions_.size(); ++i)
    if (!t_.role_definitions_[i].template_id.empty())
      t_.role_def_.emplace(util::to_lower(t_.role_definitions_[i].template_id), i);
}

Tenant TenantBuilder::finish() && {
  reindex();
  if (t_.tenant_id_.empty() && t_.organization_) t_.tenant_id_ = util::to_lower(t_.organization_->id);
  return std::move(t_);
}

std::vector<const Application*> privileged_applications(const Tenant& t) {
  std::set<std::string> sp_ids;  // service principals holding a rated role or a privileged directory role
  for (const auto& [resource_id, list] : t.all_app_role_assignments()) {
    const ServicePrincipal* resource = t.sp_by_id(resource_id);
    if (!resource) continue;
    for (const auto& a : list) {
      if (!util::iequals(a.principal_type, "ServicePrincipal")) continue;
      for (const auto& role : resource->app_roles)
        if (util::iequals(role.id, a.app_role_id) && rate_app_role(resource->app_id, role.value)) {
          sp_ids.insert(util::to_lower(a.principal_id));
          break;
        }
    }
  }
  for (const auto& ra : t.role_assignments()) {
    const RoleDefinition* def = t.role_definition(ra.role_definition_id);
    std::string_view tmpl = def && !def->template_id.empty() ? std::string_view(def->template_id)
                                                             : std::string_view(ra.role_definition_id);
    if (privileged_directory_role(tmpl)) sp_ids.insert(util::to_lower(ra.principal_id));
  }
  std::vector<const Application*> out;
  for (const auto& app : t.applications()) {
    const ServicePrincipal* sp = t.sp_by_app_id(app.app_id);
    if (sp && sp_ids.count(util::to_lower(sp->id))) out.push_back(&app);
  }
  return out;
}

}  // namespace adpersist::model::entra
