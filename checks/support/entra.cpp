#include "checks/support/entra.hpp"

#include "scanner/util/strings.hpp"

namespace adpersist::checks::entra {

using model::Json;

model::Resource resource_of(const me::Application& a) {
  model::Resource r;
  r.type = "application";
  r.id = a.id;
  r.name = a.display_name;
  return r;
}

model::Resource resource_of(const me::ServicePrincipal& sp) {
  model::Resource r;
  r.type = "servicePrincipal";
  r.id = sp.id;
  r.name = sp.display_name;
  return r;
}

model::Resource resource_of(const me::Domain& d) {
  model::Resource r;
  r.type = "domain";
  r.id = d.id;
  r.name = d.id;
  return r;
}

std::string format_time(const std::optional<me::TimePoint>& t) { return t ? parsers::format_rfc3339(*t) : ""; }

namespace {
Json time_or_null(const std::optional<me::TimePoint>& t) { return t ? Json(parsers::format_rfc3339(*t)) : Json(nullptr); }
}  // namespace

Json key_evidence(const me::KeyCredential& k) {
  Json j = Json::object();
  j["kind"] = "certificate";
  if (util::iequals(k.type, "Symmetric")) j["kind"] = "symmetric key";
  j["key_id"] = k.key_id;
  j["type"] = k.type;
  j["usage"] = k.usage;
  j["display_name"] = k.display_name;
  j["start"] = time_or_null(k.start);
  j["end"] = time_or_null(k.end);
  if (auto tp = k.thumbprint(); !tp.empty()) j["thumbprint"] = tp;
  if (!k.cert_sha1.empty()) j["certificate_sha1"] = k.cert_sha1;
  if (!k.cert_sha256.empty()) j["certificate_sha256"] = k.cert_sha256;
  if (!k.cert_subject.empty()) j["certificate_subject"] = k.cert_subject;
  if (!k.cert_issuer.empty()) j["certificate_issuer"] = k.cert_issuer;
  if (!k.key_problem.empty()) j["certificate_problem"] = k.key_problem;
  return j;
}

Json password_evidence(const me::PasswordCredential& p) {
  Json j = Json::object();
  j["kind"] = "secret";
  j["key_id"] = p.key_id;
  j["display_name"] = p.display_name;
  j["start"] = time_or_null(p.start);
  j["end"] = time_or_null(p.end);
  // The hint (the first characters of the secret) is deliberately not repeated in reports.
  return j;
}

Grants::Grants(const me::Tenant& t) {
  for (const auto& [resource_id, list] : t.all_app_role_assignments()) {
    const me::ServicePrincipal* resource = t.sp_by_id(resource_id);
    for (const auto& a : list) {
      if (!util::iequals(a.principal_type, "ServicePrincipal")) continue;
      AppRoleGrant g;
      g.assignment = &a;
      g.resource = resource;
      g.value = a.app_role_id;
      if (resource) {
        for (const auto& role : resource->app_roles)
          if (role.id == a.app_role_id) {
            g.value = role.value;
            break;
          }
        g.rating = me::rate_app_role(resource->app_id, g.value);
      }
      app_[a.principal_id].push_back(g);
    }
  }
  for (const auto& ra : t.role_assignments()) {
    DirectoryRoleGrant g;
    g.assignment = &ra;
    const me::RoleDefinition* def = t.role_definition(ra.role_definition_id);
    const std::string& tmpl = def && !def->template_id.empty() ? def->template_id : ra.role_definition_id;
    g.info = me::privileged_directory_role(tmpl);
    g.role_name = def && !def->display_name.empty() ? def->display_name
                  : g.info                          ? std::string(g.info->name)
                                                    : ra.role_definition_id;
    dir_[ra.principal_id].push_back(g);
  }
}

const std::vector<AppRoleGrant>& Grants::app_roles(std::string_view sp_id) const {
  static const std::vector<AppRoleGrant> kNone;
  auto it = app_.find(util::to_lower(sp_id));
  return it == app_.end() ? kNone : it->second;
}

const std::vector<DirectoryRoleGrant>& Grants::directory_roles(std::string_view principal_id) const {
  static const std::vector<DirectoryRoleGrant> kNone;
  auto it = dir_.find(util::to_lower(principal_id));
  return it == dir_.end() ? kNone : it->second;
}

std::optional<me::RoleTier> Grants::top_tier(std::string_view sp_id) const {
  std::optional<me::RoleTier> top;
  for (const auto& g : app_roles(sp_id)) {
    if (!g.rating) continue;
    if (g.rating->tier == me::RoleTier::critical) return me::RoleTier::critical;
    top = me::RoleTier::data_access;
  }
  return top;
}

bool Grants::holds_privileged_directory_role(std::string_view principal_id) const {
  for (const auto& g : directory_roles(principal_id))
    if (g.info) return true;
  return false;
}

std::vector<std::string> Grants::privileged_labels(std::string_view sp_id) const {
  std::vector<std::string> out;
  for (const auto& g : app_roles(sp_id))
    if (g.rating) out.push_back(g.value + " (" + (g.resource ? g.resource->display_name : std::string("?")) + ")");
  for (const auto& g : directory_roles(sp_id))
    if (g.info) out.push_back(g.role_name + " (directory role)");
  return out;
}

Ownership ownership(const me::Tenant& t, const me::ServicePrincipal& sp) {
  if (sp.owner_org.empty()) return Ownership::unknown;
  if (me::is_microsoft_tenant(sp.owner_org)) return Ownership::microsoft;
  if (!t.tenant_id().empty() && util::iequals(sp.owner_org, t.tenant_id())) return Ownership::this_tenant;
  if (t.tenant_id().empty()) return Ownership::unknown;
  return Ownership::third_party;
}

std::string_view to_string(Ownership o) {
  switch (o) {
    case Ownership::this_tenant: return "this tenant";
    case Ownership::microsoft: return "Microsoft";
    case Ownership::third_party: return "third party";
    case Ownership::unknown: return "unknown";
  }
  return "unknown";
}

bool is_saml_signing_credential(const me::ServicePrincipal& sp, std::string_view custom_key_id) {
  if (!util::iequals(sp.preferred_sso_mode, "saml") || custom_key_id.empty()) return false;
  for (const auto& k : sp.keys)
    if (util::iequals(k.usage, "Sign") && k.custom_key_identifier == custom_key_id) return true;
  return false;
}

std::vector<SignInCredential> sign_in_credentials(const me::Application& app) {
  std::vector<SignInCredential> out;
  for (const auto& p : app.passwords) out.push_back({"secret", p.key_id, p.start, p.end, password_evidence(p)});
  for (const auto& k : app.keys)
    if (util::iequals(k.usage, "Verify")) out.push_back({"certificate", k.key_id, k.start, k.end, key_evidence(k)});
  return out;
}

std::vector<SignInCredential> sign_in_credentials(const me::ServicePrincipal& sp, bool all_keys) {
  std::vector<SignInCredential> out;
  for (const auto& p : sp.passwords)
    if (all_keys || !is_saml_signing_credential(sp, p.custom_key_identifier))
      out.push_back({"secret", p.key_id, p.start, p.end, password_evidence(p)});
  for (const auto& k : sp.keys) {
    if (!all_keys && (!util::iequals(k.usage, "Verify") || is_saml_signing_credential(sp, k.custom_key_identifier)))
      continue;
    out.push_back({"certificate", k.key_id, k.start, k.end, key_evidence(k)});
  }
  return out;
}

bool is_managed_identity(const me::ServicePrincipal& sp) { return util::iequals(sp.type, "ManagedIdentity"); }

int live_credentials(const std::vector<me::KeyCredential>& keys, const std::vector<me::PasswordCredential>& pws,
                     me::TimePoint now) {
  int n = 0;
  for (const auto& k : keys)
    if (util::iequals(k.usage, "Verify") && (!k.end || *k.end > now)) ++n;
  for (const auto& p : pws)
    if (!p.end || *p.end > now) ++n;
  return n;
}

std::string window_text(std::chrono::seconds recent_window) {
  return std::to_string(std::chrono::duration_cast<std::chrono::hours>(recent_window).count() / 24) + "-day window";
}

std::string holds_phrase(const std::vector<std::string>& labels, std::string_view lead) {
  if (labels.empty()) return {};
  return std::string(lead) + labels.front() + (labels.size() > 1 ? " and more" : "");
}

std::int64_t days_between(me::TimePoint a, me::TimePoint b) {
  return std::chrono::duration_cast<std::chrono::hours>(b - a).count() / 24;
}

}  // namespace adpersist::checks::entra
