// Preflight for bench/sd_scale.sh: parses nTSecurityDescriptor values with adpersist's own parser.
//
//   sd_check [SAMPLE] < LDIF     (built by bench/sd_scale.sh against build-bench/libadpersist_core.a)
//
// Reads the "nTSecurityDescriptor:: BASE64" lines of an LDIF on stdin; parses every distinct value with
// parsers::parse_security_descriptor and checks that encode_security_descriptor gives back a descriptor
// that parses to the same thing. Prints "values N", "distinct N", "errors N" (and the first errors), then
// the SDDL of the first SAMPLE distinct values (default 0). Exit 1 when any value fails.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unordered_set>

#include "scanner/parsers/security_descriptor.hpp"
#include "scanner/util/strings.hpp"

int main(int argc, char** argv) {
  using namespace adpersist;
  const long sample = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 0;
  static constexpr std::string_view kPrefix = "nTSecurityDescriptor:: ";
  std::unordered_set<std::string> seen;
  std::size_t values = 0, errors = 0, shown = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    ++values;
    auto bytes = util::base64_decode(std::string_view(line).substr(kPrefix.size()));
    if (!bytes) {
      if (++errors <= 5) std::printf("error: bad base64 on value %zu\n", values);
      continue;
    }
    if (!seen.insert(*bytes).second) continue;
    auto sd = parsers::parse_security_descriptor(*bytes);
    if (!sd) {
      if (++errors <= 5) std::printf("error: value %zu: %s\n", values, sd.error().message.c_str());
      continue;
    }
    auto again = parsers::parse_security_descriptor(parsers::encode_security_descriptor(*sd));
    if (!again || !(*again == *sd)) {
      if (++errors <= 5) std::printf("error: value %zu does not survive encode/parse\n", values);
      continue;
    }
    if (static_cast<long>(shown) < sample) {
      ++shown;
      std::printf("sddl %s\n", parsers::to_sddl(*sd).c_str());
    }
  }
  std::printf("values %zu\ndistinct %zu\nerrors %zu\n", values, seen.size(), errors);
  return errors ? 1 : 0;
}
