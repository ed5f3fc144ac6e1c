// HTTPS for the Microsoft Graph collector: a libcurl multi-handle wrapper (concurrent GETs, a blocking POST
// for the token endpoint), the retry policy (Retry-After, exponential backoff with jitter and a cap) and the
// Graph error-body parser. TLS is always verified (the system store or --ca-file); only https:// URLs are
// accepted and redirects are never followed, so a bearer token cannot leave for another host. Secrets
// (bearer token, form body holding a client secret or assertion) are passed as util::Secret and the
// header/body copies libcurl sees are wiped after the transfer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/util/result.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::sources::graph {

struct HttpOptions {
  std::string ca_file;                          // empty: the system store
  std::chrono::milliseconds timeout{60000};     // one whole transfer
  std::chrono::milliseconds connect_timeout{15000};
  std::size_t max_body = std::size_t{512} << 20;  // a larger response body fails the transfer
  std::string user_agent;
};

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // https:// only
  std::vector<std::string> headers;  // "Name: value", nothing secret
  const util::Secret* bearer = nullptr;  // Authorization: Bearer <token> (copied, wiped after the transfer)
  util::Secret body;                     // POST body (wiped after the transfer: it may hold a secret)
  std::string content_type = "application/x-www-form-urlencoded";  // of a POST body
  std::string client_request_id;         // sent as client-request-id (a new GUID when empty)
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // as received (names as sent by the server)
  std::string client_request_id;                             // what we sent
  double seconds = 0;
  // First header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// A transfer that did not produce an HTTP response (DNS, TCP, TLS, timeout, oversized body).
struct TransportError {
  std::string message;  // for humans: "cannot reach the server", "the server's certificate could not be verified"
  bool retriable = false;  // timeouts, resets: worth another try; certificate and protocol failures are not
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Id = std::uint64_t;
  struct Done {
    Id id = 0;
    std::optional<HttpResponse> response;  // set unless `error`
    TransportError error;
  };

  // Starts a transfer; its result comes back from poll(). A malformed request (not https://) fails here.
  Result<Id> start(HttpRequest request);
  // Drives the transfers for up to `max_wait` (less when one finishes) and returns those that finished.
  std::vector<Done> poll(std::chrono::milliseconds max_wait);
  // One transfer, to completion (other transfers keep running meanwhile; their results are kept for poll()).
  Done perform(HttpRequest request);
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A new random (version 4) GUID, lower-case: client-request-id, JWT jti.
std::string new_guid();

// Percent-encodes everything but RFC 3986 unreserved characters (for a path segment or a form value).
std::string percent_encode(std::string_view s);

// --- retry policy (pure) ------------------------------------------------------------------------------

struct RetryPolicy {
  int max_retries = 6;          // retries of one request after its first try
  double base_seconds = 1.0;    // exponential backoff without Retry-After: base * 2^(retry-1) ...
  double cap_seconds = 60.0;    // ... capped here
  double max_retry_after = 300.0;  // a longer Retry-After is clamped to this
};

// Statuses worth retrying: 429 (throttled), 500, 502, 503, 504.
bool retriable_status(long status);
// Retry-After: delay-seconds, possibly fractional ("2.128"), or an HTTP-date (relative to `now`). nullopt when
// absent or malformed; negative and past values give 0.
std::optional<double> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
// Seconds to wait before retry number `retry` (1-based). With a Retry-After the server's value is honoured
// (clamped to max_retry_after) plus up to 10 % jitter, never less than it; without, base * 2^(retry-1) capped
// at cap_seconds, scaled by a jitter factor in [0.5, 1]. `jitter01` is a uniform random number in [0, 1].
double retry_delay(const RetryPolicy& policy, int retry, std::optional<double> retry_after, double jitter01);

// --- Graph error bodies --------------------------------------------------------------------------------

// {"error":{"code","message","innerError":{"request-id"|"requestId","client-request-id","date",...}}}.
// innerError is looked up case-insensitively and nested innerErrors are walked (the first request id wins).
struct GraphError {
  std::string code, message, request_id, client_request_id, date;
  std::string inner_code;  // the innermost innerError "code", when one is given
};
std::optional<GraphError> parse_graph_error(std::string_view body);

}  // namespace adpersist::sources::graph
