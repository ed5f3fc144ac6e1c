// LDIF source (RFC 2849): reads ldapsearch / ldifde / adpersist-collect output into a SnapshotBuilder.
//
// Understands folded lines, base64 values (`::`, `dn::`), comments, multi-valued and ranged attributes,
// `changetype: add` records, and ldapsearch's `-L` comments: `# requesting:` (what was exported, so the
// absence of an attribute can be told from "not exported"), the `result:` line and `# numEntries:`
// trailer (so a truncated export is never taken as complete). Refuses `:<` URL values and change records
// other than add. Every error names file:line.
#pragma once

#include <istream>
#include <string>

#include "scanner/model/snapshot.hpp"
#include "scanner/util/progress.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::sources {

struct LdifOptions {
  std::size_t max_value_bytes = 256u << 20;  // one attribute value (a 10 MB value is fine)
  util::Progress* progress = nullptr;        // entries read, "ldif: FILE" (a terminal's progress line)
};

// Reads `in` (named `name` in messages) into `builder` as one source.
Status read_ldif(std::istream& in, const std::string& name, model::SnapshotBuilder& builder,
                 const LdifOptions& options = {});
Status read_ldif_file(const std::string& path, model::SnapshotBuilder& builder, const LdifOptions& options = {});

}  // namespace adpersist::sources
