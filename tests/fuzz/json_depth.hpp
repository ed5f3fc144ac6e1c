// The most containers ({ or [) open at once in JSON text, read from the bytes (no recursion, strings and
// their escapes skipped): the oracle for the Graph readers' nesting limit (kMaxJsonDepth, graph_objects.hpp).
#pragma once

#include <cstddef>
#include <string_view>

inline std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}
