// Writes directory entries as LDIF in ldapsearch's default format, so `adpersist scan --ldif` reads back
// exactly what a live collection saw: the `# requesting:` header, entries (base64 where RFC 2849 needs
// it), and a `search:`/`result:` trailer carrying the outcome (non-zero when the collection was partial).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/model/snapshot.hpp"

namespace adpersist::sources {

class LdifWriter {
 public:
  explicit LdifWriter(std::ostream& out) : out_(out) {}

  // Starts one search section (one naming context).
  void begin_search(std::string_view base, std::string_view filter, const std::vector<std::string>& attributes);
  void entry(const model::Entry& e);
  // Ends the section: result 0 when complete, else an LDAP result code and text saying what is missing.
  void end_search(int result_code, std::string_view result_text);

 private:
  void line(std::string_view attr, std::string_view value);
  std::ostream& out_;
  std::size_t entries_ = 0;
  int search_id_ = 1;
};

// RFC 2849 SAFE-STRING: printable ASCII without a leading space, colon or '<' and no trailing space.
bool ldif_safe_string(std::string_view v);

}  // namespace adpersist::sources
