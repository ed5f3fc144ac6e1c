// ad.cleartext-password-attribute: userPassword, unixUserPassword or msSFU30Password populated on an object.
#include "checks/check.hpp"
#include "checks/support/accounts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

constexpr const char* kAttrs[] = {"userPassword", "unixUserPassword", "msSFU30Password"};

class CleartextPasswordAttribute final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.cleartext-password-attribute",
        .title = "Password stored in a readable attribute (userPassword, unixUserPassword, msSFU30Password)",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1552"},
        .references = {"https://learn.microsoft.com/en-us/windows/win32/adschema/a-userpassword",
                       "https://learn.microsoft.com/en-us/windows/win32/adschema/a-unixuserpassword",
                       "https://learn.microsoft.com/en-us/windows/win32/adschema/a-mssfu30password",
                       "PingCastle A-UnixPwd"},
        .description =
            "userPassword (unless dSHeuristics fUserPwdSupport makes it an alias of unicodePwd), "
            "unixUserPassword and msSFU30Password are ordinary attributes: whatever is written there, "
            "usually a cleartext password or a weak UNIX crypt hash left by migration or NIS/LDAP "
            "integration tools, is stored as is and readable by many principals. Attackers harvest them with "
            "a plain LDAP query and may plant one to leave credentials where they can read them back later.",
        .severity_notes = "High; critical when the object is tier 0.",
        .false_positives =
            "Identity-management or UNIX-integration products (Services for UNIX, NIS gateways) that "
            "populate these attributes by design. The value is still readable by anyone allowed to read the "
            "attribute.",
        .remediation =
            "Clear the attributes (Set-ADUser <name> -Clear userPassword,unixUserPassword,msSFU30Password) "
            "and reset the account's password, since it must be treated as disclosed. Stop the tool that "
            "writes them and restrict read access to them (mark them confidential in the schema if they must "
            "stay).",
        .needs = {{Dataset::domain,
                   {"userPassword", "unixUserPassword", "msSFU30Password"},
                   {"userAccountControl", "primaryGroupID"}}},
        .evidence = {{"attributes", "the populated attributes' names (never their values)"},
                     {"value_counts", "number of values per populated attribute"},
                     {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
                     {"tier0", "the account is privileged, a DC or krbtgt (accounts only)"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& priv = ctx.snapshot.privilege();
    for (const auto& e : ctx.snapshot.entries()) {
      std::vector<std::string> names;
      Json counts = Json::object();
      for (const char* a : kAttrs) {
        const auto n = e.values(a).size();
        if (n == 0) continue;
        names.emplace_back(a);
        counts[a] = n;
      }
      if (names.empty()) continue;
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      auto& f = out.add(e).set_key("password-attributes");
      const char* kind = e.is_computer() ? "computer" : e.is_user() ? "user" : "object";
      f.set_message(std::string(priv.is_tier0(e) ? "tier-0 " : "") + kind + " stores a password in " + list +
                    ", readable over LDAP");
      f.add("attributes", names);
      f.add("value_counts", counts);
      if (e.is_account()) add_account_evidence(f, e, priv);
      if (priv.is_tier0(e)) f.set_severity(Severity::critical);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(CleartextPasswordAttribute)
}  // namespace adpersist::checks
