#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "scanner/util/result.hpp"

namespace adpersist::util {

// Writes `content` to `path` atomically: a temporary file in the same directory, fsync, rename, fsync of
// the directory. Readers see the old file or the new one, never a partial one. Mode 0640 by default.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0640);

Result<std::string> read_file(const std::string& path);

}  // namespace adpersist::util
