// Security identifiers (MS-DTYP 2.4.2): binary and string forms. Pure, no I/O.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/util/result.hpp"

namespace adpersist::parsers {

class Sid {
 public:
  static constexpr std::size_t kMaxSubAuthorities = 15;

  Sid() = default;
  // Builds S-1-<authority>-<sub...>; more than 15 sub-authorities is a programming error (asserted).
  Sid(std::uint64_t authority, std::initializer_list<std::uint32_t> subs);

  std::uint8_t revision() const { return revision_; }
  std::uint64_t authority() const { return authority_; }
  std::size_t sub_count() const { return count_; }
  std::uint32_t sub(std::size_t i) const { return subs_[i]; }

  // Last sub-authority; 0 for a SID without any.
  std::uint32_t rid() const { return count_ ? subs_[count_ - 1] : 0; }
  // The SID without its last sub-authority (S-1-5-21-a-b-c for S-1-5-21-a-b-c-rid).
  Sid parent() const;
  // S-1-5-21-a-b-c-rid: an account (or group) of an AD domain or a machine account database.
  bool is_domain_account() const;
  // This SID is <domain>-<rid> for the given domain SID.
  bool is_in_domain(const Sid& domain) const;
  Sid with_rid(std::uint32_t rid) const;

  std::string to_string() const;  // "S-1-5-21-..."
  std::string to_binary() const;  // 8 + 4n bytes

  friend bool operator==(const Sid&, const Sid&) = default;
  friend std::strong_ordering operator<=>(const Sid& a, const Sid& b);

 private:
  std::uint8_t revision_ = 1;
  std::uint8_t count_ = 0;
  std::uint64_t authority_ = 0;  // 48 bits
  std::array<std::uint32_t, kMaxSubAuthorities> subs_{};

  friend Result<Sid> parse_sid_binary(std::string_view, std::size_t*);
  friend Result<Sid> parse_sid_string(std::string_view);
};

// Parses a binary SID at the start of `bytes`. Extra trailing bytes are an error unless `consumed` is
// given, in which case it receives the SID's length (for SIDs embedded in ACEs and descriptors).
Result<Sid> parse_sid_binary(std::string_view bytes, std::size_t* consumed = nullptr);
// Parses "S-1-5-21-..." (decimal authority, or 0x-prefixed hex authority as Windows prints large ones).
Result<Sid> parse_sid_string(std::string_view text);
// Accepts either form: a value starting with "S-" is a string SID, anything else binary.
Result<Sid> parse_sid_any(std::string_view value);

struct SidHash {
  std::size_t operator()(const Sid& s) const noexcept;
};

}  // namespace adpersist::parsers
