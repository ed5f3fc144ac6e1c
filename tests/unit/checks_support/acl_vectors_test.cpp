// checks/support/acl against real Windows descriptors (SharpHound's test data in
// fixtures/vectors/onprem/security-descriptors): the rights each *.expected.json asserts are found, with the
// right trustees, inheritance and contributing ACEs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "checks/support/acl.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using namespace adpersist::checks;
namespace right = acl::right;
using nlohmann::json;

namespace {
const std::string kVectorDomain = "S-1-5-21-3130019616-2776909439-2417379446";

std::string vector_b64(const std::string& name) {
  return std::string(
      util::trim(test::read_text(test::vector_path("onprem/security-descriptors/" + name + ".b64"))));
}
json vector_json(const std::string& name) {
  return json::parse(
      test::read_text(test::vector_path("onprem/security-descriptors/" + name + ".expected.json")));
}

// A snapshot holding one object of `classes` whose nTSecurityDescriptor is the vector's bytes, so the
// descriptor goes through the same table the checks read.
model::Snapshot with_object(const std::string& dn, const std::string& classes, const std::string& vector) {
  std::string rec = "dn: " + dn + "\n";
  for (auto c : util::split(classes, ',')) rec += "objectClass: " + std::string(c) + "\n";
  rec +=
      "cn: vector\nnTSecurityDescriptor:: " + vector_b64(vector) + "\ninstanceType: 4\nuSNChanged: 2000\n\n";
  return test::snapshot_from_ldif(test::base_domain_ldif(rec));
}

const acl::Grant* find(const std::vector<acl::Grant>& gs, const std::string& sid) {
  auto it =
      std::find_if(gs.begin(), gs.end(), [&](const acl::Grant& g) { return g.trustee.to_string() == sid; });
  return it == gs.end() ? nullptr : &*it;
}

std::vector<std::string> trustees(const std::vector<acl::Grant>& gs) {
  std::vector<std::string> out;
  for (const auto& g : gs) out.push_back(g.trustee.to_string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sddl(const acl::Grant& g) {
  std::vector<std::string> out;
  for (const auto* a : g.aces) out.push_back(parsers::ace_to_sddl(*a, acl::evidence_sddl_context()));
  return out;
}
}  // namespace

TEST_CASE("acl: inherited DCSync ACEs on a user (SharpHound UnProtectedUserNtSecurityDescriptor)", "[acl]") {
  const std::string name = "unprotected_user_with_inherited_dcsync";
  const auto expected = vector_json(name);
  const std::string dn = "CN=vector,CN=Users," + test::kDomain;
  auto snap = with_object(dn, "top,person,organizationalPerson,user", name);
  const auto* e = snap.find_dn(dn);
  REQUIRE(e != nullptr);
  const auto* parsed = snap.descriptors().of(*e);
  REQUIRE(parsed != nullptr);
  REQUIRE(parsed->ok());
  const auto& sd = parsed->value();
  CHECK_FALSE(sd.dacl_protected());  // "SharpHound: IsACLProtected(bytes) == false"
  REQUIRE(sd.dacl);
  CHECK(sd.dacl->aces.size() == expected["decoded"]["dacl"]["count"].get<std::size_t>());

  const auto repl = acl::grants(sd, *e, right::kGetChanges | right::kGetChangesAll);
  // The two inherited replication trustees, and the principals whose broad rights imply replication: Domain
  // Admins, Account Operators and SYSTEM (GenericAll), Enterprise Admins (inherited GenericAll),
  // Administrators (CCLCSWRPWPLOCRSDRCWDWO: All-Extended-Rights without DeleteChild/DeleteTree, so not
  // GenericAll).
  CHECK(trustees(repl) == std::vector<std::string>{"S-1-5-18", kVectorDomain + "-2111",
                                                   kVectorDomain + "-2122", kVectorDomain + "-512",
                                                   kVectorDomain + "-519", "S-1-5-32-544", "S-1-5-32-548"});

  const auto* both = find(repl, kVectorDomain + "-2122");
  REQUIRE(both != nullptr);
  CHECK(both->direct == (right::kGetChanges | right::kGetChangesAll));
  CHECK(both->has(right::kGetChanges | right::kGetChangesAll));
  CHECK(both->all_inherited);
  CHECK(sddl(*both) == std::vector<std::string>{
                           "(OA;CIID;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;" + kVectorDomain + "-2122)",
                           "(OA;CIID;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;" + kVectorDomain + "-2122)"});
  CHECK(acl::shown_rights(*both, right::kGetChanges | right::kGetChangesAll) ==
        std::vector<std::string>{"DS-Replication-Get-Changes", "DS-Replication-Get-Changes-All"});

  const auto* half = find(repl, kVectorDomain + "-2111");
  REQUIRE(half != nullptr);
  CHECK(half->has(right::kGetChangesAll));
  CHECK_FALSE(half->has(right::kGetChanges));
  CHECK(half->all_inherited);
  // The ACE the vector's expected.json asserts ("contains (OA;CIID;CR;1131f6ad-...;;...-2111)").
  std::string asserted;
  for (const auto& a : expected["asserted_by_source"])
    if (util::istarts_with(a.get<std::string>(), "contains ")) asserted = a.get<std::string>().substr(9);
  REQUIRE_FALSE(asserted.empty());
  CHECK(sddl(*half) == std::vector<std::string>{asserted});

  const auto* admins = find(repl, "S-1-5-32-544");
  REQUIRE(admins != nullptr);
  CHECK((admins->direct & right::kGenericAll) == 0);
  CHECK(
      admins->has(right::kAllExtendedRights | right::kGenericWrite | right::kWriteDacl | right::kWriteOwner));
  CHECK(acl::shown_rights(*admins, right::kGetChangesAll) == std::vector<std::string>{"AllExtendedRights"});
  CHECK(find(repl, kVectorDomain + "-512")->direct == right::kGenericAll);

  // SELF's inherited RPWP on msDS-AllowedToActOnBehalfOfOtherIdentity ("AllowedToAct (3f78c3e5) RPWP to PS").
  const auto act = acl::grants(sd, *e, right::kAddAllowedToAct);
  const auto* self = find(act, "S-1-5-10");
  REQUIRE(self != nullptr);
  CHECK((self->direct & right::kAddAllowedToAct) != 0);
  CHECK(self->all_inherited);

  // Inherit-only ACEs (among them the computer-only WP ea1b7b93 for SELF) do not apply to the user itself;
  // the inherited ACEs meant for user objects (InheritedObjectType bf967aba) do.
  int inherit_only = 0, for_users = 0;
  for (const auto& a : sd.dacl->aces) {
    if (a.inherit_only()) {
      ++inherit_only;
      CHECK_FALSE(acl::applies_to(a, *e));
    } else if (a.inherited_object_type) {
      CHECK(a.inherited_object_type->to_string() == "bf967aba-0de6-11d0-a285-00aa003049e2");
      CHECK(acl::applies_to(a, *e));
      ++for_users;
    }
  }
  CHECK(inherit_only == 5);
  CHECK(for_users == 2);
}

TEST_CASE("acl: AddSelf and AddMember on a group (SharpHound AddMemberSecurityDescriptor)", "[acl]") {
  const std::string name = "group_with_addself_and_addmember";
  const auto expected = vector_json(name);
  const std::string dn = "CN=vector,CN=Users," + test::kDomain;
  auto snap = with_object(dn, "top,group", name);
  const auto* e = snap.find_dn(dn);
  REQUIRE(e != nullptr);
  const auto* parsed = snap.descriptors().of(*e);
  REQUIRE(parsed != nullptr);
  REQUIRE(parsed->ok());
  const auto& sd = parsed->value();

  // "SharpHound: AddSelf from <SID>" / "SharpHound: AddMember from <SID>".
  std::string add_self, add_member;
  for (const auto& a : expected["asserted_by_source"]) {
    const auto s = a.get<std::string>();
    if (util::istarts_with(s, "SharpHound: AddSelf from ")) add_self = s.substr(25);
    if (util::istarts_with(s, "SharpHound: AddMember from ")) add_member = s.substr(27);
  }
  REQUIRE(add_self == kVectorDomain + "-2606");
  REQUIRE(add_member == kVectorDomain + "-2119");

  const auto gs = acl::grants(sd, *e, right::kAddMember | right::kAddSelf);
  const auto* self = find(gs, add_self);
  REQUIRE(self != nullptr);
  CHECK(self->direct == right::kAddSelf);
  CHECK_FALSE(self->has(right::kAddMember));
  CHECK_FALSE(self->all_inherited);
  CHECK(sddl(*self) ==
        std::vector<std::string>{"(OA;;SW;bf9679c0-0de6-11d0-a285-00aa003049e2;;" + add_self + ")"});
  CHECK(acl::shown_rights(*self, right::kAddMember | right::kAddSelf) == std::vector<std::string>{"AddSelf"});

  const auto* member = find(gs, add_member);
  REQUIRE(member != nullptr);
  CHECK(member->direct == right::kAddMember);
  CHECK_FALSE(member->has(right::kAddSelf));
  CHECK(sddl(*member) ==
        std::vector<std::string>{"(OA;;WP;bf9679c0-0de6-11d0-a285-00aa003049e2;;" + add_member + ")"});

  // Everyone else who can add members does so through broad rights: Domain Admins, Account Operators and
  // SYSTEM (GenericAll), Enterprise Admins (inherited GenericAll) and Administrators (GenericWrite).
  CHECK(trustees(gs) == std::vector<std::string>{"S-1-5-18", kVectorDomain + "-2119", kVectorDomain + "-2606",
                                                 kVectorDomain + "-512", kVectorDomain + "-519",
                                                 "S-1-5-32-544", "S-1-5-32-548"});
  CHECK(acl::shown_rights(*find(gs, "S-1-5-32-544"), right::kAddMember) ==
        std::vector<std::string>{"GenericWrite", "WriteAllProperties"});
  // Authenticated Users' Send-To extended right is not a membership right.
  CHECK(find(gs, "S-1-5-11") == nullptr);
}
