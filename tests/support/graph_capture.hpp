// Test helpers for the Entra checks: a temporary Graph capture directory, written file by file and read back
// through the real capture reader (sources/graph/capture), so check tests exercise the same path as a scan.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "scanner/model/snapshot.hpp"

namespace adpersist::test {

using GJ = nlohmann::json;

// The tenant of the builders below ("Contoso").
inline constexpr const char* kTenantId = "3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53";
inline constexpr const char* kVendorTenantId = "9b2d6e51-0c4a-4f7e-8d3b-2a6c1e9f7b40";
inline constexpr const char* kMicrosoftTenantId = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
// Object ids of the resource service principals base() creates.
inline constexpr const char* kGraphSpId = "0c0e1d3a-0000-4000-8000-000000000001";
inline constexpr const char* kExchangeSpId = "0c0e1d3a-0000-4000-8000-000000000002";
inline constexpr const char* kSharePointSpId = "0c0e1d3a-0000-4000-8000-000000000003";

class CaptureDir {
 public:
  CaptureDir();
  ~CaptureDir();
  CaptureDir(const CaptureDir&) = delete;
  CaptureDir& operator=(const CaptureDir&) = delete;

  // A complete, quiet tenant: organization, the three Microsoft resource SPs (with real app roles), and
  // every other collection present and empty (so every dataset is "ok").
  static std::unique_ptr<CaptureDir> base();

  // Writes DIR/<request_path>.json with `body` as is.
  void put(const std::string& request_path, const GJ& body);
  // Appends `item` to the "value" of DIR/<request_path>.json (created as {"value":[]} when absent).
  void append(const std::string& request_path, const GJ& item);
  // Removes DIR/<request_path>.json (the data becomes "not collected").
  void remove(const std::string& request_path);
  // An application with its (empty) federatedIdentityCredentials and owners files, like the recorder writes.
  void add_application(const GJ& app);

  // Reads the capture into a snapshot (the test fails when the reader reports an error).
  model::Snapshot snapshot() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Builders for Graph objects as the capture holds them (only what the tests vary; the rest is realistic).
// The base64 DER of fixtures/tenant/certs/NAME.pem: what Graph returns in a keyCredential's `key` and in
// a federation configuration's signingCertificate.
std::string fixture_cert_b64(const std::string& name);

GJ application(const std::string& id, const std::string& app_id, const std::string& name, const std::string& created);
GJ service_principal(const std::string& id, const std::string& app_id, const std::string& name,
                     const std::string& owner_tenant = kTenantId);
GJ password_credential(const std::string& key_id, const std::string& start, const std::string& end,
                       const std::string& name = "");
GJ key_credential(const std::string& key_id, const std::string& start, const std::string& end,
                  const std::string& usage = "Verify", const std::string& thumbprint_b64 = "");
GJ app_role_assignment(const std::string& principal_sp_id, const std::string& principal_name,
                       const std::string& resource_sp_id, const std::string& app_role_id, const std::string& created);
// Grants `app_role_id` of the resource to the SP (appends to the resource's appRoleAssignedTo).
void grant_app_role(CaptureDir& c, const std::string& principal_sp_id, const std::string& principal_name,
                    const std::string& resource_sp_id, const std::string& app_role_id,
                    const std::string& created = "2025-01-01T00:00:00Z");

// Reads the fixture tenant (fixtures/tenant), once per test binary.
const model::Snapshot& tenant_snapshot();

}  // namespace adpersist::test
