#include "scanner/sources/graph/token.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "scanner/util/strings.hpp"

namespace adpersist::sources::graph {

namespace {

using Json = nlohmann::json;

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }

// A PEM pass-phrase callback that refuses: an encrypted key must not make OpenSSL prompt on the terminal.
int no_passphrase(char*, int, int, void*) { return -1; }

std::string subject_of(X509* x) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
  return buf;
}

Result<ClientCertificate> finish_certificate(X509* x, EVP_PKEY* raw_key, const std::string& where) {
  auto key = own(raw_key);
  if (!EVP_PKEY_is_a(key.get(), "RSA"))
    return make_error(ErrorCode::usage, "the private key is not an RSA key (Entra certificate credentials are RSA)",
                      where);
  if (EVP_PKEY_get_bits(key.get()) < 2048)
    return make_error(ErrorCode::usage, "the RSA key is shorter than 2048 bits", where);
  if (X509_check_private_key(x, key.get()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::usage, "the private key does not belong to the certificate", where);
  }
  ClientCertificate c;
  c.key = std::move(key);
  const int n = i2d_X509(x, nullptr);
  if (n <= 0) return make_error(ErrorCode::internal, "cannot encode the certificate: " + openssl_error(), where);
  c.der.resize(static_cast<std::size_t>(n));
  auto* p = reinterpret_cast<unsigned char*>(c.der.data());
  i2d_X509(x, &p);
  c.subject = subject_of(x);
  return c;
}

std::string sha(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string redact(std::string text, const util::Secret& secret) {
  const std::string& s = secret.reveal();
  if (s.size() < 4) return text;
  for (auto p = text.find(s); p != std::string::npos; p = text.find(s)) text.replace(p, s.size(), "[redacted]");
  return text;
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

std::string ClientCertificate::sha1_hex() const {
  std::string hex = util::hex_encode(sha(EVP_sha1(), der));
  for (auto& ch : hex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return hex;
}

Result<ClientCertificate> load_certificate_pem(const std::string& cert_path, const std::string& key_path) {
  BioPtr cb(BIO_new_file(cert_path.c_str(), "rb"));
  if (!cb) {
    ERR_clear_error();
    return make_error(ErrorCode::io, "cannot open the certificate file", cert_path);
  }
  X509Ptr x(PEM_read_bio_X509(cb.get(), nullptr, no_passphrase, nullptr));
  if (!x) {
    ERR_clear_error();
    return make_error(ErrorCode::usage, "no PEM certificate in the file", cert_path);
  }
  const std::string& kp = key_path.empty() ? cert_path : key_path;
  BioPtr kb(BIO_new_file(kp.c_str(), "rb"));
  if (!kb) {
    ERR_clear_error();
    return make_error(ErrorCode::io, "cannot open the private key file", kp);
  }
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.get(), nullptr, no_passphrase, nullptr);
  if (!key) {
    const std::string why = openssl_error();
    const bool encrypted = why.find("bad decrypt") != std::string::npos || why.find("password") != std::string::npos ||
                           why.find("PASSWORD") != std::string::npos || why.find("problems getting") != std::string::npos;
    return make_error(ErrorCode::usage,
                      encrypted ? "the private key is encrypted: give a PKCS#12 file (--client-pfx) with "
                                  "--client-pfx-password-file, or an unencrypted PEM key readable only by the scanner"
                                : key_path.empty() ? "no PEM private key in the certificate file (give --client-key)"
                                                   : "no PEM private key in the file",
                      kp);
  }
  return finish_certificate(x.get(), key, cert_path);
}

Result<ClientCertificate> load_certificate_pkcs12(const std::string& path, const util::Secret& password) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, "cannot open the PKCS#12 file", path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parse = [&](EVP_PKEY** key, X509** cert) -> bool {
    BioPtr b(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    PKCS12* p12 = d2i_PKCS12_bio(b.get(), nullptr);
    if (!p12) return false;
    STACK_OF(X509)* ca = nullptr;
    const int ok = PKCS12_parse(p12, password.reveal().c_str(), key, cert, &ca);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    return ok == 1 && *key && *cert;
  };
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  bool ok = parse(&key, &cert);
  if (!ok) {
    // Older exports (RC2-40, 3DES) need OpenSSL 3's legacy provider.
    EVP_PKEY_free(key);
    X509_free(cert);
    key = nullptr;
    cert = nullptr;
    ERR_clear_error();
    static OSSL_PROVIDER* legacy = OSSL_PROVIDER_try_load(nullptr, "legacy", 1);
    if (legacy) ok = parse(&key, &cert);
  }
  if (!ok) {
    EVP_PKEY_free(key);
    X509_free(cert);
    ERR_clear_error();
    return make_error(ErrorCode::usage,
                      "cannot read the PKCS#12 file: wrong password (--client-pfx-password-file), or not a PKCS#12 "
                      "file holding a certificate and its key",
                      path);
  }
  X509Ptr x(cert);
  return finish_certificate(x.get(), key, path);
}

Result<ClientCertificate> load_certificate_any(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, "cannot open the certificate file", path);
  std::string head(64, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find("-----BEGIN") != std::string::npos) return load_certificate_pem(path, "");
  return load_certificate_pkcs12(path, util::Secret());
}

std::string base64url_encode(std::string_view bytes) {
  std::string s = util::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  for (auto& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return make_error(ErrorCode::invalid_input, "not base64url");
  }
  if (s.size() % 4 == 1) return make_error(ErrorCode::invalid_input, "not base64url (bad length)");
  while (s.size() % 4) s += '=';
  return util::base64_decode(s);
}

Result<std::string> build_client_assertion(const ClientCertificate& cert, AssertionAlg alg, const AssertionClaims& c) {
  if (!cert.key || cert.der.empty()) return make_error(ErrorCode::internal, "no certificate loaded");
  if (c.lifetime <= 0 || c.lifetime > 600)
    return make_error(ErrorCode::internal, "assertion lifetime must be 1..600 s");
  Json header = {{"typ", "JWT"}};
  if (alg == AssertionAlg::ps256) {
    header["alg"] = "PS256";
    header["x5t#S256"] = base64url_encode(sha(EVP_sha256(), cert.der));
  } else {
    header["alg"] = "RS256";
    header["x5t"] = base64url_encode(sha(EVP_sha1(), cert.der));
  }
  const Json claims = {{"aud", c.audience}, {"iss", c.client_id},      {"sub", c.client_id},
                       {"jti", c.jti},      {"nbf", c.issued_at},      {"iat", c.issued_at},
                       {"exp", c.issued_at + c.lifetime}};
  const std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, cert.key.get()) != 1)
    return make_error(ErrorCode::internal, "cannot start signing: " + openssl_error());
  if (alg == AssertionAlg::ps256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
      return make_error(ErrorCode::internal, "cannot set RSASSA-PSS parameters: " + openssl_error());
  } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return make_error(ErrorCode::internal, "cannot set PKCS#1 padding: " + openssl_error());
  }
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1)
    return make_error(ErrorCode::internal, "signing failed: " + openssl_error());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()) != 1)
    return make_error(ErrorCode::internal, "signing failed: " + openssl_error());
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

std::string TokenError::summary() const {
  std::string s = error.empty() ? "error" : error;
  if (!description.empty()) s += ": " + description;
  std::string ids;
  if (!trace_id.empty()) ids += "trace id " + trace_id;
  if (!correlation_id.empty()) ids += (ids.empty() ? "" : ", ") + std::string("correlation id ") + correlation_id;
  if (!ids.empty()) s += " (" + ids + ")";
  return s;
}

std::optional<TokenError> parse_token_error(std::string_view body) {
  const auto j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto e = j.find("error");
  if (e == j.end() || !e->is_string()) return std::nullopt;
  TokenError t;
  t.error = e->get<std::string>();
  if (auto d = j.find("error_description"); d != j.end() && d->is_string()) {
    std::string desc = d->get<std::string>();
    t.description = std::string(util::trim(desc.substr(0, desc.find_first_of("\r\n"))));
  }
  if (auto c = j.find("error_codes"); c != j.end() && c->is_array())
    for (const auto& x : *c)
      if (x.is_number_integer()) t.codes.push_back(x.get<std::int64_t>());
  if (auto x = j.find("trace_id"); x != j.end() && x->is_string()) t.trace_id = x->get<std::string>();
  if (auto x = j.find("correlation_id"); x != j.end() && x->is_string()) t.correlation_id = x->get<std::string>();
  return t;
}

std::optional<CloudEndpoints> cloud_endpoints(std::string_view cloud) {
  if (cloud == "global") return CloudEndpoints{"https://login.microsoftonline.com", "https://graph.microsoft.com"};
  if (cloud == "usgov") return CloudEndpoints{"https://login.microsoftonline.us", "https://graph.microsoft.us"};
  if (cloud == "usgov-dod") return CloudEndpoints{"https://login.microsoftonline.us", "https://dod-graph.microsoft.us"};
  if (cloud == "china")
    return CloudEndpoints{"https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"};
  return std::nullopt;
}

std::string ClientCredential::describe() const {
  if (kind == Kind::secret) return "client secret";
  return "certificate " + certificate.subject + " (SHA-1 " + certificate.sha1_hex() + "), " +
         (alg == AssertionAlg::ps256 ? "PS256" : "RS256") + (fell_back ? " (the PS256 assertion was refused)" : "");
}

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

AccessTokenClaims read_access_token_claims(const util::Secret& token) {
  AccessTokenClaims c;
  const std::string& t = token.reveal();
  const auto a = t.find('.');
  const auto b = a == std::string::npos ? std::string::npos : t.find('.', a + 1);
  if (b == std::string::npos) return c;  // not a JWT (Graph tokens are; nothing is lost)
  auto payload = base64url_decode(std::string_view(t).substr(a + 1, b - a - 1));
  if (!payload) return c;
  const auto j = Json::parse(payload.value(), nullptr, false);
  if (j.is_object()) {
    if (auto x = j.find("tid"); x != j.end() && x->is_string()) c.tenant_id = util::to_lower(x->get<std::string>());
    if (auto r = j.find("roles"); r != j.end() && r->is_array())
      for (const auto& v : *r)
        if (v.is_string()) c.roles.push_back(v.get<std::string>());
  }
  wipe(payload.value());
  return c;
}

bool is_b64token(std::string_view token) {
  std::size_t i = 0;
  while (i < token.size() && (std::isalnum(static_cast<unsigned char>(token[i])) ||
                              std::string_view("-._~+/").find(token[i]) != std::string_view::npos))
    ++i;
  if (i == 0) return false;
  while (i < token.size() && token[i] == '=') ++i;
  return i == token.size();
}

Result<TokenResponse> parse_token_response(std::string& body) {
  auto j = Json::parse(body, nullptr, false);
  wipe(body);
  // Json keeps its own copy of the token: it is copied into the Secret and wiped before any return.
  std::string* token = nullptr;
  if (j.is_object())
    if (auto t = j.find("access_token"); t != j.end() && t->is_string()) token = &t->get_ref<std::string&>();
  if (!token || token->empty()) return make_error(ErrorCode::network, "the token endpoint's answer has no access_token");
  const bool bearer = is_b64token(*token);
  TokenResponse out;
  if (bearer) {
    std::string copy = *token;
    out.access_token = util::Secret(std::move(copy));
  }
  wipe(*token);
  if (!bearer)  // never quoted: it may be a real token with one bad byte
    return make_error(ErrorCode::network,
                      "the token endpoint's access_token is not a bearer token (RFC 6750 b64token: letters, digits, "
                      "'-._~+/' and trailing '=')");
  if (auto e = j.find("expires_in"); e != j.end()) {
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    if (e->is_number_unsigned() && e->get<std::uint64_t>() > static_cast<std::uint64_t>(kMax))
      out.expires_in = kMax;  // get<std::int64_t>() would wrap it negative
    else if (e->is_number_integer())
      out.expires_in = e->get<std::int64_t>();
    else if (e->is_string())
      out.expires_in = util::parse_int(e->get<std::string>()).value_or(3599);
  }
  if (auto t = j.find("token_type"); t != j.end() && t->is_string() && !util::iequals(t->get<std::string>(), "Bearer"))
    return make_error(ErrorCode::network,
                      "the token endpoint issued a '" + t->get<std::string>() + "' token, not a Bearer token");
  return out;
}

std::chrono::milliseconds token_renewal_delay(std::int64_t expires_in) {
  // Renew before expiry: 5 minutes early for normal tokens, a tenth of the lifetime for short ones. The
  // lifetime is bounded first: lifetime * 1000 overflowed for an expires_in above 2^63 / 1000, and
  // steady_clock::now() + the delay (nanoseconds) above 2^63 / 10^9.
  const std::int64_t lifetime = std::clamp<std::int64_t>(expires_in, 1, 86400);
  const std::int64_t margin_ms = std::min<std::int64_t>(300000, lifetime * 100);
  return std::chrono::milliseconds(lifetime * 1000 - margin_ms);
}

// --- the token source -----------------------------------------------------------------------------------

TokenSource::TokenSource(HttpClient& http, TokenOptions options, ClientCredential credential)
    : http_(http), options_(std::move(options)), credential_(std::move(credential)) {}

std::string TokenSource::token_url() const {
  return options_.login_root + "/" + options_.tenant + "/oauth2/v2.0/token";
}
std::string TokenSource::scope() const { return options_.graph_root + "/.default"; }

Status TokenSource::ensure() {
  if (!token_.empty() && std::chrono::steady_clock::now() < refresh_at_) return ok_status();
  return refresh();
}

Status TokenSource::refresh() {
  const std::string url = token_url();
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  std::string ps256_refusal;  // set while the RS256 fallback is being tried
  for (int attempt = 0;; ++attempt) {
    // A fresh body (and a fresh assertion: jti, iat) for every try.
    std::string form = "client_id=" + percent_encode(options_.client_id) + "&scope=" + percent_encode(scope()) +
                       "&grant_type=client_credentials";
    if (credential_.kind == ClientCredential::Kind::secret) {
      std::string enc = percent_encode(credential_.secret.reveal());
      form += "&client_secret=" + enc;
      wipe(enc);
    } else {
      const auto now = std::chrono::system_clock::now();
      AssertionClaims c{options_.client_id, url, new_guid(),
                        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(), 300};
      auto jwt = build_client_assertion(credential_.certificate, credential_.alg, c);
      if (!jwt) return jwt.error();
      form += "&client_assertion_type=" + percent_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
              "&client_assertion=" + jwt.value();
      wipe(jwt.value());
    }
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.body = util::Secret(std::move(form));
    ++requests_;
    auto done = http_.perform(std::move(req));
    if (!done.response) {
      if (done.error.retriable && attempt < options_.retry.max_retries) {
        std::this_thread::sleep_for(std::chrono::duration<double>(
            retry_delay(options_.retry, attempt + 1, std::nullopt, jitter(rng))));
        continue;
      }
      return make_error(ErrorCode::network, "cannot get a token: " + done.error.message, url);
    }
    HttpResponse& r = *done.response;
    if (retriable_status(r.status) && attempt < options_.retry.max_retries) {
      std::this_thread::sleep_for(std::chrono::duration<double>(
          retry_delay(options_.retry, attempt + 1, parse_retry_after(r.header("Retry-After")), jitter(rng))));
      continue;
    }
    if (r.status != 200) {
      std::string why;
      if (auto e = parse_token_error(r.body)) why = e->summary();
      else why = "HTTP " + std::to_string(r.status) + " without an Entra error body";
      why = redact(std::move(why), credential_.secret);
      const bool refused = r.status == 400 || r.status == 401 || r.status == 403;
      if (refused && credential_.kind == ClientCredential::Kind::certificate && credential_.rs256_fallback &&
          credential_.alg == AssertionAlg::ps256 && ps256_refusal.empty()) {
        // Some tenants and clouds take only the legacy RS256 + x5t assertion: one more try with it.
        ps256_refusal = why;
        credential_.alg = AssertionAlg::rs256;
        attempt = -1;
        continue;
      }
      if (!ps256_refusal.empty()) {  // RS256 did not help either: report the first refusal, restore PS256
        credential_.alg = AssertionAlg::ps256;
        why = ps256_refusal + " (an RS256 assertion was refused too: " + why + ")";
      }
      return make_error(refused ? ErrorCode::auth : ErrorCode::network,
                        std::string(refused ? "the token endpoint refused the request: "
                                            : "the token endpoint failed: ") +
                            why,
                        url);
    }
    auto answer = parse_token_response(r.body);
    if (!answer) return make_error(answer.error().code, answer.error().message, url);
    if (!ps256_refusal.empty()) {
      credential_.fell_back = true;
      credential_.rs256_fallback = false;  // RS256 from now on
    }
    token_ = std::move(answer.value().access_token);
    ++generation_;
    claims_ = read_access_token_claims(token_);
    refresh_at_ = std::chrono::steady_clock::now() + token_renewal_delay(answer.value().expires_in);
    return ok_status();
  }
}

}  // namespace adpersist::sources::graph
