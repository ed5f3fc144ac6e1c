// entra.tenant-wide-consent: delegated permissions to mail, files or the directory consented for every user.
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class TenantWideConsent final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.tenant-wide-consent",
        .title = "Delegated permissions to mail, files or the directory consented for all users",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "privileged-access",
        .mitre = {"T1528", "T1550.001"},
        .references =
            {"CISA AA21-008A", "https://learn.microsoft.com/en-us/graph/api/resources/oauth2permissiongrant",
             "https://learn.microsoft.com/en-us/defender-office-365/"
             "detect-and-remediate-illicit-consent-grants",
             "https://github.com/T0pCyber/hawk", "https://github.com/cisagov/ScubaGear"},
        .description =
            "An oauth2PermissionGrant with consentType AllPrincipals is an administrator's consent on behalf "
            "of every user: the client application may act as any user who signs in to it, with the granted "
            "delegated scopes, and keeps refresh tokens that outlive password changes. Consent to an "
            "application the attacker controls (illicit consent) gives durable access to every user's mail "
            "or files without any credential in the tenant. This check reports tenant-wide grants whose "
            "scopes include mail, files, sites, chats, notes, Exchange (EWS/IMAP/POP/SMTP) or directory "
            "write access; grants of only openid, profile, email, offline_access, User.Read and similar "
            "scopes are not reported.",
        .severity_notes =
            "High. Critical when the client is a third-party application (registered in another tenant) with "
            "no verified publisher, the illicit-consent pattern. Low when the client is a Microsoft "
            "first-party application (appOwnerOrganizationId is a Microsoft tenant): Microsoft operates the "
            "client, so the grant widens what users' tokens can do but hands no attacker a client. When the "
            "service principals were not collected the ownership is unknown and the grant stays high.",
        .false_positives =
            "Productivity applications (mail clients, document management, meeting assistants) legitimately "
            "ask for mail and file scopes; confirm the consent with whoever approved it and record it in a "
            "baseline. Per-user consents (consentType Principal) are not reported by this check.",
        .remediation =
            "If the consent is not approved, delete the grant (Remove-MgOauth2PermissionGrant), revoke the "
            "users' refresh tokens (Revoke-MgUserSignInSession) and disable or delete the client's service "
            "principal. Review the audit log ('Consent to application', 'Add delegated permission grant') "
            "for who consented and restrict user consent to verified publishers and low-risk scopes.",
        .needs = {{Dataset::oauth2_permission_grants, {"clientId", "consentType", "resourceId", "scope"}}},
        .evidence = {{"grant_id", "the oauth2PermissionGrant's id"},
                     {"client_app_id",
                      "the client's appId (empty when its service principal is not in the input)"},
                     {"ownership",
                      "this tenant, Microsoft, third party or unknown (from appOwnerOrganizationId)"},
                     {"app_owner_organization_id", "the tenant the client application is registered in"},
                     {"verified_publisher", "the client's verified publisher, empty when none"},
                     {"resource", "the API the scopes belong to (Microsoft Graph)"},
                     {"resource_app_id", "the resource's appId"},
                     {"risky_scopes", "the consented scopes that reach every user's data or the directory"},
                     {"scopes", "every consented scope"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const bool sps_ok = ctx.snapshot.dataset(Dataset::service_principals).state == DatasetState::ok;
    if (!sps_ok)
      out.note(
          "client and resource names, publisher and ownership not resolved: dataset 'servicePrincipals' is "
          "not complete");
    std::set<std::string> seen;
    for (const auto& g : t.oauth2_permission_grants()) {
      if (!util::iequals(g.consent_type, "AllPrincipals")) continue;
      const auto scopes = g.scopes();
      std::vector<std::string> risky;
      for (const auto& s : scopes)
        if (me::is_risky_delegated_scope(s)) risky.push_back(s);
      if (risky.empty()) continue;
      const std::string key = "consent:" + g.resource_id;
      if (!seen.insert(g.client_id + "|" + key).second) continue;

      const me::ServicePrincipal* client = t.sp_by_id(g.client_id);
      const me::ServicePrincipal* resource = t.sp_by_id(g.resource_id);
      const auto own = client ? entra::ownership(t, *client) : entra::Ownership::unknown;
      const bool unverified = client && client->verified_publisher.empty();

      Severity sev = Severity::high;
      if (own == entra::Ownership::third_party && unverified) sev = Severity::critical;
      if (own == entra::Ownership::microsoft) sev = Severity::low;

      Resource r;
      if (client) {
        r = entra::resource_of(*client);
      } else {
        r.type = "servicePrincipal";
        r.id = g.client_id;
        r.name = g.client_id;
      }
      const std::string resource_name = resource ? resource->display_name : g.resource_id;
      std::string msg = "consented for all users: " + join(risky) + " on " + resource_name;
      if (own == entra::Ownership::third_party)
        msg += unverified ? " (third-party application, no verified publisher)"
                          : " (third-party application published by " + client->verified_publisher + ")";
      else if (own == entra::Ownership::microsoft)
        msg += " (Microsoft application)";

      auto& f = out.add(std::move(r)).set_key(key).set_severity(sev).set_message(msg);
      f.add("grant_id", g.id);
      f.add("client_app_id", client ? client->app_id : std::string());
      f.add("ownership", std::string(entra::to_string(own)));
      f.add("app_owner_organization_id", client ? client->owner_org : std::string());
      f.add("verified_publisher", client ? client->verified_publisher : std::string());
      f.add("resource", resource_name);
      f.add("resource_app_id", resource ? resource->app_id : std::string());
      f.add("risky_scopes", risky);
      f.add("scopes", scopes);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(TenantWideConsent)
}  // namespace adpersist::checks
