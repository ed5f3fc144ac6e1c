// Arena: owns the bytes of every attribute value in a snapshot. Values are stored once; large values
// (security descriptors, which AD shares widely) are de-duplicated by content. It also holds the entries'
// small fixed-size tables (attribute slots, value views): one bump allocation each instead of a heap
// block with its own header per entry, which at a million entries is the difference that matters.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>
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

  // Uninitialised room for `n` trivially destructible objects of type T (never freed before the arena).
  template <class T>
  T* allocate(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena never runs destructors");
    return static_cast<T*>(allocate_bytes(n * sizeof(T), alignof(T)));
  }

  std::size_t bytes_stored() const { return stored_; }
  std::size_t bytes_deduplicated() const { return deduplicated_; }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  static constexpr std::size_t kDedupMin = 48;  // SIDs and short strings are cheaper to copy than to hash

  std::string_view copy(std::string_view bytes);
  void* allocate_bytes(std::size_t bytes, std::size_t align);

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* current_ = nullptr;     // the chunk small values go into
  std::size_t used_ = kChunk;  // forces a first chunk
  std::unordered_set<std::string_view> large_;
  std::size_t stored_ = 0;
  std::size_t deduplicated_ = 0;
};

}  // namespace adpersist::model
