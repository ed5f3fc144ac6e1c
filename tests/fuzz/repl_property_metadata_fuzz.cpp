// libFuzzer target: binary replPropertyMetaData (parse_repl_property_metadata).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/repl_metadata.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = parse_repl_property_metadata(in);
  if (!m.ok()) return 0;
  FUZZ_CHECK(size == 16 + 48 * m->size());  // a lying cNumEntries is an error, never a short read
  for (const auto& a : *m) {
    (void)attrtyp_name(a.attrtyp);
    (void)a.originating_invocation_id.to_string();
    if (a.time) (void)format_rfc3339(*a.time, true);
  }
  return 0;
}
