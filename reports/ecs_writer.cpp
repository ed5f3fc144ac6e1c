// Elastic Common Schema alert documents, NDJSON (docs/formats.md has the field mapping).
#include <algorithm>

#include "reports/report_util.hpp"
#include "reports/writers.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::reports {

namespace {
using model::Json;

constexpr const char* kEcsVersion = "8.11.0";

enum class Kind { none, user, group, host };

// Which ECS entity field set describes the affected object: principals go to user.*, groups to group.*,
// computers to host.*; everything else (domain heads, GPOs, templates, trusts) stays in adpersist.resource.
Kind kind_of(const std::string& type) {
  if (type == "computer") return Kind::host;
  if (type == "group") return Kind::group;
  if (type == "user" || type == "inetOrgPerson" || type == "foreignSecurityPrincipal" ||
      type == "servicePrincipal" || util::iends_with(type, "ManagedServiceAccount"))
    return Kind::user;
  return Kind::none;
}

Json entity(const model::Resource& res, const model::Target* t, Kind kind) {
  Json e = Json::object();
  // The SID identifies an AD principal across domains and tools; Entra objects have only their object id.
  e["id"] = res.sid.empty() ? res.id : res.sid;
  std::string name = res.name;
  if (kind == Kind::host && !name.empty() && name.back() == '$') name.pop_back();  // WS01$ → WS01
  e["name"] = name;
  const auto domain = detail::target_name(t);
  if (!domain.empty()) e["domain"] = domain;
  return e;
}

Json threat(const std::vector<std::string>& ids) {
  Json tech_id = Json::array(), tech_ref = Json::array(), sub_id = Json::array(), sub_ref = Json::array();
  for (const auto& id : ids) {
    const auto a = detail::split_attack(id);
    if (std::find(tech_id.begin(), tech_id.end(), a.technique) == tech_id.end()) {
      tech_id.push_back(a.technique);
      tech_ref.push_back(detail::attack_url(a.technique));
    }
    if (!a.sub_technique.empty()) {
      sub_id.push_back(a.sub_technique);
      sub_ref.push_back(detail::attack_url(a.sub_technique));
    }
  }
  Json technique = {{"id", tech_id}, {"reference", tech_ref}};
  if (!sub_id.empty()) technique["subtechnique"] = {{"id", sub_id}, {"reference", sub_ref}};
  return {{"framework", "MITRE ATT&CK"}, {"technique", technique}};
}
}  // namespace

void write_ecs(const model::Report& r, std::ostream& out) {
  const Json doc = model::to_json(r);
  std::size_t i = 0;
  for (const auto& rf : r.findings) {
    const auto& f = rf.finding;
    const Json& native_finding = doc["findings"][i++];
    const auto* target = detail::target_of(r, f.check_id);

    Json e = Json::object();
    e["@timestamp"] = r.now;
    e["ecs"] = {{"version", kEcsVersion}};
    e["event"] = {{"kind", "alert"},
                  {"category", {"iam", "configuration"}},
                  {"type", {"info"}},
                  {"severity", detail::severity_number(f.severity)},
                  {"id", f.finding_id},
                  {"created", r.finished_at},
                  {"module", "adpersist"},
                  {"dataset", "adpersist.finding"},
                  {"provider", target && target->platform == "entra" ? "entra" : "ad"}};
    e["message"] = f.message;
    Json rule = {
        {"id", f.check_id}, {"name", rf.title}, {"ruleset", "adpersist"}, {"version", r.tool_version}};
    if (!rf.category.empty()) rule["category"] = rf.category;
    for (const auto& ref : rf.references)
      if (util::istarts_with(ref, "https://") || util::istarts_with(ref, "http://")) {
        rule["reference"] = ref;  // ECS holds one URL; every reference is under adpersist.references
        break;
      }
    e["rule"] = std::move(rule);
    if (!rf.attack.empty()) e["threat"] = threat(rf.attack);
    e["observer"] = {
        {"vendor", "adpersist"}, {"product", "adpersist"}, {"version", r.tool_version}, {"type", "scanner"}};
    switch (const auto kind = kind_of(f.resource.type)) {
      case Kind::user:
        e["user"] = entity(f.resource, target, kind);
        break;
      case Kind::group:
        e["group"] = entity(f.resource, target, kind);
        break;
      case Kind::host:
        e["host"] = entity(f.resource, target, kind);
        break;
      case Kind::none:
        break;
    }
    Json labels = {{"finding_id", f.finding_id},
                   {"check_id", f.check_id},
                   {"severity", model::to_string(f.severity)},
                   {"status", rf.suppressed() ? "suppressed" : "open"}};
    if (rf.baseline_state != model::BaselineState::none)
      labels["baseline_state"] = model::to_string(rf.baseline_state);
    e["labels"] = std::move(labels);
    Json tags = Json::array({"adpersist"});
    if (rf.baseline_state == model::BaselineState::new_finding) tags.push_back("new");
    if (rf.suppressed()) tags.push_back("suppressed");
    e["tags"] = std::move(tags);

    // The native record under the tool's own namespace, so nothing is lost in the projection.
    Json native = native_finding;
    native.erase("title");
    native.erase("message");
    // Evidence keys are per check, and one key can be a string in one check and an object in another
    // ("owner", "target"): as an object, Elasticsearch's dynamic mapping would reject the second kind of
    // document. As compact JSON text it always indexes (docs/formats.md: parsing it at ingest).
    native["evidence"] = dump_json(f.evidence);
    native["target"] = model::Json::object();
    if (target) {
      native["target"]["platform"] = target->platform;
      if (target->platform == "entra") {
        native["target"]["tenant_id"] = target->tenant_id;
      } else {
        native["target"]["domain"] = target->domain;
        native["target"]["domain_sid"] = target->domain_sid;
      }
    }
    e["adpersist"] = std::move(native);
    out << dump_json(e) << '\n';
  }
}

}  // namespace adpersist::reports
