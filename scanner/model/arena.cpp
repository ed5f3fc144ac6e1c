#include "scanner/model/arena.hpp"

#include <cstring>

namespace adpersist::model {

std::string_view Arena::copy(std::string_view bytes) {
  if (bytes.empty()) return {};
  if (bytes.size() > kChunk / 4) {  // a value this large gets a chunk of its own
    chunks_.push_back(std::make_unique<char[]>(bytes.size()));
    std::memcpy(chunks_.back().get(), bytes.data(), bytes.size());
    stored_ += bytes.size();
    return {chunks_.back().get(), bytes.size()};
  }
  if (used_ + bytes.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    current_ = chunks_.back().get();
    used_ = 0;
  }
  char* dst = current_ + used_;
  std::memcpy(dst, bytes.data(), bytes.size());
  used_ += bytes.size();
  stored_ += bytes.size();
  return {dst, bytes.size()};
}

void* Arena::allocate_bytes(std::size_t bytes, std::size_t align) {
  if (bytes == 0) return nullptr;
  if (bytes > kChunk / 4) {  // a table this large gets a chunk of its own (new[] is suitably aligned)
    chunks_.push_back(std::make_unique<char[]>(bytes));
    return chunks_.back().get();
  }
  std::size_t at = (used_ + align - 1) & ~(align - 1);
  if (at + bytes > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    current_ = chunks_.back().get();
    at = 0;
  }
  used_ = at + bytes;
  return current_ + at;
}

std::string_view Arena::store(std::string_view bytes) {
  if (bytes.size() < kDedupMin) return copy(bytes);
  if (auto it = large_.find(bytes); it != large_.end()) {
    deduplicated_ += bytes.size();
    return *it;
  }
  auto v = copy(bytes);
  large_.insert(v);
  return v;
}

}  // namespace adpersist::model
