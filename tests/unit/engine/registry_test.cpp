#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <set>

#include "reports/check_docs.hpp"
#include "scanner/engine/registry.hpp"
#include "tests/support/fixtures.hpp"

using namespace adpersist;

namespace {
std::string slug_file(const std::string& id) {
  std::string s = id.substr(id.find('.') + 1);
  for (auto& c : s)
    if (c == '-') c = '_';
  return s;
}
}  // namespace

TEST_CASE("registry: every check has complete metadata, a test file and an in-sync doc page", "[registry]") {
  const std::regex id_re("^(ad|entra)\\.[a-z0-9]+(-[a-z0-9]+)*$");
  const std::string root = ADPERSIST_SOURCE_DIR;
  const auto& checks = engine::CheckRegistry::instance().all();
  REQUIRE_FALSE(checks.empty());
  for (const auto& c : checks) {
    const auto& i = c->info();
    INFO("check " << i.id);
    CHECK(std::regex_match(i.id, id_re));
    CHECK_FALSE(i.title.empty());
    CHECK_FALSE(i.category.empty());
    CHECK_FALSE(i.description.empty());
    CHECK_FALSE(i.false_positives.empty());
    CHECK_FALSE(i.remediation.empty());
    CHECK_FALSE(i.mitre.empty());
    for (const auto& t : i.mitre) CHECK(std::regex_match(t, std::regex("^T[0-9]{4}(\\.[0-9]{3})?$")));
    CHECK_FALSE(i.references.empty());
    CHECK_FALSE(i.needs.empty());
    CHECK_FALSE(i.evidence.empty());
    const std::string platform(model::to_string(i.platform));
    CHECK(i.id.rfind(platform + ".", 0) == 0);
    CHECK(std::filesystem::exists(root + "/checks/" + platform + "/" + slug_file(i.id) + ".cpp"));
    CHECK(std::filesystem::exists(root + "/tests/checks/" + platform + "/" + slug_file(i.id) + "_test.cpp"));
    const std::string doc = root + "/docs/checks/" + i.id + ".md";
    REQUIRE(std::filesystem::exists(doc));
    // docs.in_sync: the committed page is exactly what `checks show --format markdown` renders.
    // Regenerate with scripts/gen-docs.
    CHECK(test::read_text(doc) == reports::check_markdown(i));
  }
}

TEST_CASE("registry: the foundation's 24 on-prem checks are all present", "[registry]") {
  const std::set<std::string> expected = {
      "ad.unconstrained-delegation", "ad.constrained-delegation", "ad.rbcd", "ad.spn-on-privileged-user",
      "ad.asrep-roastable", "ad.sid-history", "ad.hidden-primary-group", "ad.privileged-group-membership",
      "ad.krbtgt-password-age", "ad.azureadssoacc-password-age", "ad.alt-security-identities",
      "ad.password-never-expires-privileged", "ad.password-not-required", "ad.reversible-encryption",
      "ad.weak-kerberos-encryption", "ad.trust-sid-filtering", "ad.machine-account-quota", "ad.dsheuristics",
      "ad.cleartext-password-attribute", "ad.guest-enabled", "ad.foreign-principal-in-privileged-group",
      "ad.shadow-credentials", "ad.admincount-orphan", "ad.recently-created-privileged"};
  for (const auto& id : expected) {
    INFO(id);
    CHECK(engine::CheckRegistry::instance().find(id) != nullptr);
  }
}

TEST_CASE("README and docs/checks/README.md list exactly the registered checks", "[registry]") {
  std::vector<const model::CheckInfo*> infos;
  for (const auto& c : engine::CheckRegistry::instance().all()) infos.push_back(&c->info());
  const auto table = reports::checks_table_markdown(infos);
  const std::string root = ADPERSIST_SOURCE_DIR;
  CHECK_THAT(test::read_text(root + "/README.md"), Catch::Contains(table));
}
