#include "scanner/model/finding.hpp"

#include "scanner/model/check_info.hpp"
#include "scanner/model/snapshot.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::model {


Resource resource_of(const Entry& e) {
  Resource r;
  if (e.is_computer()) r.type = "computer";
  else if (e.is_user()) r.type = "user";
  else if (e.is_group()) r.type = "group";
  else if (e.is_foreign_principal()) r.type = "foreignSecurityPrincipal";
  else if (e.has_class("domainDNS")) r.type = "domain";
  else if (auto oc = e.values("objectClass"); !oc.empty()) r.type = std::string(oc.back());
  else r.type = "object";
  r.dn = std::string(e.dn());
  r.name = std::string(e.display_name());
  if (auto sid = e.object_sid()) r.sid = sid->to_string();
  auto guid = e.guid("objectGUID");
  if (guid.ok() && guid.value()) r.id = guid.value()->to_string();
  else if (!r.sid.empty()) r.id = r.sid;
  else r.id = util::to_lower(r.dn);
  return r;
}

void Findings::note(std::string text) { notes_.push_back(std::move(text)); }

Finding& Findings::add(const Entry& e) { return add(resource_of(e)); }

Finding& Findings::add(Resource r) {
  Finding& f = items_.emplace_back();
  f.check_id = check_id_;
  f.severity = default_;
  f.resource = std::move(r);
  return f;
}

}  // namespace adpersist::model
