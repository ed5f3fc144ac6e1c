#include "tests/support/fixtures.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "scanner/engine/registry.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::test {

std::string fixture_path(const std::string& relative) { return std::string(ADPERSIST_FIXTURES_DIR) + "/" + relative; }
std::string vector_path(const std::string& relative) { return std::string(ADPERSIST_VECTORS_DIR) + "/" + relative; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

model::Snapshot snapshot_from_ldif(const std::string& ldif, const std::string& name) {
  model::SnapshotBuilder b;
  std::istringstream in(ldif);
  auto st = sources::read_ldif(in, name, b);
  INFO((st.ok() ? std::string() : st.error().describe()));
  REQUIRE(st.ok());
  auto snap = std::move(b).finish();
  INFO((snap.ok() ? std::string() : snap.error().describe()));
  REQUIRE(snap.ok());
  return std::move(snap).value();
}

model::Snapshot snapshot_from_files(const std::vector<std::string>& paths) {
  model::SnapshotBuilder b;
  for (const auto& p : paths) {
    auto st = sources::read_ldif_file(p, b);
    INFO((st.ok() ? std::string() : st.error().describe()));
    REQUIRE(st.ok());
  }
  auto snap = std::move(b).finish();
  INFO((snap.ok() ? std::string() : snap.error().describe()));
  REQUIRE(snap.ok());
  return std::move(snap).value();
}

const model::Snapshot& lab_snapshot() {
  static const model::Snapshot snap =
      snapshot_from_files({fixture_path("lab/domain.ldif"), fixture_path("lab/configuration.ldif")});
  return snap;
}

model::TimePoint lab_now() { return parsers::parse_rfc3339("2026-12-01T00:00:00Z").value(); }

std::vector<const model::Finding*> CheckRun::for_name(const std::string& name) const {
  std::vector<const model::Finding*> out;
  for (const auto& f : findings)
    if (util::iequals(f.resource.name, name)) out.push_back(&f);
  return out;
}

model::IocSet ioc_set(const std::string& json) {
  auto r = model::parse_ioc_json(json, "iocs.json");
  INFO((r.ok() ? std::string() : r.error().describe()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

CheckRun run_check(const std::string& id, const model::Snapshot& snap, model::TimePoint now, std::chrono::seconds since,
                   const model::IocSet* ioc) {
  const auto* check = engine::CheckRegistry::instance().find(id);
  INFO("check " << id);
  REQUIRE(check != nullptr);
  engine::ScanOptions o;
  o.now = now;
  o.recent_window = since;
  o.ioc = ioc;
  auto report = engine::run_scan(snap, {check}, o);
  REQUIRE(report.checks.size() == 1);
  CheckRun r{report.checks[0].status, report.checks[0].reason, {}, report.checks[0].notes};
  for (auto& f : report.findings) r.findings.push_back(f.finding);
  return r;
}

std::string sid_b64(const std::string& sid_string) {
  auto sid = parsers::parse_sid_string(sid_string);
  REQUIRE(sid.ok());
  return util::base64_encode(sid->to_binary());
}

std::string requesting_header(const std::string& attrs) {
  return "# extended LDIF\n#\n# LDAPv3\n# base <DC=corp,DC=example,DC=test> with scope subtree\n"
         "# filter: (objectClass=*)\n# requesting: " + attrs + "\n#\n\n";
}

namespace {
std::string account(const std::string& cn, const std::string& parent, const std::string& sam, std::uint32_t rid,
                    std::uint32_t uac, const std::string& classes, std::uint32_t pgid, const std::string& extra) {
  const std::string dn = "CN=" + cn + "," + parent;
  std::string s = "dn: " + dn + "\n";
  for (auto c : util::split(classes, ',')) s += "objectClass: " + std::string(c) + "\n";
  s += "cn: " + cn + "\nsAMAccountName: " + sam + "\n";
  s += "objectSid:: " + sid_b64(std::string(kTestDomainSid) + "-" + std::to_string(rid)) + "\n";
  char guid[64];
  std::snprintf(guid, sizeof guid, "%08x-0000-4000-8000-%012x", rid, rid);
  s += "objectGUID:: " + util::base64_encode(parsers::parse_guid_string(guid)->to_binary()) + "\n";
  s += "userAccountControl: " + std::to_string(uac) + "\n";
  if (pgid) s += "primaryGroupID: " + std::to_string(pgid) + "\n";
  s += "whenCreated: 20190301000000.0Z\ninstanceType: 4\nuSNChanged: 1000\n";
  s += extra;
  return s + "\n";
}
}  // namespace

std::string base_domain_ldif(const std::string& extra) {
  const std::string d = "DC=corp,DC=example,DC=test";
  std::string s = "version: 1\n\n";
  s += "dn: " + d + "\nobjectClass: top\nobjectClass: domain\nobjectClass: domainDNS\n";
  s += "objectSid:: " + sid_b64(kTestDomainSid) + "\n";
  s += "ms-DS-MachineAccountQuota: 0\ninstanceType: 5\nuSNChanged: 1000\nwhenCreated: 20190301000000.0Z\n\n";
  s += "dn: CN=Users," + d + "\nobjectClass: top\nobjectClass: container\ncn: Users\ninstanceType: 4\nuSNChanged: 1000\n\n";
  s += account("Administrator", "CN=Users," + d, "Administrator", 500, 0x10200, "top,person,organizationalPerson,user", 513,
               "pwdLastSet: 133700000000000000\n");
  s += account("krbtgt", "CN=Users," + d, "krbtgt", 502, 0x202, "top,person,organizationalPerson,user", 513,
               "servicePrincipalName: kadmin/changepw\npwdLastSet: 134050000000000000\n");
  s += account("Domain Admins", "CN=Users," + d, "Domain Admins", 512, 0, "top,group", 0,
               "member: CN=Administrator,CN=Users," + d + "\n");
  s += account("Domain Users", "CN=Users," + d, "Domain Users", 513, 0, "top,group", 0, "");
  s += account("Domain Controllers", "CN=Users," + d, "Domain Controllers", 516, 0, "top,group", 0, "");
  s += account("DC1", "OU=Domain Controllers," + d, "DC1$", 1000, 0x82000,
               "top,person,organizationalPerson,user,computer", 516,
               "dNSHostName: dc1.corp.example.test\nservicePrincipalName: ldap/dc1.corp.example.test\n");
  s += "dn: CN=Administrators,CN=Builtin," + d + "\nobjectClass: top\nobjectClass: group\ncn: Administrators\n"
       "sAMAccountName: Administrators\nobjectSid:: " + sid_b64("S-1-5-32-544") + "\n"
       "member: CN=Domain Admins,CN=Users," + d + "\nmember: CN=Administrator,CN=Users," + d + "\n"
       "instanceType: 4\nuSNChanged: 1000\n\n";
  return s + extra;
}

}  // namespace adpersist::test
