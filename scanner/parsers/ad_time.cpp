#include "scanner/parsers/ad_time.hpp"

#include <charconv>
#include <cstdio>

namespace adpersist::parsers {

namespace {
using namespace std::chrono;

// Seconds between 1601-01-01 and 1970-01-01.
constexpr std::int64_t kEpochDelta = 11644473600LL;

bool digits(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// Builds a time from civil fields, validating ranges (including the day of the month).
Result<TimePoint> civil(int y, int mo, int d, int h, int mi, int s, std::int64_t micros, std::string_view src) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (y < 1601 || y > 9999 || !ymd.ok() || h > 23 || mi > 59 || s > 60)
    return make_error(ErrorCode::invalid_input, "'" + std::string(src.substr(0, 40)) + "' is not a valid date/time");
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  return TimePoint{time_point_cast<microseconds>(tp) + microseconds{micros}};
}

std::int64_t fraction_micros(std::string_view frac) {
  std::int64_t v = 0;
  int n = 0;
  for (char c : frac) {
    if (n == 6) break;
    v = v * 10 + (c - '0');
    ++n;
  }
  while (n++ < 6) v *= 10;
  return v;
}
}  // namespace

Result<std::optional<TimePoint>> filetime_to_time(std::int64_t ft) {
  if (ft == 0 || ft == 0x7FFFFFFFFFFFFFFFLL) return std::optional<TimePoint>{};
  if (ft < 0) return make_error(ErrorCode::invalid_input, "FILETIME " + std::to_string(ft) + " is negative");
  // 9999-12-31 is 2650467743999999999 ticks after 1601.
  if (ft > 2650467743999999999LL)
    return make_error(ErrorCode::invalid_input, "FILETIME " + std::to_string(ft) + " is after the year 9999");
  const std::int64_t micros = ft / 10 - kEpochDelta * 1000000LL;
  return std::optional<TimePoint>{TimePoint{microseconds{micros}}};
}

Result<std::optional<TimePoint>> parse_filetime_text(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size())
    return make_error(ErrorCode::invalid_input, "'" + std::string(text.substr(0, 40)) + "' is not an integer8 time");
  return filetime_to_time(v);
}

Result<TimePoint> parse_generalized_time(std::string_view t) {
  auto bad = make_error(ErrorCode::invalid_input, "'" + std::string(t.substr(0, 40)) + "' is not a GeneralizedTime");
  if (t.size() < 15) return bad;
  int y, mo, d, h, mi, s;
  if (!digits(t.substr(0, 4), y) || !digits(t.substr(4, 2), mo) || !digits(t.substr(6, 2), d) ||
      !digits(t.substr(8, 2), h) || !digits(t.substr(10, 2), mi) || !digits(t.substr(12, 2), s))
    return bad;
  std::string_view rest = t.substr(14);
  std::int64_t micros = 0;
  if (!rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return bad;
    micros = fraction_micros(rest.substr(1, n - 1));
    rest = rest.substr(n);
  }
  if (rest != "Z" && rest != "+0000" && rest != "-0000") return bad;
  return civil(y, mo, d, h, mi, s, micros, t);
}

Result<TimePoint> parse_rfc3339(std::string_view t) {
  auto bad = make_error(ErrorCode::invalid_input,
                        "'" + std::string(t.substr(0, 40)) + "' is not an RFC 3339 time like 2026-11-28T12:00:00Z");
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':')
    return bad;
  int y, mo, d, h, mi, s;
  if (!digits(t.substr(0, 4), y) || !digits(t.substr(5, 2), mo) || !digits(t.substr(8, 2), d) ||
      !digits(t.substr(11, 2), h) || !digits(t.substr(14, 2), mi) || !digits(t.substr(17, 2), s))
    return bad;
  std::string_view rest = t.substr(19);
  std::int64_t micros = 0;
  if (!rest.empty() && rest[0] == '.') {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return bad;
    micros = fraction_micros(rest.substr(1, n - 1));
    rest = rest.substr(n);
  }
  std::int64_t offset_min = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh, om;
    if (!digits(rest.substr(1, 2), oh) || !digits(rest.substr(4, 2), om) || oh > 23 || om > 59) return bad;
    offset_min = (oh * 60 + om) * (rest[0] == '-' ? -1 : 1);
  } else {
    return bad;
  }
  auto r = civil(y, mo, d, h, mi, s, micros, t);
  if (!r) return r;
  return TimePoint{r.value() - minutes{offset_min}};
}

std::string format_rfc3339(TimePoint t, bool millis) {
  auto secs = floor<seconds>(t);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  const long long hh = hms.hours().count(), mm = hms.minutes().count(), ss = hms.seconds().count();
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hh, mm, ss);
  std::string out(buf, static_cast<std::size_t>(n));
  if (millis) {
    auto ms = duration_cast<milliseconds>(t - secs).count();
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms));
    out += buf;
  }
  out += 'Z';
  return out;
}

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  auto bad = make_error(ErrorCode::usage, "'" + std::string(text) + "' is not a duration like 30d, 12h or 2w");
  if (text.empty()) return bad;
  std::int64_t mult = 86400;
  std::string_view num = text;
  switch (text.back()) {
    case 's': mult = 1; num.remove_suffix(1); break;
    case 'm': mult = 60; num.remove_suffix(1); break;
    case 'h': mult = 3600; num.remove_suffix(1); break;
    case 'd': mult = 86400; num.remove_suffix(1); break;
    case 'w': mult = 7 * 86400; num.remove_suffix(1); break;
    default: break;
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc{} || p != num.data() + num.size() || v < 0 || v > 100LL * 365 * 86400 / mult)
    return bad;
  return std::chrono::seconds{v * mult};
}

std::int64_t to_unix_millis(TimePoint t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace adpersist::parsers
