// The baseline: machine state, "what was there when someone last accepted the findings". A scan compared
// with it marks each finding new or unchanged and lists the accepted findings that are gone (resolved).
// Findings are matched by finding_id, which hashes the object's immutable id (objectGUID / SID / Graph
// object id) and the evidence key, never names: a renamed or moved object stays unchanged, while a second
// key on the same account is a new finding.
//
// The file is written atomically (temporary file, fsync, rename, fsync of the directory) under an
// exclusive lock, so two runs never interleave; a file that exists but cannot be read as a baseline is an
// error, never an empty baseline (a corrupt file read as empty would make every finding "new" and, with
// --update-baseline, silently replace the accepted state).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/model/report.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::policy {

inline constexpr const char* kBaselineFormat = "adpersist-baseline";
inline constexpr int kBaselineVersion = 1;

struct BaselineTarget {
  std::string platform;  // ad, entra
  std::string id;        // the domain SID or the tenant id
  std::string name;      // DNS domain / tenant display name, for people reading the file
};

struct BaselineEntry {
  std::string finding_id, check_id, title, message, first_seen;
  model::Severity severity = model::Severity::info;
  model::Resource resource;
};

struct Baseline {
  std::string created_at;  // RFC 3339: when this version was accepted
  std::string tool_version;
  std::vector<BaselineTarget> targets;
  std::vector<BaselineEntry> findings;  // sorted by finding_id
};

model::Json to_json(const Baseline& b);
Result<Baseline> baseline_from_json(const model::Json& j, const std::string& source);

// nullopt: no file at `path` (nothing accepted yet). An unreadable or malformed file is an error.
Result<std::optional<Baseline>> read_baseline(const std::string& path);
Status write_baseline(const std::string& path, const Baseline& b);

// The lock that serialises every read-modify-write of `path` ("<path>.lock").
Result<util::FileLock> lock_baseline(const std::string& path, int timeout_s = 120);

// The targets of a report as baseline targets (platform + domain SID / tenant id).
std::vector<BaselineTarget> targets_of(const model::Report& r);

// The platform of a check id ("entra.x" → "entra").
std::string platform_of_check(std::string_view check_id);

// Marks every finding of `r` whose platform is in `platforms` (all when empty) new or unchanged against `b`
// (nullptr: nothing accepted yet, all new), sets first_seen, and appends to r.resolved the entries of `b` that
// are gone — only for checks that ran to completion in this run (a check that was not evaluated or not
// selected proves nothing about its findings).
void compare_with_baseline(model::Report& r, const Baseline* b, const std::vector<std::string>& platforms = {});

// The baseline to store after run `r`: its findings (of `platforms`, all when empty), keeping first_seen from
// `previous`, plus the previous entries of checks this run did not complete (so a partial or --checks run never
// forgets what was accepted).
Baseline baseline_from_report(const model::Report& r, const Baseline* previous,
                              const std::vector<std::string>& platforms = {});

// --baseline auto: the state root ($STATE_DIRECTORY, else /var/lib/adpersist as root, else
// $XDG_STATE_HOME/adpersist, else ~/.local/state/adpersist) and the per-target file under it
// (targets/<domain-sid|tenant-id>/baseline.json).
Result<std::string> state_root();
Result<std::string> auto_baseline_path(const std::string& root, const BaselineTarget& t);

// The whole baseline step of a run. `spec` is a file or "auto" (one file per target under state_root()).
// With `compare`, marks r's findings and fills r.baseline and r.resolved; with `update`, stores the baseline of
// r. Each file is locked from its read to its write. Returns lines for stderr (first run, where it was written).
Result<std::vector<std::string>> run_baseline(model::Report& r, const std::string& spec, bool compare, bool update);

}  // namespace adpersist::policy
