#include "scanner/model/snapshot.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <new>

#include "scanner/model/descriptors.hpp"
#include "scanner/model/privilege.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::model {

std::size_t CaseInsensitiveHash::operator()(std::string_view s) const noexcept {
  std::size_t h = 1469598103934665603ULL;  // FNV-1a over lower-cased bytes
  for (char c : s) h = (h ^ static_cast<unsigned char>(util::ascii_lower(c))) * 1099511628211ULL;
  return h;
}

bool CaseInsensitiveEqual::operator()(std::string_view a, std::string_view b) const noexcept {
  return util::iequals(a, b);
}

AttrId AttrTable::intern(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  const auto id = static_cast<AttrId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

std::optional<AttrId> AttrTable::find(std::string_view name) const {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------- Entry

std::string Entry::where() const {
  const auto& srcs = snap_->sources();
  std::string s = origin_.source < srcs.size() ? srcs[origin_.source].name : std::string("?");
  if (origin_.line) s += ":" + std::to_string(origin_.line);
  return s;
}

namespace {
// Checks ask every entry for the same few attributes, spelled as string literals: a small per-thread cache,
// slotted by the spelling's address and length, saves the case-insensitive hash lookup. A hit is verified
// (the id must name this spelling in this table), so a reused address can never return a wrong id; names
// the table does not hold are not cached.
std::optional<AttrId> find_attr(const AttrTable& table, std::string_view name) {
  struct Slot {
    const AttrTable* table = nullptr;
    const char* data = nullptr;
    std::size_t size = 0;
    AttrId id = 0;
  };
  thread_local std::array<Slot, 64> cache;
  auto& slot = cache[(reinterpret_cast<std::uintptr_t>(name.data()) >> 3 ^ name.size()) % cache.size()];
  if (slot.table == &table && slot.data == name.data() && slot.size == name.size() && slot.id < table.size() &&
      util::iequals(table.name(slot.id), name))
    return slot.id;
  auto id = table.find(name);
  if (id) slot = {&table, name.data(), name.size(), *id};
  return id;
}
}  // namespace

std::span<const std::string_view> Entry::values(std::string_view attr) const {
  auto id = find_attr(snap_->attrs(), attr);
  if (!id) return {};
  for (const auto& s : slots())
    if (s.id == *id) return {values_ + s.begin, s.count};
  return {};
}

std::optional<std::string_view> Entry::first(std::string_view attr) const {
  auto v = values(attr);
  if (v.empty()) return std::nullopt;
  return v.front();
}

bool Entry::has_class(std::string_view cls) const {
  for (auto v : values("objectClass"))
    if (util::iequals(v, cls)) return true;
  return false;
}

namespace {
Error value_error(const Entry& e, std::string_view attr, const Error& inner) {
  return make_error(inner.code, inner.message, std::string(e.dn()) + " attribute " + std::string(attr));
}
}  // namespace

Result<std::optional<std::int64_t>> Entry::integer(std::string_view attr) const {
  auto v = first(attr);
  if (!v) return std::optional<std::int64_t>{};
  if (auto n = util::parse_int(*v)) return std::optional<std::int64_t>{*n};
  return value_error(*this, attr,
                     make_error(ErrorCode::invalid_input,
                                "'" + util::sanitize_for_terminal(v->substr(0, 40)) + "' is not an integer"));
}

Result<std::optional<Sid>> Entry::sid(std::string_view attr) const {
  auto v = first(attr);
  if (!v) return std::optional<Sid>{};
  auto s = parsers::parse_sid_any(*v);
  if (!s) return value_error(*this, attr, s.error());
  return std::optional<Sid>{s.value()};
}

Result<std::optional<Guid>> Entry::guid(std::string_view attr) const {
  auto v = first(attr);
  if (!v) return std::optional<Guid>{};
  auto g = parsers::parse_guid_any(*v);
  if (!g) return value_error(*this, attr, g.error());
  return std::optional<Guid>{g.value()};
}

Result<std::optional<TimePoint>> Entry::generalized_time(std::string_view attr) const {
  auto v = first(attr);
  if (!v) return std::optional<TimePoint>{};
  auto t = parsers::parse_generalized_time(*v);
  if (!t) return value_error(*this, attr, t.error());
  return std::optional<TimePoint>{t.value()};
}

Result<std::optional<TimePoint>> Entry::filetime(std::string_view attr) const {
  auto v = first(attr);
  if (!v) return std::optional<TimePoint>{};
  auto t = parsers::parse_filetime_text(*v);
  if (!t) return value_error(*this, attr, t.error());
  return t.value();
}

std::optional<std::uint32_t> Entry::uac() const {
  auto v = integer("userAccountControl");
  if (!v.ok() || !v.value()) return std::nullopt;
  const auto n = *v.value();
  // AD returns the 32-bit flags as a signed or unsigned decimal depending on the tool.
  if (n < INT32_MIN || n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

std::optional<Sid> Entry::object_sid() const {
  auto s = sid("objectSid");
  if (!s.ok()) return std::nullopt;
  return s.value();
}

bool Entry::disabled() const { return uac().value_or(0) & uac::kAccountDisable; }

std::string_view Entry::display_name() const {
  for (auto a : {"sAMAccountName", "cn", "name"})
    if (auto v = first(a)) return *v;
  return dn_;
}

// ------------------------------------------------------------------------------------------- Snapshot

void SnapshotBuilder::set_tenant(entra::Tenant tenant) {
  snap_.tenant_ = std::make_unique<entra::Tenant>(std::move(tenant));
}

Snapshot::Snapshot()
    : arena_(std::make_unique<Arena>()),
      attrs_(std::make_unique<AttrTable>()),
      descriptors_(std::make_unique<DescriptorTable>()) {}
Snapshot::~Snapshot() = default;
Snapshot::Snapshot(Snapshot&& o) noexcept { *this = std::move(o); }
Snapshot& Snapshot::operator=(Snapshot&& o) noexcept {
  arena_ = std::move(o.arena_);
  attrs_ = std::move(o.attrs_);
  entries_ = std::move(o.entries_);
  by_dn_ = std::move(o.by_dn_);
  by_sid_ = std::move(o.by_sid_);
  attr_seen_ = std::move(o.attr_seen_);
  coverage_override_ = std::move(o.coverage_override_);
  star_requested_ = o.star_requested_;
  domain_ = std::move(o.domain_);
  config_head_ = o.config_head_;
  datasets_ = std::move(o.datasets_);
  sources_ = std::move(o.sources_);
  privilege_ = std::move(o.privilege_);
  descriptors_ = std::move(o.descriptors_);
  tenant_ = std::move(o.tenant_);
  notes_ = std::move(o.notes_);
  for (auto& e : entries_) e.snap_ = this;  // entries point back at their snapshot
  return *this;
}

const Entry* Snapshot::find_dn(std::string_view dn) const {
  auto it = by_dn_.find(dn);
  return it == by_dn_.end() ? nullptr : &entries_[it->second];
}

const Entry* Snapshot::find_sid(const Sid& sid) const {
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? nullptr : &entries_[it->second];
}

const DatasetStatus& Snapshot::dataset(Dataset d) const {
  if (platform_of(d) == Platform::entra) {
    static const DatasetStatus kNoTenant{DatasetState::missing,
                                         "no Entra ID source was given (--graph-dir DIR, or --tenant for a live scan)"};
    return tenant_ ? tenant_->dataset(d) : kNoTenant;
  }
  static const DatasetStatus kMissing{DatasetState::missing, "not collected"};
  auto it = datasets_.find(d);
  return it == datasets_.end() ? kMissing : it->second;
}

bool attribute_needs_explicit_request(std::string_view name) {
  static constexpr std::string_view kExplicit[] = {
      // Not returned for "*" (operational / constructed / security descriptor).
      "nTSecurityDescriptor", "replPropertyMetaData", "msDS-ReplAttributeMetaData", "msDS-ReplValueMetaData",
      "msDS-User-Account-Control-Computed", "tokenGroups", "msDS-KeyVersionNumber",
      // Readable only by some accounts: "*" from an ordinary account silently omits them.
      "msDS-KeyCredentialLink", "userPassword", "unixUserPassword", "msSFU30Password", "ms-Mcs-AdmPwd",
      "msLAPS-Password", "msLAPS-EncryptedPassword", "msDS-ManagedPassword"};
  for (auto e : kExplicit)
    if (util::iequals(e, name)) return true;
  return false;
}

AttrCoverage Snapshot::attribute(std::string_view name) const {
  if (auto id = attrs_->find(name); id && *id < attr_seen_.size() && attr_seen_[*id]) return AttrCoverage::collected;
  if (auto it = coverage_override_.find(util::to_lower(name)); it != coverage_override_.end()) return it->second;
  if (star_requested_ && !attribute_needs_explicit_request(name)) return AttrCoverage::collected;
  bool any_known = false;
  for (const auto& s : sources_) any_known |= s.requested_known;
  return any_known ? AttrCoverage::not_collected : AttrCoverage::unknown;
}

// ------------------------------------------------------------------------------------------- Builder

SnapshotBuilder::SnapshotBuilder() = default;

std::uint32_t SnapshotBuilder::add_source(SourceInfo info) {
  snap_.sources_.push_back(std::move(info));
  return static_cast<std::uint32_t>(snap_.sources_.size() - 1);
}

Status SnapshotBuilder::begin_entry(std::string_view dn, Origin origin) {
  if (in_entry_) end_entry();
  if (auto it = snap_.by_dn_.find(dn); it != snap_.by_dn_.end()) {
    const auto& prev = snap_.entries_[it->second];
    return make_error(ErrorCode::invalid_input, "entry '" + util::sanitize_for_terminal(dn) +
                                                    "' appears twice (first at " + prev.where() + ")");
  }
  Entry e;
  e.snap_ = &snap_;
  e.dn_ = snap_.arena_->store(dn);
  if (snap_.entries_.size() >= std::numeric_limits<std::uint32_t>::max())
    return make_error(ErrorCode::unsupported, "more than 4,294,967,294 entries in one snapshot");
  e.index_ = static_cast<std::uint32_t>(snap_.entries_.size());
  e.origin_ = origin;
  snap_.by_dn_.emplace(e.dn_, e.index_);
  snap_.entries_.push_back(std::move(e));
  snap_.sources_[origin.source].entries++;
  pending_.clear();
  in_entry_ = true;
  return ok_status();
}

void SnapshotBuilder::add_value(std::string_view attribute, std::string_view value) {
  if (auto semi = attribute.find(';'); semi != std::string_view::npos) attribute = attribute.substr(0, semi);
  const AttrId id = snap_.attrs_->intern(attribute);
  if (filtering_ && (id >= keep_.size() || !keep_[id])) {
    ++dropped_;
    return;
  }
  pending_.emplace_back(id, snap_.arena_->store(value));
}

void SnapshotBuilder::keep_only(const std::vector<std::string>& attributes) {
  filtering_ = true;
  for (const auto& a : attributes) {
    const AttrId id = snap_.attrs_->intern(a);
    if (keep_.size() <= id) keep_.resize(id + 1, false);
    keep_[id] = true;
  }
}

void SnapshotBuilder::end_entry() {
  if (!in_entry_) return;
  in_entry_ = false;
  Entry& e = snap_.entries_.back();
  std::stable_sort(pending_.begin(), pending_.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::size_t nslots = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) nslots += i == 0 || pending_[i].first != pending_[i - 1].first;
  auto* values = snap_.arena_->allocate<std::string_view>(pending_.size());
  auto* slots = snap_.arena_->allocate<Entry::Slot>(nslots);
  std::size_t k = 0;
  for (std::size_t i = 0; i < pending_.size();) {
    std::size_t j = i;
    for (; j < pending_.size() && pending_[j].first == pending_[i].first; ++j)
      new (values + j) std::string_view(pending_[j].second);
    new (slots + k++) Entry::Slot{pending_[i].first, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j - i)};
    if (snap_.attr_seen_.size() <= pending_[i].first) snap_.attr_seen_.resize(pending_[i].first + 1, false);
    snap_.attr_seen_[pending_[i].first] = true;
    i = j;
  }
  e.values_ = values;
  e.slots_ = slots;
  e.nslots_ = static_cast<std::uint32_t>(nslots);
  pending_.clear();
}

void SnapshotBuilder::mark_partial(Dataset d, std::string reason) { partial_[d] = std::move(reason); }

namespace {
// "DC=corp,DC=example" → "corp.example"; empty when the DN is not made only of DC= components.
std::string dns_name_of(std::string_view dn) {
  std::string out;
  for (auto part : util::split(dn, ',')) {
    part = util::trim(part);
    if (!util::istarts_with(part, "DC=")) return {};
    if (!out.empty()) out += '.';
    out += util::to_lower(part.substr(3));
  }
  return out;
}
}  // namespace

Result<Snapshot> SnapshotBuilder::finish() && {
  end_entry();
  Snapshot& s = snap_;

  // Classify entries and index SIDs.
  for (auto& e : s.entries_) {
    for (auto v : e.values("objectClass")) {
      if (util::iequals(v, "user")) e.kind_ |= Entry::kUser;
      else if (util::iequals(v, "computer")) e.kind_ |= Entry::kComputer;
      else if (util::iequals(v, "group")) e.kind_ |= Entry::kGroup;
      else if (util::iequals(v, "foreignSecurityPrincipal")) e.kind_ |= Entry::kForeign;
    }
    if (auto sid = e.object_sid()) s.by_sid_.emplace(*sid, e.index_);
  }

  // The domain head: a domainDNS object whose DN is only DC= components.
  for (const auto& e : s.entries_) {
    if (e.has_class("domainDNS") && !dns_name_of(e.dn()).empty()) {
      if (s.domain_)
        return make_error(ErrorCode::unsupported,
                          "the input holds two domains (" + s.domain_->dn + " at " + s.domain_->head->where() +
                              " and " + std::string(e.dn()) + " at " + e.where() +
                              "); scan each domain separately");
      DomainInfo d;
      d.head = &e;
      d.dn = std::string(e.dn());
      d.dns_name = dns_name_of(e.dn());
      auto sid = e.sid("objectSid");
      if (!sid.ok()) return make_error(ErrorCode::invalid_input, sid.error().message, e.where() + ": " + d.dn);
      d.sid = sid.value();
      s.domain_ = std::move(d);
    }
    if (e.has_class("configuration") && util::istarts_with(e.dn(), "CN=Configuration,")) s.config_head_ = &e;
  }

  // The NetBIOS name lives on the domain's crossRef in CN=Partitions of the configuration NC.
  if (s.domain_ && s.config_head_) {
    for (const auto& e : s.entries_)
      if (e.has_class("crossRef") && util::iequals(e.first("nCName").value_or(""), s.domain_->dn))
        if (auto nb = e.first("nETBIOSName")) s.domain_->netbios_name = std::string(*nb);
  }

  // Dataset status.
  auto status = [&](Dataset d, bool present, std::string missing_reason) {
    if (auto it = partial_.find(d); it != partial_.end())
      s.datasets_[d] = {DatasetState::partial, it->second};
    else if (present)
      s.datasets_[d] = {DatasetState::ok, {}};
    else
      s.datasets_[d] = {DatasetState::missing, std::move(missing_reason)};
  };
  status(Dataset::domain, s.domain_.has_value(),
         "the input has no domain naming context head (an object with objectClass domainDNS at DC=...); "
         "export the domain NC with scope subtree");
  status(Dataset::configuration, s.config_head_ != nullptr,
         "the input has no configuration naming context (CN=Configuration,...); export it too (see README)");

  // Coverage: "*" plus any explicitly requested attribute.
  for (const auto& src : s.sources_) {
    for (const auto& a : src.requested) {
      if (a == "*") s.star_requested_ = true;
      else if (a != "+" && a != "1.1") s.coverage_override_[util::to_lower(a)] = AttrCoverage::collected;
    }
  }

  s.privilege_ = std::make_unique<Privilege>(Privilege::compute(s));
  s.descriptors_ = std::make_unique<DescriptorTable>(DescriptorTable::build(s));
  return std::move(snap_);
}

}  // namespace adpersist::model
