// Secret: a password or key that never reaches argv, logs or reports. No stream operator, no JSON
// conversion; wiped on destruction. Loading one also disables core dumps for the process.
#pragma once

#include <string>
#include <string_view>

#include "scanner/util/result.hpp"

namespace adpersist::util {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value);
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& o) noexcept;
  Secret& operator=(Secret&& o) noexcept;
  ~Secret();

  bool empty() const { return value_.empty(); }
  // The only way to the bytes: call sites are few and easy to audit (grep reveal()).
  const std::string& reveal() const { return value_; }

 private:
  void wipe();
  std::string value_;
};

// Reads a secret from `spec`: a file path, "-" for standard input (first line), or, when `spec` is empty,
// the credential `name` from $CREDENTIALS_DIRECTORY (systemd LoadCredential=), else a prompt without echo
// when standard input is a terminal. One trailing newline is removed.
Result<Secret> load_secret(const std::string& spec, const std::string& credential_name, const std::string& prompt);

// Core dumps off (RLIMIT_CORE 0, not dumpable): a crash must not write secrets to disk. Idempotent, never
// undone. load_secret and Secret call it; so must code that reads other key material (private keys, keytabs,
// Kerberos tickets) before it reads it.
void disable_core_dumps();

}  // namespace adpersist::util
