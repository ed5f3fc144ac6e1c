// Datasets: the central list of what a scan reads (STYLE.md 2.5). Checks name the datasets and
// attributes they need; sources report, per dataset and attribute, whether the data was collected.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace adpersist::model {

enum class Dataset {
  domain,         // the domain naming context (defaultNamingContext), subtree
  configuration,  // the configuration naming context, subtree
};
inline constexpr Dataset kAllDatasets[] = {Dataset::domain, Dataset::configuration};

std::string_view to_string(Dataset d);
// One line for docs and `checks list --needs`: what the collector reads for the dataset.
std::string_view describe(Dataset d);

enum class DatasetState {
  ok,       // collected completely
  missing,  // not in the input at all (e.g. no configuration NC was exported)
  partial,  // collection started but did not finish (truncated export, dropped connection)
};

struct DatasetStatus {
  DatasetState state = DatasetState::missing;
  std::string reason;  // for missing/partial: what happened and how to fix it
};

// Whether an attribute's absence from the input means "no object has a value" or "we cannot tell".
enum class AttrCoverage {
  collected,      // requested (or seen): absence on an object means the object has no value
  not_collected,  // the export did not request it
  unknown,        // no header says what was requested and no object carries it
};

// A check's need: attributes of one dataset. `required` gate evaluation; `optional` are fetched too and
// only enrich evidence.
struct Need {
  Dataset dataset;
  std::vector<std::string> required;
  std::vector<std::string> optional = {};
};

}  // namespace adpersist::model
