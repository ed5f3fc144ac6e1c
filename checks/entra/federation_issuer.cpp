// entra.federation-issuer: a federated domain whose identity provider is AADInternals' any.sts backdoor, or
// lives on a host outside the tenant's verified domains.
#include <algorithm>
#include <set>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/parsers/x509.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

// The host of an absolute URI ("https://adfs.contoso.com:443/adfs/ls/" -> "adfs.contoso.com"), lower-case;
// "" for text that is no URI (an issuer may be a URN).
std::string host_of(std::string_view uri) {
  uri = util::trim(uri);
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return {};
  auto rest = uri.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {  // IPv6 literal
    const auto close = rest.find(']');
    return util::to_lower(rest.substr(0, close == std::string_view::npos ? rest.size() : close + 1));
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) rest = rest.substr(0, colon);
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  return util::to_lower(rest);
}

bool is_any_sts(std::string_view uri) {
  return host_of(uri) == "any.sts" || util::to_lower(uri).find("//any.sts/") != std::string::npos;
}

// `host` is a verified domain or a host under one.
bool within(std::string_view host, const std::set<std::string>& verified) {
  for (const auto& d : verified)
    if (host == d || (host.size() > d.size() && util::iends_with(host, d) && host[host.size() - d.size() - 1] == '.'))
      return true;
  return false;
}

// Subject and thumbprint of the current signing certificate, for evidence (never the certificate itself).
Json certificate_summary(const std::string& b64) {
  Json j = Json::object();
  if (b64.empty()) return Json(nullptr);
  auto der = util::base64_decode(b64);
  if (!der) {
    j["decoded"] = false;
    j["error"] = "not base64";
    return j;
  }
  j["sha1"] = parsers::sha1_thumbprint(*der);
  auto x = parsers::parse_x509_der(*der);
  if (!x) {
    j["decoded"] = false;
    j["error"] = x.error().describe();
    return j;
  }
  j["subject"] = x->subject;
  j["issuer"] = x->issuer;
  j["not_before"] = parsers::format_rfc3339(x->not_before);
  j["not_after"] = parsers::format_rfc3339(x->not_after);
  return j;
}

class FederationIssuer final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.federation-issuer",
        .title = "Federated domain trusting the any.sts backdoor or an identity provider outside the tenant",
        .severity = Severity::critical,
        .platform = Platform::entra,
        .category = "trust",
        .mitre = {"T1484.002", "T1606.002"},
        .references = {"CISA AA21-008A",
                       "https://www.mandiant.com/resources/blog/remediation-and-hardening-strategies-for-microsoft-365-to-defend-against-unc2452",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://aadinternals.com/post/aadbackdoor/",
                       "https://learn.microsoft.com/en-us/graph/api/resources/internaldomainfederation"},
        .description =
            "A federated domain sends its users to an external identity provider, and Entra ID accepts any SAML "
            "or WS-Federation token that provider signs for any user of the domain, MFA claims included. An "
            "attacker with Global Administrator (or Domain.ReadWrite.All) federates a verified domain, or "
            "re-points an existing federation, to an identity provider they run, and from then on signs in as "
            "anyone in that domain without a password; AADInternals' ConvertTo-AADIntBackdoor uses the issuer "
            "http://any.sts/<random>. For every federated domain this check reads the federationConfiguration and "
            "reports an issuer or sign-in URI on the host any.sts (Mandiant's //any\\.sts/ rule), and an "
            "issuerUri, passiveSignInUri or activeSignInUri whose host is not one of the tenant's verified "
            "domains or a host under one (organization verifiedDomains and domains with isVerified).",
        .severity_notes = "Always critical: either case hands sign-in for every user of the domain to whoever "
                          "holds the identity provider's signing key.",
        .false_positives =
            "Hosted identity providers (Okta, PingOne, OneLogin, Shibboleth run by a university, a parent "
            "company's AD FS) use their own hosts and issuers, e.g. http://www.okta.com/exk...: they are "
            "reported as outside the verified domains. Confirm the provider with the identity team and note it "
            "in the baseline. An issuer that is a URN (no host) is judged by its sign-in URIs only.",
        .remediation =
            "If the federation is not yours: convert the domain back to managed authentication "
            "(Update-MgDomain -DomainId <domain> -AuthenticationType Managed, after removing the configuration "
            "with Remove-MgDomainFederationConfiguration), then treat every account of the domain as "
            "compromised: review sign-ins of the domain's users since the change (the audit log's 'Set domain "
            "authentication' and 'Set federation settings on domain' events name the time and the actor), "
            "revoke their sessions (Revoke-MgUserSignInSession) and investigate the actor's account. If it is "
            "yours, record the provider's hosts in your baseline.",
        .needs = {{Dataset::domains, {"authenticationType", "isVerified"}},
                  {Dataset::federation_configuration, {},
                   {"issuerUri", "passiveSignInUri", "activeSignInUri", "metadataExchangeUri", "signOutUri",
                    "signingCertificate"}}},
        .evidence = {{"reason", "any.sts (the AADInternals backdoor) or unknown issuer (a host outside the "
                                "verified domains)"},
                     {"issuer_uri", "the federationConfiguration's issuerUri"},
                     {"passive_sign_in_uri", "passiveSignInUri"},
                     {"active_sign_in_uri", "activeSignInUri"},
                     {"metadata_exchange_uri", "metadataExchangeUri"},
                     {"hosts", "hosts of the issuer and sign-in URIs"},
                     {"unverified_hosts", "those hosts that are no verified domain of the tenant nor under one"},
                     {"signing_certificate", "the current token-signing certificate: subject, issuer, validity "
                                             "and SHA-1 thumbprint of its DER"},
                     {"federation_id", "the federationConfiguration's id"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& t = *ctx.snapshot.tenant();
    std::set<std::string> verified;
    for (const auto& d : t.domains())
      if (d.is_verified.value_or(false)) verified.insert(util::to_lower(d.id));
    if (t.dataset(Dataset::organization).state == DatasetState::ok && t.organization())
      for (const auto& name : t.organization()->verified_domains) verified.insert(util::to_lower(name));
    else
      out.note("verified domains taken from the domains only: the organization was not collected");

    for (const auto& dom : t.domains()) {
      if (!util::iequals(dom.authentication_type, "Federated")) continue;
      const auto* configs = t.federation(dom.id);
      if (!configs || configs->empty()) {
        out.note("federated domain " + dom.id + " has no federationConfiguration in the data");
        continue;
      }
      for (const auto& fc : *configs) evaluate_one(dom, fc, configs->size() > 1, verified, out);
    }
  }

 private:
  static void evaluate_one(const me::Domain& dom, const me::FederationConfiguration& fc, bool several,
                           const std::set<std::string>& verified, Findings& out) {
    const std::string uris[] = {fc.issuer_uri, fc.passive_sign_in_uri, fc.active_sign_in_uri,
                                fc.metadata_exchange_uri, fc.sign_out_uri};
    bool any_sts = false;
    for (const auto& u : uris) any_sts = any_sts || is_any_sts(u);

    // Hosts judged against the verified domains: the issuer and the two sign-in endpoints.
    std::vector<std::string> hosts, unverified;
    for (const auto* u : {&fc.issuer_uri, &fc.passive_sign_in_uri, &fc.active_sign_in_uri}) {
      const auto h = host_of(*u);
      if (h.empty() || std::find(hosts.begin(), hosts.end(), h) != hosts.end()) continue;
      hosts.push_back(h);
      if (!within(h, verified)) unverified.push_back(h);
    }
    if (hosts.empty()) {
      out.note(fc.origin.where() + ": federation of " + dom.id +
               " has no issuer or sign-in URI with a host; not judged");
      return;
    }
    if (!any_sts && unverified.empty()) return;

    auto& f = out.add(entra::resource_of(dom)).set_key(several ? "federation:" + fc.id : std::string("federation"));
    std::string msg;
    if (any_sts) {
      msg = "federated to any.sts, the AADInternals backdoor identity provider (issuer " + fc.issuer_uri + ")";
    } else {
      std::string list;
      for (const auto& h : unverified) list += (list.empty() ? "" : ", ") + h;
      msg = "federated to an identity provider outside the tenant's verified domains: " + list + " (issuer " +
            fc.issuer_uri + ")";
    }
    f.set_message(msg);
    f.add("reason", any_sts ? "any.sts" : "unknown issuer");
    f.add("issuer_uri", fc.issuer_uri);
    f.add("passive_sign_in_uri", fc.passive_sign_in_uri);
    f.add("active_sign_in_uri", fc.active_sign_in_uri);
    f.add("metadata_exchange_uri", fc.metadata_exchange_uri);
    f.add("hosts", hosts);
    f.add("unverified_hosts", unverified);
    f.add("signing_certificate", certificate_summary(fc.signing_certificate));
    f.add("federation_id", fc.id);
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(FederationIssuer)
}  // namespace adpersist::checks
