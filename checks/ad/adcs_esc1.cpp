// ad.adcs-esc1: a published certificate template on which a principal outside tier 0 can enroll, name any
// subject it likes, and get a certificate that logs on (ESC1, Certified Pre-Owned).
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

constexpr acl::Rights kEnrollRights = right::kEnroll | right::kAutoEnroll;
// Either flag lets the requester put an identity of its choosing into the certificate (PingCastle counts both
// as EnrolleeSupplies): the subject for 0x1, the subject alternative name (UPN) for 0x10000.
constexpr std::uint32_t kSuppliesName =
    adcs::name_flag::kEnrolleeSuppliesSubject | adcs::name_flag::kEnrolleeSuppliesSubjectAltName;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class AdcsEsc1 final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.adcs-esc1",
        .title = "Certificate template lets a non-admin enroll as any user (ADCS ESC1)",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1649", "T1078.002"},
        .references = {"https://specterops.io/wp-content/uploads/sites/3/2022/06/Certified_Pre-Owned.pdf",
                       "PingCastle A-CertTempCustomSubject (ANSSI vuln1_adcs_template_auth_enroll_with_name)",
                       "Purple Knight SI000090 (Dangerous control paths expose certificate templates)",
                       "Microsoft Defender for Identity assessment: Prevent users to request a certificate "
                       "valid for arbitrary users based on the certificate template (ESC1)",
                       "BloodHound edges Enroll, ADCSESC1", "Certipy wiki, 06 - Privilege Escalation (ESC1)"},
        .description =
            "A certificate template is an ESC1 when all of these hold: an enterprise CA publishes it (its cn "
            "is in some pKIEnrollmentService's certificateTemplates); msPKI-Certificate-Name-Flag lets the "
            "enrollee supply the subject (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, 0x1) or the subject alternative "
            "name (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME, 0x10000); pKIExtendedKeyUsage allows logon "
            "(Client Authentication, PKINIT Client Authentication, Smart Card Logon, Any Purpose, or no EKU "
            "at all, which means any purpose); no CA certificate manager approval (CT_FLAG_PEND_ALL_REQUESTS "
            "clear in msPKI-Enrollment-Flag); no authorized signature required (msPKI-RA-Signature absent or "
            "0); and a principal outside tier 0 holds Enroll, AutoEnroll, all extended rights or GenericAll "
            "on the template's DACL. Such a principal can request a certificate naming a domain admin (or a "
            "DC) and log on as them with PKINIT at any time; the certificate stays valid for its whole "
            "lifetime, through password resets, and a template changed to this shape is a quiet, reusable "
            "backdoor. Deny ACEs are ignored (a right a deny cancels is still reported); SELF, CREATOR OWNER "
            "and other placeholders and tier-0 trustees (Domain/Enterprise Admins, Administrators, SYSTEM, "
            "DCs, members of privileged groups) are not counted. The EKU test reads pKIExtendedKeyUsage "
            "only, not msPKI-Certificate-Application-Policy.",
        .severity_notes =
            "Always critical: the template hands domain admin to whoever may enroll. The message says when "
            "the enrollees include Everyone, Authenticated Users, Domain Users, Domain Computers or another "
            "group standing for anyone with an account. A null DACL counts as Everyone. A template whose "
            "flags do not decode, or whose descriptor does not decode, is noted and skipped.",
        .false_positives =
            "Templates that must take the subject from the request (web server, VPN or device certificates "
            "issued through a registration authority) are safe only without a logon EKU, or behind manager "
            "approval or authorized signatures; give their enroll right to the few accounts that request "
            "them, not to a broad group. ESC1 is also blocked when the CA ignores requested names for the "
            "template (a policy module such as TameMyCerts), which the directory does not show.",
        .remediation =
            "In certtmpl.msc, open the template: on Subject Name select Build from this Active Directory "
            "information, or on Issuance Requirements tick CA certificate manager approval, or remove Client "
            "Authentication / Smart Card Logon / Any Purpose from Extensions > Application Policies, and on "
            "Security remove Enroll and AutoEnroll from broad groups. If the template is not needed, "
            "unpublish it (certsrv.msc > Certificate Templates > Delete, or certutil -SetCAtemplates "
            "-<name>). Then look for certificates already issued from it (certutil -view with the template "
            "filter, or the CA's Issued Certificates), revoke those whose subject or SAN differs from the "
            "requester, and check who changed the template (replication metadata of "
            "msPKI-Certificate-Name-Flag).",
        .needs = {{Dataset::configuration,
                   {"nTSecurityDescriptor", "certificateTemplates", "msPKI-Certificate-Name-Flag",
                    "msPKI-Enrollment-Flag", "msPKI-RA-Signature", "pKIExtendedKeyUsage"},
                   {"displayName", "msPKI-Template-Schema-Version", "dNSHostName", "cn"}},
                  {Dataset::domain, {"objectSid"}, {"member", "primaryGroupID"}}},
        .evidence = {{"template", "the template's name (cn), as certificateTemplates and certutil use it"},
                     {"display_name", "the template's displayName"},
                     {"schema_version", "msPKI-Template-Schema-Version"},
                     {"certificate_authorities", "enterprise CAs publishing the template"},
                     {"name_flags", "msPKI-Certificate-Name-Flag decoded (CT_FLAG_... names)"},
                     {"enrollment_flags", "msPKI-Enrollment-Flag decoded"},
                     {"ra_signatures", "msPKI-RA-Signature (0: no authorized signature required)"},
                     {"ekus", "pKIExtendedKeyUsage, each OID with its name; empty means any purpose"},
                     {"enrollees", "principals outside tier 0 that may enroll, each \"SID (name)\""},
                     {"enrollee_scope",
                      "everyone when an enrollee stands for anyone with an account, else principal"},
                     {"enroll_rights", "per enrollee, the rights that let it enroll"},
                     {"aces", "the ACEs granting those rights, as SDDL (SIDs unabbreviated)"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    for (const auto& pub : adcs::published_templates(snap)) {
      const Entry& t = *pub.entry;
      const auto name = adcs::template_name(t);

      auto name_flags = flags_attribute(t, "msPKI-Certificate-Name-Flag");
      auto enroll_flags = flags_attribute(t, "msPKI-Enrollment-Flag");
      auto ra = t.integer("msPKI-RA-Signature");
      if (!name_flags || !enroll_flags || !ra) {
        const Error& err = !name_flags     ? name_flags.error()
                           : !enroll_flags ? enroll_flags.error()
                                           : ra.error();
        out.note("certificate template " + name + " skipped: " + err.describe());
        continue;
      }
      const std::uint32_t nf = name_flags->value_or(0);
      const std::uint32_t ef = enroll_flags->value_or(0);
      const std::int64_t signatures = ra->value_or(0);
      if (!(nf & kSuppliesName)) continue;
      if (ef & adcs::enrollment_flag::kPendAllRequests) continue;
      if (signatures > 0) continue;

      std::vector<std::string> ekus, auth_ekus;
      for (auto v : t.values("pKIExtendedKeyUsage")) {
        const auto oid = util::trim(v);
        ekus.push_back(adcs::eku_label(oid));
        if (adcs::is_authentication_eku(oid)) auth_ekus.push_back(adcs::eku_label(oid));
      }
      if (!ekus.empty() && auth_ekus.empty()) continue;

      const auto* sd = acl::descriptor_or_note(snap, t, out);
      if (!sd) continue;

      std::vector<std::string> enrollees, rights, aces;
      bool everyone = false;
      if (acl::dacl_grants_everyone(*sd)) {
        enrollees.push_back("S-1-1-0 (Everyone, null DACL)");
        rights.push_back("S-1-1-0: GenericAll (null DACL)");
        everyone = true;
      } else {
        const auto sddl_ctx = acl::evidence_sddl_context();
        for (const auto& g : acl::grants(*sd, t, kEnrollRights)) {
          if (acl::is_placeholder(g.trustee) || acl::is_tier0_principal(snap, g.trustee)) continue;
          enrollees.push_back(acl::principal_label(snap, g.trustee));
          rights.push_back(g.trustee.to_string() + ": " + join(acl::shown_rights(g, kEnrollRights)));
          for (const auto* ace : g.aces) aces.push_back(parsers::ace_to_sddl(*ace, sddl_ctx));
          everyone |= acl::is_everyone_like(snap, g.trustee);
        }
      }
      if (enrollees.empty()) continue;

      auto& f = out.add(t).set_key("esc1");
      f.add("template", name);
      f.add("display_name", std::string(t.first("displayName").value_or("")));
      if (auto v = t.integer("msPKI-Template-Schema-Version"); v.ok() && v.value())
        f.add("schema_version", **v);
      f.add("certificate_authorities", pub.cas);
      f.add("name_flags", adcs::name_flag_names(nf));
      f.add("enrollment_flags", adcs::enrollment_flag_names(ef));
      f.add("ra_signatures", signatures);
      f.add("ekus", ekus);
      f.add("enrollees", enrollees);
      f.add("enrollee_scope", everyone ? "everyone" : "principal");
      f.add("enroll_rights", rights);
      f.add("aces", aces);

      const std::string who = enrollees.size() == 1 ? enrollees.front()
                                                    : enrollees.front() + " and " +
                                                          std::to_string(enrollees.size() - 1) + " more";
      const std::string supplies =
          (nf & adcs::name_flag::kEnrolleeSuppliesSubject) ? "the subject" : "the SAN";
      const std::string eku = ekus.empty() ? "no EKU (any purpose)" : auth_ekus.front();
      f.set_message("certificate template " + name + " (published by " + join(pub.cas) + ") lets " + who +
                    (everyone ? ", i.e. anyone with an account," : "") +
                    " request a logon certificate for any user: enrollee supplies " + supplies + ", " + eku +
                    ", no manager approval or authorized signature");
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdcsEsc1)
}  // namespace adpersist::checks
