// Runs the selected checks over a snapshot: gates each check on its data needs, isolates failures (one
// check that throws is one error outcome), fingerprints and orders the findings, builds the Report.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "scanner/engine/check.hpp"
#include "scanner/model/report.hpp"

namespace adpersist::engine {

struct ScanOptions {
  model::TimePoint now;
  std::chrono::seconds recent_window{30 * 86400};
  std::optional<model::Severity> fail_on = model::Severity::high;
  const model::IocSet* ioc = nullptr;  // --ioc
};

// Why `check` cannot run on `snap` (a dataset missing or partial, an attribute not collected), or empty.
std::string unmet_needs(const model::CheckInfo& info, const model::Snapshot& snap);

// finding_id: sha256 over check id, platform, domain SID, the resource's immutable id and the evidence
// key; no names or timestamps, so a rename is not "new".
std::string fingerprint(const model::Finding& f, std::string_view platform, std::string_view domain_sid);

// Runs the checks and returns the report (run times are left for the caller to set).
model::Report run_scan(const model::Snapshot& snap, const std::vector<const Check*>& checks,
                       const ScanOptions& options);

}  // namespace adpersist::engine
