// libFuzzer target: GUIDs (parse_guid_binary, parse_guid_string, parse_guid_any) and the well-known names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/ad_guids.hpp"
#include "scanner/parsers/guid.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto g = parse_guid_binary(in); g.ok()) {
    FUZZ_CHECK(g->to_binary() == in);
    auto again = parse_guid_string(g->to_string());
    FUZZ_CHECK(again.ok() && again.value() == *g);
    (void)guid_display_name(*g);
  }
  if (auto g = parse_guid_string(in); g.ok()) {
    auto again = parse_guid_string(g->to_string());
    FUZZ_CHECK(again.ok() && again.value() == *g);
    FUZZ_CHECK(g->to_string().size() == 36);
    (void)well_known_guid_name(*g);
    (void)g->is_zero();
  }
  (void)parse_guid_any(in);
  if (size >= 4) {
    (void)access_mask_names(static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
                            static_cast<std::uint32_t>(data[2]) << 16 |
                            static_cast<std::uint32_t>(data[3]) << 24);
  }
  return 0;
}
