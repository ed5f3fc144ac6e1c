// ad.ntauth-certificates: the CA certificates in CN=NTAuthCertificates (the forest's store of CAs trusted to
// issue logon certificates), one finding each, high when no enterprise CA (enrollment service) uses it.
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/support/adcs.hpp"
#include "scanner/parsers/x509.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr const char* kAttr = "cACertificate";

// A certificate of an enterprise CA, for matching the store against.
struct CaCert {
  std::string thumbprint;  // SHA-1 of the stored bytes
  std::string subject;     // empty when the value does not decode
  std::string ca;          // adcs::ca_label of the enrollment service
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class NtauthCertificates final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.ntauth-certificates",
        .title = "CA certificates trusted for logon (NTAuthCertificates), and those no enterprise CA uses",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1649", "T1553.004", "T1556"},
        .references =
            {"Microsoft KB 295663: import third-party CA certificates into the Enterprise NTAuth store",
             "https://specterops.io/wp-content/uploads/sites/3/2022/06/Certified_Pre-Owned.pdf",
             "PingCastle GenerateNTLMStoreData (NTAuth store inventory)",
             "Purple Knight SI000091 (Dangerous control paths expose certificate containers)",
             "Microsoft Defender for Identity alert 2435 (Suspicious modifications to the AD CS security "
             "permissions/settings)"},
        .description =
            "Domain controllers accept a certificate for Kerberos PKINIT, smart-card and Schannel logon only "
            "when its issuing CA is in the forest's NTAuth store: the multi-valued cACertificate attribute "
            "of CN=NTAuthCertificates,CN=Public Key Services,CN=Services in the configuration naming "
            "context. An attacker with write access to that object (or Enterprise Admin once) adds a CA "
            "certificate whose private key they hold; from then on they can mint a logon certificate for any "
            "account, offline, and it keeps working after every password reset and krbtgt rotation (a "
            "\"golden certificate\" that needs no stolen CA key). The check decodes every certificate in the "
            "store and reports each one as an inventory finding (subject, issuer, serial, SHA-1 thumbprint "
            "as Windows shows it, SHA-256 and validity), so a baseline flags a CA added since. A certificate "
            "that is not also the certificate of an enterprise CA in the forest (cACertificate of a "
            "pKIEnrollmentService object under CN=Enrollment Services, compared by thumbprint) is raised to "
            "high.",
        .severity_notes =
            "Info for a certificate that an enrollment service also holds. High for one that no enrollment "
            "service holds (evidence same_subject_as names CAs whose current certificate has the same "
            "subject: a renewed CA certificate looks like this, and so does a forged look-alike). High for a "
            "value that does not decode as a DER X.509 certificate: something is in the store that cannot be "
            "reviewed; a note names the object and the value.",
        .false_positives =
            "Certificates of CAs that are deliberately trusted for logon without being enterprise CAs of "
            "this forest: a third-party or government smart-card CA imported with certutil -dspublish -f "
            "<cert> NTAuthCA, a standalone or offline CA, a CA of another forest used for cross-forest "
            "enrollment. The previous certificate of an enterprise CA after renewal, and the certificate of "
            "a decommissioned CA, stay in the store until removed. Confirm each with the PKI owner and "
            "remove what is no longer needed.",
        .remediation =
            "Review the store in pkiview.msc > Manage AD Containers > NTAuthCertificates and compare "
            "thumbprints with the evidence. Remove an unexpected certificate there, or with certutil "
            "-viewdelstore \"ldap:///CN=NTAuthCertificates,CN=Public Key Services,CN=Services,<configuration "
            "NC>?cACertificate?base?objectClass=certificationAuthority\", then find out who could write "
            "CN=NTAuthCertificates (ad.adcs-esc4 reports non-tier-0 writers) and when cACertificate changed "
            "(replication metadata). Treat every account that logged on with a certificate from that CA as "
            "compromised: review Kerberos PKINIT logons (event 4768 with certificate information) since the "
            "change.",
        .needs = {{Dataset::configuration, {kAttr}, {"dNSHostName", "cn"}}},
        .evidence = {{"subject", "the certificate's subject, RFC 4514 order (most specific first)"},
                     {"issuer", "the certificate's issuer"},
                     {"serial", "serial number, upper-case hex"},
                     {"thumbprint", "SHA-1 of the certificate (the Windows thumbprint), upper-case hex"},
                     {"sha256", "SHA-256 of the certificate, upper-case hex"},
                     {"not_before", "start of validity (RFC 3339)"},
                     {"not_after", "end of validity (RFC 3339)"},
                     {"expired", "notAfter is before the scan time"},
                     {"self_issued", "subject equals issuer (a root CA)"},
                     {"key", "public key algorithm and size, e.g. rsaEncryption 2048"},
                     {"enrollment_services", "enterprise CAs whose certificate this is"},
                     {"same_subject_as",
                      "enterprise CAs whose certificate has the same subject but another thumbprint"},
                     {"decoded", "false when the value is not a DER X.509 certificate"},
                     {"decode_error", "why the value does not decode"},
                     {"value_index", "position of the value in cACertificate (0-based)"},
                     {"length", "size of the value in bytes"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const Entry* store = adcs::ntauth_store(snap);
    if (!store) return;  // no NTAuth store: no CA is trusted for certificate logon

    std::vector<CaCert> cas;
    for (const Entry* ca : adcs::enrollment_services(snap)) {
      for (auto v : ca->values(kAttr)) {
        CaCert c{parsers::sha1_thumbprint(v), {}, adcs::ca_label(*ca)};
        if (auto x = parsers::parse_x509_der(v)) c.subject = x->subject;
        cas.push_back(std::move(c));
      }
    }

    const auto values = store->values(kAttr);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto value = values[i];
      const auto thumbprint = parsers::sha1_thumbprint(value);
      auto cert = parsers::parse_x509_der(value);
      if (!cert) {
        out.note(std::string(store->dn()) + " attribute " + kAttr + " value " + std::to_string(i) + ": " +
                 cert.error().describe());
        auto& f = out.add(*store).set_key("undecodable:" + thumbprint).set_severity(Severity::high);
        f.set_message("the NTAuth store holds a value that is not an X.509 certificate (value " +
                      std::to_string(i) + ", " + std::to_string(value.size()) +
                      " bytes): it cannot be reviewed");
        f.add("decoded", false);
        f.add("decode_error", cert.error().describe());
        f.add("thumbprint", thumbprint);
        f.add("value_index", i);
        f.add("length", value.size());
        continue;
      }

      std::vector<std::string> used_by, same_subject;
      for (const auto& c : cas) {
        if (c.thumbprint == thumbprint)
          used_by.push_back(c.ca);
        else if (!c.subject.empty() && c.subject == cert->subject)
          same_subject.push_back(c.ca);
      }

      auto& f = out.add(*store).set_key("cert:" + thumbprint);
      f.add("subject", cert->subject);
      f.add("issuer", cert->issuer);
      f.add("serial", cert->serial);
      f.add("thumbprint", cert->sha1);
      f.add("sha256", cert->sha256);
      f.add("not_before", parsers::format_rfc3339(cert->not_before));
      f.add("not_after", parsers::format_rfc3339(cert->not_after));
      f.add("expired", cert->not_after < ctx.now);
      f.add("self_issued", cert->self_issued);
      f.add("key",
            cert->key_algorithm + (cert->key_bits ? " " + std::to_string(cert->key_bits) : std::string()));
      f.add("enrollment_services", used_by);
      f.add("same_subject_as", same_subject);
      f.add("decoded", true);
      f.add("value_index", i);

      const std::string who = "'" + cert->subject + "' (thumbprint " + cert->sha1 + ")";
      if (!used_by.empty()) {
        f.set_severity(Severity::info);
        f.set_message("the NTAuth store trusts CA " + who +
                      " for logon; it is the certificate of enterprise CA " + join(used_by));
      } else {
        f.set_severity(Severity::high);
        std::string msg = "the NTAuth store trusts CA " + who +
                          " for logon, but no enterprise CA of the forest uses it: its key holder can sign a "
                          "logon certificate for any account";
        if (!same_subject.empty())
          msg += " (enterprise CA " + join(same_subject) + " has the same subject with another certificate)";
        f.set_message(msg);
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(NtauthCertificates)
}  // namespace adpersist::checks
