// The live Microsoft Graph collector: reads what the selected checks need (engine::plan_graph_collection)
// from Graph v1.0 with an app-only token, straight into the typed model, and optionally records every
// response in the capture layout (capture.hpp) so `scan --graph-dir` replays it.
//
// Requests: one collection GET per dataset with $select (and $top=999 where Graph pages), each
// @odata.nextLink followed verbatim (same origin only); per-object collections only where Graph has no
// collection call: appRoleAssignedTo once per rated Microsoft resource service principal present,
// federatedIdentityCredentials per application, owners for privileged_applications() only,
// federationConfiguration per Federated domain. Their first requests travel 20 to a POST /$batch (each one
// still answered, throttled and retried on its own; later pages follow their nextLink alone); a Graph that
// refuses the batch gets them one by one. Up to `concurrency` requests in flight (one thread, libcurl
// multi); 429/500/502/503/504 and broken connections are retried (Retry-After, else exponential backoff with
// jitter, capped; a 429 pauses the requests to that Graph service, identity or reports, at least 0.5 s,
// doubled while throttling continues, then one at a time for a 10 s window); a 401 refreshes the token once. Each page is converted as it arrives and then dropped.
//
// A refused request (403 Authorization_RequestDenied, 404, ...) marks its dataset missing with the reason
// (a 403 names the application permission, in the capture reader's words); a failure after some pages marks
// it partial. Only failures before any Graph data (token, TLS, connection) are errors.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scanner/engine/collection_plan.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/parsers/ad_time.hpp"
#include "scanner/sources/graph/http.hpp"
#include "scanner/sources/graph/token.hpp"

namespace adpersist::util {
class Progress;
}

namespace adpersist::sources::graph {

struct GraphOptions {
  std::string tenant;     // GUID or verified domain
  std::string client_id;  // GUID
  ClientCredential credential;
  std::string login_root;  // https://login.microsoftonline.com (no trailing slash)
  std::string graph_root;  // https://graph.microsoft.com
  std::string ca_file;
  int concurrency = 4;
  bool batch = true;  // JSON batching of the per-object collections' first requests (20 to a POST /$batch)
  std::chrono::seconds timeout{60};  // one request
  RetryPolicy retry;
  std::size_t max_pages = 100000;  // per collection: a guard against a server that never stops paging
  // directoryAudits: activityDateTime ge audit_since.
  parsers::TimePoint audit_since{};
  std::string record_dir;  // non-empty: write the capture layout here (must not exist or be empty)
  bool verbose = false;    // progress on stderr (never a token, secret or query string)
  util::Progress* progress = nullptr;  // the live object count per dataset (terminal only); not owned
};

struct DatasetRequests {
  std::size_t requests = 0;  // requests sent for this dataset (alone or inside a $batch), retries included
  std::size_t pages = 0;     // successful pages
  std::size_t objects = 0;
  std::size_t retries = 0;
  std::size_t refused = 0;   // requests answered with an error that was not retried
};

struct GraphStats {
  std::map<model::Dataset, DatasetRequests> by_dataset;
  std::size_t requests = 0;  // Graph HTTP requests sent (retries included), token requests excluded
  std::size_t batch_requests = 0;    // of which POST /$batch
  std::size_t batched_requests = 0;  // requests carried inside those batches
  std::size_t retries = 0;
  std::size_t throttled = 0;  // 429 answers
  std::size_t token_requests = 0;
  std::size_t token_refreshes_on_401 = 0;
  std::size_t objects = 0;
  double seconds = 0;
  double waited_seconds = 0;  // sum of the retry delays
  std::size_t max_in_flight = 0;
};

// Collects `plan` into `b`. Errors: usage (bad options, a non-empty record directory), auth (the token
// endpoint refused), network (unreachable, TLS) — only before any Graph data arrived.
Result<GraphStats> collect_graph(const GraphOptions& options, const engine::CollectionPlan& plan,
                                 model::entra::TenantBuilder& b);

// The reason a refused request gives its dataset, the same words the capture reader uses for a refusal
// recorded in _adpersist.json: "Graph refused GET /auditLogs/directoryAudits (403 Authorization_RequestDenied):
// the app needs the AuditLog.Read.All application permission".
std::string refusal_reason(const std::string& request_path, model::Dataset d, long status, const std::string& code);

// The query string of a dataset's first request (no leading '?'), e.g.
// "$select=id,appId,displayName&$top=999". `audit_since` is used for directoryAudits.
std::string initial_query(model::Dataset d, const std::vector<std::string>& properties, parsers::TimePoint audit_since);

// Whether `next_link` may be followed: same scheme, host and port as `graph_root`, under /v1.0/.
bool same_origin(const std::string& graph_root, const std::string& next_link);

// The @odata.nextLink of a page body (top level), or "" (a SAX pass that keeps nothing else).
std::string next_link_of(const std::string& body);

// One answer inside a JSON batch response: the request it answers (the index whose decimal text is the
// "id" the collector sent) and that request's response, as if it had been sent alone.
struct BatchAnswer {
  std::size_t index = 0;
  HttpResponse response;
};
// The "responses" of a POST /$batch answer to `requests` requests (ids "0", "1", ...), in the order received
// (Graph answers in any order). Left out, so that the collector sends them again: an answer that is not an
// object, whose id is not exactly one of ours ("01" is not "1") or was answered earlier in the body, without
// an integer status, or a
// 200 without a body. nullopt when the body has no "responses" array (this Graph does not take batches) or
// is nested deeper than kMaxJsonDepth (graph_objects.hpp).
// Separate from the collector so that the bytes Graph sends can be fuzzed (tests/fuzz/graph_batch_fuzz.cpp).
std::optional<std::vector<BatchAnswer>> parse_batch_response(const std::string& body, std::size_t requests);

// The application ids whose owners the collector reads: privileged_applications() over what has been
// collected so far (reindexes the builder first).
std::vector<std::string> privileged_application_ids(model::entra::TenantBuilder& b);

}  // namespace adpersist::sources::graph
