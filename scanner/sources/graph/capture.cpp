#include "scanner/sources/graph/capture.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include "scanner/model/entra_roles.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::sources::graph {

namespace fs = std::filesystem;
namespace entra = model::entra;
using model::Dataset;
using model::DatasetState;
using model::DatasetStatus;

std::string capture_file(std::string_view request_path) {
  while (!request_path.empty() && request_path.front() == '/') request_path.remove_prefix(1);
  return std::string(request_path) + ".json";
}

bool safe_path_component(std::string_view id) {
  if (id.empty() || id.size() > 255 || id == "." || id == "..") return false;
  for (char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

namespace {

struct Refusal {
  int status = 0;
  std::string code, message;
};

class CaptureReader {
 public:
  CaptureReader(std::string dir, entra::TenantBuilder& b) : dir_(std::move(dir)), b_(b) {}

  Status run() {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec))
      return make_error(ErrorCode::io, "not a directory (--graph-dir takes a capture directory)", dir_);
    b_.add_source(dir_);
    if (auto st = read_manifest(); !st) return st;

    if (auto st = top("organization", Dataset::organization, [&](const GJson& j, const entra::Origin& o) -> Status {
          auto org = to_organization(j, o);
          if (!org) return org.error();
          if (!have_org_) b_.set_organization(std::move(org.value()));
          have_org_ = true;
          return ok_status();
        });
        !st)
      return st;
    if (auto st = collection("applications", Dataset::applications, to_application); !st) return st;
    if (auto st = collection("servicePrincipals", Dataset::service_principals, to_service_principal); !st) return st;
    if (auto st = collection("domains", Dataset::domains, to_domain); !st) return st;
    if (auto st = collection("oauth2PermissionGrants", Dataset::oauth2_permission_grants, to_oauth2_permission_grant);
        !st)
      return st;
    if (auto st = collection("roleManagement/directory/roleDefinitions", Dataset::role_definitions, to_role_definition);
        !st)
      return st;
    if (auto st = collection("roleManagement/directory/roleAssignments", Dataset::role_assignments, to_role_assignment);
        !st)
      return st;
    if (auto st = collection("auditLogs/directoryAudits", Dataset::directory_audits, to_directory_audit); !st) return st;

    if (auto st = assigned_to(); !st) return st;
    if (auto st = per_application("federatedIdentityCredentials", Dataset::federated_identity_credentials); !st)
      return st;
    if (auto st = owners(); !st) return st;
    if (auto st = federation(); !st) return st;
    return ok_status();
  }

 private:
  using Convert = std::function<Status(const GJson&, const entra::Origin&)>;

  std::string path_of(std::string_view request) const { return (fs::path(dir_) / capture_file(request)).string(); }

  Status read_manifest() {
    const std::string p = (fs::path(dir_) / std::string(kManifestFile)).string();
    std::ifstream in(p);
    if (!in) return ok_status();
    GJson m;
    try {
      m = GJson::parse(in);
    } catch (const GJson::exception& e) {
      return make_error(ErrorCode::invalid_input, std::string("not valid JSON: ") + e.what(), p);
    }
    if (!m.is_object()) return make_error(ErrorCode::invalid_input, "expected an object", p);
    if (auto t = m.find("tenant"); t != m.end() && t->is_string()) b_.set_tenant_id(t->get<std::string>());
    if (auto r = m.find("refused"); r != m.end()) {
      if (!r->is_array()) return make_error(ErrorCode::invalid_input, "'refused' must be an array", p);
      for (const auto& x : *r) {
        if (!x.is_object() || !x.contains("path") || !x["path"].is_string())
          return make_error(ErrorCode::invalid_input, "each 'refused' entry needs a 'path' string", p);
        Refusal f;
        f.status = x.value("status", 0);
        f.code = x.value("code", "");
        f.message = x.value("message", "");
        refused_[x["path"].get<std::string>()] = f;
      }
    }
    return ok_status();
  }

  // Why a request's data is absent: refused by Graph (per the manifest) or simply not captured.
  DatasetStatus absent(std::string_view request, Dataset d) const {
    if (auto it = refused_.find(std::string(request)); it != refused_.end()) {
      std::string why = "Graph refused GET /" + std::string(request) + " (" + std::to_string(it->second.status) +
                        (it->second.code.empty() ? "" : " " + it->second.code) + ")";
      if (it->second.status == 403)
        why += ": the app needs the " + std::string(model::graph_permission(d)) + " application permission";
      return {DatasetState::missing, why};
    }
    return {DatasetState::missing, "the capture has no " + capture_file(request) + " (not collected)"};
  }

  // Streams one file's items. Returns false in *found when the file does not exist.
  Status stream(std::string_view request, Dataset d, const Convert& fn, bool* found, std::size_t* items = nullptr) {
    const std::string p = path_of(request);
    const std::string rel = capture_file(request);
    std::ifstream in(p, std::ios::binary);
    *found = static_cast<bool>(in);
    if (!in) return ok_status();
    auto n = for_each_item(in, rel, [&](const GJson& j, std::size_t i) -> Status {
      b_.saw_properties(d, property_names(j));
      return fn(j, entra::Origin{rel, i});
    });
    if (!n) return n.error();
    b_.saw_collection(d, n.value());
    if (items) *items = n.value();
    return ok_status();
  }

  Status top(std::string_view request, Dataset d, const Convert& fn) {
    bool found = false;
    if (auto st = stream(request, d, fn, &found); !st) return st;
    b_.set_status(d, found ? DatasetStatus{DatasetState::ok, ""} : absent(request, d));
    present_[d] = found;
    return ok_status();
  }

  template <class T>
  Status collection(std::string_view request, Dataset d, Result<T> (*convert)(const GJson&, const entra::Origin&)) {
    return top(request, d, [&](const GJson& j, const entra::Origin& o) -> Status {
      auto v = convert(j, o);
      if (!v) return v.error();
      b_.add(std::move(v.value()));
      return ok_status();
    });
  }

  // appRoleAssignedTo: every captured resource, and required for the rated Microsoft resources present.
  Status assigned_to() {
    const Dataset d = Dataset::app_role_assigned_to;
    if (!present_[Dataset::service_principals]) {
      b_.set_status(d, {DatasetState::missing, "needs the service principals, which are not in the capture"});
      return ok_status();
    }
    std::vector<std::string> ids;
    for (const auto& sp : b_.peek().service_principals())
      if (entra::rated_resource(sp.app_id)) ids.push_back(sp.id);
    // Any other resource the recorder captured is read too.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(dir_) / "servicePrincipals", ec)) {
      const std::string id = util::to_lower(e.path().filename().string());
      if (fs::is_regular_file(e.path() / "appRoleAssignedTo.json") &&
          std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
    }
    std::vector<std::string> missing;
    for (const auto& id : ids) {
      if (!safe_path_component(id)) continue;
      const std::string request = "servicePrincipals/" + id + "/appRoleAssignedTo";
      std::vector<entra::AppRoleAssignment> list;
      bool found = false;
      auto st = stream(request, d, [&](const GJson& j, const entra::Origin& o) -> Status {
        auto a = to_app_role_assignment(j, o);
        if (!a) return a.error();
        list.push_back(std::move(a.value()));
        return ok_status();
      }, &found);
      if (!st) return st;
      if (found) b_.set_app_role_assigned_to(id, std::move(list));
      else missing.push_back(id);
    }
    set_per_object_status(d, "servicePrincipals/{id}/appRoleAssignedTo", missing, "resource service principal");
    return ok_status();
  }

  // federatedIdentityCredentials: required for every application.
  Status per_application(std::string_view what, Dataset d) {
    if (!present_[Dataset::applications]) {
      b_.set_status(d, {DatasetState::missing, "needs the applications, which are not in the capture"});
      return ok_status();
    }
    std::vector<std::string> missing;
    std::vector<std::string> ids;
    for (const auto& app : b_.peek().applications()) ids.push_back(app.id);
    for (const auto& id : ids) {
      if (!safe_path_component(id)) {
        b_.add_note("an application id is not a safe file name and was skipped: " + util::sanitize_for_terminal(id));
        missing.push_back(id);
        continue;
      }
      const std::string request = "applications/" + id + "/" + std::string(what);
      std::vector<entra::FederatedIdentityCredential> list;
      bool found = false;
      auto st = stream(request, d, [&](const GJson& j, const entra::Origin& o) -> Status {
        auto f = to_federated_identity_credential(j, o);
        if (!f) return f.error();
        list.push_back(std::move(f.value()));
        return ok_status();
      }, &found);
      if (!st) return st;
      if (found) b_.set_federated_identity_credentials(id, std::move(list));
      else missing.push_back(id);
    }
    set_per_object_status(d, "applications/{id}/" + std::string(what), missing, "application");
    return ok_status();
  }

  // owners: read wherever captured; required for the privileged applications.
  Status owners() {
    const Dataset d = Dataset::app_owners;
    for (Dataset need : {Dataset::applications, Dataset::service_principals, Dataset::app_role_assigned_to,
                         Dataset::role_assignments}) {
      const auto& st = b_.peek().dataset(need);
      if (st.state != DatasetState::ok) {
        b_.set_status(d, {DatasetState::missing, "which applications are privileged is unknown: dataset '" +
                                                     std::string(model::to_string(need)) + "' is not complete"});
        return read_all_owners();  // still read what is there
      }
    }
    if (auto st = read_all_owners(); !st) return st;
    b_.reindex();  // privileged_applications() joins through the lookups
    std::vector<std::string> missing;
    for (const auto* app : entra::privileged_applications(b_.peek()))
      if (!b_.peek().owners(app->id)) missing.push_back(app->id);
    set_per_object_status(d, "applications/{id}/owners", missing, "privileged application");
    return ok_status();
  }

  Status read_all_owners() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(dir_) / "applications", ec)) {
      const std::string id = util::to_lower(e.path().filename().string());
      if (!safe_path_component(id) || !fs::is_regular_file(e.path() / "owners.json")) continue;
      std::vector<entra::DirectoryObject> list;
      bool found = false;
      auto st = stream("applications/" + id + "/owners", Dataset::app_owners,
                       [&](const GJson& j, const entra::Origin& o) -> Status {
                         auto x = to_directory_object(j, o);
                         if (!x) return x.error();
                         list.push_back(std::move(x.value()));
                         return ok_status();
                       },
                       &found);
      if (!st) return st;
      if (found) b_.set_owners(id, std::move(list));
    }
    return ok_status();
  }

  // federationConfiguration: required for every federated domain.
  Status federation() {
    const Dataset d = Dataset::federation_configuration;
    if (!present_[Dataset::domains]) {
      b_.set_status(d, {DatasetState::missing, "needs the domains, which are not in the capture"});
      return ok_status();
    }
    std::vector<std::string> missing, ids;
    for (const auto& dom : b_.peek().domains())
      if (util::iequals(dom.authentication_type, "Federated")) ids.push_back(dom.id);
    for (const auto& id : ids) {
      if (!safe_path_component(id)) {
        missing.push_back(id);
        continue;
      }
      const std::string request = "domains/" + id + "/federationConfiguration";
      std::vector<entra::FederationConfiguration> list;
      bool found = false;
      auto st = stream(request, d, [&](const GJson& j, const entra::Origin& o) -> Status {
        auto f = to_federation_configuration(j, o, id);
        if (!f) return f.error();
        list.push_back(std::move(f.value()));
        return ok_status();
      }, &found);
      if (!st) return st;
      if (found) b_.set_federation(id, std::move(list));
      else missing.push_back(id);
    }
    set_per_object_status(d, "domains/{id}/federationConfiguration", missing, "federated domain");
    return ok_status();
  }

  void set_per_object_status(Dataset d, const std::string& pattern, const std::vector<std::string>& missing,
                             const std::string& what) {
    if (missing.empty()) {
      b_.set_status(d, {DatasetState::ok, ""});
      return;
    }
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 3; ++i)
      list += (i ? ", " : "") + util::sanitize_for_terminal(missing[i]);
    if (missing.size() > 3) list += ", ...";
    std::string why = std::to_string(missing.size()) + " " + what + (missing.size() > 1 ? "s have" : " has") +
                      " no " + pattern + " in the capture (" + list + ")";
    // A refusal recorded for the first missing object names the cause.
    if (auto it = refused_.find(pattern_for(pattern, missing.front())); it != refused_.end() && it->second.status == 403)
      why += "; Graph refused it (403): the app needs " + std::string(model::graph_permission(d));
    b_.set_status(d, {DatasetState::partial, why});
  }

  static std::string pattern_for(const std::string& pattern, const std::string& id) {
    std::string s = pattern;
    if (auto p = s.find("{id}"); p != std::string::npos) s.replace(p, 4, id);
    return s;
  }

  std::string dir_;
  entra::TenantBuilder& b_;
  std::map<std::string, Refusal> refused_;
  std::map<Dataset, bool> present_;
  bool have_org_ = false;
};

}  // namespace

Status read_capture(const std::string& dir, entra::TenantBuilder& b) { return CaptureReader(dir, b).run(); }

}  // namespace adpersist::sources::graph
