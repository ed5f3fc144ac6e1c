// libFuzzer target: the LDIF reader, in memory (read_ldif on an istringstream), then SnapshotBuilder::finish,
// which classifies entries, finds the domain and parses every nTSecurityDescriptor once.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "scanner/model/snapshot.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"

using namespace adpersist;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  model::SnapshotBuilder b;
  if (!sources::read_ldif(in, "fuzz.ldif", b).ok()) return 0;
  auto snap = std::move(b).finish();
  if (!snap.ok()) return 0;
  for (const auto& e : snap->entries()) {
    (void)e.object_sid();
    (void)e.uac();
    (void)e.display_name();
    (void)e.guid();
    (void)e.filetime("pwdLastSet");
    (void)e.generalized_time("whenCreated");
    e.for_each_attribute([](std::string_view, auto values) { (void)values.size(); });
  }
  return 0;
}
