// The read-only snapshot every check reads (STYLE.md 2.1): directory entries with case-insensitive
// attribute names and binary-safe values, dataset/attribute coverage, and indexes computed once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scanner/model/arena.hpp"
#include "scanner/model/dataset.hpp"
#include "scanner/parsers/ad_time.hpp"
#include "scanner/parsers/guid.hpp"
#include "scanner/parsers/sid.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::model {

using AttrId = std::uint32_t;
using parsers::Guid;
using parsers::Sid;
using parsers::TimePoint;

struct CaseInsensitiveHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept;
};
struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

// Interned attribute names, compared case-insensitively; the first spelling seen is kept for display.
class AttrTable {
 public:
  AttrId intern(std::string_view name);
  std::optional<AttrId> find(std::string_view name) const;
  std::string_view name(AttrId id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, AttrId, CaseInsensitiveHash, CaseInsensitiveEqual> ids_;
};

// userAccountControl bits (MS-ADTS 2.2.16) the checks use.
namespace uac {
inline constexpr std::uint32_t kAccountDisable = 0x2;
inline constexpr std::uint32_t kPasswdNotReqd = 0x20;
inline constexpr std::uint32_t kEncryptedTextPwdAllowed = 0x80;
inline constexpr std::uint32_t kNormalAccount = 0x200;
inline constexpr std::uint32_t kInterdomainTrustAccount = 0x800;
inline constexpr std::uint32_t kWorkstationTrustAccount = 0x1000;
inline constexpr std::uint32_t kServerTrustAccount = 0x2000;
inline constexpr std::uint32_t kDontExpirePassword = 0x10000;
inline constexpr std::uint32_t kSmartcardRequired = 0x40000;
inline constexpr std::uint32_t kTrustedForDelegation = 0x80000;
inline constexpr std::uint32_t kNotDelegated = 0x100000;
inline constexpr std::uint32_t kUseDesKeyOnly = 0x200000;
inline constexpr std::uint32_t kDontReqPreauth = 0x400000;
inline constexpr std::uint32_t kTrustedToAuthForDelegation = 0x1000000;
inline constexpr std::uint32_t kPartialSecretsAccount = 0x4000000;
}  // namespace uac

class Snapshot;

// Where an entry came from, for error messages: "corp.ldif:1234".
struct Origin {
  std::uint32_t source = 0;  // index into Snapshot::sources()
  std::uint32_t line = 0;
};

class Entry {
 public:
  std::string_view dn() const { return dn_; }
  std::size_t index() const { return index_; }
  Origin origin() const { return origin_; }
  std::string where() const;  // "file:line"

  bool has(std::string_view attr) const { return !values(attr).empty(); }
  std::span<const std::string_view> values(std::string_view attr) const;
  std::optional<std::string_view> first(std::string_view attr) const;
  bool has_class(std::string_view object_class) const;  // an objectClass value, case-insensitive

  bool is_user() const { return (kind_ & kUser) && !(kind_ & kComputer); }  // person accounts (and gMSA/MSA)
  bool is_computer() const { return kind_ & kComputer; }
  bool is_account() const { return kind_ & (kUser | kComputer); }  // a security principal that can log on
  bool is_group() const { return kind_ & kGroup; }
  bool is_foreign_principal() const { return kind_ & kForeign; }

  // Typed views of the first value. nullopt: the attribute is absent. Error: present but unparseable
  // (a short SID, a bad timestamp): checks turn that into an evidence note, never a crash.
  Result<std::optional<std::int64_t>> integer(std::string_view attr) const;
  Result<std::optional<Sid>> sid(std::string_view attr = "objectSid") const;
  Result<std::optional<Guid>> guid(std::string_view attr = "objectGUID") const;
  Result<std::optional<TimePoint>> generalized_time(std::string_view attr) const;
  // integer8 FILETIME (pwdLastSet, lastLogonTimestamp); 0 and "never" (0x7FFF...) give nullopt.
  Result<std::optional<TimePoint>> filetime(std::string_view attr) const;

  // Convenience for the commonest typed reads; an unparseable value reads as absent.
  std::optional<std::uint32_t> uac() const;
  std::optional<Sid> object_sid() const;
  bool disabled() const;  // ACCOUNTDISABLE set
  // sAMAccountName, else cn/name, else the DN.
  std::string_view display_name() const;

  // Every attribute in storage order, with the spelling first seen for its name.
  template <class Fn>
  void for_each_attribute(Fn&& fn) const;

 private:
  friend class Snapshot;
  friend class SnapshotBuilder;
  struct Slot {
    AttrId id;
    std::uint32_t begin;
    std::uint32_t count;
  };
  enum : std::uint32_t { kUser = 1, kComputer = 2, kGroup = 4, kForeign = 8 };

  std::span<const Slot> slots() const { return {slots_, nslots_}; }

  // 64 bytes an entry; the slot and value tables live in the snapshot's arena (no heap block per entry).
  const Snapshot* snap_ = nullptr;
  std::string_view dn_;
  std::uint32_t index_ = 0;
  std::uint32_t kind_ = 0;
  Origin origin_;
  const Slot* slots_ = nullptr;  // sorted by id
  const std::string_view* values_ = nullptr;
  std::uint32_t nslots_ = 0;
};

// What one input said about itself (an LDIF file, or later a live connection).
struct SourceInfo {
  std::string name;                       // file path or ldap URI
  std::vector<std::string> requested;     // attributes the export requested ("*" for all user attributes)
  bool requested_known = false;           // a header told us what was requested
  std::size_t entries = 0;
  std::string base, filter;               // the search, when the source knows it (live LDAP)
  std::optional<Dataset> dataset;
};

struct DomainInfo {
  const Entry* head = nullptr;  // the domainDNS object at the NC root
  std::string dn;               // DC=corp,DC=example
  std::string dns_name;         // corp.example
  std::optional<Sid> sid;
  std::string netbios_name;     // from the configuration NC's crossRef, when present
};

class Privilege;
class DescriptorTable;
namespace entra {
class Tenant;
}

class Snapshot {
 public:
  Snapshot();
  ~Snapshot();
  Snapshot(Snapshot&&) noexcept;
  Snapshot& operator=(Snapshot&&) noexcept;

  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find_dn(std::string_view dn) const;  // case-insensitive
  const Entry* find_sid(const Sid& sid) const;
  const Entry& entry(std::size_t index) const { return entries_[index]; }

  const std::optional<DomainInfo>& domain() const { return domain_; }
  const Entry* configuration_head() const { return config_head_; }
  const std::vector<SourceInfo>& sources() const { return sources_; }

  const DatasetStatus& dataset(Dataset d) const;
  AttrCoverage attribute(std::string_view name) const;
  const AttrTable& attrs() const { return *attrs_; }

  // Tier-0 membership, computed once at build time.
  const Privilege& privilege() const { return *privilege_; }
  // Parsed nTSecurityDescriptor values, each distinct value once, computed at build time.
  const DescriptorTable& descriptors() const { return *descriptors_; }

  // The Entra ID tenant, when an Entra source was given (nullptr otherwise).
  const entra::Tenant* tenant() const { return tenant_.get(); }
  // Which platforms the scan has a source for.
  bool has_ad_source() const { return !sources_.empty(); }
  bool has_entra_source() const { return tenant_ != nullptr; }

  // Input-level notes worth showing the user (assumptions made, values skipped).
  const std::vector<std::string>& notes() const { return notes_; }
  const Arena& arena() const { return *arena_; }

 private:
  friend class SnapshotBuilder;
  std::unique_ptr<Arena> arena_;
  std::unique_ptr<AttrTable> attrs_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string_view, std::uint32_t, CaseInsensitiveHash, CaseInsensitiveEqual> by_dn_;
  std::unordered_map<Sid, std::uint32_t, parsers::SidHash> by_sid_;
  std::vector<bool> attr_seen_;
  std::map<std::string, AttrCoverage, std::less<>> coverage_override_;  // lower-case name
  bool star_requested_ = false;
  std::optional<DomainInfo> domain_;
  const Entry* config_head_ = nullptr;
  std::map<Dataset, DatasetStatus> datasets_;
  std::vector<SourceInfo> sources_;
  std::unique_ptr<Privilege> privilege_;
  std::unique_ptr<DescriptorTable> descriptors_;
  std::unique_ptr<entra::Tenant> tenant_;
  std::vector<std::string> notes_;
};

// Builds a snapshot from any source. Not thread-safe; one builder per scan.
class SnapshotBuilder {
 public:
  SnapshotBuilder();

  std::uint32_t add_source(SourceInfo info);
  // Starts an entry; attributes follow with add_value. Returns an error for a duplicate DN.
  Status begin_entry(std::string_view dn, Origin origin);
  // Adds one value to the current entry. Attribute options (";binary", ";range=0-1499") are stripped.
  void add_value(std::string_view attribute, std::string_view value);
  // From now on keeps only these attributes (case-insensitive) and drops every other value as it arrives,
  // so that a scan of an export holding more than the selected checks read (ldapsearch '*', ldifde)
  // holds what a live collection for the same checks would, in as little memory. Not calling it keeps all.
  void keep_only(const std::vector<std::string>& attributes);
  // Values dropped by keep_only.
  std::size_t dropped_values() const { return dropped_; }
  void end_entry();
  SourceInfo& source(std::uint32_t index) { return snap_.sources_[index]; }

  // A source reports that a dataset could not be fully collected.
  void mark_partial(Dataset d, std::string reason);
  void add_note(std::string note) { snap_.notes_.push_back(std::move(note)); }
  // The Entra half of the scan (from a Graph capture or a live collection).
  void set_tenant(entra::Tenant tenant);

  // Finishes: classifies entries, finds the domain, resolves coverage and privilege. Errors when the
  // input holds several domains (scan each domain separately).
  Result<Snapshot> finish() &&;

 private:
  Snapshot snap_;
  std::vector<std::pair<AttrId, std::string_view>> pending_;
  std::vector<bool> keep_;  // by AttrId, when filtering
  bool filtering_ = false;
  std::size_t dropped_ = 0;
  bool in_entry_ = false;
  std::map<Dataset, std::string> partial_;
};

template <class Fn>
void Entry::for_each_attribute(Fn&& fn) const {
  for (const auto& s : slots())
    fn(snap_->attrs().name(s.id), std::span<const std::string_view>(values_ + s.begin, s.count));
}

// Attributes that an LDAP "*" request does not return, or returns only to accounts allowed to read them:
// their absence never proves "no value" unless they were requested by name or seen.
bool attribute_needs_explicit_request(std::string_view name);

}  // namespace adpersist::model
