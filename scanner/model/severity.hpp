#pragma once

#include <optional>
#include <string_view>

namespace adpersist::model {

enum class Severity { info = 0, low = 1, medium = 2, high = 3, critical = 4 };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);
// One step up or down, saturating (a disabled account is one step less urgent).
Severity raise(Severity s);
Severity lower(Severity s);

}  // namespace adpersist::model
