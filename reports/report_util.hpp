// Small helpers the report writers share: UTF-8 repair, times, ATT&CK ids, targets, severity numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scanner/model/report.hpp"

namespace adpersist::reports::detail {

// The bytes with every invalid UTF-8 sequence replaced by U+FFFD (directory strings are arbitrary bytes).
std::string valid_utf8(std::string_view s);

// An RFC 3339 time from the report as epoch milliseconds; nullopt when empty or unparsable.
std::optional<std::int64_t> epoch_millis(const std::string& rfc3339);

// "T1003.006" → technique "T1003", sub-technique "T1003.006"; "T1098" → technique "T1098", no sub-technique.
struct AttackId {
  std::string technique, sub_technique;
};
AttackId split_attack(const std::string& id);
// https://attack.mitre.org/techniques/T1003/006/
std::string attack_url(const std::string& id);

// OCSF severity_id (1 Informational … 5 Critical); ECS event.severity uses the same numbers.
int severity_number(model::Severity s);
// "Informational", "Low", "Medium", "High", "Critical" (OCSF captions).
std::string_view severity_caption(model::Severity s);

// The target of a check's platform ("entra.x" → the tenant), else the first target, else nullptr.
const model::Target* target_of(const model::Report& r, const std::string& check_id);
// A target's name for humans and for HEC `host`: the domain's DNS name or the tenant's id.
std::string target_name(const model::Target* t);

}  // namespace adpersist::reports::detail
