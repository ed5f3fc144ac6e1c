// libFuzzer target: KEYCREDENTIALLINK_BLOB (parse_key_credential) and everything a check prints from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/key_credential_link.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto k = parse_key_credential(in);
  if (!k.ok()) return 0;
  for (const auto& e : k->entries) FUZZ_CHECK(e.offset <= size && e.length <= size - e.offset);
  (void)key_credential_evidence(*k);
  (void)describe_key_credential(*k);
  (void)k->usage_name();
  if (k->creation_time) (void)k->creation_time->plausible();
  if (k->last_logon) (void)format_key_time(*k->last_logon);
  if (k->custom_key_info) (void)(k->custom_key_info->attestation() || k->custom_key_info->mfa_not_used());
  return 0;
}
