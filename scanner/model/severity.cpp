#include "scanner/model/severity.hpp"

#include "scanner/util/strings.hpp"

namespace adpersist::model {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view s) {
  for (auto v : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (util::iequals(s, to_string(v))) return v;
  return std::nullopt;
}

Severity raise(Severity s) { return s == Severity::critical ? s : static_cast<Severity>(static_cast<int>(s) + 1); }
Severity lower(Severity s) { return s == Severity::info ? s : static_cast<Severity>(static_cast<int>(s) - 1); }

}  // namespace adpersist::model
