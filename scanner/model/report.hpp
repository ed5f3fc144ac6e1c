// The scan result as plain data: what every writer renders and what the JSON report stores. It carries
// the advisory fields each finding needs, so writers never consult the registry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/model/check_info.hpp"
#include "scanner/model/finding.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::model {

// 1.1.0 added status, baseline_state, first_seen and suppression on findings, and baseline, resolved and
// suppressions at the top level (a minor version: readers of 1.0.0 reports keep working).
inline constexpr const char* kReportSchemaVersion = "1.1.0";

enum class CheckStatus { passed, failed, not_evaluated, error };
std::string_view to_string(CheckStatus s);

struct CheckResult {
  std::string id, title, category;
  Severity severity = Severity::info;  // the check's default
  CheckStatus status = CheckStatus::passed;
  std::string reason;                  // not_evaluated / error: why
  std::size_t findings = 0;
  std::vector<std::string> notes;      // values that could not be read, and similar
};

// Why a finding is suppressed: the suppression entry that matched it (docs/suppressions).
struct Suppression {
  std::string rule;  // where the entry is: "FILE entry 3 (line 12)"
  std::string reason, owner, expires;  // expires: YYYY-MM-DD (the last day it suppresses, UTC)
};

enum class BaselineState { none, new_finding, unchanged };  // none: no --baseline
std::string_view to_string(BaselineState s);  // "", "new", "unchanged"

struct ReportFinding {
  Finding finding;
  std::string title, category, remediation;
  std::vector<std::string> attack, references;
  BaselineState baseline_state = BaselineState::none;
  std::string first_seen;  // RFC 3339: from the baseline when unchanged, else this run's `now` (when a baseline is used)
  std::optional<Suppression> suppression;
  bool suppressed() const { return suppression.has_value(); }
};

// A finding the baseline holds that this run did not find.
struct ResolvedFinding {
  std::string finding_id, check_id, title, message, first_seen;
  Severity severity = Severity::info;
  Resource resource;
};

struct BaselineInfo {
  std::string source;      // the file (or files, one per target, for --baseline auto)
  std::string created_at;  // RFC 3339, empty when no baseline existed yet
  std::size_t findings = 0;
  bool existed = true;     // false: first run, nothing accepted yet (every finding is new)
};

// One entry of the suppressions file and what became of it in this run.
struct SuppressionStatus {
  std::string rule;  // "FILE entry N (line L)"
  std::string check, object, finding_id, reason, owner, expires;
  std::string state;    // active, expired, invalid
  std::string problem;  // invalid/expired: why
  std::size_t matched = 0;
};

struct Target {
  std::string platform = "ad";
  std::string domain;      // DNS name
  std::string domain_dn;
  std::string domain_sid;
  std::string netbios_name;
  std::string tenant_id;    // entra: the directory (tenant) id
  std::string tenant_name;  // entra: the organization's display name
  std::vector<std::string> sources;
};

struct DatasetResult {
  std::string name, state, reason;
};

struct Report {
  std::string tool_version;
  std::string started_at, finished_at, now;  // RFC 3339
  std::int64_t since_seconds = 0;
  std::optional<Severity> fail_on;  // nullopt: "none"
  std::vector<Target> targets;
  std::vector<DatasetResult> datasets;
  std::vector<CheckResult> checks;
  std::vector<ReportFinding> findings;  // sorted: severity desc, check id, resource dn, finding id
  std::vector<std::string> notes;
  std::optional<BaselineInfo> baseline;          // set by --baseline
  std::vector<ResolvedFinding> resolved;         // in the baseline, gone now
  bool fail_on_new = false;                      // the gate counts only new findings
  std::vector<SuppressionStatus> suppressions;   // --suppressions entries, valid or not

  // A source failed or a check was not evaluated / errored.
  bool incomplete() const;
  // The finding counts for the gate: not suppressed, at or above fail_on, and new when fail_on_new.
  bool trips_gate(const ReportFinding& f) const;
  // Some finding trips the gate.
  bool gate_tripped() const;
  // 0 complete and clean, 1 gate tripped, 3 incomplete (outranks findings).
  int exit_code() const;
  std::vector<std::size_t> count_by_severity() const;  // indexed by Severity
  std::size_t count_baseline(BaselineState s) const;
  std::size_t count_suppressed() const;
};

Json to_json(const Report& r);
Json to_json(const Resource& r);

// The report back from its JSON (schema 1.x): what `report`, `diff` and `baseline accept` read. `source`
// names the file in errors ("report.json: findings[3].severity: ...").
Result<Report> report_from_json(const Json& j, const std::string& source);
Result<Report> read_report_file(const std::string& path);

}  // namespace adpersist::model
