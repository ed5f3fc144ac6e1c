// Check catalogue renderings: `checks list`, `checks show`, docs/checks/<id>.md (generated, kept in sync
// by the docs.in_sync test).
#pragma once

#include <string>
#include <vector>

#include "scanner/model/check_info.hpp"
#include "scanner/model/finding.hpp"

namespace adpersist::reports {

std::string check_markdown(const model::CheckInfo& info);
model::Json check_json(const model::CheckInfo& info);
std::string checks_table_text(const std::vector<const model::CheckInfo*>& infos, bool with_needs);
// The markdown table of all checks (README and docs/checks/README.md).
std::string checks_table_markdown(const std::vector<const model::CheckInfo*>& infos);

}  // namespace adpersist::reports
