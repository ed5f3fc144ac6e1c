// libldap's macros (LDAP_OPT_ON, LDAP_P) are C: their casts stay in this file.
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wuseless-cast"

#include "scanner/sources/ldap/ldap_connection.hpp"

#include <ldap.h>
#include <sasl/sasl.h>

#include <cstring>

#include "scanner/net/tls_probe.hpp"
#include "scanner/util/strings.hpp"
#include "scanner/util/verbosity.hpp"

namespace adpersist::sources {

struct LdapConnection::Handle {
  LDAP* ld = nullptr;
  ~Handle() {
    if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

bool LdapOptions::uses_tls() const { return starttls || util::istarts_with(uri, "ldaps://"); }

LdapConnection::LdapConnection(std::unique_ptr<Handle> h, std::string uri) : h_(std::move(h)), uri_(std::move(uri)) {}
LdapConnection::~LdapConnection() = default;
LdapConnection::LdapConnection(LdapConnection&&) noexcept = default;
LdapConnection& LdapConnection::operator=(LdapConnection&&) noexcept = default;

namespace {

std::string diagnostic(LDAP* ld) {
  char* msg = nullptr;
  ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);
  std::string s = msg ? msg : "";
  if (msg) ldap_memfree(msg);
  return s;
}

bool mentions_tls(const std::string& s) {
  for (auto w : {"certificate", "TLS", "SSL", "tls", "ssl", "verify"})
    if (s.find(w) != std::string::npos) return true;
  return false;
}

// Turns a libldap failure into one clear line saying which kind of failure it is.
Error classify(LDAP* ld, int rc, const std::string& uri, const std::string& during) {
  const std::string diag = ld ? diagnostic(ld) : std::string();
  std::string detail = ldap_err2string(rc);
  if (!diag.empty()) detail += ": " + diag;
  if (rc == LDAP_INVALID_CREDENTIALS)
    return make_error(ErrorCode::auth, "the server refused the credentials (" + detail + ")", uri);
  if (rc == LDAP_STRONG_AUTH_REQUIRED || rc == LDAP_CONFIDENTIALITY_REQUIRED)
    return make_error(ErrorCode::auth, "the server requires a stronger bind (" + detail +
                                           "): use ldaps:// or --starttls, or --sasl gssapi", uri);
  if ((rc == LDAP_CONNECT_ERROR || rc == LDAP_SERVER_DOWN) && mentions_tls(diag))
    return make_error(ErrorCode::network,
                      "TLS failed: the server's certificate could not be verified (" + detail +
                          "); give its CA with --ca-file and connect by the name in the certificate",
                      uri);
  if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT)
    return make_error(ErrorCode::network, "cannot reach the server during " + during + " (" + detail + ")", uri);
  return make_error(ErrorCode::network, during + " failed (" + detail + ")", uri);
}

int sasl_interact(LDAP*, unsigned, void*, void* in) {
  // GSSAPI needs no answers: the identity comes from the credential cache. Answer every prompt with
  // its default (an empty authorisation id) rather than reading a terminal.
  for (auto* i = static_cast<sasl_interact_t*>(in); i->id != SASL_CB_LIST_END; ++i) {
    i->result = i->defresult ? i->defresult : "";
    i->len = static_cast<unsigned>(std::strlen(static_cast<const char*>(i->result)));
  }
  return LDAP_SUCCESS;
}

struct MessageGuard {
  LDAPMessage* m = nullptr;
  ~MessageGuard() {
    if (m) ldap_msgfree(m);
  }
};

struct ControlGuard {
  LDAPControl* c = nullptr;
  ~ControlGuard() {
    if (c) ldap_control_free(c);
  }
};

timeval to_timeval(std::chrono::seconds s) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(s.count());
  return tv;
}

// Reads every attribute of one entry message.
LdapEntry read_entry(LDAP* ld, LDAPMessage* msg) {
  LdapEntry e;
  if (char* dn = ldap_get_dn(ld, msg)) {
    e.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* ber = nullptr;
  for (char* a = ldap_first_attribute(ld, msg, &ber); a; a = ldap_next_attribute(ld, msg, ber)) {
    LdapAttribute attr{a, {}};
    if (berval** vals = ldap_get_values_len(ld, msg, a)) {
      for (berval** v = vals; *v; ++v) attr.values.emplace_back((*v)->bv_val, (*v)->bv_len);
      ldap_value_free_len(vals);
    }
    ldap_memfree(a);
    e.attributes.push_back(std::move(attr));
  }
  if (ber) ber_free(ber, 0);
  return e;
}

// A string-valued libldap option (TLS version and cipher, SASL user name), "" when unset.
std::string string_option(LDAP* ld, int option) {
  char* v = nullptr;
  if (ldap_get_option(ld, option, &v) != LDAP_OPT_SUCCESS || !v) return {};
  std::string s = v;
  ldap_memfree(v);
  return s;
}

// -vv: what protects the bound session (never a credential).
void trace_session(LDAP* ld, const LdapOptions& o) {
  if (!util::tracing()) return;
  std::string what = o.bind == LdapOptions::Bind::simple ? "simple bind as " + o.bind_dn + " accepted"
                                                         : "SASL GSSAPI bind accepted";
  if (o.bind == LdapOptions::Bind::gssapi) {
    if (const auto user = string_option(ld, LDAP_OPT_X_SASL_USERNAME); !user.empty()) what += " for " + user;
    ber_len_t ssf = 0;
    if (ldap_get_option(ld, LDAP_OPT_X_SASL_SSF, &ssf) == LDAP_OPT_SUCCESS)
      what += ", SASL security strength " + std::to_string(ssf) + (ssf >= 56 ? " (encrypted)" : "");
  }
  if (o.uses_tls())
    what +=
        ", TLS " + string_option(ld, LDAP_OPT_X_TLS_VERSION) + " " + string_option(ld, LDAP_OPT_X_TLS_CIPHER);
  util::trace("ldap", what);
}

std::vector<char*> c_attrs(const std::vector<std::string>& attributes) {
  std::vector<char*> v;
  for (const auto& a : attributes) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

}  // namespace

std::optional<RangeOption> parse_range_option(std::string_view d) {
  auto pos = util::to_lower(d).find(";range=");
  if (pos == std::string::npos) return std::nullopt;
  RangeOption r;
  r.attribute = std::string(d.substr(0, pos));
  auto spec = d.substr(pos + 7);
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = util::parse_int(spec.substr(0, dash));
  if (!start || *start < 0) return std::nullopt;
  r.start = static_cast<std::size_t>(*start);
  auto end = spec.substr(dash + 1);
  if (end != "*") {
    auto e = util::parse_int(end);
    if (!e || *e < *start) return std::nullopt;
    r.end = static_cast<std::size_t>(*e);
  }
  return r;
}

namespace {

// After libldap's bare "Can't contact LDAP server" on an ldaps:// URI, find out whether the server is
// unreachable or its certificate is not trusted, and say which.
Error explain_connect_failure(const LdapOptions& o, Error e) {
  if (!util::istarts_with(o.uri, "ldaps://")) return e;
  LDAPURLDesc* url = nullptr;
  if (ldap_url_parse(o.uri.c_str(), &url) != LDAP_URL_SUCCESS || !url) return e;
  const std::string host = url->lud_host ? url->lud_host : "";
  const int port = url->lud_port ? url->lud_port : 636;
  ldap_free_urldesc(url);
  if (host.empty()) return e;
  const auto probe = net::probe_tls(host, port, o.insecure_skip_verify ? std::string() : o.ca_file, o.network_timeout);
  if (!probe.tcp_ok)
    return make_error(ErrorCode::network, "cannot reach the server: " + probe.detail, o.uri);
  if (!probe.tls_ok && !o.insecure_skip_verify)
    return make_error(ErrorCode::network,
                      "TLS failed: the server's certificate could not be verified (" + probe.detail +
                          "); give its CA with --ca-file and connect by the name in the certificate",
                      o.uri);
  return e;
}

}  // namespace

Result<LdapConnection> LdapConnection::open(const LdapOptions& o) {
  if (!util::istarts_with(o.uri, "ldap://") && !util::istarts_with(o.uri, "ldaps://"))
    return make_error(ErrorCode::usage, "the LDAP URI must start with ldap:// or ldaps://", o.uri);
  if (o.bind == LdapOptions::Bind::simple && !o.uses_tls() && !o.allow_cleartext)
    return make_error(ErrorCode::usage,
                      "a simple bind over ldap:// without --starttls would send the password in clear text; "
                      "use ldaps://, --starttls or --sasl gssapi (or --allow-cleartext to force it)",
                      o.uri);
  if (o.starttls && util::istarts_with(o.uri, "ldaps://"))
    return make_error(ErrorCode::usage, "--starttls is for ldap:// URIs; ldaps:// is TLS already", o.uri);

  // On TLS the channel is protected already and Windows DCs refuse a SASL security layer inside it: no
  // layer, but TLS channel bindings (tls-server-end-point, what LDAP channel-binding enforcement checks).
  // Without TLS, demand SASL integrity and confidentiality.
  const char* sasl_props = o.uses_tls() ? "maxssf=0" : "minssf=56";
  auto h = std::make_unique<Handle>();
  int rc = ldap_initialize(&h->ld, o.uri.c_str());
  if (rc != LDAP_SUCCESS) return classify(nullptr, rc, o.uri, "initialisation");
  LDAP* ld = h->ld;
  const int version = LDAP_VERSION3;
  ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);      // never chase referrals to other servers
  ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);  // no reverse DNS for the service name
  timeval net = to_timeval(o.network_timeout), req = to_timeval(o.timeout);
  ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net);
  ldap_set_option(ld, LDAP_OPT_TIMEOUT, &req);

  // TLS settings on this handle only, never from ldap.conf: verified by default, host name checked.
  const int reqcert = o.insecure_skip_verify ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
  ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert);
  if (!o.ca_file.empty()) ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str());
  const int newctx = 0;
  if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &newctx) != LDAP_OPT_SUCCESS)
    return make_error(ErrorCode::usage, "cannot set up TLS (is --ca-file a PEM certificate?)", o.ca_file);

  if (util::tracing())
    util::trace("ldap", "connecting to " + o.uri + " (" +
                            (util::istarts_with(o.uri, "ldaps://") ? "LDAPS"
                             : o.starttls                          ? "StartTLS"
                                                                   : "no TLS") +
                            (!o.uses_tls()            ? ""
                             : o.insecure_skip_verify ? ", certificate NOT verified"
                             : o.ca_file.empty()      ? ", certificate verified against the system store"
                                                      : ", certificate verified against " + o.ca_file) +
                            "; request timeout " + std::to_string(o.timeout.count()) + " s)");
  if (o.starttls && (rc = ldap_start_tls_s(ld, nullptr, nullptr)) != LDAP_SUCCESS)
    return classify(ld, rc, o.uri, "StartTLS");
  if (o.starttls)
    util::trace("ldap", "StartTLS: " + string_option(ld, LDAP_OPT_X_TLS_VERSION) + " " +
                            string_option(ld, LDAP_OPT_X_TLS_CIPHER));

  if (o.bind == LdapOptions::Bind::simple) {
    util::trace("ldap", "simple bind as " + o.bind_dn + " (the password is not shown)");
    berval cred{static_cast<ber_len_t>(o.password.reveal().size()), const_cast<char*>(o.password.reveal().data())};
    rc = ldap_sasl_bind_s(ld, o.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  } else {
    ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, sasl_props);
    util::trace("ldap", std::string("SASL GSSAPI bind with the Kerberos credential cache (") +
                            (o.uses_tls() ? "no SASL layer inside TLS, TLS channel bindings"
                                          : "SASL integrity and confidentiality required") +
                            ")");
    if (o.uses_tls()) {
      const int cb = LDAP_OPT_X_SASL_CBINDING_TLS_ENDPOINT;
      ldap_set_option(ld, LDAP_OPT_X_SASL_CBINDING, &cb);
    }
    rc = ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET, sasl_interact,
                                      nullptr);
  }
  if (rc == LDAP_SUCCESS) {
    trace_session(ld, o);
    LdapConnection c(std::move(h), o.uri);
    c.timeout_ = o.timeout;
    c.page_size_ = o.page_size;
    if (o.max_time.count() > 0) c.deadline_ = std::chrono::steady_clock::now() + o.max_time;
    return c;
  }
  Error last = classify(ld, rc, o.uri, "bind");
  if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) return explain_connect_failure(o, std::move(last));
  if (o.bind == LdapOptions::Bind::gssapi && o.uses_tls() && last.message.find("Sign or Seal") != std::string::npos)
    last.message += " — this DC refuses Kerberos binds inside TLS without a SASL security layer (Samba 4.17's "
                    "'ldap server require strong auth = yes'): use ldap:// with --sasl gssapi, which encrypts "
                    "with Kerberos";
  else if (o.bind == LdapOptions::Bind::gssapi && last.code == ErrorCode::auth)
    last.message += " — for Kerberos, check 'klist' (a ticket for the domain) or --keytab/--principal, and "
                    "connect by the DC's FQDN";
  return last;
}

std::chrono::seconds LdapConnection::wait_budget() const {
  if (!deadline_) return timeout_;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(*deadline_ - std::chrono::steady_clock::now());
  if (left.count() <= 0) return std::chrono::seconds(0);
  return std::min(timeout_, left);
}

Result<RootDse> LdapConnection::root_dse() {
  LDAP* ld = h_->ld;
  std::vector<std::string> want = {"defaultNamingContext", "configurationNamingContext", "schemaNamingContext",
                                   "rootDomainNamingContext", "dnsHostName", "serverName",
                                   "domainFunctionality", "forestFunctionality", "domainControllerFunctionality"};
  auto attrs = c_attrs(want);
  timeval tv = to_timeval(timeout_);
  MessageGuard res;
  int rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs.data(), 0, nullptr, nullptr, &tv, 1, &res.m);
  if (rc != LDAP_SUCCESS) return classify(ld, rc, uri_, "reading the rootDSE");
  LDAPMessage* e = ldap_first_entry(ld, res.m);
  if (!e) return make_error(ErrorCode::network, "the server returned no rootDSE", uri_);
  auto entry = read_entry(ld, e);
  RootDse r;
  for (const auto& a : entry.attributes) {
    if (a.values.empty()) continue;
    const auto& v = a.values[0];
    if (util::iequals(a.name, "defaultNamingContext")) r.default_nc = v;
    else if (util::iequals(a.name, "configurationNamingContext")) r.configuration_nc = v;
    else if (util::iequals(a.name, "schemaNamingContext")) r.schema_nc = v;
    else if (util::iequals(a.name, "rootDomainNamingContext")) r.root_domain_nc = v;
    else if (util::iequals(a.name, "dnsHostName")) r.dns_host_name = v;
    else if (util::iequals(a.name, "serverName")) r.server_name = v;
    else if (util::iequals(a.name, "domainFunctionality")) r.domain_functionality = v;
    else if (util::iequals(a.name, "forestFunctionality")) r.forest_functionality = v;
    else if (util::iequals(a.name, "domainControllerFunctionality")) r.dc_functionality = v;
  }
  if (r.default_nc.empty() || r.configuration_nc.empty())
    return make_error(ErrorCode::network, "the rootDSE names no default/configuration naming context: not an AD DC?", uri_);
  if (util::tracing())
    util::trace("ldap", "rootDSE: " + r.dns_host_name + ", default NC " + r.default_nc +
                            ", configuration NC " + r.configuration_nc + ", functional levels domain " +
                            r.domain_functionality + " forest " + r.forest_functionality + " DC " +
                            r.dc_functionality);
  return r;
}

Status LdapConnection::complete_ranges(LdapEntry& e) {
  LDAP* ld = h_->ld;
  for (auto& attr : e.attributes) {
    auto range = parse_range_option(attr.name);
    if (!range) continue;
    // AD returned the first MaxValRange values: read the rest with base searches until the range ends in '*'.
    std::size_t next = range->end ? *range->end + 1 : 0;
    std::string name = range->attribute;
    while (range->end) {
      if (util::tracing())
        util::trace("ldap", "ranged read of " + name + " on " + e.dn + " from value " + std::to_string(next));
      std::vector<std::string> want = {name + ";range=" + std::to_string(next) + "-*"};
      auto attrs = c_attrs(want);
      timeval tv = to_timeval(timeout_);
      MessageGuard res;
      int rc = ldap_search_ext_s(ld, e.dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)", attrs.data(), 0, nullptr,
                                 nullptr, &tv, 1, &res.m);
      if (rc != LDAP_SUCCESS) return classify(ld, rc, uri_, "ranged read of " + name + " on " + e.dn);
      LDAPMessage* m = ldap_first_entry(ld, res.m);
      if (!m) return make_error(ErrorCode::network, "ranged read returned nothing", e.dn);
      auto more = read_entry(ld, m);
      std::optional<RangeOption> got;
      for (auto& a : more.attributes) {
        got = parse_range_option(a.name);
        if (got && util::iequals(got->attribute, name)) {
          for (auto& v : a.values) attr.values.push_back(std::move(v));
          break;
        }
        got.reset();
      }
      if (!got || got->start != next)
        return make_error(ErrorCode::network, "ranged read of " + name + " did not continue at " + std::to_string(next), e.dn);
      range = got;
      if (range->end) next = *range->end + 1;
    }
    attr.name = name;
  }
  return ok_status();
}

Status LdapConnection::search(const std::string& base, const std::string& filter,
                              const std::vector<std::string>& attributes, bool sd_flags,
                              const std::function<Status(LdapEntry&)>& on_entry, SearchStats* stats) {
  LDAP* ld = h_->ld;
  auto attrs = c_attrs(attributes);
  berval cookie{0, nullptr};
  std::string cookie_store;
  SearchStats local;
  SearchStats& st = stats ? *stats : local;

  // SD flags: OWNER | GROUP | DACL (7), BER "30 03 02 01 07"; no SACL, which needs privileges.
  static const char kSdFlags[] = {0x30, 0x03, 0x02, 0x01, 0x07};
  berval sd_value{sizeof kSdFlags, const_cast<char*>(kSdFlags)};
  if (util::tracing())
    util::trace("ldap", "paged search of " + base + " (subtree, filter " + filter + ", " +
                            std::to_string(attributes.size()) + " attributes, page size " +
                            std::to_string(page_size_) + (sd_flags ? ", SD flags owner+group+DACL" : "") +
                            ")");

  for (;;) {
    ControlGuard page, sd;
    cookie.bv_val = cookie_store.empty() ? nullptr : cookie_store.data();
    cookie.bv_len = cookie_store.size();
    int rc = ldap_create_page_control(ld, page_size_, cookie.bv_len ? &cookie : nullptr, 0, &page.c);
    if (rc != LDAP_SUCCESS) return classify(ld, rc, uri_, "building the paged-results control");
    std::vector<LDAPControl*> ctrls = {page.c};
    if (sd_flags) {
      if ((rc = ldap_control_create("1.2.840.113556.1.4.801", 1, &sd_value, 1, &sd.c)) != LDAP_SUCCESS)
        return classify(ld, rc, uri_, "building the SD-flags control");
      ctrls.push_back(sd.c);
    }
    ctrls.push_back(nullptr);

    int msgid = 0;
    timeval tv = to_timeval(timeout_);
    rc = ldap_search_ext(ld, base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs.data(), 0, ctrls.data(), nullptr,
                         &tv, LDAP_NO_LIMIT, &msgid);
    if (rc != LDAP_SUCCESS) return classify(ld, rc, uri_, "search of " + base);
    ++st.pages;

    bool done = false;
    while (!done) {
      MessageGuard msg;
      const auto budget = wait_budget();
      timeval wait = to_timeval(budget);
      rc = budget.count() > 0 ? ldap_result(ld, msgid, LDAP_MSG_ONE, &wait, &msg.m) : 0;
      if (rc == 0) {
        ldap_abandon_ext(ld, msgid, nullptr, nullptr);
        const bool overall = budget < timeout_;
        return make_error(ErrorCode::network,
                          (overall ? std::string("the overall time limit (--max-time) ran out")
                                   : "no answer within " + std::to_string(timeout_.count()) + " s (--timeout)") +
                              " during the search of " + base + " after " + std::to_string(st.entries) + " entries",
                          uri_);
      }
      if (rc < 0) {
        int err = 0;
        ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
        Error e = classify(ld, err ? err : LDAP_SERVER_DOWN, uri_, "the search of " + base);
        e.message = "connection lost after " + std::to_string(st.entries) + " entries: " + e.message;
        return e;
      }
      switch (rc) {
        case LDAP_RES_SEARCH_ENTRY: {
          auto entry = read_entry(ld, msg.m);
          if (auto s = complete_ranges(entry); !s) return s;
          ++st.entries;
          if (auto s = on_entry(entry); !s) {
            ldap_abandon_ext(ld, msgid, nullptr, nullptr);
            return s;
          }
          break;
        }
        case LDAP_RES_SEARCH_REFERENCE:
          ++st.references;  // continuation references point at other NCs/domains: not followed
          break;
        case LDAP_RES_SEARCH_RESULT: {
          int err = 0;
          char* matched = nullptr;
          char* text = nullptr;
          LDAPControl** rctrls = nullptr;
          rc = ldap_parse_result(ld, msg.m, &err, &matched, &text, nullptr, &rctrls, 0);
          std::string diag = text ? text : "";
          if (matched) ldap_memfree(matched);
          if (text) ldap_memfree(text);
          if (rc != LDAP_SUCCESS || err != LDAP_SUCCESS) {
            if (rctrls) ldap_controls_free(rctrls);
            std::string detail = ldap_err2string(rc != LDAP_SUCCESS ? rc : err);
            if (!diag.empty()) detail += ": " + diag;
            return make_error(ErrorCode::network, "the search of " + base + " ended with '" + detail + "' after " +
                                                      std::to_string(st.entries) + " entries", uri_);
          }
          cookie_store.clear();
          if (rctrls) {
            if (LDAPControl* pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, nullptr)) {
              ber_int_t estimate = 0;
              berval c{0, nullptr};
              if (ldap_parse_pageresponse_control(ld, pc, &estimate, &c) == LDAP_SUCCESS && c.bv_val) {
                cookie_store.assign(c.bv_val, c.bv_len);
                ber_memfree(c.bv_val);
              }
            }
            ldap_controls_free(rctrls);
          }
          done = true;
          break;
        }
        default:
          break;
      }
    }
    if (util::tracing())
      util::trace(
          "ldap",
          "page " + std::to_string(st.pages) + " of " + base + ": " + std::to_string(st.entries) +
              " entries so far" +
              (st.references ? ", " + std::to_string(st.references) + " referrals not followed" : "") +
              (cookie_store.empty() ? "; search done" : "; more pages"));
    if (cookie_store.empty()) return ok_status();
  }
}

}  // namespace adpersist::sources
