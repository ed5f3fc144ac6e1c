#include "scanner/sources/graph/graph_objects.hpp"

#include <fstream>

#include "scanner/parsers/x509.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::sources::graph {

namespace {

const char* type_name(const GJson& j) {
  switch (j.type()) {
    case GJson::value_t::null: return "null";
    case GJson::value_t::object: return "an object";
    case GJson::value_t::array: return "an array";
    case GJson::value_t::string: return "a string";
    case GJson::value_t::boolean: return "a boolean";
    case GJson::value_t::number_integer:
    case GJson::value_t::number_unsigned:
    case GJson::value_t::number_float: return "a number";
    default: return "a value";
  }
}

// Typed reads of one Graph object. The first problem is kept; later reads still return defaults, so a
// converter reads everything and checks `error()` once.
class Obj {
 public:
  Obj(const GJson& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("", std::string("expected an object, got ") + type_name(j_));
  }

  const GJson* get(const char* key) {
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string str(const char* key) {
    const GJson* v = get(key);
    if (!v) return {};
    if (!v->is_string()) return fail(key, std::string("expected a string, got ") + type_name(*v)), std::string();
    return v->get<std::string>();
  }
  std::optional<bool> boolean(const char* key) {
    const GJson* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) return fail(key, std::string("expected true or false, got ") + type_name(*v)), std::nullopt;
    return v->get<bool>();
  }
  std::optional<parsers::TimePoint> time(const char* key) {
    std::string s = str(key);
    if (s.empty()) return std::nullopt;
    auto t = parsers::parse_rfc3339(s);
    if (!t) return fail(key, t.error().message), std::nullopt;
    return t.value();
  }
  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    const GJson* v = get(key);
    if (!v) return out;
    if (!v->is_array()) return fail(key, std::string("expected an array, got ") + type_name(*v)), out;
    for (const auto& x : *v) {
      if (!x.is_string()) return fail(key, std::string("expected an array of strings, found ") + type_name(x)), out;
      out.push_back(x.get<std::string>());
    }
    return out;
  }
  const GJson* array(const char* key) {
    const GJson* v = get(key);
    if (v && !v->is_array()) return fail(key, std::string("expected an array, got ") + type_name(*v)), nullptr;
    return v;
  }
  const GJson* object(const char* key) {
    const GJson* v = get(key);
    if (v && !v->is_object()) return fail(key, std::string("expected an object, got ") + type_name(*v)), nullptr;
    return v;
  }
  // Records an error from a nested conversion.
  void take(const Error& e) {
    if (!err_) err_ = e;
  }
  const std::string& where() const { return where_; }
  bool ok() const { return !err_.has_value(); }
  Error error() const { return *err_; }

 private:
  void fail(std::string_view key, std::string message) {
    if (err_) return;
    std::string ctx = where_;
    if (!key.empty()) ctx += " property '" + std::string(key) + "'";
    err_ = make_error(ErrorCode::invalid_input, std::move(message), std::move(ctx));
  }
  const GJson& j_;
  std::string where_;
  std::optional<Error> err_;
};

std::string where_of(const GJson& j, const entra::Origin& o) {
  std::string w = o.where();
  if (j.is_object()) {
    auto it = j.find("id");
    if (it != j.end() && it->is_string()) w += " (id " + util::sanitize_for_terminal(it->get<std::string>()) + ")";
  }
  return w;
}

std::string lower(std::string s) { return util::to_lower(s); }

// "#microsoft.graph.servicePrincipal" → "servicePrincipal"
std::string odata_type(const GJson& j) {
  if (!j.is_object()) return {};
  auto it = j.find("@odata.type");
  if (it == j.end() || !it->is_string()) return {};
  std::string t = it->get<std::string>();
  auto dot = t.rfind('.');
  return dot == std::string::npos ? t : t.substr(dot + 1);
}

template <class T, class Fn>
void each(Obj& o, const char* key, std::vector<T>& out, Fn convert) {
  const GJson* arr = o.array(key);
  if (!arr) return;
  std::size_t i = 0;
  for (const auto& x : *arr) {
    auto r = convert(x, o.where() + " " + key + "[" + std::to_string(i++) + "]");
    if (!r) return o.take(r.error());
    out.push_back(std::move(r.value()));
  }
}

}  // namespace

std::vector<std::string> property_names(const GJson& j) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!util::istarts_with(it.key(), "@odata.")) out.push_back(it.key());
  return out;
}

Result<entra::KeyCredential> to_key_credential(const GJson& j, const std::string& where) {
  Obj o(j, where);
  entra::KeyCredential k;
  k.key_id = lower(o.str("keyId"));
  k.display_name = o.str("displayName");
  k.type = o.str("type");
  k.usage = o.str("usage");
  k.custom_key_identifier = o.str("customKeyIdentifier");
  k.start = o.time("startDateTime");
  k.end = o.time("endDateTime");
  if (std::string key = o.str("key"); !key.empty() && o.ok()) {
    // The public certificate (single-object reads only). Its hashes and names are evidence; the bytes are not kept.
    // A `key` that does not decode is kept as a problem in the evidence: the credential itself is real.
    auto der = util::base64_decode(key);
    if (!der) {
      k.key_problem = "'key' is not base64";
    } else if (auto cert = parsers::parse_x509_der(*der)) {
      k.cert_sha1 = cert->sha1;
      k.cert_sha256 = cert->sha256;
      k.cert_subject = cert->subject;
      k.cert_issuer = cert->issuer;
    } else {
      // A symmetric key or something that is not a certificate: only its hash is useful evidence.
      k.cert_sha1 = parsers::sha1_thumbprint(*der);
      k.key_problem = "'key' is not an X.509 certificate: " + cert.error().message;
    }
  }
  if (!o.ok()) return o.error();
  return k;
}

Result<entra::PasswordCredential> to_password_credential(const GJson& j, const std::string& where) {
  Obj o(j, where);
  entra::PasswordCredential p;
  p.key_id = lower(o.str("keyId"));
  p.display_name = o.str("displayName");
  p.hint = o.str("hint");
  p.custom_key_identifier = o.str("customKeyIdentifier");
  p.start = o.time("startDateTime");
  p.end = o.time("endDateTime");
  // secretText is only ever returned by addPassword; it is never read or kept.
  if (!o.ok()) return o.error();
  return p;
}

Result<entra::Application> to_application(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::Application a;
  a.origin = origin;
  a.id = lower(o.str("id"));
  a.app_id = lower(o.str("appId"));
  a.display_name = o.str("displayName");
  a.created = o.time("createdDateTime");
  a.sign_in_audience = o.str("signInAudience");
  a.publisher_domain = o.str("publisherDomain");
  each(o, "keyCredentials", a.keys, to_key_credential);
  each(o, "passwordCredentials", a.passwords, to_password_credential);
  if (!o.ok()) return o.error();
  return a;
}

Result<entra::ServicePrincipal> to_service_principal(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::ServicePrincipal s;
  s.origin = origin;
  s.id = lower(o.str("id"));
  s.app_id = lower(o.str("appId"));
  s.display_name = o.str("displayName");
  s.type = o.str("servicePrincipalType");
  s.owner_org = lower(o.str("appOwnerOrganizationId"));
  s.account_enabled = o.boolean("accountEnabled");
  s.preferred_sso_mode = o.str("preferredSingleSignOnMode");
  s.preferred_token_signing_thumbprint = o.str("preferredTokenSigningKeyThumbprint");
  if (const GJson* vp = o.object("verifiedPublisher")) {
    Obj p(*vp, o.where() + " verifiedPublisher");
    s.verified_publisher = p.str("displayName");
    if (!p.ok()) o.take(p.error());
  }
  each(o, "keyCredentials", s.keys, to_key_credential);
  each(o, "passwordCredentials", s.passwords, to_password_credential);
  each(o, "appRoles", s.app_roles, [](const GJson& x, const std::string& w) -> Result<entra::AppRole> {
    Obj r(x, w);
    entra::AppRole role;
    role.id = lower(r.str("id"));
    role.value = r.str("value");
    role.display_name = r.str("displayName");
    for (const auto& t : r.strings("allowedMemberTypes")) role.application |= util::iequals(t, "Application");
    if (!r.ok()) return r.error();
    return role;
  });
  if (!o.ok()) return o.error();
  return s;
}

Result<entra::AppRoleAssignment> to_app_role_assignment(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::AppRoleAssignment a;
  a.origin = origin;
  a.id = o.str("id");
  a.principal_id = lower(o.str("principalId"));
  a.principal_type = o.str("principalType");
  a.principal_display_name = o.str("principalDisplayName");
  a.app_role_id = lower(o.str("appRoleId"));
  a.resource_id = lower(o.str("resourceId"));
  a.resource_display_name = o.str("resourceDisplayName");
  a.created = o.time("createdDateTime");
  if (!o.ok()) return o.error();
  return a;
}

Result<entra::FederatedIdentityCredential> to_federated_identity_credential(const GJson& j,
                                                                            const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::FederatedIdentityCredential f;
  f.origin = origin;
  f.id = lower(o.str("id"));
  f.name = o.str("name");
  f.issuer = o.str("issuer");
  f.subject = o.str("subject");
  f.description = o.str("description");
  f.audiences = o.strings("audiences");
  if (!o.ok()) return o.error();
  return f;
}

Result<entra::DirectoryObject> to_directory_object(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::DirectoryObject d;
  d.id = lower(o.str("id"));
  d.type = odata_type(j);
  d.display_name = o.str("displayName");
  d.user_principal_name = o.str("userPrincipalName");
  d.user_type = o.str("userType");
  d.app_id = lower(o.str("appId"));
  d.created = o.time("createdDateTime");
  if (!o.ok()) return o.error();
  return d;
}

Result<entra::Domain> to_domain(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::Domain d;
  d.origin = origin;
  d.id = lower(o.str("id"));
  d.authentication_type = o.str("authenticationType");
  d.is_verified = o.boolean("isVerified");
  d.is_root = o.boolean("isRoot");
  d.is_default = o.boolean("isDefault");
  d.is_initial = o.boolean("isInitial");
  d.supported_services = o.strings("supportedServices");
  if (!o.ok()) return o.error();
  return d;
}

Result<entra::FederationConfiguration> to_federation_configuration(const GJson& j, const entra::Origin& origin,
                                                                   std::string domain_id) {
  Obj o(j, where_of(j, origin));
  entra::FederationConfiguration f;
  f.origin = origin;
  f.domain_id = lower(std::move(domain_id));
  f.id = lower(o.str("id"));
  f.display_name = o.str("displayName");
  f.issuer_uri = o.str("issuerUri");
  f.metadata_exchange_uri = o.str("metadataExchangeUri");
  f.passive_sign_in_uri = o.str("passiveSignInUri");
  f.active_sign_in_uri = o.str("activeSignInUri");
  f.sign_out_uri = o.str("signOutUri");
  f.signing_certificate = o.str("signingCertificate");
  f.next_signing_certificate = o.str("nextSigningCertificate");
  if (const GJson* st = o.object("signingCertificateUpdateStatus")) {
    Obj s(*st, o.where() + " signingCertificateUpdateStatus");
    f.certificate_update_result = s.str("certificateUpdateResult");
    f.certificate_update_last_run = s.time("lastRunDateTime");
    if (!s.ok()) o.take(s.error());
  }
  f.preferred_authentication_protocol = o.str("preferredAuthenticationProtocol");
  f.prompt_login_behavior = o.str("promptLoginBehavior");
  f.federated_idp_mfa_behavior = o.str("federatedIdpMfaBehavior");
  f.signed_authentication_request_required = o.boolean("isSignedAuthenticationRequestRequired");
  if (!o.ok()) return o.error();
  return f;
}

Result<entra::OAuth2PermissionGrant> to_oauth2_permission_grant(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::OAuth2PermissionGrant g;
  g.origin = origin;
  g.id = o.str("id");
  g.client_id = lower(o.str("clientId"));
  g.consent_type = o.str("consentType");
  g.principal_id = lower(o.str("principalId"));
  g.resource_id = lower(o.str("resourceId"));
  g.scope = o.str("scope");
  if (!o.ok()) return o.error();
  return g;
}

Result<entra::RoleDefinition> to_role_definition(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::RoleDefinition r;
  r.origin = origin;
  r.id = lower(o.str("id"));
  r.display_name = o.str("displayName");
  r.template_id = lower(o.str("templateId"));
  r.is_built_in = o.boolean("isBuiltIn");
  r.is_enabled = o.boolean("isEnabled");
  if (const GJson* perms = o.array("rolePermissions")) {
    std::size_t i = 0;
    for (const auto& p : *perms) {
      Obj po(p, o.where() + " rolePermissions[" + std::to_string(i++) + "]");
      for (auto& a : po.strings("allowedResourceActions")) r.allowed_resource_actions.push_back(std::move(a));
      if (!po.ok()) o.take(po.error());
    }
  }
  if (!o.ok()) return o.error();
  return r;
}

Result<entra::RoleAssignment> to_role_assignment(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::RoleAssignment r;
  r.origin = origin;
  r.id = o.str("id");
  r.principal_id = lower(o.str("principalId"));
  r.role_definition_id = lower(o.str("roleDefinitionId"));
  r.directory_scope_id = o.str("directoryScopeId");
  if (const GJson* p = o.object("principal")) {
    auto d = to_directory_object(*p, origin);
    if (!d) o.take(d.error());
    else r.principal = std::move(d.value());
  }
  if (!o.ok()) return o.error();
  return r;
}

Result<entra::DirectoryAudit> to_directory_audit(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::DirectoryAudit a;
  a.origin = origin;
  a.id = o.str("id");
  a.category = o.str("category");
  a.correlation_id = o.str("correlationId");
  a.result = o.str("result");
  a.result_reason = o.str("resultReason");
  a.activity = o.str("activityDisplayName");
  a.logged_by_service = o.str("loggedByService");
  a.time = o.time("activityDateTime");
  if (const GJson* by = o.object("initiatedBy")) {
    Obj b(*by, o.where() + " initiatedBy");
    if (const GJson* u = b.object("user")) {
      Obj uo(*u, b.where() + " user");
      a.actor_user_id = lower(uo.str("id"));
      a.actor_upn = uo.str("userPrincipalName");
      a.actor_ip = uo.str("ipAddress");
      if (!uo.ok()) o.take(uo.error());
    }
    if (const GJson* ap = b.object("app")) {
      Obj ao(*ap, b.where() + " app");
      a.actor_app_id = lower(ao.str("appId"));
      a.actor_app_name = ao.str("displayName");
      a.actor_sp_id = lower(ao.str("servicePrincipalId"));
      if (!ao.ok()) o.take(ao.error());
    }
    if (!b.ok()) o.take(b.error());
  }
  each(o, "targetResources", a.targets, [](const GJson& x, const std::string& w) -> Result<entra::AuditTarget> {
    Obj t(x, w);
    entra::AuditTarget tr;
    tr.id = lower(t.str("id"));
    tr.display_name = t.str("displayName");
    tr.type = t.str("type");
    if (tr.type.empty()) tr.type = t.str("Type");  // the 2021 documentation samples spell it so
    tr.user_principal_name = t.str("userPrincipalName");
    each(t, "modifiedProperties", tr.modified, [](const GJson& m, const std::string& mw) -> Result<entra::ModifiedProperty> {
      Obj mo(m, mw);
      entra::ModifiedProperty p{mo.str("displayName"), mo.str("oldValue"), mo.str("newValue")};
      if (!mo.ok()) return mo.error();
      return p;
    });
    if (!t.ok()) return t.error();
    return tr;
  });
  if (!o.ok()) return o.error();
  return a;
}

Result<entra::Organization> to_organization(const GJson& j, const entra::Origin& origin) {
  Obj o(j, where_of(j, origin));
  entra::Organization org;
  org.id = lower(o.str("id"));
  org.display_name = o.str("displayName");
  org.created = o.time("createdDateTime");
  if (const GJson* vds = o.array("verifiedDomains")) {
    std::size_t i = 0;
    for (const auto& vd : *vds) {
      Obj v(vd, o.where() + " verifiedDomains[" + std::to_string(i++) + "]");
      std::string name = lower(v.str("name"));
      if (v.boolean("isDefault").value_or(false)) org.default_domain = name;
      if (v.boolean("isInitial").value_or(false)) org.initial_domain = name;
      if (!name.empty()) org.verified_domains.push_back(std::move(name));
      if (!v.ok()) o.take(v.error());
    }
  }
  if (!o.ok()) return o.error();
  return org;
}

// --- streaming a response body ------------------------------------------------------------------------

namespace {
struct Abort {
  Error error;
};
}  // namespace

Result<std::size_t> for_each_item(std::istream& in, const std::string& name, const ItemFn& fn) {
  using E = GJson::parse_event_t;
  int top = -1;  // 0: an object at the top, 1: an array of page bodies
  bool in_value = false, saw_value = false, page_has_value = false;
  bool value_is_object = false;  // {"value": {...}}: a documentation shape for a single object
  std::size_t count = 0, page = 0;
  auto bad = [&](std::string message) {
    return Abort{make_error(ErrorCode::invalid_input, std::move(message), name)};
  };
  // nlohmann's callback parser: depth is the number of open containers around the event. Items of the
  // "value" array are handed to `fn` at their object_end and then dropped (return false), so a capture of
  // 100k service principals is never held as one JSON tree.
  GJson::parser_callback_t cb = [&](int depth, E ev, GJson& parsed) -> bool {
    if ((ev == E::object_start || ev == E::array_start) && depth >= kMaxJsonDepth)
      throw bad("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels: not a Graph response body");
    if (depth == 0) {
      if (ev == E::object_start) top = 0;
      else if (ev == E::array_start) top = 1;
      else if (ev == E::value) throw bad("not a Graph response body: expected an object or an array of pages");
      return true;
    }
    const int base = top;  // the depth of the object holding "value"
    if (top == 1 && depth == 1) {
      if (ev == E::object_start) {
        page_has_value = false;
        return true;
      }
      if (ev == E::object_end) {
        if (!page_has_value) throw bad("page " + std::to_string(page) + " of the array has no \"value\" array");
        ++page;
        return true;
      }
      if (ev == E::value || ev == E::array_start)
        throw bad("element " + std::to_string(page) + " of the top-level array is not a page body object");
    }
    if (depth == base + 1) {
      if (ev == E::key) {
        in_value = parsed.is_string() && parsed.get_ref<const std::string&>() == "value";
        // A second "value" in one page: a DOM reader (or Python's json) keeps the last, this reader would
        // have read both. Graph never sends it; it is refused.
        if (in_value && page_has_value)
          throw bad(top == 1 ? "page " + std::to_string(page) + " of the array has \"value\" twice"
                             : std::string("\"value\" appears twice"));
        if (in_value) saw_value = page_has_value = true;
      } else if (in_value && ev == E::value) {
        throw bad("\"value\" is " + std::string(type_name(parsed)) + ", not an array");
      } else if (in_value && ev == E::object_start) {
        value_is_object = true;
      } else if (in_value && value_is_object && ev == E::object_end) {
        value_is_object = false;
        auto st = fn(parsed, count);
        if (!st) throw Abort{st.error()};
        ++count;
        return false;
      }
      return true;
    }
    if (in_value && !value_is_object && depth == base + 2) {
      if (ev == E::value) throw bad("item " + std::to_string(count) + " of \"value\" is not an object");
      if (ev == E::array_start) throw bad("item " + std::to_string(count) + " of \"value\" is an array, not an object");
      if (ev == E::object_end) {
        auto st = fn(parsed, count);
        if (!st) throw Abort{st.error()};
        ++count;
        return false;  // drop the item: it has been converted
      }
    }
    return true;
  };
  try {
    GJson rest = GJson::parse(in, cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
    if (top == 0 && !saw_value) {
      // A single object (GET of one object, as the capture contract allows).
      auto st = fn(rest, 0);
      if (!st) return st.error();
      return std::size_t{1};
    }
  } catch (const Abort& a) {
    return a.error;
  } catch (const GJson::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error ...".
    std::string what = e.what();
    auto p = what.find("parse error");
    return make_error(ErrorCode::invalid_input,
                      "not valid JSON: " + (p == std::string::npos ? what : what.substr(p)), name);
  } catch (const GJson::exception& e) {
    return make_error(ErrorCode::invalid_input, std::string("not valid JSON: ") + e.what(), name);
  }
  return count;
}

}  // namespace adpersist::sources::graph
