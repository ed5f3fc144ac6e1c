#include <catch2/catch.hpp>
#include <sstream>

#include "scanner/sources/ldif/ldif_reader.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;

namespace {
struct Parsed {
  Status status;
  std::optional<model::Snapshot> snap;
};

Parsed parse(const std::string& text) {
  model::SnapshotBuilder b;
  std::istringstream in(text);
  auto st = sources::read_ldif(in, "t.ldif", b);
  if (!st) return {st, std::nullopt};
  auto s = std::move(b).finish();
  if (!s) return {s.error(), std::nullopt};
  return {ok_status(), std::move(s).value()};
}

std::string error_of(const std::string& text) {
  auto p = parse(text);
  REQUIRE_FALSE(p.status.ok());
  return p.status.error().describe();
}
}  // namespace

TEST_CASE("LDIF: folded lines, base64 values, multi-valued and case-insensitive attributes", "[ldif]") {
  const std::string text =
      "version: 1\n\n"
      "# a comment that is\n  folded\n"
      "dn: CN=Jo\n hn,DC=corp,DC=example,DC=test\n"
      "objectClass: top\nobjectClass: user\n"
      "description:: w6lsw6hWZQ==\n"                   // "éléVe" style UTF-8 via base64
      "servicePrincipalName: HTTP/a\nSERVICEPRINCIPALNAME: HTTP/b\n"
      "member;range=0-1: CN=x\nmember;range=2-*: CN=y\n"
      "empty:\n"
      "objectSid:: " + test::sid_b64("S-1-5-21-1-2-3-1105") + "\n";
  auto p = parse(text);
  INFO((p.status.ok() ? std::string() : p.status.error().describe()));
  REQUIRE(p.status.ok());
  const auto* e = p.snap->find_dn("cn=john,dc=corp,dc=example,dc=test");
  REQUIRE(e != nullptr);
  CHECK(e->dn() == "CN=John,DC=corp,DC=example,DC=test");
  CHECK(e->first("Description") == "\xc3\xa9l\xc3\xa8Ve");
  CHECK(e->values("servicePrincipalName").size() == 2);
  CHECK(e->values("member").size() == 2);  // ranged segments merge
  CHECK(e->has("objectclass"));
  CHECK(e->first("empty") == "");
  CHECK(e->object_sid()->to_string() == "S-1-5-21-1-2-3-1105");
  CHECK(e->where() == "t.ldif:5");
}

TEST_CASE("LDIF: dn:: base64, CRLF line ends, changetype add (ldifde)", "[ldif]") {
  const std::string text = "dn:: " + util::base64_encode("CN=Zoë,DC=x") + "\r\nchangetype: add\r\nobjectClass: user\r\n\r\n";
  auto p = parse(text);
  REQUIRE(p.status.ok());
  CHECK(p.snap->find_dn("CN=Zoë,DC=x") != nullptr);
}

TEST_CASE("LDIF: bad input gives file:line and what is wrong", "[ldif]") {
  CHECK_THAT(error_of("dn: CN=a\nobjectClass user\n"), Catch::StartsWith("t.ldif:2:"));
  CHECK_THAT(error_of("dn: CN=a\nphoto:< file:///etc/passwd\n"), Catch::Contains("URL") && Catch::StartsWith("t.ldif:2"));
  CHECK_THAT(error_of("dn: CN=a\nx:: ***\n"), Catch::Contains("base64") && Catch::StartsWith("t.ldif:2"));
  CHECK_THAT(error_of("dn: CN=a\nchangetype: modify\nreplace: x\n"), Catch::Contains("changetype: modify"));
  CHECK_THAT(error_of("dn: CN=a\nx: 1\n\ndn: cn=A\ny: 2\n"), Catch::Contains("appears twice") && Catch::StartsWith("t.ldif:4"));
  CHECK_THAT(error_of("objectClass: top\n"), Catch::Contains("must start with 'dn:'"));
  CHECK_THAT(error_of(" continuation\n"), Catch::Contains("continuation"));
  CHECK_THAT(error_of("dn: CN=a\nbad attr: 1\n"), Catch::Contains("not an attribute description"));
  CHECK_THAT(error_of("dn: CN=a\nx: 1\ndn: CN=b\n"), Catch::Contains("second 'dn:'"));
  CHECK_THAT(error_of("dn: CN=a\nx: 1\n-\n"), Catch::Contains("modify record"));
  CHECK_THAT(error_of("version: 2\n"), Catch::Contains("version"));
  CHECK_THAT(error_of("\xff\xfe" "d\0n\0"), Catch::Contains("UTF-16"));
}

TEST_CASE("LDIF: the value limit bounds memory", "[ldif]") {
  model::SnapshotBuilder b;
  std::istringstream in("dn: CN=a\ndescription: " + std::string(2000, 'x') + "\n");
  sources::LdifOptions limits;
  limits.max_value_bytes = 1000;
  auto st = sources::read_ldif(in, "big.ldif", b, limits);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().describe(), Catch::StartsWith("big.ldif:2") && Catch::Contains("limit"));
}

TEST_CASE("LDIF: ldapsearch -L header and trailer drive coverage and completeness", "[ldif]") {
  const std::string head = test::requesting_header("* nTSecurityDescriptor msDS-KeyCredentialLink");
  const std::string body = "dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\nobjectSid:: " +
                           test::sid_b64(test::kTestDomainSid) + "\n\n";

  SECTION("complete export") {
    auto p = parse(head + body + "# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 2\n# numEntries: 1\n");
    REQUIRE(p.status.ok());
    CHECK(p.snap->dataset(model::Dataset::domain).state == model::DatasetState::ok);
    CHECK(p.snap->attribute("msDS-KeyCredentialLink") == model::AttrCoverage::collected);  // requested by name
    CHECK(p.snap->attribute("altSecurityIdentities") == model::AttrCoverage::collected);   // covered by '*'
    CHECK(p.snap->attribute("unixUserPassword") == model::AttrCoverage::not_collected);    // '*' cannot prove it
  }
  SECTION("size limit exceeded marks the dataset partial") {
    auto p = parse(head + body + "# search result\nsearch: 2\nresult: 4 Size limit exceeded\n\n# numEntries: 1\n");
    REQUIRE(p.status.ok());
    const auto& ds = p.snap->dataset(model::Dataset::domain);
    CHECK(ds.state == model::DatasetState::partial);
    CHECK_THAT(ds.reason, Catch::Contains("Size limit exceeded"));
  }
  SECTION("a file cut before the trailer is partial, not complete") {
    auto p = parse(head + body);
    REQUIRE(p.status.ok());
    CHECK(p.snap->dataset(model::Dataset::domain).state == model::DatasetState::partial);
    CHECK_THAT(p.snap->dataset(model::Dataset::domain).reason, Catch::Contains("cut short"));
  }
  SECTION("paged output: one trailer per page, counts add up") {
    const std::string user2 = "dn: CN=u,DC=corp,DC=example,DC=test\nobjectClass: user\n\n";
    auto p = parse(head + body + "# search result\nsearch: 2\nresult: 0 Success\n# pagedresults: cookie=AAE=\n\n"
                   "# numEntries: 1\n" + user2 + "# search result\nsearch: 3\nresult: 0 Success\n"
                   "# pagedresults: cookie=\n\n# numEntries: 1\n");
    REQUIRE(p.status.ok());
    CHECK(p.snap->dataset(model::Dataset::domain).state == model::DatasetState::ok);
  }
  SECTION("a page that announced more pages, then nothing: partial") {
    auto p = parse(head + body + "# search result\nsearch: 2\nresult: 0 Success\n# pagedresults: cookie=AAE=\n\n"
                   "# numEntries: 1\n");
    REQUIRE(p.status.ok());
    CHECK_THAT(p.snap->dataset(model::Dataset::domain).reason, Catch::Contains("announced more"));
  }
  SECTION("ldapsearch -L: no result line, trailer present: complete, with a note") {
    auto p = parse(head + body + "# search result\n# pagedresults: cookie=\n\n# numEntries: 1\n");
    REQUIRE(p.status.ok());
    CHECK(p.snap->dataset(model::Dataset::domain).state == model::DatasetState::ok);
    REQUIRE(p.snap->notes().size() == 1);
    CHECK_THAT(p.snap->notes()[0], Catch::Contains("-L"));
  }
  SECTION("entry count disagreeing with # numEntries is partial") {
    auto p = parse(head + body + "search: 2\nresult: 0 Success\n\n# numEntries: 7\n");
    REQUIRE(p.status.ok());
    CHECK_THAT(p.snap->dataset(model::Dataset::domain).reason, Catch::Contains("counted 7"));
  }
}

TEST_CASE("LDIF: without a header, only a '*'-shaped export is read as '*'", "[ldif]") {
  const std::string star = "dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\ninstanceType: 5\nuSNChanged: 9\n\n";
  auto p = parse(star);
  REQUIRE(p.status.ok());
  CHECK(p.snap->attribute("altSecurityIdentities") == model::AttrCoverage::collected);
  CHECK(p.snap->attribute("msDS-KeyCredentialLink") == model::AttrCoverage::unknown);
  REQUIRE_FALSE(p.snap->notes().empty());

  auto q = parse("dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\n\n");
  REQUIRE(q.status.ok());
  CHECK(q.snap->attribute("altSecurityIdentities") == model::AttrCoverage::unknown);
  CHECK(q.snap->attribute("objectClass") == model::AttrCoverage::collected);  // seen
}

TEST_CASE("LDIF: referrals are noted and not followed, except the forest's own NCs", "[ldif]") {
  auto p = parse(test::requesting_header("*") + "dn: DC=corp,DC=example,DC=test\nobjectClass: domainDNS\n\n"
                 "# search reference\nref: ldap://other.example/DC=other\n\n"
                 "# search reference\nref: ldaps://corp.example.test/CN=Configuration,DC=corp,DC=example,DC=test\n\n"
                 "search: 2\nresult: 0 Success\n\n# numEntries: 1\n");
  REQUIRE(p.status.ok());
  REQUIRE(p.snap->notes().size() == 1);
  CHECK_THAT(p.snap->notes()[0], Catch::Contains("not followed") && Catch::Contains("other.example"));
}

TEST_CASE("LDIF: two domains in one scan are refused with both locations", "[ldif]") {
  auto p = parse("dn: DC=a,DC=test\nobjectClass: domainDNS\n\ndn: DC=b,DC=test\nobjectClass: domainDNS\n\n");
  REQUIRE_FALSE(p.status.ok());
  CHECK_THAT(p.status.error().describe(), Catch::Contains("t.ldif:1") && Catch::Contains("t.ldif:4"));
}

TEST_CASE("LDIF: a missing file is an I/O error naming it", "[ldif]") {
  model::SnapshotBuilder b;
  auto st = sources::read_ldif_file("/nonexistent/x.ldif", b);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::io);
  CHECK_THAT(st.error().describe(), Catch::Contains("/nonexistent/x.ldif"));
}
