#include "reports/writers.hpp"

#include <array>
#include <utility>

namespace adpersist::reports {

namespace {
constexpr std::array<std::pair<std::string_view, Format>, 8> kFormats{{{"text", Format::text},
                                                                       {"json", Format::json},
                                                                       {"ndjson", Format::ndjson},
                                                                       {"ocsf", Format::ocsf},
                                                                       {"ecs", Format::ecs},
                                                                       {"hec", Format::hec},
                                                                       {"csv", Format::csv},
                                                                       {"html", Format::html}}};
}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  for (const auto& [n, f] : kFormats)
    if (n == name) return f;
  return std::nullopt;
}

std::string_view to_string(Format f) {
  for (const auto& [n, g] : kFormats)
    if (g == f) return n;
  return "text";
}

std::string_view format_names() {
  return "text, json, ndjson, ocsf, ecs, hec, csv, html";
}

void write(Format f, const model::Report& r, std::ostream& out, const TextOptions& options) {
  switch (f) {
    case Format::text:
      write_text(r, out, options);
      break;
    case Format::json:
      write_json(r, out);
      break;
    case Format::ndjson:
      write_ndjson(r, out);
      break;
    case Format::ocsf:
      write_ocsf(r, out);
      break;
    case Format::ecs:
      write_ecs(r, out);
      break;
    case Format::hec:
      write_hec(r, out);
      break;
    case Format::csv:
      write_csv(r, out);
      break;
    case Format::html:
      write_html(r, out);
      break;
  }
}

}  // namespace adpersist::reports
