#include "scanner/model/privilege.hpp"

#include <deque>
#include <unordered_map>

#include "scanner/util/strings.hpp"

namespace adpersist::model {

const std::vector<PrivGroupDef>& privileged_group_defs() {
  static const std::vector<PrivGroupDef> k = {
      {PrivGroup::administrators, "Administrators", Sid(5, {32, 544}), 0, {}},
      {PrivGroup::domain_admins, "Domain Admins", std::nullopt, 512, {}},
      {PrivGroup::enterprise_admins, "Enterprise Admins", std::nullopt, 519, {}},
      {PrivGroup::schema_admins, "Schema Admins", std::nullopt, 518, {}},
      {PrivGroup::account_operators, "Account Operators", Sid(5, {32, 548}), 0, {}},
      {PrivGroup::server_operators, "Server Operators", Sid(5, {32, 549}), 0, {}},
      {PrivGroup::backup_operators, "Backup Operators", Sid(5, {32, 551}), 0, {}},
      {PrivGroup::print_operators, "Print Operators", Sid(5, {32, 550}), 0, {}},
      {PrivGroup::dns_admins, "DnsAdmins", std::nullopt, 0, "DnsAdmins"},
      {PrivGroup::group_policy_creator_owners, "Group Policy Creator Owners", std::nullopt, 520, {}},
      {PrivGroup::key_admins, "Key Admins", std::nullopt, 526, {}},
      {PrivGroup::enterprise_key_admins, "Enterprise Key Admins", std::nullopt, 527, {}},
      {PrivGroup::domain_controllers, "Domain Controllers", std::nullopt, 516, {}},
      {PrivGroup::read_only_domain_controllers, "Read-only Domain Controllers", std::nullopt, 521, {}},
  };
  return k;
}

bool Privilege::is_tier0(const Entry& e) const {
  const auto i = e.index();
  return member_of_[i] != 0 || dc_[i] || priv_group_[i] || krbtgt_like_[i];
}

std::string_view Privilege::label(PrivGroup g) const {
  return privileged_group_defs()[static_cast<std::size_t>(g)].label;
}

std::vector<std::string> Privilege::describe(const Entry& e) const {
  std::vector<std::string> out;
  for (const auto& g : groups_) {
    if (!(member_of_[e.index()] & (1u << static_cast<unsigned>(g.def.id)))) continue;
    for (const auto& m : g.members) {
      if (m.member != &e) continue;
      std::string s(g.def.label);
      if (!m.via.empty() || m.primary_group) {
        s += " (via ";
        bool first = true;
        for (const auto* v : m.via) {
          if (!first) s += " > ";
          s += v->display_name();
          first = false;
        }
        if (m.primary_group) s += first ? "primaryGroupID" : " > primaryGroupID";
        s += ")";
      }
      out.push_back(std::move(s));
      break;
    }
  }
  return out;
}

Privilege Privilege::compute(const Snapshot& snap) {
  Privilege p;
  const auto n = snap.entries().size();
  p.member_of_.assign(n, 0);
  p.dc_.assign(n, false);
  p.priv_group_.assign(n, false);
  p.krbtgt_like_.assign(n, false);

  const auto& domain = snap.domain();
  const std::optional<Sid> dsid = domain ? domain->sid : std::nullopt;

  // One pass: DCs, krbtgt, primary-group index.
  std::unordered_map<std::uint32_t, std::vector<const Entry*>> by_primary_group;
  for (const auto& e : snap.entries()) {
    if (!e.is_account()) continue;
    const auto u = e.uac().value_or(0);
    auto pgid = e.integer("primaryGroupID");
    const std::int64_t pg = (pgid.ok() && pgid.value()) ? *pgid.value() : -1;
    if (e.is_computer() && ((u & uac::kServerTrustAccount) || pg == 516 || pg == 521)) {
      p.dc_[e.index()] = true;
      p.dcs_.push_back(&e);
    }
    if (pg > 0 && pg <= 0xFFFFFFFF) by_primary_group[static_cast<std::uint32_t>(pg)].push_back(&e);
    if (auto sid = e.object_sid(); sid && dsid && sid->is_in_domain(*dsid) && sid->rid() == 502) {
      p.krbtgt_ = &e;
      p.krbtgt_like_[e.index()] = true;
    }
    if (util::istarts_with(e.display_name(), "krbtgt_") && e.is_user()) p.krbtgt_like_[e.index()] = true;
  }

  for (const auto& def : privileged_group_defs()) {
    Group g{def, nullptr, {}};
    if (def.builtin) {
      g.entry = snap.find_sid(*def.builtin);
    } else if (def.domain_rid && dsid) {
      g.entry = snap.find_sid(dsid->with_rid(def.domain_rid));
    } else if (!def.sam_name.empty()) {
      for (const auto& e : snap.entries())
        if (e.is_group() && util::iequals(e.first("sAMAccountName").value_or(""), def.sam_name)) {
          g.entry = &e;
          break;
        }
    }
    const unsigned bit = 1u << static_cast<unsigned>(def.id);
    if (g.entry) {
      p.priv_group_[g.entry->index()] = true;
      // Breadth-first over member DNs and primary-group members; `seen` makes cycles harmless.
      std::vector<bool> seen(n, false);
      std::unordered_map<std::string, bool> seen_external;
      seen[g.entry->index()] = true;
      std::deque<std::pair<const Entry*, std::vector<const Entry*>>> queue;
      queue.emplace_back(g.entry, std::vector<const Entry*>{});
      while (!queue.empty()) {
        auto [grp, path] = std::move(queue.front());
        queue.pop_front();
        std::vector<const Entry*> child_path = path;
        if (grp != g.entry) child_path.push_back(grp);
        auto visit = [&](const Entry* m, std::string_view dn, bool primary) {
          if (m) {
            if (seen[m->index()]) return;
            seen[m->index()] = true;
            p.member_of_[m->index()] |= bit;
            g.members.push_back(Membership{m, m->dn(), child_path, primary});
            if (m->is_group()) queue.emplace_back(m, child_path);
          } else {
            if (seen_external.emplace(util::to_lower(dn), true).second)
              g.members.push_back(Membership{nullptr, dn, child_path, false});
          }
        };
        for (auto dn : grp->values("member")) visit(snap.find_dn(dn), dn, false);
        if (auto gsid = grp->object_sid(); gsid && dsid && gsid->is_in_domain(*dsid)) {
          if (auto it = by_primary_group.find(gsid->rid()); it != by_primary_group.end())
            for (const auto* m : it->second) visit(m, m->dn(), true);
        }
      }
    }
    p.groups_.push_back(std::move(g));
  }
  return p;
}

}  // namespace adpersist::model
