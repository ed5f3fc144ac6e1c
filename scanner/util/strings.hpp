// Small string helpers shared by the scanner (ASCII case folding, splitting, hex, base64).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/util/result.hpp"

namespace adpersist::util {

char ascii_lower(char c);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
bool iends_with(std::string_view s, std::string_view suffix);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);

std::string hex_encode(std::string_view bytes);
Result<std::string> hex_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);
// Strict RFC 4648 decoding (padding required; whitespace not allowed).
Result<std::string> base64_decode(std::string_view text);

// A decimal integer (optionally signed) that fills the whole string.
std::optional<std::int64_t> parse_int(std::string_view text);

// True when the bytes are valid UTF-8 without C0/C1 controls other than tab (printable as is).
bool is_printable_utf8(std::string_view s);
// Makes attacker-controlled text safe for a terminal: control characters, DEL, C1 controls and invalid
// UTF-8 bytes become visible escapes (\x1b, \u009b), so nothing the directory holds can drive the terminal.
// keep_line_breaks: tab, CR and LF pass (for a quoted CSV cell).
std::string sanitize_for_terminal(std::string_view s, bool keep_line_breaks = false);
// NO_COLOR is set and not empty (no-color.org).
bool no_color_requested();

std::string sha256_hex(std::string_view data);

}  // namespace adpersist::util
