// ad.trust-sid-filtering: trust inventory, trusts without SID filtering, and TGT delegation across forests.
#include <cstdio>

#include "checks/check.hpp"
#include "checks/support/domain_trusts.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

class TrustSidFiltering final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.trust-sid-filtering",
        .title = "Domain trusts: inventory, SID filtering disabled, TGT delegation enabled",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "trust",
        .mitre = {"T1484.002", "T1134.005"},
        .references = {"https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/"
                       "e9a2d23c-c31e-4a6f-88a0-6646fdb51a3c",
                       "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-pac/"
                       "55fc19f2-55ba-4251-8a6a-103dd7c66280",
                       "PingCastle T-SIDFiltering", "PingCastle T-TGTDelegation", "Purple Knight SI000087",
                       "Purple Knight SI000108", "CISA AA21-008A"},
        .description =
            "A trust lets principals of another domain authenticate here. With SID filtering on, SIDs in "
            "their tickets that do not belong to the trusted domain (sIDHistory, forged extra SIDs) are "
            "dropped. An attacker who controls the other domain and finds filtering off (an external trust "
            "without QUARANTINED_DOMAIN, or a forest trust with TREAT_AS_EXTERNAL) forges a ticket carrying "
            "this domain's Enterprise or Domain Admins SID and is administrator here. Adding or weakening a "
            "trust is also a persistence step in its own right (CISA AA21-008A), so every trust is listed "
            "for baselining. A forest trust that allows TGT delegation lets services of the other forest "
            "receive TGTs of this forest's users (unconstrained delegation across the trust).",
        .severity_notes =
            "Info for the inventory finding of every trust (key 'trust'). Critical (key 'sid-filtering') "
            "when an outbound or bidirectional trust has SID filtering off: a forest trust with "
            "TREAT_AS_EXTERNAL (0x40), or an uplevel/downlevel trust that is neither a forest trust (0x8) "
            "nor within the forest (0x20) and lacks QUARANTINED_DOMAIN (0x4). High (key 'tgt-delegation') "
            "when an inbound or bidirectional forest trust has CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION "
            "(0x800) without CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200).",
        .false_positives =
            "SID filtering is sometimes relaxed on purpose during an ADMT migration so that migrated "
            "accounts keep access through sIDHistory; it must be re-enabled when the migration ends.",
        .remediation =
            "Enable SID filtering: netdom trust <this domain> /domain:<partner> /quarantine:yes (external "
            "trust) or netdom trust <this forest> /domain:<partner forest> /enablesidhistory:no (forest "
            "trust, clears TREAT_AS_EXTERNAL). Disable TGT delegation: netdom trust <this forest> "
            "/domain:<partner forest> /EnableTGTDelegation:no. Remove trusts nobody can explain "
            "(Remove-ADTrust / Active Directory Domains and Trusts) and investigate recently created ones.",
        .needs = {{Dataset::domain,
                   {"trustPartner", "trustDirection", "trustType", "trustAttributes"},
                   {"flatName", "securityIdentifier", "whenCreated"}}},
        .evidence = {{"trustPartner", "the partner domain's DNS name"},
                     {"flatName", "the partner domain's NetBIOS name"},
                     {"direction", "inbound, outbound, bidirectional or disabled"},
                     {"type", "downlevel (NT4), uplevel (AD), mit, dce or aad"},
                     {"attributes", "names of the trustAttributes bits that are set"},
                     {"trustAttributes", "trustAttributes as hex"},
                     {"securityIdentifier", "the partner domain's SID"},
                     {"whenCreated", "when the trust object was created (RFC 3339)"},
                     {"trust_kind", "forest or external (sid-filtering and tgt-delegation findings)"},
                     {"reason", "which rule made SID filtering or TGT delegation count as enabled or off"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    for (const auto& t : read_trusts(ctx.snapshot, &out)) {
      const Entry& e = *t.entry;
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", t.attributes.value_or(0));

      auto& inv = out.add(e).set_key("trust").set_severity(Severity::info);
      const std::string dir = t.direction ? trust_direction_name(*t.direction) : std::string("unknown");
      const std::string type = t.type ? trust_type_name(*t.type) : std::string("unknown");
      inv.set_message(dir + " " + type + " trust with " + t.partner);
      inv.add("trustPartner", t.partner);
      inv.add("flatName", t.flat_name);
      inv.add("direction", dir);
      inv.add("type", type);
      inv.add("attributes", t.attributes ? trust_attribute_names(*t.attributes) : std::vector<std::string>{});
      if (t.attributes)
        inv.add("trustAttributes", std::string(hex));
      else
        inv.add("trustAttributes", nullptr);
      if (t.sid)
        inv.add("securityIdentifier", t.sid->to_string());
      else
        inv.add("securityIdentifier", nullptr);
      if (auto created = e.generalized_time("whenCreated"); !created) {
        out.note(created.error().describe());
        inv.add("whenCreated", nullptr);
      } else if (created.value()) {
        inv.add("whenCreated", parsers::format_rfc3339(*created.value()));
      } else {
        inv.add("whenCreated", nullptr);
      }

      if (!t.direction || !t.attributes || !t.type) continue;  // noted by read_trusts when unparseable
      const std::uint32_t a = *t.attributes;
      const bool forest = a & trust::kForestTransitive;
      const bool within_forest = a & trust::kWithinForest;
      const bool ad_or_nt4 = *t.type == trust::kUplevel || *t.type == trust::kDownlevel;
      const std::string kind = forest ? "forest" : "external";

      if (*t.direction & trust::kOutbound) {
        std::string reason;
        if (forest && (a & trust::kTreatAsExternal))
          reason =
              "forest trust with TREAT_AS_EXTERNAL (0x40): SID history from the partner forest is accepted";
        else if (!forest && !within_forest && ad_or_nt4 && !(a & trust::kQuarantinedDomain))
          reason = "external trust without QUARANTINED_DOMAIN (0x4): SIDs from the partner are not filtered";
        if (!reason.empty()) {
          auto& f = out.add(e).set_key("sid-filtering").set_severity(Severity::critical);
          f.set_message("SID filtering is off on the " + dir + " trust with " + t.partner +
                        ": its administrators can forge tickets carrying this domain's admin SIDs");
          f.add("trustPartner", t.partner);
          f.add("direction", dir);
          f.add("trustAttributes", std::string(hex));
          f.add("trust_kind", kind);
          f.add("reason", reason);
        }
      }
      if ((*t.direction & trust::kInbound) && forest && (a & trust::kCrossOrganizationEnableTgtDelegation) &&
          !(a & trust::kCrossOrganizationNoTgtDelegation)) {
        auto& f = out.add(e).set_key("tgt-delegation").set_severity(Severity::high);
        f.set_message("TGT delegation is enabled on the " + dir + " forest trust with " + t.partner +
                      ": its unconstrained-delegation hosts receive this forest's TGTs");
        f.add("trustPartner", t.partner);
        f.add("direction", dir);
        f.add("trustAttributes", std::string(hex));
        f.add("trust_kind", kind);
        f.add("reason", std::string("CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) set without "
                                    "CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200)"));
      }
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(TrustSidFiltering)
}  // namespace adpersist::checks
