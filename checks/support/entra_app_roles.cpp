#include "checks/support/entra_app_roles.hpp"

#include <set>
#include <vector>

#include "scanner/parsers/ad_time.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks::entra {

using model::AttrCoverage;
using model::Dataset;
using model::DatasetState;
using model::Json;

void note_permission_inputs(const engine::CheckContext& ctx, model::Findings& out) {
  const auto& t = *ctx.snapshot.tenant();
  if (ctx.snapshot.dataset(Dataset::applications).state != DatasetState::ok)
    out.note("credentials of the applications not counted: dataset 'applications' is not complete");
  if (ctx.snapshot.dataset(Dataset::role_assignments).state != DatasetState::ok)
    out.note(
        "privileged directory roles not listed among other privileges: dataset 'roleAssignments' is not "
        "complete");
  if (t.property(Dataset::service_principals, "appOwnerOrganizationId") != AttrCoverage::collected)
    out.note(
        "the service principals carry no appOwnerOrganizationId: Microsoft and third-party applications "
        "cannot be "
        "told apart");
}

void for_each_held_permission(const engine::CheckContext& ctx, const Grants& grants, me::RoleTier tier,
                              const std::function<void(const HeldPermission&)>& fn) {
  const auto& t = *ctx.snapshot.tenant();
  for (const auto& sp : t.service_principals()) {
    std::set<std::string> seen;
    for (const auto& g : grants.app_roles(sp.id)) {
      if (!g.rating || g.rating->tier != tier || !g.resource) continue;
      HeldPermission h;
      h.key = "role:" + g.resource->app_id + ":" + g.value;
      if (!seen.insert(util::to_lower(h.key)).second) continue;
      h.sp = &sp;
      h.grant = &g;
      h.ownership = ownership(t, sp);
      h.sp_credentials = live_credentials(sp.keys, sp.passwords, ctx.now);
      const auto& created = g.assignment->created;
      h.recent = created && ctx.is_recent(*created);
      fn(h);
    }
  }
}

std::string held_permission_summary(const engine::CheckContext& ctx, const HeldPermission& h) {
  const auto& g = *h.grant;
  const auto& created = g.assignment->created;
  return "holds " + g.value + " on " + g.resource->display_name + ", " +
         (created ? "granted " + parsers::format_rfc3339(*created).substr(0, 10) +
                        (h.recent ? " (inside the " + window_text(ctx.recent_window) + ")" : "")
                  : std::string("grant date unknown"));
}

std::vector<model::EvidenceField> held_permission_evidence_fields(std::string permission, std::string resource) {
  return {{"permission", std::move(permission)},
          {"resource", std::move(resource)},
          {"resource_app_id", "the resource's appId"},
          {"app_role_id", "the permission's id on that resource"},
          {"granted", "when the assignment was created"},
          {"granted_in_window", "the assignment was created inside the recent window"},
          {"why", "what the permission lets the application do"},
          {"app_id", "the service principal's appId"},
          {"ownership", "this tenant, Microsoft, third party or unknown (from appOwnerOrganizationId)"},
          {"app_owner_organization_id", "the tenant the application is registered in"},
          {"verified_publisher", "the verified publisher's name, empty when none"},
          {"account_enabled", "whether the service principal can sign in"},
          {"credentials",
           "unexpired credentials on the service principal and on its application (application null when it is "
           "not registered in this tenant or was not collected)"},
          {"other_privileged_permissions",
           "the service principal's other critical or data-access permissions and privileged directory roles"}};
}

model::Finding& add_held_permission(const engine::CheckContext& ctx, const Grants& grants,
                                    const HeldPermission& h, model::Severity severity,
                                    const std::string& message, model::Findings& out) {
  const auto& t = *ctx.snapshot.tenant();
  const auto& sp = *h.sp;
  const auto& g = *h.grant;
  const std::string label = g.value + " (" + g.resource->display_name + ")";
  std::vector<std::string> others;
  for (const auto& l : grants.privileged_labels(sp.id))
    if (l != label) others.push_back(l);

  auto& f = out.add(resource_of(sp)).set_key(h.key).set_severity(severity).set_message(message);
  f.add("permission", g.value);
  f.add("resource", g.resource->display_name);
  f.add("resource_app_id", g.resource->app_id);
  f.add("app_role_id", g.assignment->app_role_id);
  f.add("granted", g.assignment->created ? Json(format_time(g.assignment->created)) : Json(nullptr));
  f.add("granted_in_window", h.recent);
  f.add("why", std::string(g.rating->why));
  f.add("app_id", sp.app_id);
  f.add("ownership", std::string(to_string(h.ownership)));
  f.add("app_owner_organization_id", sp.owner_org);
  f.add("verified_publisher", sp.verified_publisher);
  f.add("account_enabled", sp.account_enabled ? Json(*sp.account_enabled) : Json(nullptr));
  const me::Application* app = t.app_by_app_id(sp.app_id);
  const bool apps_ok = ctx.snapshot.dataset(Dataset::applications).state == DatasetState::ok;
  Json creds = Json::object();
  creds["service_principal"] = h.sp_credentials;
  creds["application"] =
      apps_ok && app ? Json(live_credentials(app->keys, app->passwords, ctx.now)) : Json(nullptr);
  f.add("credentials", std::move(creds));
  f.add("other_privileged_permissions", std::move(others));
  return f;
}

}  // namespace adpersist::checks::entra
