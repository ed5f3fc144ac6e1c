// ad.adcs-esc4: a principal outside tier 0 owns or can rewrite a published certificate template, the
// template container, an enterprise CA's enrollment service object or the NTAuth store (ESC4, and the
// object-control part of ESC5).
#include <optional>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/adcs.hpp"
#include "checks/support/domain_sids.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

constexpr std::uint32_t kCertPublishersRid = 517;

enum class Kind { template_, template_container, enrollment_service, ntauth_store };

struct Target {
  const Entry* entry = nullptr;
  Kind kind = Kind::template_;
  std::vector<std::string> cas;  // templates: the CAs publishing it
  std::optional<Sid> ca_host;    // enrollment services: the CA computer's SID
};

std::string_view kind_id(Kind k) {
  switch (k) {
    case Kind::template_:
      return "certificate_template";
    case Kind::template_container:
      return "template_container";
    case Kind::enrollment_service:
      return "enrollment_service";
    case Kind::ntauth_store:
      return "ntauth_store";
  }
  return "";
}

// What control of the object gives an attacker, for the message.
std::string_view consequence(Kind k) {
  switch (k) {
    case Kind::template_:
      return "can turn it into an ESC1 template (enrollee-supplied subject, logon EKU) whenever it likes";
    case Kind::template_container:
      return "can change the ACL that every template inherits, and so rewrite any template";
    case Kind::enrollment_service:
      return "can make the CA publish any template (certificateTemplates)";
    case Kind::ntauth_store:
      return "can add a CA of its own to the certificates trusted for logon";
  }
  return "";
}

acl::Rights wanted(Kind k) {
  // The PKI flag writes are what ESC4 needs on a template; elsewhere only whole-object control matters.
  return k == Kind::template_ ? right::kControl | right::kWritePkiNameFlag | right::kWritePkiEnrollmentFlag
                              : right::kControl;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The enterprise CA's own computer account (by the enrollment service's dNSHostName): it maintains its
// object and is as critical as the CA key itself.
std::optional<Sid> ca_host_sid(const Snapshot& snap, const Entry& ca) {
  const auto host = ca.first("dNSHostName");
  if (!host || host->empty()) return std::nullopt;
  for (const auto& e : snap.entries())
    if (e.is_computer() && util::iequals(e.first("dNSHostName").value_or(""), *host)) return e.object_sid();
  return std::nullopt;
}

bool is_cert_publishers(const Snapshot& snap, const Sid& sid) {
  const auto& dom = snap.domain();
  return dom && dom->sid && sid.is_in_domain(*dom->sid) && sid.rid() == kCertPublishersRid;
}

class AdcsEsc4 final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.adcs-esc4",
        .title = "Certificate template or AD CS object owned or writable outside tier 0 (ADCS ESC4)",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1649", "T1484", "T1098"},
        .references =
            {"https://specterops.io/wp-content/uploads/sites/3/2022/06/Certified_Pre-Owned.pdf",
             "PingCastle A-CertTempAnyone (ANSSI vuln1_adcs_template_auth_enroll_with_name)",
             "Purple Knight SI000090 (Dangerous control paths expose certificate templates)",
             "Purple Knight SI000091 (Dangerous control paths expose certificate containers)",
             "Microsoft Defender for Identity assessments: Edit misconfigured certificate templates ACL "
             "(ESC4), Edit misconfigured certificate templates owner (ESC4)",
             "BloodHound edges WritePKINameFlag, WritePKIEnrollmentFlag, ADCSESC4",
             "Certipy wiki, 06 - Privilege Escalation (ESC4, ESC5)"},
        .description =
            "Reads the owner and DACL (nTSecurityDescriptor) of the AD CS objects in the configuration "
            "naming context whose control leads to forged logon certificates: every published certificate "
            "template (its cn is in some pKIEnrollmentService's certificateTemplates), the CN=Certificate "
            "Templates container, each enterprise CA's pKIEnrollmentService object under CN=Enrollment "
            "Services, and CN=NTAuthCertificates. It reports an owner outside tier 0 (the owner can always "
            "rewrite the DACL) and each principal outside tier 0 holding GenericAll, GenericWrite, "
            "WriteDacl, WriteOwner or write-all-properties, and on a template also a write of "
            "msPKI-Certificate-Name-Flag (WritePKINameFlag) or msPKI-Enrollment-Flag "
            "(WritePKIEnrollmentFlag). Such a principal can make a harmless template an ESC1 for a few "
            "minutes, request a certificate as a domain admin and put the template back, leaving nothing "
            "visible in the template's final state; control of an enrollment service publishes any template, "
            "and control of NTAuthCertificates adds a rogue CA. Deny ACEs are ignored (a right a deny "
            "cancels is still reported); inherit-only ACEs and ACEs for other object classes do not count; "
            "SELF, CREATOR OWNER and other placeholders and tier-0 trustees are skipped. Unpublished "
            "templates, the CN=Public Key Services, CN=AIA, CN=CDP and CN=Certification Authorities "
            "containers and the CA's registry permissions (ManageCA, ESC7) are not covered.",
        .severity_notes =
            "Critical. High when the trustee is the domain's Cert Publishers group on an enrollment service "
            "or the NTAuth store: its members are the CA computers, but it should not control these objects. "
            "The CA's own computer account (matched by the enrollment service's dNSHostName) is not reported "
            "on its enrollment service. A null DACL is reported with Everyone as trustee. A descriptor that "
            "does not decode is noted and the object skipped.",
        .false_positives =
            "PKI administrators delegated template management (a \"PKI Admins\" group with Full Control on "
            "templates) are tier 0 in effect: whoever controls a template that allows logon controls the "
            "domain. Make that group tier 0 (protect its members like Domain Admins) or take the rights "
            "away. Templates created by a non-admin account keep that account as owner until changed.",
        .remediation =
            "In certtmpl.msc (templates) or ADSI Edit on the configuration NC (containers, enrollment "
            "services, NTAuthCertificates), open Security > Advanced: remove the trustee's Full Control / "
            "Write / Modify permissions / Modify owner entries, and set the owner to Enterprise Admins or "
            "Domain Admins; or dsacls \"<DN>\" /R \"<DOMAIN\\trustee>\". Then check what the trustee may "
            "already have done: replication metadata of msPKI-Certificate-Name-Flag, msPKI-Enrollment-Flag, "
            "pKIExtendedKeyUsage, certificateTemplates and cACertificate, and the CA's issued certificates "
            "for the template in the time it could have been changed.",
        .needs = {{Dataset::configuration,
                   {"nTSecurityDescriptor", "certificateTemplates"},
                   {"displayName", "dNSHostName", "cn"}},
                  {Dataset::domain, {"objectSid"}, {"dNSHostName", "member", "primaryGroupID"}}},
        .evidence = {{"object_kind",
                      "certificate_template, template_container, enrollment_service or ntauth_store"},
                     {"template", "the template's name (cn), for a template"},
                     {"display_name", "the template's displayName"},
                     {"certificate_authorities", "enterprise CAs publishing the template"},
                     {"trustee", "SID of the owner or of the principal holding the right"},
                     {"trustee_name", "its resolved name, or unresolved"},
                     {"trustee_scope", "everyone when the trustee stands for any account, else principal"},
                     {"rights",
                      "Owner, or the rights that control the object (GenericAll, WritePKINameFlag, ...)"},
                     {"aces", "the contributing ACEs as SDDL (SIDs unabbreviated); empty for an owner"},
                     {"inherited", "every contributing ACE is inherited from a parent"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    std::vector<Target> targets;
    for (auto& pub : adcs::published_templates(snap))
      targets.push_back({pub.entry, Kind::template_, pub.cas, {}});
    if (const Entry* c = adcs::template_container(snap))
      targets.push_back({c, Kind::template_container, {}, {}});
    for (const Entry* ca : adcs::enrollment_services(snap))
      targets.push_back({ca, Kind::enrollment_service, {}, ca_host_sid(snap, *ca)});
    if (const Entry* s = adcs::ntauth_store(snap)) targets.push_back({s, Kind::ntauth_store, {}, {}});

    for (const auto& t : targets) {
      const Entry& e = *t.entry;
      const auto* sd = acl::descriptor_or_note(snap, e, out);
      if (!sd) continue;
      const std::string what = describe(t);

      // Whether a trustee counts: outside tier 0, not a placeholder, not the CA's own host.
      auto counts = [&](const Sid& sid) {
        if (acl::is_placeholder(sid) || acl::is_tier0_principal(snap, sid)) return false;
        return !(t.ca_host && *t.ca_host == sid);
      };
      auto add = [&](const std::string& key, const Sid& trustee) -> Finding& {
        auto& f = out.add(e).set_key(key);
        f.add("object_kind", std::string(kind_id(t.kind)));
        if (t.kind == Kind::template_) {
          f.add("template", adcs::template_name(e));
          f.add("display_name", std::string(e.first("displayName").value_or("")));
          f.add("certificate_authorities", t.cas);
        }
        if (t.kind != Kind::template_ && t.kind != Kind::template_container &&
            is_cert_publishers(snap, trustee))
          f.set_severity(Severity::high);
        return f;
      };

      if (sd->owner && counts(*sd->owner)) {
        auto& f = add("owner:" + sd->owner->to_string(), *sd->owner);
        const auto name = sid_name(snap, *sd->owner);
        f.add("trustee", sd->owner->to_string());
        f.add("trustee_name", name.empty() ? std::string("unresolved") : name);
        f.add("trustee_scope", acl::is_everyone_like(snap, *sd->owner) ? "everyone" : "principal");
        f.add("rights", std::vector<std::string>{"Owner"});
        f.add("aces", std::vector<std::string>{});
        f.add("inherited", false);
        f.set_message(what + " is owned by " + acl::principal_label(snap, *sd->owner) +
                      ", outside tier 0: the owner " + std::string(consequence(t.kind)));
      }

      if (acl::dacl_grants_everyone(*sd)) {
        static const Sid kEveryone(1, {0});
        auto& f = add("null-dacl", kEveryone);
        acl::add_null_dacl_evidence(f);
        f.set_message(what + " has a null DACL: anyone " + std::string(consequence(t.kind)));
        continue;
      }

      const acl::Rights want = wanted(t.kind);
      for (const auto& g : acl::grants(*sd, e, want)) {
        if (!counts(g.trustee)) continue;
        auto& f = add("ace:" + g.trustee.to_string(), g.trustee);
        acl::add_grant_evidence(f, snap, g, want);
        f.set_message(acl::principal_label(snap, g.trustee) + " controls " + what + " (" +
                      join(acl::shown_rights(g, want)) + "): it " + std::string(consequence(t.kind)));
      }
    }
  }

 private:
  static std::string describe(const Target& t) {
    const Entry& e = *t.entry;
    switch (t.kind) {
      case Kind::template_:
        return "certificate template " + adcs::template_name(e) + " (published by " + join(t.cas) + ")";
      case Kind::template_container:
        return "the Certificate Templates container";
      case Kind::enrollment_service:
        return "the enrollment service of CA " + adcs::ca_label(e);
      case Kind::ntauth_store:
        return "the NTAuth store (NTAuthCertificates)";
    }
    return std::string(e.dn());
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdcsEsc4)
}  // namespace adpersist::checks
