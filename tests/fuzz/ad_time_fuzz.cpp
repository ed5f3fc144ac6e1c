// libFuzzer target: AD time encodings (parse_filetime_text, parse_generalized_time, parse_rfc3339,
// parse_duration, filetime_to_time) and format_rfc3339. A time that parses prints as RFC 3339; when that text
// parses back, it is the same instant truncated to the second (or millisecond).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "scanner/parsers/ad_time.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace adpersist::parsers;

namespace {
void round_trip(TimePoint t) {
  using namespace std::chrono;
  (void)to_unix_millis(t);
  if (auto back = parse_rfc3339(format_rfc3339(t)); back.ok()) FUZZ_CHECK(*back == floor<seconds>(t));
  if (auto back = parse_rfc3339(format_rfc3339(t, true)); back.ok())
    FUZZ_CHECK(*back == floor<milliseconds>(t));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_filetime_text(in); t.ok() && t->has_value()) round_trip(**t);
  if (auto t = parse_generalized_time(in); t.ok()) round_trip(*t);
  if (auto t = parse_rfc3339(in); t.ok()) round_trip(*t);
  (void)parse_duration(in);
  if (size >= 8) {
    std::int64_t raw = 0;
    std::memcpy(&raw, data, sizeof raw);
    if (auto t = filetime_to_time(raw); t.ok() && t->has_value()) round_trip(**t);
  }
  return 0;
}
