#include <catch2/catch.hpp>
#include <stdexcept>

#include "checks/check.hpp"
#include "scanner/engine/engine.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;
using namespace adpersist::model;

// Test-only checks leave most advisory fields empty on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {
// Test-only checks, not registered: exercise the engine's gating and isolation.
class Throws final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{.id = "test.throws", .title = "throws", .needs = {{Dataset::domain, {"objectClass"}}}};
    return k;
  }
  void evaluate(const engine::CheckContext&, Findings&) const override { throw std::runtime_error("boom"); }
};
class NeedsConfig final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{.id = "test.needs-config", .title = "c", .needs = {{Dataset::configuration, {"dSHeuristics"}}}};
    return k;
  }
  void evaluate(const engine::CheckContext&, Findings&) const override { FAIL("must not run"); }
};
class OnePerAccount final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{.id = "test.one", .title = "one", .severity = Severity::high,
                             .needs = {{Dataset::domain, {"sAMAccountName"}}}};
    return k;
  }
  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    for (const auto& e : ctx.snapshot.entries())
      if (e.is_user()) out.add(e).set_key("k").set_message("m");
  }
};
class Declines final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{.id = "test.declines", .title = "d", .needs = {{Dataset::domain, {"objectClass"}}}};
    return k;
  }
  void evaluate(const engine::CheckContext&, Findings& out) const override { out.not_evaluated("blob version 9 unknown"); }
};
}  // namespace

TEST_CASE("engine: a throwing check is one error outcome and the scan goes on", "[engine]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  Throws t;
  OnePerAccount one;
  engine::ScanOptions o;
  o.now = test::lab_now();
  auto r = engine::run_scan(snap, {&t, &one}, o);
  REQUIRE(r.checks.size() == 2);
  CHECK(r.checks[0].status == CheckStatus::error);
  CHECK_THAT(r.checks[0].reason, Catch::Contains("boom"));
  CHECK(r.checks[1].status == CheckStatus::failed);
  CHECK(r.findings.size() == 2);  // Administrator, krbtgt
  CHECK(r.exit_code() == 3);      // incomplete outranks findings
}

TEST_CASE("engine: unmet needs give not_evaluated with the reason, and exit 3", "[engine]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  NeedsConfig c;
  Declines d;
  engine::ScanOptions o;
  o.now = test::lab_now();
  auto r = engine::run_scan(snap, {&c, &d}, o);
  CHECK(r.checks[0].status == CheckStatus::not_evaluated);
  CHECK_THAT(r.checks[0].reason, Catch::Contains("configuration") && Catch::Contains("missing"));
  CHECK(r.checks[1].status == CheckStatus::not_evaluated);
  CHECK(r.checks[1].reason == "blob version 9 unknown");
  CHECK(r.incomplete());
  CHECK(r.exit_code() == 3);
}

TEST_CASE("engine: exit codes follow --fail-on", "[engine]") {
  auto snap = test::snapshot_from_ldif(test::base_domain_ldif());
  OnePerAccount one;
  engine::ScanOptions o;
  o.now = test::lab_now();
  CHECK(engine::run_scan(snap, {&one}, o).exit_code() == 1);  // high >= high
  o.fail_on = Severity::critical;
  CHECK(engine::run_scan(snap, {&one}, o).exit_code() == 0);
  o.fail_on = std::nullopt;
  CHECK(engine::run_scan(snap, {&one}, o).exit_code() == 0);
}

TEST_CASE("engine: finding ids are stable across renames and differ across objects and keys", "[engine]") {
  Finding a;
  a.check_id = "ad.x";
  a.resource = {"user", "6f1c0000-0000-4000-8000-000000000001", "CN=old,DC=x", "S-1-5-21-1-2-3-1000", "old"};
  a.evidence_key = "key1";
  Finding renamed = a;
  renamed.resource.dn = "CN=new,OU=Moved,DC=x";
  renamed.resource.name = "new";
  renamed.message = "different text";
  const auto id = engine::fingerprint(a, "ad", "S-1-5-21-1-2-3");
  CHECK(id.size() == 32);
  CHECK(engine::fingerprint(renamed, "ad", "S-1-5-21-1-2-3") == id);
  Finding second_key = a;
  second_key.evidence_key = "key2";
  CHECK(engine::fingerprint(second_key, "ad", "S-1-5-21-1-2-3") != id);
  Finding other = a;
  other.resource.id = "6f1c0000-0000-4000-8000-000000000002";
  CHECK(engine::fingerprint(other, "ad", "S-1-5-21-1-2-3") != id);
  CHECK(engine::fingerprint(a, "ad", "S-1-5-21-9-9-9") != id);
}

TEST_CASE("registry: selection by id and glob; unknown patterns are usage errors", "[engine][registry]") {
  CHECK(engine::glob_match("ad.*", "ad.rbcd"));
  CHECK(engine::glob_match("*delegation*", "ad.unconstrained-delegation"));
  CHECK_FALSE(engine::glob_match("ad.r*d", "ad.rbcx"));
  auto all = engine::select_checks({}, {});
  REQUIRE(all.ok());
  auto some = engine::select_checks({"ad.unconstrained-delegation"}, {});
  REQUIRE(some.ok());
  CHECK(some->size() == 1);
  auto ad = engine::select_checks({"ad.*"}, {});
  REQUIRE(ad.ok());
  CHECK(ad->size() < all->size());  // the entra.* checks are left out
  for (const auto* c : ad.value()) CHECK(c->info().platform == model::Platform::ad);
  auto skip = engine::select_checks({"ad.*"}, {"ad.unconstrained-delegation"});
  REQUIRE(skip.ok());
  CHECK(skip->size() == ad->size() - 1);
  auto typo = engine::select_checks({"ad.unconstrained-delegatoin"}, {});
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().code == ErrorCode::usage);
}
