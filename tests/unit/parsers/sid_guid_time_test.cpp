#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scanner/parsers/ad_time.hpp"
#include "scanner/parsers/guid.hpp"
#include "scanner/parsers/sid.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using namespace adpersist::parsers;

TEST_CASE("SID vectors decode to the strings Windows tools print", "[parsers][sid]") {
  for (const char* name : {"impacket_admin_sid", "s_1_5_18", "s_1_1_0", "s_1_5_32_554"}) {
    INFO(name);
    const std::string text = test::read_text(test::vector_path(std::string("onprem/sid/") + name + ".hex"));
    const auto hex = util::trim(text);
    const auto expected = nlohmann::json::parse(test::read_text(test::vector_path(std::string("onprem/sid/") + name + ".expected.json")));
    auto bytes = util::hex_decode(hex);
    REQUIRE(bytes.ok());
    auto sid = parse_sid_binary(bytes.value());
    REQUIRE(sid.ok());
    CHECK(sid->to_string() == expected["expected_string"].get<std::string>());
    CHECK(sid->to_binary() == bytes.value());
    auto back = parse_sid_string(sid->to_string());
    REQUIRE(back.ok());
    CHECK(back.value() == sid.value());
  }
}

TEST_CASE("SID helpers: RID, domain, comparison", "[parsers][sid]") {
  auto sid = parse_sid_string("S-1-5-21-4190006963-579503432-2148133447-500").value();
  CHECK(sid.rid() == 500);
  CHECK(sid.is_domain_account());
  CHECK(sid.parent().to_string() == "S-1-5-21-4190006963-579503432-2148133447");
  CHECK(sid.is_in_domain(sid.parent()));
  CHECK(sid.parent().with_rid(512).to_string() == "S-1-5-21-4190006963-579503432-2148133447-512");
  CHECK_FALSE(parse_sid_string("S-1-5-32-544")->is_domain_account());
  CHECK(parse_sid_any("S-1-1-0")->to_string() == "S-1-1-0");
  CHECK(parse_sid_string("S-1-0x12a05f200-1")->to_string() == "S-1-0x00012A05F200-1");
}

TEST_CASE("malformed SIDs are errors, never crashes", "[parsers][sid]") {
  const auto good = parse_sid_string("S-1-5-21-1-2-3-500")->to_binary();
  for (std::size_t n = 0; n < good.size(); ++n) CHECK_FALSE(parse_sid_binary(good.substr(0, n)).ok());
  CHECK_FALSE(parse_sid_binary(good + "x").ok());  // trailing bytes
  std::size_t used = 0;
  CHECK(parse_sid_binary(good + "xyz", &used).ok());
  CHECK(used == good.size());
  std::string lying = good;
  lying[1] = 15;  // claims 15 sub-authorities
  CHECK_FALSE(parse_sid_binary(lying).ok());
  lying[1] = 16;
  CHECK_FALSE(parse_sid_binary(lying).ok());
  std::string rev2 = good;
  rev2[0] = 2;
  CHECK_FALSE(parse_sid_binary(rev2).ok());
  for (const char* bad : {"", "S-", "S-1", "S-2-5-1", "S-1-x-1", "S-1-5-", "S-1-5-1-", "X-1-5-1", "S-1-5-99999999999",
                          "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16"})
    CHECK_FALSE(parse_sid_string(bad).ok());
}

TEST_CASE("GUIDs: first three fields little-endian on the wire", "[parsers][guid]") {
  // DS-Replication-Get-Changes-All as it appears inside an object ACE.
  auto wire = util::hex_decode("adf63111079cd111f79f00c04fc2dcd2").value();
  auto g = parse_guid_binary(wire);
  REQUIRE(g.ok());
  CHECK(g->to_string() == "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2");
  CHECK(parse_guid_string("{1131F6AD-9C07-11D1-F79F-00C04FC2DCD2}")->to_binary() == wire);
  CHECK(parse_guid_any(wire)->to_string() == g->to_string());
  CHECK_FALSE(parse_guid_binary("short").ok());
  CHECK_FALSE(parse_guid_string("1131f6ad-9c07-11d1-f79f-00c04fc2dcdz").ok());
  CHECK_FALSE(parse_guid_string("1131f6ad9c0711d1f79f00c04fc2dcd2").ok());
}

TEST_CASE("AD times: FILETIME, GeneralizedTime, RFC 3339, durations", "[parsers][time]") {
  // userkey1's KeyCreationTime (VECTORS.md): 131734027581684545 = 2018-06-13T22:32:38.1684545Z.
  auto t = filetime_to_time(131734027581684545LL);
  REQUIRE(t.ok());
  REQUIRE(t.value().has_value());
  CHECK(format_rfc3339(*t.value(), true) == "2018-06-13T22:32:38.168Z");
  CHECK_FALSE(filetime_to_time(0).value().has_value());
  CHECK_FALSE(filetime_to_time(0x7FFFFFFFFFFFFFFFLL).value().has_value());
  CHECK_FALSE(filetime_to_time(-5).ok());
  CHECK_FALSE(parse_filetime_text("12a").ok());

  auto g = parse_generalized_time("20190301083015.0Z");
  REQUIRE(g.ok());
  CHECK(format_rfc3339(g.value()) == "2019-03-01T08:30:15Z");
  CHECK(parse_generalized_time("20190301083015Z").ok());
  for (const char* bad : {"", "2019", "20190231000000.0Z", "20191301000000.0Z", "20190301256000.0Z", "20190301000000.0",
                          "2019030100000x.0Z", "20190301000000.Z"})
    CHECK_FALSE(parse_generalized_time(bad).ok());

  auto r = parse_rfc3339("2026-11-28T12:00:00Z");
  REQUIRE(r.ok());
  CHECK(to_unix_millis(r.value()) == 1795867200000LL);
  CHECK(parse_rfc3339("2026-11-28T13:00:00+01:00").value() == r.value());
  CHECK_FALSE(parse_rfc3339("2026-11-28").ok());
  CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z").ok());

  CHECK(parse_duration("30d").value() == std::chrono::hours(24 * 30));
  CHECK(parse_duration("12h").value() == std::chrono::hours(12));
  CHECK(parse_duration("2w").value() == std::chrono::hours(24 * 14));
  CHECK(parse_duration("7").value() == std::chrono::hours(24 * 7));
  CHECK_FALSE(parse_duration("").ok());
  CHECK_FALSE(parse_duration("-3d").ok());
  CHECK_FALSE(parse_duration("3y").ok());
}
