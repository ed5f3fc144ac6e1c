// Shared pieces of the Entra ID audit-log checks: activity-name matching, decoding of modifiedProperties
// (oldValue/newValue are JSON-encoded strings inside the JSON record), KeyDescription parsing, and the
// evidence every audit finding carries. Reads the tenant snapshot only.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/model/check_info.hpp"
#include "scanner/model/finding.hpp"
#include "scanner/model/tenant.hpp"

namespace adpersist::checks::entra_audit {

namespace me = model::entra;

// Said by every audit check's description.
inline constexpr std::string_view kRetentionNote =
    "Entra ID keeps directory audit records for 7 days (Free) or 30 days (P1/P2) unless they are exported, so "
    "the absence of an event is no proof that the change did not happen; the configuration checks report the "
    "resulting state independently of the log.";

// Activity names compared case-insensitively, with any run of spaces, dashes (-, U+2013, U+2014) and '?' between
// words treated as one separator: "Update application – Certificates and secrets management" equals
// "Update application - Certificates and secrets management" and Sparrow's "Update application ? Certificates...".
bool activity_is(std::string_view activity, std::string_view expected);
// The same comparison on whole leading words: "Add member to role in PIM completed (permanent)" starts with
// "Add member to role in PIM completed".
bool activity_starts_with(std::string_view activity, std::string_view prefix);

// A modified property's value decoded once more: the capture holds the JSON text Graph put in the string
// ("[\"Federated\"]"). Returns the JSON value; text that is not JSON is returned as a string; null/empty as null.
// A string whose content is itself a JSON array or object is decoded again (double-encoded values).
model::Json decode_value(std::string_view raw);
// The decoded value flattened to strings: an array's elements, a scalar as one item, null as none.
std::vector<std::string> values_of(std::string_view raw);
// The first flattened value, or "".
std::string first_value(std::string_view raw);

// The named property (case-insensitive) on a target, or on any target of the record.
const me::ModifiedProperty* find_property(const me::AuditTarget& t, std::string_view name);
const me::ModifiedProperty* find_property(const me::DirectoryAudit& a, std::string_view name);
// First flattened new value of the named property on any target ("" when absent).
std::string new_value(const me::DirectoryAudit& a, std::string_view name);

// One entry of a KeyDescription value: "[KeyIdentifier=<guid>,KeyType=Password,KeyUsage=Verify,DisplayName=<n>]".
// DisplayName may itself contain ',' and '=' ("CN=backup,O=Contoso"): it runs to the closing bracket.
struct KeyDescription {
  std::string key_id, type, usage, display_name;
};
std::optional<KeyDescription> parse_key_description(std::string_view text);
// Every entry of a KeyDescription old or new value (entries that do not parse are skipped).
std::vector<KeyDescription> key_descriptions(std::string_view raw);
// Entries of the new value whose KeyIdentifier is not in the old value (case-insensitive), and the reverse.
std::vector<KeyDescription> added_keys(const me::ModifiedProperty& p);
std::vector<KeyDescription> removed_keys(const me::ModifiedProperty& p);
model::Json to_json(const KeyDescription& k);

// The first target whose type is one of `types` (case-insensitive), or nullptr.
const me::AuditTarget* target_of_type(const me::DirectoryAudit& a, std::initializer_list<std::string_view> types);
// A finding resource for a target: application, servicePrincipal, user, group, domain (type "Other" with a
// display name and no id, as domain events are written), else the target's own type lower-cased.
model::Resource resource_of(const me::AuditTarget& t);
// {type, id, name} of every target, for evidence.
model::Json targets_json(const me::DirectoryAudit& a);
// Modified properties of a target: name, decoded old and new values, each truncated to `max_chars` characters
// of JSON text. "Included Updated Properties" (a list of the names) is left out.
model::Json modified_json(const me::AuditTarget& t, std::size_t max_chars = 200);

// Adds the evidence every audit finding carries: activity, time, actor, actor_ip, result, audit_id,
// correlation_id, logged_by_service.
void add_record_evidence(model::Finding& f, const me::DirectoryAudit& a);
// The documentation of those keys followed by a check's own (CheckInfo::evidence).
std::vector<model::EvidenceField> record_evidence_fields(std::initializer_list<model::EvidenceField> own);

// A failed attempt changes nothing: reported one severity level lower than a success (never below low).
model::Severity for_result(const me::DirectoryAudit& a, model::Severity success);
bool succeeded(const me::DirectoryAudit& a);

// Text cut to at most `max_chars` bytes on a UTF-8 boundary, with "..." appended when cut.
std::string truncate(std::string_view s, std::size_t max_chars);

}  // namespace adpersist::checks::entra_audit
