#include "scanner/cli/hec_options.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "scanner/net/hec_client.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::cli {

namespace {

constexpr const char* kCredential = "hec-token";  // $CREDENTIALS_DIRECTORY/hec-token (systemd LoadCredential=)

// Where the token comes from: --hec-token-file, else the systemd credential when present, else "".
std::string token_spec(const HecCli& o) {
  if (!o.token_file.empty()) return o.token_file;
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (!dir || !*dir) return {};
  const std::string path = std::string(dir) + "/" + kCredential;
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) ? path : std::string();
}

Result<util::Secret> load_token(const std::string& spec) {
  auto token = util::load_secret(spec, "", "");
  if (!token) {
    Error e = token.error();
    e.message = "HEC token: " + e.message;
    return e;
  }
  if (auto st = net::check_hec_token(token.value()); !st) {
    Error e = st.error();
    e.context = spec == "-" ? "standard input" : spec;
    return e;
  }
  return std::move(token).value();
}

}  // namespace

void add_hec_options(CLI::App* cmd, HecCli& o) {
  const char* kGroup = "Splunk HEC";
  cmd->add_option("--hec-url", o.url,
                  "Also send the findings to a Splunk HTTP Event Collector, e.g. https://splunk.example:8088 "
                  "(https only; the path defaults to /services/collector/event)")
      ->group(kGroup);
  cmd->add_option("--hec-token-file", o.token_file,
                  "HEC token from this file, or '-' for stdin (else $CREDENTIALS_DIRECTORY/hec-token); a token is "
                  "never taken from the command line")
      ->group(kGroup);
  cmd->add_option("--hec-ca-file", o.ca_file,
                  "CA certificate(s) to verify the collector (default: the system store; always verified)")
      ->check(CLI::ExistingFile)
      ->group(kGroup);
  // Not an option: caught so that a token typed on the command line is refused without being echoed (an
  // unknown option's value would be printed in CLI11's error message).
  cmd->add_option("--hec-token", o.token_on_argv)->group("");
  o.verbose_flag = cmd->get_option_no_throw("--verbose");
}

std::string validate_hec_options(const HecCli& o) {
  if (!o.token_on_argv.empty())
    return "a HEC token is never taken from the command line (other users see it in the process list, and it stays "
           "in shell history): use --hec-token-file FILE or '-' for stdin";
  if (!o.enabled()) {
    if (!o.token_file.empty() || !o.ca_file.empty()) return "--hec-token-file and --hec-ca-file go with --hec-url";
    return {};
  }
  if (auto url = net::hec_endpoint(o.url); !url) return url.error().describe();
  const std::string spec = token_spec(o);
  if (spec.empty())
    return "--hec-url needs the HEC token: --hec-token-file FILE, '-' for stdin, or $CREDENTIALS_DIRECTORY/hec-token";
  if (spec == "-") return {};  // read once, when the findings are sent
  if (auto token = load_token(spec); !token) return token.error().describe();
  return {};
}

Status post_to_hec(const HecCli& o, std::string_view envelopes) {
  auto url = net::hec_endpoint(o.url);
  if (!url) return url.error();
  const std::string spec = token_spec(o);
  if (spec.empty()) return make_error(ErrorCode::usage, "no HEC token (--hec-token-file)", url.value());
  auto token = load_token(spec);
  if (!token) return token.error();
  net::HecOptions ho;
  ho.url = url.value();
  ho.ca_file = o.ca_file;
  auto stats = net::post_hec(ho, token.value(), envelopes);
  if (!stats) return stats.error();
  if (o.verbose || (o.verbose_flag && o.verbose_flag->count() > 0)) {
    const auto& s = stats.value();
    if (s.events == 0)
      std::cerr << "hec: no events to send to " << ho.url << "\n";
    else
      std::cerr << "hec: " << s.events << (s.events == 1 ? " event" : " events") << " delivered to " << ho.url
                << " in " << s.batches << (s.batches == 1 ? " batch" : " batches") << " (" << s.requests
                << (s.requests == 1 ? " request, " : " requests, ") << s.retries
                << (s.retries == 1 ? " retry" : " retries") << ") in " << s.seconds << " s\n";
  }
  return ok_status();
}

}  // namespace adpersist::cli
