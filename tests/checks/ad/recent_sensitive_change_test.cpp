#include <catch2/catch.hpp>

#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/ldif_builders.hpp"

using namespace adpersist;
using adpersist::model::CheckStatus;
using adpersist::model::Severity;

namespace {
using test::kDomain;
using test::kUsers;

const std::string kAdmin = "CN=Administrator," + kUsers;
const std::string kDomainAdmins = "CN=Domain Admins," + kUsers;
const std::string kAttrs = "* replPropertyMetaData msDS-ReplAttributeMetaData msDS-ReplValueMetaData";

// One msDS-ReplAttributeMetaData value laid out exactly as the Windows sample in
// vectors/onprem/replication-metadata (tabs, "\n\0" terminator), with this attribute, version and time.
std::string attr_meta(const std::string& attr, int version, const std::string& when) {
  const std::string xml =
      "<DS_REPL_ATTR_META_DATA>\n\t<pszAttributeName>" + attr + "</pszAttributeName>\n\t<dwVersion>" +
      std::to_string(version) + "</dwVersion>\n\t<ftimeLastOriginatingChange>" + when +
      "</ftimeLastOriginatingChange>\n\t<uuidLastOriginatingDsaInvocationID>"
      "8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013</uuidLastOriginatingDsaInvocationID>\n"
      "\t<usnOriginatingChange>12776</usnOriginatingChange>\n\t<usnLocalChange>12776"
      "</usnLocalChange>\n\t<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC1,CN=Servers,"
      "CN=Default-First-Site-Name,CN=Sites,CN=Configuration," +
      kDomain + "</pszLastOriginatingDsaDN>\n</DS_REPL_ATTR_META_DATA>\n" + std::string(1, '\0');
  return "msDS-ReplAttributeMetaData:: " + util::base64_encode(xml) + "\n";
}

// One msDS-ReplValueMetaData value for a member (DS_REPL_VALUE_META_DATA elements, onprem-formats.md 6c).
std::string value_meta(const std::string& member_dn, const std::string& created, const std::string& deleted,
                       int version) {
  const std::string xml =
      "<DS_REPL_VALUE_META_DATA>\n\t<pszAttributeName>member</pszAttributeName>\n\t<pszObjectDn>" +
      member_dn + "</pszObjectDn>\n\t<cbData>0</cbData>\n\t<pbData></pbData>\n\t<ftimeDeleted>" + deleted +
      "</ftimeDeleted>\n\t<ftimeCreated>" + created + "</ftimeCreated>\n\t<dwVersion>" +
      std::to_string(version) + "</dwVersion>\n\t<ftimeLastOriginatingChange>" +
      (deleted.starts_with("1601") ? created : deleted) +
      "</ftimeLastOriginatingChange>\n\t<uuidLastOriginatingDsaInvocationID>"
      "8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013</uuidLastOriginatingDsaInvocationID>\n\t<usnOriginatingChange>"
      "20001</usnOriginatingChange>\n\t<usnLocalChange>20001</usnLocalChange>\n\t<pszLastOriginatingDsaDN></"
      "pszLastOriginatingDsaDN>\n"
      "</DS_REPL_VALUE_META_DATA>\n" +
      std::string(1, '\0');
  return "msDS-ReplValueMetaData:: " + util::base64_encode(xml) + "\n";
}

std::string with_attrs(std::string ldif, const std::string& dn, const std::string& lines) {
  const auto pos = ldif.find("dn: " + dn + "\n");
  REQUIRE(pos != std::string::npos);
  ldif.insert(pos + dn.size() + 5, lines);
  return ldif;
}

std::string export_with(const std::string& dn, const std::string& lines) {
  return with_attrs(test::requesting_header(kAttrs) + test::base_domain_ldif() +
                        "# search result\nsearch: 2\nresult: 0 Success\n\n",
                    dn, lines);
}
}  // namespace

TEST_CASE("ad.recent-sensitive-change dates recent writes to a domain admin from Windows metadata",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_with(kAdmin, attr_meta("servicePrincipalName", 3, "2026-11-25T10:00:00Z") +
                              attr_meta("altSecurityIdentities", 1, "2026-11-20T08:15:00Z") +
                              attr_meta("msDS-SupportedEncryptionTypes", 1, "2026-11-26T03:28:14Z") +
                              attr_meta("userAccountControl", 4, "2019-06-01T00:00:00Z")));
  auto r = test::run_check("ad.recent-sensitive-change", snap);
  REQUIRE(r.status == CheckStatus::failed);
  REQUIRE(r.findings.size() == 2);  // not the unwatched attribute, not the 2019 change
  const auto* spn = &r.findings[0];
  const auto* alt = &r.findings[1];
  if (spn->evidence["attribute"] != "servicePrincipalName") std::swap(spn, alt);
  CHECK(spn->resource.name == "Administrator");
  CHECK(spn->severity == Severity::high);
  CHECK(spn->evidence_key == "attr:servicePrincipalName");
  CHECK(spn->evidence["changed_at"] == "2026-11-25T10:00:00Z");
  CHECK(spn->evidence["days_ago"] == 5);
  CHECK(spn->evidence["version"] == 3);
  CHECK(spn->evidence["metadata_source"] == "msDS-ReplAttributeMetaData");
  CHECK_THAT(spn->evidence["originating_dsa"].get<std::string>(),
             Catch::StartsWith("CN=NTDS Settings,CN=DC1"));
  CHECK(spn->evidence["tier0"] == true);
  CHECK(spn->message ==
        "servicePrincipalName of this tier-0 account changed 5 days ago (2026-11-25T10:00:00Z, version 3)");
  CHECK(alt->evidence["attribute"] == "altSecurityIdentities");
  CHECK(alt->severity == Severity::critical);
}

TEST_CASE("ad.recent-sensitive-change: per-value metadata names members added and removed", "[checks][ad]") {
  const std::string none = "1601-01-01T00:00:00Z";
  auto snap = test::snapshot_from_ldif(export_with(
      kDomainAdmins,
      value_meta("CN=eve,CN=Users," + kDomain, "2026-11-26T01:00:00Z", none, 1) +
          value_meta("CN=temp-admin,CN=Users," + kDomain, "2026-11-27T01:00:00Z", "2026-11-27T02:00:00Z", 2) +
          value_meta(kAdmin, "2019-03-01T00:00:00Z", none, 1)));
  auto r = test::run_check("ad.recent-sensitive-change", snap);
  REQUIRE(r.findings.size() == 2);
  const auto* added = &r.findings[0];
  const auto* removed = &r.findings[1];
  if (added->evidence["removed"] == true) std::swap(added, removed);
  CHECK(added->resource.name == "Domain Admins");
  CHECK(added->severity == Severity::high);
  CHECK(added->evidence["member"] == "CN=eve,CN=Users," + kDomain);
  CHECK(added->evidence["metadata_source"] == "msDS-ReplValueMetaData");
  CHECK(added->message == "member added to this privileged group 4 days ago: CN=eve,CN=Users," + kDomain);
  CHECK(removed->severity == Severity::medium);
  CHECK(removed->evidence["removed"] == true);
  CHECK(removed->evidence["changed_at"] == "2026-11-27T02:00:00Z");
  CHECK(removed->evidence_key != added->evidence_key);
}

TEST_CASE("ad.recent-sensitive-change: writes made while creating the object are not changes",
          "[checks][ad]") {
  // The default fixture's objects were created 2019-03-01T00:00:00Z; pretend "now" is shortly after.
  auto snap = test::snapshot_from_ldif(
      export_with(kAdmin, attr_meta("servicePrincipalName", 1, "2019-03-01T00:10:00Z") +
                              attr_meta("userAccountControl", 2, "2019-03-01T02:00:00Z")));
  auto r = test::run_check("ad.recent-sensitive-change", snap,
                           parsers::parse_rfc3339("2019-03-05T00:00:00Z").value());
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].evidence["attribute"] == "userAccountControl");
}

TEST_CASE("ad.recent-sensitive-change is clean when nothing sensitive changed in the window",
          "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(
      export_with(kAdmin, attr_meta("servicePrincipalName", 2, "2025-01-01T00:00:00Z")));
  auto r = test::run_check("ad.recent-sensitive-change", snap);
  CHECK(r.status == CheckStatus::passed);
  CHECK(r.findings.empty());
}

TEST_CASE("ad.recent-sensitive-change is not evaluated without replication metadata", "[checks][ad]") {
  auto snap = test::snapshot_from_ldif(test::export_requesting("* member objectSid", ""));
  auto r = test::run_check("ad.recent-sensitive-change", snap);
  CHECK(r.status == CheckStatus::not_evaluated);
  CHECK_THAT(r.reason, Catch::Contains("replPropertyMetaData"));
}
