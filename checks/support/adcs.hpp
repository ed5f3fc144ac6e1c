// AD CS objects of the configuration naming context, shared by ad.ntauth-certificates, ad.adcs-esc1 and
// ad.adcs-esc4 (onprem-formats.md section 11): where they live, which templates are published and by whom,
// and the names of template flags and EKUs for evidence (MS-CRTD 2.26, 2.28).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"

namespace adpersist::checks::adcs {

// "CN=Public Key Services,CN=Services,<configuration NC>"; empty when the input has no configuration NC.
std::string public_key_services_dn(const model::Snapshot& snap);
// The store of CAs trusted for logon: CN=NTAuthCertificates,<Public Key Services>; null when not in the
// input.
const model::Entry* ntauth_store(const model::Snapshot& snap);
// CN=Certificate Templates,<Public Key Services>; null when not in the input.
const model::Entry* template_container(const model::Snapshot& snap);

// The pKIEnrollmentService objects under CN=Enrollment Services,<Public Key Services> (the enterprise CAs),
// in input order.
std::vector<const model::Entry*> enrollment_services(const model::Snapshot& snap);
// What evidence calls a CA: its cn, with " (dNSHostName)" when the object has one.
std::string ca_label(const model::Entry& ca);

struct PublishedTemplate {
  const model::Entry* entry = nullptr;
  std::vector<std::string> cas;  // ca_label of every enrollment service listing it in certificateTemplates
};
// The pKICertificateTemplate objects under CN=Certificate Templates whose cn some enrollment service lists
// in certificateTemplates (case-insensitive), in input order. Unpublished templates cannot be enrolled in.
std::vector<PublishedTemplate> published_templates(const model::Snapshot& snap);
// A template's name as certificateTemplates and certutil use it: its cn (the DN's first RDN otherwise).
std::string template_name(const model::Entry& t);

// msPKI-Certificate-Name-Flag bits (MS-CRTD 2.28).
namespace name_flag {
inline constexpr std::uint32_t kEnrolleeSuppliesSubject = 0x00000001;
inline constexpr std::uint32_t kOldCertSuppliesSubjectAndAltName = 0x00000008;
inline constexpr std::uint32_t kEnrolleeSuppliesSubjectAltName = 0x00010000;
}  // namespace name_flag
// msPKI-Enrollment-Flag bits (MS-CRTD 2.26).
namespace enrollment_flag {
inline constexpr std::uint32_t kPendAllRequests = 0x00000002;  // CA certificate manager approval
inline constexpr std::uint32_t kNoSecurityExtension = 0x00080000;
}  // namespace enrollment_flag

// "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT", ... for every set bit; an unnamed bit as "0x00000100".
std::vector<std::string> name_flag_names(std::uint32_t flags);
std::vector<std::string> enrollment_flag_names(std::uint32_t flags);

// EKU / application-policy OIDs.
inline constexpr std::string_view kEkuClientAuth = "1.3.6.1.5.5.7.3.2";
inline constexpr std::string_view kEkuPkinitClient = "1.3.6.1.5.2.3.4";
inline constexpr std::string_view kEkuSmartCardLogon = "1.3.6.1.4.1.311.20.2.2";
inline constexpr std::string_view kEkuAnyPurpose = "2.5.29.37.0";
// The OID with its name in brackets when known: "1.3.6.1.5.5.7.3.2 (Client Authentication)".
std::string eku_label(std::string_view oid);
// An EKU a KDC accepts for certificate logon (Client Authentication, PKINIT Client, Smart Card Logon) or
// Any Purpose.
bool is_authentication_eku(std::string_view oid);

}  // namespace adpersist::checks::adcs
