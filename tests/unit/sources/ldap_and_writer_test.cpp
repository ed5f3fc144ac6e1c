#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scanner/sources/ldap/ldap_connection.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"
#include "scanner/sources/ldif/ldif_writer.hpp"
#include "scanner/util/secret.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;

TEST_CASE("ranged attribute options (member;range=0-1499) are understood", "[ldap]") {
  auto r = sources::parse_range_option("member;range=0-1499");
  REQUIRE(r);
  CHECK(r->attribute == "member");
  CHECK(r->start == 0);
  CHECK(r->end == 1499u);
  auto last = sources::parse_range_option("member;Range=1500-*");
  REQUIRE(last);
  CHECK(last->start == 1500);
  CHECK_FALSE(last->end.has_value());
  CHECK_FALSE(sources::parse_range_option("member"));
  CHECK_FALSE(sources::parse_range_option("member;range=9-3"));
  CHECK_FALSE(sources::parse_range_option("member;range=x-*"));
}

TEST_CASE("LDIF writer: what it writes reads back as the same entries, binary values intact", "[ldif]") {
  const auto& lab = test::lab_snapshot();
  std::ostringstream out;
  sources::LdifWriter w(out);
  w.begin_search("DC=lab,DC=adpersist,DC=test", "(objectClass=*)", {"*", "nTSecurityDescriptor"});
  for (const auto& e : lab.entries()) w.entry(e);
  w.end_search(0, "Success");

  model::SnapshotBuilder b;
  std::istringstream in(out.str());
  auto st = sources::read_ldif(in, "written.ldif", b);
  INFO((st.ok() ? std::string() : st.error().describe()));
  REQUIRE(st.ok());
  auto back = std::move(b).finish();
  REQUIRE(back.ok());
  REQUIRE(back->entries().size() == lab.entries().size());
  for (std::size_t i = 0; i < lab.entries().size(); ++i) {
    const auto& a = lab.entries()[i];
    const auto& c = back->entries()[i];
    REQUIRE(a.dn() == c.dn());
    a.for_each_attribute([&](std::string_view name, std::span<const std::string_view> values) {
      auto other = c.values(name);
      REQUIRE(other.size() == values.size());
      for (std::size_t k = 0; k < values.size(); ++k) CHECK(other[k] == values[k]);
    });
  }
  CHECK(back->dataset(model::Dataset::domain).state == model::DatasetState::ok);
}

TEST_CASE("LDIF writer: a partial collection is written so the reader marks it partial", "[ldif]") {
  std::ostringstream out;
  sources::LdifWriter w(out);
  w.begin_search("DC=corp,DC=example,DC=test", "(objectClass=*)", {"*"});
  w.end_search(80, "Other (adpersist: connection lost after 12 entries)");
  model::SnapshotBuilder b;
  std::istringstream in(out.str());
  REQUIRE(sources::read_ldif(in, "p.ldif", b).ok());
  auto s = std::move(b).finish();
  REQUIRE(s.ok());
  CHECK(s->dataset(model::Dataset::domain).state == model::DatasetState::partial);
  CHECK_THAT(s->dataset(model::Dataset::domain).reason, Catch::Contains("connection lost"));
}

TEST_CASE("LDIF safe strings: RFC 2849 rules", "[ldif]") {
  CHECK(sources::ldif_safe_string("CN=x,DC=y"));
  CHECK_FALSE(sources::ldif_safe_string(" leading"));
  CHECK_FALSE(sources::ldif_safe_string(":colon"));
  CHECK_FALSE(sources::ldif_safe_string("<lt"));
  CHECK_FALSE(sources::ldif_safe_string("trailing "));
  CHECK_FALSE(sources::ldif_safe_string("caf\xc3\xa9"));
  CHECK_FALSE(sources::ldif_safe_string(std::string("a\0b", 3)));
}

TEST_CASE("secrets load from a file or $CREDENTIALS_DIRECTORY, never empty", "[secret]") {
  char dir[] = "/tmp/adp-secret-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/pw";
  std::ofstream(path) << "s3cret\n";
  auto s = util::load_secret(path, "", "");
  REQUIRE(s.ok());
  CHECK(s->reveal() == "s3cret");
  std::ofstream(std::string(dir) + "/ldap-password") << "from-credentials";
  ::setenv("CREDENTIALS_DIRECTORY", dir, 1);
  auto c = util::load_secret("", "ldap-password", "");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  REQUIRE(c.ok());
  CHECK(c->reveal() == "from-credentials");
  std::ofstream(std::string(dir) + "/empty") << "\n";
  CHECK_FALSE(util::load_secret(std::string(dir) + "/empty", "", "").ok());
  CHECK_FALSE(util::load_secret(std::string(dir) + "/missing", "", "").ok());
  std::system(("rm -rf " + std::string(dir)).c_str());
}
