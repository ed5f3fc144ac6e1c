// Kerberos credentials for GSSAPI binds: the caller's ccache (KRB5CCNAME, after kinit) or a keytab.
#pragma once

#include <string>

#include "scanner/util/result.hpp"

namespace adpersist::auth {

// Gets a TGT for `principal` from `keytab` into a private in-memory credential cache and points
// KRB5CCNAME at it for this process, so GSSAPI binds use it and the user's own cache is untouched.
Status kinit_from_keytab(const std::string& keytab, const std::string& principal);

}  // namespace adpersist::auth
