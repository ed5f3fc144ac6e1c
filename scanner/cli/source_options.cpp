#include "scanner/cli/source_options.hpp"

#include <iostream>

#include "scanner/auth/kerberos.hpp"
#include "scanner/cli/commands.hpp"
#include "scanner/engine/collection_plan.hpp"
#include "scanner/model/tenant.hpp"
#include "scanner/sources/graph/capture.hpp"
#include "scanner/sources/ldap/ldap_collector.hpp"
#include "scanner/sources/ldif/ldif_reader.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::cli {

void add_source_options(CLI::App* cmd, SourceCli& s, bool with_ldif) {
  if (with_ldif)
    cmd->add_option("--ldif", s.ldif, "LDIF export to read (repeatable: domain NC, configuration NC)")
        ->check(CLI::ExistingFile)
        ->group("Source");
  cmd->add_option("--ldap", s.ldap_uri, "Live scan: ldaps://DC or ldap://DC (connect by the DC's FQDN)")->group("Source");
  cmd->add_flag("--starttls", s.starttls, "Upgrade an ldap:// connection with StartTLS")->group("LDAP");
  cmd->add_option("--ca-file", s.ca_file, "CA certificate(s) to verify the DC (default: the system store)")
      ->check(CLI::ExistingFile)
      ->group("LDAP");
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
  cmd->add_flag("-v,--verbose", s.verbose, "Progress and timings on stderr");
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
}  // namespace

SnapshotOrError load_snapshot(const SourceCli& s, const std::vector<const engine::Check*>& checks) {
  SnapshotOrError out;
  if (!s.ldif.empty() && !s.ldap_uri.empty()) {
    print_error("give --ldif or --ldap, not both");
    out.exit_code = kExitUsage;
    return out;
  }
  if (!s.has_ad() && !s.has_entra()) {
    print_error("nothing to scan: give --ldif FILE or --ldap URI (Active Directory), --graph-dir DIR (Entra ID), "
                "or both");
    out.exit_code = kExitUsage;
    return out;
  }
  model::SnapshotBuilder builder;
  if (s.has_entra()) {
    model::entra::TenantBuilder tb;
    if (auto st = sources::graph::read_capture(s.graph_dir, tb); !st) {
      print_error(st.error().describe());
      out.exit_code = kExitUsage;
      return out;
    }
    builder.set_tenant(std::move(tb).finish());
  }
  if (!s.has_ad()) {
    // Entra ID only.
  } else if (!s.ldif.empty()) {
    for (const auto& path : s.ldif) {
      if (auto st = sources::read_ldif_file(path, builder); !st) {
        print_error(st.error().describe());
        out.exit_code = kExitUsage;
        return out;
      }
    }
  } else {
    auto opts = ldap_options(s);
    if (!opts) {
      print_error(opts.error().describe());
      out.exit_code = opts.error().code == ErrorCode::usage || opts.error().code == ErrorCode::io ? kExitUsage
                                                                                                    : kExitIncomplete;
      return out;
    }
    auto stats = sources::collect_ldap(opts.value(), engine::plan_collection(checks), builder);
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
