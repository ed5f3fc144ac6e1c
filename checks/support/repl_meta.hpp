// Per-attribute replication metadata of an entry: when each attribute last changed at its originating DC.
// Read from the constructed msDS-ReplAttributeMetaData (XML, Windows DCs) when the input has it, else from
// the stored binary replPropertyMetaData (Windows and Samba; attributes known by ATTRTYP only, see
// parsers/repl_metadata.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.hpp"

namespace adpersist::checks {

struct AttrChange {
  std::string attribute;                   // lDAPDisplayName
  std::optional<model::TimePoint> when;    // last originating change; empty when not representable
  std::uint32_t version = 0;               // how many originating writes the attribute has had
  std::string originating_dsa;             // DSA DN (XML form) or invocation id (binary form)
  std::string source;                      // "msDS-ReplAttributeMetaData" or "replPropertyMetaData"
};

class ReplMeta {
 public:
  // Undecodable values are noted in `out` (naming the entry) and skipped.
  static ReplMeta of(const model::Entry& e, model::Findings& out);
  // Metadata of `attribute` (case-insensitive), or null when the input holds none for it.
  const AttrChange* find(std::string_view attribute) const;
  bool empty() const { return changes_.empty(); }

 private:
  std::vector<AttrChange> changes_;
};

// Metadata attributes a check can name in its needs (optional: whichever the DC serves).
inline constexpr const char* kReplPropertyMetaData = "replPropertyMetaData";
inline constexpr const char* kReplAttributeMetaData = "msDS-ReplAttributeMetaData";

}  // namespace adpersist::checks
