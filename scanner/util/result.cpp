#include "scanner/util/result.hpp"

namespace adpersist {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input: return "invalid input";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::io: return "i/o error";
    case ErrorCode::usage: return "usage error";
    case ErrorCode::network: return "network error";
    case ErrorCode::auth: return "authentication error";
    case ErrorCode::internal: return "internal error";
  }
  return "error";
}

}  // namespace adpersist
