#include "tests/support/ldif_builders.hpp"

#include <catch2/catch.hpp>
#include <cstdint>

#include "scanner/parsers/security_descriptor.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

namespace adpersist::test {

std::string sid_of(std::uint32_t rid) {
  return std::string(kTestDomainSid) + "-" + std::to_string(rid);
}

std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    bool is_computer, const std::string& extra) {
  std::string s = "dn: CN=" + cn + "," + kUsers + "\n";
  for (const char* c : {"top", "person", "organizationalPerson", "user"})
    s += "objectClass: " + std::string(c) + "\n";
  if (is_computer) s += "objectClass: computer\n";
  s += "cn: " + cn + "\nsAMAccountName: " + sam + "\nobjectSid:: " + sid_b64(sid_of(rid)) +
       "\nuserAccountControl: " + std::to_string(uac) + "\nprimaryGroupID: " + (is_computer ? "515" : "513") +
       "\ninstanceType: 4\nuSNChanged: 2000\nwhenCreated: 20240105093000.0Z\n" + extra;
  return s + "\n";
}

std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac,
                 const std::string& extra) {
  return account(name, name, rid, uac, false, extra);
}

std::string computer(const std::string& name, std::uint32_t rid, std::uint32_t uac,
                     const std::string& extra) {
  return account(name, name + "$", rid, uac, true, extra);
}

std::string group(const std::string& name, std::uint32_t rid, const std::vector<std::string>& member_cns) {
  std::string s = "dn: CN=" + name + "," + kUsers + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " + sid_b64(sid_of(rid)) + "\n";
  for (const auto& m : member_cns) s += "member: CN=" + m + "," + kUsers + "\n";
  return s + "instanceType: 4\nuSNChanged: 2000\n\n";
}

std::string sd_line(const std::string& sddl, const std::string& attr) {
  auto domain = parsers::parse_sid_string(kTestDomainSid);
  REQUIRE(domain.ok());
  auto sd = parsers::parse_sddl(sddl, parsers::SddlContext::for_domain(*domain));
  INFO(sddl);
  REQUIRE(sd.ok());
  return attr + ":: " + util::base64_encode(parsers::encode_security_descriptor(*sd)) + "\n";
}

std::string lying_sd_line(const std::string& sddl) {
  const std::string line = sd_line(sddl);
  auto raw = util::base64_decode(util::trim(line.substr(line.find(":: ") + 3)));
  REQUIRE(raw.ok());
  const auto past = static_cast<std::uint32_t>(raw->size() + 8);
  for (std::size_t i = 0; i < 4; ++i) (*raw)[16 + i] = static_cast<char>((past >> (8 * i)) & 0xFFu);
  return "nTSecurityDescriptor:: " + util::base64_encode(*raw) + "\n";
}

std::string export_requesting(const std::string& attrs, const std::string& records) {
  return requesting_header(attrs) + "dn: " + kDomain +
         "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\nobjectSid:: " +
         sid_b64(kTestDomainSid) + "\ninstanceType: 5\nuSNChanged: 1000\n\n" + records +
         "# search result\nsearch: 2\nresult: 0 Success\n\n";
}

}  // namespace adpersist::test
