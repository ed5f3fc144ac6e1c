// LDIF record builders shared by the check tests: realistic accounts, groups and export headers in the
// test domain (DC=corp,DC=example,DC=test, domain SID kTestDomainSid).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace adpersist::test {

inline const std::string kDomain = "DC=corp,DC=example,DC=test";
inline const std::string kUsers = "CN=Users," + kDomain;

// "<domain SID>-<rid>"
std::string sid_of(std::uint32_t rid);
// A user or computer under CN=Users with objectSid, userAccountControl and primaryGroupID (513/515);
// `extra` is appended as further attribute lines.
std::string account(const std::string& cn, const std::string& sam, std::uint32_t rid, std::uint32_t uac,
                    bool is_computer, const std::string& extra);
std::string user(const std::string& name, std::uint32_t rid, std::uint32_t uac, const std::string& extra = "");
std::string computer(const std::string& name, std::uint32_t rid, std::uint32_t uac, const std::string& extra = "");
// A group under CN=Users whose members are CNs under CN=Users.
std::string group(const std::string& name, std::uint32_t rid, const std::vector<std::string>& member_cns);
// An attribute line "<attr>:: <base64>" holding the binary security descriptor that `sddl` describes, encoded
// the way Windows stores it (parsers::parse_sddl + encode_security_descriptor; aliases such as DA, DU, CA
// resolve in the test domain). A malformed SDDL fails the calling test.
std::string sd_line(const std::string& sddl, const std::string& attr = "nTSecurityDescriptor");
// The nTSecurityDescriptor line of `sddl` as sd_line encodes it, but with OffsetDacl pointing past the end of the
// value: Revision and Control stay valid, only a length lies (tests/cli/lying_sd.sh does the same to real Samba
// descriptors, at scale).
std::string lying_sd_line(const std::string& sddl);
// An ldapsearch export that requested only `attrs`: the domain head plus `records`.
std::string export_requesting(const std::string& attrs, const std::string& records);

}  // namespace adpersist::test
