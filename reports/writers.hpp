// Report writers: every format is a projection of the one Report (siem-and-cli-conventions.md §1; the
// field mappings are in docs/formats.md).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/model/report.hpp"

namespace adpersist::reports {

enum class Format { text, json, ndjson, ocsf, ecs, hec, csv, html };
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format f);
// "text, json, ndjson, ocsf, ecs, hec, csv, html": for usage errors and help texts.
std::string_view format_names();

struct TextOptions {
  bool color = false;
};

void write_text(const model::Report& r, std::ostream& out, const TextOptions& options = {});
void write_json(const model::Report& r, std::ostream& out);
// One line per finding, one per resolved finding (record_type "resolved"), then a summary line.
void write_ndjson(const model::Report& r, std::ostream& out);
// OCSF Detection Finding (class 2004), one event per line: findings, then resolved findings (Close).
void write_ocsf(const model::Report& r, std::ostream& out);
// Elastic Common Schema alert documents, one per line.
void write_ecs(const model::Report& r, std::ostream& out);
// Splunk HEC event envelopes, one per line, each wrapping one NDJSON record; what the HEC poster sends.
void write_hec(const model::Report& r, std::ostream& out);
// RFC 4180 CSV (CRLF), a header row and one row per finding; formula-injection safe.
void write_csv(const model::Report& r, std::ostream& out);
// One self-contained HTML file (no scripts, no external assets).
void write_html(const model::Report& r, std::ostream& out);
void write(Format f, const model::Report& r, std::ostream& out, const TextOptions& options = {});

// JSON text of a value with invalid UTF-8 replaced (directory strings are attacker-controlled bytes).
std::string dump_json(const model::Json& j, int indent = -1);

// The NDJSON records in order (findings, resolved, summary): shared by the ndjson and hec writers.
std::vector<model::Json> ndjson_records(const model::Report& r);

}  // namespace adpersist::reports
