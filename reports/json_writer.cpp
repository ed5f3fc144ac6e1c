#include "reports/writers.hpp"

namespace adpersist::reports {

std::string dump_json(const model::Json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_json(const model::Report& r, std::ostream& out) { out << dump_json(model::to_json(r), 2) << '\n'; }

void write_ndjson(const model::Report& r, std::ostream& out) {
  const auto doc = model::to_json(r);
  // Run and target fields are copied onto every line, so each line stands alone in a SIEM.
  model::Json common = model::Json::object();
  common["schema_version"] = doc["schema_version"];
  common["tool"] = doc["tool"];
  common["run"] = doc["run"];
  common["target"] = doc["targets"].empty() ? model::Json(nullptr) : doc["targets"][0];
  // A finding's target is the one of its check's platform ("entra.x" → the tenant).
  auto target_of = [&doc](const std::string& check_id) -> model::Json {
    const std::string platform = check_id.substr(0, check_id.find('.'));
    for (const auto& t : doc["targets"])
      if (t["platform"] == platform) return t;
    return doc["targets"].empty() ? model::Json(nullptr) : doc["targets"][0];
  };
  for (const auto& f : doc["findings"]) {
    model::Json line = model::Json::object();
    line["record_type"] = "finding";
    for (auto it = common.begin(); it != common.end(); ++it) line[it.key()] = it.value();
    line["target"] = target_of(f["check_id"].get<std::string>());
    for (auto it = f.begin(); it != f.end(); ++it) line[it.key()] = it.value();
    out << dump_json(line) << '\n';
  }
  model::Json summary = model::Json::object();
  summary["record_type"] = "summary";
  for (auto it = common.begin(); it != common.end(); ++it) summary[it.key()] = it.value();
  summary["summary"] = doc["summary"];
  summary["datasets"] = doc["datasets"];
  summary["checks"] = doc["checks"];
  out << dump_json(summary) << '\n';
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "ndjson") return Format::ndjson;
  return std::nullopt;
}

std::string_view to_string(Format f) {
  switch (f) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::ndjson: return "ndjson";
  }
  return "text";
}

void write(Format f, const model::Report& r, std::ostream& out, const TextOptions& options) {
  switch (f) {
    case Format::text: write_text(r, out, options); break;
    case Format::json: write_json(r, out); break;
    case Format::ndjson: write_ndjson(r, out); break;
  }
}

}  // namespace adpersist::reports
