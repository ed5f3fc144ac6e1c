#include "scanner/model/ioc.hpp"

#include <catch2/catch.hpp>

#include "tests/support/fixtures.hpp"

using namespace adpersist;
using model::IocSet;
using model::parse_ioc_json;

namespace {

// The error of a document that must not parse (the test fails when it parses).
std::string error_of(const std::string& json) {
  auto r = parse_ioc_json(json, "ioc.json");
  INFO(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_input);
  CHECK(r.error().context == "ioc.json");
  return r.error().message;
}

IocSet parsed(const std::string& json) {
  auto r = parse_ioc_json(json, "ioc.json");
  INFO((r.ok() ? std::string() : r.error().describe()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("IOC list: every member is read and normalised", "[ioc]") {
  const auto set = parsed(R"({
    "description": "test list", "source": "CISA AA21-008A",
    "certificate_thumbprints": ["91:FD:12:2E:6E:AA:72:DD:2D:B2:81:3A:AC:3D:17:20:05:DE:AA:45",
                                "05 4F 10 16 69 0F 6E 6B 59 E8 EB 19 09 64 BA 3B E5 CC 9A 5A",
                                " 28A2DFA981B269CC7153DB3BA3BA2304D2D2498F7558928F752457CF9D45250E "],
    "app_ids": ["{B82E78CA-5B4F-445E-B64C-C0A0337AC4BA}"],
    "key_ids": ["EC0E60AC-09B0-4E71-8B5D-AF1E03F4C6C1", "om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4=",
                "a26dc587d3fd399c6b171f2cb84553026e781d733ce7629ba67058121403d14e"],
    "sids": ["s-1-5-21-1111111111-2222222222-3333333333-1234", "S-1-5-32-544"],
    "account_names": ["LAB\\Svc-Sync", "SVC-SYNC2@contoso.com"],
    "issuers": ["http://any.sts/B231A11F/", "CN=Rogue CA, DC=adpersist ,DC = test"]
  })");
  CHECK(set.source == "ioc.json");
  CHECK(set.description == "test list");
  CHECK(set.reference == "CISA AA21-008A");
  CHECK(set.certificate_thumbprints ==
        std::unordered_set<std::string>{"91fd122e6eaa72dd2db2813aac3d172005deaa45",
                                        "054f1016690f6e6b59e8eb190964ba3be5cc9a5a",
                                        "28a2dfa981b269cc7153db3ba3ba2304d2d2498f7558928f752457cf9d45250e"});
  CHECK(set.app_ids == std::unordered_set<std::string>{"b82e78ca-5b4f-445e-b64c-c0a0337ac4ba"});
  // The 64-hex KeyID is the same key as the base64 one (ad.shadow-credentials shows the base64 form).
  CHECK(set.key_ids == std::unordered_set<std::string>{"ec0e60ac-09b0-4e71-8b5d-af1e03f4c6c1",
                                                       "om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4="});
  CHECK(set.sids ==
        std::unordered_set<std::string>{"S-1-5-21-1111111111-2222222222-3333333333-1234", "S-1-5-32-544"});
  CHECK(set.account_names == std::unordered_set<std::string>{"lab\\svc-sync", "svc-sync2@contoso.com"});
  CHECK(set.issuers ==
        std::unordered_set<std::string>{"http://any.sts/b231a11f", "cn=rogue ca,dc=adpersist,dc=test"});
  CHECK(set.size() == 12);
}

TEST_CASE("IOC list: lookups compare the way the directory writes values", "[ioc]") {
  const auto set = parsed(R"({
    "certificate_thumbprints": ["054f1016690f6e6b59e8eb190964ba3be5cc9a5a"],
    "app_ids": ["b82e78ca-5b4f-445e-b64c-c0a0337ac4ba"],
    "key_ids": ["om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4=", "f3fd9df5-0a21-7042-82c0-efb2c0b3fd43"],
    "sids": ["S-1-5-21-1111111111-2222222222-3333333333", "S-1-5-21-1281853893-3718847160-3668237006-1131"],
    "account_names": ["it-support"],
    "issuers": ["http://any.sts/B231A11F", "CN=Rogue CA,DC=adpersist,DC=test"]
  })");
  CHECK(set.has_thumbprint("054F1016690F6E6B59E8EB190964BA3BE5CC9A5A"));
  CHECK_FALSE(set.has_thumbprint(""));
  CHECK_FALSE(set.has_thumbprint("DFA84CF73291F776786309F1EC1F07B217BA5D7E"));
  CHECK(set.has_app_id("B82E78CA-5B4F-445E-B64C-C0A0337AC4BA"));
  CHECK(set.has_key_id("F3FD9DF5-0A21-7042-82C0-EFB2C0B3FD43"));
  CHECK(set.has_key_id("om3Fh9P9OZxrFx8suEVTAm54HXM852KbpnBYEhQD0U4="));
  CHECK_FALSE(set.has_key_id("OM3FH9P9OZXRFX8SUEVTAM54HXM852KBPNBYEHQD0U4="));  // base64 is case-sensitive
  CHECK(set.has_account_name("IT-Support"));

  // A domain SID on the list matches the domain's accounts; an account SID only itself.
  const auto sid = [](const char* s) { return parsers::parse_sid_string(s).value(); };
  CHECK(set.match_sid(sid("S-1-5-21-1111111111-2222222222-3333333333-1105")) ==
        std::optional<std::string>("S-1-5-21-1111111111-2222222222-3333333333"));
  CHECK(set.match_sid(sid("S-1-5-21-1111111111-2222222222-3333333333")) ==
        std::optional<std::string>("S-1-5-21-1111111111-2222222222-3333333333"));
  CHECK(set.match_sid(sid("S-1-5-21-1281853893-3718847160-3668237006-1131")).has_value());
  CHECK_FALSE(set.match_sid(sid("S-1-5-21-1281853893-3718847160-3668237006-1134")).has_value());
  CHECK_FALSE(set.match_sid(sid("S-1-5-21-1281853893-3718847160-3668237006")).has_value());

  // Issuers: URIs case-insensitively and without a trailing '/'; DNs in either RDN order, spacing ignored.
  CHECK(set.match_issuer("HTTP://ANY.STS/B231A11F/") ==
        std::optional<std::string>("http://any.sts/b231a11f"));
  CHECK(set.match_issuer("DC=test,DC=adpersist,CN=Rogue CA") ==
        std::optional<std::string>("cn=rogue ca,dc=adpersist,dc=test"));
  CHECK(set.match_issuer("CN=Rogue CA, DC=adpersist, DC=test").has_value());
  CHECK_FALSE(set.match_issuer("CN=Partner CA").has_value());
  CHECK_FALSE(set.match_issuer("http://any.sts/B231A11F/x").has_value());
  CHECK_FALSE(set.match_issuer("").has_value());
}

TEST_CASE("IOC list: malformed documents are errors naming the member and index", "[ioc]") {
  CHECK(
      error_of("[]") ==
      "the IOC list must be a JSON object with the members certificate_thumbprints, app_ids, key_ids, sids, "
      "account_names, issuers, description, source");
  CHECK(error_of(R"({"sids": ["S-1-5-21-1-2-3-4"],)").rfind("not valid JSON: parse error at line 1", 0) == 0);
  CHECK(error_of(R"({"certificate_thumbprint": ["054f1016690f6e6b59e8eb190964ba3be5cc9a5a"]})") ==
        "unknown member 'certificate_thumbprint' (expected certificate_thumbprints, app_ids, key_ids, sids, "
        "account_names, issuers, description, source)");
  CHECK(error_of(R"({"sids": "S-1-5-21-1-2-3-4"})") == "sids: must be an array of strings");
  CHECK(error_of(R"({"sids": ["S-1-5-21-1-2-3-4", 5]})") == "sids[1]: must be a string");
  CHECK(error_of(R"({"sids": ["S-1-5-21-1-2-3-4", "S-1-5-21-x"]})") ==
        "sids[1]: 'S-1-5-21-x' is not a SID: bad sub-authority");
  CHECK(
      error_of(
          R"({"certificate_thumbprints": ["054f", "054F1016690F6E6B59E8EB190964BA3BE5CC9A5A", "zz"]})") ==
      "certificate_thumbprints[0]: '054f' is not a certificate thumbprint (40 hex digits for SHA-1 or 64 for "
      "SHA-256)");
  // 40 characters, not all hex.
  CHECK(error_of(R"({"certificate_thumbprints": ["054F1016690F6E6B59E8EB190964BA3BE5CC9A5G"]})")
            .rfind("certificate_thumbprints[0]: ", 0) == 0);
  CHECK(error_of(R"({"app_ids": ["b82e78ca5b4f445eb64cc0a0337ac4ba"]})") ==
        "app_ids[0]: 'b82e78ca5b4f445eb64cc0a0337ac4ba' is not a GUID");
  CHECK(
      error_of(R"({"key_ids": ["not a key"]})") ==
      "key_ids[0]: 'not a key' is neither a GUID (a Graph keyId or a DeviceId) nor a KeyCredentialLink KeyID "
      "(base64, or 64 hex digits)");
  CHECK(error_of(R"({"account_names": ["svc", "  "]})") == "account_names[1]: empty value");
  CHECK(error_of(R"({"issuers": [""]})") == "issuers[0]: empty value");
  CHECK(error_of(R"({"description": ["x"], "sids": ["S-1-5-32-544"]})") == "description: must be a string");
  CHECK(error_of(R"({"sids": ["S-1-5-32-544"], "sids": ["S-1-5-32-545"]})") == "member 'sids' appears twice");
  // Nothing to match is an error, not a scan that silently matches nothing.
  CHECK(error_of(R"({"description": "empty", "sids": [], "app_ids": []})") ==
        "no indicators: every list (certificate_thumbprints, app_ids, key_ids, sids, account_names, issuers) "
        "is "
        "empty or absent");
  CHECK(error_of("{}").rfind("no indicators", 0) == 0);
}

TEST_CASE("IOC list: files are read from disk; errors name the file", "[ioc]") {
  auto example = model::load_ioc_file(test::fixture_path("ioc/example.json"));
  INFO((example.ok() ? std::string() : example.error().describe()));
  REQUIRE(example.ok());
  CHECK(example->source == test::fixture_path("ioc/example.json"));
  CHECK(example->reference == "CISA AA21-008A; vendor security advisory (certificate compromise)");
  CHECK(example->certificate_thumbprints.count("054f1016690f6e6b59e8eb190964ba3be5cc9a5a") == 1);
  CHECK(example->size() == 4);

  auto both = model::load_ioc_file(test::fixture_path("ioc/lab-and-tenant.json"));
  REQUIRE(both.ok());
  CHECK(both->size() == 13);

  const auto typo_path = test::fixture_path("ioc/invalid-unknown-member.json");
  auto typo = model::load_ioc_file(typo_path);
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().describe() ==
        typo_path +
            ": unknown member 'certificate_thumbprint' (expected certificate_thumbprints, app_ids, key_ids, "
            "sids, account_names, issuers, description, source)");

  auto missing = model::load_ioc_file(test::fixture_path("ioc/does-not-exist.json"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::io);
  CHECK(missing.error().context == test::fixture_path("ioc/does-not-exist.json"));
}
