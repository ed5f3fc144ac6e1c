// Helpers shared by account checks: one way to describe an account in evidence and to grade severity.
#pragma once

#include <string>

#include "checks/check.hpp"

namespace adpersist::checks {

// Adds the evidence every account finding carries: enabled, tier-0 status and privileged groups.
void add_account_evidence(model::Finding& f, const model::Entry& e, const model::Privilege& p);
// Lowers the severity one step for a disabled account (it cannot log on until re-enabled).
void lower_if_disabled(model::Finding& f, const model::Entry& e);
// userAccountControl as hex "0x00080200" for evidence.
std::string uac_hex(std::uint32_t uac);
// A short timestamp-or-never rendering for evidence.
std::string time_or_never(const std::optional<model::TimePoint>& t);

}  // namespace adpersist::checks
