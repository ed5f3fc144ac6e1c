// One LDAP connection (OpenLDAP libldap): TLS (LDAPS or StartTLS, verified by default), a simple or SASL
// GSSAPI bind, rootDSE discovery, and streamed paged searches. All C-API casts live in the .cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/util/result.hpp"
#include "scanner/util/secret.hpp"

namespace adpersist::util {
class Progress;
}

namespace adpersist::sources {

struct LdapOptions {
  std::string uri;  // ldaps://dc1.corp.example or ldap://dc1.corp.example
  bool starttls = false;
  std::string ca_file;  // empty: the system store
  bool insecure_skip_verify = false;
  enum class Bind { gssapi, simple } bind = Bind::gssapi;
  std::string bind_dn;   // simple bind: a DN or a UPN (user@corp.example)
  util::Secret password;
  bool allow_cleartext = false;  // simple bind over ldap:// without StartTLS
  std::chrono::seconds timeout{120};       // one request (a page, a bind)
  std::chrono::seconds network_timeout{15};  // TCP connect
  std::chrono::seconds max_time{0};          // the whole collection (0: no limit)
  int page_size = 1000;
  util::Progress* progress = nullptr;  // the live entry count per naming context (terminal only); not owned

  bool uses_tls() const;
};

struct RootDse {
  std::string default_nc, configuration_nc, schema_nc, root_domain_nc, dns_host_name, server_name;
  std::string domain_functionality, forest_functionality, dc_functionality;
};

// One attribute of a received entry: name as the server sent it (maybe with ";range=a-b") and values.
struct LdapAttribute {
  std::string name;
  std::vector<std::string> values;
};
struct LdapEntry {
  std::string dn;
  std::vector<LdapAttribute> attributes;
};

struct SearchStats {
  std::size_t entries = 0, pages = 0, references = 0;
};

class LdapConnection {
 public:
  ~LdapConnection();
  LdapConnection(LdapConnection&&) noexcept;
  LdapConnection& operator=(LdapConnection&&) noexcept;

  // Connects, secures and binds. Errors say which: unreachable, TLS (certificate) or credentials.
  static Result<LdapConnection> open(const LdapOptions& options);

  Result<RootDse> root_dse();
  // Subtree search with the paged-results control (and the SD-flags control, value 7, when `sd_flags`),
  // streaming each entry to `on_entry` as it arrives. Ranged attributes (member;range=0-1499) are
  // completed with follow-up reads before `on_entry` sees the entry. A failure part-way returns an error;
  // entries already delivered stay delivered.
  Status search(const std::string& base, const std::string& filter, const std::vector<std::string>& attributes,
                bool sd_flags, const std::function<Status(LdapEntry&)>& on_entry, SearchStats* stats = nullptr);

  const std::string& uri() const { return uri_; }

 private:
  struct Handle;
  explicit LdapConnection(std::unique_ptr<Handle> h, std::string uri);
  Status complete_ranges(LdapEntry& e);
  std::unique_ptr<Handle> h_;
  std::string uri_;
  std::chrono::seconds timeout_{120};
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  int page_size_ = 1000;
  // Seconds to wait for the next answer: --timeout, cut to what --max-time leaves. 0: the deadline passed.
  std::chrono::seconds wait_budget() const;
};

// "member;range=0-1499" → {"member", 0, 1499}; "member;range=1500-*" → end = nullopt. nullopt: no range.
struct RangeOption {
  std::string attribute;
  std::size_t start = 0;
  std::optional<std::size_t> end;
};
std::optional<RangeOption> parse_range_option(std::string_view attribute_description);

}  // namespace adpersist::sources
