#include "scanner/parsers/guid.hpp"

#include <cassert>

namespace adpersist::parsers {

namespace {
// Position in the string of each wire byte: Data1..3 are little-endian, so their bytes are reversed.
constexpr std::array<int, 16> kWireToText = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string Guid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<std::uint8_t, 16> text_order{};
  for (std::size_t i = 0; i < 16; ++i) text_order[static_cast<std::size_t>(kWireToText[i])] = bytes[i];
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[text_order[i] >> 4]);
    out.push_back(kHex[text_order[i] & 0xf]);
  }
  return out;
}

bool Guid::is_zero() const {
  for (auto b : bytes)
    if (b) return false;
  return true;
}

Result<Guid> parse_guid_binary(std::string_view b) {
  if (b.size() != 16)
    return make_error(ErrorCode::invalid_input, "GUID is " + std::to_string(b.size()) + " bytes, not 16");
  Guid g;
  for (std::size_t i = 0; i < 16; ++i) g.bytes[i] = static_cast<std::uint8_t>(b[i]);
  return g;
}

Result<Guid> parse_guid_string(std::string_view text) {
  std::string_view t = text;
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  auto bad = make_error(ErrorCode::invalid_input, "'" + std::string(text.substr(0, 60)) + "' is not a GUID");
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return bad;
  std::array<std::uint8_t, 16> text_order{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '-') continue;
    int hi = hex_value(t[i]), lo = i + 1 < t.size() ? hex_value(t[i + 1]) : -1;
    if (hi < 0 || lo < 0) return bad;
    text_order[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
    ++i;
  }
  Guid g;
  for (std::size_t i = 0; i < 16; ++i) g.bytes[i] = text_order[static_cast<std::size_t>(kWireToText[i])];
  return g;
}

Result<Guid> parse_guid_any(std::string_view value) {
  return value.size() == 16 ? parse_guid_binary(value) : parse_guid_string(value);
}

Guid guid_literal(std::string_view text) {
  auto g = parse_guid_string(text);
  assert(g.ok());
  return g.ok() ? g.value() : Guid{};
}

}  // namespace adpersist::parsers
