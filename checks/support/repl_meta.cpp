#include "checks/support/repl_meta.hpp"

#include "scanner/parsers/repl_metadata.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {

ReplMeta ReplMeta::of(const model::Entry& e, model::Findings& out) {
  ReplMeta m;
  for (auto value : e.values(kReplAttributeMetaData)) {
    auto r = parsers::parse_repl_attr_metadata_xml(value);
    if (!r) {
      out.note(e.where() + ": " + std::string(e.dn()) + " " + kReplAttributeMetaData + ": " + r.error().describe());
      continue;
    }
    m.changes_.push_back(AttrChange{r->attribute_name, r->last_originating_change, r->version,
                                    r->originating_dsa_dn.empty() ? r->originating_invocation_id.to_string()
                                                                  : r->originating_dsa_dn,
                                    kReplAttributeMetaData});
  }
  if (!m.changes_.empty()) return m;
  if (auto value = e.first(kReplPropertyMetaData)) {
    auto r = parsers::parse_repl_property_metadata(*value);
    if (!r) {
      out.note(e.where() + ": " + std::string(e.dn()) + " " + kReplPropertyMetaData + ": " + r.error().describe());
      return m;
    }
    for (const auto& a : *r) {
      auto name = parsers::attrtyp_name(a.attrtyp);
      if (!name) continue;
      m.changes_.push_back(AttrChange{std::string(*name), a.time, a.version,
                                      a.originating_invocation_id.to_string(), kReplPropertyMetaData});
    }
  }
  return m;
}

const AttrChange* ReplMeta::find(std::string_view attribute) const {
  for (const auto& c : changes_)
    if (util::iequals(c.attribute, attribute)) return &c;
  return nullptr;
}

}  // namespace adpersist::checks
