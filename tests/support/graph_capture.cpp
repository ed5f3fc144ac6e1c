#include "tests/support/graph_capture.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "tests/support/fixtures.hpp"

namespace adpersist::test {

std::string fixture_cert_b64(const std::string& name) {
  const std::string pem = read_text(fixture_path("tenant/certs/" + name + ".pem"));
  std::string b64;
  bool in = false;
  std::size_t pos = 0;
  while (pos < pem.size()) {
    auto end = pem.find('\n', pos);
    if (end == std::string::npos) end = pem.size();
    std::string line = pem.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("-----BEGIN", 0) == 0) in = true;
    else if (line.rfind("-----END", 0) == 0) break;
    else if (in) b64 += line;
  }
  return b64;
}

namespace fs = std::filesystem;

CaptureDir::CaptureDir() {
  std::string tmpl = (fs::temp_directory_path() / "adpersist-capture-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
}

CaptureDir::~CaptureDir() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void CaptureDir::put(const std::string& request_path, const GJ& body) {
  const fs::path p = fs::path(dir_) / sources::graph::capture_file(request_path);
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  REQUIRE(out.good());
  out << body.dump(1) << "\n";
}

void CaptureDir::append(const std::string& request_path, const GJ& item) {
  const fs::path p = fs::path(dir_) / sources::graph::capture_file(request_path);
  GJ body = {{"value", GJ::array()}};
  if (fs::exists(p)) {
    std::ifstream in(p);
    body = GJ::parse(in);
  }
  body["value"].push_back(item);
  put(request_path, body);
}

void CaptureDir::remove(const std::string& request_path) {
  fs::remove(fs::path(dir_) / sources::graph::capture_file(request_path));
}

void CaptureDir::add_application(const GJ& app) {
  append("applications", app);
  const std::string id = app["id"];
  put("applications/" + id + "/federatedIdentityCredentials", {{"value", GJ::array()}});
  put("applications/" + id + "/owners", {{"value", GJ::array()}});
}

model::Snapshot CaptureDir::snapshot() const {
  model::entra::TenantBuilder tb;
  auto st = sources::graph::read_capture(dir_, tb);
  INFO((st.ok() ? std::string() : st.error().describe()));
  REQUIRE(st.ok());
  model::SnapshotBuilder b;
  b.set_tenant(std::move(tb).finish());
  auto snap = std::move(b).finish();
  INFO((snap.ok() ? std::string() : snap.error().describe()));
  REQUIRE(snap.ok());
  return std::move(snap).value();
}

namespace {
GJ app_role(const std::string& id, const std::string& value) {
  return {{"allowedMemberTypes", {"Application"}},
          {"description", "Allows the app to " + value},
          {"displayName", value},
          {"id", id},
          {"isEnabled", true},
          {"origin", "Application"},
          {"value", value}};
}
}  // namespace

std::unique_ptr<CaptureDir> CaptureDir::base() {
  auto c = std::make_unique<CaptureDir>();
  c->put("organization", {{"value",
                           {{{"id", kTenantId},
                             {"displayName", "Contoso"},
                             {"createdDateTime", "2019-03-14T10:00:00Z"},
                             {"verifiedDomains",
                              {{{"name", "contoso.com"}, {"isDefault", true}, {"isInitial", false}, {"type", "Managed"}},
                               {{"name", "contoso.onmicrosoft.com"},
                                {"isDefault", false},
                                {"isInitial", true},
                                {"type", "Managed"}}}}}}}});
  GJ graph = service_principal(kGraphSpId, "00000003-0000-0000-c000-000000000000", "Microsoft Graph", kMicrosoftTenantId);
  graph["appRoles"] = {app_role("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "RoleManagement.ReadWrite.Directory"),
                       app_role("06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All"),
                       app_role("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All"),
                       app_role("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read"),
                       app_role("75359482-378d-4052-8f01-80520e7db3cd", "Files.ReadWrite.All"),
                       app_role("df021288-bdef-4463-88db-98f22de89214", "User.Read.All"),
                       app_role("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All")};
  GJ exo = service_principal(kExchangeSpId, "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online",
                             kMicrosoftTenantId);
  exo["appRoles"] = {app_role("dc890d15-9560-4a4c-9b7f-a736ec74ec40", "full_access_as_app"),
                     app_role("dc50a0fb-09a3-484d-be87-e023b12c6440", "Exchange.ManageAsApp")};
  GJ spo = service_principal(kSharePointSpId, "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online",
                             kMicrosoftTenantId);
  spo["appRoles"] = {app_role("678536fe-1083-478a-9c59-b99265e6b0d3", "Sites.FullControl.All")};
  c->put("servicePrincipals", {{"value", {graph, exo, spo}}});
  for (const char* id : {kGraphSpId, kExchangeSpId, kSharePointSpId})
    c->put(std::string("servicePrincipals/") + id + "/appRoleAssignedTo", {{"value", GJ::array()}});
  for (const char* p : {"applications", "domains", "oauth2PermissionGrants", "roleManagement/directory/roleAssignments",
                        "roleManagement/directory/roleDefinitions", "auditLogs/directoryAudits"})
    c->put(p, {{"value", GJ::array()}});
  c->put("domains", {{"value",
                      {{{"id", "contoso.com"},
                        {"authenticationType", "Managed"},
                        {"isVerified", true},
                        {"isDefault", true},
                        {"isInitial", false},
                        {"isRoot", true},
                        {"supportedServices", {"Email"}}},
                       {{"id", "contoso.onmicrosoft.com"},
                        {"authenticationType", "Managed"},
                        {"isVerified", true},
                        {"isDefault", false},
                        {"isInitial", true},
                        {"isRoot", true},
                        {"supportedServices", {"Email"}}}}}});
  return c;
}

GJ application(const std::string& id, const std::string& app_id, const std::string& name, const std::string& created) {
  return {{"id", id},
          {"appId", app_id},
          {"displayName", name},
          {"createdDateTime", created},
          {"signInAudience", "AzureADMyOrg"},
          {"publisherDomain", "contoso.com"},
          {"keyCredentials", GJ::array()},
          {"passwordCredentials", GJ::array()},
          {"requiredResourceAccess", GJ::array()}};
}

GJ service_principal(const std::string& id, const std::string& app_id, const std::string& name,
                     const std::string& owner_tenant) {
  return {{"id", id},
          {"appId", app_id},
          {"displayName", name},
          {"servicePrincipalType", "Application"},
          {"appOwnerOrganizationId", owner_tenant},
          {"accountEnabled", true},
          {"preferredSingleSignOnMode", nullptr},
          {"preferredTokenSigningKeyThumbprint", nullptr},
          {"keyCredentials", GJ::array()},
          {"passwordCredentials", GJ::array()},
          {"appRoles", GJ::array()},
          {"verifiedPublisher", {{"displayName", nullptr}, {"verifiedPublisherId", nullptr}, {"addedDateTime", nullptr}}},
          {"servicePrincipalNames", {app_id}},
          {"tags", GJ::array()}};
}

GJ password_credential(const std::string& key_id, const std::string& start, const std::string& end,
                       const std::string& name) {
  return {{"customKeyIdentifier", nullptr}, {"displayName", name.empty() ? GJ(nullptr) : GJ(name)},
          {"endDateTime", end},             {"hint", "Abc"},
          {"keyId", key_id},                {"secretText", nullptr},
          {"startDateTime", start}};
}

GJ key_credential(const std::string& key_id, const std::string& start, const std::string& end, const std::string& usage,
                  const std::string& thumbprint_b64) {
  return {{"customKeyIdentifier", thumbprint_b64.empty() ? GJ(nullptr) : GJ(thumbprint_b64)},
          {"displayName", "CN=test"},
          {"endDateTime", end},
          {"key", nullptr},
          {"keyId", key_id},
          {"startDateTime", start},
          {"type", "AsymmetricX509Cert"},
          {"usage", usage}};
}

GJ app_role_assignment(const std::string& principal_sp_id, const std::string& principal_name,
                       const std::string& resource_sp_id, const std::string& app_role_id, const std::string& created) {
  return {{"id", "a-" + principal_sp_id.substr(0, 8) + "-" + app_role_id.substr(0, 8)},
          {"principalId", principal_sp_id},
          {"principalType", "ServicePrincipal"},
          {"principalDisplayName", principal_name},
          {"appRoleId", app_role_id},
          {"resourceId", resource_sp_id},
          {"resourceDisplayName", "resource"},
          {"createdDateTime", created}};
}

void grant_app_role(CaptureDir& c, const std::string& principal_sp_id, const std::string& principal_name,
                    const std::string& resource_sp_id, const std::string& app_role_id, const std::string& created) {
  c.append("servicePrincipals/" + resource_sp_id + "/appRoleAssignedTo",
           app_role_assignment(principal_sp_id, principal_name, resource_sp_id, app_role_id, created));
}

const model::Snapshot& tenant_snapshot() {
  static const model::Snapshot snap = [] {
    model::entra::TenantBuilder tb;
    auto st = sources::graph::read_capture(fixture_path("tenant"), tb);
    INFO((st.ok() ? std::string() : st.error().describe()));
    REQUIRE(st.ok());
    model::SnapshotBuilder b;
    b.set_tenant(std::move(tb).finish());
    auto s = std::move(b).finish();
    REQUIRE(s.ok());
    return std::move(s).value();
  }();
  return snap;
}

}  // namespace adpersist::test
