// LDIF records of the configuration naming context for the test domain (DC=corp,DC=example,DC=test): the
// NC head, AD CS objects (templates, enrollment services, NTAuth store) and site/server/nTDSDSA objects.
// Used by the ADCS and rogue-DC check tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/ldif_builders.hpp"

namespace adpersist::test {

inline const std::string kConfig = "CN=Configuration," + kDomain;
inline const std::string kPks = "CN=Public Key Services,CN=Services," + kConfig;
inline const std::string kTemplates = "CN=Certificate Templates," + kPks;
inline const std::string kEnrollmentServices = "CN=Enrollment Services," + kPks;
inline const std::string kNtauth = "CN=NTAuthCertificates," + kPks;
inline const std::string kServers = "CN=Servers,CN=Default-First-Site-Name,CN=Sites," + kConfig;

// Owner/DACL of a Windows template with default-like rights: Enterprise and Domain Admins write,
// Authenticated Users read. `extra_aces` (SDDL ACEs) are appended.
std::string template_sddl(const std::string& extra_aces = "");

// Owner/DACL of the AD CS containers, enrollment services and NTAuth store unless a test gives its own:
// Enterprise Admins and SYSTEM full control, Authenticated Users read.
std::string container_sddl();

// The configuration NC head, CN=Services, Public Key Services and its Certificate Templates (DACL
// `templates_sddl`, container_sddl() when empty) and Enrollment Services containers, and CN=Sites with the
// test DC1's server and NTDS Settings objects.
std::string config_base(const std::string& templates_sddl = "");

// A pKICertificateTemplate under CN=Certificate Templates. `ekus` empty: no pKIExtendedKeyUsage at all.
struct TemplateSpec {
  std::string name;
  std::uint32_t name_flag = 0;
  std::uint32_t enrollment_flag = 0;
  int ra_signatures = 0;
  std::vector<std::string> ekus = {"1.3.6.1.5.5.7.3.2"};
  std::string sddl = template_sddl();
  std::string extra;  // further attribute lines
};
std::string cert_template(const TemplateSpec& t);

// A pKIEnrollmentService under CN=Enrollment Services publishing `templates`, with `ca_certs` (DER) as
// cACertificate; DACL `sddl` (container_sddl() when empty).
std::string enrollment_service(const std::string& name, const std::string& dns_host,
                               const std::vector<std::string>& templates,
                               const std::vector<std::string>& ca_certs, const std::string& sddl = "");
// CN=NTAuthCertificates with `certs` (raw values) as cACertificate; DACL `sddl` (container_sddl() when
// empty).
std::string ntauth_store(const std::vector<std::string>& certs, const std::string& sddl = "");
// A server under CN=Servers of the default site; `reference` empty: no serverReference. With `ntds`, also its
// CN=NTDS Settings (nTDSDSA) child.
std::string site_server(const std::string& name, const std::string& reference, bool ntds = true);

// A committed test CA certificate (fixtures/certs/<file>), DER bytes.
std::string test_cert(const std::string& file);

// A full ldapsearch export (header requesting "* nTSecurityDescriptor", result trailer) of the base domain,
// config_base(templates_sddl) and `records`.
std::string forest_export(const std::string& records, const std::string& templates_sddl = "");

}  // namespace adpersist::test
