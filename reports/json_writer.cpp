#include "reports/writers.hpp"

namespace adpersist::reports {

std::string dump_json(const model::Json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_json(const model::Report& r, std::ostream& out) {
  out << dump_json(model::to_json(r), 2) << '\n';
}

std::vector<model::Json> ndjson_records(const model::Report& r) {
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
  std::vector<model::Json> records;
  auto add = [&](const char* type, const model::Json& fields) {
    model::Json line = model::Json::object();
    line["record_type"] = type;
    for (auto it = common.begin(); it != common.end(); ++it) line[it.key()] = it.value();
    line["target"] = target_of(fields["check_id"].get<std::string>());
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    records.push_back(std::move(line));
  };
  for (const auto& f : doc["findings"]) add("finding", f);
  // Findings the baseline holds that this run did not find: a SIEM can close its alert on them.
  for (const auto& f : doc["resolved"]) add("resolved", f);
  model::Json summary = model::Json::object();
  summary["record_type"] = "summary";
  for (auto it = common.begin(); it != common.end(); ++it) summary[it.key()] = it.value();
  summary["summary"] = doc["summary"];
  summary["datasets"] = doc["datasets"];
  summary["checks"] = doc["checks"];
  records.push_back(std::move(summary));
  return records;
}

void write_ndjson(const model::Report& r, std::ostream& out) {
  for (const auto& line : ndjson_records(r)) out << dump_json(line) << '\n';
}

}  // namespace adpersist::reports
