#include <catch2/catch.hpp>

#include "scanner/model/privilege.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using model::PrivGroup;

namespace {
const std::string kD = "DC=corp,DC=example,DC=test";

std::string group(const std::string& name, std::uint32_t rid, const std::vector<std::string>& members) {
  std::string s = "dn: CN=" + name + ",CN=Users," + kD + "\nobjectClass: top\nobjectClass: group\ncn: " + name +
                  "\nsAMAccountName: " + name + "\nobjectSid:: " +
                  test::sid_b64(std::string(test::kTestDomainSid) + "-" + std::to_string(rid)) + "\n";
  for (const auto& m : members) s += "member: CN=" + m + ",CN=Users," + kD + "\n";
  return s + "\n";
}
std::string user(const std::string& name, std::uint32_t rid, std::uint32_t pgid = 513) {
  return "dn: CN=" + name + ",CN=Users," + kD + "\nobjectClass: top\nobjectClass: user\ncn: " + name +
         "\nsAMAccountName: " + name + "\nobjectSid:: " +
         test::sid_b64(std::string(test::kTestDomainSid) + "-" + std::to_string(rid)) +
         "\nuserAccountControl: 512\nprimaryGroupID: " + std::to_string(pgid) + "\n\n";
}
}  // namespace

TEST_CASE("privilege: nested groups, cycles and primaryGroupID are resolved once", "[model][privilege]") {
  // Administrators ⊃ Domain Admins ⊃ Administrator; Administrators ⊃ IT-Admins ⊃ Team ⊃ IT-Admins (cycle), alice.
  std::string extra = group("IT-Admins", 1200, {"Team", "alice"}) + group("Team", 1201, {"IT-Admins", "bob"}) +
                      user("alice", 1300) + user("bob", 1301) + user("hidden", 1302, 512) + user("carol", 1303);
  std::string ldif = test::base_domain_ldif(extra);
  // Put IT-Admins into Administrators.
  const std::string admins = "member: CN=Domain Admins,CN=Users," + kD + "\n";
  ldif.replace(ldif.find(admins), admins.size(), admins + "member: CN=IT-Admins,CN=Users," + kD + "\n" +
                                                     "member: CN=S-1-5-21-9-9-9-500,CN=ForeignSecurityPrincipals," + kD + "\n");
  auto snap = test::snapshot_from_ldif(ldif);
  const auto& p = snap.privilege();

  const auto* alice = snap.find_dn("CN=alice,CN=Users," + kD);
  const auto* bob = snap.find_dn("CN=bob,CN=Users," + kD);
  const auto* hidden = snap.find_dn("CN=hidden,CN=Users," + kD);
  const auto* carol = snap.find_dn("CN=carol,CN=Users," + kD);
  REQUIRE((alice && bob && hidden && carol));
  CHECK(p.is_privileged(*alice));
  CHECK(p.is_privileged(*bob));
  CHECK_FALSE(p.is_privileged(*carol));
  // hidden's primary group is Domain Admins: privileged through DA and, nested, Administrators.
  CHECK(p.groups_of(*hidden) & (1u << static_cast<unsigned>(PrivGroup::domain_admins)));
  CHECK(p.groups_of(*hidden) & (1u << static_cast<unsigned>(PrivGroup::administrators)));
  auto d = p.describe(*bob);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == "Administrators (via IT-Admins > Team)");
  auto dh = p.describe(*hidden);
  REQUIRE(dh.size() == 2);
  CHECK(dh[0] == "Administrators (via Domain Admins > primaryGroupID)");
  CHECK(dh[1] == "Domain Admins (via primaryGroupID)");

  const auto& admins_group = p.groups()[static_cast<std::size_t>(PrivGroup::administrators)];
  std::size_t external = 0;
  for (const auto& m : admins_group.members) external += m.member == nullptr;
  CHECK(external == 1);  // the foreign principal DN is kept even though it is not in the input
  CHECK(p.krbtgt() != nullptr);
  REQUIRE(p.domain_controllers().size() == 1);
  CHECK(p.is_tier0(*p.domain_controllers()[0]));
  CHECK(p.is_tier0(*p.krbtgt()));
}
