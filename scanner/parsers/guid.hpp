// GUIDs as Windows stores them (MS-DTYP 2.3.4.2): Data1/Data2/Data3 little-endian, Data4 as is.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/util/result.hpp"

namespace adpersist::parsers {

struct Guid {
  std::array<std::uint8_t, 16> bytes{};  // wire order (bytes_le)

  std::string to_string() const;  // lowercase "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
  std::string to_binary() const { return std::string(bytes.begin(), bytes.end()); }
  bool is_zero() const;
  friend auto operator<=>(const Guid&, const Guid&) = default;
};

Result<Guid> parse_guid_binary(std::string_view bytes);                 // exactly 16 bytes
Result<Guid> parse_guid_string(std::string_view text);                  // with or without {braces}
Result<Guid> parse_guid_any(std::string_view value);                    // 16 bytes → binary, else string
// For literals in check code; asserts on a malformed string.
Guid guid_literal(std::string_view text);

}  // namespace adpersist::parsers
