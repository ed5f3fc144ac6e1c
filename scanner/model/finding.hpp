// One finding: the object and the evidence (never key material or secrets).
#pragma once

#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scanner/model/severity.hpp"

namespace adpersist::model {

class Entry;

using Json = nlohmann::ordered_json;

struct Resource {
  std::string type;  // user, computer, group, domain, trustedDomain, foreignSecurityPrincipal, ...
  std::string id;    // immutable: objectGUID, else SID, else the lower-case DN
  std::string dn;
  std::string sid;
  std::string name;  // sAMAccountName / cn
};
Resource resource_of(const Entry& e);

struct Finding {
  std::string check_id;
  Severity severity = Severity::info;
  std::string message;       // one line for humans
  Resource resource;
  Json evidence = Json::object();
  std::string evidence_key;  // what distinguishes two findings of one check on one object
  std::string finding_id;    // set by the engine: stable fingerprint

  Finding& set_severity(Severity s) { severity = s; return *this; }
  Finding& set_message(std::string m) { message = std::move(m); return *this; }
  Finding& set_key(std::string k) { evidence_key = std::move(k); return *this; }
  template <class T>
  Finding& add(const std::string& key, T&& value) {
    evidence[key] = std::forward<T>(value);
    return *this;
  }
};

// What a check's evaluate() writes into. Stable references: adding never invalidates earlier findings.
class Findings {
 public:
  Findings(std::string check_id, Severity default_severity)
      : check_id_(std::move(check_id)), default_(default_severity) {}

  Finding& add(const Entry& e);
  Finding& add(Resource r);
  // Something in the data could not be read (a malformed SID on one object): shown with the check's result.
  // Out of line: inlined into a check, GCC 12 at -O2 can report a false -Warray-bounds on the string move.
  void note(std::string text);
  // The check declines to judge (e.g. a blob version it does not know): never reported as passed.
  void not_evaluated(std::string reason) { not_evaluated_ = std::move(reason); }

  const std::deque<Finding>& items() const { return items_; }
  std::deque<Finding>& items() { return items_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const std::string& not_evaluated_reason() const { return not_evaluated_; }

 private:
  std::string check_id_;
  Severity default_;
  std::deque<Finding> items_;
  std::vector<std::string> notes_;
  std::string not_evaluated_;
};

}  // namespace adpersist::model
