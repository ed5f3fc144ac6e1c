#include "checks/support/adcs.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "checks/support/domain_sids.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks::adcs {

namespace {

using model::Entry;
using model::Snapshot;

using FlagName = std::pair<std::uint32_t, std::string_view>;

constexpr std::array<FlagName, 13> kNameFlags = {{
    {0x00000001, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"},
    {0x00000008, "CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME"},
    {0x00010000, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME"},
    {0x00400000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DOMAIN_DNS"},
    {0x00800000, "CT_FLAG_SUBJECT_ALT_REQUIRE_SPN"},
    {0x01000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DIRECTORY_GUID"},
    {0x02000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN"},
    {0x04000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL"},
    {0x08000000, "CT_FLAG_SUBJECT_ALT_REQUIRE_DNS"},
    {0x10000000, "CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN"},
    {0x20000000, "CT_FLAG_SUBJECT_REQUIRE_EMAIL"},
    {0x40000000, "CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME"},
    {0x80000000, "CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH"},
}};

constexpr std::array<FlagName, 20> kEnrollmentFlags = {{
    {0x00000001, "CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS"},
    {0x00000002, "CT_FLAG_PEND_ALL_REQUESTS"},
    {0x00000004, "CT_FLAG_PUBLISH_TO_KRA_CONTAINER"},
    {0x00000008, "CT_FLAG_PUBLISH_TO_DS"},
    {0x00000010, "CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE"},
    {0x00000020, "CT_FLAG_AUTO_ENROLLMENT"},
    {0x00000040, "CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT"},
    {0x00000080, "CT_FLAG_DOMAIN_AUTHENTICATION_NOT_REQUIRED"},
    {0x00000100, "CT_FLAG_USER_INTERACTION_REQUIRED"},
    {0x00000200, "CT_FLAG_ADD_TEMPLATE_NAME"},
    {0x00000400, "CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE"},
    {0x00000800, "CT_FLAG_ALLOW_ENROLL_ON_BEHALF_OF"},
    {0x00001000, "CT_FLAG_ADD_OCSP_NOCHECK"},
    {0x00002000, "CT_FLAG_ENABLE_KEY_REUSE_ON_NT_TOKEN_KEYSET_STORAGE_FULL"},
    {0x00004000, "CT_FLAG_NOREVOCATIONINFOINISSUEDCERTS"},
    {0x00008000, "CT_FLAG_INCLUDE_BASIC_CONSTRAINTS_FOR_EE_CERTS"},
    {0x00010000, "CT_FLAG_ALLOW_PREVIOUS_APPROVAL_KEYBASEDRENEWAL_VALIDATE_REENROLLMENT"},
    {0x00020000, "CT_FLAG_ISSUANCE_POLICIES_FROM_REQUEST"},
    {0x00040000, "CT_FLAG_SKIP_AUTO_RENEWAL"},
    {0x00080000, "CT_FLAG_NO_SECURITY_EXTENSION"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kEkuNames = {{
    {"1.3.6.1.5.5.7.3.1", "Server Authentication"},
    {"1.3.6.1.5.5.7.3.2", "Client Authentication"},
    {"1.3.6.1.5.5.7.3.3", "Code Signing"},
    {"1.3.6.1.5.5.7.3.4", "Secure Email"},
    {"1.3.6.1.5.5.7.3.8", "Time Stamping"},
    {"1.3.6.1.5.5.7.3.9", "OCSP Signing"},
    {"1.3.6.1.5.2.3.4", "PKINIT Client Authentication"},
    {"1.3.6.1.5.2.3.5", "KDC Authentication"},
    {"1.3.6.1.4.1.311.20.2.1", "Certificate Request Agent"},
    {"1.3.6.1.4.1.311.20.2.2", "Smart Card Logon"},
    {"1.3.6.1.4.1.311.10.3.4", "Encrypting File System"},
    {"1.3.6.1.4.1.311.10.3.4.1", "File Recovery"},
    {"1.3.6.1.4.1.311.21.5", "Private Key Archival"},
    {"2.5.29.37.0", "Any Purpose"},
}};

template <std::size_t N>
std::vector<std::string> flag_names(std::uint32_t flags, const std::array<FlagName, N>& table) {
  std::vector<std::string> out;
  std::uint32_t named = 0;
  for (const auto& [bit, name] : table) {
    if (flags & bit) out.emplace_back(name);
    named |= bit;
  }
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((flags & bit) && !(named & bit)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%08x", bit);
      out.emplace_back(buf);
    }
  }
  return out;
}

std::string under_pks(const Snapshot& snap, std::string_view rdn) {
  const auto pks = public_key_services_dn(snap);
  return pks.empty() ? std::string() : std::string(rdn) + "," + pks;
}

}  // namespace

std::string public_key_services_dn(const Snapshot& snap) {
  const Entry* config = snap.configuration_head();
  if (!config) return {};
  return "CN=Public Key Services,CN=Services," + std::string(config->dn());
}

const Entry* ntauth_store(const Snapshot& snap) {
  const auto dn = under_pks(snap, "CN=NTAuthCertificates");
  return dn.empty() ? nullptr : snap.find_dn(dn);
}

const Entry* template_container(const Snapshot& snap) {
  const auto dn = under_pks(snap, "CN=Certificate Templates");
  return dn.empty() ? nullptr : snap.find_dn(dn);
}

std::vector<const Entry*> enrollment_services(const Snapshot& snap) {
  std::vector<const Entry*> out;
  const auto base = under_pks(snap, "CN=Enrollment Services");
  if (base.empty()) return out;
  for (const auto& e : snap.entries())
    if (e.has_class("pKIEnrollmentService") && dn_is_below(e.dn(), base)) out.push_back(&e);
  return out;
}

std::string ca_label(const Entry& ca) {
  std::string label(ca.first("cn").value_or(first_rdn_value(ca.dn())));
  if (auto host = ca.first("dNSHostName")) label += " (" + std::string(*host) + ")";
  return label;
}

std::string template_name(const Entry& t) {
  return std::string(t.first("cn").value_or(first_rdn_value(t.dn())));
}

std::vector<PublishedTemplate> published_templates(const Snapshot& snap) {
  std::vector<PublishedTemplate> out;
  const auto base = under_pks(snap, "CN=Certificate Templates");
  if (base.empty()) return out;
  const auto cas = enrollment_services(snap);
  for (const auto& e : snap.entries()) {
    if (!e.has_class("pKICertificateTemplate") || !dn_is_below(e.dn(), base)) continue;
    const auto name = template_name(e);
    PublishedTemplate t{&e, {}};
    for (const Entry* ca : cas) {
      for (auto v : ca->values("certificateTemplates")) {
        if (util::iequals(util::trim(v), name)) {
          t.cas.push_back(ca_label(*ca));
          break;
        }
      }
    }
    if (!t.cas.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> name_flag_names(std::uint32_t flags) {
  return flag_names(flags, kNameFlags);
}
std::vector<std::string> enrollment_flag_names(std::uint32_t flags) {
  return flag_names(flags, kEnrollmentFlags);
}

std::string eku_label(std::string_view oid) {
  for (const auto& [o, name] : kEkuNames)
    if (o == oid) return std::string(oid) + " (" + std::string(name) + ")";
  return std::string(oid);
}

bool is_authentication_eku(std::string_view oid) {
  return oid == kEkuClientAuth || oid == kEkuPkinitClient || oid == kEkuSmartCardLogon ||
         oid == kEkuAnyPurpose;
}

}  // namespace adpersist::checks::adcs
