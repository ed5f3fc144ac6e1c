#include "checks/support/domain_trusts.hpp"

#include <array>
#include <cstdio>

#include "checks/support/domain_sids.hpp"

namespace adpersist::checks {

std::vector<TrustInfo> read_trusts(const model::Snapshot& snap, model::Findings* notes) {
  std::vector<TrustInfo> out;
  auto note = [&](const Error& e) {
    if (notes) notes->note(e.describe());
  };
  for (const auto& e : snap.entries()) {
    if (!e.has_class("trustedDomain")) continue;
    TrustInfo t;
    t.entry = &e;
    t.partner =
        std::string(e.first("trustPartner").value_or(e.first("cn").value_or(first_rdn_value(e.dn()))));
    t.flat_name = std::string(e.first("flatName").value_or(""));
    if (auto s = e.sid("securityIdentifier"); s.ok())
      t.sid = s.value();
    else
      note(s.error());
    if (auto d = flags_attribute(e, "trustDirection"); d.ok())
      t.direction = d.value();
    else
      note(d.error());
    if (auto ty = flags_attribute(e, "trustType"); ty.ok())
      t.type = ty.value();
    else
      note(ty.error());
    if (auto a = flags_attribute(e, "trustAttributes"); a.ok())
      t.attributes = a.value();
    else
      note(a.error());
    out.push_back(std::move(t));
  }
  return out;
}

const TrustInfo* find_trust(const std::vector<TrustInfo>& trusts, const model::Sid& domain_sid) {
  for (const auto& t : trusts)
    if (t.sid && *t.sid == domain_sid) return &t;
  return nullptr;
}

std::string trust_direction_name(std::uint32_t direction) {
  switch (direction) {
    case 0:
      return "disabled";
    case 1:
      return "inbound";
    case 2:
      return "outbound";
    case 3:
      return "bidirectional";
    default:
      return "unknown (" + std::to_string(direction) + ")";
  }
}

std::string trust_type_name(std::uint32_t type) {
  switch (type) {
    case 1:
      return "downlevel";
    case 2:
      return "uplevel";
    case 3:
      return "mit";
    case 4:
      return "dce";
    case 5:
      return "aad";
    default:
      return "unknown (" + std::to_string(type) + ")";
  }
}

std::vector<std::string> trust_attribute_names(std::uint32_t attributes) {
  struct Bit {
    std::uint32_t bit;
    const char* name;
  };
  static constexpr std::array<Bit, 15> kBits = {{
      {trust::kNonTransitive, "NON_TRANSITIVE"},
      {trust::kUplevelOnly, "UPLEVEL_ONLY"},
      {trust::kQuarantinedDomain, "QUARANTINED_DOMAIN"},
      {trust::kForestTransitive, "FOREST_TRANSITIVE"},
      {trust::kCrossOrganization, "CROSS_ORGANIZATION"},
      {trust::kWithinForest, "WITHIN_FOREST"},
      {trust::kTreatAsExternal, "TREAT_AS_EXTERNAL"},
      {trust::kUsesRc4Encryption, "USES_RC4_ENCRYPTION"},
      {trust::kUsesAesKeys, "USES_AES_KEYS"},
      {trust::kCrossOrganizationNoTgtDelegation, "CROSS_ORGANIZATION_NO_TGT_DELEGATION"},
      {trust::kPimTrust, "PIM_TRUST"},
      {trust::kCrossOrganizationEnableTgtDelegation, "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION"},
      {0x1000, "DISABLE_AUTH_TARGET_VALIDATION"},
      {0x400000, "TREE_PARENT"},
      {0x800000, "TREE_ROOT"},
  }};
  std::vector<std::string> out;
  std::uint32_t rest = attributes;
  for (const auto& b : kBits) {
    if (attributes & b.bit) out.emplace_back(b.name);
    rest &= ~b.bit;
  }
  for (std::uint32_t bit = 1; rest; bit <<= 1) {
    if (!(rest & bit)) continue;
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", bit);
    out.emplace_back(buf);
    rest &= ~bit;
  }
  return out;
}

}  // namespace adpersist::checks
