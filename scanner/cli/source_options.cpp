#include "scanner/cli/source_options.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "scanner/auth/kerberos.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/engine/collection_plan.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "scanner/sources/graph/collector.hpp"
#include "scanner/sources/ldap/ldap_collector.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"
#include "scanner/util/progress.hpp"
#include "scanner/util/secret.hpp"
#include "scanner/util/strings.hpp"
#include "scanner/util/verbosity.hpp"

namespace adpersist::cli {

void add_source_options(CLI::App* cmd, SourceCli& s, bool with_ldif) {
  if (with_ldif)
    cmd->add_option("--ldif", s.ldif, "LDIF export to read (repeatable: domain NC, configuration NC)")
        ->check(CLI::ExistingFile)
        ->group("Source");
  cmd->add_option("--ldap", s.ldap_uri, "Live scan: ldaps://DC or ldap://DC (connect by the DC's FQDN)")->group("Source");
  cmd->add_flag("--starttls", s.starttls, "Upgrade an ldap:// connection with StartTLS")->group("LDAP");
  cmd->add_option("--ca-file", s.ca_file,
                  "CA certificate(s) to verify the DC or Microsoft Graph and its token endpoint (default: the system "
                  "store)")
      ->check(CLI::ExistingFile)
      ->group("TLS");
  cmd->add_flag("--insecure-skip-verify", s.insecure_skip_verify, "Do NOT verify the DC's certificate (unsafe)")
      ->group("LDAP");
  cmd->add_option("--sasl", s.sasl, "SASL mechanism: gssapi (Kerberos; the default without --bind-dn)")
      ->check(CLI::IsMember({"gssapi"}))
      ->group("LDAP");
  cmd->add_option("--keytab", s.keytab, "Kerberos keytab for --principal (instead of a kinit ticket)")
      ->check(CLI::ExistingFile)
      ->group("LDAP");
  cmd->add_option("--principal", s.principal, "Kerberos principal to take from --keytab")->group("LDAP");
  cmd->add_option("--bind-dn", s.bind_dn, "Simple bind as this DN")->group("LDAP");
  cmd->add_option("--bind-upn", s.bind_upn, "Simple bind as this UPN (user@corp.example)")->group("LDAP");
  cmd->add_option("--password-file", s.password_file,
                  "Simple-bind password from this file, or '-' for stdin (else $CREDENTIALS_DIRECTORY/ldap-password, "
                  "else a prompt on a terminal)")
      ->group("LDAP");
  // Not an option, like --client-secret below: a password typed on the command line is refused without being
  // echoed (CLI11's "arguments were not expected" error would print it).
  cmd->add_option("-w,--password,--bind-password", s.password_on_argv)->group("");
  cmd->add_flag("--allow-cleartext", s.allow_cleartext, "Allow a simple bind without TLS (sends the password in clear)")
      ->group("LDAP");
  cmd->add_option("--timeout", s.timeout, "Seconds to wait for any one LDAP answer (a page, the bind)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str()
      ->group("LDAP");
  cmd->add_option("--max-time", s.max_time, "Seconds the whole LDAP collection may take (0: no limit)")
      ->check(CLI::Range(0, 7 * 86400))
      ->capture_default_str()
      ->group("LDAP");
  cmd->add_option("--page-size", s.page_size, "LDAP page size")->check(CLI::Range(1, 100000))->capture_default_str()->group("LDAP");
  if (with_ldif)
    cmd->add_option("--graph-dir", s.graph_dir,
                    "Entra ID: read a Microsoft Graph capture directory (the layout 'collect --record' writes)")
        ->check(CLI::ExistingDirectory)
        ->group("Source");
  const char* kEntra = "Entra ID";
  cmd->add_option("--tenant", s.tenant,
                  "Live Entra ID scan of this tenant (GUID or verified domain; default $AZURE_TENANT_ID, which with "
                  "$AZURE_CLIENT_ID starts a live scan when no other source is given)")
      ->group(kEntra);
  cmd->add_option("--client-id", s.client_id, "Application (client) id of the scanner's app registration "
                                              "(default $AZURE_CLIENT_ID)")
      ->group(kEntra);
  cmd->add_option("--client-cert", s.client_cert,
                  "PEM certificate of the app's certificate credential (default $AZURE_CLIENT_CERTIFICATE_PATH)")
      ->check(CLI::ExistingFile)
      ->group(kEntra);
  cmd->add_option("--client-key", s.client_key, "PEM private key of --client-cert (default: in the certificate file)")
      ->check(CLI::ExistingFile)
      ->group(kEntra);
  cmd->add_option("--client-pfx", s.client_pfx, "PKCS#12 file with the certificate and its key")
      ->check(CLI::ExistingFile)
      ->group(kEntra);
  cmd->add_option("--client-pfx-password-file", s.client_pfx_password_file,
                  "Password of --client-pfx from this file, or '-' for stdin (else "
                  "$CREDENTIALS_DIRECTORY/graph-pfx-password, else none)")
      ->group(kEntra);
  cmd->add_option("--client-secret-file", s.client_secret_file,
                  "Client secret from this file, or '-' for stdin (else $CREDENTIALS_DIRECTORY/graph-client-secret); "
                  "a secret is never taken from the command line or AZURE_CLIENT_SECRET")
      ->group(kEntra);
  // Not an option: caught so that a secret typed on the command line is refused without being echoed (an
  // unknown option's value would be printed in CLI11's error message).
  cmd->add_option("--client-secret", s.client_secret_on_argv)->group("");
  cmd->add_option("--assertion-alg", s.assertion_alg,
                  "Signature of the certificate's client assertion: ps256 (x5t#S256), rs256 (legacy x5t), or auto "
                  "(PS256, then RS256 once if the token endpoint refuses it)")
      ->check(CLI::IsMember({"auto", "ps256", "rs256"}))
      ->capture_default_str()
      ->group(kEntra);
  cmd->add_option("--cloud", s.cloud, "Microsoft cloud: global, usgov (GCC High), usgov-dod, china")
      ->check(CLI::IsMember({"global", "usgov", "usgov-dod", "china"}))
      ->capture_default_str()
      ->group(kEntra);
  cmd->add_option("--graph-url", s.graph_url, "Microsoft Graph root instead of the cloud's (https://host[:port])")
      ->group(kEntra);
  cmd->add_option("--login-url", s.login_url, "Token endpoint root instead of the cloud's (https://host[:port])")
      ->group(kEntra);
  cmd->add_option("--graph-concurrency", s.graph_concurrency, "Graph requests in flight at once")
      ->check(CLI::Range(1, 16))
      ->capture_default_str()
      ->group(kEntra);
  cmd->add_option("--graph-timeout", s.graph_timeout, "Seconds to wait for any one Graph or token answer")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str()
      ->group(kEntra);
  cmd->add_flag_function("-v,--verbose", [&s](std::int64_t count) { s.verbose = static_cast<int>(count); },
                         "Progress and timings on stderr; -vv also each network step (never a secret, token or "
                         "query string)");
  cmd->add_flag("--no-progress", s.no_progress,
                "No live progress line on stderr (it is drawn only when stderr is a terminal, never in logs)");
}

bool SourceCli::has_graph_live() const {
  if (!tenant.empty() || !client_id.empty() || !client_cert.empty() || !client_pfx.empty() ||
      !client_secret_file.empty() || !client_secret_on_argv.empty())
    return true;
  const char* t = std::getenv("AZURE_TENANT_ID");
  const char* c = std::getenv("AZURE_CLIENT_ID");
  return !has_ad() && graph_dir.empty() && t && *t && c && *c;
}

namespace {
Result<sources::LdapOptions> ldap_options(const SourceCli& s) {
  sources::LdapOptions o;
  o.uri = s.ldap_uri;
  o.starttls = s.starttls;
  o.ca_file = s.ca_file;
  o.insecure_skip_verify = s.insecure_skip_verify;
  o.allow_cleartext = s.allow_cleartext;
  o.timeout = std::chrono::seconds(s.timeout);
  o.max_time = std::chrono::seconds(s.max_time);
  o.page_size = s.page_size;
  const bool simple = !s.bind_dn.empty() || !s.bind_upn.empty();
  if (simple && !s.sasl.empty())
    return make_error(ErrorCode::usage, "--sasl and --bind-dn/--bind-upn are alternatives: pick one");
  if (!s.bind_dn.empty() && !s.bind_upn.empty())
    return make_error(ErrorCode::usage, "give --bind-dn or --bind-upn, not both");
  if ((!s.keytab.empty()) != (!s.principal.empty()))
    return make_error(ErrorCode::usage, "--keytab and --principal go together");
  // A password, a keytab's keys or Kerberos session keys will be in memory: no core dump may hold them.
  util::disable_core_dumps();
  if (simple) {
    o.bind = sources::LdapOptions::Bind::simple;
    o.bind_dn = s.bind_dn.empty() ? s.bind_upn : s.bind_dn;
    auto pw = util::load_secret(s.password_file, "ldap-password", "LDAP password for " + o.bind_dn + ": ");
    if (!pw) return pw.error();
    o.password = std::move(pw.value());
  } else {
    o.bind = sources::LdapOptions::Bind::gssapi;
    if (!s.keytab.empty())
      if (auto st = auth::kinit_from_keytab(s.keytab, s.principal); !st) return st.error();
  }
  if (o.insecure_skip_verify)
    std::cerr << "adpersist: WARNING: --insecure-skip-verify: the DC's certificate is NOT verified; anyone on the "
                 "path can impersonate it and read what is sent\n";
  return o;
}
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// A credential file under $CREDENTIALS_DIRECTORY (systemd LoadCredential=), or "".
std::string credential_file(const std::string& name) {
  const std::string dir = env("CREDENTIALS_DIRECTORY");
  if (dir.empty()) return {};
  const std::string path = dir + "/" + name;
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) ? path : std::string();
}

bool valid_tenant(const std::string& t) {
  if (sources::graph::is_guid(t)) return true;
  if (t.empty() || t.size() > 253 || t.front() == '.' || t.front() == '-') return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

Result<std::string> https_root(const std::string& flag, std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!util::istarts_with(url, "https://") || url.size() <= 8 ||
      url.find_first_of("?# \t", 8) != std::string::npos)
    return make_error(ErrorCode::usage, flag + " takes an https:// URL without query (TLS is required), got '" + url + "'");
  return url;
}

Result<sources::graph::ClientCredential> graph_credential(const SourceCli& s) {
  using sources::graph::ClientCredential;
  ClientCredential c;
  c.alg = s.assertion_alg == "rs256" ? sources::graph::AssertionAlg::rs256 : sources::graph::AssertionAlg::ps256;
  c.rs256_fallback = s.assertion_alg == "auto";
  const int given = (!s.client_cert.empty() || !s.client_key.empty()) + !s.client_pfx.empty() +
                    !s.client_secret_file.empty();
  if (given > 1)
    return make_error(ErrorCode::usage,
                      "give one client credential: --client-cert (with --client-key), --client-pfx or --client-secret-file");
  if (!s.client_key.empty() && s.client_cert.empty())
    return make_error(ErrorCode::usage, "--client-key goes with --client-cert");
  if (!s.client_pfx_password_file.empty() && s.client_pfx.empty())
    return make_error(ErrorCode::usage, "--client-pfx-password-file goes with --client-pfx");
  // A private key, a secret or (later) access tokens will be in memory: no core dump may hold them.
  util::disable_core_dumps();
  if (!s.client_cert.empty()) {
    auto cert = sources::graph::load_certificate_pem(s.client_cert, s.client_key);
    if (!cert) return cert.error();
    c.certificate = std::move(cert.value());
    return c;
  }
  if (!s.client_pfx.empty()) {
    util::Secret password;
    std::string spec = s.client_pfx_password_file.empty() ? credential_file("graph-pfx-password")
                                                           : s.client_pfx_password_file;
    if (!spec.empty()) {
      auto pw = util::load_secret(spec, "", "");
      if (!pw) return pw.error();
      password = std::move(pw.value());
    }
    auto cert = sources::graph::load_certificate_pkcs12(s.client_pfx, password);
    if (!cert) return cert.error();
    c.certificate = std::move(cert.value());
    return c;
  }
  std::string secret_spec = s.client_secret_file;
  if (secret_spec.empty()) {
    if (const std::string path = env("AZURE_CLIENT_CERTIFICATE_PATH"); !path.empty()) {
      auto cert = sources::graph::load_certificate_any(path);
      if (!cert) return cert.error();
      c.certificate = std::move(cert.value());
      return c;
    }
    secret_spec = credential_file("graph-client-secret");
  }
  if (secret_spec.empty())
    return make_error(ErrorCode::usage,
                      std::string("no client credential: give --client-cert and --client-key, --client-pfx, or "
                                  "--client-secret-file (or set AZURE_CLIENT_CERTIFICATE_PATH, or provide "
                                  "$CREDENTIALS_DIRECTORY/graph-client-secret)") +
                          (env("AZURE_CLIENT_SECRET").empty() ? "" : "; AZURE_CLIENT_SECRET is never read"));
  auto secret = util::load_secret(secret_spec, "", "");
  if (!secret) return secret.error();
  c.kind = ClientCredential::Kind::secret;
  c.secret = std::move(secret.value());
  return c;
}

Result<sources::graph::GraphOptions> graph_options(const SourceCli& s, const LoadContext& ctx) {
  sources::graph::GraphOptions o;
  if (!s.client_secret_on_argv.empty())
    return make_error(ErrorCode::usage,
                      "a client secret is never taken from the command line (other users see it in the process list, "
                      "and it stays in shell history): use --client-secret-file FILE or '-' for stdin");
  o.tenant = s.tenant.empty() ? env("AZURE_TENANT_ID") : s.tenant;
  if (o.tenant.empty()) return make_error(ErrorCode::usage, "a live Entra ID scan needs --tenant (or AZURE_TENANT_ID)");
  if (!valid_tenant(o.tenant))
    return make_error(ErrorCode::usage, "--tenant takes a tenant GUID or a domain name, got '" + o.tenant + "'");
  o.client_id = s.client_id.empty() ? env("AZURE_CLIENT_ID") : s.client_id;
  if (o.client_id.empty())
    return make_error(ErrorCode::usage, "a live Entra ID scan needs --client-id (or AZURE_CLIENT_ID)");
  if (!sources::graph::is_guid(o.client_id))
    return make_error(ErrorCode::usage, "--client-id takes the application (client) id, a GUID");
  auto cloud = sources::graph::cloud_endpoints(s.cloud);
  if (!cloud) return make_error(ErrorCode::usage, "unknown --cloud '" + s.cloud + "'");
  auto graph = https_root("--graph-url", s.graph_url.empty() ? cloud->graph : s.graph_url);
  if (!graph) return graph.error();
  auto login = https_root("--login-url", s.login_url.empty() ? cloud->login : s.login_url);
  if (!login) return login.error();
  o.graph_root = graph.value();
  o.login_root = login.value();
  auto cred = graph_credential(s);
  if (!cred) return cred.error();
  o.credential = std::move(cred.value());
  o.ca_file = s.ca_file;
  o.concurrency = s.graph_concurrency;
  o.timeout = std::chrono::seconds(s.graph_timeout);
  o.audit_since = ctx.now - ctx.since;
  o.record_dir = ctx.record_dir;
  o.verbose = s.verbose > 0;
  if (s.insecure_skip_verify)
    return make_error(ErrorCode::usage, "--insecure-skip-verify is for LDAP only: Microsoft Graph is always verified");
  return o;
}

// Reads the Entra ID source (a capture or live Graph) into `builder`. Returns an exit code, 0 on success.
int load_entra(const SourceCli& s, const std::vector<const engine::Check*>& checks, const LoadContext& ctx,
               util::Progress& progress, model::SnapshotBuilder& builder) {
  model::entra::TenantBuilder tb;
  if (!s.graph_dir.empty() && s.has_graph_live()) {
    print_error("give --graph-dir (a capture) or --tenant (a live scan), not both");
    return kExitUsage;
  }
  if (!s.graph_dir.empty()) {
    if (auto st = sources::graph::read_capture(s.graph_dir, tb); !st) {
      print_error(st.error().describe());
      return kExitUsage;
    }
  } else {
    auto opts = graph_options(s, ctx);
    if (!opts) {
      print_error(opts.error().describe());
      return opts.error().code == ErrorCode::usage || opts.error().code == ErrorCode::io ? kExitUsage : kExitIncomplete;
    }
    const auto plan = engine::plan_graph_collection(checks);
    if (plan.empty() && ctx.record_dir.empty()) {
      tb.add_note("no selected check reads Entra ID: nothing was requested from Microsoft Graph");
    } else {
      opts->progress = &progress;
      auto stats = sources::graph::collect_graph(opts.value(), plan, tb);
      progress.clear();
      if (!stats) {
        print_error(stats.error().describe());
        return stats.error().code == ErrorCode::usage || stats.error().code == ErrorCode::io ? kExitUsage
                                                                                              : kExitIncomplete;
      }
    }
  }
  builder.set_tenant(std::move(tb).finish());
  return kExitOk;
}
}  // namespace

SnapshotOrError load_snapshot(const SourceCli& s, const std::vector<const engine::Check*>& checks,
                              const LoadContext& ctx) {
  SnapshotOrError out;
  util::set_verbosity(s.verbose);
  if (!s.password_on_argv.empty()) {
    print_error("a password is never taken from the command line (other users see it in the process list, and it "
                "stays in shell history): use --password-file FILE or '-' for stdin");
    out.exit_code = kExitUsage;
    return out;
  }
  if (!s.ldif.empty() && !s.ldap_uri.empty()) {
    print_error("give --ldif or --ldap, not both");
    out.exit_code = kExitUsage;
    return out;
  }
  if (!s.has_ad() && !s.has_entra()) {
    print_error("nothing to scan: give --ldif FILE or --ldap URI (Active Directory), --graph-dir DIR or --tenant T "
                "(Entra ID), or both");
    out.exit_code = kExitUsage;
    return out;
  }
  model::SnapshotBuilder builder;
  // Erases its line when a source is done and before anything else reaches stderr; draws only on a terminal.
  const auto progress = util::stderr_progress(s.quiet, s.no_progress);
  if (s.has_entra()) {
    if (int rc = load_entra(s, checks, ctx, *progress, builder); rc != kExitOk) {
      out.exit_code = rc;
      return out;
    }
  }
  if (!s.has_ad()) {
    // Entra only.
  } else if (!s.ldif.empty()) {
    // Keep what a live collection for these checks would fetch; an export usually holds far more ('*').
    std::vector<std::string> wanted;
    for (const auto& [dataset, attributes] : engine::plan_collection(checks))
      wanted.insert(wanted.end(), attributes.begin(), attributes.end());
    builder.keep_only(wanted);
    sources::LdifOptions ldif_options;
    ldif_options.progress = progress.get();
    for (const auto& path : s.ldif) {
      auto st = sources::read_ldif_file(path, builder, ldif_options);
      progress->clear();
      if (!st) {
        print_error(st.error().describe());
        out.exit_code = kExitUsage;
        return out;
      }
    }
    util::trace("ldif", "dropped " + std::to_string(builder.dropped_values()) +
                            " values of attributes no selected check reads");
  } else {
    auto opts = ldap_options(s);
    if (!opts) {
      print_error(opts.error().describe());
      out.exit_code = opts.error().code == ErrorCode::usage || opts.error().code == ErrorCode::io ? kExitUsage
                                                                                                    : kExitIncomplete;
      return out;
    }
    opts->progress = progress.get();
    auto stats = sources::collect_ldap(opts.value(), engine::plan_collection(checks), builder);
    progress->clear();
    if (!stats) {
      print_error(stats.error().describe());
      out.exit_code = stats.error().code == ErrorCode::usage ? kExitUsage : kExitIncomplete;
      return out;
    }
    if (s.verbose)
      std::cerr << "ldap: " << stats->entries << " entries from " << s.ldap_uri << " in " << stats->seconds << " s\n";
  }
  auto snap = std::move(builder).finish();
  if (!snap) {
    print_error(snap.error().describe());
    out.exit_code = kExitUsage;
    return out;
  }
  out.snapshot = std::move(snap).value();
  return out;
}

}  // namespace adpersist::cli
