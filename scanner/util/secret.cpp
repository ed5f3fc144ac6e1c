#include "scanner/util/secret.hpp"

#include <openssl/crypto.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace adpersist::util {

Secret::Secret(std::string value) : value_(std::move(value)) { disable_core_dumps(); }
Secret::Secret(Secret&& o) noexcept : value_(std::move(o.value_)) { o.wipe(); }
Secret& Secret::operator=(Secret&& o) noexcept {
  if (this != &o) {
    wipe();
    value_ = std::move(o.value_);
    o.wipe();
  }
  return *this;
}
Secret::~Secret() { wipe(); }

void Secret::wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
  value_.shrink_to_fit();
}

void disable_core_dumps() {
  static bool done = false;
  if (done) return;
  done = true;
  struct rlimit none {0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

namespace {
Result<Secret> from_stream(std::istream& in, const std::string& where) {
  std::string s;
  if (!std::getline(in, s) && s.empty())
    return make_error(ErrorCode::io, "no secret could be read (empty input)", where);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) return make_error(ErrorCode::usage, "the secret is empty", where);
  return Secret(std::move(s));
}

Result<Secret> prompt_tty(const std::string& prompt) {
  if (!::isatty(STDIN_FILENO))
    return make_error(ErrorCode::usage,
                      "no secret given and standard input is not a terminal: use a file, '-' for stdin, or "
                      "$CREDENTIALS_DIRECTORY");
  std::cerr << prompt << std::flush;
  termios old{};
  const bool have = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (have) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  auto r = from_stream(std::cin, "terminal");
  if (have) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  return r;
}
}  // namespace

Result<Secret> load_secret(const std::string& spec, const std::string& credential_name, const std::string& prompt) {
  // Before the first byte is read: the stream buffers hold the secret before any Secret does
  // (tests/cli/secrets_coredump.sh looks while a half-read secret waits on a pipe).
  disable_core_dumps();
  if (spec == "-") return from_stream(std::cin, "standard input");
  if (!spec.empty()) {
    std::ifstream in(spec, std::ios::binary);
    if (!in) return make_error(ErrorCode::io, "cannot open the secret file", spec);
    return from_stream(in, spec);
  }
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir && *dir && !credential_name.empty()) {
    const std::string path = std::string(dir) + "/" + credential_name;
    std::ifstream in(path, std::ios::binary);
    if (in) return from_stream(in, path);
  }
  return prompt_tty(prompt);
}

}  // namespace adpersist::util
