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

// An exclusive advisory lock (flock) on `path`, created 0640 if missing; released when the object dies.
// Two adpersist runs updating one state file take turns instead of interleaving read-modify-write.
class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  // Waits up to `timeout_s` seconds for the lock (0: try once).
  static Result<FileLock> acquire(const std::string& path, int timeout_s);

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// mkdir -p with `mode` for the directories it creates.
Status make_directories(const std::string& path, mode_t mode = 0750);
bool file_exists(const std::string& path);

}  // namespace adpersist::util
