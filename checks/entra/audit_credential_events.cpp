// entra.audit-credential-events: directory audit records of credentials added to applications and service
// principals inside the recent window.
#include <map>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "checks/support/entra_audit.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;
namespace au = entra_audit;

// A credential added this soon after its application or service principal was created is part of setting it
// up (the same grace as entra.app-credentials).
constexpr auto kSetupGrace = std::chrono::hours(24 * 7);

enum class Kind { sp_credentials, app_credentials, update_object };

std::optional<Kind> kind_of(const me::DirectoryAudit& a) {
  if (au::activity_is(a.activity, "Add service principal credentials")) return Kind::sp_credentials;
  if (au::activity_is(a.activity, "Update application – Certificates and secrets management"))
    return Kind::app_credentials;
  if (au::activity_is(a.activity, "Update service principal") || au::activity_is(a.activity, "Update application"))
    return Kind::update_object;
  return std::nullopt;
}

std::string credential_word(const au::KeyDescription& k) {
  if (util::iequals(k.type, "Password")) return "secret";
  if (util::iequals(k.type, "Symmetric")) return "symmetric key";
  const auto type = util::to_lower(k.type);
  if (type.find("x509") != std::string::npos || type.find("cert") != std::string::npos) return "certificate";
  return "credential";
}

class AuditCredentialEvents final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.audit-credential-events",
        .title = "Audit log: credential added to an application or service principal",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"CISA AA21-008A", "CISA AA20-352A", "https://github.com/cisagov/Sparrow",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-audit-activities",
                       "https://github.com/Azure/Azure-Sentinel/tree/master/Solutions/Microsoft%20Entra%20ID"},
        .description =
            "Adding a secret or certificate to an application or service principal that already has permissions "
            "is how the SolarWinds actor kept access to Microsoft 365 tenants, and adding a federated identity "
            "credential does the same without any secret. The directory audit log records who did it, from "
            "where and which key id was added, which the credential lists themselves do not. This check reports "
            "every record inside the recent window (--since) of 'Add service principal credentials', 'Update "
            "application – Certificates and secrets management' (en dash; a hyphen or '?' is accepted too), and "
            "'Update service principal' or 'Update application' that modify KeyDescription or "
            "FederatedIdentityCredentials. The key ids added are the KeyIdentifier values of the new "
            "KeyDescription that the old one lacks; a record that only removes credentials grants nothing and "
            "is not reported ('Remove service principal credentials' neither). " +
            std::string(au::kRetentionNote),
        .severity_notes = "High. A failed attempt is reported one level lower (medium).",
        .false_positives =
            "Planned secret and certificate rotation, automation that rotates credentials (its actor is an app "
            "or a service account; confirm with the owner and record it in the baseline). A credential added "
            "within seven days of the application's or service principal's creation (per the applications list "
            "or an 'Add application' / 'Add service principal' record) is set-up, not persistence, and is not "
            "reported.",
        .remediation =
            "Confirm the change with the application's owner. If nobody expected it, remove the key id named in "
            "the evidence (Remove-MgApplicationPassword / Remove-MgServicePrincipalPassword / -Key, or the "
            "federated identity credential), investigate the actor (its sign-ins from actor_ip, its other audit "
            "records), and review the application's sign-ins since the time of the record.",
        .needs = {{Dataset::directory_audits,
                   {"activityDisplayName", "activityDateTime", "initiatedBy", "targetResources"},
                   {"result", "correlationId", "loggedByService"}}},
        .evidence = au::record_evidence_fields({
            {"target", "the application or service principal: type, id, name"},
            {"keys_added", "KeyDescription entries added: key id, type, usage, display name"},
            {"keys_removed", "KeyDescription entries removed by the same change"},
            {"federated_identity_credentials", "the new FederatedIdentityCredentials value, shortened"}
        }),
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const bool have_apps = t.dataset(Dataset::applications).state == DatasetState::ok;
    const bool have_sps = t.dataset(Dataset::service_principals).state == DatasetState::ok;

    // When objects were created, per the log itself ("Add application", "Add service principal").
    std::map<std::string, me::TimePoint, std::less<>> created_in_log;
    for (const auto& a : t.directory_audits()) {
      if (!a.time || !au::succeeded(a)) continue;
      if (!au::activity_is(a.activity, "Add application") && !au::activity_is(a.activity, "Add service principal"))
        continue;
      for (const auto& tr : a.targets)
        if (!tr.id.empty()) created_in_log.emplace(tr.id, *a.time);
    }

    std::size_t undated = 0;
    for (const auto& a : t.directory_audits()) {
      const auto kind = kind_of(a);
      if (!kind) continue;
      if (!a.time) {
        ++undated;
        continue;
      }
      if (!ctx.is_recent(*a.time)) continue;

      const me::AuditTarget* target = au::target_of_type(a, {"Application", "ServicePrincipal"});
      if (!target && !a.targets.empty()) target = &a.targets.front();
      const me::ModifiedProperty* kd = target ? au::find_property(*target, "KeyDescription") : nullptr;
      if (!kd) kd = au::find_property(a, "KeyDescription");
      const me::ModifiedProperty* fic = au::find_property(a, "FederatedIdentityCredentials");
      if (*kind == Kind::update_object && !kd && !fic) continue;  // some other property changed

      std::vector<au::KeyDescription> added, removed;
      if (kd) {
        added = au::added_keys(*kd);
        removed = au::removed_keys(*kd);
        // Nothing added and the new value did parse: a removal, which grants nothing.
        const bool parsed = !au::key_descriptions(kd->new_value).empty() || au::values_of(kd->new_value).empty();
        if (added.empty() && parsed && !fic) continue;
      }

      // Set-up of a new object: skip credentials added within the grace period after its creation.
      if (target && !target->id.empty()) {
        std::optional<me::TimePoint> created;
        if (auto it = created_in_log.find(target->id); it != created_in_log.end()) created = it->second;
        if (!created && have_apps)
          if (const auto* app = t.app_by_id(target->id)) created = app->created;
        if (!created && have_sps && have_apps)
          if (const auto* sp = t.sp_by_id(target->id))
            if (const auto* app = t.app_by_app_id(sp->app_id)) created = app->created;
        if (created && *a.time >= *created && *a.time <= *created + kSetupGrace) continue;
      }

      Resource res;
      if (target) res = au::resource_of(*target);
      else res = Resource{"auditRecord", a.id, "", "", a.activity};
      if (target && res.name.empty()) {
        if (const auto* app = t.app_by_id(target->id)) res.name = app->display_name;
        else if (const auto* sp = t.sp_by_id(target->id)) res.name = sp->display_name;
      }

      auto& f = out.add(res).set_key("audit:" + a.id).set_severity(au::for_result(a, Severity::high));
      std::string what;
      if (added.size() == 1)
        what = credential_word(added.front()) + " " + added.front().key_id +
               (added.front().display_name.empty() ? "" : " (\"" + added.front().display_name + "\")");
      else if (added.size() > 1)
        what = std::to_string(added.size()) + " credentials";
      else if (fic)
        what = "federated identity credential";
      else
        what = "credential";
      if (!added.empty() && fic) what += " and a federated identity credential";
      f.set_message(what + (au::succeeded(a) ? " added by " : " not added (failed attempt) by ") + a.actor() +
                    " at " + entra::format_time(a.time));
      au::add_record_evidence(f, a);
      Json tj = Json::object();
      tj["type"] = target ? target->type : "";
      tj["id"] = res.id;
      tj["name"] = res.name;
      f.add("target", tj);
      Json aj = Json::array(), rj = Json::array();
      for (const auto& k : added) aj.push_back(au::to_json(k));
      for (const auto& k : removed) rj.push_back(au::to_json(k));
      f.add("keys_added", aj);
      f.add("keys_removed", rj);
      if (fic) f.add("federated_identity_credentials", au::truncate(au::decode_value(fic->new_value).dump(), 300));
    }
    if (undated)
      out.note(std::to_string(undated) + " credential audit record(s) without activityDateTime were skipped");
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AuditCredentialEvents)
}  // namespace adpersist::checks
