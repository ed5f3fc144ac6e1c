// Splunk HTTP Event Collector delivery (--hec-url URL --hec-token-file F): the findings, as the `hec` format
// writes them, POSTed after the scan with bounded retries. The token is read from a file, never the command line.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "scanner/util/result.hpp"

namespace adpersist::cli {

struct HecCli {
  std::string url;         // --hec-url: https://splunk.example:8088/services/collector/event
  std::string token_file;  // --hec-token-file (else $CREDENTIALS_DIRECTORY/hec-token when --hec-url is set)
  std::string ca_file;     // --hec-ca-file: trust anchors for the collector's certificate (else the system's)
  std::string token_on_argv;  // hidden --hec-token: refused, never echoed
  bool verbose = false;       // the delivery summary on stderr (also when the command's -v/--verbose was given)
  const CLI::Option* verbose_flag = nullptr;  // that -v, found by add_hec_options when already added
  bool enabled() const { return !url.empty(); }
};

// Adds --hec-url, --hec-token-file, --hec-ca-file (call after add_source_options: its -v is followed too).
void add_hec_options(CLI::App* cmd, HecCli& o);

// Checks the options before anything is scanned (URL shape, token file readable): an error message or "".
std::string validate_hec_options(const HecCli& o);

// POSTs the HEC envelopes (NDJSON, as reports::write_hec writes them), retrying 429/5xx/connection errors a
// bounded number of times; the error names the URL and what failed, never the token.
Status post_to_hec(const HecCli& o, std::string_view envelopes);

}  // namespace adpersist::cli
