// Report writers: every format is a projection of the one Report (siem-and-cli-conventions.md §1).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "scanner/model/report.hpp"

namespace adpersist::reports {

enum class Format { text, json, ndjson };
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format f);

struct TextOptions {
  bool color = false;
};

void write_text(const model::Report& r, std::ostream& out, const TextOptions& options = {});
void write_json(const model::Report& r, std::ostream& out);
void write_ndjson(const model::Report& r, std::ostream& out);
void write(Format f, const model::Report& r, std::ostream& out, const TextOptions& options = {});

// JSON text of a value with invalid UTF-8 replaced (directory strings are attacker-controlled bytes).
std::string dump_json(const model::Json& j, int indent = -1);

}  // namespace adpersist::reports
