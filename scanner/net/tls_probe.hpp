// Explains a failed TLS connection: used after libldap reports only "Can't contact LDAP server", to tell
// an unreachable server from a certificate the client does not trust (and say why).
#pragma once

#include <chrono>
#include <string>

namespace adpersist::net {

struct ProbeResult {
  bool tcp_ok = false;      // a TCP connection could be opened
  bool tls_ok = false;      // the handshake, certificate chain and host name all verified
  std::string detail;       // why not: "connection refused", "self-signed certificate in certificate chain", ...
};

// Opens host:port, then a TLS handshake verifying the chain against `ca_file` (or the system store)
// and the host name. Bounded by `timeout`.
ProbeResult probe_tls(const std::string& host, int port, const std::string& ca_file, std::chrono::seconds timeout);

}  // namespace adpersist::net
