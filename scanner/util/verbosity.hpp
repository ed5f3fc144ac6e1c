// How much adpersist says on stderr: 0 (-q or default) the report and errors only, 1 (-v) progress, timings
// and summaries, 2 (-vv) every network step (connection, TLS, bind, each LDAP page, each HTTP request and its
// answer). Nothing printed at any level may carry a secret: no password, client secret, private key, bearer
// token, HEC token, Authorization header, request or response body, or URL query string
// (tests/integration/secrets_vv.sh runs every live path with -vv and looks for each).
#pragma once

#include <string>
#include <string_view>

namespace adpersist::util {

void set_verbosity(int level);
int verbosity();

// One line "component: text" on stderr when -vv was given; `text` is sanitised for the terminal (it may carry
// names from the directory or a server).
void trace(std::string_view component, std::string_view text);
inline bool tracing() {
  return verbosity() >= 2;
}

}  // namespace adpersist::util
