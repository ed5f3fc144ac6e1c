#include "scanner/sources/ldif/ldif_writer.hpp"

#include "scanner/util/strings.hpp"

namespace adpersist::sources {

bool ldif_safe_string(std::string_view v) {
  if (v.empty()) return true;
  if (v.front() == ' ' || v.front() == ':' || v.front() == '<' || v.back() == ' ') return false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\n' || u == '\r' || u >= 0x80) return false;
  }
  return true;
}

void LdifWriter::line(std::string_view attr, std::string_view value) {
  if (ldif_safe_string(value))
    out_ << attr << ": " << value << '\n';
  else
    out_ << attr << ":: " << util::base64_encode(value) << '\n';
}

void LdifWriter::begin_search(std::string_view base, std::string_view filter, const std::vector<std::string>& attributes) {
  entries_ = 0;
  out_ << "# extended LDIF\n#\n# LDAPv3\n# base <" << base << "> with scope subtree\n# filter: " << filter
       << "\n# requesting:";
  for (const auto& a : attributes) out_ << ' ' << a;
  out_ << "\n# written by adpersist " << ADPERSIST_VERSION << "\n#\n\n";
}

void LdifWriter::entry(const model::Entry& e) {
  line("dn", e.dn());
  e.for_each_attribute([&](std::string_view name, std::span<const std::string_view> values) {
    for (auto v : values) line(name, v);
  });
  out_ << '\n';
  ++entries_;
}

void LdifWriter::end_search(int result_code, std::string_view result_text) {
  out_ << "# search result\nsearch: " << ++search_id_ << "\nresult: " << result_code << ' ';
  // The text is ours (an error description); keep it on one line.
  for (char c : result_text) out_ << ((c == '\n' || c == '\r') ? ' ' : c);
  out_ << "\n\n# numResponses: " << entries_ + 1 << "\n# numEntries: " << entries_ << "\n\n";
}

}  // namespace adpersist::sources
