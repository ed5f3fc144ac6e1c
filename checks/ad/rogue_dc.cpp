// ad.rogue-dc: domain controller registrations that do not match a real DC account, the traces DCShadow
// (mimikatz lsadump::dcshadow) leaves or needs: an nTDSDSA object for a non-DC, a DC account without an
// nTDSDSA object, replication SPNs on a non-DC.
#include <set>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/domain_sids.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

// The DRS RPC interface's SPN service class (MS-DRSR) and the global catalog's.
constexpr std::string_view kDrsSpnPrefix = "E3514235-4B06-11D1-AB04-00C04FC2DCD2/";
constexpr std::string_view kGcSpnPrefix = "GC/";

// A real DC account: what the privilege model calls a DC (SERVER_TRUST_ACCOUNT, primary group Domain
// Controllers or Read-only Domain Controllers) or a read-only DC by its PARTIAL_SECRETS_ACCOUNT flag.
bool is_real_dc(const Entry& e, const Privilege& priv) {
  return e.is_computer() && (priv.is_dc(e) || (e.uac().value_or(0) & uac::kPartialSecretsAccount));
}

std::string_view parent_dn(std::string_view dn) {
  // The first unescaped comma ends the RDN.
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\')
      ++i;
    else if (dn[i] == ',')
      return dn.substr(i + 1);
  }
  return {};
}

// The DC= tail of a DN: the naming context an account DN lives in ("DC=child,DC=corp,DC=example" for an
// account of a child domain, which is below the parent's DN but not in its NC).
std::string_view domain_part(std::string_view dn) {
  for (std::string_view rest = dn; !rest.empty(); rest = parent_dn(rest))
    if (util::istarts_with(util::trim(rest), "DC=")) return util::trim(rest);
  return {};
}

std::vector<std::string> replication_spns(const Entry& e) {
  std::vector<std::string> out;
  for (auto v : e.values("servicePrincipalName"))
    if (util::istarts_with(v, kDrsSpnPrefix) || util::istarts_with(v, kGcSpnPrefix)) out.emplace_back(v);
  return out;
}

std::string when_created(const Entry& e) {
  auto t = e.generalized_time("whenCreated");
  return t.ok() && t.value() ? parsers::format_rfc3339(**t) : std::string();
}

// Optional evidence: left out rather than reported empty.
void add_if_present(Finding& f, const std::string& key, std::string_view value) {
  if (!value.empty()) f.add(key, std::string(value));
}

class RogueDc final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.rogue-dc",
        .title = "Domain controller registration that does not match a real DC account (DCShadow traces)",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "privileged-access",
        .mitre = {"T1207"},
        .references = {"https://www.dcshadow.com/",
                       "MS-DRSR: the DRS service principal name E3514235-4B06-11D1-AB04-00C04FC2DCD2/<DSA "
                       "objectGUID>/<domain DNS name>",
                       "PingCastle S-DCRegistration (ANSSI vuln1_dc_inconsistent_uac)",
                       "Purple Knight SI000013 (Evidence of Mimikatz DCShadow attack)",
                       "Microsoft Defender for Identity alerts 2028 and 2029 (Suspected DCShadow attack)"},
        .description =
            "DCShadow makes a workstation pose as a domain controller long enough to replicate arbitrary "
            "changes (sIDHistory, ACLs, group membership) into the directory without the events a normal "
            "change produces. To do so it registers the machine in the configuration naming context: a "
            "server object under CN=Sites with an nTDSDSA child (CN=NTDS Settings), and the directory "
            "replication (E3514235-4B06-11D1-AB04-00C04FC2DCD2/...) and GC/ SPNs on the machine's account; "
            "the tool removes them afterwards, but an interrupted run or a prepared repeat leaves them. The "
            "check reports: an nTDSDSA object whose server has no serverReference, or whose serverReference "
            "names an account of this domain that is missing or is not a DC account (SERVER_TRUST_ACCOUNT, "
            "or primary group Domain Controllers, or a read-only DC with PARTIAL_SECRETS_ACCOUNT / primary "
            "group Read-only Domain Controllers); a computer carrying SERVER_TRUST_ACCOUNT or "
            "PARTIAL_SECRETS_ACCOUNT with no nTDSDSA object (a DC account that is not a DC: an account "
            "prepared for DCShadow or as a DCSync-capable backdoor, or a DC demoted badly); and an account "
            "that is not a DC but carries a replication or GC SPN. Servers whose serverReference names an "
            "account of another domain of the forest are not judged (scan that domain).",
        .severity_notes =
            "Critical for an nTDSDSA object that does not belong to a real DC. High for a DC account without "
            "an nTDSDSA object (medium when disabled) and for replication SPNs on a non-DC. The evidence "
            "looks_like says whether a DC account without nTDSDSA resembles a half-removed DC (in the Domain "
            "Controllers OU with a DC primary group) or an account made into a DC by hand.",
        .false_positives =
            "A DC that failed to demote, or whose metadata cleanup removed the NTDS Settings object but not "
            "the computer account, shows up as a DC account without nTDSDSA; a DC being promoted right now "
            "may briefly look the same. An export taken while replication of a new DC's objects was still "
            "incomplete can miss its account or its server object.",
        .remediation =
            "For an nTDSDSA object of a non-DC: treat it as an active DCShadow registration. Note the "
            "machine behind serverReference and dNSHostName, isolate it, delete the server object (Active "
            "Directory Sites and Services, or ntdsutil metadata cleanup), remove the replication SPNs from "
            "its account, and review replication metadata for changes originated by the rogue DSA's "
            "invocationId. For a DC account without nTDSDSA: if the DC is gone, delete the account; "
            "otherwise reset userAccountControl to 4096 (WORKSTATION_TRUST_ACCOUNT) and primaryGroupID to "
            "515, and find who set SERVER_TRUST_ACCOUNT (replication metadata of userAccountControl). For "
            "SPNs: remove the E3514235-.../ and GC/ values with setspn -D and investigate the host.",
        .needs = {{Dataset::configuration, {"serverReference"}, {"dNSHostName", "whenCreated"}},
                  {Dataset::domain,
                   {"userAccountControl", "primaryGroupID", "servicePrincipalName"},
                   {"objectSid", "dNSHostName", "whenCreated"}}},
        .evidence = {{"server", "the server object's DN (nTDSDSA findings)"},
                     {"server_reference", "its serverReference, or empty"},
                     {"reference_state",
                      "absent, missing (no such account), not_a_dc, or no_server (the nTDSDSA has no parent "
                      "server object in the input)"},
                     {"dns_host_name", "the server's or the account's dNSHostName"},
                     {"created", "whenCreated of the nTDSDSA object or of the account (RFC 3339)"},
                     {"account", "sAMAccountName of the account concerned"},
                     {"userAccountControl", "the account's userAccountControl (hex)"},
                     {"primary_group_id", "the account's primaryGroupID"},
                     {"looks_like",
                      "half-removed DC or account made a DC by hand (DC accounts without nTDSDSA)"},
                     {"in_domain_controllers_ou", "the account is under OU=Domain Controllers"},
                     {"replication_spns", "the account's E3514235-.../ and GC/ SPNs"},
                     {"enabled", "false when ACCOUNTDISABLE is set"},
                     {"tier0", "the account is tier 0"},
                     {"privileged_groups", "privileged groups the account belongs to"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& priv = snap.privilege();
    const Entry* config = snap.configuration_head();
    const auto& dom = snap.domain();
    if (!config || !dom) return;  // the engine reports the missing dataset
    const std::string sites = "CN=Sites," + std::string(config->dn());
    const std::string dc_ou = "OU=Domain Controllers," + dom->dn;

    std::set<std::size_t> registered;  // accounts some nTDSDSA's server references
    std::size_t dsas = 0, other_domain = 0;
    for (const auto& dsa : snap.entries()) {
      if (!dsa.has_class("nTDSDSA") || !dn_is_below(dsa.dn(), sites)) continue;
      ++dsas;
      const auto server_dn = parent_dn(dsa.dn());
      const Entry* server = snap.find_dn(server_dn);
      const auto ref = server ? server->first("serverReference") : std::nullopt;
      const Entry* account = ref ? snap.find_dn(*ref) : nullptr;
      if (account) registered.insert(account->index());
      if (ref && !account && !util::iequals(domain_part(*ref), dom->dn)) {
        ++other_domain;
        continue;
      }
      if (account && is_real_dc(*account, priv)) continue;

      const std::string state = !server ? "no_server" : !ref ? "absent" : !account ? "missing" : "not_a_dc";
      auto& f = out.add(server ? *server : dsa).set_key("ntdsdsa");
      f.add("server", std::string(server_dn));
      f.add("server_reference", std::string(ref.value_or("")));
      f.add("reference_state", state);
      if (server) add_if_present(f, "dns_host_name", server->first("dNSHostName").value_or(""));
      add_if_present(f, "created", when_created(dsa));
      std::string msg = "nTDSDSA object (domain controller registration) " + std::string(dsa.dn());
      if (!server) {
        msg += " has no server object in the input";
      } else if (!ref) {
        msg += " belongs to a server with no serverReference: no DC account stands behind it";
      } else if (!account) {
        msg += " references " + std::string(*ref) + ", which does not exist";
      } else {
        const auto u = account->uac().value_or(0);
        f.add("account", std::string(account->display_name()));
        f.add("userAccountControl", uac_hex(u));
        if (auto pg = account->integer("primaryGroupID"); pg.ok() && pg.value())
          f.add("primary_group_id", **pg);
        msg += " references " + std::string(account->display_name()) +
               ", which is not a domain controller account";
      }
      f.set_message(msg + ": a DCShadow registration");
    }
    if (dsas == 0) {
      out.not_evaluated("the configuration naming context in the input holds no nTDSDSA object under " +
                        sites + " (not even the exporting DC's): the Sites container was not exported");
      return;
    }
    if (other_domain > 0)
      out.note(std::to_string(other_domain) +
               " domain controller registration(s) reference accounts of other domains of the forest and "
               "were not checked (scan those domains)");

    for (const auto& e : snap.entries()) {
      if (!e.is_account() || !dn_is_below(e.dn(), dom->dn)) continue;
      const auto u = e.uac().value_or(0);
      const bool real_dc = is_real_dc(e, priv);
      const auto spns = replication_spns(e);

      if (e.is_computer() && (u & (uac::kServerTrustAccount | uac::kPartialSecretsAccount)) &&
          !registered.count(e.index())) {
        auto pg = e.integer("primaryGroupID");
        const std::int64_t pgid = pg.ok() && pg.value() ? **pg : 0;
        const bool in_ou = dn_is_below(e.dn(), dc_ou);
        const bool half_removed = in_ou && (pgid == 516 || pgid == 521);
        auto& f = out.add(e).set_key("no-ntdsdsa").set_severity(Severity::high);
        f.add("account", std::string(e.display_name()));
        f.add("userAccountControl", uac_hex(u));
        f.add("primary_group_id", pgid);
        f.add("in_domain_controllers_ou", in_ou);
        add_if_present(f, "dns_host_name", e.first("dNSHostName").value_or(""));
        add_if_present(f, "created", when_created(e));
        f.add("replication_spns", spns);
        f.add("looks_like", half_removed ? "half-removed DC" : "account made a DC by hand");
        add_account_evidence(f, e, priv);
        const char* flag =
            (u & uac::kServerTrustAccount) ? "SERVER_TRUST_ACCOUNT" : "PARTIAL_SECRETS_ACCOUNT";
        f.set_message(
            std::string("computer carries ") + flag +
            " but no nTDSDSA object registers it as a domain controller: " +
            (half_removed
                 ? "it looks like a DC whose demotion or metadata cleanup left the account behind"
                 : "it looks like an account made a DC by hand (DCShadow preparation or a DCSync-capable "
                   "backdoor), not a demoted DC"));
        lower_if_disabled(f, e);
      }

      if (!spns.empty() && !real_dc) {
        auto& f = out.add(e).set_key("replication-spn").set_severity(Severity::high);
        f.add("account", std::string(e.display_name()));
        f.add("userAccountControl", uac_hex(u));
        f.add("replication_spns", spns);
        add_if_present(f, "dns_host_name", e.first("dNSHostName").value_or(""));
        add_account_evidence(f, e, priv);
        f.set_message(
            std::string(e.is_computer() ? "computer" : "user") + " carries " + spns.front() +
            (spns.size() > 1 ? " and " + std::to_string(spns.size() - 1) + " more replication SPN(s)"
                             : std::string()) +
            " but is not a domain controller: DCShadow registers these while the host poses as a DC");
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(RogueDc)
}  // namespace adpersist::checks
