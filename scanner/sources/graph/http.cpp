#include "scanner/sources/graph/http.hpp"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "scanner/util/strings.hpp"
#include "scanner/util/verbosity.hpp"

namespace adpersist::sources::graph {

namespace {

using Clock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

void free_headers(curl_slist* list) {
  for (curl_slist* p = list; p; p = p->next)
    if (p->data) OPENSSL_cleanse(p->data, std::strlen(p->data));
  curl_slist_free_all(list);
}

TransportError transport_error(CURLcode rc, const char* errbuf, bool too_big, const HttpOptions& o) {
  std::string detail = errbuf && *errbuf ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  auto with = [&](std::string what, bool retriable) { return TransportError{what + " (" + detail + ")", retriable}; };
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return with("cannot resolve the server's host name", false);
    case CURLE_COULDNT_CONNECT: return with("cannot reach the server", false);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return with("the server's certificate could not be verified (use --ca-file for a private CA)", false);
    case CURLE_SSL_CONNECT_ERROR: return with("the TLS handshake failed", false);
    case CURLE_OPERATION_TIMEDOUT:
      return with("no complete answer within " + std::to_string(o.timeout.count() / 1000) + " s", true);
    case CURLE_WRITE_ERROR:
      if (too_big) return {"the response is larger than " + std::to_string(o.max_body >> 20) + " MiB", false};
      return with("the response could not be stored", false);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return with("the connection broke", true);
    case CURLE_UNSUPPORTED_PROTOCOL: return with("only https:// URLs are used", false);
    default: return with("the request failed", false);
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (util::iequals(k, name)) return v;
  return {};
}

namespace {
struct Transfer {
  HttpClient::Id id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  util::Secret body;
  HttpResponse response;
  char errbuf[CURL_ERROR_SIZE] = {};
  bool too_big = false;
  std::size_t max_body = 0;
  Clock::time_point started;
  std::string trace_what;  // -vv: "METHOD URL" without the query string (never a header or body)

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    free_headers(headers);
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * n;
  if (t->response.body.size() + len > t->max_body) {
    t->too_big = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  t->response.body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue): forget earlier headers
    t->response.headers.clear();
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  auto name = util::trim(line.substr(0, colon));
  auto value = util::trim(line.substr(colon + 1));
  if (t->response.headers.size() < 200) t->response.headers.emplace_back(std::string(name), std::string(value));
  return len;
}
}  // namespace

struct HttpClient::Impl {
  HttpOptions options;
  CURLM* multi = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> active;
  std::vector<Done> ready;  // finished while perform() waited for its own transfer
  Id next_id = 1;

  Done finish(CURL* easy, CURLcode rc) {
    auto it = active.find(easy);
    std::unique_ptr<Transfer> t = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);
    Done d;
    d.id = t->id;
    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      t->response.status = status;
      t->response.seconds = std::chrono::duration<double>(Clock::now() - t->started).count();
      if (util::tracing())
        util::trace("http", t->trace_what + " -> " + std::to_string(status) + ", " +
                                std::to_string(t->response.body.size()) + " bytes in " +
                                std::to_string(t->response.seconds) + " s (client-request-id " +
                                t->response.client_request_id + ")");
      d.response = std::move(t->response);
    } else {
      d.error = transport_error(rc, t->errbuf, t->too_big, options);
      if (util::tracing()) util::trace("http", t->trace_what + " -> " + d.error.message);
    }
    return d;  // ~Transfer wipes the header copies and the body
  }

  void drain(std::vector<Done>& out) {
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued))
      if (m->msg == CURLMSG_DONE) out.push_back(finish(m->easy_handle, m->data.result));
  }

  void drive(std::chrono::milliseconds wait, std::vector<Done>& out) {
    int running = 0;
    curl_multi_perform(multi, &running);
    drain(out);
    if (!out.empty()) return;
    if (active.empty()) {
      if (wait.count() > 0) std::this_thread::sleep_for(wait);
      return;
    }
    const int ms = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60000));
    curl_multi_poll(multi, nullptr, 0, ms, nullptr);
    curl_multi_perform(multi, &running);
    drain(out);
  }
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
  global_init();
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  // Connections are reused between requests (keep-alive); HTTP/2 multiplexes when the server offers it.
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
}

HttpClient::~HttpClient() {
  for (auto& [easy, t] : impl_->active) curl_multi_remove_handle(impl_->multi, easy);
  impl_->active.clear();
  curl_multi_cleanup(impl_->multi);
}

std::size_t HttpClient::in_flight() const { return impl_->active.size(); }

Result<HttpClient::Id> HttpClient::start(HttpRequest req) {
  if (!util::istarts_with(req.url, "https://"))
    return make_error(ErrorCode::usage, "only https:// URLs are used (TLS is required)", req.url);
  const HttpOptions& o = impl_->options;
  auto t = std::make_unique<Transfer>();
  t->id = impl_->next_id++;
  t->max_body = o.max_body;
  t->easy = curl_easy_init();
  if (!t->easy) return make_error(ErrorCode::internal, "curl_easy_init failed");
  CURL* e = t->easy;
  t->response.client_request_id = req.client_request_id.empty() ? new_guid() : req.client_request_id;

  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!o.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o.timeout.count());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout.count());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br when the server offers them
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  if (!o.user_agent.empty()) curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());

  auto add = [&t](const std::string& h) { t->headers = curl_slist_append(t->headers, h.c_str()); };
  add("Accept: application/json");
  add("client-request-id: " + t->response.client_request_id);
  for (const auto& h : req.headers) add(h);
  if (req.bearer) {
    std::string h = "Authorization: Bearer " + req.bearer->reveal();
    add(h);
    wipe(h);
  }
  if (req.method == "POST") {
    t->body = std::move(req.body);
    add("Content-Type: " + req.content_type);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.reveal().c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.reveal().size()));
  } else if (req.method != "GET") {
    return make_error(ErrorCode::internal, "unsupported HTTP method " + req.method);
  }
  add("Expect:");  // no 100-continue round trip for the small token POST
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);

  if (util::tracing()) t->trace_what = req.method + " " + req.url.substr(0, req.url.find_first_of("?#"));
  t->started = Clock::now();
  if (curl_multi_add_handle(impl_->multi, e) != CURLM_OK)
    return make_error(ErrorCode::internal, "curl_multi_add_handle failed");
  const Id id = t->id;
  impl_->active.emplace(e, std::move(t));
  return id;
}

std::vector<HttpClient::Done> HttpClient::poll(std::chrono::milliseconds max_wait) {
  std::vector<Done> out = std::move(impl_->ready);
  impl_->ready.clear();
  impl_->drive(out.empty() ? max_wait : std::chrono::milliseconds(0), out);
  return out;
}

HttpClient::Done HttpClient::perform(HttpRequest request) {
  auto id = start(std::move(request));
  if (!id) return Done{0, std::nullopt, TransportError{id.error().describe(), false}};
  for (;;) {
    std::vector<Done> got;
    impl_->drive(std::chrono::milliseconds(1000), got);
    std::optional<Done> mine;
    for (auto& d : got) {
      if (d.id == id.value()) mine = std::move(d);
      else impl_->ready.push_back(std::move(d));
    }
    if (mine) return std::move(*mine);
  }
}

std::string new_guid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // OpenSSL's DRBG does not fail on Linux once seeded; fall back to the kernel if it ever does.
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = util::hex_encode(std::string_view(reinterpret_cast<const char*>(b), sizeof b));
  return util::to_lower(hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
                        "-" + hex.substr(20, 12));
}

std::string percent_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// --- retry policy ----------------------------------------------------------------------------------------

bool retriable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<double> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  value = util::trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front())) || value.front() == '.') {
    double v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(v)) return std::nullopt;
    return std::max(0.0, v);
  }
  if (value.front() == '-') {  // a negative delay: "now"
    double v = 0;
    auto [p, ec] = std::from_chars(value.data() + 1, value.data() + value.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
    return 0.0;
  }
  // HTTP-date (IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string s(value);
  const char* end = ::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const std::time_t when = ::timegm(&tm);
  const double delta =
      std::chrono::duration<double>(std::chrono::system_clock::from_time_t(when) - now).count();
  return std::max(0.0, delta);
}

double retry_delay(const RetryPolicy& policy, int retry, std::optional<double> retry_after, double jitter01) {
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  if (retry_after) {
    const double ra = std::min(std::max(0.0, *retry_after), policy.max_retry_after);
    return ra * (1.0 + 0.1 * jitter01);
  }
  const int exponent = std::clamp(retry - 1, 0, 30);
  const double backoff = std::min(policy.cap_seconds, policy.base_seconds * std::ldexp(1.0, exponent));
  return backoff * (0.5 + 0.5 * jitter01);
}

// --- Graph error bodies ------------------------------------------------------------------------------------

std::optional<GraphError> parse_graph_error(std::string_view body) {
  const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto e = j.find("error");
  if (e == j.end() || !e->is_object()) return std::nullopt;
  auto str = [](const nlohmann::json& o, std::string_view key) -> std::string {
    for (auto it = o.begin(); it != o.end(); ++it)
      if (util::iequals(it.key(), key) && it->is_string()) return it->get<std::string>();
    return {};
  };
  auto inner = [](const nlohmann::json& o) -> const nlohmann::json* {
    for (auto it = o.begin(); it != o.end(); ++it)
      if (util::iequals(it.key(), "innerError") && it->is_object()) return &*it;
    return nullptr;
  };
  GraphError g;
  g.code = str(*e, "code");
  g.message = str(*e, "message");
  int depth = 0;
  for (const nlohmann::json* in = inner(*e); in && depth < 16; in = inner(*in), ++depth) {
    if (g.request_id.empty()) g.request_id = str(*in, "request-id");
    if (g.request_id.empty()) g.request_id = str(*in, "requestId");
    if (g.client_request_id.empty()) g.client_request_id = str(*in, "client-request-id");
    if (g.date.empty()) g.date = str(*in, "date");
    if (auto c = str(*in, "code"); !c.empty()) g.inner_code = c;
  }
  return g;
}

}  // namespace adpersist::sources::graph
