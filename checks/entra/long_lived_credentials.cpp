// entra.long-lived-credentials: secrets valid over 180 days, certificates over a year, "never expiring" ones.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

constexpr std::int64_t kMaxSecretDays = 180;       // ScubaGear MS.AAD.5.6 (CISA SCuBA)
constexpr std::int64_t kMaxCertificateDays = 366;  // a year, leap day included (MS.AAD.5.7)
constexpr std::int64_t kNeverDays = 10 * 366;      // "never expires" in practice (scripts default to 2299)

class LongLivedCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.long-lived-credentials",
        .title = "Long-lived application secret or certificate",
        .severity = Severity::medium,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"https://github.com/cisagov/ScubaGear (MS.AAD.5.6, MS.AAD.5.7)",
                       "https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/"
                       "tutorial-manage-certificates-for-federated-single-sign-on"},
        .description =
            "A stolen credential works until it expires. Secrets valid for more than 180 days and certificates "
            "valid for more than a year extend an intruder's access far past any incident; tools and scripts "
            "that create \"never expiring\" secrets (end dates in 2299) are a favourite way to keep it. This "
            "check lists still-valid credentials (application and service principal, secrets and Verify "
            "certificates) whose lifetime exceeds those limits; SAML signing credentials and managed "
            "identities are left out.",
        .severity_notes =
            "High when the lifetime exceeds ten years (a credential meant never to expire); medium otherwise.",
        .false_positives =
            "Certificates issued by an internal CA with a multi-year validity are common; shorten them at the next "
            "rotation or accept them in a baseline.",
        .remediation =
            "Replace the credential with one of shorter lifetime and remove the old one; enforce limits with an "
            "app management policy (passwordCredentials maxLifetime, keyCredentials maxLifetime).",
        .needs = {{Dataset::applications, {"keyCredentials", "passwordCredentials"}},
                  {Dataset::service_principals, {"keyCredentials", "passwordCredentials", "servicePrincipalType"},
                   {"preferredSingleSignOnMode"}}},
        .evidence = {{"object", "application or service principal"},
                     {"app_id", "the application (client) id"},
                     {"credential", "kind, key id, display name, start and end; thumbprint for certificates"},
                     {"lifetime_days", "whole days from start to end"},
                     {"limit_days", "the limit exceeded (180 for secrets, 366 for certificates)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    auto judge = [&](const model::Resource& res, std::string_view object, const std::string& app_id,
                     entra::SignInCredential& c) {
      if (!c.start || !c.end || *c.end < ctx.now) return;  // expired credentials do not grant access
      const bool secret = c.kind == "secret";
      const auto days = entra::days_between(*c.start, *c.end);
      const std::int64_t limit = secret ? kMaxSecretDays : kMaxCertificateDays;
      if (days <= limit) return;
      auto& f = out.add(res).set_key("credential:" + c.key_id);
      if (days > kNeverDays) f.set_severity(Severity::high);
      f.set_message(std::string(c.kind) + " valid " + std::to_string(days) + " days (until " +
                    parsers::format_rfc3339(*c.end).substr(0, 10) + "), over the " + std::to_string(limit) +
                    "-day limit" + (days > kNeverDays ? ": meant never to expire" : ""));
      f.add("object", std::string(object));
      f.add("app_id", app_id);
      f.add("credential", std::move(c.evidence));
      f.add("lifetime_days", days);
      f.add("limit_days", limit);
    };
    for (const auto& app : t.applications())
      for (auto& c : entra::sign_in_credentials(app)) judge(entra::resource_of(app), "application", app.app_id, c);
    for (const auto& sp : t.service_principals()) {
      if (entra::is_managed_identity(sp)) continue;
      for (auto& c : entra::sign_in_credentials(sp)) judge(entra::resource_of(sp), "service principal", sp.app_id, c);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(LongLivedCredentials)
}  // namespace adpersist::checks
