#include "tests/support/config_ldif.hpp"

#include <cstdint>

#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

namespace adpersist::test {

namespace {

constexpr const char* kFull = "CCDCLCSWRPWPDTLOCRSDRCWDWO";
const std::string kContainerSddl =
    std::string("O:EAG:EAD:PAI(A;;") + kFull + ";;;EA)(A;;" + kFull + ";;;SY)(A;;LCRPLORC;;;AU)";

std::string record(const std::string& dn, const std::vector<std::string>& classes, const std::string& body) {
  std::string s = "dn: " + dn + "\n";
  for (const auto& c : classes) s += "objectClass: " + c + "\n";
  s += "cn: " + std::string(util::split(util::split(dn, ',')[0], '=')[1]) + "\n";
  return s + body + "instanceType: 4\nuSNChanged: 3000\nwhenCreated: 20240105093000.0Z\n\n";
}

std::string flag_value(std::uint32_t v) {
  return std::to_string(static_cast<std::int32_t>(v));  // AD returns these INTEGER attributes signed
}

}  // namespace

std::string template_sddl(const std::string& extra_aces) {
  return std::string("O:EAG:EAD:PAI") +
         "(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DA)(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;"
         "EA)" +
         "(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)(A;;LCRPLORC;;;AU)" +
         extra_aces;
}

std::string container_sddl() {
  return kContainerSddl;
}

std::string config_base(const std::string& templates_sddl) {
  std::string s;
  s += record(kConfig, {"top", "configuration"}, "");
  s += record("CN=Services," + kConfig, {"top", "container"}, "");
  s += record(kPks, {"top", "container"}, sd_line(kContainerSddl));
  s += record(kTemplates, {"top", "container"},
              sd_line(templates_sddl.empty() ? kContainerSddl : templates_sddl));
  s += record(kEnrollmentServices, {"top", "container"}, sd_line(kContainerSddl));
  s += record("CN=Sites," + kConfig, {"top", "sitesContainer"}, "");
  s += record("CN=Default-First-Site-Name,CN=Sites," + kConfig, {"top", "site"}, "");
  s += record(kServers, {"top", "serversContainer"}, "");
  s += site_server("DC1", "CN=DC1,OU=Domain Controllers," + kDomain);
  return s;
}

std::string cert_template(const TemplateSpec& t) {
  std::string body = "displayName: " + t.name + " display\n";
  body += "msPKI-Certificate-Name-Flag: " + flag_value(t.name_flag) + "\n";
  body += "msPKI-Enrollment-Flag: " + flag_value(t.enrollment_flag) + "\n";
  body += "msPKI-RA-Signature: " + std::to_string(t.ra_signatures) + "\n";
  body += "msPKI-Template-Schema-Version: 2\n";
  for (const auto& e : t.ekus) body += "pKIExtendedKeyUsage: " + e + "\n";
  body += sd_line(t.sddl) + t.extra;
  return record("CN=" + t.name + "," + kTemplates, {"top", "pKICertificateTemplate"}, body);
}

std::string enrollment_service(const std::string& name, const std::string& dns_host,
                               const std::vector<std::string>& templates,
                               const std::vector<std::string>& ca_certs, const std::string& sddl) {
  std::string body = "dNSHostName: " + dns_host + "\n";
  for (const auto& t : templates) body += "certificateTemplates: " + t + "\n";
  for (const auto& c : ca_certs) body += "cACertificate:: " + util::base64_encode(c) + "\n";
  body += sd_line(sddl.empty() ? kContainerSddl : sddl);
  return record("CN=" + name + "," + kEnrollmentServices, {"top", "pKIEnrollmentService"}, body);
}

std::string ntauth_store(const std::vector<std::string>& certs, const std::string& sddl) {
  std::string body;
  for (const auto& c : certs) body += "cACertificate:: " + util::base64_encode(c) + "\n";
  body += sd_line(sddl.empty() ? kContainerSddl : sddl);
  return record(kNtauth, {"top", "certificationAuthority"}, body);
}

std::string site_server(const std::string& name, const std::string& reference, bool ntds) {
  const std::string dn = "CN=" + name + "," + kServers;
  std::string body = "dNSHostName: " + util::to_lower(name) + ".corp.example.test\n";
  if (!reference.empty()) body += "serverReference: " + reference + "\n";
  std::string s = record(dn, {"top", "server"}, body);
  if (ntds) s += record("CN=NTDS Settings," + dn, {"top", "applicationSettings", "nTDSDSA"}, "options: 1\n");
  return s;
}

std::string test_cert(const std::string& file) {
  return read_text(fixture_path("certs/" + file));
}

std::string forest_export(const std::string& records, const std::string& templates_sddl) {
  return requesting_header("* nTSecurityDescriptor") +
         base_domain_ldif(config_base(templates_sddl) + records) +
         "# search result\nsearch: 2\nresult: 0 Success\n\n";
}

}  // namespace adpersist::test
