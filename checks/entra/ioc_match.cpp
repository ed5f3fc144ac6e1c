// entra.ioc-match: applications, service principals, federated domains and role holders that carry or trust a
// value from the user's IOC list (--ioc): a certificate thumbprint, an application id, a credential key id,
// an account name or a token issuer. The stolen Mimecast certificate is the model: a vendor's app certificate
// published as an indicator, to be found wherever the tenant still trusts it.
#include <algorithm>
#include <memory>

#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/parsers/x509.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The matches of one object, grouped by indicator: one finding per (object, indicator).
struct Match {
  std::string type;       // certificate_thumbprint, app_id, key_id, account_name, issuer
  std::string indicator;  // the IOC entry, normalised as the list holds it
  std::vector<std::string> paths;
  Json details = Json::array();
};

class Matches {
 public:
  void add(std::string_view type, const std::string& indicator, const std::string& path, Json detail) {
    auto it = std::find_if(v_.begin(), v_.end(),
                           [&](const Match& m) { return m.type == type && m.indicator == indicator; });
    if (it == v_.end()) {
      v_.push_back({std::string(type), indicator, {}, Json::array()});
      it = std::prev(v_.end());
    }
    if (std::find(it->paths.begin(), it->paths.end(), path) == it->paths.end()) it->paths.push_back(path);
    Json d = Json{{"path", path}};
    d.update(detail);
    it->details.push_back(std::move(d));
  }
  const std::vector<Match>& all() const { return v_; }

 private:
  std::vector<Match> v_;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// What the object does with the indicator, for the message.
std::string_view verb(const Match& m) {
  if (m.type == "certificate_thumbprint") return "trusts certificate";
  if (m.type == "key_id") return "holds credential";
  if (m.type == "app_id") return m.paths.front() == "appId" ? "is application" : "is owned by application";
  if (m.type == "account_name") return "is owned by account";
  return "trusts issuer";
}

// The indicator as people write it: thumbprints in upper-case hex, as the portal and AD FS show them.
std::string shown(const Match& m) {
  return m.type == "certificate_thumbprint" ? upper(m.indicator) : m.indicator;
}

// A certificate held as base64 DER (federation signingCertificate): its hashes and names for matching and
// evidence.
struct FedCert {
  bool decoded_base64 = false;
  std::string sha1, sha256;  // upper-case hex of the DER bytes
  std::optional<parsers::X509Info> cert;
};

FedCert decode_cert(const std::string& b64) {
  FedCert c;
  auto der = util::base64_decode(util::trim(b64));
  if (!der) return c;
  c.decoded_base64 = true;
  c.sha1 = parsers::sha1_thumbprint(*der);
  c.sha256 = upper(util::sha256_hex(*der));
  if (auto x = parsers::parse_x509_der(*der)) c.cert = std::move(x.value());
  return c;
}

class EntraIocMatch final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.ioc-match",
        .title = "Application, service principal, federated domain or role holder matches the IOC list",
        .severity = Severity::critical,
        .platform = Platform::entra,
        .category = "credentials",
        .mitre = {"T1098.001", "T1484.002", "T1606.002", "T1199", "T1078.004"},
        .references = {"CISA AA21-008A", "CISA AA20-352A",
                       "Mimecast security incident update, January 2021 (compromised certificate used to "
                       "authenticate Mimecast products to Microsoft 365 Exchange Web Services)",
                       "https://techcommunity.microsoft.com/t5/microsoft-entra-blog/"
                       "understanding-quot-solorigate-quot-s-identity-iocs-for-identity-vendors/ba-p/2007610",
                       "https://learn.microsoft.com/en-us/graph/api/resources/keycredential",
                       "https://learn.microsoft.com/en-us/graph/api/resources/internaldomainfederation"},
        .description =
            "Runs only with an IOC list (--ioc FILE) and reports every object of the tenant that is, or "
            "trusts, "
            "one of its indicators. certificate_thumbprints (SHA-1 or SHA-256 of the certificate) are "
            "matched "
            "against the keyCredentials of applications and service principals (customKeyIdentifier, which "
            "the "
            "portal and addKey set to the SHA-1 thumbprint, and the certificate itself when the collection "
            "returned `key`), a service principal's preferredTokenSigningKeyThumbprint, and the "
            "signingCertificate and nextSigningCertificate of every federated domain (both hashes are "
            "computed "
            "from the certificate). app_ids are matched against the appId of applications and service "
            "principals and of service principals that own an application; key_ids against the keyId of "
            "every "
            "keyCredential and passwordCredential; issuers against federation issuerUri, the issuer of "
            "federated identity credentials and the issuer name of decoded certificates; account_names "
            "against "
            "the user principal name of directory role holders and of the owners of privileged applications "
            "(the "
            "owners adpersist collects). One finding per object "
            "and indicator lists every place the value was found. This is how a vendor compromise becomes "
            "visible in your tenant: when Mimecast's certificate for its Microsoft 365 connection was stolen "
            "in "
            "2021, every tenant whose service principal trusted that certificate was exposed, and the "
            "published thumbprint was the only thing tenants could look for.",
        .severity_notes =
            "Always critical: whoever holds a matching credential or signing key signs in as the application "
            "or "
            "forges tokens for the federated domain, and the list says that value is in an attacker's hands.",
        .false_positives =
            "An IOC list that is too broad: a public issuer (https://token.actions.githubusercontent.com), a "
            "Microsoft first-party application id or a vendor's application id listed as 'affected product' "
            "rather than as compromised. A match on a certificate or key id is never a false positive as "
            "such: "
            "the credential is the one the list names, even if its compromise was already remediated by the "
            "vendor (check the advisory for the replacement credential).",
        .remediation =
            "Treat the credential as compromised. Remove it: Remove-MgApplicationKey / "
            "Remove-MgApplicationPassword "
            "(Remove-MgServicePrincipalKey / -Password on a service principal), or for a vendor application "
            "follow the vendor's advisory (Mimecast: delete the connection and re-create it with a new "
            "certificate), then rotate every other credential of the application. For a federated domain, "
            "reset "
            "the federation's signing certificates from your AD FS metadata "
            "(Update-MgDomainFederationConfiguration) "
            "or convert the domain to managed authentication if the issuer is not yours. For a matched "
            "application id, disable the service principal (accountEnabled false) until the vendor confirms "
            "the fix. Then review the sign-in logs (service principal sign-ins by key id) and the audit log "
            "since the credential's start date, and search mailboxes and files the application could read.",
        .needs = {{Dataset::applications, {"appId", "keyCredentials", "passwordCredentials"}},
                  {Dataset::service_principals,
                   {"appId", "keyCredentials", "passwordCredentials"},
                   {"preferredTokenSigningKeyThumbprint"}},
                  {Dataset::domains, {"authenticationType"}},
                  {Dataset::federation_configuration,
                   {},
                   {"signingCertificate", "nextSigningCertificate", "issuerUri"}},
                  {Dataset::federated_identity_credentials, {"issuer"}, {"subject", "audiences", "name"}},
                  {Dataset::role_assignments,
                   {"principalId", "roleDefinitionId"},
                   {"directoryScopeId", "principal"}},
                  {Dataset::app_owners, {}, {"id", "userPrincipalName", "appId"}}},
        .needs_ioc = true,
        .evidence =
            {{"indicator_type",
              "certificate_thumbprint, app_id, key_id, account_name or issuer (the IOC list's member)"},
             {"indicator", "the IOC list entry that matched, normalised (thumbprints lower-case hex)"},
             {"found_in",
              "property paths where it was found (keyCredentials[1], appId, "
              "federationConfiguration.signingCertificate, ...)"},
             {"matches",
              "one entry per place: path, matched_by (customKeyIdentifier, key, keyId, sha1, sha256, "
              "...), the value as the tenant holds it, and the credential's key id, thumbprint, display "
              "name and dates, or the certificate's subject, issuer and validity (never key material)"},
             {"app_id", "the application (client) id, for applications and service principals"},
             {"privileged_permissions",
              "critical or data-access permissions and privileged roles the "
              "service principal holds (from the collected assignments)"},
             {"ioc_list", "the IOC file given with --ioc"},
             {"ioc_source", "the IOC file's \"source\" (the advisory), when it names one"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    if (!ctx.ioc) {
      out.not_evaluated("no IOC list was given (--ioc FILE)");
      return;
    }
    const IocSet& ioc = *ctx.ioc;
    const auto& t = *ctx.snapshot.tenant();
    std::unique_ptr<entra::Grants> grants;  // built on the first application or service principal hit
    auto labels = [&](const me::ServicePrincipal* sp) {
      if (!sp) return std::vector<std::string>{};
      if (!grants) grants = std::make_unique<entra::Grants>(t);
      return grants->privileged_labels(sp->id);
    };

    auto emit = [&](const Resource& r, const Matches& m, const std::string& what, auto&& extra) {
      for (const auto& x : m.all()) {
        auto& f = out.add(r).set_key(x.type + ":" + x.indicator);
        f.set_message(what + " " + std::string(verb(x)) + " " + shown(x) + " from the IOC list (" +
                      join(x.paths) + ")");
        f.add("indicator_type", x.type);
        f.add("indicator", x.indicator);
        f.add("found_in", x.paths);
        f.add("matches", x.details);
        extra(f);
        f.add("ioc_list", ioc.source);
        if (!ioc.reference.empty()) f.add("ioc_source", ioc.reference);
      }
    };

    for (const auto& app : t.applications()) {
      Matches m;
      match_common(ioc, app.app_id, app.keys, app.passwords, m);
      if (const auto* fics = t.federated_identity_credentials(app.id)) {
        for (const auto& fic : *fics) {
          if (auto hit = ioc.match_issuer(fic.issuer))
            m.add("issuer", *hit, "federatedIdentityCredentials[" + fic.name + "].issuer",
                  {{"matched_by", "issuer"},
                   {"value", fic.issuer},
                   {"name", fic.name},
                   {"id", fic.id},
                   {"subject", fic.subject},
                   {"audiences", fic.audiences}});
        }
      }
      // Owners are collected for the privileged applications (the app_owners dataset): an owner on the list
      // can add credentials to the application whenever it likes.
      if (const auto* owners = t.owners(app.id)) {
        for (const auto& o : *owners) {
          const Json who = {{"id", o.id},
                            {"type", o.type},
                            {"display_name", o.display_name},
                            {"user_principal_name", o.user_principal_name}};
          if (ioc.has_account_name(o.user_principal_name))
            m.add("account_name", util::to_lower(o.user_principal_name),
                  "owners[" + o.id + "].userPrincipalName",
                  {{"matched_by", "userPrincipalName"}, {"value", o.user_principal_name}, {"owner", who}});
          if (ioc.has_app_id(o.app_id))
            m.add("app_id", util::to_lower(o.app_id), "owners[" + o.id + "].appId",
                  {{"matched_by", "appId"}, {"value", o.app_id}, {"owner", who}});
        }
      }
      if (m.all().empty()) continue;
      const auto held = labels(t.sp_by_app_id(app.app_id));
      emit(entra::resource_of(app), m, "application", [&](Finding& f) {
        f.add("app_id", app.app_id);
        f.add("privileged_permissions", held);
      });
    }

    for (const auto& sp : t.service_principals()) {
      Matches m;
      match_common(ioc, sp.app_id, sp.keys, sp.passwords, m);
      if (ioc.has_thumbprint(sp.preferred_token_signing_thumbprint))
        m.add("certificate_thumbprint", util::to_lower(sp.preferred_token_signing_thumbprint),
              "preferredTokenSigningKeyThumbprint",
              {{"matched_by", "preferredTokenSigningKeyThumbprint"},
               {"value", sp.preferred_token_signing_thumbprint}});
      if (m.all().empty()) continue;
      const auto held = labels(&sp);
      emit(entra::resource_of(sp), m, "service principal", [&](Finding& f) {
        f.add("app_id", sp.app_id);
        f.add("privileged_permissions", held);
      });
    }

    for (const auto& dom : t.domains()) {
      const auto* configs = t.federation(dom.id);
      if (!configs || configs->empty()) {
        if (util::iequals(dom.authentication_type, "Federated"))
          out.note("federated domain " + dom.id + " has no federationConfiguration in the data: not matched");
        continue;
      }
      Matches m;
      for (const auto& fc : *configs) match_federation(ioc, fc, m);
      if (m.all().empty()) continue;
      emit(entra::resource_of(dom), m, "federated domain", [](Finding&) {});
    }

    if (!ioc.account_names.empty()) match_role_holders(ctx, ioc, out);

    if (grants && !out.items().empty()) {
      for (Dataset d : {Dataset::app_role_assigned_to, Dataset::role_assignments})
        if (ctx.snapshot.dataset(d).state != DatasetState::ok)
          out.note("privileged_permissions may be incomplete: dataset '" + std::string(to_string(d)) +
                   "' is not complete");
    }
  }

 private:
  // appId, keyCredentials and passwordCredentials: what applications and service principals share.
  static void match_common(const IocSet& ioc, const std::string& app_id,
                           const std::vector<me::KeyCredential>& keys,
                           const std::vector<me::PasswordCredential>& passwords, Matches& m) {
    if (ioc.has_app_id(app_id))
      m.add("app_id", util::to_lower(app_id), "appId", {{"matched_by", "appId"}, {"value", app_id}});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto& k = keys[i];
      const std::string path = "keyCredentials[" + std::to_string(i) + "]";
      // The same certificate can match by customKeyIdentifier and by `key`: one entry per way it matched.
      const std::pair<const char*, std::string> hashes[] = {{"customKeyIdentifier", k.thumbprint()},
                                                            {"key (SHA-1)", k.cert_sha1},
                                                            {"key (SHA-256)", k.cert_sha256}};
      for (const auto& [by, hex] : hashes)
        if (ioc.has_thumbprint(hex))
          m.add("certificate_thumbprint", util::to_lower(hex), path,
                {{"matched_by", by}, {"value", hex}, {"credential", entra::key_evidence(k)}});
      if (ioc.has_key_id(k.key_id))
        m.add("key_id", util::to_lower(k.key_id), path,
              {{"matched_by", "keyId"}, {"value", k.key_id}, {"credential", entra::key_evidence(k)}});
      if (auto hit = ioc.match_issuer(k.cert_issuer))
        m.add("issuer", *hit, path,
              {{"matched_by", "certificate issuer"},
               {"value", k.cert_issuer},
               {"credential", entra::key_evidence(k)}});
    }
    for (std::size_t i = 0; i < passwords.size(); ++i) {
      const auto& p = passwords[i];
      if (ioc.has_key_id(p.key_id))
        m.add("key_id", util::to_lower(p.key_id), "passwordCredentials[" + std::to_string(i) + "]",
              {{"matched_by", "keyId"}, {"value", p.key_id}, {"credential", entra::password_evidence(p)}});
    }
  }

  static void match_federation(const IocSet& ioc, const me::FederationConfiguration& fc, Matches& m) {
    auto base = [&fc](std::string_view by, const std::string& value) {
      return Json{{"matched_by", by},
                  {"value", value},
                  {"federation_configuration_id", fc.id},
                  {"issuer_uri", fc.issuer_uri}};
    };
    if (auto hit = ioc.match_issuer(fc.issuer_uri))
      m.add("issuer", *hit, "federationConfiguration.issuerUri", base("issuerUri", fc.issuer_uri));

    const std::pair<const char*, const std::string*> slots[] = {
        {"signingCertificate", &fc.signing_certificate},
        {"nextSigningCertificate", &fc.next_signing_certificate}};
    for (const auto& [slot, value] : slots) {
      if (value->empty()) continue;
      const FedCert c = decode_cert(*value);
      if (!c.decoded_base64)
        continue;  // entra.federation-signing-certificate reports a slot that does not decode
      const std::string path = std::string("federationConfiguration.") + slot;
      auto detail = [&](std::string_view by, const std::string& v) {
        Json d = base(by, v);
        d["sha1"] = c.sha1;
        d["sha256"] = c.sha256;
        if (c.cert) {
          d["subject"] = c.cert->subject;
          d["issuer"] = c.cert->issuer;
          d["not_before"] = parsers::format_rfc3339(c.cert->not_before);
          d["not_after"] = parsers::format_rfc3339(c.cert->not_after);
        }
        return d;
      };
      if (ioc.has_thumbprint(c.sha1))
        m.add("certificate_thumbprint", util::to_lower(c.sha1), path, detail("sha1", c.sha1));
      if (ioc.has_thumbprint(c.sha256))
        m.add("certificate_thumbprint", util::to_lower(c.sha256), path, detail("sha256", c.sha256));
      if (c.cert) {
        if (auto hit = ioc.match_issuer(c.cert->issuer))
          m.add("issuer", *hit, path, detail("certificate issuer", c.cert->issuer));
        else if (auto subj = ioc.match_issuer(c.cert->subject))
          m.add("issuer", *subj, path, detail("certificate subject", c.cert->subject));
      }
    }
  }

  // Directory role holders whose user principal name is on the list: the account is one of the indicators.
  static void match_role_holders(const engine::CheckContext& ctx, const IocSet& ioc, Findings& out) {
    const auto& t = *ctx.snapshot.tenant();
    std::vector<std::string> order;
    std::map<std::string, std::pair<const me::RoleAssignment*, Json>> by_principal;
    for (const auto& ra : t.role_assignments()) {
      if (!ra.principal || !ioc.has_account_name(ra.principal->user_principal_name)) continue;
      const auto* def = t.role_definition(ra.role_definition_id);
      Json d = {{"path", "roleAssignments[" + ra.id + "].principal.userPrincipalName"},
                {"matched_by", "userPrincipalName"},
                {"value", ra.principal->user_principal_name},
                {"role", def ? def->display_name : ra.role_definition_id},
                {"role_definition_id", ra.role_definition_id},
                {"directory_scope", ra.directory_scope_id},
                {"assignment_id", ra.id}};
      auto [it, inserted] = by_principal.try_emplace(ra.principal_id, &ra, Json::array());
      if (inserted) order.push_back(ra.principal_id);
      it->second.second.push_back(std::move(d));
    }
    for (const auto& id : order) {
      const auto& [ra, details] = by_principal.at(id);
      const auto& p = *ra->principal;
      Resource r;
      r.type = util::iequals(p.type, "servicePrincipal") ? "servicePrincipal" : "user";
      r.id = ra->principal_id;
      r.name = p.user_principal_name;
      const std::string name = util::to_lower(p.user_principal_name);
      std::vector<std::string> roles, paths;
      for (const auto& d : details) {
        roles.push_back(d["role"].get<std::string>());
        paths.push_back(d["path"].get<std::string>());
      }
      auto& f = out.add(r).set_key("account_name:" + name);
      f.set_message("account " + name + " from the IOC list holds directory role " + join(roles));
      f.add("indicator_type", "account_name");
      f.add("indicator", name);
      f.add("found_in", paths);
      f.add("matches", details);
      f.add("ioc_list", ioc.source);
      if (!ioc.reference.empty()) f.add("ioc_source", ioc.reference);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(EntraIocMatch)
}  // namespace adpersist::checks
