#include "scanner/util/verbosity.hpp"

#include <atomic>
#include <iostream>

#include "scanner/util/strings.hpp"

namespace adpersist::util {

namespace {
std::atomic<int> g_level{0};
}

void set_verbosity(int level) {
  g_level.store(level < 0 ? 0 : level, std::memory_order_relaxed);
}
int verbosity() {
  return g_level.load(std::memory_order_relaxed);
}

void trace(std::string_view component, std::string_view text) {
  if (!tracing()) return;
  std::string line(component);
  line += ": ";
  line += sanitize_for_terminal(text);
  line += '\n';
  std::cerr << line << std::flush;
}

}  // namespace adpersist::util
