// entra.third-party-sp-credentials: a tenant-local credential on another organization's multi-tenant app.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class ThirdPartySpCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.third-party-sp-credentials",
        .title = "Credential on a third-party application's service principal",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001", "T1199"},
        .references = {"https://github.com/cisagov/ScubaGear/issues/1951", "CISA AA21-008A"},
        .description =
            "A multi-tenant application published by another organization is registered in its publisher's "
            "tenant; your tenant holds only its service principal. The vendor authenticates with the credentials "
            "on its own application object, so a secret or certificate on your copy of the service principal "
            "is never needed by the vendor: whoever added it can sign in as that application in your tenant, "
            "with the permissions you granted the vendor.",
        .severity_notes =
            "Critical when the service principal holds a critical or data-access application permission or a "
            "privileged directory role, or the credential was added inside the recent window; high otherwise.",
        .false_positives = "Rare; some vendors' set-up guides once asked customers to add a secret. Confirm with the vendor.",
        .remediation =
            "Remove the credential from the service principal, review its sign-ins for the key id, and ask the "
            "vendor whether they requested it.",
        .needs = {{Dataset::service_principals, {"keyCredentials", "passwordCredentials", "appOwnerOrganizationId"},
                   {"verifiedPublisher"}}},
        .evidence = {{"app_id", "the vendor application's id"},
                     {"owner_tenant", "the publisher's tenant (appOwnerOrganizationId)"},
                     {"verified_publisher", "the verified publisher's name, empty when unverified"},
                     {"credential", "kind, key id, display name, start and end; thumbprint for certificates"},
                     {"recent", "the credential's start lies inside the recent window"},
                     {"privileged_permissions", "critical or data-access permissions and privileged roles held"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    if (t.tenant_id().empty()) {
      out.not_evaluated("the tenant's own id is unknown (no organization.json and no manifest tenant), so "
                        "third-party applications cannot be told from this tenant's own");
      return;
    }
    const entra::Grants grants(t);
    for (const auto& sp : t.service_principals()) {
      if (entra::ownership(t, sp) != entra::Ownership::third_party || entra::is_managed_identity(sp)) continue;
      const auto labels = grants.privileged_labels(sp.id);
      for (auto& c : entra::sign_in_credentials(sp)) {
        const bool recent = c.start && ctx.is_recent(*c.start);
        auto& f = out.add(entra::resource_of(sp)).set_key("credential:" + c.key_id);
        if (recent || !labels.empty()) f.set_severity(Severity::critical);
        std::string msg = std::string(c.kind) + " on the service principal of a third-party application (publisher "
                          "tenant " + sp.owner_org + (sp.verified_publisher.empty() ? ", unverified" : "") + ")";
        if (c.start) msg += ", added " + parsers::format_rfc3339(*c.start).substr(0, 10);
        msg += entra::holds_phrase(labels);
        f.set_message(msg);
        f.add("app_id", sp.app_id);
        f.add("owner_tenant", sp.owner_org);
        f.add("verified_publisher", sp.verified_publisher);
        f.add("credential", std::move(c.evidence));
        f.add("recent", recent);
        f.add("privileged_permissions", labels);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(ThirdPartySpCredentials)
}  // namespace adpersist::checks
