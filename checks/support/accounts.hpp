// Helpers shared by account checks: one way to describe an account in evidence and to grade severity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "checks/check.hpp"

namespace adpersist::checks {

// Adds the evidence every account finding carries: enabled, tier-0 status and privileged groups.
void add_account_evidence(model::Finding& f, const model::Entry& e, const model::Privilege& p);
// Lowers the severity one step for a disabled account (it cannot log on until re-enabled).
void lower_if_disabled(model::Finding& f, const model::Entry& e);
// A finding for an account whose userAccountControl carries a flag the check is about: key `key`,
// message "<computer|user> <what>", the flags and the account evidence, and `tier0_severity` when the
// account is tier 0. Callers add check-specific evidence and severity rules after it.
model::Finding& add_flagged_account(model::Findings& out, const model::Entry& e, std::uint32_t uac,
                                    std::string key, std::string_view what, const model::Privilege& p,
                                    model::Severity tier0_severity);
// userAccountControl as hex "0x00080200" for evidence.
std::string uac_hex(std::uint32_t uac);
// A short timestamp-or-never rendering for evidence.
std::string time_or_never(const std::optional<model::TimePoint>& t);

}  // namespace adpersist::checks
