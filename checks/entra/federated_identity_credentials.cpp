// entra.federated-identity-credentials: an external identity provider may mint tokens for an application.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

// "https://token.actions.githubusercontent.com" → "GitHub Actions", ...
std::string issuer_kind(std::string_view issuer, std::string_view own_tenant) {
  const std::string i = util::to_lower(issuer);
  if (i.find("token.actions.githubusercontent.com") != std::string::npos) return "GitHub Actions";
  if (i.find("login.microsoftonline.com/") != std::string::npos || i.find("sts.windows.net/") != std::string::npos)
    return !own_tenant.empty() && i.find(util::to_lower(own_tenant)) != std::string::npos ? "this tenant"
                                                                                          : "another Entra tenant";
  if (i.find("oidc.prod-aks.azure.com") != std::string::npos) return "Azure Kubernetes Service";
  if (i.find("accounts.google.com") != std::string::npos) return "Google";
  if (i.find("gitlab") != std::string::npos) return "GitLab";
  return "other OpenID Connect issuer";
}

class FederatedIdentityCredentials final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.federated-identity-credentials",
        .title = "Federated identity credential trusts an external issuer",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001"},
        .references = {"https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredentials-overview",
                       "https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation"},
        .description =
            "A federated identity credential lets tokens from an external OpenID Connect issuer (a GitHub Actions "
            "workflow, a Kubernetes cluster, another Entra tenant) be exchanged for the application's own "
            "tokens, with no secret at all. Whoever controls the issuer and subject (a repository, a service "
            "account) controls the application; secret scanners and credential expiry never see it. This check "
            "lists every federated identity credential whose issuer is not this tenant's own.",
        .severity_notes =
            "Critical when the application's service principal holds a critical or data-access application "
            "permission or a privileged directory role; high otherwise. Credentials issued by this tenant itself "
            "(a managed identity used as a federated credential) are not reported.",
        .false_positives =
            "CI/CD pipelines deploying with workload identity federation are the intended use: confirm the issuer "
            "and subject (repository, branch, environment) belong to your organization and accept them in a "
            "baseline.",
        .remediation =
            "Delete unknown federated credentials (Remove-MgApplicationFederatedIdentityCredential); for known "
            "ones, narrow the subject to a protected branch or environment.",
        .needs = {{Dataset::applications, {"appId"}},
                  {Dataset::federated_identity_credentials, {"issuer", "subject"}, {"audiences", "name"}}},
        .evidence = {{"app_id", "the application (client) id"},
                     {"name", "the credential's name"},
                     {"issuer", "the trusted token issuer"},
                     {"issuer_kind", "GitHub Actions, another Entra tenant, ... (from the issuer URL)"},
                     {"subject", "the subject a token must carry (repo:org/name:ref:..., system:serviceaccount:...)"},
                     {"audiences", "accepted audiences"},
                     {"privileged_permissions", "critical or data-access permissions and privileged roles held"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    const entra::Grants grants(t);
    for (const auto& app : t.applications()) {
      const auto* fics = t.federated_identity_credentials(app.id);
      if (!fics) continue;  // not collected for this app: the dataset is partial and the engine says so
      const me::ServicePrincipal* sp = t.sp_by_app_id(app.app_id);
      const auto labels = sp ? grants.privileged_labels(sp->id) : std::vector<std::string>{};
      for (const auto& fic : *fics) {
        const std::string kind = issuer_kind(fic.issuer, t.tenant_id());
        if (kind == "this tenant") continue;
        auto& f = out.add(entra::resource_of(app)).set_key("fic:" + fic.id);
        if (!labels.empty()) f.set_severity(Severity::critical);
        std::string msg = "tokens from " + kind + " (" + fic.issuer + ") for subject '" + fic.subject +
                          "' sign in as this application";
        msg += entra::holds_phrase(labels, ", which holds ");
        f.set_message(msg);
        f.add("app_id", app.app_id);
        f.add("name", fic.name);
        f.add("issuer", fic.issuer);
        f.add("issuer_kind", kind);
        f.add("subject", fic.subject);
        f.add("audiences", fic.audiences);
        f.add("privileged_permissions", labels);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(FederatedIdentityCredentials)
}  // namespace adpersist::checks
