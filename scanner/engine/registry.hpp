// The check registry: checks add themselves at static-init time (ADPERSIST_REGISTER_CHECK); nothing else
// happens then. Sorted by id; a duplicate id aborts at start-up (and fails the registry test).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "scanner/engine/check.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::engine {

class CheckRegistry {
 public:
  static CheckRegistry& instance();
  void add(CheckFactory factory);
  // All checks, sorted by id (instantiated on first use).
  const std::vector<std::unique_ptr<Check>>& all();
  const Check* find(std::string_view id);

 private:
  std::vector<CheckFactory> factories_;
  std::vector<std::unique_ptr<Check>> checks_;
};

// Selects checks by --checks / --skip-checks patterns: exact ids or globs with '*' ("ad.*", "*delegation*").
// A pattern that matches nothing is a usage error (a typo must not silently skip a check).
Result<std::vector<const Check*>> select_checks(const std::vector<std::string>& only,
                                                const std::vector<std::string>& skip);
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace adpersist::engine
