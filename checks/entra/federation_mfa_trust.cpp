// entra.federation-mfa-trust: a federated domain whose identity provider's MFA claim satisfies Entra ID MFA.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

class FederationMfaTrust final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.federation-mfa-trust",
        .title = "Federated domain accepts MFA performed by its identity provider",
        .severity = Severity::medium,
        .platform = Platform::entra,
        .category = "trust",
        .mitre = {"T1556.007", "T1484.002"},
        .references = {"https://learn.microsoft.com/en-us/graph/api/resources/internaldomainfederation",
                       "https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-migrate-mfa-server-to-mfa-with-federation",
                       "https://github.com/cisagov/Sparrow",
                       "https://aadinternals.com/post/aadbackdoor/"},
        .description =
            "federatedIdpMfaBehavior decides whether Entra ID trusts the multifactor claim in a federated "
            "domain's tokens. With acceptIfMfaDoneByFederatedIdp (what the AADInternals backdoor sets) a token "
            "that says MFA was done satisfies Entra MFA and Conditional Access; with enforceMfaByFederatedIdp "
            "Entra ID always hands MFA to the federated provider. Either way whoever holds the provider's "
            "signing key (a compromised AD FS, a forged token-signing certificate, a rogue federation) also "
            "passes every MFA requirement. This check reports federated domains set to either value. "
            "rejectMfaByFederatedIdp (Entra ID performs MFA itself) is silent; a configuration without the "
            "property is noted: the legacy SupportsMfa setting (Get-MsolDomainFederationSettings) then decides.",
        .severity_notes =
            "Medium for both values. The finding does not depend on whether the provider itself looks rogue: "
            "entra.federation-issuer reports that (critical), and the two findings together describe the "
            "backdoor.",
        .false_positives =
            "Organisations that run MFA on AD FS (Azure MFA adapter, a third-party MFA provider) or on a hosted "
            "identity provider and deliberately trust it, typically during a migration from MFA Server. Confirm "
            "with the identity team; the safer setting is rejectMfaByFederatedIdp with MFA in Entra ID.",
        .remediation =
            "Set federatedIdpMfaBehavior to rejectMfaByFederatedIdp (Update-MgDomainFederationConfiguration "
            "-DomainId <domain> -InternalDomainFederationId <id> -FederatedIdpMfaBehavior "
            "rejectMfaByFederatedIdp) once users can do MFA in Entra ID, and make sure the federation itself is "
            "yours (entra.federation-issuer, entra.federation-signing-certificate).",
        .needs = {{Dataset::domains, {"authenticationType"}},
                  {Dataset::federation_configuration, {},
                   {"federatedIdpMfaBehavior", "issuerUri", "passiveSignInUri", "promptLoginBehavior",
                    "isSignedAuthenticationRequestRequired"}}},
        .evidence = {{"federated_idp_mfa_behavior", "acceptIfMfaDoneByFederatedIdp or enforceMfaByFederatedIdp"},
                     {"issuer_uri", "the federation's issuerUri (who is trusted)"},
                     {"passive_sign_in_uri", "the federation's passiveSignInUri"},
                     {"prompt_login_behavior", "promptLoginBehavior"},
                     {"signed_authentication_request_required", "isSignedAuthenticationRequestRequired"},
                     {"federation_id", "the federationConfiguration's id"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    for (const auto& dom : t.domains()) {
      if (!util::iequals(dom.authentication_type, "Federated")) continue;
      const auto* configs = t.federation(dom.id);
      if (!configs || configs->empty()) {
        out.note("federated domain " + dom.id + " has no federationConfiguration in the data");
        continue;
      }
      for (const auto& fc : *configs) {
        const auto& b = fc.federated_idp_mfa_behavior;
        if (b.empty()) {
          out.note("federated domain " + dom.id + ": federatedIdpMfaBehavior was not returned; the legacy "
                   "SupportsMfa setting decides whether the provider's MFA claim is trusted");
          continue;
        }
        const bool accept = util::iequals(b, "acceptIfMfaDoneByFederatedIdp");
        const bool enforce = util::iequals(b, "enforceMfaByFederatedIdp");
        if (!accept && !enforce) continue;  // rejectMfaByFederatedIdp, or a value this check does not know

        auto& f = out.add(entra::resource_of(dom))
                      .set_key(configs->size() > 1 ? "mfa:" + fc.id : std::string("federatedIdpMfaBehavior"));
        f.set_message(std::string(accept ? "an MFA claim from the federated identity provider satisfies Entra ID MFA"
                                         : "Entra ID hands every MFA prompt to the federated identity provider") +
                      " (federatedIdpMfaBehavior " + b + ", issuer " + fc.issuer_uri + ")");
        f.add("federated_idp_mfa_behavior", b);
        f.add("issuer_uri", fc.issuer_uri);
        f.add("passive_sign_in_uri", fc.passive_sign_in_uri);
        f.add("prompt_login_behavior", fc.prompt_login_behavior);
        if (fc.signed_authentication_request_required)
          f.add("signed_authentication_request_required", *fc.signed_authentication_request_required);
        else
          f.add("signed_authentication_request_required", nullptr);
        f.add("federation_id", fc.id);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(FederationMfaTrust)
}  // namespace adpersist::checks
