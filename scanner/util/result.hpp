// Result<T>: a value or an Error. Parsers and sources return it; exceptions stay at the edges (STYLE.md 2.6).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace adpersist {

enum class ErrorCode {
  invalid_input,  // malformed data: a bad LDIF line, a truncated blob, a lying length field
  unsupported,    // well-formed but not something we handle (an LDIF :< URL value, an unknown version)
  io,             // a file could not be opened, read or written
  usage,          // the caller asked for something impossible (bad flag value, unknown check id)
  network,        // a server could not be reached or dropped the connection
  auth,           // credentials were refused
  internal,       // a bug in adpersist
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // what is wrong, for a human
  std::string context;  // where: "file.ldif:12", "CN=x,DC=y attribute objectSid", a URL

  // "context: message" (or just the message when there is no context).
  std::string describe() const { return context.empty() ? message : context + ": " + message; }
};

inline Error make_error(ErrorCode code, std::string message, std::string context = {}) {
  return Error{code, std::move(message), std::move(context)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace adpersist
