// libFuzzer target: the DN-Binary wrapper of msDS-KeyCredentialLink (parse_dn_with_binary), then the blob it
// carries. A value that parses is rebuilt in canonical form (upper-case hex) and must parse to the same
// parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/parsers/key_credential_link.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto v = parse_dn_with_binary(in);
  if (!v.ok()) return 0;
  FUZZ_CHECK(!v->dn.empty());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string canonical = "B:" + std::to_string(v->binary.size() * 2) + ":";
  for (char c : v->binary) {
    const auto b = static_cast<unsigned char>(c);
    canonical.push_back(kHex[b >> 4]);
    canonical.push_back(kHex[b & 0xF]);
  }
  canonical += ":" + v->dn;
  auto again = parse_dn_with_binary(canonical);
  FUZZ_CHECK(again.ok() && again->binary == v->binary && again->dn == v->dn);
  if (auto k = parse_key_credential(v->binary); k.ok()) (void)describe_key_credential(*k);
  return 0;
}
