// The scan result as plain data: what every writer renders and what the JSON report stores. It carries
// the advisory fields each finding needs, so writers never consult the registry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanner/model/check_info.hpp"
#include "scanner/model/finding.hpp"

namespace adpersist::model {

inline constexpr const char* kReportSchemaVersion = "1.0.0";

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

struct ReportFinding {
  Finding finding;
  std::string title, category, remediation;
  std::vector<std::string> attack, references;
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

  // A source failed or a check was not evaluated / errored.
  bool incomplete() const;
  // Some finding is at or above fail_on.
  bool gate_tripped() const;
  // 0 complete and clean, 1 gate tripped, 3 incomplete (outranks findings).
  int exit_code() const;
  std::vector<std::size_t> count_by_severity() const;  // indexed by Severity
};

Json to_json(const Report& r);

}  // namespace adpersist::model
