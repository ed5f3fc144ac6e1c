// entra.federation-signing-certificate: token-signing certificates of federated domains that AD FS would not
// have produced: a next certificate from another issuer, a long validity, a change outside the automatic update.
#include "checks/check.hpp"
#include "checks/support/entra.hpp"
#include "scanner/parsers/x509.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace me = model::entra;

// AD FS auto-rollover issues one-year certificates; a leap year makes that 366 days.
constexpr std::int64_t kMaxRolloverDays = 366;

struct Decoded {
  std::optional<parsers::X509Info> cert;
  std::string sha1;   // of the bytes, even when they are no certificate
  std::string error;  // why it does not decode
};

Decoded decode(const std::string& b64) {
  Decoded d;
  auto der = util::base64_decode(util::trim(b64));
  if (!der) {
    d.error = "not base64: " + der.error().describe();
    return d;
  }
  d.sha1 = parsers::sha1_thumbprint(*der);
  auto x = parsers::parse_x509_der(*der);
  if (!x) {
    d.error = x.error().describe();
    return d;
  }
  d.cert = std::move(x.value());
  return d;
}

std::int64_t validity_days(const parsers::X509Info& c) {
  return std::chrono::duration_cast<std::chrono::hours>(c.not_after - c.not_before).count() / 24;
}

std::string day(parsers::TimePoint t) { return parsers::format_rfc3339(t).substr(0, 10); }

class FederationSigningCertificate final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "entra.federation-signing-certificate",
        .title = "Federated domain token-signing certificate not produced by AD FS rollover",
        .severity = Severity::high,
        .platform = Platform::entra,
        .category = "trust",
        .mitre = {"T1484.002", "T1606.002"},
        .references = {"CISA AA21-008A",
                       "https://github.com/mandiant/Mandiant-Azure-AD-Investigator",
                       "https://learn.microsoft.com/en-us/windows-server/identity/ad-fs/operations/"
                       "ad-fs-certificate-rollover",
                       "https://learn.microsoft.com/en-us/graph/api/resources/internaldomainfederation"},
        .description =
            "Entra ID accepts a federated domain's tokens when they are signed by the domain's signingCertificate "
            "or its nextSigningCertificate. An attacker who can change the federation settings adds a "
            "certificate whose private key they hold (usually as the next certificate, which leaves the current "
            "AD FS sign-in working) and then forges SAML tokens for any user of the domain: Golden SAML without "
            "touching AD FS. For each federated domain and each of the two certificate slots this check reports: "
            "a next certificate whose subject or issuer differs from the current certificate's; a certificate "
            "valid more than 366 days (AD FS automatic rollover issues one-year certificates); and a "
            "certificate issued inside the recent window (--since) while signingCertificateUpdateStatus "
            "lastRunDateTime is older than the certificate, i.e. it was not brought in by the automatic "
            "certificate update. A slot that does not decode as a certificate is reported with a note. The "
            "any.sts backdoor's self-signed 10-year certificate is reported here on its own merits (long "
            "validity, issued recently: high); the domain itself is critical under entra.federation-issuer.",
        .severity_notes =
            "High for a next certificate from another subject or issuer, for a certificate issued after the "
            "last automatic update, and for a long-lived certificate issued inside the recent window; medium "
            "for a long-lived certificate issued before the window, and for a value that does not decode.",
        .false_positives =
            "AD FS with AutoCertificateRollover disabled and a certificate from an internal or public CA "
            "(validity often 2-3 years, issuer differs from subject); a third-party identity provider (Okta, "
            "PingFederate) with its own certificate lifetime; a planned manual rollover (Update-MgDomain"
            "FederationConfiguration after a new AD FS certificate) shortly before the scan. Compare the SHA-1 "
            "thumbprint with the token-signing certificates on the AD FS servers (Get-AdfsCertificate "
            "-CertificateType Token-Signing).",
        .remediation =
            "Compare the thumbprint with Get-AdfsCertificate -CertificateType Token-Signing on the AD FS farm. "
            "If it is not one of yours, set the federation's certificates back from AD FS metadata "
            "(Update-MgDomainFederationConfiguration with the AD FS certificate, or Update-MsolFederatedDomain "
            "from the AD FS server), find who changed it (audit 'Set federation settings on domain'), and "
            "review sign-ins of the domain's users since the certificate's notBefore.",
        .needs = {{Dataset::domains, {"authenticationType"}},
                  {Dataset::federation_configuration, {},
                   {"signingCertificate", "nextSigningCertificate", "signingCertificateUpdateStatus", "issuerUri"}}},
        .evidence = {{"slot", "signingCertificate or nextSigningCertificate"},
                     {"reasons", "subject_differs, long_validity, recent, outside_rollover"},
                     {"subject", "the certificate's subject"},
                     {"issuer", "the certificate's issuer"},
                     {"sha1", "SHA-1 thumbprint of the DER, upper-case hex (as AD FS shows it)"},
                     {"sha256", "SHA-256 of the DER, upper-case hex"},
                     {"not_before", "start of validity"},
                     {"not_after", "end of validity"},
                     {"validity_days", "whole days between notBefore and notAfter"},
                     {"self_issued", "subject equals issuer"},
                     {"current_subject", "for the next certificate: the current certificate's subject"},
                     {"current_issuer", "for the next certificate: the current certificate's issuer"},
                     {"last_run", "signingCertificateUpdateStatus.lastRunDateTime"},
                     {"certificate_update_result", "signingCertificateUpdateStatus.certificateUpdateResult"},
                     {"issuer_uri", "the federation's issuerUri"},
                     {"decoded", "false when the slot does not hold a DER X.509 certificate"},
                     {"decode_error", "why it does not decode"}},
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
      for (const auto& fc : *configs) evaluate_one(ctx, dom, fc, configs->size() > 1, out);
    }
  }

 private:
  static void evaluate_one(const engine::CheckContext& ctx, const me::Domain& dom, const me::FederationConfiguration& fc,
                           bool several, Findings& out) {
    const Decoded current = fc.signing_certificate.empty() ? Decoded{} : decode(fc.signing_certificate);
    if (fc.signing_certificate.empty()) out.note("federated domain " + dom.id + " has no signingCertificate");

    struct Slot {
      const char* name;
      const std::string* value;
      const Decoded* decoded;
    };
    const Decoded next = fc.next_signing_certificate.empty() ? Decoded{} : decode(fc.next_signing_certificate);
    const Slot slots[] = {{"signingCertificate", &fc.signing_certificate, &current},
                          {"nextSigningCertificate", &fc.next_signing_certificate, &next}};

    for (const auto& slot : slots) {
      if (slot.value->empty()) continue;
      const std::string key = several ? fc.id + ":" + slot.name : std::string(slot.name);
      const Decoded& d = *slot.decoded;
      if (!d.cert) {
        out.note(fc.origin.where() + ": " + slot.name + " of " + dom.id + " is not a certificate: " + d.error);
        auto& f = out.add(entra::resource_of(dom)).set_key(key).set_severity(Severity::medium);
        f.set_message("the " + std::string(slot.name) + " does not decode as an X.509 certificate and cannot be reviewed");
        f.add("slot", slot.name);
        f.add("decoded", false);
        f.add("decode_error", d.error);
        if (!d.sha1.empty()) f.add("sha1", d.sha1);
        f.add("issuer_uri", fc.issuer_uri);
        continue;
      }
      const auto& c = *d.cert;
      const bool is_next = slot.value == &fc.next_signing_certificate;
      const auto days = validity_days(c);
      const bool recent = ctx.is_recent(c.not_before);

      std::vector<std::string> reasons, parts;
      Severity sev = Severity::info;
      auto raise_to = [&sev](Severity s) {
        if (s > sev) sev = s;
      };
      if (is_next && current.cert && (c.subject != current.cert->subject || c.issuer != current.cert->issuer)) {
        reasons.emplace_back("subject_differs");
        parts.push_back("not from the current certificate's issuer (" + current.cert->subject + ")");
        raise_to(Severity::high);
      }
      const bool long_validity = days > kMaxRolloverDays;
      if (long_validity) {
        reasons.emplace_back("long_validity");
        if (recent) reasons.emplace_back("recent");
        parts.push_back("valid " + std::to_string(days) + " days");
        raise_to(recent ? Severity::high : Severity::medium);
      }
      const bool outside =
          recent && fc.certificate_update_last_run && *fc.certificate_update_last_run < c.not_before;
      if (outside) {
        reasons.emplace_back("outside_rollover");
        raise_to(Severity::high);
      }
      if (recent && (long_validity || outside))
        parts.push_back("issued " + day(c.not_before) + " inside the recent window" +
                        (outside ? ", after the last automatic certificate update (" +
                                       day(*fc.certificate_update_last_run) + ")"
                                 : std::string()));
      if (reasons.empty()) continue;

      auto& f = out.add(entra::resource_of(dom)).set_key(key).set_severity(sev);
      std::string msg = std::string(is_next ? "next" : "current") + " token-signing certificate " + c.subject;
      for (std::size_t i = 0; i < parts.size(); ++i) msg += (i ? "; " : ": ") + parts[i];
      f.set_message(msg);
      f.add("slot", slot.name);
      f.add("reasons", reasons);
      f.add("subject", c.subject);
      f.add("issuer", c.issuer);
      f.add("sha1", c.sha1);
      f.add("sha256", c.sha256);
      f.add("not_before", parsers::format_rfc3339(c.not_before));
      f.add("not_after", parsers::format_rfc3339(c.not_after));
      f.add("validity_days", days);
      f.add("self_issued", c.self_issued);
      if (is_next && current.cert) {
        f.add("current_subject", current.cert->subject);
        f.add("current_issuer", current.cert->issuer);
      }
      f.add("last_run", entra::format_time(fc.certificate_update_last_run));
      f.add("certificate_update_result", fc.certificate_update_result);
      f.add("issuer_uri", fc.issuer_uri);
      f.add("decoded", true);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(FederationSigningCertificate)
}  // namespace adpersist::checks
