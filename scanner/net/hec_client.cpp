#include "scanner/net/hec_client.hpp"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "scanner/sources/graph/http.hpp"
#include "scanner/util/progress.hpp"
#include "scanner/util/strings.hpp"
#include "scanner/util/verbosity.hpp"

namespace adpersist::net {

namespace {

bool blank(std::string_view line) { return util::trim(line).empty(); }

std::string reason_phrase(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// "503 Service Unavailable: Server is busy, code 9" from Splunk's {"text","code"}; a body that is not Splunk's
// JSON (a proxy's page) is shown cut short and made safe for a terminal.
std::string describe_answer(const HecExchange& a, std::optional<long>* invalid_event = nullptr) {
  std::string s = std::to_string(a.status);
  if (auto phrase = reason_phrase(a.status); !phrase.empty()) s += " " + phrase;
  const auto j = nlohmann::json::parse(a.body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && (j.contains("text") || j.contains("code"))) {
    std::string text = j.contains("text") && j["text"].is_string() ? j["text"].get<std::string>() : "";
    if (text.size() > 200) text.resize(200);
    s += ": " + util::sanitize_for_terminal(text);
    if (j.contains("code") && j["code"].is_number_integer()) s += ", code " + std::to_string(j["code"].get<long>());
    if (invalid_event && j.contains("invalid-event-number") && j["invalid-event-number"].is_number_integer())
      *invalid_event = j["invalid-event-number"].get<long>();
    return s;
  }
  std::string body(util::trim(a.body));
  if (!body.empty()) {
    if (body.size() > 120) body = body.substr(0, 120) + "...";
    s += ": " + util::sanitize_for_terminal(body);
  }
  return s;
}

// The URL for an error message, without what may hold a secret (a query, a user name and password).
std::string shown_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t scheme = url.find("://");
  const std::size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t at = url.find('@', from);
  std::string out(url);
  if (at != std::string_view::npos && at < url.find('/', from))
    out = std::string(url.substr(0, from)) + std::string(url.substr(at + 1));
  return util::sanitize_for_terminal(out);
}

}  // namespace

Result<std::string> hec_endpoint(std::string_view url) {
  const std::string shown = shown_url(url);
  if (util::istarts_with(url, "http://"))
    return make_error(ErrorCode::usage,
                      "--hec-url must be https:// (the token and the findings never cross the network in clear)",
                      shown);
  if (!util::istarts_with(url, "https://"))
    return make_error(ErrorCode::usage, "--hec-url takes an https:// URL, e.g. https://splunk.example:8088", shown);
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return make_error(ErrorCode::usage, "--hec-url contains a space or a control character", shown);
  if (url.find_first_of("?#") != std::string_view::npos)
    return make_error(ErrorCode::usage,
                      "--hec-url takes no query or fragment (the token is read from --hec-token-file, never a URL)",
                      shown);
  const std::string_view rest = url.substr(8);
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty() || authority.front() == ':')
    return make_error(ErrorCode::usage, "--hec-url has no host name", shown);
  if (authority.find('@') != std::string_view::npos)
    return make_error(ErrorCode::usage, "--hec-url must not carry a user name or password", shown);
  std::string out(url);
  if (slash == std::string_view::npos || rest.substr(slash) == "/") {
    while (!out.empty() && out.back() == '/') out.pop_back();
    out += "/services/collector/event";
  }
  return out;
}

Status check_hec_token(const util::Secret& token) {
  const std::string& t = token.reveal();
  if (t.empty()) return make_error(ErrorCode::usage, "the HEC token is empty");
  if (std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return make_error(ErrorCode::usage, "the HEC token contains a space or a control character (it goes into an "
                                        "HTTP header): is it the right file?");
  return ok_status();
}

std::vector<std::string_view> split_batches(std::string_view ndjson, std::size_t max_bytes) {
  std::vector<std::string_view> out;
  std::size_t start = std::string_view::npos, end = 0;  // the batch being built: [start, end)
  std::size_t pos = 0;
  while (pos < ndjson.size()) {
    std::size_t nl = ndjson.find('\n', pos);
    const std::size_t line_end = nl == std::string_view::npos ? ndjson.size() : nl + 1;
    const std::string_view line = ndjson.substr(pos, line_end - pos);
    if (!blank(line)) {
      // A blank line between two events stays inside their batch (HEC skips whitespace between events).
      if (start != std::string_view::npos && line_end - start > max_bytes) {
        out.push_back(ndjson.substr(start, end - start));
        start = std::string_view::npos;
      }
      if (start == std::string_view::npos) start = pos;
      end = line_end;
    }
    pos = line_end;
  }
  if (start != std::string_view::npos) out.push_back(ndjson.substr(start, end - start));
  return out;
}

std::size_t count_events(std::string_view ndjson) {
  std::size_t n = 0;
  for (auto line : util::split(ndjson, '\n'))
    if (!blank(line)) ++n;
  return n;
}

HecVerdict judge_answer(const HecExchange& a) {
  using Kind = HecVerdict::Kind;
  if (a.status == 0) return {a.retriable ? Kind::retry : Kind::fail, a.error, false};
  std::optional<long> invalid_event;
  const std::string what = describe_answer(a, &invalid_event);
  if (a.status == 200) {
    const auto j = nlohmann::json::parse(a.body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("code") && j["code"].is_number_integer() &&
        j["code"].get<long>() == 0)
      return {Kind::ok, "", false};
    return {Kind::fail, "the answer is not HEC's success ({\"text\":\"Success\",\"code\":0}) but " + what, false};
  }
  if (a.status == 401 || a.status == 403)
    return {Kind::fail, "the token was refused (" + what + ")", true};
  if (a.status == 400) {
    std::string m = "HEC rejected the data (" + what + ")";
    if (invalid_event) m += " at event " + std::to_string(*invalid_event + 1) + " of the batch";
    return {Kind::fail, m, false};
  }
  if (sources::graph::retriable_status(a.status))
    return {Kind::retry, "the collector is unavailable (" + what + ")", false};
  if (a.status == 404) return {Kind::fail, "no HTTP Event Collector at this URL (" + what + ")", false};
  if (a.status == 413) return {Kind::fail, "the collector refused a batch as too large (" + what + ")", false};
  if (a.status >= 300 && a.status < 400)
    return {Kind::fail, "the collector answered with a redirect (" + what + "), which is not followed: give the final "
                        "URL", false};
  return {Kind::fail, "unexpected answer (" + what + ")", false};
}

Result<HecStats> deliver_hec(const HecOptions& o, std::string_view ndjson, const HecSend& send, const HecSleep& sleep,
                             const std::function<double()>& jitter01) {
  const auto t0 = std::chrono::steady_clock::now();
  HecStats st;
  const auto batches = split_batches(ndjson, std::max<std::size_t>(o.max_batch_bytes, 1));
  const std::size_t total = count_events(ndjson);
  sources::graph::RetryPolicy policy;
  policy.max_retries = o.max_attempts - 1;
  policy.base_seconds = o.backoff_seconds;
  policy.cap_seconds = o.backoff_cap_seconds;
  policy.max_retry_after = o.max_retry_after;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    for (int attempt = 1;; ++attempt) {
      const HecExchange answer = send(batches[i]);
      ++st.requests;
      const HecVerdict v = judge_answer(answer);
      if (v.kind == HecVerdict::Kind::ok) {
        st.events += count_events(batches[i]);
        ++st.batches;
        break;
      }
      if (v.kind == HecVerdict::Kind::fail || attempt >= o.max_attempts) {
        std::string m = "delivery to Splunk HEC failed: " + v.message;
        if (attempt > 1) m += " after " + std::to_string(attempt) + " attempts";
        m += "; " + util::group_thousands(st.events) + " of " + util::group_thousands(total) + " events delivered";
        return make_error(v.auth ? ErrorCode::auth : ErrorCode::network, m, o.url);
      }
      const auto retry_after = answer.retry_after.empty() ? std::nullopt
                                                          : sources::graph::parse_retry_after(answer.retry_after);
      sleep(sources::graph::retry_delay(policy, attempt, retry_after, jitter01()));
      ++st.retries;
    }
  }
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

// --- libcurl ---------------------------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxAnswer = std::size_t{1} << 20;

struct Answer {
  HecExchange* out = nullptr;
  bool too_big = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Answer*>(user);
  const std::size_t len = size * n;
  if (a->out->body.size() + len > kMaxAnswer) {
    a->too_big = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  a->out->body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Answer*>(user);
  const std::size_t len = size * n;
  const std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    a->out->retry_after.clear();
  } else if (util::istarts_with(line, "retry-after:")) {
    a->out->retry_after = std::string(util::trim(line.substr(12)));
  }
  return len;
}

HecExchange transport_error(CURLcode rc, const char* errbuf, bool too_big, const HecOptions& o) {
  const std::string detail = util::sanitize_for_terminal(errbuf && *errbuf ? errbuf : curl_easy_strerror(rc));
  HecExchange x;
  auto set = [&](std::string what, bool retriable) {
    x.error = std::move(what);
    x.retriable = retriable;
  };
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: set("cannot resolve the collector's host name (" + detail + ")", true); break;
    case CURLE_COULDNT_CONNECT: set("cannot connect to the collector (" + detail + ")", true); break;
    case CURLE_OPERATION_TIMEDOUT:
      set("no complete answer within " + std::to_string(o.timeout.count() / 1000) + " s (" + detail + ")", true);
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: set("the connection broke (" + detail + ")", true); break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
      set("the collector's TLS certificate could not be verified (" + detail + "): if a private CA issued it, give "
          "that CA with " + o.ca_option,
          false);
      break;
    case CURLE_SSL_CACERT_BADFILE: set("cannot use the CA file " + o.ca_file + " (" + detail + ")", false); break;
    case CURLE_SSL_CONNECT_ERROR: set("the TLS handshake failed (" + detail + ")", false); break;
    case CURLE_WRITE_ERROR:
      set(too_big ? "the collector's answer is larger than 1 MiB" : "the answer could not be stored (" + detail + ")",
          false);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL: set("only https:// is used (" + detail + ")", false); break;
    default: set("the request failed (" + detail + ")", false); break;
  }
  return x;
}

// An answer that repeats the token (a misconfigured proxy echoing headers) must not carry it into a message.
void scrub(std::string& s, const std::string& token) {
  if (token.empty()) return;
  for (std::size_t p = s.find(token); p != std::string::npos; p = s.find(token, p))
    s.replace(p, token.size(), "[token]");
}

class CurlSession {
 public:
  CurlSession(const HecOptions& o, const util::Secret& token) : o_(o), token_(token) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    e_ = curl_easy_init();
    if (!e_) return;
    curl_easy_setopt(e_, CURLOPT_URL, o.url.c_str());
    curl_easy_setopt(e_, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(e_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e_, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!o.ca_file.empty()) curl_easy_setopt(e_, CURLOPT_CAINFO, o.ca_file.c_str());
    curl_easy_setopt(e_, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout.count());
    curl_easy_setopt(e_, CURLOPT_TIMEOUT_MS, o.timeout.count());
    curl_easy_setopt(e_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e_, CURLOPT_USERAGENT, "adpersist/" ADPERSIST_VERSION);
    curl_easy_setopt(e_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(e_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e_, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(e_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e_, CURLOPT_HEADERDATA, &answer_);
    curl_easy_setopt(e_, CURLOPT_POST, 1L);
    std::string auth = "Authorization: Splunk " + token.reveal();
    headers_ = curl_slist_append(headers_, auth.c_str());
    OPENSSL_cleanse(auth.data(), auth.size());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    // A token with indexer acknowledgement enabled refuses requests without a channel (400, code 10); any
    // other token ignores it. One channel per run.
    const std::string channel = "X-Splunk-Request-Channel: " + sources::graph::new_guid();
    headers_ = curl_slist_append(headers_, channel.c_str());
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip before each batch
    curl_easy_setopt(e_, CURLOPT_HTTPHEADER, headers_);
  }
  ~CurlSession() {
    if (e_) curl_easy_cleanup(e_);
    for (curl_slist* p = headers_; p; p = p->next)
      if (p->data) OPENSSL_cleanse(p->data, std::strlen(p->data));
    curl_slist_free_all(headers_);
  }
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  HecExchange send(std::string_view batch) {
    HecExchange x;
    if (!e_ || !headers_) {
      x.error = "libcurl could not be initialised";
      return x;
    }
    answer_ = Answer{&x, false};
    errbuf_[0] = '\0';
    curl_easy_setopt(e_, CURLOPT_POSTFIELDS, batch.data());
    curl_easy_setopt(e_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(batch.size()));
    const auto t0 = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(e_);
    const auto took =
        std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (rc != CURLE_OK) {
      HecExchange t = transport_error(rc, errbuf_, answer_.too_big, o_);
      answer_ = Answer{};
      if (util::tracing())
        util::trace("hec", "POST " + o_.url + " (" + std::to_string(batch.size()) + " bytes) -> " + t.error +
                               " after " + took + " s");
      return t;
    }
    curl_easy_getinfo(e_, CURLINFO_RESPONSE_CODE, &x.status);
    answer_ = Answer{};
    scrub(x.body, token_.reveal());
    // The answer's body is shown (Splunk's {"text":...,"code":N}): scrubbed of the token just above.
    if (util::tracing())
      util::trace("hec", "POST " + o_.url + " (" + std::to_string(batch.size()) + " bytes, " +
                             std::to_string(count_events(batch)) + " events) -> " + std::to_string(x.status) +
                             " in " + took + " s: " + x.body.substr(0, 200));
    return x;
  }

 private:
  const HecOptions& o_;
  const util::Secret& token_;
  CURL* e_ = nullptr;
  curl_slist* headers_ = nullptr;
  Answer answer_;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace

Result<HecStats> post_hec(const HecOptions& options, const util::Secret& token, std::string_view ndjson) {
  if (auto st = check_hec_token(token); !st) return st.error();
  if (!util::istarts_with(options.url, "https://"))
    return make_error(ErrorCode::usage, "only https:// is used for HEC", options.url);
  if (count_events(ndjson) == 0) return HecStats{};
  CurlSession session(options, token);
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  return deliver_hec(
      options, ndjson, [&](std::string_view batch) { return session.send(batch); },
      [](double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); },
      [&] { return uniform(rng); });
}

}  // namespace adpersist::net
