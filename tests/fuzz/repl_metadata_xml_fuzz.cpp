// libFuzzer target: msDS-ReplAttributeMetaData and msDS-ReplValueMetaData XML values
// (parse_repl_attr_metadata_xml, parse_repl_value_metadata_xml); both run on every input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/parsers/repl_metadata.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto a = parse_repl_attr_metadata_xml(in); a.ok()) {
    FUZZ_CHECK(!a->attribute_name.empty());
    (void)format_rfc3339(a->last_originating_change, true);
    (void)a->originating_invocation_id.to_string();
  }
  if (auto v = parse_repl_value_metadata_xml(in); v.ok()) {
    FUZZ_CHECK(!v->attribute_name.empty());
    (void)format_rfc3339(v->created);
    (void)format_rfc3339(v->last_originating_change, true);
    if (v->deleted) (void)format_rfc3339(*v->deleted);
  }
  return 0;
}
