// X.509 decoding of the committed test CAs (fixtures/certs, made with the openssl CLI; expected values from
// `openssl x509 -inform DER -noout -subject -serial -dates -fingerprint -sha1/-sha256 -nameopt RFC2253`) and
// of malformed values.
#include <openssl/err.h>

#include <catch2/catch.hpp>

#include "scanner/parsers/x509.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using namespace adpersist::parsers;

namespace {
std::string cert(const std::string& name) {
  return test::read_text(test::fixture_path("certs/" + name));
}
}  // namespace

TEST_CASE("x509: the lab root CA decodes to what openssl prints", "[parsers][x509]") {
  const auto der = cert("lab-root-ca.der");
  auto r = parse_x509_der(der);
  REQUIRE(r.ok());
  CHECK(r->version == 3);
  CHECK(r->subject == "CN=Lab Root CA,DC=lab,DC=adpersist,DC=test");
  CHECK(r->issuer == r->subject);
  CHECK(r->self_issued);
  CHECK(r->serial == "4C41420001");
  CHECK(r->sha1 == "F05B57B1DD5AA99110726981BFA636819541DBA8");
  CHECK(r->sha256 == "13A3685F5015F945E5B02FD4DFCE84703FEFFF60E9E6D6C5D8812C4AC1764A1A");
  CHECK(format_rfc3339(r->not_before) == "2026-11-28T15:34:58Z");
  CHECK(format_rfc3339(r->not_after) == "2036-11-25T15:34:58Z");
  REQUIRE(r->basic_constraints_ca.has_value());
  CHECK(*r->basic_constraints_ca);
  CHECK(r->key_algorithm == "rsaEncryption");
  CHECK(r->key_bits == 2048);
  CHECK(r->signature_algorithm == "sha256WithRSAEncryption");
  CHECK(sha1_thumbprint(der) == r->sha1);
  CHECK(r->valid_at(parse_rfc3339("2030-01-01T00:00:00Z").value()));
  CHECK_FALSE(r->valid_at(parse_rfc3339("2037-01-01T00:00:00Z").value()));
}

TEST_CASE("x509: the rogue CA (EC key, short serial)", "[parsers][x509]") {
  auto r = parse_x509_der(cert("rogue-ca.der"));
  REQUIRE(r.ok());
  CHECK(r->subject == "CN=Rogue CA,DC=adpersist,DC=test");
  CHECK(r->serial == "0BADCA");
  CHECK(r->sha1 == "505B46DC6E16CDD8381B768FDC210BDDF8E4C96B");
  CHECK(r->sha256 == "FD2CEB0E4175C03A9E7B6FD734FDA594860E093A7C5708E952563DCFF7745D74");
  CHECK(format_rfc3339(r->not_after) == "2046-11-23T15:34:58Z");
  CHECK(r->key_algorithm == "id-ecPublicKey");
  CHECK(r->key_bits == 256);
  CHECK(r->signature_algorithm == "ecdsa-with-SHA256");
}

TEST_CASE("x509: malformed values are errors, never crashes, and leave no OpenSSL error behind",
          "[parsers][x509]") {
  const auto der = cert("lab-root-ca.der");
  SECTION("empty") {
    auto r = parse_x509_der("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("empty"));
  }
  SECTION("text instead of DER (a PEM body stored by mistake)") {
    auto r = parse_x509_der("MIIDlTCCAn2gAwIBAgIFTEFCAAEwDQYJKoZIhvcNAQEL");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("not a DER X.509 certificate"));
  }
  SECTION("trailing bytes after a complete certificate") {
    auto r = parse_x509_der(der + std::string("\0\0", 2));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("2 trailing bytes"));
  }
  SECTION("every truncation") {
    for (std::size_t n = 0; n < der.size(); ++n) {
      INFO("length " << n);
      CHECK_FALSE(parse_x509_der(std::string_view(der).substr(0, n)).ok());
    }
  }
  SECTION("every single-byte corruption decodes or fails cleanly") {
    std::size_t failures = 0;
    for (std::size_t i = 0; i < der.size(); ++i) {
      auto bad = der;
      bad[i] = static_cast<char>(~static_cast<unsigned char>(bad[i]));
      auto r = parse_x509_der(bad);
      if (!r.ok()) {
        ++failures;
        CHECK(r.error().code == ErrorCode::invalid_input);
      } else {
        CHECK(r->sha1 != "F05B57B1DD5AA99110726981BFA636819541DBA8");  // hashes follow the stored bytes
      }
    }
    CHECK(failures > 0);
  }
  SECTION("a lying outer length") {
    auto bad = der;
    bad[3] = static_cast<char>(static_cast<unsigned char>(bad[3]) + 1);  // SEQUENCE length one byte longer
    CHECK_FALSE(parse_x509_der(bad).ok());
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("x509: sha1_thumbprint hashes any bytes", "[parsers][x509]") {
  CHECK(sha1_thumbprint("abc") == "A9993E364706816ABA3E25717850C26C9CD0D89D");  // FIPS 180 test vector
  CHECK(sha1_thumbprint("") == "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
}
