// entra.first-party-sp-credentials: credentials on a Microsoft first-party service principal.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class FirstPartySpCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.first-party-sp-credentials",
        .title = "Credential on a Microsoft first-party service principal",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"CISA AA21-008A",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://www.mandiant.com/resources/blog/remediation-and-hardening-strategies-for-microsoft-365-to-defend-against-unc2452"},
        .description =
            "Microsoft's own applications (Office 365 Exchange Online, Microsoft Graph, SharePoint Online, ...) "
            "appear in every tenant as service principals owned by Microsoft's tenant "
            "(appOwnerOrganizationId f8cdef31-a31e-4b4a-93e4-5f571e91255a). They need no credential in your "
            "tenant. UNC2452 added certificates to such service principals to act with their permissions "
            "(Mandiant); a credential there should not exist except in rare hybrid set-ups. Microsoft "
            "applications are identified by owner tenant, never by display name.",
        .severity_notes = "Critical when the credential's start lies inside the recent window; high otherwise.",
        .false_positives =
            "Exchange hybrid (classic) and a few legacy hybrid components once added certificates to the Office "
            "365 Exchange Online service principal; such a certificate matches the Exchange server's OAuth "
            "certificate thumbprint (Get-AuthConfig) and predates the window.",
        .remediation =
            "Compare the thumbprint with your Exchange hybrid OAuth certificate; remove any credential you cannot "
            "account for (Remove-MgServicePrincipalKey / Remove-MgServicePrincipalPassword), then review sign-ins "
            "of that service principal and the audit log's 'Add service principal credentials' events.",
        .needs = {{Dataset::service_principals, {"keyCredentials", "passwordCredentials", "appOwnerOrganizationId"}}},
        .evidence = {{"app_id", "the Microsoft application id"},
                     {"owner_tenant", "appOwnerOrganizationId"},
                     {"credential", "kind, key id, display name, usage, start and end; thumbprint for certificates"},
                     {"recent", "the credential's start lies inside the recent window"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    for (const auto& sp : t.service_principals()) {
      if (entra::ownership(t, sp) != entra::Ownership::microsoft) continue;
      // Any key at all, Sign keys included: Microsoft's applications need none in this tenant.
      for (auto& c : entra::sign_in_credentials(sp, /*all_keys=*/true)) {
        const bool recent = c.start && ctx.is_recent(*c.start);
        auto& f = out.add(entra::resource_of(sp)).set_key("credential:" + c.key_id);
        if (recent) f.set_severity(Severity::critical);
        std::string msg = std::string(c.kind) + " on Microsoft's own application";
        if (c.start) msg += ", added " + parsers::format_rfc3339(*c.start).substr(0, 10);
        if (recent) msg += " (inside the recent window)";
        f.set_message(msg);
        f.add("app_id", sp.app_id);
        f.add("owner_tenant", sp.owner_org);
        f.add("credential", std::move(c.evidence));
        f.add("recent", recent);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(FirstPartySpCredentials)
}  // namespace adpersist::checks
