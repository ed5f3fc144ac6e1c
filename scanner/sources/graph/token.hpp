// App-only authentication to Microsoft Graph: OAuth 2.0 client credentials against
// <login>/<tenant>/oauth2/v2.0/token with scope <graph>/.default, authenticated by a certificate (a JWT
// client assertion signed here with OpenSSL: PS256 + x5t#S256 by default, RS256 + x5t on request) or a
// client secret (read from a file, never from argv). The access token is held in a util::Secret, reused
// until shortly before it expires, and refreshed once when Graph answers 401. Nothing secret is ever put
// in an error message: token-endpoint errors are reduced to Entra's error, AADSTS code and trace ids.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/sources/graph/http.hpp"
#include "scanner/util/result.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::sources::graph {

enum class AssertionAlg { ps256, rs256 };

// A certificate credential: the RSA private key and its certificate (DER).
struct ClientCertificate {
  std::shared_ptr<EVP_PKEY> key;
  std::string der;
  std::string subject;  // for messages
  std::string sha1_hex() const;  // upper-case thumbprint, as the portal shows it
};

// PEM certificate, and its private key from `key_path` (or from the certificate file when empty). An
// encrypted PEM key is refused (use PKCS#12 with a password file). The key must be RSA >= 2048 bits and
// match the certificate.
Result<ClientCertificate> load_certificate_pem(const std::string& cert_path, const std::string& key_path);
// PKCS#12 (.pfx/.p12) with its password (may be empty).
Result<ClientCertificate> load_certificate_pkcs12(const std::string& path, const util::Secret& password);
// AZURE_CLIENT_CERTIFICATE_PATH: PEM with certificate and key, or PKCS#12 without a password.
Result<ClientCertificate> load_certificate_any(const std::string& path);

struct AssertionClaims {
  std::string client_id;       // iss and sub
  std::string audience;        // aud: exactly the token URL posted to
  std::string jti;             // a fresh GUID
  std::int64_t issued_at = 0;  // nbf = iat (Unix seconds)
  std::int64_t lifetime = 300;  // exp = iat + lifetime; at most 600
};
// The compact JWS for client_assertion. PS256: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32, header x5t#S256 =
// base64url(SHA-256(certificate DER)). RS256: PKCS#1 v1.5 SHA-256, header x5t = base64url(SHA-1(DER)).
Result<std::string> build_client_assertion(const ClientCertificate& cert, AssertionAlg alg, const AssertionClaims& c);

std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

// The token endpoint's error body: {"error","error_description","error_codes":[...],"trace_id","correlation_id"}.
struct TokenError {
  std::string error;        // invalid_client, invalid_scope, unauthorized_client, ...
  std::string description;  // the first line of error_description ("AADSTS7000215: Invalid client secret ...")
  std::vector<std::int64_t> codes;
  std::string trace_id, correlation_id;
  // "invalid_client: AADSTS7000215: Invalid client secret provided. (trace id ..., correlation id ...)"
  std::string summary() const;
};
std::optional<TokenError> parse_token_error(std::string_view body);

// National clouds: token host and Graph root (no trailing slash). nullopt for an unknown name.
struct CloudEndpoints {
  std::string login, graph;
};
std::optional<CloudEndpoints> cloud_endpoints(std::string_view cloud);  // global, usgov, usgov-dod, china

struct ClientCredential {
  enum class Kind { certificate, secret } kind = Kind::certificate;
  ClientCertificate certificate;
  AssertionAlg alg = AssertionAlg::ps256;
  // PS256 first; if the token endpoint refuses that assertion, once more with RS256 (x5t), kept for the run.
  bool rs256_fallback = false;
  bool fell_back = false;  // the PS256 assertion was refused and RS256 was accepted
  util::Secret secret;
  std::string describe() const;  // "certificate CN=x (SHA-1 AB12...), PS256" or "client secret"
};

struct TokenOptions {
  std::string login_root;  // https://login.microsoftonline.com
  std::string graph_root;  // https://graph.microsoft.com (the scope is <graph_root>/.default)
  std::string tenant;      // GUID or verified domain
  std::string client_id;   // GUID
  RetryPolicy retry{3, 1.0, 10.0, 30.0};
};

// The token endpoint's success body: {"token_type":"Bearer","expires_in":3599,"access_token":"..."}. Pulled
// out of TokenSource::refresh() so that the bytes the token endpoint sends can be fuzzed on their own
// (tests/fuzz/token_fuzz.cpp). The access token must be a non-empty RFC 6750 b64token, since it is written
// after "Authorization: Bearer " into every Graph request: anything else (a CR or LF above all) is refused.
// `token_type`, when present, must be Bearer (any case). `expires_in` is a number or a decimal string;
// absent or unreadable gives 3599. Errors never quote the token. The body, and the JSON parser's copy of
// the token, are wiped.
struct TokenResponse {
  util::Secret access_token;
  std::int64_t expires_in = 3599;  // seconds, as sent (token_renewal_delay bounds it)
};
Result<TokenResponse> parse_token_response(std::string& body);

// How long after it arrived a token of `expires_in` seconds is renewed: 5 minutes before it expires, or a
// tenth of its lifetime early for short tokens. The lifetime is taken as 1 s to 24 h (Entra's longest
// configurable token lifetime is a day; Graph answers 401 to an expired token anyway, which renews it).
std::chrono::milliseconds token_renewal_delay(std::int64_t expires_in);

// Whether `token` is an RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool is_b64token(std::string_view token);

// Claims of the access token, read without validation (Graph validates it): which tenant and roles.
struct AccessTokenClaims {
  std::string tenant_id;  // tid
  std::vector<std::string> roles;
};
AccessTokenClaims read_access_token_claims(const util::Secret& token);

class TokenSource {
 public:
  TokenSource(HttpClient& http, TokenOptions options, ClientCredential credential);

  std::string token_url() const;
  std::string scope() const;
  // A token is held and not about to expire; acquires one otherwise. Errors: refused (ErrorCode::auth),
  // unreachable (network).
  Status ensure();
  // Acquires a new token whatever the state of the current one (after a 401).
  Status refresh();
  const util::Secret& token() const { return token_; }
  // Increases with each new token: a 401 on a request sent with an older token is no reason to refresh.
  std::uint64_t generation() const { return generation_; }
  const AccessTokenClaims& claims() const { return claims_; }
  std::size_t requests() const { return requests_; }
  const ClientCredential& credential() const { return credential_; }

 private:
  HttpClient& http_;
  TokenOptions options_;
  ClientCredential credential_;
  util::Secret token_;
  AccessTokenClaims claims_;
  std::chrono::steady_clock::time_point refresh_at_{};
  std::uint64_t generation_ = 0;
  std::size_t requests_ = 0;
};

// Whether `s` is a GUID (8-4-4-4-12 hex).
bool is_guid(std::string_view s);

}  // namespace adpersist::sources::graph
