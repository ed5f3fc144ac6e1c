#include "checks/support/accounts.hpp"

#include <cstdio>

namespace adpersist::checks {

void add_account_evidence(model::Finding& f, const model::Entry& e, const model::Privilege& p) {
  f.add("enabled", !e.disabled());
  f.add("tier0", p.is_tier0(e));
  auto groups = p.describe(e);
  if (!groups.empty()) f.add("privileged_groups", groups);
}

void lower_if_disabled(model::Finding& f, const model::Entry& e) {
  if (e.disabled()) f.set_severity(model::lower(f.severity));
}

model::Finding& add_flagged_account(model::Findings& out, const model::Entry& e, std::uint32_t uac,
                                    std::string key, std::string_view what, const model::Privilege& p,
                                    model::Severity tier0_severity) {
  auto& f = out.add(e).set_key(std::move(key));
  f.set_message(std::string(e.is_computer() ? "computer " : "user ") + std::string(what));
  f.add("userAccountControl", uac_hex(uac));
  add_account_evidence(f, e, p);
  if (p.is_tier0(e)) f.set_severity(tier0_severity);
  return f;
}

std::string uac_hex(std::uint32_t uac) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", uac);
  return buf;
}

std::string time_or_never(const std::optional<model::TimePoint>& t) {
  return t ? parsers::format_rfc3339(*t) : std::string("never");
}

}  // namespace adpersist::checks
