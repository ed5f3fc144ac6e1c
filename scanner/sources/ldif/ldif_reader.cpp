#include "scanner/sources/ldif/ldif_reader.hpp"

#include <fstream>
#include <optional>
#include <vector>

#include "scanner/util/strings.hpp"

namespace adpersist::sources {

namespace {

using model::Dataset;

bool valid_attr_description(std::string_view a) {
  if (a.empty()) return false;
  auto semi = a.find(';');
  std::string_view type = a.substr(0, semi);
  if (type.empty()) return false;
  const bool oid = type[0] >= '0' && type[0] <= '9';
  for (char c : type) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (oid ? !((c >= '0' && c <= '9') || c == '.') : !(alnum || c == '-')) return false;
  }
  if (!oid && !((type[0] >= 'a' && type[0] <= 'z') || (type[0] >= 'A' && type[0] <= 'Z'))) return false;
  if (semi != std::string_view::npos) {
    for (auto opt : util::split(a.substr(semi + 1), ';')) {
      if (opt.empty()) return false;
      for (char c : opt)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '=' || c == '*'))
          return false;
    }
  }
  return true;
}

class Reader {
 public:
  Reader(std::istream& in, const std::string& name, model::SnapshotBuilder& b, const LdifOptions& limits)
      : in_(in), name_(name), b_(b), limits_(limits) {}

  Status run();

 private:
  struct Line {
    std::string text;
    std::uint32_t number = 0;
  };

  Error err(std::uint32_t line, std::string what) const {
    return make_error(ErrorCode::invalid_input, std::move(what), name_ + ":" + std::to_string(line));
  }
  // Reads the next logical line (unfolded). False at end of input.
  Result<bool> next_logical(Line& out);
  bool read_physical(std::string& s);
  Status handle_comment(const Line& l);
  Status handle_record(std::vector<Line>& lines);
  // Splits "attr: value" / "attr:: b64" / "attr:< url" into description and decoded value.
  Result<std::pair<std::string_view, std::string>> split_line(const Line& l) const;

  std::istream& in_;
  const std::string& name_;
  model::SnapshotBuilder& b_;
  LdifOptions limits_;
  std::string progress_label_ = "ldif: " + name_;
  std::uint32_t source_ = 0;
  std::uint32_t physical_ = 0;
  std::optional<std::string> lookahead_;
  std::uint32_t lookahead_number_ = 0;
  bool saw_requesting_ = false;
  bool saw_result_ = false;
  std::uint64_t num_entries_sum_ = 0;  // ldapsearch prints one "# numEntries:" trailer per page
  bool saw_trailer_ = false;
  std::uint32_t trailer_line_ = 0;
  bool more_pages_ = false;  // the last "# pagedresults: cookie=" was not empty: pages were still to come
  std::uint32_t cookie_line_ = 0;
  std::string base_;
  std::size_t entries_ = 0;
  bool all_look_like_star_ = true;
};

bool Reader::read_physical(std::string& s) {
  if (!std::getline(in_, s)) return false;
  ++physical_;
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (physical_ == 1 && s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);
  return true;
}

Result<bool> Reader::next_logical(Line& out) {
  std::string s;
  if (lookahead_) {
    s = std::move(*lookahead_);
    out.number = lookahead_number_;
    lookahead_.reset();
  } else {
    if (!read_physical(s)) return false;
    out.number = physical_;
    if (physical_ == 1 && s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0xFF &&
        static_cast<unsigned char>(s[1]) == 0xFE)
      return err(1, "the file is UTF-16 (ldifde -u?); convert it first: iconv -f UTF-16 -t UTF-8");
  }
  out.text = std::move(s);
  // Continuation lines begin with one space (RFC 2849 "SEP SPACE").
  std::string next;
  while (read_physical(next)) {
    if (!next.empty() && next[0] == ' ') {
      if (out.text.size() + next.size() > limits_.max_value_bytes * 2)
        return err(out.number, "line longer than the " + std::to_string(limits_.max_value_bytes >> 20) +
                                   " MiB value limit");
      out.text.append(next, 1, std::string::npos);
      continue;
    }
    lookahead_ = std::move(next);
    lookahead_number_ = physical_;
    break;
  }
  return true;
}

Result<std::pair<std::string_view, std::string>> Reader::split_line(const Line& l) const {
  const std::string& t = l.text;
  auto colon = t.find(':');
  if (colon == std::string::npos)
    return err(l.number, "expected 'attribute: value', found '" + util::sanitize_for_terminal(t.substr(0, 60)) + "'");
  std::string_view attr(t.data(), colon);
  if (!valid_attr_description(attr))
    return err(l.number, "'" + util::sanitize_for_terminal(attr.substr(0, 60)) + "' is not an attribute description");
  std::size_t pos = colon + 1;
  if (pos < t.size() && t[pos] == ':') {
    std::string_view b64(t.data() + pos + 1, t.size() - pos - 1);
    while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
    while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
    auto dec = util::base64_decode(b64);
    if (!dec) return err(l.number, "attribute " + std::string(attr) + ": bad base64 value: " + dec.error().message);
    if (dec->size() > limits_.max_value_bytes) return err(l.number, "value larger than the value limit");
    return std::pair<std::string_view, std::string>{attr, std::move(dec.value())};
  }
  if (pos < t.size() && t[pos] == '<')
    return make_error(ErrorCode::unsupported,
                      "attribute " + std::string(attr) + " takes its value from a URL (':<'), which adpersist "
                      "does not follow; inline the value",
                      name_ + ":" + std::to_string(l.number));
  while (pos < t.size() && t[pos] == ' ') ++pos;
  std::string value = t.substr(pos);
  if (!value.empty() && (value[0] == ':' || value[0] == '<'))
    return err(l.number, "value of " + std::string(attr) + " starts with '" + value[0] + "', which must be base64-encoded");
  if (value.size() > limits_.max_value_bytes) return err(l.number, "value larger than the value limit");
  return std::pair<std::string_view, std::string>{attr, std::move(value)};
}

Status Reader::handle_comment(const Line& l) {
  std::string_view c(l.text);
  c.remove_prefix(1);
  c = util::trim(c);
  if (util::istarts_with(c, "requesting:")) {
    saw_requesting_ = true;
    auto& src = b_.source(source_);
    src.requested_known = true;
    for (auto a : util::split(util::trim(c.substr(11)), ' ')) {
      if (a.empty()) continue;
      src.requested.emplace_back(a == "ALL" ? std::string_view("*") : a);  // no attribute list → "ALL"
    }
  } else if (util::istarts_with(c, "numEntries:")) {
    auto n = util::parse_int(util::trim(c.substr(11)));
    if (!n || *n < 0) return err(l.number, "bad '# numEntries:' trailer");
    num_entries_sum_ += static_cast<std::uint64_t>(*n);
    saw_trailer_ = true;
    trailer_line_ = l.number;
  } else if (util::istarts_with(c, "pagedresults:")) {
    auto cookie = util::trim(c.substr(13));
    more_pages_ = util::istarts_with(cookie, "cookie=") && !util::trim(cookie.substr(7)).empty();
    cookie_line_ = l.number;
  } else if (util::istarts_with(c, "base <")) {
    auto end = c.find('>');
    if (end != std::string_view::npos) base_ = std::string(c.substr(6, end - 6));
  }
  return ok_status();
}

Status Reader::handle_record(std::vector<Line>& lines) {
  auto first = split_line(lines[0]);
  if (!first) return first.error();
  auto& [attr0, value0] = first.value();

  // ldapsearch's result pseudo-record: "search: 2" / "result: 0 Success".
  if (util::iequals(attr0, "search") || util::iequals(attr0, "result")) {
    for (auto& l : lines) {
      auto kv = split_line(l);
      if (!kv) return kv.error();
      if (!util::iequals(kv->first, "result")) continue;
      saw_result_ = true;
      auto code_text = kv->second.substr(0, kv->second.find(' '));
      auto code = util::parse_int(code_text);
      if (!code) return err(l.number, "bad 'result:' line");
      if (*code != 0) {
        const Dataset d = util::istarts_with(base_, "CN=Configuration,") ? Dataset::configuration : Dataset::domain;
        b_.mark_partial(d, name_ + ":" + std::to_string(l.number) + ": the export ended with LDAP result '" +
                               util::sanitize_for_terminal(kv->second) + "', so it is incomplete");
      }
    }
    return ok_status();
  }
  if (util::iequals(attr0, "ref")) {
    // AD answers a subtree search of a domain with continuation references to the naming contexts below
    // it (configuration, schema, DNS zones): expected, and exported separately. Anything else is noted.
    auto scheme = value0.find("://");
    auto slash = scheme == std::string::npos ? std::string::npos : value0.find('/', scheme + 3);
    const std::string target = slash == std::string::npos ? std::string() : value0.substr(slash + 1);
    if (base_.empty() || !util::iends_with(target, base_))
      b_.add_note(name_ + ":" + std::to_string(lines[0].number) + ": a search reference (referral) to '" +
                  util::sanitize_for_terminal(value0) + "' was not followed");
    return ok_status();
  }
  if (util::iequals(attr0, "version")) {
    if (value0 != "1") return err(lines[0].number, "unsupported LDIF version '" + util::sanitize_for_terminal(value0) + "'");
    if (lines.size() == 1) return ok_status();
    lines.erase(lines.begin());
    return handle_record(lines);
  }
  if (!util::iequals(attr0, "dn"))
    return err(lines[0].number, "a record must start with 'dn:', found '" + util::sanitize_for_terminal(std::string(attr0)) + ":'");
  if (value0.empty()) return err(lines[0].number, "the root DSE (empty dn) is not a directory object");

  if (auto st = b_.begin_entry(value0, {source_, lines[0].number}); !st)
    return err(lines[0].number, st.error().message);
  ++entries_;
  if (limits_.progress) limits_.progress->update(progress_label_, entries_);
  bool has_instance_type = false, has_usn = false, has_class = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const Line& l = lines[i];
    if (l.text == "-") return err(l.number, "'-' belongs to a modify record; only entries and 'changetype: add' are read");
    auto kv = split_line(l);
    if (!kv) return kv.error();
    auto& [attr, value] = kv.value();
    if (util::iequals(attr, "changetype")) {
      if (i != 1) return err(l.number, "'changetype:' must directly follow 'dn:'");
      if (!util::iequals(value, "add"))
        return make_error(ErrorCode::unsupported,
                          "'changetype: " + util::sanitize_for_terminal(value) +
                              "' records are changes, not directory contents; only 'add' is read",
                          name_ + ":" + std::to_string(l.number));
      continue;
    }
    if (util::iequals(attr, "control"))
      return make_error(ErrorCode::unsupported, "LDIF controls are not supported", name_ + ":" + std::to_string(l.number));
    if (util::iequals(attr, "dn")) return err(l.number, "a second 'dn:' inside one record (missing blank line?)");
    has_instance_type |= util::iequals(attr, "instanceType");
    has_usn |= util::iequals(attr, "uSNChanged");
    has_class |= util::iequals(attr, "objectClass");
    b_.add_value(attr, value);
  }
  b_.end_entry();
  all_look_like_star_ &= has_instance_type && has_usn && has_class;
  return ok_status();
}

Status Reader::run() {
  model::SourceInfo info;
  info.name = name_;
  source_ = b_.add_source(std::move(info));

  std::vector<Line> record;
  std::uint32_t last_line = 0;
  for (;;) {
    Line l;
    auto more = next_logical(l);
    if (!more) return more.error();
    const bool end = !more.value();
    if (!end) last_line = l.number;
    if (end || l.text.empty()) {
      if (!record.empty()) {
        if (auto st = handle_record(record); !st) return st;
        record.clear();
      }
      if (end) break;
      continue;
    }
    if (l.text[0] == '#') {
      if (auto st = handle_comment(l); !st) return st;
      continue;
    }
    if (l.text[0] == ' ') return err(l.number, "continuation line with nothing to continue");
    record.push_back(std::move(l));
  }
  if (in_.bad()) return make_error(ErrorCode::io, "read error", name_);

  const Dataset d = util::istarts_with(base_, "CN=Configuration,") ? Dataset::configuration : Dataset::domain;
  auto partial = [&](std::uint32_t line, const std::string& why) {
    b_.mark_partial(d, name_ + ":" + std::to_string(line) + ": " + why);
  };
  if (more_pages_)
    partial(cookie_line_, "ldapsearch stopped after a page that announced more (non-empty paged-results cookie)");
  else if (saw_trailer_ && num_entries_sum_ != entries_)
    partial(trailer_line_, "ldapsearch counted " + std::to_string(num_entries_sum_) + " entries but the file holds " +
                               std::to_string(entries_));
  else if (saw_requesting_ && !saw_trailer_ && !saw_result_)
    partial(last_line, "the file ends before ldapsearch's result trailer, so the export was cut short");
  else if (saw_trailer_ && !saw_result_)
    b_.add_note(name_ + ": written by 'ldapsearch -L', which prints the search's LDAP result code only on stderr; "
                        "the entry count matches, but a server-side limit cannot be ruled out (export without -L)");
  auto& src = b_.source(source_);
  if (!src.requested_known && entries_ > 0 && all_look_like_star_) {
    src.requested.emplace_back("*");
    b_.add_note(name_ + ": no '# requesting:' header (ldapsearch -LLL?); every entry carries instanceType and "
                        "uSNChanged, so it is read as a '*' export: attributes it never mentions count as empty "
                        "unless they need an explicit request");
  }
  return ok_status();
}

}  // namespace

Status read_ldif(std::istream& in, const std::string& name, model::SnapshotBuilder& builder, const LdifOptions& options) {
  Reader r(in, name, builder, options);
  return r.run();
}

Status read_ldif_file(const std::string& path, model::SnapshotBuilder& builder, const LdifOptions& options) {
  std::vector<char> buf(1 << 20);
  std::ifstream in;
  in.rdbuf()->pubsetbuf(buf.data(), static_cast<std::streamsize>(buf.size()));  // before open(), for libstdc++
  in.open(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, "cannot open the file", path);
  return read_ldif(in, path, builder, options);
}

}  // namespace adpersist::sources
