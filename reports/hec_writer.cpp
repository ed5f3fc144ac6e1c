// Splunk HTTP Event Collector envelopes, one per line: each wraps one NDJSON record unchanged, so a search
// on sourcetype adpersist:finding sees exactly what the ndjson format writes.
#include "reports/report_util.hpp"
#include "reports/writers.hpp"

namespace adpersist::reports {

void write_hec(const model::Report& r, std::ostream& out) {
  // HEC `time` is epoch seconds; the fraction keeps the milliseconds of the run's evaluation time.
  const std::int64_t ms =
      detail::epoch_millis(r.now).value_or(detail::epoch_millis(r.finished_at).value_or(0));
  const model::Json time =
      ms % 1000 == 0 ? model::Json(ms / 1000) : model::Json(static_cast<double>(ms) / 1000.0);
  const std::string default_host = detail::target_name(r.targets.empty() ? nullptr : &r.targets.front());
  for (auto& record : ndjson_records(r)) {
    const auto type = record["record_type"].get<std::string>();
    // `host` is the directory the record is about (the domain's DNS name or the tenant id): the scanner's
    // own host name is not part of the report, and a search by domain is what an analyst does.
    std::string host = default_host;
    if (type != "summary")
      host = detail::target_name(detail::target_of(r, record["check_id"].get<std::string>()));
    model::Json env = model::Json::object();
    env["time"] = time;
    env["host"] = host.empty() ? "adpersist" : host;
    env["source"] = "adpersist";
    env["sourcetype"] = "adpersist:" + type;
    env["event"] = std::move(record);
    out << dump_json(env) << '\n';
  }
}

}  // namespace adpersist::reports
