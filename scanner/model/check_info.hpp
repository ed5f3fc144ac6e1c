// The static advisory of a check (Tsunami's split): written once in the check's file, joined with each
// finding by the report writers.
#pragma once

#include <string>
#include <vector>

#include "scanner/model/dataset.hpp"
#include "scanner/model/severity.hpp"

namespace adpersist::model {

struct EvidenceField {
  std::string key;
  std::string meaning;
};

struct CheckInfo {
  std::string id;        // "ad.dcsync-rights": <platform>.<kebab-slug>, fixed forever
  std::string title;     // one line
  Severity severity = Severity::medium;  // default; a finding may raise or lower it (documented in `severity_notes`)
  Platform platform = Platform::ad;
  std::string category;  // delegation, credentials, privileged-access, trust, configuration, accounts
  std::vector<std::string> mitre;       // "T1558.003"
  std::vector<std::string> references;  // "CISA AA21-008A", URLs
  std::string description;              // what it finds and why attackers do it
  std::string severity_notes;           // when a finding is more or less severe than the default
  std::string false_positives;
  std::string remediation;
  std::vector<Need> needs;
  bool needs_ioc = false;  // matches the --ioc list: not evaluated without one, not selected by default
  std::vector<EvidenceField> evidence;  // keys the check's findings carry
};

}  // namespace adpersist::model
