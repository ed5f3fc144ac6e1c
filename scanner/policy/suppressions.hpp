// Suppressions: human policy ("this finding is accepted until DATE, by OWNER, because REASON"), kept apart
// from the baseline (machine state). A suppressed finding stays in every output, marked, and never trips the
// gate; an expired or malformed entry suppresses nothing and is reported on stderr (docs/suppressions.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "scanner/model/report.hpp"
#include "scanner/model/snapshot.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::policy {

struct SuppressionEntry {
  std::size_t index = 0;  // 1-based position in the file's list
  std::size_t line = 0;   // 1-based line in the file (0 when unknown)
  std::string check;       // exact check id; no wildcards
  std::string object;      // objectGUID, SID, DN (case-insensitive) or Graph object id; or empty with finding_id
  std::string finding_id;  // one exact finding (32 lower-case hex digits)
  std::string reason, owner, expires;  // expires: YYYY-MM-DD, the last day (UTC) it suppresses
  std::string problem;     // non-empty: the entry is malformed and suppresses nothing
  std::vector<std::string> warnings;   // valid but worth a look: a duplicate, an expiry more than a year out
  std::chrono::sys_days expires_day{};  // `expires` parsed (meaningful only when problem is empty)
};

struct SuppressionFile {
  std::string path;
  std::vector<SuppressionEntry> entries;
};

// Expiry more than this far ahead is allowed but warned about: an acceptance should be reviewed yearly.
inline constexpr int kMaxReviewDays = 365;
// Entries expiring within this many days get a "renew or fix" warning.
inline constexpr int kExpiringSoonDays = 30;

// Reads a YAML or JSON suppressions file. An unreadable file, a syntax error or a wrong top-level shape is an
// error (exit 2, nothing scanned); a malformed *entry* is kept with its `problem` set.
Result<SuppressionFile> load_suppressions(const std::string& path);
// The same from text already read; `path` names the file in messages and picks JSON by its extension.
Result<SuppressionFile> parse_suppressions(const std::string& text, const std::string& path);

// The entry's state at `now`: "active", "expired" or "invalid".
std::string entry_state(const SuppressionEntry& e, model::TimePoint now);
// Whole days from now's UTC date to the last day the entry suppresses: 0 on that day, negative once expired.
// nullopt for an invalid entry.
std::optional<long> days_left(const SuppressionEntry& e, model::TimePoint now);
// What is worth a look in an active entry: it expires today or within kExpiringSoonDays, or more than
// kMaxReviewDays out, or it duplicates an earlier entry. Empty for expired and invalid entries.
std::vector<std::string> entry_warnings(const SuppressionEntry& e, model::TimePoint now);
// Where the entry is, for messages and the report: "FILE entry 3 (line 12)".
std::string rule_text(const SuppressionFile& file, const SuppressionEntry& e);

// Does the entry name this finding? Check id exactly, then the finding id and/or the object (the resource's
// id, SID or DN, case-insensitively). Ignores state: callers decide whether the entry is active.
bool entry_matches(const SuppressionEntry& e, const model::Finding& f);

// Marks the findings that active entries match (finding.suppression; the first matching entry wins), fills
// report.suppressions with every entry and its match count, and returns the stderr lines: expired and invalid
// entries, entries expiring within kExpiringSoonDays or beyond kMaxReviewDays, duplicates, and active entries
// that matched nothing although their check ran. Lines carry no "adpersist:" prefix and are terminal-safe.
std::vector<std::string> apply_suppressions(const SuppressionFile& file, model::Report& report, model::TimePoint now);

}  // namespace adpersist::policy
