#include "scanner/model/descriptors.hpp"

#include <string_view>
#include <unordered_map>

#include "scanner/model/snapshot.hpp"

namespace adpersist::model {

DescriptorTable DescriptorTable::build(const Snapshot& snap) {
  DescriptorTable t;
  t.index_.assign(snap.entries().size(), kNone);
  std::unordered_map<std::string_view, std::uint32_t> seen;  // value bytes (arena-owned) -> parsed_ index
  for (const auto& e : snap.entries()) {
    const auto value = e.first("nTSecurityDescriptor");
    if (!value) continue;
    ++t.with_descriptor_;
    auto [it, inserted] = seen.try_emplace(*value, static_cast<std::uint32_t>(t.parsed_.size()));
    if (inserted) {
      auto sd = parsers::parse_security_descriptor(*value);
      if (!sd) {
        // The first entry carrying a bad value names it; later sharers get the same message.
        auto err = sd.error();
        err.context = e.where() + ": " + std::string(e.dn()) + " attribute nTSecurityDescriptor" +
                      (err.context.empty() ? "" : " " + err.context);
        t.parsed_.emplace_back(std::move(err));
      } else {
        t.parsed_.emplace_back(std::move(sd).value());
      }
    }
    t.index_[e.index()] = it->second;
  }
  return t;
}

const Result<parsers::SecurityDescriptor>* DescriptorTable::of(const Entry& e) const {
  if (e.index() >= index_.size() || index_[e.index()] == kNone) return nullptr;
  return &parsed_[index_[e.index()]];
}

}  // namespace adpersist::model
