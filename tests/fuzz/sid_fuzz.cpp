// libFuzzer target: SIDs (parse_sid_binary, parse_sid_string, parse_sid_any) and their round trips.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/security_descriptor.hpp"
#include "scanner/parsers/sid.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

namespace {
void exercise(const Sid& s) {
  (void)s.rid();
  (void)s.parent();
  (void)s.is_domain_account();
  (void)SidHash{}(s);
  (void)sid_to_sddl(s, SddlContext::for_domain(Sid(5, {21, 1, 2, 3})));
  if (s.sub_count() < Sid::kMaxSubAuthorities) (void)s.with_rid(500).is_in_domain(s);
  // Text and binary forms both read back as the same SID.
  auto text = parse_sid_string(s.to_string());
  FUZZ_CHECK(text.ok() && text.value() == s);
  auto bin = parse_sid_binary(s.to_binary());
  FUZZ_CHECK(bin.ok() && bin.value() == s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto b = parse_sid_binary(in); b.ok()) {
    FUZZ_CHECK(b->to_binary() == in);  // exact length required: the value is the SID
    exercise(*b);
  }
  std::size_t used = 0;
  if (auto b = parse_sid_binary(in, &used); b.ok()) {
    FUZZ_CHECK(used <= in.size() && b->to_binary() == in.substr(0, used));
  }
  if (auto s = parse_sid_string(in); s.ok()) exercise(*s);
  (void)parse_sid_any(in);
  return 0;
}
