// Delivery to a Splunk HTTP Event Collector: NDJSON event envelopes POSTed in batches of at most ~1 MB (cut at
// line boundaries) to /services/collector/event with `Authorization: Splunk <token>` and a request channel
// (which tokens with indexer acknowledgement require). 429, 500-504 and connection failures are retried a
// bounded number of times (exponential backoff from 0.5 s, Retry-After honoured up to a cap); a refused token
// (401/403) or rejected data (400) fails at once, with Splunk's {"text","code"} in the message. TLS is always
// verified (the system store or a CA file), redirects are never followed, and the token appears in no
// message: errors name the URL, the status and Splunk's answer.
//
// The HTTP exchange is a function (HecSend) so that the batching and retry logic is tested without a network;
// post_hec() plugs in libcurl.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/util/result.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::net {

struct HecOptions {
  std::string url;      // the endpoint, as hec_endpoint() returns it
  std::string ca_file;  // trust anchors (PEM); empty: the system store
  std::string ca_option = "--hec-ca-file";  // named in the hint of a certificate error
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};  // one whole request
  std::size_t max_batch_bytes = 1000000;  // well under HEC's max_content_length; a retry resends little
  int max_attempts = 5;             // per batch, the first try included
  double backoff_seconds = 0.5;     // the first retry's delay without Retry-After; doubled for each next one
  double backoff_cap_seconds = 8;   // ... up to this
  double max_retry_after = 30;      // a longer Retry-After is cut to this
};

struct HecStats {
  std::size_t events = 0;     // delivered
  std::size_t batches = 0;    // delivered
  std::size_t requests = 0;   // sent, retries included
  std::size_t retries = 0;
  double seconds = 0;
};

// The endpoint for a --hec-url: https:// only, no user name or password, no query or fragment (a token must
// never travel in a URL); a URL without a path gets Splunk's /services/collector/event.
Result<std::string> hec_endpoint(std::string_view url);

// A usable token: not empty, no control characters or spaces (it goes into an HTTP header). The error never
// shows the token.
Status check_hec_token(const util::Secret& token);

// `ndjson` cut at line boundaries into pieces of at most `max_bytes` (a longer line makes a batch of its own).
// No piece starts or ends with a blank line; each ends with its last line's newline (if the input had one).
std::vector<std::string_view> split_batches(std::string_view ndjson, std::size_t max_bytes);
// Non-blank lines.
std::size_t count_events(std::string_view ndjson);

// One HTTP exchange as the delivery sees it.
struct HecExchange {
  long status = 0;          // 0: no HTTP answer (see error)
  std::string body;         // the answer
  std::string retry_after;  // the Retry-After header, if any
  std::string error;        // a transport failure, for humans
  bool retriable = false;   // of a transport failure: worth another try (unreachable, reset, timeout)
};

struct HecVerdict {
  enum class Kind { ok, retry, fail } kind = Kind::fail;
  std::string message;  // why not ok: "the token was refused (403 Forbidden: Invalid token, code 4)"
  bool auth = false;    // the token was refused
};
// What an answer means: 200 with {"code":0} is success; 429, 500-504 and retriable transport failures are
// worth another try; everything else fails at once.
HecVerdict judge_answer(const HecExchange& answer);

using HecSend = std::function<HecExchange(std::string_view batch)>;
using HecSleep = std::function<void(double seconds)>;

// Sends the batches of `ndjson` in order with `send`, retrying as judge_answer() says (sleeping with `sleep`;
// `jitter01` gives uniform numbers in [0, 1] for the backoff). Stops at the first batch that fails for good:
// the error says how many events had been delivered before it. Nothing to send is success (no request).
Result<HecStats> deliver_hec(const HecOptions& options, std::string_view ndjson, const HecSend& send,
                             const HecSleep& sleep, const std::function<double()>& jitter01);

// deliver_hec() over libcurl: one connection kept alive for all batches, TLS 1.2+ verified against
// `options.ca_file` or the system store, no redirects, connect and request timeouts.
Result<HecStats> post_hec(const HecOptions& options, const util::Secret& token, std::string_view ndjson);

}  // namespace adpersist::net
