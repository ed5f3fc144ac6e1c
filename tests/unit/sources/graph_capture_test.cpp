// The Graph capture reader and the Graph-object converters: Microsoft's documentation samples
// (fixtures/vectors/graph, see its INDEX.md), the capture shapes of the contract, and bad input.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;
namespace me = adpersist::model::entra;
using adpersist::model::Dataset;
using adpersist::model::DatasetState;
using test::GJ;

namespace {

std::string graph_vector(const std::string& name) { return test::vector_path("graph/" + name); }

// Streams a file's items through `convert`, requiring every item to convert; returns the item count.
template <class Fn>
std::size_t convert_all(const std::string& name, Fn convert) {
  std::ifstream in(graph_vector(name), std::ios::binary);
  REQUIRE(in.good());
  auto n = for_each_item(in, name, [&](const GJ& j, std::size_t i) -> Status {
    auto r = convert(j, me::Origin{name, i});
    if (!r) return r.error();
    return ok_status();
  });
  INFO(name << ": " << (n ? std::string() : n.error().describe()));
  REQUIRE(n.ok());
  return n.value();
}

Result<me::FederationConfiguration> federation(const GJ& j, const me::Origin& o) {
  return to_federation_configuration(j, o, "contoso.com");
}

}  // namespace

TEST_CASE("Graph documentation samples convert to the typed model", "[unit][graph]") {
  CHECK(convert_all("v1.0-2021.application-list.response-1.json", to_application) == 1);
  CHECK(convert_all("v1.0-2021.application-list.response-2.json", to_application) == 1);
  CHECK(convert_all("v1.0-2021.application-list.response-3.json", to_application) == 1);
  CHECK(convert_all("v1.0-2021.application-get.response-1.json", to_application) == 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list.response-1.json", to_service_principal) == 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list.response-2.json", to_service_principal) == 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list.response-3.json", to_service_principal) == 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-get.response-1.json", to_service_principal) == 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list-approleassignedto.response-1.json", to_app_role_assignment) >= 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list-approleassignments.response-1.json", to_app_role_assignment) >= 1);
  CHECK(convert_all("v1.0-2021.application-list-owners.response-1.json", to_directory_object) >= 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list-owners.response-1.json", to_directory_object) >= 1);
  CHECK(convert_all("v1.0-2021.directoryrole-list-members.response-1.json", to_directory_object) >= 1);
  CHECK(convert_all("v1.0-2021.oauth2permissiongrant-list.response-1.json", to_oauth2_permission_grant) >= 1);
  CHECK(convert_all("v1.0-2021.serviceprincipal-list-oauth2permissiongrants.response-1.json",
                    to_oauth2_permission_grant) >= 1);
  CHECK(convert_all("v1.0-2021.domain-list.response-1.json", to_domain) >= 1);
  CHECK(convert_all("v1.0-2021.domain-get.response-1.json", to_domain) == 1);
  CHECK(convert_all("v1.0-contrib.domain-list-federationconfiguration.response-1.json", federation) == 1);
  // The documentation wraps this single object in "value"; the reader accepts both shapes.
  CHECK(convert_all("v1.0-contrib.internaldomainfederation-get.response-1.doc-shape.json", federation) == 1);
  CHECK(convert_all("v1.0-contrib.application-list-federatedidentitycredentials.response-1.json",
                    to_federated_identity_credential) >= 1);
  CHECK(convert_all("v1.0-contrib.rbacapplication-list-roleassignments.response-1.repaired.json", to_role_assignment) >= 1);
  CHECK(convert_all("v1.0-contrib.rbacapplication-list-roleassignments.response-2.json", to_role_assignment) >= 1);
  CHECK(convert_all("v1.0-2021.directoryaudit-list.response-1.json", to_directory_audit) >= 1);
  CHECK(convert_all("v1.0-2021.directoryaudit-get.response-1.json", to_directory_audit) == 1);
  CHECK(convert_all("v1.0-2021.organization-get.response-1.json", to_organization) == 1);
}

TEST_CASE("Graph samples: fields land where the checks read them", "[unit][graph]") {
  std::ifstream in(graph_vector("v1.0-contrib.serviceprincipal-addtokensigningcertificate.response-1.json"));
  GJ j = GJ::parse(in);
  auto k = to_key_credential(j, "addTokenSigningCertificate");
  REQUIRE(k.ok());
  // customKeyIdentifier is the SHA-1 thumbprint of the certificate (the sample's own "thumbprint").
  CHECK(k->thumbprint() == j["thumbprint"].get<std::string>());

  // addKey's documented response is only an @odata.context: an empty credential, not an error.
  std::ifstream in2(graph_vector("v1.0-contrib.application-addkey.response-1.json"));
  auto empty = to_key_credential(GJ::parse(in2), "addKey");
  REQUIRE(empty.ok());
  CHECK(empty->key_id.empty());

  // The 2021 audit samples spell "Type" inside targetResources. (The "get" sample also spells the array
  // "targetResource", a documentation typo the live API does not share: that sample yields no targets.)
  std::ifstream in3(graph_vector("v1.0-2021.directoryaudit-list.response-1.json"));
  auto a = to_directory_audit(GJ::parse(in3)["value"][0], me::Origin{"directoryaudit-list", 0});
  REQUIRE(a.ok());
  REQUIRE_FALSE(a->targets.empty());
  CHECK_FALSE(a->targets[0].type.empty());
  CHECK(a->time.has_value());
}

TEST_CASE("Every valid Graph sample is a readable response body; the invalid ones fail naming the line",
          "[unit][graph]") {
  std::size_t valid = 0, invalid = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::vector_path("graph"))) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json" && e.path().extension() != ".jsonc") continue;
    std::ifstream in(e.path(), std::ios::binary);
    auto n = for_each_item(in, name, [](const GJ&, std::size_t) { return ok_status(); });
    INFO(name << ": " << (n ? std::string("ok") : n.error().describe()));
    if (e.path().extension() == ".jsonc") {
      REQUIRE_FALSE(n.ok());
      CHECK_THAT(n.error().describe(), Catch::StartsWith(name) && Catch::Contains("line 64"));
      ++invalid;
    } else {
      REQUIRE(n.ok());
      ++valid;
    }
  }
  CHECK(valid == 59);
  CHECK(invalid == 2);
}

TEST_CASE("Schema-shaped samples fail conversion with the property named, never crash", "[unit][graph]") {
  std::ifstream in(graph_vector("v1.0-2021.keycredential.resource-1.json"));
  auto k = to_key_credential(GJ::parse(in), "keycredential.resource");
  REQUIRE_FALSE(k.ok());  // "startDateTime": "String (timestamp)"
  CHECK_THAT(k.error().describe(), Catch::Contains("property '") && Catch::Contains("RFC 3339"));
}

TEST_CASE("Capture shapes: merged pages, an array of page bodies, a single object", "[unit][graph]") {
  auto c = test::CaptureDir::base();
  GJ a1 = test::application("a0000000-0000-4000-8000-000000000001", "b0000000-0000-4000-8000-000000000001", "One",
                            "2020-01-01T00:00:00Z");
  GJ a2 = test::application("a0000000-0000-4000-8000-000000000002", "b0000000-0000-4000-8000-000000000002", "Two",
                            "2020-01-01T00:00:00Z");
  c->put("applications", GJ::array({{{"value", {a1}}, {"@odata.nextLink", "https://graph.microsoft.com/v1.0/x"}},
                                    {{"value", {a2}}}}));
  for (const auto& a : {a1, a2}) {
    c->put("applications/" + a["id"].get<std::string>() + "/federatedIdentityCredentials", {{"value", GJ::array()}});
  }
  // organization as a single object (GET /organization/{id}).
  c->put("organization", {{"id", test::kTenantId}, {"displayName", "Contoso"}});
  auto snap = c->snapshot();
  const auto& t = *snap.tenant();
  CHECK(t.applications().size() == 2);
  CHECK(t.tenant_id() == test::kTenantId);
  CHECK(t.display_name() == "Contoso");
  CHECK(t.dataset(Dataset::applications).state == DatasetState::ok);
  CHECK(t.dataset(Dataset::federated_identity_credentials).state == DatasetState::ok);
  REQUIRE(t.app_by_app_id("B0000000-0000-4000-8000-000000000002") != nullptr);  // GUIDs compare case-insensitively
}

TEST_CASE("Capture errors name the file, the item and the property", "[unit][graph]") {
  auto read = [](test::CaptureDir& c) {
    me::TenantBuilder tb;
    return read_capture(c.dir(), tb);
  };
  SECTION("invalid JSON: the line") {
    test::CaptureDir c;
    std::ofstream(c.dir() + "/applications.json") << "{\"value\": [\n {\"id\": \"x\",}\n]}";
    auto st = read(c);
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().describe(), Catch::StartsWith("applications.json: not valid JSON") && Catch::Contains("line 2"));
  }
  SECTION("a property of the wrong type: item, id and property") {
    test::CaptureDir c;
    c.put("servicePrincipals", {{"value", {{{"id", "s1"}, {"keyCredentials", "Binary"}}}}});
    auto st = read(c);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().describe() ==
          "servicePrincipals.json item 0 (id s1) property 'keyCredentials': expected an array, got a string");
  }
  SECTION("a bad timestamp") {
    test::CaptureDir c;
    c.put("applications", {{"value", {{{"id", "a1"}, {"createdDateTime", "yesterday"}}}}});
    auto st = read(c);
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().describe(), Catch::Contains("item 0 (id a1) property 'createdDateTime'"));
  }
  SECTION("\"value\" that is not an array") {
    test::CaptureDir c;
    c.put("domains", {{"value", "contoso.com"}});
    auto st = read(c);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().describe() == "domains.json: \"value\" is a string, not an array");
  }
  SECTION("an item that is not an object") {
    test::CaptureDir c;
    c.put("domains", {{"value", {1, 2}}});
    auto st = read(c);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().describe() == "domains.json: item 0 of \"value\" is not an object");
  }
  SECTION("not a directory") {
    me::TenantBuilder tb;
    auto st = read_capture(test::fixture_path("tenant/domains.json"), tb);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::io);
  }
}

TEST_CASE("Capture: missing data is 'not collected', refusals name the permission", "[unit][graph]") {
  auto c = test::CaptureDir::base();
  c->remove("auditLogs/directoryAudits");
  c->remove("oauth2PermissionGrants");
  c->put("_adpersist", {{"format", "adpersist-graph-capture"},
                        {"version", 1},
                        {"tenant", test::kTenantId},
                        {"refused", {{{"path", "auditLogs/directoryAudits"},
                                      {"status", 403},
                                      {"code", "Authorization_RequestDenied"},
                                      {"message", "Insufficient privileges to complete the operation."}}}}});
  auto snap = c->snapshot();
  const auto& audits = snap.dataset(Dataset::directory_audits);
  CHECK(audits.state == DatasetState::missing);
  CHECK(audits.reason == "Graph refused GET /auditLogs/directoryAudits (403 Authorization_RequestDenied): the app "
                         "needs the AuditLog.Read.All application permission");
  const auto& grants = snap.dataset(Dataset::oauth2_permission_grants);
  CHECK(grants.state == DatasetState::missing);
  CHECK(grants.reason == "the capture has no oauth2PermissionGrants.json (not collected)");
}

TEST_CASE("Capture: ids are never used as paths outside the capture", "[unit][graph]") {
  auto c = test::CaptureDir::base();
  c->append("applications", test::application("../../etc", "b0000000-0000-4000-8000-000000000009", "Evil",
                                              "2020-01-01T00:00:00Z"));
  auto snap = c->snapshot();
  CHECK(snap.dataset(Dataset::federated_identity_credentials).state == DatasetState::partial);
  REQUIRE_FALSE(snap.tenant()->notes.empty());
  CHECK_THAT(snap.tenant()->notes[0], Catch::Contains("not a safe file name"));
  CHECK_FALSE(safe_path_component(".."));
  CHECK_FALSE(safe_path_component("a/b"));
  CHECK_FALSE(safe_path_component("a\\b"));
  CHECK(safe_path_component("contoso.com"));
}

TEST_CASE("The fixture tenant reads completely", "[unit][graph][fixture]") {
  const auto& snap = test::tenant_snapshot();
  const auto& t = *snap.tenant();
  for (auto d : model::kAllDatasets) {
    if (model::platform_of(d) != model::Platform::entra) continue;
    INFO(model::to_string(d) << ": " << snap.dataset(d).reason);
    CHECK(snap.dataset(d).state == DatasetState::ok);
  }
  CHECK(t.tenant_id() == test::kTenantId);
  CHECK(t.applications().size() == 25);
  CHECK(t.service_principals().size() == 45);
  CHECK(t.directory_audits().size() == 32);
  CHECK(t.notes.empty());
}
