// libFuzzer target: parse_sddl and encode_security_descriptor. For every SDDL string that parses:
//  - its encoding parses with parse_security_descriptor and encodes to the same bytes;
//  - to_sddl (raw SIDs) of it parses again and encodes to the same bytes (SDDL text is a faithful form).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/parsers/security_descriptor.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  SddlContext ctx;
  ctx.domain = Sid(5, {21, 1, 2, 3});
  ctx.root_domain = Sid(5, {21, 4, 5, 6});

  (void)parse_sddl(in);  // without domain SIDs: relative aliases are errors
  auto sd = parse_sddl(in, ctx);
  if (!sd.ok()) return 0;
  (void)to_sddl(*sd, ctx);

  const std::string enc = encode_security_descriptor(*sd);
  // An SDDL ACE of n characters encodes to at most 4n bytes; below 8 KiB no ACL can pass the 16-bit AclSize.
  if (size <= 8192) {
    auto bin = parse_security_descriptor(enc);
    FUZZ_CHECK(bin.ok());
    FUZZ_CHECK(encode_security_descriptor(*bin) == enc);

    const std::string text = to_sddl(*sd, SddlContext::raw_sids());
    auto again = parse_sddl(text);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(encode_security_descriptor(*again) == enc);
  }
  return 0;
}
