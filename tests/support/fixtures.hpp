// Test helpers: build snapshots from LDIF text or fixture files, and run one check.
#pragma once

#include <string>
#include <vector>

#include "scanner/engine/engine.hpp"
#include "scanner/model/ioc.hpp"
#include "scanner/model/report.hpp"
#include "scanner/model/snapshot.hpp"

namespace adpersist::test {

std::string fixture_path(const std::string& relative);  // under fixtures/
std::string vector_path(const std::string& relative);   // under fixtures/vectors/
std::string read_text(const std::string& path);

// Parses LDIF text (must succeed; the test fails otherwise).
model::Snapshot snapshot_from_ldif(const std::string& ldif, const std::string& name = "test.ldif");
model::Snapshot snapshot_from_files(const std::vector<std::string>& paths);
// The lab domain (fixtures/lab/domain.ldif + configuration.ldif), parsed once per test binary.
const model::Snapshot& lab_snapshot();

// The lab's reference time, matching fixtures/lab/README.md.
model::TimePoint lab_now();

struct CheckRun {
  model::CheckStatus status;
  std::string reason;
  std::vector<model::Finding> findings;
  std::vector<std::string> notes;
  // Findings whose resource name (sAMAccountName/cn) is `name`.
  std::vector<const model::Finding*> for_name(const std::string& name) const;
};
// An IOC list from JSON text (the test fails when it does not parse).
model::IocSet ioc_set(const std::string& json);
CheckRun run_check(const std::string& id, const model::Snapshot& snap, model::TimePoint now = lab_now(),
                   std::chrono::seconds since = std::chrono::hours(24 * 30), const model::IocSet* ioc = nullptr);

// A minimal but realistic domain as LDIF text (domain head, Users, Domain Admins, krbtgt, a DC),
// used by check tests to add one object at a time. `extra` is appended as further records.
std::string base_domain_ldif(const std::string& extra = "");
// A header that says which attributes the export requested (ldapsearch -L style).
std::string requesting_header(const std::string& attrs);
// Binary SID as an LDIF base64 value.
std::string sid_b64(const std::string& sid_string);
inline constexpr const char* kTestDomainSid = "S-1-5-21-1004336348-1177238915-682003330";

}  // namespace adpersist::test
