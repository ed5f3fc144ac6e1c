#include "scanner/model/dataset.hpp"

namespace adpersist::model {

std::string_view to_string(Dataset d) {
  switch (d) {
    case Dataset::domain: return "domain";
    case Dataset::configuration: return "configuration";
  }
  return "?";
}

std::string_view describe(Dataset d) {
  switch (d) {
    case Dataset::domain:
      return "the domain naming context (defaultNamingContext), subtree, (objectClass=*)";
    case Dataset::configuration:
      return "the configuration naming context (configurationNamingContext), subtree, (objectClass=*)";
  }
  return "?";
}

}  // namespace adpersist::model
