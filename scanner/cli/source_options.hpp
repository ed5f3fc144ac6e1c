// Options shared by `scan` and `collect` that say where the directory comes from.
#pragma once

#include <CLI/CLI.hpp>
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
  bool verbose = false;
  // Entra ID
  std::string graph_dir;  // an offline Graph capture
  bool has_ad() const { return !ldif.empty() || !ldap_uri.empty(); }
  bool has_entra() const { return !graph_dir.empty(); }
};

void add_source_options(CLI::App* cmd, SourceCli& s, bool with_ldif);

// Reads the sources into a snapshot. Errors are usage/input errors (exit 2) or connection/auth failures
// before any data arrived (exit 3: nothing could be collected).
struct SnapshotOrError {
  std::optional<model::Snapshot> snapshot;
  int exit_code = 0;  // set when snapshot is empty
};
SnapshotOrError load_snapshot(const SourceCli& s, const std::vector<const engine::Check*>& checks);

}  // namespace adpersist::cli
