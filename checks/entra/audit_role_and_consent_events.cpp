// entra.audit-role-and-consent-events: directory audit records of directory roles, application permissions,
// consents and ownerships granted inside the recent window.
#include <algorithm>
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "checks/support/entra_audit.hpp"
#include "scanner/model/entra_roles.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;
namespace au = entra_audit;

enum class Kind { role_member, role_eligible, app_role, consent, delegated_grant, owner_app, owner_sp };

std::optional<Kind> kind_of(const me::DirectoryAudit& a) {
  if (au::activity_is(a.activity, "Add member to role") ||
      au::activity_starts_with(a.activity, "Add member to role in PIM completed"))
    return Kind::role_member;
  if (au::activity_is(a.activity, "Add eligible member to role") ||
      au::activity_starts_with(a.activity, "Add eligible member to role in PIM completed"))
    return Kind::role_eligible;
  if (au::activity_is(a.activity, "Add app role assignment to service principal")) return Kind::app_role;
  if (au::activity_is(a.activity, "Consent to application")) return Kind::consent;
  if (au::activity_is(a.activity, "Add delegated permission grant")) return Kind::delegated_grant;
  if (au::activity_is(a.activity, "Add owner to application")) return Kind::owner_app;
  if (au::activity_is(a.activity, "Add owner to service principal")) return Kind::owner_sp;
  return std::nullopt;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : util::split(text, ' '))
    if (auto s = util::trim(part); !s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.emplace_back(s);
  return out;
}

// Scopes named in ConsentAction.Permissions: "[] => [[Id: ..., Scope:  openid Mail.Read, CreatedDateTime: ...]]".
// Only the part after "=>" (the state after the consent) is read.
std::vector<std::string> consent_scopes(std::string_view text) {
  if (auto arrow = text.find("=>"); arrow != std::string_view::npos) text = text.substr(arrow + 2);
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = text.find("Scope:", pos)) != std::string_view::npos) {
    pos += 6;
    const auto end = text.find_first_of(",]", pos);
    for (auto& s : split_scopes(text.substr(pos, end == std::string_view::npos ? text.npos : end - pos)))
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    if (end == std::string_view::npos) break;
    pos = end;
  }
  return out;
}

std::vector<std::string> risky(const std::vector<std::string>& scopes) {
  std::vector<std::string> out;
  for (const auto& s : scopes)
    if (me::is_risky_delegated_scope(s)) out.push_back(s);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string label(const Resource& r) { return r.name.empty() ? r.id : r.name; }

Json resource_json(const Resource& r) {
  Json j = Json::object();
  j["type"] = r.type;
  j["id"] = r.id;
  j["name"] = r.name;
  return j;
}

class AuditRoleAndConsentEvents final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.audit-role-and-consent-events",
        .title = "Audit log: directory role, application permission, consent or ownership granted",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1098.003", "T1528", "T1098"},
        .references = {"CISA AA21-008A", "https://github.com/cisagov/Sparrow",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-audit-activities",
                       "https://github.com/Azure/Azure-Sentinel/tree/master/Solutions/Microsoft%20Entra%20ID"},
        .description =
            "Once inside a tenant, an attacker makes its access durable by granting it to principals they "
            "control: a directory role for a new or existing account or service principal, an application "
            "permission such as RoleManagement.ReadWrite.Directory for an application whose credentials they "
            "hold, an admin consent for a malicious multi-tenant application, or ownership of an application "
            "(owners can add credentials). This check reports every record inside the recent window (--since) "
            "of 'Add member to role', 'Add eligible member to role' (and their PIM 'completed' forms), 'Add app "
            "role assignment to service principal', 'Consent to application', 'Add delegated permission "
            "grant' (unless the same operation's 'Consent to application' record is reported), 'Add owner to "
            "application' and 'Add owner to service principal', naming the actor, the principal that gained "
            "access and what it gained. " +
            std::string(au::kRetentionNote),
        .severity_notes =
            "Critical for a tier-0 directory role (Global Administrator, Privileged Role Administrator, "
            "Privileged Authentication Administrator, Application and Cloud Application Administrator, Hybrid "
            "Identity Administrator, ...; by Role.TemplateId, else the role name), for an application permission "
            "rated critical (RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, "
            "Application.ReadWrite.All, ...) and for an admin consent (or an AllPrincipals grant) including a "
            "risky delegated scope (Mail.*, Files.*, Sites.*, Directory.AccessAsUser.All, ...). High otherwise. "
            "A failed attempt is one level lower.",
        .false_positives =
            "Planned role assignments, PIM eligibility for new administrators, consent to a vetted application, "
            "owners added when an application changes hands. Confirm each against the change records; the "
            "actor and actor_ip tell a helpdesk workstation from an unknown address.",
        .remediation =
            "If the grant was not planned: remove it (Remove-MgRoleManagementDirectoryRoleAssignment, "
            "Remove-MgServicePrincipalAppRoleAssignment, Remove-MgOauth2PermissionGrant, "
            "Remove-MgApplicationOwnerByRef), investigate the principal that gained access (its credentials, "
            "sign-ins and audit records since the time of the record) and the actor's account, and reset or "
            "disable whatever the attacker controls.",
        .needs = {{Dataset::directory_audits,
                   {"activityDisplayName", "activityDateTime", "initiatedBy", "targetResources"},
                   {"result", "correlationId", "loggedByService"}}},
        .evidence = au::record_evidence_fields({
            {"targets", "every target of the record: type, id, name"},
            {"role", "directory role: name, template id, privileged, tier0"},
            {"app_role", "application permission: value, id, resource, resource_app_id, rating, why"},
            {"client", "the service principal that received the permission or consent"},
            {"consent", "admin_consent, on_behalf_of_all, app_only, consent_type"},
            {"scopes", "delegated scopes consented"},
            {"risky_scopes", "those of the scopes that reach tenant-wide data or control"},
            {"owner", "the new owner: type, id, name"},
            {"owned_object", "the application or service principal it now owns"}
        }),
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const bool have_sps = t.dataset(Dataset::service_principals).state == DatasetState::ok;
    const bool have_roles = t.dataset(Dataset::role_definitions).state == DatasetState::ok;

    // Operations whose consent record is reported: their delegated-grant record says the same.
    std::set<std::string> consented;
    for (const auto& a : t.directory_audits())
      if (au::activity_is(a.activity, "Consent to application") && !a.correlation_id.empty())
        consented.insert(util::to_lower(a.correlation_id));

    std::size_t undated = 0;
    for (const auto& a : t.directory_audits()) {
      const auto kind = kind_of(a);
      if (!kind) continue;
      if (!a.time) {
        ++undated;
        continue;
      }
      if (!ctx.is_recent(*a.time)) continue;
      if (*kind == Kind::delegated_grant && consented.count(util::to_lower(a.correlation_id))) continue;

      Ctx c{t, a, have_sps, have_roles, out};
      switch (*kind) {
        case Kind::role_member:
        case Kind::role_eligible: role(c, *kind == Kind::role_eligible); break;
        case Kind::app_role: app_role(c); break;
        case Kind::consent: consent(c); break;
        case Kind::delegated_grant: delegated_grant(c); break;
        case Kind::owner_app:
        case Kind::owner_sp: owner(c, *kind == Kind::owner_sp); break;
      }
    }
    if (undated) out.note(std::to_string(undated) + " role or consent audit record(s) without activityDateTime were skipped");
    if (!have_sps)
      out.note("service principals not collected: app role values and clients resolved from the audit record only");
  }

 private:
  struct Ctx {
    const me::Tenant& t;
    const me::DirectoryAudit& a;
    bool have_sps, have_roles;
    Findings& out;
  };

  static Finding& add(Ctx& c, const Resource& r, Severity s, const std::string& what) {
    auto& f = c.out.add(r).set_key("audit:" + c.a.id).set_severity(au::for_result(c.a, s));
    f.set_message(what + " by " + c.a.actor() + " at " + entra::format_time(c.a.time) +
                  (au::succeeded(c.a) ? "" : " (failed)"));
    au::add_record_evidence(f, c.a);
    f.add("targets", au::targets_json(c.a));
    return f;
  }

  // A service principal by object id, else by appId, else from what the record says.
  static Resource sp_resource(const Ctx& c, const std::string& id, const std::string& app_id, const std::string& name) {
    Resource r;
    r.type = "servicePrincipal";
    const me::ServicePrincipal* sp = nullptr;
    if (c.have_sps) {
      if (!id.empty()) sp = c.t.sp_by_id(id);
      if (!sp && !app_id.empty()) sp = c.t.sp_by_app_id(app_id);
    }
    if (sp) return entra::resource_of(*sp);
    r.id = !id.empty() ? util::to_lower(id) : util::to_lower(app_id);
    r.name = name;
    return r;
  }

  static void role(Ctx& c, bool eligible) {
    const auto& a = c.a;
    std::string name = au::new_value(a, "Role.DisplayName");
    std::string tmpl = util::to_lower(au::new_value(a, "Role.TemplateId"));
    const std::string object_id = util::to_lower(au::new_value(a, "Role.ObjectID"));
    if (tmpl.empty())
      if (const auto* rt = au::target_of_type(a, {"Role"}); rt && !rt->id.empty()) tmpl = rt->id;
    if (c.have_roles) {
      const me::RoleDefinition* def = nullptr;
      for (const auto& id : {tmpl, object_id})
        if (!def && !id.empty()) def = c.t.role_definition(id);
      if (def) {
        if (name.empty()) name = def->display_name;
        if (tmpl.empty()) tmpl = def->template_id;
      }
    }
    const me::DirectoryRoleInfo* known = nullptr;
    for (const auto& id : {tmpl, object_id})
      if (!known && !id.empty()) known = me::privileged_directory_role(id);
    if (!known && !name.empty())
      for (const auto& r : me::privileged_directory_roles())
        if (util::iequals(r.name, name)) known = &r;
    if (name.empty() && known) name = std::string(known->name);
    if (name.empty()) name = tmpl.empty() ? "an unnamed role" : tmpl;

    const me::AuditTarget* principal = nullptr;
    for (const auto& tr : a.targets)
      if (!util::iequals(tr.type, "Role")) {
        principal = &tr;
        break;
      }
    Resource r = principal ? au::resource_of(*principal) : Resource{"auditRecord", a.id, "", "", a.activity};
    if (principal && util::iequals(principal->type, "ServicePrincipal") && c.have_sps)
      if (const auto* sp = c.t.sp_by_id(principal->id)) r = entra::resource_of(*sp);

    const bool tier0 = known && known->tier0;
    auto& f = add(c, r, tier0 ? Severity::critical : Severity::high,
                  std::string(eligible ? "made eligible for " : "added to ") + name +
                      (tier0 ? " (tier 0)" : known ? " (privileged)" : ""));
    Json j = Json::object();
    j["name"] = name;
    j["template_id"] = tmpl;
    j["privileged"] = known != nullptr;
    j["tier0"] = tier0;
    j["eligible"] = eligible;
    f.add("role", j);
  }

  static void app_role(Ctx& c) {
    const auto& a = c.a;
    std::string value = au::new_value(a, "AppRole.Value");
    const std::string role_id = util::to_lower(au::new_value(a, "AppRole.Id"));
    const me::AuditTarget* res_target = au::target_of_type(a, {"ServicePrincipal"});

    // The resource (API) service principal: the target, resolved through the service principals, else by the
    // names of the Microsoft APIs whose permissions are rated.
    std::string res_app_id, res_name = res_target ? res_target->display_name : std::string();
    const me::ServicePrincipal* res_sp = res_target && c.have_sps ? c.t.sp_by_id(res_target->id) : nullptr;
    if (res_sp) {
      res_app_id = res_sp->app_id;
      if (res_name.empty()) res_name = res_sp->display_name;
      if (value.empty())
        for (const auto& r : res_sp->app_roles)
          if (util::iequals(r.id, role_id)) value = r.value;
    }
    if (res_app_id.empty())
      for (const auto& ra : me::rated_resources())
        if (util::iequals(ra.name, res_name)) res_app_id = std::string(ra.app_id);
    const me::RatedRole* rating = res_app_id.empty() || value.empty() ? nullptr : me::rate_app_role(res_app_id, value);

    Resource client = sp_resource(c, au::new_value(a, "ServicePrincipal.ObjectID"),
                                  au::new_value(a, "ServicePrincipal.AppId"), au::new_value(a, "ServicePrincipal.DisplayName"));
    if (client.id.empty() && res_target) client = au::resource_of(*res_target);

    const bool critical = rating && rating->tier == me::RoleTier::critical;
    std::string what = "granted " + (value.empty() ? "app role " + role_id : value) +
                       (res_name.empty() ? "" : " on " + res_name);
    if (rating) what += std::string(critical ? " (critical: " : " (data access: ") + std::string(rating->why) + ")";
    auto& f = add(c, client, critical ? Severity::critical : Severity::high, what);
    Json j = Json::object();
    j["value"] = value;
    j["id"] = role_id;
    j["resource"] = res_name;
    j["resource_app_id"] = res_app_id;
    j["rating"] = rating ? Json(critical ? "critical" : "data_access") : Json(nullptr);
    j["why"] = rating ? Json(std::string(rating->why)) : Json(nullptr);
    f.add("app_role", j);
    f.add("client", resource_json(client));
  }

  static void consent(Ctx& c) {
    const auto& a = c.a;
    const me::AuditTarget* tgt = au::target_of_type(a, {"ServicePrincipal"});
    Resource client = tgt ? sp_resource(c, tgt->id, "", tgt->display_name) : Resource{"auditRecord", a.id, "", "", a.activity};
    const bool admin = util::iequals(au::new_value(a, "ConsentContext.IsAdminConsent"), "True");
    const bool all = util::iequals(au::new_value(a, "ConsentContext.OnBehalfOfAll"), "True");
    const bool app_only = util::iequals(au::new_value(a, "ConsentContext.IsAppOnly"), "True");
    const auto scopes = consent_scopes(au::new_value(a, "ConsentAction.Permissions"));
    const auto risk = risky(scopes);
    const bool critical = admin && !risk.empty();

    std::string what = std::string(admin ? "admin consent" : "user consent") + (all ? " for all users" : "");
    if (!scopes.empty()) what += ": " + join(scopes);
    if (!risk.empty()) what += " (risky: " + join(risk) + ")";
    auto& f = add(c, client, critical ? Severity::critical : Severity::high, what);
    f.add("consent", Json{{"admin_consent", admin}, {"on_behalf_of_all", all}, {"app_only", app_only},
                          {"consent_type", all ? "AllPrincipals" : "Principal"}});
    f.add("scopes", scopes);
    f.add("risky_scopes", risk);
    f.add("client", resource_json(client));
  }

  static void delegated_grant(Ctx& c) {
    const auto& a = c.a;
    const auto scopes = split_scopes(au::new_value(a, "DelegatedPermissionGrant.Scope"));
    const std::string consent_type = au::new_value(a, "DelegatedPermissionGrant.ConsentType");
    const std::string client_id = util::to_lower(au::new_value(a, "DelegatedPermissionGrant.ClientId"));
    std::string client_name, res_name;
    for (const auto& tr : a.targets) {
      if (!client_id.empty() && tr.id == client_id) client_name = tr.display_name;
      else if (res_name.empty()) res_name = tr.display_name;
    }
    Resource client = sp_resource(c, client_id, "", client_name);
    if (client.id.empty() && !a.targets.empty()) client = au::resource_of(a.targets.back());
    const auto risk = risky(scopes);
    const bool all = util::iequals(consent_type, "AllPrincipals");
    const bool critical = all && !risk.empty();

    std::string what = std::string("delegated permissions") + (all ? " for all users" : "") + " granted" +
                       (res_name.empty() ? "" : " on " + res_name);
    if (!scopes.empty()) what += ": " + join(scopes);
    if (!risk.empty()) what += " (risky: " + join(risk) + ")";
    auto& f = add(c, client, critical ? Severity::critical : Severity::high, what);
    f.add("consent", Json{{"admin_consent", all}, {"on_behalf_of_all", all}, {"app_only", false},
                          {"consent_type", consent_type}});
    f.add("scopes", scopes);
    f.add("risky_scopes", risk);
    f.add("client", resource_json(client));
  }

  static void owner(Ctx& c, bool sp) {
    const auto& a = c.a;
    const char* type = sp ? "ServicePrincipal" : "Application";
    const std::string prefix = sp ? "ServicePrincipal." : "Application.";
    std::string object_id = util::to_lower(au::new_value(a, prefix + "ObjectID"));
    std::string object_name = au::new_value(a, prefix + "DisplayName");
    const me::AuditTarget* object_target = nullptr;
    for (const auto& tr : a.targets)
      if (util::iequals(tr.type, type) && (object_id.empty() || tr.id == object_id)) object_target = &tr;
    if (object_target) {
      if (object_id.empty()) object_id = object_target->id;
      if (object_name.empty()) object_name = object_target->display_name;
    }
    const me::AuditTarget* owner_target = nullptr;
    for (const auto& tr : a.targets)
      if (&tr != object_target && (object_id.empty() || tr.id != object_id)) {
        owner_target = &tr;
        break;
      }

    Resource object;
    if (sp) {
      object = sp_resource(c, object_id, au::new_value(a, "ServicePrincipal.AppId"), object_name);
    } else {
      object.type = "application";
      object.id = object_id;
      object.name = object_name;
      if (const auto* app = c.t.app_by_id(object_id)) object = entra::resource_of(*app);
    }
    if (object.id.empty() && object_target) object = au::resource_of(*object_target);
    const Resource owner = owner_target ? au::resource_of(*owner_target) : Resource{};

    auto& f = add(c, object.id.empty() ? owner : object, Severity::high,
                  (owner.id.empty() && owner.name.empty() ? std::string("an owner")
                                                          : (owner.type == "servicePrincipal" ? std::string("service principal")
                                                                                              : owner.type) +
                                                                " " + label(owner)) +
                      " made owner of the " + (sp ? "service principal" : "application"));
    f.add("owner", resource_json(owner));
    f.add("owned_object", resource_json(object));
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AuditRoleAndConsentEvents)
}  // namespace adpersist::checks
