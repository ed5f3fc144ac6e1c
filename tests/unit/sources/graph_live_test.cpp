// The live Graph collector's pure parts: the client assertion (verified here with OpenSSL), certificate
// loading, the retry policy, Graph and token-endpoint error bodies, the request plan and its query strings,
// paging helpers, and the refusal wording shared with the capture reader. The network half runs against
// tests/graph in tests/integration/graph_live.sh.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scanner/engine/collection_plan.hpp"
#include "scanner/engine/registry.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "scanner/sources/graph/collector.hpp"
#include "scanner/sources/graph/http.hpp"
#include "scanner/sources/graph/token.hpp"
#include "scanner/util/strings.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/graph_capture.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;
using adpersist::model::Dataset;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A self-signed RSA certificate and its key, made in memory.
struct TestCert {
  std::shared_ptr<EVP_PKEY> key;
  std::shared_ptr<X509> x509;
  std::string der;

  explicit TestCert(int bits = 2048, const char* cn = "adpersist-test") {
    key.reset(EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
    REQUIRE(key);
    x509.reset(X509_new(), X509_free);
    X509* x = x509.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key.get());
    REQUIRE(X509_sign(x, key.get(), EVP_sha256()) > 0);
    const int n = i2d_X509(x, nullptr);
    der.resize(static_cast<std::size_t>(n));
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(x, &p);
  }

  ClientCertificate credential() const { return ClientCertificate{key, der, "CN=test"}; }

  std::string cert_pem() const {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x509.get());
    return drain(b);
  }
  std::string key_pem() const {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return drain(b);
  }
  std::string pkcs12(const char* password) const {
    PKCS12* p12 = PKCS12_create(password, "test", key.get(), x509.get(), nullptr, 0, 0, 0, 0, 0);
    REQUIRE(p12);
    BIO* b = BIO_new(BIO_s_mem());
    i2d_PKCS12_bio(b, p12);
    PKCS12_free(p12);
    return drain(b);
  }
  static std::string drain(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
  }
};

std::string digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::vector<std::string> split_jws(const std::string& jws) {
  std::vector<std::string> parts;
  for (auto p : util::split(jws, '.')) parts.emplace_back(p);
  return parts;
}

Json decode_part(const std::string& part) {
  auto raw = base64url_decode(part);
  REQUIRE(raw.ok());
  return Json::parse(raw.value());
}

// Verifies the JWS signature with OpenSSL: PS256 with an explicit salt length (32 = the digest length, as
// Entra requires) or RS256.
bool verify(const TestCert& c, const std::string& jws, bool pss, int salt_len = 32) {
  const auto parts = split_jws(jws);
  if (parts.size() != 3) return false;
  const std::string input = parts[0] + "." + parts[1];
  auto sig = base64url_decode(parts[2]);
  if (!sig) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, c.key.get()) != 1) return false;
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
  } else {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "adp-graph-live-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
};

std::vector<const engine::Check*> checks(std::vector<std::string> ids) {
  auto r = engine::select_checks(ids, {});
  REQUIRE(r.ok());
  return r.value();
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return util::iequals(s, x); });
}

}  // namespace

// --- client assertion ------------------------------------------------------------------------------------

TEST_CASE("PS256 client assertion: x5t#S256 header, Entra's claims, RSASSA-PSS with a 32-byte salt",
          "[unit][graph-live]") {
  const TestCert cert;
  const std::string aud = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
  const AssertionClaims claims{"8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f", aud, "f0e1d2c3-0000-4000-8000-000000000001",
                               1764547200, 300};
  auto jws = build_client_assertion(cert.credential(), AssertionAlg::ps256, claims);
  REQUIRE(jws.ok());
  const auto parts = split_jws(jws.value());
  REQUIRE(parts.size() == 3);
  for (const auto& p : parts) CHECK(p.find_first_of("+/=") == std::string::npos);  // base64url, no padding

  const Json header = decode_part(parts[0]);
  CHECK(header["alg"] == "PS256");
  CHECK(header["typ"] == "JWT");
  CHECK(header["x5t#S256"] == base64url_encode(digest(EVP_sha256(), cert.der)));
  CHECK_FALSE(header.contains("x5t"));

  const Json body = decode_part(parts[1]);
  CHECK(body["aud"] == aud);
  CHECK(body["iss"] == claims.client_id);
  CHECK(body["sub"] == claims.client_id);
  CHECK(body["jti"] == claims.jti);
  CHECK(body["nbf"].is_number_integer());
  CHECK(body["iat"] == 1764547200);
  CHECK(body["nbf"] == 1764547200);
  CHECK(body["exp"] == 1764547200 + 300);

  CHECK(verify(cert, jws.value(), true, 32));
  CHECK_FALSE(verify(cert, jws.value(), false));                             // not PKCS#1 v1.5
  CHECK_FALSE(verify(cert, jws.value(), true, RSA_PSS_SALTLEN_MAX));         // the salt is exactly 32 bytes
  CHECK_FALSE(verify(TestCert(), jws.value(), true, 32));                    // another key
  // Randomised padding: two assertions of the same claims differ, both verify.
  auto again = build_client_assertion(cert.credential(), AssertionAlg::ps256, claims);
  REQUIRE(again.ok());
  CHECK(again.value() != jws.value());
  CHECK(verify(cert, again.value(), true, 32));
}

TEST_CASE("RS256 client assertion: legacy x5t (SHA-1) header and PKCS#1 v1.5", "[unit][graph-live]") {
  const TestCert cert;
  auto jws = build_client_assertion(cert.credential(), AssertionAlg::rs256,
                                    {"8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f", "https://x/t/oauth2/v2.0/token",
                                     new_guid(), 1764547200, 600});
  REQUIRE(jws.ok());
  const Json header = decode_part(split_jws(jws.value())[0]);
  CHECK(header["alg"] == "RS256");
  CHECK(header["x5t"] == base64url_encode(digest(EVP_sha1(), cert.der)));
  CHECK_FALSE(header.contains("x5t#S256"));
  CHECK(decode_part(split_jws(jws.value())[1])["exp"] == 1764547200 + 600);
  CHECK(verify(cert, jws.value(), false));
  CHECK_FALSE(verify(cert, jws.value(), true));
}

TEST_CASE("The client assertion lives at most 10 minutes", "[unit][graph-live]") {
  const TestCert cert;
  CHECK_FALSE(build_client_assertion(cert.credential(), AssertionAlg::ps256, {"a", "b", "c", 0, 601}).ok());
  CHECK_FALSE(build_client_assertion(cert.credential(), AssertionAlg::ps256, {"a", "b", "c", 0, 0}).ok());
  CHECK_FALSE(build_client_assertion(ClientCertificate{}, AssertionAlg::ps256, {"a", "b", "c", 0, 300}).ok());
}

TEST_CASE("GUIDs and base64url", "[unit][graph-live]") {
  const std::string g = new_guid();
  CHECK(is_guid(g));
  CHECK(g[14] == '4');
  CHECK(std::string("89ab").find(g[19]) != std::string::npos);
  CHECK(g == util::to_lower(g));
  CHECK(new_guid() != g);
  CHECK(is_guid("3F1C2E7A-5B8D-4C91-A2E6-7D0B9F4E1A53"));
  CHECK_FALSE(is_guid("contoso.onmicrosoft.com"));
  CHECK_FALSE(is_guid("3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a5"));
  CHECK(base64url_encode(std::string("\xfb\xff", 2)) == "-_8");
  CHECK(base64url_decode("-_8").value() == std::string("\xfb\xff", 2));
  CHECK_FALSE(base64url_decode("a+b/").ok());
  CHECK_FALSE(base64url_decode("abcde").ok());
  CHECK(percent_encode("a b+c/=~") == "a%20b%2Bc%2F%3D~");
}

// --- certificate loading -----------------------------------------------------------------------------------

TEST_CASE("Certificate credentials load from PEM (separate or combined) and PKCS#12", "[unit][graph-live]") {
  const TestCert cert;
  const TempDir dir;
  const std::string crt = dir.write("c.pem", cert.cert_pem());
  const std::string key = dir.write("k.pem", cert.key_pem());
  const std::string both = dir.write("both.pem", cert.key_pem() + cert.cert_pem());

  auto a = load_certificate_pem(crt, key);
  REQUIRE(a.ok());
  CHECK(a->der == cert.der);
  CHECK(a->subject.find("adpersist-test") != std::string::npos);
  CHECK(a->sha1_hex().size() == 40);
  auto b = load_certificate_pem(both, "");
  REQUIRE(b.ok());
  CHECK(b->der == cert.der);
  CHECK(load_certificate_any(both).ok());

  // A key that is not the certificate's, a certificate file without a key, a short key.
  const TestCert other;
  auto mismatch = load_certificate_pem(crt, dir.write("other.pem", other.key_pem()));
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().message.find("does not belong") != std::string::npos);
  CHECK_FALSE(load_certificate_pem(crt, "").ok());
  CHECK_FALSE(load_certificate_pem(dir.write("junk.pem", "junk"), key).ok());
  const TestCert small(1024);
  auto short_key = load_certificate_pem(dir.write("s.pem", small.cert_pem()), dir.write("sk.pem", small.key_pem()));
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.error().message.find("2048") != std::string::npos);

  const std::string pfx = dir.write("c.pfx", cert.pkcs12("Tr0ub4dor-3"));
  auto c = load_certificate_pkcs12(pfx, util::Secret("Tr0ub4dor-3"));
  REQUIRE(c.ok());
  CHECK(c->der == cert.der);
  auto wrong = load_certificate_pkcs12(pfx, util::Secret("nope"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("Tr0ub4dor") == std::string::npos);
  CHECK(wrong.error().message.find("nope") == std::string::npos);
  const std::string open_pfx = dir.write("open.pfx", cert.pkcs12(""));
  CHECK(load_certificate_any(open_pfx).ok());
}

// --- retry policy -------------------------------------------------------------------------------------------

TEST_CASE("Retry-After: fractional seconds, HTTP-dates, junk", "[unit][graph-live]") {
  CHECK(parse_retry_after("2.128").value() == Approx(2.128));
  CHECK(parse_retry_after("0.2").value() == Approx(0.2));
  CHECK(parse_retry_after(" 30 ").value() == Approx(30));
  CHECK(parse_retry_after("0").value() == Approx(0));
  CHECK(parse_retry_after("-3").value() == Approx(0));
  CHECK_FALSE(parse_retry_after("").has_value());
  CHECK_FALSE(parse_retry_after("soon").has_value());
  CHECK_FALSE(parse_retry_after("2s").has_value());
  CHECK_FALSE(parse_retry_after("1e3").has_value());
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now).value() == Approx(30));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now).value() == Approx(0));  // in the past
  CHECK_FALSE(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now).has_value());
}

TEST_CASE("Backoff: Retry-After honoured, else exponential with jitter, capped", "[unit][graph-live]") {
  const RetryPolicy p;  // base 1 s, cap 60 s, Retry-After at most 300 s
  for (double j : {0.0, 0.37, 1.0}) {
    const double ra = retry_delay(p, 1, 2.128, j);
    CHECK(ra >= 2.128);
    CHECK(ra <= 2.128 * 1.1 + 1e-9);
    CHECK(retry_delay(p, 5, 0.2, j) >= 0.2);  // the server's value, not the backoff, whatever the retry
    CHECK(retry_delay(p, 5, 0.2, j) <= 0.22 + 1e-9);
    CHECK(retry_delay(p, 1, 3600.0, j) <= 300 * 1.1 + 1e-9);  // clamped
    CHECK(retry_delay(p, 1, 3600.0, j) >= 300);
    const double r1 = retry_delay(p, 1, std::nullopt, j);
    CHECK(r1 >= 0.5);
    CHECK(r1 <= 1.0);
    const double r3 = retry_delay(p, 3, std::nullopt, j);
    CHECK(r3 >= 2.0);
    CHECK(r3 <= 4.0);
    const double r20 = retry_delay(p, 20, std::nullopt, j);
    CHECK(r20 >= 30.0);
    CHECK(r20 <= 60.0);
  }
  CHECK(retry_delay(p, 3, std::nullopt, 0.0) == Approx(2.0));
  CHECK(retry_delay(p, 3, std::nullopt, 1.0) == Approx(4.0));
  CHECK(retry_delay(p, 1, 0.0, 0.5) == Approx(0.0));
  CHECK(retry_delay(p, 1000, std::nullopt, 2.0) <= 60.0);  // jitter out of range is clamped
  CHECK(retriable_status(429));
  CHECK(retriable_status(503));
  CHECK(retriable_status(504));
  CHECK(retriable_status(500));
  CHECK(retriable_status(502));
  CHECK_FALSE(retriable_status(403));
  CHECK_FALSE(retriable_status(401));
  CHECK_FALSE(retriable_status(404));
  CHECK_FALSE(retriable_status(400));
}

// --- error bodies ----------------------------------------------------------------------------------------------

TEST_CASE("Graph error bodies: code, message, request id (any innerError spelling, nested)", "[unit][graph-live]") {
  std::ifstream in(test::vector_path("graph/v1.0-2021.concept-errors.block-1.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto e = parse_graph_error(ss.str());
  REQUIRE(e.has_value());
  CHECK(e->code == "invalidRange");
  CHECK(e->message == "Uploaded fragment overlaps with existing data.");
  CHECK(e->request_id == "request-id");  // innerError.requestId
  CHECK(e->date == "date-time");

  auto denied = parse_graph_error(R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innererror":{"date":"2024-05-01T00:00:00","request-id":"r1","client-request-id":"c1","innerError":{"code":"deep","requestId":"r2"}}}})");
  REQUIRE(denied.has_value());
  CHECK(denied->code == "Authorization_RequestDenied");
  CHECK(denied->request_id == "r1");
  CHECK(denied->client_request_id == "c1");
  CHECK(denied->inner_code == "deep");

  auto throttled = parse_graph_error(R"({"error":{"code":"TooManyRequests","message":"Please retry again later.","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52","status":"429"}}})");
  REQUIRE(throttled.has_value());
  CHECK(throttled->code == "TooManyRequests");
  CHECK(throttled->inner_code == "429");

  CHECK_FALSE(parse_graph_error("").has_value());
  CHECK_FALSE(parse_graph_error("<html>").has_value());
  CHECK_FALSE(parse_graph_error(R"({"value":[]})").has_value());
  CHECK_FALSE(parse_graph_error(R"({"error":"invalid_client"})").has_value());  // a token error, not Graph's
}

TEST_CASE("Token endpoint errors: error, AADSTS code, first line of the description, trace ids",
          "[unit][graph-live]") {
  std::ifstream in(test::vector_path("graph/entra-docs.client-creds.token-error-invalid_scope.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto e = parse_token_error(ss.str());
  REQUIRE(e.has_value());
  CHECK(e->error == "invalid_scope");
  REQUIRE(e->codes.size() == 1);
  CHECK(e->codes[0] == 70011);
  CHECK(util::istarts_with(e->description, "AADSTS70011: The provided value for the input parameter 'scope'"));
  CHECK(e->description.find("Trace ID") == std::string::npos);
  CHECK(e->trace_id == "255d1aef-8c98-452f-ac51-23d051240864");
  CHECK(e->correlation_id == "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7");
  const std::string s = e->summary();
  CHECK(util::istarts_with(s, "invalid_scope: AADSTS70011:"));
  CHECK(s.find("trace id 255d1aef-8c98-452f-ac51-23d051240864") != std::string::npos);
  CHECK(s.find_first_of("\r\n") == std::string::npos);

  std::ifstream ok_in(test::vector_path("graph/entra-docs.client-creds.token-success.json"));
  std::stringstream ok_ss;
  ok_ss << ok_in.rdbuf();
  CHECK_FALSE(parse_token_error(ok_ss.str()).has_value());
  CHECK_FALSE(parse_token_error("not json").has_value());
}

TEST_CASE("Access-token claims are read without validation; a non-JWT token gives none", "[unit][graph-live]") {
  const std::string payload = base64url_encode(R"({"tid":"3F1C2E7A-5B8D-4C91-A2E6-7D0B9F4E1A53","roles":["Application.Read.All","AuditLog.Read.All"]})");
  const auto c = read_access_token_claims(util::Secret("eyJhbGciOiJIUzI1NiJ9." + payload + ".sig"));
  CHECK(c.tenant_id == "3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53");
  CHECK(c.roles == std::vector<std::string>{"Application.Read.All", "AuditLog.Read.All"});
  CHECK(read_access_token_claims(util::Secret("opaque")).tenant_id.empty());
}

TEST_CASE("National clouds", "[unit][graph-live]") {
  CHECK(cloud_endpoints("global")->graph == "https://graph.microsoft.com");
  CHECK(cloud_endpoints("global")->login == "https://login.microsoftonline.com");
  CHECK(cloud_endpoints("usgov")->graph == "https://graph.microsoft.us");
  CHECK(cloud_endpoints("usgov-dod")->graph == "https://dod-graph.microsoft.us");
  CHECK(cloud_endpoints("usgov-dod")->login == "https://login.microsoftonline.us");
  CHECK(cloud_endpoints("china")->graph == "https://microsoftgraph.chinacloudapi.cn");
  CHECK(cloud_endpoints("china")->login == "https://login.chinacloudapi.cn");
  CHECK_FALSE(cloud_endpoints("germany").has_value());
}

// --- the request plan -------------------------------------------------------------------------------------------

TEST_CASE("Graph plan: the union of the checks' needs, the model's properties, and dependencies",
          "[unit][graph-live]") {
  const auto all = engine::plan_graph_collection(checks({}));
  for (const auto& [d, props] : all) CHECK(model::platform_of(d) == model::Platform::entra);
  for (Dataset d : {Dataset::organization, Dataset::applications, Dataset::service_principals,
                    Dataset::app_role_assigned_to, Dataset::federated_identity_credentials, Dataset::app_owners,
                    Dataset::domains, Dataset::federation_configuration, Dataset::oauth2_permission_grants,
                    Dataset::role_assignments, Dataset::role_definitions, Dataset::directory_audits})
    CHECK(all.count(d) == 1);
  const auto& sp = all.at(Dataset::service_principals);
  for (const char* p : {"id", "appId", "displayName", "appRoles", "keyCredentials", "passwordCredentials",
                        "appOwnerOrganizationId", "servicePrincipalType", "verifiedPublisher"})
    CHECK(has(sp, p));
  CHECK_FALSE(has(sp, "tags"));  // nothing needs it
  CHECK(has(all.at(Dataset::role_assignments), "principal"));

  // One check: only its datasets, their dependencies and the reference data.
  const auto fic = engine::plan_graph_collection(checks({"entra.federated-identity-credentials"}));
  CHECK(fic.size() == 4);
  CHECK(fic.count(Dataset::applications) == 1);
  CHECK(fic.count(Dataset::federated_identity_credentials) == 1);
  CHECK(fic.count(Dataset::organization) == 1);
  CHECK(fic.count(Dataset::role_definitions) == 1);
  CHECK(fic.at(Dataset::applications) == std::vector<std::string>{"id", "appId", "displayName"});
  for (const char* p : {"id", "name", "issuer", "subject", "audiences"})
    CHECK(has(fic.at(Dataset::federated_identity_credentials), p));

  // Owners are read for the privileged applications: deciding which needs four more datasets.
  const auto owners = engine::plan_graph_collection(checks({"entra.app-owners"}));
  for (Dataset d : {Dataset::applications, Dataset::service_principals, Dataset::app_role_assigned_to,
                    Dataset::role_assignments, Dataset::app_owners})
    CHECK(owners.count(d) == 1);
  CHECK(has(owners.at(Dataset::service_principals), "appRoles"));

  CHECK(engine::plan_graph_collection(checks({"ad.*"})).empty());
  CHECK(engine::plan_collection(checks({})).size() == 2);  // LDAP: the AD datasets only
}

TEST_CASE("Graph query strings: $select, $top where Graph pages, $expand principal, the audit $filter",
          "[unit][graph-live]") {
  const auto since = parsers::parse_rfc3339("2026-11-01T00:00:00Z").value();
  CHECK(initial_query(Dataset::applications, {"id", "appId", "keyCredentials"}, since) ==
        "$select=id,appId,keyCredentials&$top=999");
  CHECK(initial_query(Dataset::domains, {"id", "authenticationType"}, since) == "$select=id,authenticationType");
  CHECK(initial_query(Dataset::role_assignments, {"id", "principalId", "principal"}, since) ==
        "$select=id,principalId&$expand=principal(%24select%3Did,displayName,userPrincipalName,userType,"
        "createdDateTime,appId,servicePrincipalType,appOwnerOrganizationId)");
  CHECK(initial_query(Dataset::directory_audits, {"id", "activityDateTime"}, since) ==
        "$select=id,activityDateTime&$filter=activityDateTime%20ge%202026-11-01T00:00:00Z&$top=999");
  CHECK(initial_query(Dataset::app_owners, {}, since) == "$top=999");
}

TEST_CASE("nextLink: taken from the top level only, followed only on the same origin", "[unit][graph-live]") {
  CHECK(next_link_of(R"({"@odata.context":"x","@odata.nextLink":"https://g/v1.0/a?$skiptoken=1","value":[{"@odata.nextLink":"no"}]})") ==
        "https://g/v1.0/a?$skiptoken=1");
  CHECK(next_link_of(R"({"value":[{"@odata.nextLink":"no","x":{"@odata.nextLink":"no"}}],"@odata.nextLink":"https://g/v1.0/b"})") ==
        "https://g/v1.0/b");
  CHECK(next_link_of(R"({"value":[{"a":1}]})").empty());
  CHECK(next_link_of(R"({"@odata.nextLink":null,"value":[]})").empty());
  CHECK(next_link_of("not json").empty());

  const std::string root = "https://graph.microsoft.com";
  CHECK(same_origin(root, "https://graph.microsoft.com/v1.0/servicePrincipals?$top=999&$skiptoken=X"));
  CHECK(same_origin("https://127.0.0.1:8443", "https://127.0.0.1:8443/v1.0/applications?$skiptoken=Y"));
  CHECK_FALSE(same_origin(root, "https://graph.microsoft.com.evil.example/v1.0/x"));
  CHECK_FALSE(same_origin(root, "https://graph.microsoft.com:444/v1.0/x"));
  CHECK_FALSE(same_origin(root, "http://graph.microsoft.com/v1.0/x"));
  CHECK_FALSE(same_origin(root, "https://graph.microsoft.com/beta/x"));
  CHECK_FALSE(same_origin(root, "https://graph.microsoft.com/v1.0/"));
  CHECK_FALSE(same_origin(root, "https://graph.microsoft.com/v1.0/x y"));
  CHECK_FALSE(same_origin("https://127.0.0.1:8443", "https://127.0.0.1:84430/v1.0/x"));
}

TEST_CASE("A refused request's reason is the capture reader's, so a replayed recording says the same",
          "[unit][graph-live]") {
  auto cap = test::CaptureDir::base();
  cap->remove("auditLogs/directoryAudits");
  cap->put("_adpersist", Json{{"tenant", test::kTenantId},
                              {"refused", Json::array({{{"path", "auditLogs/directoryAudits"},
                                                        {"status", 403},
                                                        {"code", "Authorization_RequestDenied"},
                                                        {"message", "Insufficient privileges"}}})}});
  model::entra::TenantBuilder b;
  REQUIRE(read_capture(cap->dir(), b).ok());
  const auto& st = b.peek().dataset(Dataset::directory_audits);
  CHECK(st.state == model::DatasetState::missing);
  const std::string live =
      refusal_reason("auditLogs/directoryAudits", Dataset::directory_audits, 403, "Authorization_RequestDenied");
  CHECK(st.reason == live);
  CHECK(live.find("AuditLog.Read.All") != std::string::npos);
}

TEST_CASE("The owners to read: privileged_applications() over a tenant still being collected",
          "[unit][graph-live]") {
  model::entra::TenantBuilder b;
  REQUIRE(read_capture(test::fixture_path("tenant"), b).ok());
  const auto ids = privileged_application_ids(b);
  const auto finished = std::move(b).finish();
  std::vector<std::string> expected;
  for (const auto* app : model::entra::privileged_applications(finished)) expected.push_back(app->id);
  CHECK(ids == expected);
  CHECK(has(ids, "149a5865-0a40-455a-807f-d72c0c58e69b"));  // Backup Automation
  CHECK(has(ids, "a8d6cb84-48c8-4730-8720-9b5e8ec963b0"));  // Tenant Tools
  CHECK(ids.size() < finished.applications().size());
}

TEST_CASE("The HTTP client speaks https only and never follows a redirect elsewhere", "[unit][graph-live]") {
  HttpClient http(HttpOptions{});
  HttpRequest req;
  req.url = "http://graph.microsoft.com/v1.0/organization";
  CHECK_FALSE(http.start(std::move(req)).ok());
  HttpRequest bad;
  bad.url = "https://127.0.0.1:1/v1.0/organization";  // nothing listens on port 1
  auto done = http.perform(std::move(bad));
  CHECK_FALSE(done.response.has_value());
  CHECK(done.error.message.find("cannot reach the server") != std::string::npos);
  CHECK_FALSE(done.error.retriable);
}
