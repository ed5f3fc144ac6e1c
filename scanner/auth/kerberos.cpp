#include "scanner/auth/kerberos.hpp"

#include <krb5/krb5.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "scanner/util/verbosity.hpp"

namespace adpersist::auth {

namespace {
// The MEMORY cache that holds the ticket lives only while a handle on it is open, and the LDAP library's GSSAPI
// bind finds it by KRB5CCNAME: the process keeps one handle (and its context) open until it exits. Held here,
// not dropped, so the handle stays reachable (memcheck's integration run reported the dropped one as lost).
struct HeldCache {
  krb5_context ctx = nullptr;
  krb5_ccache cc = nullptr;
};
HeldCache& held_cache() {
  static HeldCache held;
  return held;
}

std::string krb_message(krb5_context ctx, krb5_error_code code) {
  const char* m = krb5_get_error_message(ctx, code);
  std::string s = m ? m : "unknown Kerberos error";
  krb5_free_error_message(ctx, m);
  return s;
}
}  // namespace

Status kinit_from_keytab(const std::string& keytab, const std::string& principal) {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return make_error(ErrorCode::auth, "cannot initialise Kerberos");
  std::unique_ptr<std::remove_pointer_t<krb5_context>, decltype(&krb5_free_context)> ctx_guard(ctx, krb5_free_context);

  krb5_principal client = nullptr;
  if (auto rc = krb5_parse_name(ctx, principal.c_str(), &client))
    return make_error(ErrorCode::usage, "bad principal name: " + krb_message(ctx, rc), principal);
  auto free_princ = [ctx](krb5_principal p) { krb5_free_principal(ctx, p); };
  std::unique_ptr<std::remove_pointer_t<krb5_principal>, decltype(free_princ)> client_guard(client, free_princ);

  krb5_keytab kt = nullptr;
  if (auto rc = krb5_kt_resolve(ctx, keytab.c_str(), &kt))
    return make_error(ErrorCode::io, "cannot open the keytab: " + krb_message(ctx, rc), keytab);
  auto close_kt = [ctx](krb5_keytab k) { krb5_kt_close(ctx, k); };
  std::unique_ptr<std::remove_pointer_t<krb5_keytab>, decltype(close_kt)> kt_guard(kt, close_kt);

  krb5_creds creds{};
  if (auto rc = krb5_get_init_creds_keytab(ctx, &creds, client, kt, 0, nullptr, nullptr))
    return make_error(ErrorCode::auth, "Kerberos refused the keytab's key: " + krb_message(ctx, rc), principal);
  const auto until = static_cast<long long>(creds.times.endtime);
  const std::string ccname = "MEMORY:adpersist-" + std::to_string(::getpid());
  krb5_ccache cc = nullptr;
  krb5_error_code rc = krb5_cc_resolve(ctx, ccname.c_str(), &cc);
  if (!rc) rc = krb5_cc_initialize(ctx, cc, client);
  if (!rc) rc = krb5_cc_store_cred(ctx, cc, &creds);
  krb5_free_cred_contents(ctx, &creds);
  if (rc) {
    if (cc) krb5_cc_destroy(ctx, cc);
    return make_error(ErrorCode::auth, "cannot store the ticket: " + krb_message(ctx, rc));
  }
  // A MEMORY cache lives as long as the process holds a handle on it: keep this one open. (A second kinit in
  // one process, which adpersist does not do, resolves the same cache name: the old handle is closed, not
  // destroyed, because the new one now holds the same cache.)
  auto& held = held_cache();
  if (held.cc) {
    krb5_cc_close(held.ctx, held.cc);
    krb5_free_context(held.ctx);
  }
  held.ctx = ctx_guard.release();
  held.cc = cc;
  ::setenv("KRB5CCNAME", ccname.c_str(), 1);
  if (util::tracing())
    util::trace("kerberos", "ticket-granting ticket for " + principal + " from the keytab " + keytab +
                                ", kept in a private in-memory cache (expires at Unix time " +
                                std::to_string(until) + ")");
  return ok_status();
}

}  // namespace adpersist::auth
