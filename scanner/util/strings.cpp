#include "scanner/util/strings.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstdio>

namespace adpersist::util {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && iequals(s.substr(0, p.size()), p); }
bool iends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequals(s.substr(s.size() - p.size()), p);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

namespace {
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2) return make_error(ErrorCode::invalid_input, "hex string has an odd length");
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hexval(text[i]), lo = hexval(text[i + 1]);
    if (hi < 0 || lo < 0)
      return make_error(ErrorCode::invalid_input, "non-hex character at offset " + std::to_string(i));
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(v >> s) & 63]);
  }
  if (i + 1 == bytes.size()) {
    std::uint32_t v = at(i) << 16;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out += "==";
  } else if (i + 2 == bytes.size()) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out += '=';
  }
  return out;
}

namespace {
// Base64 digit values; -1 for everything else ('=' included).
constexpr std::array<std::int8_t, 256> kBase64Digit = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0' + 52);
  t['+'] = 62;
  t['/'] = 63;
  return t;
}();
}  // namespace

// Table-driven, one quad at a time into a string sized up front: LDIF exports are mostly base64
// (security descriptors), so this loop is a large share of an offline scan's time.
Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4)
    return make_error(ErrorCode::invalid_input,
                      "base64 value has length " + std::to_string(text.size()) + ", not a multiple of 4");
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  // The character at `at` is not a digit: '=' inside the last quad is misplaced padding.
  auto bad = [&](std::size_t at) {
    if (in[at] == '=' && at + 4 >= text.size() && at % 4 >= 2)
      return make_error(ErrorCode::invalid_input, "base64 padding in the middle of the value");
    return make_error(ErrorCode::invalid_input, "invalid base64 character at offset " + std::to_string(at));
  };
  std::string out(text.size() / 4 * 3 - pad, '\0');
  char* o = out.data();
  const std::size_t full = text.size() - (pad ? 4 : 0);
  for (std::size_t i = 0; i < full; i += 4) {
    const int a = kBase64Digit[in[i]], b = kBase64Digit[in[i + 1]], c = kBase64Digit[in[i + 2]],
              d = kBase64Digit[in[i + 3]];
    if ((a | b | c | d) < 0) {
      for (std::size_t k = i;; ++k)
        if (kBase64Digit[in[k]] < 0) return bad(k);
    }
    const auto n = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>(n >> 8 & 0xff);
    *o++ = static_cast<char>(n & 0xff);
  }
  if (pad) {
    const std::size_t i = full;
    int v[4] = {0, 0, 0, 0};
    for (std::size_t k = 0; k < 4 - pad; ++k)
      if ((v[k] = kBase64Digit[in[i + k]]) < 0) return bad(i + k);
    const auto n = static_cast<std::uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6);
    *o++ = static_cast<char>(n >> 16);
    if (pad == 1) *o++ = static_cast<char>(n >> 8 & 0xff);
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  if (text.empty()) return std::nullopt;
  const char* b = text.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when invalid (overlongs and surrogates rejected).
std::size_t utf8_len(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t n;
  if (c < 0x80) { cp = c; return 1; }
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1Fu; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0Fu; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07u; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b(i + k) & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}
}  // namespace

bool is_printable_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0 || (cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
    i += n;
  }
  return true;
}

std::string sanitize_for_terminal(std::string_view s, bool keep_line_breaks) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
      ++i;
      continue;
    }
    if (keep_line_breaks && (cp == '\t' || cp == '\r' || cp == '\n')) {
      out += static_cast<char>(cp);
    } else if (cp < 0x20 || cp == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02x", cp);
      out += buf;
    } else if ((cp >= 0x80 && cp < 0xA0) || cp == 0x202E || cp == 0x202D || cp == 0x2066 || cp == 0x2067 ||
               cp == 0x2068 || cp == 0x2069) {
      // C1 controls (0x9b is a CSI on some terminals) and bidi overrides that reorder what is shown.
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
}

bool no_color_requested() {
  const char* v = std::getenv("NO_COLOR");
  return v && *v;
}

}  // namespace adpersist::util
