// OpenSSL's SSL_set_tlsext_host_name is a C macro with a cast: it stays in this file.
#pragma GCC diagnostic ignored "-Wold-style-cast"

#include "scanner/net/tls_probe.hpp"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>

namespace adpersist::net {

namespace {
// A TCP connection with a bounded connect; -1 and `why` on failure.
int connect_tcp(const std::string& host, int port, std::chrono::seconds timeout, std::string& why) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    why = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count() * 1000));
      int err = 0;
      socklen_t len = sizeof err;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) rc = 0;
      else {
        why = rc == 0 ? "connection timed out" : std::strerror(err ? err : errno);
        rc = -1;
      }
    } else if (rc != 0) {
      why = std::strerror(errno);
    }
    if (rc == 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{};
      tv.tv_sec = timeout.count();
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return fd;
    }
    ::close(fd);
  }
  return -1;
}
}  // namespace

ProbeResult probe_tls(const std::string& host, int port, const std::string& ca_file, std::chrono::seconds timeout) {
  ProbeResult r;
  int fd = connect_tcp(host, port, timeout, r.detail);
  if (fd < 0) return r;
  r.tcp_ok = true;
  std::unique_ptr<SSL_CTX, decltype(&::SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), ::SSL_CTX_free);
  if (!ctx) {
    ::close(fd);
    r.detail = "cannot create a TLS context";
    return r;
  }
  if (ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get()) != 1
                      : SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    ::close(fd);
    r.detail = "cannot load the CA certificates" + (ca_file.empty() ? std::string() : " from " + ca_file);
    return r;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  std::unique_ptr<SSL, decltype(&::SSL_free)> ssl(SSL_new(ctx.get()), ::SSL_free);
  SSL_set_fd(ssl.get(), fd);
  SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  SSL_set1_host(ssl.get(), host.c_str());
  if (SSL_connect(ssl.get()) == 1) {
    r.tls_ok = true;
  } else {
    const long v = SSL_get_verify_result(ssl.get());
    if (v != X509_V_OK) {
      r.detail = X509_verify_cert_error_string(v);
    } else {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      r.detail = buf;
    }
  }
  ERR_clear_error();
  ::close(fd);
  return r;
}

}  // namespace adpersist::net
