// Arena: owns the bytes of every attribute value in a snapshot. Values are stored once; large values
// (security descriptors, which AD shares widely) are de-duplicated by content.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace adpersist::model {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  // Copies `bytes` into the arena and returns a view that lives as long as the arena.
  std::string_view store(std::string_view bytes);

  std::size_t bytes_stored() const { return stored_; }
  std::size_t bytes_deduplicated() const { return deduplicated_; }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  static constexpr std::size_t kDedupMin = 48;  // SIDs and short strings are cheaper to copy than to hash

  std::string_view copy(std::string_view bytes);

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* current_ = nullptr;     // the chunk small values go into
  std::size_t used_ = kChunk;  // forces a first chunk
  std::unordered_set<std::string_view> large_;
  std::size_t stored_ = 0;
  std::size_t deduplicated_ = 0;
};

}  // namespace adpersist::model
