#include "scanner/parsers/sid.hpp"

#include <cassert>
#include <charconv>
#include <cstdio>

namespace adpersist::parsers {

Sid::Sid(std::uint64_t authority, std::initializer_list<std::uint32_t> subs) : authority_(authority) {
  assert(subs.size() <= kMaxSubAuthorities);
  for (auto s : subs) subs_[count_++] = s;
}

Sid Sid::parent() const {
  Sid p = *this;
  if (p.count_ > 0) p.subs_[--p.count_] = 0;
  return p;
}

bool Sid::is_domain_account() const { return authority_ == 5 && count_ == 5 && subs_[0] == 21; }

bool Sid::is_in_domain(const Sid& domain) const {
  return count_ == domain.count_ + 1 && parent() == domain;
}

Sid Sid::with_rid(std::uint32_t r) const {
  Sid s = *this;
  assert(s.count_ < kMaxSubAuthorities);
  s.subs_[s.count_++] = r;
  return s;
}

std::string Sid::to_string() const {
  std::string out = "S-" + std::to_string(revision_) + "-";
  if (authority_ >= (1ULL << 32)) {
    // MS-DTYP 2.4.2.1: "0x" followed by 12 hex digits (Windows prints them upper-case).
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%012llX", static_cast<unsigned long long>(authority_));
    out += buf;
  } else {
    out += std::to_string(authority_);
  }
  for (std::size_t i = 0; i < count_; ++i) {
    out += '-';
    out += std::to_string(subs_[i]);
  }
  return out;
}

std::string Sid::to_binary() const {
  std::string out;
  out.reserve(8u + 4u * count_);
  out.push_back(static_cast<char>(revision_));
  out.push_back(static_cast<char>(count_));
  for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<char>((authority_ >> shift) & 0xff));
  for (std::size_t i = 0; i < count_; ++i)
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((subs_[i] >> shift) & 0xff));
  return out;
}

std::strong_ordering operator<=>(const Sid& a, const Sid& b) {
  if (auto c = a.revision_ <=> b.revision_; c != 0) return c;
  if (auto c = a.authority_ <=> b.authority_; c != 0) return c;
  for (std::size_t i = 0; i < a.count_ && i < b.count_; ++i)
    if (auto c = a.subs_[i] <=> b.subs_[i]; c != 0) return c;
  return a.count_ <=> b.count_;
}

Result<Sid> parse_sid_binary(std::string_view bytes, std::size_t* consumed) {
  if (bytes.size() < 8)
    return make_error(ErrorCode::invalid_input,
                      "SID is " + std::to_string(bytes.size()) + " bytes, shorter than its 8-byte header");
  auto u8 = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  Sid s;
  s.revision_ = u8(0);
  if (s.revision_ != 1)
    return make_error(ErrorCode::invalid_input, "SID revision is " + std::to_string(s.revision_) + ", not 1");
  const std::size_t n = u8(1);
  if (n > Sid::kMaxSubAuthorities)
    return make_error(ErrorCode::invalid_input,
                      "SID claims " + std::to_string(n) + " sub-authorities (at most 15 exist)");
  const std::size_t need = 8 + 4 * n;
  if (bytes.size() < need)
    return make_error(ErrorCode::invalid_input, "SID claims " + std::to_string(n) + " sub-authorities (" +
                                                    std::to_string(need) + " bytes) but has " +
                                                    std::to_string(bytes.size()) + " bytes");
  if (!consumed && bytes.size() != need)
    return make_error(ErrorCode::invalid_input, "SID has " + std::to_string(bytes.size() - need) +
                                                    " trailing bytes after " + std::to_string(n) +
                                                    " sub-authorities");
  for (std::size_t i = 2; i < 8; ++i) s.authority_ = (s.authority_ << 8) | u8(i);
  s.count_ = static_cast<std::uint8_t>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t o = 8 + 4 * i;
    s.subs_[i] = static_cast<std::uint32_t>(u8(o)) | static_cast<std::uint32_t>(u8(o + 1)) << 8 |
                 static_cast<std::uint32_t>(u8(o + 2)) << 16 | static_cast<std::uint32_t>(u8(o + 3)) << 24;
  }
  if (consumed) *consumed = need;
  return s;
}

namespace {
template <class T>
bool parse_number(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc{} && p == text.data() + text.size();
}
}  // namespace

Result<Sid> parse_sid_string(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_input, "'" + std::string(text.substr(0, 80)) + "' is not a SID: " + why);
  };
  if (text.size() < 4 || (text[0] != 'S' && text[0] != 's') || text[1] != '-') return bad("no S- prefix");
  std::string_view rest = text.substr(2);
  auto next = [&rest]() {
    auto dash = rest.find('-');
    std::string_view part = rest.substr(0, dash);
    rest = dash == std::string_view::npos ? std::string_view{} : rest.substr(dash + 1);
    return part;
  };
  Sid s;
  std::uint32_t rev = 0;
  if (!parse_number(next(), rev) || rev != 1) return bad("revision must be 1");
  std::string_view auth = next();
  std::uint64_t a = 0;
  bool ok = (auth.size() > 2 && auth[0] == '0' && (auth[1] == 'x' || auth[1] == 'X'))
                ? parse_number(auth.substr(2), a, 16)
                : parse_number(auth, a);
  if (!ok || a >= (1ULL << 48)) return bad("bad identifier authority");
  s.authority_ = a;
  while (!rest.empty() || (text.back() == '-')) {
    if (text.back() == '-') return bad("trailing '-'");
    if (s.count_ == Sid::kMaxSubAuthorities) return bad("more than 15 sub-authorities");
    std::uint32_t v = 0;
    if (!parse_number(next(), v)) return bad("bad sub-authority");
    s.subs_[s.count_++] = v;
  }
  return s;
}

Result<Sid> parse_sid_any(std::string_view value) {
  if (value.size() >= 2 && (value[0] == 'S' || value[0] == 's') && value[1] == '-') return parse_sid_string(value);
  return parse_sid_binary(value);
}

std::size_t SidHash::operator()(const Sid& s) const noexcept {
  std::size_t h = std::hash<std::uint64_t>{}(s.authority());
  for (std::size_t i = 0; i < s.sub_count(); ++i) h = h * 1000003u ^ s.sub(i);
  return h ^ s.sub_count();
}

}  // namespace adpersist::parsers
