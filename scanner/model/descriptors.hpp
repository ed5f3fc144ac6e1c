// nTSecurityDescriptor of every entry, parsed once per distinct value. AD shares descriptors widely (every
// object under one OU with default ACLs carries byte-identical ones), so a domain of 200k objects has a few
// thousand distinct descriptors: parsing each once keeps ACL checks linear in the distinct count.
#pragma once

#include <cstdint>
#include <vector>

#include "scanner/parsers/security_descriptor.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::model {

class Entry;
class Snapshot;

class DescriptorTable {
 public:
  static DescriptorTable build(const Snapshot& snap);

  // The entry's parsed nTSecurityDescriptor: nullptr when the entry has none; an error (naming the entry)
  // when the value does not decode. Entries sharing a value share the parsed result.
  const Result<parsers::SecurityDescriptor>* of(const Entry& e) const;

  std::size_t entries_with_descriptor() const { return with_descriptor_; }
  std::size_t distinct() const { return parsed_.size(); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> index_;  // per entry: index into parsed_, or kNone
  std::vector<Result<parsers::SecurityDescriptor>> parsed_;
  std::size_t with_descriptor_ = 0;
};

}  // namespace adpersist::model
