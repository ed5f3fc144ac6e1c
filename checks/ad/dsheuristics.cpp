// ad.dsheuristics: forest-wide dSHeuristics characters that weaken SDProp, open anonymous access or disable
// uniqueness and authorization checks.
#include <cctype>

#include "checks/check.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class DsHeuristics final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.dsheuristics",
        .title = "dSHeuristics weakens AdminSDHolder protection, anonymous access or directory checks",
        .severity = Severity::high,
        .platform = Platform::ad,
        .category = "configuration",
        .mitre = {"T1562", "T1098", "T1087.002"},
        .references = {"https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/"
                       "e5899be4-862e-496f-9a38-33950617d2c5",
                       "https://learn.microsoft.com/en-us/windows/win32/adschema/a-dsheuristics",
                       "PingCastle P-DsHeuristicsAdminSDExMask", "PingCastle A-DsHeuristicsAnonymous",
                       "PingCastle A-DsHeuristicsAllowAnonNSPI",
                       "PingCastle A-DsHeuristicsDoNotVerifyUniqueness",
                       "PingCastle A-DsHeuristicsLDAPSecurity", "Purple Knight SI000053",
                       "Purple Knight SI000030", "Purple Knight SI000052"},
        .description =
            "dSHeuristics on CN=Directory Service,CN=Windows NT,CN=Services in the configuration partition "
            "is a forest-wide string whose characters switch directory behaviour. Attackers with forest "
            "admin rights change single characters to keep access quietly: character 16 (dwAdminSDExMask) "
            "removes Account, Server, Print or Backup Operators from SDProp protection, so a backdoor ACE on "
            "those groups or their members is never reverted; character 7 = 2 lets anonymous users run any "
            "LDAP operation; character 8 opens anonymous NSPI (address book) access; character 9 makes "
            "userPassword set the real password; character 21 turns off UPN/SPN uniqueness checks (duplicate "
            "SPN and UPN tricks); characters 28 and 29 switch off the authorization checks of the November "
            "2021 permissions hardening (KB5008383) on computer-account creation and owner changes.",
        .severity_notes =
            "High: position 16 not '0', position 7 = '2', position 8 not '0'. Medium: position 9 not '0', "
            "position 21 not '0'. Low: position 28 or 29 present and not '1'. Absent dSHeuristics means "
            "every default, so nothing is reported.",
        .false_positives =
            "dwAdminSDExMask is occasionally set on purpose so that delegated rights on operator groups are "
            "not reverted every hour; delegate differently (Microsoft recommends keeping operator groups "
            "empty). Anonymous NSPI and LDAP are sometimes enabled for legacy Exchange or Unix clients.",
        .remediation =
            "Inspect and fix the value: Get-ADObject 'CN=Directory Service,CN=Windows "
            "NT,CN=Services,CN=Configuration,<forest DN>' -Properties dSHeuristics; set the offending "
            "characters back to their default ('0', or '1' for 28/29) keeping every other character and the "
            "check characters at positions 10 and 20: Set-ADObject <same DN> -Replace @{dSHeuristics='<fixed "
            "value>'}. Then review ACLs of the operator groups and their members if position 16 was set.",
        .needs = {{Dataset::configuration, {"dSHeuristics"}}},
        .evidence = {{"dSHeuristics", "the whole dSHeuristics string"},
                     {"position", "the 1-based character position"},
                     {"value", "the character found there"},
                     {"meaning", "what the character controls and what the value does"},
                     {"excluded_groups", "position 16: the operator groups excluded from SDProp protection"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const Entry* config = snap.configuration_head();
    if (!config) {
      out.not_evaluated("the input has no configuration naming context");
      return;
    }
    const std::string dn = "CN=Directory Service,CN=Windows NT,CN=Services," + std::string(config->dn());
    const Entry* ds = snap.find_dn(dn);
    if (!ds) {
      out.not_evaluated(
          "the object " + dn +
          " (which holds dSHeuristics) is not in the configuration naming context of the input");
      return;
    }
    const auto value = ds->first("dSHeuristics");
    if (!value) return;  // absent: every heuristic has its default
    const std::string h(*value);

    auto at = [&](std::size_t pos) -> std::optional<char> {
      if (pos == 0 || pos > h.size()) return std::nullopt;
      return h[pos - 1];
    };
    auto flag = [&](std::size_t pos, Severity sev, std::string meaning) -> Finding& {
      auto& f = out.add(*ds).set_key("position-" + std::to_string(pos)).set_severity(sev);
      f.set_message("dSHeuristics position " + std::to_string(pos) + " is '" + std::string(1, h[pos - 1]) +
                    "': " + meaning);
      f.add("dSHeuristics", h);
      f.add("position", pos);
      f.add("value", std::string(1, h[pos - 1]));
      f.add("meaning", std::move(meaning));
      return f;
    };

    if (auto c = at(16); c && *c != '0') {
      const auto uc = static_cast<unsigned char>(*c);
      std::vector<std::string> groups;
      std::string meaning;
      if (std::isxdigit(uc)) {
        const int mask = std::isdigit(uc) ? *c - '0' : std::tolower(uc) - 'a' + 10;
        if (mask & 1) groups.emplace_back("Account Operators");
        if (mask & 2) groups.emplace_back("Server Operators");
        if (mask & 4) groups.emplace_back("Print Operators");
        if (mask & 8) groups.emplace_back("Backup Operators");
        std::string list;
        for (const auto& g : groups) list += (list.empty() ? "" : ", ") + g;
        meaning = "dwAdminSDExMask excludes " + list + " from AdminSDHolder/SDProp protection";
      } else {
        meaning = "dwAdminSDExMask holds a value that is not a hex digit (AdminSDHolder exclusion mask)";
      }
      flag(16, Severity::high, meaning).add("excluded_groups", groups);
    }
    if (auto c = at(7); c && *c == '2')
      flag(7, Severity::high, "fLDAPBlockAnonOps = 2 lets anonymous users perform LDAP operations");
    if (auto c = at(8); c && *c != '0')
      flag(8, Severity::high, "fAllowAnonNSPI lets anonymous users query the directory over NSPI");
    if (auto c = at(9); c && *c != '0')
      flag(9, Severity::medium, "fUserPwdSupport makes userPassword act as the account's password");
    if (auto c = at(21); c && *c != '0')
      flag(21, Severity::medium, "DoNotVerifyUPNAndOrSPNUniqueness turns off UPN/SPN uniqueness checks");
    if (auto c = at(28); c && *c != '1')
      flag(28, Severity::low, "LDAPAddAuthZVerifications is not enforced (should be '1')");
    if (auto c = at(29); c && *c != '1')
      flag(29, Severity::low, "LDAPOwnerModify is not enforced (should be '1')");
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(DsHeuristics)
}  // namespace adpersist::checks
