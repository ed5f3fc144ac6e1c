// ad.alt-security-identities: explicit certificate or Kerberos principal mappings (altSecurityIdentities).
#include <set>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

struct Mapping {
  std::string type;     // x509-issuer-subject, x509-subject, x509-issuer-serial, x509-ski, ...
  bool strong = false;  // a strong mapping in the sense of KB5014754
};

// Classifies a value by its prefix (the forms of KB5014754 and the altSecurityIdentities documentation).
Mapping classify(std::string_view v) {
  v = util::trim(v);
  if (util::istarts_with(v, "Kerberos:")) return {"kerberos", false};
  if (!util::istarts_with(v, "X509:")) return {"other", false};
  auto rest = v.substr(5);
  auto has = [&](std::string_view tag) {
    return util::to_lower(rest).find(util::to_lower(tag)) != std::string::npos;
  };
  if (util::istarts_with(rest, "<SKI>")) return {"x509-ski", true};
  if (util::istarts_with(rest, "<SHA1-PUKEY>")) return {"x509-sha1-pukey", true};
  if (util::istarts_with(rest, "<RFC822>")) return {"x509-rfc822", false};
  if (util::istarts_with(rest, "<I>") && has("<SR>")) return {"x509-issuer-serial", true};
  if (util::istarts_with(rest, "<I>") && has("<S>")) return {"x509-issuer-subject", false};
  if (util::istarts_with(rest, "<S>")) return {"x509-subject", false};
  return {"x509-other", false};
}

class AltSecurityIdentities final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.alt-security-identities",
        .title = "Explicit certificate or Kerberos mapping on an account (altSecurityIdentities)",
        .severity = Severity::medium,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1098", "T1649"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-altsecurityidentities",
                       "https://support.microsoft.com/en-us/topic/"
                       "kb5014754-certificate-based-authentication-changes-on-windows-domain-controllers-"
                       "ad2c23b0-15d8-4340-a468-4d4f3b188f16",
                       "Purple Knight SI000102", "CISA AA21-008A"},
        .description =
            "altSecurityIdentities maps an external identity to the account: a certificate (by issuer and "
            "subject, issuer and serial number, subject key identifier, public-key hash or e-mail) used for "
            "PKINIT or schannel logon, or a Kerberos principal of a trusted realm. Whoever holds a matching "
            "certificate or realm principal logs on as the account without its password, and resetting the "
            "password does not remove the access. Attackers who can write the attribute map a certificate "
            "they own onto an admin or krbtgt as a durable backdoor.",
        .severity_notes =
            "Critical when the account is tier 0 (privileged, a DC or krbtgt); medium otherwise. Weak "
            "mappings (issuer/subject, subject only, RFC822) are also easier to satisfy with a certificate "
            "from any trusted CA; see the strong_mapping evidence.",
        .false_positives =
            "Smart-card deployments and MIT Kerberos realm trusts that use explicit mappings, and accounts "
            "set up by certificate-mapping tooling. The mapping should name your own CA and match the "
            "account's owner.",
        .remediation =
            "Verify each mapping with the account owner and the PKI team. Remove unexpected values: "
            "Set-ADUser <name> -Remove @{altSecurityIdentities='<value>'}. For tier 0, treat a foreign "
            "mapping as a compromise: revoke the certificate, check the issuing CA (and NTAuth) and review "
            "logons of the account since the value appeared.",
        .needs = {{Dataset::domain, {"altSecurityIdentities"}, {"userAccountControl", "primaryGroupID"}}},
        .evidence = {{"mapping",
                      "the altSecurityIdentities value (a certificate or principal name, no secret)"},
                     {"mapping_type",
                      "x509-issuer-subject, x509-subject, x509-issuer-serial, x509-ski, "
                      "x509-sha1-pukey, x509-rfc822, x509-other, kerberos or other"},
                     {"strong_mapping",
                      "the mapping type is strong per KB5014754 (issuer+serial, SKI, SHA1-PUKEY)"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the account is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      const auto values = e.values("altSecurityIdentities");
      if (values.empty()) continue;
      std::set<std::string> seen;
      for (auto v : values) {
        auto key = util::to_lower(v);
        if (!seen.insert(key).second) continue;
        const auto m = classify(v);
        auto& f = out.add(e).set_key(key);
        f.set_message(std::string(priv.is_tier0(e) ? "tier-0 account" : "account") + " has an explicit " +
                      (m.type == "kerberos" ? "Kerberos principal" : "certificate") +
                      " mapping: its holder logs on as the account without the password");
        f.add("mapping", std::string(v));
        f.add("mapping_type", m.type);
        f.add("strong_mapping", m.strong);
        if (e.is_account()) add_account_evidence(f, e, priv);
        if (priv.is_tier0(e)) f.set_severity(Severity::critical);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AltSecurityIdentities)
}  // namespace adpersist::checks
