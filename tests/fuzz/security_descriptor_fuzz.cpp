// libFuzzer target: self-relative SECURITY_DESCRIPTOR (parse_security_descriptor, parse_acl), its SDDL text
// and the re-encoding. Properties checked on every descriptor that parses:
//  - encode_security_descriptor(sd) parses again, and encoding that result gives the same bytes (after one
//    encode every ACE is in canonical, 4-byte aligned form);
//  - when the SDDL text (raw SIDs) parses back with parse_sddl, its encoding parses and prints the same SDDL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/parsers/ad_guids.hpp"
#include "scanner/parsers/security_descriptor.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

namespace {
void walk(const Acl& acl, const SddlContext& ctx) {
  for (const auto& ace : acl.aces) {
    (void)ace_to_sddl(ace, ctx);
    (void)access_mask_names(ace.mask);
    if (ace.object_type) (void)guid_display_name(*ace.object_type);
    if (ace.inherited_object_type) (void)guid_display_name(*ace.inherited_object_type);
    (void)(ace.is_allow() || ace.is_deny() || ace.is_audit() || ace.inherited() || ace.inherit_only());
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)parse_acl(in);

  auto sd = parse_security_descriptor(in);
  if (!sd.ok()) return 0;

  SddlContext domain_ctx;
  domain_ctx.domain = Sid(5, {21, 1, 2, 3});
  domain_ctx.root_domain = Sid(5, {21, 4, 5, 6});
  (void)to_sddl(*sd, domain_ctx);
  (void)to_sddl(*sd);
  if (sd->dacl) walk(*sd->dacl, domain_ctx);
  if (sd->sacl) walk(*sd->sacl, domain_ctx);
  (void)sd->null_dacl();

  // Padding added by the encoder grows an ACL by at most 3 bytes per ACE; below 16 KiB of input no encoded
  // ACL can pass the 16-bit AclSize.
  if (size <= 16384) {
    const std::string enc = encode_security_descriptor(*sd);
    auto again = parse_security_descriptor(enc);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(encode_security_descriptor(*again) == enc);
  }

  const std::string text = to_sddl(*sd, SddlContext::raw_sids());
  if (auto from_text = parse_sddl(text); from_text.ok()) {
    FUZZ_CHECK(to_sddl(*from_text, SddlContext::raw_sids()) == text);
    const std::string enc = encode_security_descriptor(*from_text);
    auto again = parse_security_descriptor(enc);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(to_sddl(*again, SddlContext::raw_sids()) == text);
  }
  return 0;
}
