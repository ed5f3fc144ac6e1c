// SnapshotBuilder::keep_only: an offline scan keeps only the attributes the collection plan of its checks
// names (what a live scan would fetch). That is safe only if every check declares every attribute it reads:
// these tests run each Active Directory check on the lab export twice, filtered to that check's own plan and
// unfiltered, and require the same outcome.
#include <catch2/catch.hpp>
#include <algorithm>

#include "scanner/engine/collection_plan.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;

namespace {
model::Snapshot filtered_lab(const std::vector<std::string>& keep, std::size_t* dropped = nullptr) {
  model::SnapshotBuilder b;
  b.keep_only(keep);
  for (const char* p : {"lab/domain.ldif", "lab/configuration.ldif"}) {
    auto st = sources::read_ldif_file(test::fixture_path(p), b);
    INFO((st.ok() ? std::string() : st.error().describe()));
    REQUIRE(st.ok());
  }
  if (dropped) *dropped = b.dropped_values();
  auto snap = std::move(b).finish();
  INFO((snap.ok() ? std::string() : snap.error().describe()));
  REQUIRE(snap.ok());
  return std::move(snap).value();
}

std::vector<std::string> plan_attributes(const std::vector<const engine::Check*>& checks) {
  std::vector<std::string> out;
  for (const auto& [dataset, attributes] : engine::plan_collection(checks))
    out.insert(out.end(), attributes.begin(), attributes.end());
  return out;
}

std::vector<std::string> finding_ids(const test::CheckRun& r) {
  std::vector<std::string> ids;
  for (const auto& f : r.findings) ids.push_back(f.finding_id + " " + f.message + " " + f.evidence.dump());
  std::sort(ids.begin(), ids.end());
  return ids;
}
}  // namespace

TEST_CASE("keep_only drops the values of other attributes and keeps the rest intact", "[unit][model]") {
  std::size_t dropped = 0;
  const auto snap = filtered_lab({"objectClass", "objectSid", "sAMAccountName", "member"}, &dropped);
  const auto& full = test::lab_snapshot();
  CHECK(dropped > 5000);  // the lab export carries dozens of attributes per object; four are kept
  REQUIRE(snap.entries().size() == full.entries().size());
  const auto* da_full = full.find_dn("CN=Domain Admins,CN=Users,DC=lab,DC=adpersist,DC=test");
  const auto* da = snap.find_dn("cn=domain admins,cn=users,dc=lab,dc=adpersist,dc=test");
  REQUIRE(da != nullptr);
  REQUIRE(da_full != nullptr);
  CHECK(da->values("MEMBER").size() == da_full->values("member").size());
  CHECK(da->values("member").size() >= 2);
  CHECK(da->object_sid() == da_full->object_sid());
  CHECK(da->is_group());
  CHECK(da->values("description").empty());
  CHECK_FALSE(da_full->values("description").empty());
  CHECK(da->values("nTSecurityDescriptor").empty());
  // Coverage follows what was kept and what the export requested, not what was dropped.
  CHECK(snap.attribute("member") == model::AttrCoverage::collected);
}

TEST_CASE("every AD check gives the same outcome on a snapshot holding only its plan's attributes",
          "[unit][model][checks]") {
  const auto& full = test::lab_snapshot();
  std::size_t compared = 0;
  for (const auto& c : engine::CheckRegistry::instance().all()) {
    const auto& info = c->info();
    if (info.platform != model::Platform::ad || info.needs_ioc) continue;
    INFO("check " << info.id);
    const auto snap = filtered_lab(plan_attributes({c.get()}));
    const auto a = test::run_check(info.id, full);
    const auto b = test::run_check(info.id, snap);
    CHECK(a.status == b.status);
    CHECK(a.reason == b.reason);
    CHECK(finding_ids(a) == finding_ids(b));
    CHECK(a.notes == b.notes);
    ++compared;
  }
  CHECK(compared >= 30);
}

TEST_CASE("ad.ioc-match finds the same on a snapshot holding only its plan's attributes", "[unit][model][checks]") {
  const auto ioc = test::ioc_set(test::read_text(test::fixture_path("ioc/lab-and-tenant.json")));
  const auto* check = engine::CheckRegistry::instance().find("ad.ioc-match");
  REQUIRE(check != nullptr);
  const auto snap = filtered_lab(plan_attributes({check}));
  const auto a = test::run_check("ad.ioc-match", test::lab_snapshot(), test::lab_now(), std::chrono::hours(24 * 30), &ioc);
  const auto b = test::run_check("ad.ioc-match", snap, test::lab_now(), std::chrono::hours(24 * 30), &ioc);
  CHECK(a.status == model::CheckStatus::failed);
  CHECK_FALSE(a.findings.empty());
  CHECK(a.status == b.status);
  CHECK(finding_ids(a) == finding_ids(b));
  CHECK(a.notes == b.notes);
}
