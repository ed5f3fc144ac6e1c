// AD time encodings: GeneralizedTime (whenCreated), integer8 FILETIME (pwdLastSet), RFC 3339 output.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/util/result.hpp"

namespace adpersist::parsers {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::microseconds>;

// FILETIME (100 ns ticks since 1601-01-01 UTC). Returns nullopt for 0 ("never"/"must change") and for
// 0x7FFFFFFFFFFFFFFF ("never expires"); values before 1601 or after 9999 are an error.
Result<std::optional<TimePoint>> filetime_to_time(std::int64_t filetime);
// An integer8 attribute value as text ("132223...") to a time, same rules as filetime_to_time.
Result<std::optional<TimePoint>> parse_filetime_text(std::string_view text);
// LDAP GeneralizedTime as AD writes it: "YYYYMMDDHHMMSS[.f]Z" (also accepts +0000 offsets).
Result<TimePoint> parse_generalized_time(std::string_view text);
// RFC 3339 UTC ("2026-11-28T12:00:00Z", optional fraction, or a +hh:mm offset), used for --now.
Result<TimePoint> parse_rfc3339(std::string_view text);
// "2026-11-28T12:00:00Z"; milliseconds appended when `millis` is true ("...T12:00:00.000Z").
std::string format_rfc3339(TimePoint t, bool millis = false);
// A span such as "30d", "12h", "90m", "2w"; a bare number means days.
Result<std::chrono::seconds> parse_duration(std::string_view text);

std::int64_t to_unix_millis(TimePoint t);

}  // namespace adpersist::parsers
