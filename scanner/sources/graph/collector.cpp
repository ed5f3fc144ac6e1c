#include "scanner/sources/graph/collector.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "scanner/model/entra_roles.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "scanner/util/fs.hpp"
#include "scanner/util/progress.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::sources::graph {

namespace fs = std::filesystem;
namespace entra = model::entra;
using model::Dataset;
using model::DatasetState;
using model::DatasetStatus;
using Clock = std::chrono::steady_clock;

// --- pure helpers --------------------------------------------------------------------------------------------

std::string refusal_reason(const std::string& request_path, Dataset d, long status, const std::string& code) {
  // The capture reader's words (capture.cpp, CaptureReader::absent): a replayed recording reads the same.
  std::string why = "Graph refused GET /" + request_path + " (" + std::to_string(status) + (code.empty() ? "" : " " + code) +
                    ")";
  if (status == 403) why += ": the app needs the " + std::string(model::graph_permission(d)) + " application permission";
  return why;
}

namespace {

// A query option value: RFC 3986 unreserved characters and ",:()'" stay; everything else (space, $, =, +)
// is percent-encoded, so "+" in a time offset cannot turn into a space.
std::string query_value(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || std::string_view("-._~,:()'").find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool pages_with_top(Dataset d) {
  switch (d) {
    case Dataset::applications:
    case Dataset::service_principals:
    case Dataset::app_role_assigned_to:
    case Dataset::app_owners:
    case Dataset::oauth2_permission_grants:
    case Dataset::directory_audits: return true;
    default: return false;  // small collections whose list APIs do not document $top
  }
}

// The properties of an expanded roleAssignment principal (users and service principals).
constexpr std::string_view kPrincipalSelect =
    "id,displayName,userPrincipalName,userType,createdDateTime,appId,servicePrincipalType,appOwnerOrganizationId";

}  // namespace

std::string initial_query(Dataset d, const std::vector<std::string>& properties, parsers::TimePoint audit_since) {
  std::string select;
  bool expand_principal = false;
  for (const auto& p : properties) {
    if (d == Dataset::role_assignments && util::iequals(p, "principal")) {
      expand_principal = true;
      continue;
    }
    select += (select.empty() ? "" : ",") + p;
  }
  std::string q;
  auto add = [&q](std::string_view name, const std::string& value) {
    q += (q.empty() ? "" : "&") + std::string(name) + "=" + query_value(value);
  };
  if (!select.empty()) add("$select", select);
  if (expand_principal) add("$expand", "principal($select=" + std::string(kPrincipalSelect) + ")");
  if (d == Dataset::directory_audits) add("$filter", "activityDateTime ge " + parsers::format_rfc3339(audit_since));
  if (pages_with_top(d)) add("$top", "999");
  return q;
}

bool same_origin(const std::string& graph_root, const std::string& next_link) {
  const std::string prefix = graph_root + "/v1.0/";
  if (next_link.size() <= prefix.size() || !util::istarts_with(next_link, prefix)) return false;
  for (char c : next_link)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '\x7f' || c == '#') return false;
  return true;
}

std::string next_link_of(const std::string& body) {
  // SAX: only the top-level "@odata.nextLink" string is kept; items are skipped without building them.
  struct Sax : nlohmann::json_sax<GJson> {
    int depth = 0;
    bool want = false;
    std::string link;
    bool null() override { return done_value(); }
    bool boolean(bool) override { return done_value(); }
    bool number_integer(number_integer_t) override { return done_value(); }
    bool number_unsigned(number_unsigned_t) override { return done_value(); }
    bool number_float(number_float_t, const string_t&) override { return done_value(); }
    bool string(string_t& s) override {
      if (want && depth == 1) link = s;
      return done_value();
    }
    bool binary(binary_t&) override { return done_value(); }
    bool start_object(std::size_t) override {
      want = false;
      ++depth;
      return true;
    }
    bool key(string_t& k) override {
      want = depth == 1 && k == "@odata.nextLink";
      return true;
    }
    bool end_object() override {
      --depth;
      return true;
    }
    bool start_array(std::size_t) override {
      want = false;
      ++depth;
      return true;
    }
    bool end_array() override {
      --depth;
      return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
    bool done_value() {
      want = false;
      return true;
    }
  } sax;
  GJson::sax_parse(body, &sax, nlohmann::detail::input_format_t::json, false);
  return sax.link;
}

std::optional<std::vector<BatchAnswer>> parse_batch_response(const std::string& body, std::size_t requests) {
  // Each body is dump()ed below, which recurses once per level: a deeper answer is refused as a whole.
  struct TooDeep {};
  GJson::parser_callback_t depth_limit = [](int depth, GJson::parse_event_t ev, GJson&) -> bool {
    if ((ev == GJson::parse_event_t::object_start || ev == GJson::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth)
      throw TooDeep{};
    return true;
  };
  GJson doc;
  try {
    doc = GJson::parse(body, depth_limit, /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    return std::nullopt;
  }
  const GJson* responses = doc.is_object() && doc.contains("responses") ? &doc["responses"] : nullptr;
  if (!responses || !responses->is_array()) return std::nullopt;
  std::vector<BatchAnswer> out;
  std::vector<bool> answered(requests, false);
  for (const auto& item : *responses) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) continue;
    // Ours are "0".."19", matched as strings (JSON batching correlates by id): "01" is not "1". An answer
    // with another id, no status or a 200 without a body is left out.
    std::size_t i = 0;
    const std::string& id = item["id"].get_ref<const std::string&>();
    const auto parsed = std::from_chars(id.data(), id.data() + id.size(), i);
    if (parsed.ec != std::errc() || parsed.ptr != id.data() + id.size() || i >= requests || answered[i] ||
        id != std::to_string(i))
      continue;
    if (!item.contains("status") || !item["status"].is_number_integer()) continue;
    HttpResponse one;
    one.status = item["status"].get<long>();
    if (item.contains("headers") && item["headers"].is_object())
      for (const auto& [name, value] : item["headers"].items())
        if (value.is_string()) one.headers.emplace_back(name, value.get<std::string>());
    if (item.contains("body")) one.body = item["body"].dump(-1, ' ', false, GJson::error_handler_t::replace);
    else if (one.status == 200) continue;
    answered[i] = true;
    out.push_back({i, std::move(one)});
  }
  return out;
}

std::vector<std::string> privileged_application_ids(entra::TenantBuilder& b) {
  b.reindex();  // peek()'s lookups see what was added before the last reindex()
  std::vector<std::string> ids;
  for (const auto* app : entra::privileged_applications(b.peek())) ids.push_back(app->id);
  return ids;
}

// --- the collector -----------------------------------------------------------------------------------------

namespace {

// One recorded response file: DIR/<path>.json written as {"value":[item,...]} while the pages arrive, under a
// temporary name renamed into place when the collection completed.
class RecordFile {
 public:
  static Result<std::unique_ptr<RecordFile>> open(const std::string& dir, const std::string& request_path) {
    auto r = std::unique_ptr<RecordFile>(new RecordFile());
    r->path_ = (fs::path(dir) / capture_file(request_path)).string();
    r->tmp_ = r->path_ + ".part";
    std::error_code ec;
    fs::create_directories(fs::path(r->path_).parent_path(), ec);
    if (ec) return make_error(ErrorCode::io, "cannot create the directory: " + ec.message(), r->path_);
    const int fd = ::open(r->tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return make_error(ErrorCode::io, "cannot create the file", r->tmp_);
    r->f_ = ::fdopen(fd, "w");
    if (!r->f_) {
      ::close(fd);
      return make_error(ErrorCode::io, "cannot open the file", r->tmp_);
    }
    r->write("{\"value\":[");
    return r;
  }
  ~RecordFile() { abort(); }

  void add(const GJson& item) {
    if (n_++) write(",");
    write(item.dump(-1, ' ', false, GJson::error_handler_t::replace));
  }
  Status commit() {
    write("]}\n");
    const bool ok = ok_ && std::fflush(f_) == 0 && ::fsync(::fileno(f_)) == 0;
    std::fclose(f_);
    f_ = nullptr;
    if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      std::remove(tmp_.c_str());
      return make_error(ErrorCode::io, "cannot write the recorded response", path_);
    }
    return ok_status();
  }
  void abort() {
    if (!f_) return;
    std::fclose(f_);
    f_ = nullptr;
    std::remove(tmp_.c_str());
  }

 private:
  RecordFile() = default;
  void write(std::string_view s) {
    if (ok_ && std::fwrite(s.data(), 1, s.size(), f_) != s.size()) ok_ = false;
  }
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  std::size_t n_ = 0;
  bool ok_ = true;
};

struct Outcome {
  enum class Kind { ok, refused, failed } kind = Kind::ok;
  long status = 0;        // HTTP status of a refusal
  std::string code;       // Graph error code
  std::string message;    // for humans
};

struct Chain;
using ItemHandler = std::function<Status(const GJson&, const entra::Origin&)>;
using DoneHandler = std::function<void(Chain&, const Outcome&)>;

// One collection: its first request and the pages after it.
struct Chain {
  Dataset dataset{};
  std::string path;  // request path under /v1.0/
  std::string url;   // the next request
  std::string batch_url;  // the first request relative to /v1.0 ("/applications/{id}/owners?..."); "" if not batchable
  std::size_t items = 0, pages = 0;
  std::unordered_map<std::string, std::size_t> page_heads;  // id of each page's first object -> page number
  int retries = 0;          // of the current page
  bool refreshed = false;   // the current page already caused a token refresh
  std::uint64_t token_generation = 0;
  Clock::time_point not_before{};
  bool recording = false;
  std::unique_ptr<RecordFile> record;
  ItemHandler on_item;
  DoneHandler on_done;
};

struct Refusal {
  std::string path;
  long status = 0;
  std::string code, message;
};

// Per-object collection progress (appRoleAssignedTo, federatedIdentityCredentials, owners, federationConfiguration).
struct Group {
  std::size_t pending = 0;
  std::vector<std::string> missing;
  std::optional<Outcome> first_failure;
  std::string pattern, what;  // "servicePrincipals/{id}/appRoleAssignedTo", "resource service principal"
};

std::string plural(std::size_t n, const std::string& what) {
  if (n != 1 && what.ends_with("y")) return std::to_string(n) + " " + what.substr(0, what.size() - 1) + "ies";
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

class Collector {
 public:
  Collector(const GraphOptions& o, const engine::CollectionPlan& plan, entra::TenantBuilder& b)
      : o_(o),
        plan_(plan),
        b_(b),
        http_(http_options(o)),
        tokens_(http_, TokenOptions{o.login_root, o.graph_root, o.tenant, o.client_id}, copy_credential(o.credential)),
        rng_(std::random_device{}()) {}

  Result<GraphStats> run() {
    const auto t0 = Clock::now();
    if (!o_.record_dir.empty())
      if (auto st = prepare_record_dir(); !st) return st.error();
    if (auto st = tokens_.ensure(); !st) return st.error();
    const auto& claims = tokens_.claims();
    if (!claims.tenant_id.empty()) b_.set_tenant_id(claims.tenant_id);
    else if (is_guid(o_.tenant)) b_.set_tenant_id(util::to_lower(o_.tenant));
    b_.add_source(o_.graph_root + "/v1.0");
    if (o_.verbose) {
      std::string roles;
      for (const auto& r : claims.roles) roles += (roles.empty() ? "" : ", ") + r;
      std::cerr << "graph: token for client " << o_.client_id << " (" << tokens_.credential().describe()
                << "), tenant " << (claims.tenant_id.empty() ? o_.tenant : claims.tenant_id)
                << ", roles: " << (roles.empty() ? "(none)" : roles) << "\n";
    }

    // The big collections first: the per-object reads wait for them.
    for (Dataset d : {Dataset::service_principals, Dataset::applications, Dataset::role_assignments,
                      Dataset::role_definitions, Dataset::domains, Dataset::oauth2_permission_grants,
                      Dataset::organization, Dataset::directory_audits})
      if (plan_.count(d)) top_level(d);
    advance();

    while (!queue_.empty() || !inflight_.empty()) {
      start_ready();
      if (queue_.empty() && inflight_.empty()) break;
      for (auto& done : http_.poll(wait_time())) handle(std::move(done));
    }

    stats_.token_requests = tokens_.requests();
    stats_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (successes_ == 0 && first_transport_error_)
      return make_error(ErrorCode::network, "no answer from Microsoft Graph: " + *first_transport_error_,
                        o_.graph_root);
    if (successes_ == 0 && token_error_) return *token_error_;
    if (!o_.record_dir.empty())
      if (auto st = write_manifest(); !st) return st.error();
    if (o_.verbose) print_stats();
    return stats_;
  }

 private:
  static HttpOptions http_options(const GraphOptions& o) {
    HttpOptions h;
    h.ca_file = o.ca_file;
    h.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.timeout);
    h.user_agent = std::string("adpersist/") + ADPERSIST_VERSION;
    return h;
  }
  static ClientCredential copy_credential(const ClientCredential& c) {
    ClientCredential out;
    out.kind = c.kind;
    out.certificate = c.certificate;
    out.alg = c.alg;
    out.rs256_fallback = c.rs256_fallback;
    if (!c.secret.empty()) out.secret = util::Secret(c.secret.reveal());
    return out;
  }

  Status prepare_record_dir() {
    std::error_code ec;
    const fs::path dir(o_.record_dir);
    if (fs::exists(dir, ec)) {
      if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::usage, "--record: not a directory", o_.record_dir);
      if (!fs::is_empty(dir, ec))
        return make_error(ErrorCode::usage,
                          "--record: the directory is not empty (a recording must not mix with older files)",
                          o_.record_dir);
    } else {
      fs::create_directories(dir, ec);
      if (ec) return make_error(ErrorCode::io, "--record: cannot create the directory: " + ec.message(), o_.record_dir);
      fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
    }
    return ok_status();
  }

  // --- chains -------------------------------------------------------------------------------------------

  std::string url_of(const std::string& path, const std::string& query) const {
    return o_.graph_root + "/v1.0/" + path + (query.empty() ? "" : "?" + query);
  }

  const std::vector<std::string>& props(Dataset d) const {
    static const std::vector<std::string> kNone;
    auto it = plan_.find(d);
    return it == plan_.end() ? kNone : it->second;
  }

  // `path` names the collection (capture file, refusals); `url_path` is the same with ids percent-encoded.
  void enqueue(Dataset d, const std::string& path, const std::string& url_path, ItemHandler on_item,
               DoneHandler on_done, bool batchable = false) {
    auto c = std::make_unique<Chain>();
    c->dataset = d;
    c->path = path;
    const std::string query = initial_query(d, props(d), o_.audit_since);
    c->url = url_of(url_path, query);
    if (batchable) c->batch_url = "/" + url_path + (query.empty() ? "" : "?" + query);
    c->on_item = std::move(on_item);
    c->on_done = std::move(on_done);
    c->recording = !o_.record_dir.empty();  // the file is opened with the first page (few open at a time)
    queue_.push_back(std::move(c));
  }

  static std::string request_path(Dataset d) {
    switch (d) {
      case Dataset::organization: return "organization";
      case Dataset::applications: return "applications";
      case Dataset::service_principals: return "servicePrincipals";
      case Dataset::domains: return "domains";
      case Dataset::oauth2_permission_grants: return "oauth2PermissionGrants";
      case Dataset::role_definitions: return "roleManagement/directory/roleDefinitions";
      case Dataset::role_assignments: return "roleManagement/directory/roleAssignments";
      case Dataset::directory_audits: return "auditLogs/directoryAudits";
      default: return {};
    }
  }

  template <class T>
  ItemHandler adder(Result<T> (*convert)(const GJson&, const entra::Origin&)) {
    return [this, convert](const GJson& j, const entra::Origin& o) -> Status {
      auto v = convert(j, o);
      if (!v) return v.error();
      b_.add(std::move(v.value()));
      return ok_status();
    };
  }

  void top_level(Dataset d) {
    ItemHandler h;
    switch (d) {
      case Dataset::organization:
        h = [this](const GJson& j, const entra::Origin& o) -> Status {
          auto org = to_organization(j, o);
          if (!org) return org.error();
          if (!have_org_) b_.set_organization(std::move(org.value()));
          have_org_ = true;
          return ok_status();
        };
        break;
      case Dataset::applications: h = adder(to_application); break;
      case Dataset::service_principals: h = adder(to_service_principal); break;
      case Dataset::domains: h = adder(to_domain); break;
      case Dataset::oauth2_permission_grants: h = adder(to_oauth2_permission_grant); break;
      case Dataset::role_definitions: h = adder(to_role_definition); break;
      case Dataset::role_assignments: h = adder(to_role_assignment); break;
      case Dataset::directory_audits: h = adder(to_directory_audit); break;
      default: return;
    }
    enqueue(d, request_path(d), request_path(d), std::move(h), [this](Chain& c, const Outcome& out) {
      DatasetStatus st{DatasetState::ok, ""};
      if (out.kind != Outcome::Kind::ok) st = failure_status(c, out);
      b_.set_status(c.dataset, st);
      ok_[c.dataset] = st.state == DatasetState::ok;
      done_.insert(c.dataset);
      advance();
    });
  }

  DatasetStatus failure_status(const Chain& c, const Outcome& out) const {
    if (c.pages > 0)
      return {DatasetState::partial, "GET /" + c.path + " stopped after " + plural(c.pages, "page") + " (" +
                                         std::to_string(c.items) + " objects): " + out.message};
    if (out.kind == Outcome::Kind::refused) return {DatasetState::missing, refusal_reason(c.path, c.dataset, out.status, out.code)};
    return {DatasetState::missing, "GET /" + c.path + " failed: " + out.message};
  }

  // A per-object collection: items into a list, given to `set` when the collection completed.
  template <class T, class Convert, class Set>
  void per_object(Dataset d, const std::string& id, const std::string& suffix, Convert convert, Set set) {
    auto list = std::make_shared<std::vector<T>>();
    Group& g = groups_[d];
    ++g.pending;
    const std::string path = parent_of(d) + "/" + id + "/" + suffix;
    enqueue(
        d, path, parent_of(d) + "/" + percent_encode(id) + "/" + suffix,
        [list, convert](const GJson& j, const entra::Origin& o) -> Status {
          auto v = convert(j, o);
          if (!v) return v.error();
          list->push_back(std::move(v.value()));
          return ok_status();
        },
        [this, list, id, set](Chain& c, const Outcome& out) {
          Group& grp = groups_[c.dataset];
          if (out.kind == Outcome::Kind::ok) {
            set(id, std::move(*list));
          } else {
            grp.missing.push_back(id);
            if (!grp.first_failure) grp.first_failure = out;
          }
          if (--grp.pending == 0) finish_group(c.dataset);
        },
        /*batchable=*/true);
  }

  static std::string parent_of(Dataset d) {
    switch (d) {
      case Dataset::app_role_assigned_to: return "servicePrincipals";
      case Dataset::federation_configuration: return "domains";
      default: return "applications";
    }
  }

  void begin_group(Dataset d, std::string pattern, std::string what) {
    Group& g = groups_[d];
    g.pattern = std::move(pattern);
    g.what = std::move(what);
    started_.insert(d);
  }

  void finish_group(Dataset d) {
    Group& g = groups_[d];
    if (g.missing.empty()) {
      b_.set_status(d, {DatasetState::ok, ""});
      ok_[d] = true;
    } else {
      std::string list;
      for (std::size_t i = 0; i < g.missing.size() && i < 3; ++i)
        list += (i ? ", " : "") + util::sanitize_for_terminal(g.missing[i]);
      if (g.missing.size() > 3) list += ", ...";
      std::string why = plural(g.missing.size(), g.what) + " could not be read: GET /" + g.pattern + " (" + list + ")";
      if (g.first_failure) {
        const Outcome& f = *g.first_failure;
        if (f.kind == Outcome::Kind::refused && f.status == 403)
          why += "; Graph refused it (403" + (f.code.empty() ? "" : " " + f.code) + "): the app needs the " +
                 std::string(model::graph_permission(d)) + " application permission";
        else
          why += ": " + f.message;
      }
      b_.set_status(d, {DatasetState::partial, why});
      ok_[d] = false;
    }
    done_.insert(d);
    advance();
  }

  // Finishes a per-object dataset that cannot start: a dataset it depends on is not complete.
  void cannot_start(Dataset d, const std::string& why) {
    started_.insert(d);
    b_.set_status(d, {DatasetState::missing, why});
    ok_[d] = false;
    done_.insert(d);
  }

  bool planned(Dataset d) const { return plan_.count(d) > 0; }
  bool done(Dataset d) const { return done_.count(d) > 0; }
  bool ok(Dataset d) const {
    auto it = ok_.find(d);
    return it != ok_.end() && it->second;
  }
  bool ready_to_start(Dataset d) const { return planned(d) && !started_.count(d); }

  // Starts the per-object collections whose inputs are complete. Called after each dataset completes.
  void advance() {
    if (ready_to_start(Dataset::app_role_assigned_to) && done(Dataset::service_principals)) {
      const Dataset d = Dataset::app_role_assigned_to;
      if (!ok(Dataset::service_principals)) {
        cannot_start(d, "needs the service principals, which could not be read completely");
      } else {
        begin_group(d, "servicePrincipals/{id}/appRoleAssignedTo", "resource service principal");
        std::vector<std::string> ids;
        for (const auto& sp : b_.peek().service_principals())
          if (entra::rated_resource(sp.app_id) && std::find(ids.begin(), ids.end(), sp.id) == ids.end())
            ids.push_back(sp.id);
        start_group(d, ids, "appRoleAssignedTo", [this](const std::string& id, std::vector<entra::AppRoleAssignment> v) {
          b_.set_app_role_assigned_to(id, std::move(v));
        }, to_app_role_assignment);
      }
    }
    if (ready_to_start(Dataset::federated_identity_credentials) && done(Dataset::applications)) {
      const Dataset d = Dataset::federated_identity_credentials;
      if (!ok(Dataset::applications)) {
        cannot_start(d, "needs the applications, which could not be read completely");
      } else {
        begin_group(d, "applications/{id}/federatedIdentityCredentials", "application");
        std::vector<std::string> ids;
        for (const auto& app : b_.peek().applications()) ids.push_back(app.id);
        start_group(d, ids, "federatedIdentityCredentials",
                    [this](const std::string& id, std::vector<entra::FederatedIdentityCredential> v) {
                      b_.set_federated_identity_credentials(id, std::move(v));
                    },
                    to_federated_identity_credential);
      }
    }
    if (ready_to_start(Dataset::federation_configuration) && done(Dataset::domains)) {
      const Dataset d = Dataset::federation_configuration;
      if (!ok(Dataset::domains)) {
        cannot_start(d, "needs the domains, which could not be read completely");
      } else {
        begin_group(d, "domains/{id}/federationConfiguration", "federated domain");
        std::vector<std::string> ids;
        for (const auto& dom : b_.peek().domains())
          if (util::iequals(dom.authentication_type, "Federated")) ids.push_back(dom.id);
        start_group_federation(ids);
      }
    }
    if (ready_to_start(Dataset::app_owners) && done(Dataset::applications) && done(Dataset::service_principals) &&
        done(Dataset::app_role_assigned_to) && done(Dataset::role_assignments) &&
        (!planned(Dataset::role_definitions) || done(Dataset::role_definitions))) {
      const Dataset d = Dataset::app_owners;
      for (Dataset need : {Dataset::applications, Dataset::service_principals, Dataset::app_role_assigned_to,
                           Dataset::role_assignments})
        if (!ok(need)) {
          cannot_start(d, "which applications are privileged is unknown: dataset '" +
                              std::string(model::to_string(need)) + "' is not complete");
          return;
        }
      begin_group(d, "applications/{id}/owners", "privileged application");
      start_group(d, privileged_application_ids(b_), "owners",
                  [this](const std::string& id, std::vector<entra::DirectoryObject> v) {
                    b_.set_owners(id, std::move(v));
                  },
                  to_directory_object);
    }
  }

  template <class T>
  void start_group(Dataset d, const std::vector<std::string>& ids, const std::string& suffix,
                   std::type_identity_t<std::function<void(const std::string&, std::vector<T>)>> set,
                   Result<T> (*convert)(const GJson&, const entra::Origin&)) {
    std::vector<std::string> unsafe;
    for (const auto& id : ids) {
      if (!safe_path_component(id)) {
        unsafe.push_back(id);
        continue;
      }
      per_object<T>(d, id, suffix, convert, set);
    }
    Group& g = groups_[d];
    for (const auto& id : unsafe) {
      b_.add_note("an object id from Graph is not a safe path component and was skipped: " +
                  util::sanitize_for_terminal(id));
      g.missing.push_back(id);
    }
    if (g.pending == 0) finish_group(d);
  }

  void start_group_federation(const std::vector<std::string>& ids) {
    const Dataset d = Dataset::federation_configuration;
    for (const auto& id : ids) {
      if (!safe_path_component(id)) {
        groups_[d].missing.push_back(id);
        continue;
      }
      auto convert = [id](const GJson& j, const entra::Origin& o) { return to_federation_configuration(j, o, id); };
      per_object<entra::FederationConfiguration>(
          d, id, "federationConfiguration", convert,
          [this](const std::string& dom, std::vector<entra::FederationConfiguration> v) {
            b_.set_federation(dom, std::move(v));
          });
    }
    if (groups_[d].pending == 0) finish_group(d);
  }

  // --- the request loop ------------------------------------------------------------------------------------

  // Graph throttles each service on its own: the audit log (the reports service, 5 requests per 10 s) and
  // everything else the collector reads (the identity service's resource units). A 429 holds its service only.
  static std::size_t service_of(Dataset d) { return d == Dataset::directory_audits ? 1 : 0; }
  struct Throttle {
    Clock::time_point gate{};        // no new request before this
    Clock::time_point one_at_a_time{};  // until then, one request (or batch) in flight for the service
    int streak = 0;                  // throttlings in a row, each after the previous pause ended
  };
  static constexpr auto kThrottleWindow = std::chrono::seconds(10);  // Graph's throttling window

  Clock::time_point ready_at(const Chain& c) const {
    return std::max(c.not_before, throttle_[service_of(c.dataset)].gate);
  }
  // For one throttling window after a 429, a service gets one request at a time: with four batches in flight
  // an emptied bucket throttles all of them, and each throttled item costs a request more.
  bool held(const Chain& c, Clock::time_point now) const {
    const std::size_t service = service_of(c.dataset);
    if (now >= throttle_[service].one_at_a_time) return false;
    return std::any_of(inflight_.begin(), inflight_.end(),
                       [&](const auto& kv) { return service_of(kv.second.front()->dataset) == service; });
  }

  std::chrono::milliseconds wait_time() const {
    const auto now = Clock::now();
    std::optional<Clock::time_point> next;
    if (inflight_.size() < static_cast<std::size_t>(o_.concurrency))
      for (const auto& c : queue_)
        if (!held(*c, now)) next = next ? std::min(*next, ready_at(*c)) : ready_at(*c);  // held: wait for an answer
    if (!next) return std::chrono::milliseconds(inflight_.empty() ? 0 : 1000);
    if (*next <= now) return std::chrono::milliseconds(0);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) + std::chrono::milliseconds(1);
    return std::min(ms, std::chrono::milliseconds(1000));
  }

  void start_ready() {
    while (inflight_.size() < static_cast<std::size_t>(o_.concurrency) && !queue_.empty()) {
      if (token_error_) {  // no token any more: every waiting collection fails
        auto c = std::move(queue_.front());
        queue_.pop_front();
        finish(std::move(c), {Outcome::Kind::failed, 0, "", token_error_->describe()});
        continue;
      }
      const auto now = Clock::now();
      auto it = std::find_if(queue_.begin(), queue_.end(),
                             [&](const auto& c) { return ready_at(*c) <= now && !held(*c, now); });
      if (it == queue_.end()) return;
      std::unique_ptr<Chain> c = std::move(*it);
      queue_.erase(it);
      if (auto st = tokens_.ensure(); !st) {
        token_error_ = st.error();
        queue_.push_front(std::move(c));
        continue;
      }
      std::vector<std::unique_ptr<Chain>> chains;
      chains.push_back(std::move(c));
      if (batchable(*chains.front())) take_batch(chains, now);
      HttpRequest req = chains.size() > 1 ? batch_request(chains) : HttpRequest{};
      if (chains.size() == 1) req.url = chains.front()->url;
      req.bearer = &tokens_.token();
      for (auto& ch : chains) ch->token_generation = tokens_.generation();
      auto id = http_.start(std::move(req));
      if (!id) {
        for (auto& ch : chains) finish(std::move(ch), {Outcome::Kind::failed, 0, "", id.error().describe()});
        continue;
      }
      ++stats_.requests;
      if (chains.size() > 1) {
        ++stats_.batch_requests;
        stats_.batched_requests += chains.size();
      }
      for (auto& ch : chains) ++stats_.by_dataset[ch->dataset].requests;
      inflight_.emplace(id.value(), std::move(chains));
      stats_.max_in_flight = std::max(stats_.max_in_flight, inflight_.size());
    }
  }

  // --- JSON batching (graph-mechanics.md 8): the first request of per-object collections, up to 20 in one POST.

  static constexpr std::size_t kMaxBatch = 20;

  bool batchable(const Chain& c) const { return batching_ && c.pages == 0 && !c.batch_url.empty(); }

  // Moves up to kMaxBatch - 1 more ready, batchable chains from the queue into `chains`.
  void take_batch(std::vector<std::unique_ptr<Chain>>& chains, Clock::time_point now) {
    for (auto it = queue_.begin(); it != queue_.end() && chains.size() < kMaxBatch;) {
      if (batchable(**it) && ready_at(**it) <= now) {
        chains.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }

  HttpRequest batch_request(const std::vector<std::unique_ptr<Chain>>& chains) const {
    GJson requests = GJson::array();
    for (std::size_t i = 0; i < chains.size(); ++i)
      requests.push_back({{"id", std::to_string(i)}, {"method", "GET"}, {"url", chains[i]->batch_url}});
    HttpRequest req;
    req.method = "POST";
    req.url = o_.graph_root + "/v1.0/$batch";
    req.content_type = "application/json";
    req.body = util::Secret(GJson{{"requests", std::move(requests)}}.dump());
    return req;
  }

  void retry_later(std::unique_ptr<Chain> c, std::optional<double> retry_after, bool throttled) {
    ++c->retries;
    ++stats_.retries;
    ++stats_.by_dataset[c->dataset].retries;
    const double jitter = jitter_(rng_);
    double delay = retry_delay(o_.retry, c->retries, retry_after, jitter);
    const auto now = Clock::now();
    Throttle& th = throttle_[service_of(c->dataset)];
    if (throttled) {
      // Throttling is per app and tenant: every new request to that service waits too (the gate). A
      // Retry-After only as long as one request's deficit would let the next batch of 20 be throttled again,
      // so the pause is at least kThrottlePause, doubled for each throttling after the previous pause ended.
      if (now >= th.gate) ++th.streak;
      const double pause = std::min(o_.retry.cap_seconds, kThrottlePause * std::ldexp(1.0, std::min(th.streak, 16) - 1));
      delay = std::max(delay, pause * (1.0 + 0.1 * jitter));
    }
    stats_.waited_seconds += delay;
    const auto until = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
    c->not_before = until;
    if (throttled) {
      th.gate = std::max(th.gate, until);
      th.one_at_a_time = std::max(th.one_at_a_time, until + kThrottleWindow);
    }
    queue_.push_front(std::move(c));
  }

  void handle(HttpClient::Done done) {
    auto node = inflight_.extract(done.id);
    if (node.empty()) return;
    std::vector<std::unique_ptr<Chain>> chains = std::move(node.mapped());
    if (chains.size() > 1 && done.response) return batch_answered(std::move(chains), *done.response);
    for (auto& c : chains) {
      if (!done.response) {
        transport_failed(std::move(c), done.error);
      } else if (chains.size() == 1) {
        respond(std::move(c), *done.response);
      } else {
        HttpResponse copy = *done.response;
        respond(std::move(c), copy);
      }
    }
  }

  void transport_failed(std::unique_ptr<Chain> c, const TransportError& error) {
    if (!first_transport_error_) first_transport_error_ = error.message;
    if (error.retriable && c->retries < o_.retry.max_retries) return retry_later(std::move(c), std::nullopt, false);
    finish(std::move(c), {Outcome::Kind::failed, 0, "", error.message});
  }

  // A $batch answer: 200 carries one response per request, in any order, each handled as if it had been sent
  // alone. A throttled or failing envelope (429, 5xx, 401) is every request's answer. Anything else means this
  // Graph does not take batches here: they are sent one by one from now on.
  void batch_answered(std::vector<std::unique_ptr<Chain>> chains, HttpResponse& r) {
    if (r.status != 200) {
      if (r.status == 401 || retriable_status(r.status)) {
        for (auto& c : chains) {
          HttpResponse copy = r;
          respond(std::move(c), copy);
        }
        return;
      }
      return stop_batching(std::move(chains), "HTTP " + std::to_string(r.status));
    }
    auto answers = parse_batch_response(r.body, chains.size());
    if (!answers) return stop_batching(std::move(chains), "the answer has no \"responses\" array");
    ++successes_;
    for (auto& a : *answers) {
      a.response.client_request_id = r.client_request_id;
      respond(std::move(chains[a.index]), a.response);
    }
    // A request the answer left out is sent again (counted as a retry, so a server that keeps dropping it
    // cannot hold the scan forever).
    for (auto& c : chains)
      if (c) {
        if (c->retries < o_.retry.max_retries) {
          retry_later(std::move(c), std::nullopt, false);
        } else {
          finish(std::move(c), {Outcome::Kind::failed, 0, "", "the $batch answers kept leaving this request out"});
        }
      }
  }

  void stop_batching(std::vector<std::unique_ptr<Chain>> chains, const std::string& why) {
    batching_ = false;
    if (o_.verbose) std::cerr << "graph: $batch not accepted (" << why << "); sending requests one by one\n";
    for (auto& c : chains) queue_.push_front(std::move(c));
  }

  void respond(std::unique_ptr<Chain> c, HttpResponse& r) {
    if (r.status == 200) {
      ++successes_;
      throttle_[service_of(c->dataset)].streak = 0;
      last_ok_generation_ = std::max(last_ok_generation_, c->token_generation);
      return page(std::move(c), std::move(r.body));
    }
    const auto err = parse_graph_error(r.body);
    const std::string code = err ? err->code : std::string();
    std::string message = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
    if (err && !err->message.empty()) message += ": " + err->message;
    const std::string request_id = err && !err->request_id.empty() ? err->request_id : r.header("request-id");
    if (!request_id.empty()) message += " (request-id " + request_id + ", client-request-id " + r.client_request_id + ")";

    if (r.status == 401) {
      if (!c->refreshed && !token_error_) {
        c->refreshed = true;
        if (c->token_generation == tokens_.generation()) {  // our current token was refused: get a new one, once
          if (tokens_.generation() == refreshed_on_401_ && last_ok_generation_ < tokens_.generation()) {
            // A token obtained because of a 401 was refused before it served any request: Graph does not
            // accept this app's tokens (wrong audience, disabled app); renewing again would not help.
            token_error_ = make_error(ErrorCode::auth, "Microsoft Graph refuses the access token: " + message,
                                      o_.graph_root);
            return finish(std::move(c), {Outcome::Kind::failed, r.status, code, message});
          }
          ++stats_.token_refreshes_on_401;
          if (auto st = tokens_.refresh(); !st) token_error_ = st.error();
          refreshed_on_401_ = tokens_.generation();
        }
        queue_.push_front(std::move(c));
        return;
      }
      return finish(std::move(c), {Outcome::Kind::failed, r.status, code, message});
    }
    if (retriable_status(r.status)) {
      if (r.status == 429) ++stats_.throttled;
      if (c->retries < o_.retry.max_retries)
        return retry_later(std::move(c), parse_retry_after(r.header("Retry-After")), r.status == 429);
      message += " (gave up after " + std::to_string(c->retries) + " retries)";
      return finish(std::move(c), {Outcome::Kind::failed, r.status, code, message});
    }
    ++stats_.by_dataset[c->dataset].refused;
    refusals_.push_back({c->path, r.status, code, err ? err->message : std::string()});
    finish(std::move(c), {Outcome::Kind::refused, r.status, code, message});
  }

  void page(std::unique_ptr<Chain> c, std::string body) {
    const std::string next = next_link_of(body);
    const std::string file = capture_file(c->path);
    std::istringstream in(std::move(body));
    Chain& ch = *c;
    if (ch.recording && !ch.record) {
      auto rec = RecordFile::open(o_.record_dir, ch.path);
      if (rec) {
        ch.record = std::move(rec.value());
      } else {
        record_error_ = rec.error().describe();
        ch.recording = false;
      }
    }
    std::optional<std::size_t> repeats;  // the earlier page whose first object this page starts with
    auto n = for_each_item(in, file, [&](const GJson& j, std::size_t i) -> Status {
      if (i == 0 && j.is_object() && j.contains("id") && j["id"].is_string()) {
        // Objects of one collection have distinct ids: a page that starts like an earlier one means the
        // nextLinks go round in circles (each with a new token, so the link text alone would never repeat).
        auto [it, fresh] = ch.page_heads.emplace(j["id"].get<std::string>(), ch.pages + 1);
        if (!fresh) {
          repeats = it->second;
          return make_error(ErrorCode::invalid_input, "paging loops");
        }
      }
      b_.saw_properties(ch.dataset, property_names(j));
      if (auto st = ch.on_item(j, entra::Origin{file, ch.items + i}); !st) return st;
      if (ch.record) ch.record->add(j);
      return ok_status();
    });
    if (repeats)
      return finish(std::move(c), {Outcome::Kind::failed, 200, "",
                                   "the @odata.nextLink leads back to page " + std::to_string(*repeats) + " (page " +
                                       std::to_string(ch.pages + 1) + " starts with the same object): paging stopped"});
    if (!n) return finish(std::move(c), {Outcome::Kind::failed, 200, "", "malformed response: " + n.error().describe()});
    b_.saw_collection(ch.dataset, n.value());
    ch.items += n.value();
    ++ch.pages;
    stats_.objects += n.value();
    stats_.by_dataset[ch.dataset].objects += n.value();
    if (o_.progress) o_.progress->update("graph: " + std::string(model::to_string(ch.dataset)),
                                         stats_.by_dataset[ch.dataset].objects);
    ++stats_.by_dataset[ch.dataset].pages;
    if (next.empty()) return finish(std::move(c), {Outcome::Kind::ok, 200, "", ""});
    if (!same_origin(o_.graph_root, next))
      return finish(std::move(c), {Outcome::Kind::failed, 200, "",
                                   "the @odata.nextLink points outside " + o_.graph_root + "/v1.0/ (not followed)"});
    if (next == ch.url) return finish(std::move(c), {Outcome::Kind::failed, 200, "", "the @odata.nextLink repeats the page"});
    if (ch.pages >= o_.max_pages)
      return finish(std::move(c), {Outcome::Kind::failed, 200, "", "more than " + plural(o_.max_pages, "page") + " (stopped)"});
    ch.url = next;  // verbatim
    ch.retries = 0;
    ch.refreshed = false;
    ch.not_before = {};
    queue_.push_front(std::move(c));
  }

  void finish(std::unique_ptr<Chain> c, const Outcome& out) {
    if (c->record) {
      if (out.kind == Outcome::Kind::ok) {
        if (auto st = c->record->commit(); !st) record_error_ = st.error().describe();
      } else {
        c->record->abort();
        if (out.kind == Outcome::Kind::failed) failures_.push_back({c->path, out.status, out.code, out.message});
      }
      c->record.reset();
    }
    Chain& ch = *c;
    ch.on_done(ch, out);
  }

  // --- the record's manifest and statistics ---------------------------------------------------------------

  Status write_manifest() {
    if (!record_error_.empty()) return make_error(ErrorCode::io, "--record: " + record_error_);
    GJson m = GJson::object();
    m["tool"] = std::string("adpersist ") + ADPERSIST_VERSION;
    m["tenant"] = b_.peek().tenant_id();
    m["graph"] = o_.graph_root + "/v1.0";
    m["time"] = parsers::format_rfc3339(std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now()));
    m["audit_since"] = parsers::format_rfc3339(o_.audit_since);
    GJson refused = GJson::array();
    for (const auto& r : refusals_)
      refused.push_back({{"path", r.path}, {"status", r.status}, {"code", r.code}, {"message", r.message}});
    m["refused"] = std::move(refused);
    GJson failed = GJson::array();
    for (const auto& r : failures_)
      failed.push_back({{"path", r.path}, {"status", r.status}, {"code", r.code}, {"message", r.message}});
    m["failed"] = std::move(failed);
    m["requests"] = stats_.requests;
    const std::string path = (fs::path(o_.record_dir) / std::string(kManifestFile)).string();
    return util::write_file_atomic(path, m.dump(2, ' ', false, GJson::error_handler_t::replace) + "\n");
  }

  void print_stats() const {
    for (const auto& [d, s] : stats_.by_dataset)
      std::cerr << "graph: " << model::to_string(d) << ": " << plural(s.requests, "request") << ", "
                << plural(s.pages, "page") << ", " << plural(s.objects, "object")
                << (s.retries ? ", " + plural(s.retries, "retry") : "") << (s.refused ? ", " + std::to_string(s.refused) + " refused" : "")
                << "\n";
    std::cerr << "graph: " << plural(stats_.requests, "request") << " (" << stats_.batch_requests << " $batch carrying "
              << stats_.batched_requests << ", " << stats_.retries << " retried, "
              << stats_.throttled << " throttled, " << stats_.token_requests << " token "
              << (stats_.token_requests == 1 ? "request" : "requests") << ", " << stats_.token_refreshes_on_401
              << " refreshed on 401), " << stats_.objects << " objects in " << stats_.seconds << " s (waited "
              << stats_.waited_seconds << " s; at most " << stats_.max_in_flight << " in flight)\n";
  }

  const GraphOptions& o_;
  const engine::CollectionPlan& plan_;
  entra::TenantBuilder& b_;
  HttpClient http_;
  TokenSource tokens_;
  GraphStats stats_;
  std::deque<std::unique_ptr<Chain>> queue_;
  std::map<HttpClient::Id, std::vector<std::unique_ptr<Chain>>> inflight_;  // one chain, or a $batch's
  bool batching_ = o_.batch;
  static constexpr double kThrottlePause = 0.5;  // seconds, the shortest pause after a 429
  std::array<Throttle, 2> throttle_{};          // by service_of()
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
  std::map<Dataset, Group> groups_;
  std::set<Dataset> started_, done_;
  std::map<Dataset, bool> ok_;
  std::vector<Refusal> refusals_, failures_;
  std::optional<Error> token_error_;
  std::optional<std::string> first_transport_error_;
  std::string record_error_;
  std::size_t successes_ = 0;
  std::uint64_t refreshed_on_401_ = 0;     // the token generation a 401 made us get
  std::uint64_t last_ok_generation_ = 0;   // the newest token generation Graph accepted
  bool have_org_ = false;
};

}  // namespace

Result<GraphStats> collect_graph(const GraphOptions& options, const engine::CollectionPlan& plan,
                                 entra::TenantBuilder& b) {
  if (options.concurrency < 1 || options.concurrency > 64)
    return make_error(ErrorCode::usage, "the Graph concurrency must be 1..64");
  if (!util::istarts_with(options.graph_root, "https://") || !util::istarts_with(options.login_root, "https://"))
    return make_error(ErrorCode::usage, "the Graph and login URLs must be https://");
  return Collector(options, plan, b).run();
}

}  // namespace adpersist::sources::graph
