// libFuzzer target: DER X.509 certificates (parse_x509_der, sha1_thumbprint). The OpenSSL error queue must be
// empty after every call, whether the value decoded or not.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/x509.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto c = parse_x509_der(in);
  FUZZ_CHECK(ERR_peek_error() == 0);
  const auto thumb = sha1_thumbprint(in);
  if (!c.ok()) return 0;
  FUZZ_CHECK(c->sha1 == thumb);
  (void)c->valid_at(c->not_before);
  (void)format_rfc3339(c->not_after);
  return 0;
}
