// Options shared by `scan` and `collect` that say where the directory comes from.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "scanner/engine/check.hpp"
#include "scanner/model/snapshot.hpp"
#include "scanner/sources/ldap/ldap_connection.hpp"

namespace adpersist::cli {

struct SourceCli {
  std::vector<std::string> ldif;
  std::string ldap_uri;
  bool starttls = false;
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string sasl;  // "gssapi"
  std::string keytab, principal;
  std::string bind_dn, bind_upn, password_file;
  bool allow_cleartext = false;
  int timeout = 120;
  int max_time = 0;
  int page_size = 1000;
  int verbose = 0;            // -v 1, -vv 2 (scanner/util/verbosity.hpp)
  bool no_progress = false;  // --no-progress: no progress line on a terminal
  bool quiet = false;        // set by the command from its --quiet: no progress line either
  // Entra ID
  std::string graph_dir;  // an offline Graph capture
  // Entra ID, live (Microsoft Graph, app-only). Missing values come from AZURE_TENANT_ID, AZURE_CLIENT_ID,
  // AZURE_CLIENT_CERTIFICATE_PATH and $CREDENTIALS_DIRECTORY/graph-client-secret.
  std::string tenant, client_id;
  std::string client_cert, client_key;                 // PEM
  std::string client_pfx, client_pfx_password_file;    // PKCS#12
  std::string client_secret_file;                      // a file or '-' (never the secret itself)
  std::string client_secret_on_argv;                   // hidden --client-secret: refused, never echoed
  std::string password_on_argv;                        // hidden -w/--password: refused, never echoed
  std::string assertion_alg = "auto";
  std::string cloud = "global";
  std::string graph_url, login_url;  // overrides of the cloud's endpoints
  int graph_concurrency = 4;
  int graph_timeout = 60;
  bool has_ad() const { return !ldif.empty() || !ldap_uri.empty(); }
  // A live Entra ID scan was asked for: --tenant, --client-id or a client credential was given, or no
  // source at all was and AZURE_TENANT_ID and AZURE_CLIENT_ID are set.
  bool has_graph_live() const;
  bool has_entra() const { return !graph_dir.empty() || has_graph_live(); }
};

void add_source_options(CLI::App* cmd, SourceCli& s, bool with_ldif);

// What the sources need from the command besides the source options.
struct LoadContext {
  model::TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  std::chrono::seconds since{30 * 86400};  // the recent window: Graph audit records from now - since
  std::string record_dir;                  // collect --record: write the Graph responses here
};

// Reads the sources into a snapshot. Errors are usage/input errors (exit 2) or connection/auth failures
// before any data arrived (exit 3: nothing could be collected).
struct SnapshotOrError {
  std::optional<model::Snapshot> snapshot;
  int exit_code = 0;  // set when snapshot is empty
};
SnapshotOrError load_snapshot(const SourceCli& s, const std::vector<const engine::Check*>& checks,
                              const LoadContext& ctx = {});

}  // namespace adpersist::cli
