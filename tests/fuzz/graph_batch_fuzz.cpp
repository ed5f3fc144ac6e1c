// libFuzzer target: the answer to a POST /v1.0/$batch (JSON batching), as the collector reads it:
// parse_batch_response for a batch of 20 requests (ids "0".."19", the most the collector sends), then, for
// each answer, what Collector::respond does with a response sent alone: the Retry-After header
// (parse_retry_after) and the body as a refusal (parse_graph_error) or as a page (next_link_of,
// for_each_item). Properties checked on every input:
//  - every answer is for one of the 20 requests, at most one answer per request, and its "id" is exactly the
//    id that request was sent with;
//  - the answer's status is the item's integer status; a 200 has a body;
//  - the body is the item's "body" as JSON text: it parses back to the same value;
//  - the headers are the item's string-valued headers; a Retry-After that parses is a finite delay >= 0;
//  - the parser answers exactly when the input is a JSON object with a "responses" array, nested at most
//    kMaxJsonDepth deep (each body is dump()ed, which recurses once per level).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "scanner/sources/graph/collector.hpp"
#include "scanner/sources/graph/graph_objects.hpp"
#include "scanner/sources/graph/http.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_depth.hpp"

using namespace adpersist;
using namespace adpersist::sources::graph;

namespace {
constexpr std::size_t kRequests = 20;

// The item of `doc` that answer `a` came from: the first object item whose "id" is the answer's id.
const GJson* source_item(const GJson& doc, const std::string& id) {
  for (const auto& item : doc["responses"])
    if (item.is_object() && item.contains("id") && item["id"] == id && item.contains("status") &&
        item["status"].is_number_integer() && (item.contains("body") || item["status"] != 200))
      return &item;
  return nullptr;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto answers = parse_batch_response(body, kRequests);
  const GJson doc = GJson::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool has_responses = doc.is_object() && doc.contains("responses") && doc["responses"].is_array();
  FUZZ_CHECK(answers.has_value() ==
             (has_responses && json_depth(body) <= static_cast<std::size_t>(kMaxJsonDepth)));
  if (!answers) return 0;

  std::vector<bool> answered(kRequests, false);
  for (const auto& a : *answers) {
    FUZZ_CHECK(a.index < kRequests);
    FUZZ_CHECK(!answered[a.index]);
    answered[a.index] = true;
    const std::string id = std::to_string(a.index);
    const GJson* item = source_item(doc, id);
    FUZZ_CHECK(item != nullptr);  // an item with exactly the id we sent
    FUZZ_CHECK((*item)["status"].get<long>() == a.response.status);
    if (a.response.status == 200) FUZZ_CHECK(item->contains("body"));
    if (item->contains("body")) {
      const GJson back = GJson::parse(a.response.body, nullptr, false);
      FUZZ_CHECK(!back.is_discarded() && back == (*item)["body"]);
    }
    for (const auto& [name, value] : a.response.headers) {
      FUZZ_CHECK(item->contains("headers") && (*item)["headers"].contains(name));
      FUZZ_CHECK((*item)["headers"][name] == value);
    }

    // What Collector::respond does with it.
    if (auto ra = parse_retry_after(a.response.header("Retry-After")))
      FUZZ_CHECK(std::isfinite(*ra) && *ra >= 0);
    if (a.response.status == 200) {
      (void)next_link_of(a.response.body);
      std::istringstream in(a.response.body);
      (void)for_each_item(in, "batch.json", [](const GJson& j, std::size_t) -> Status {
        (void)property_names(j);
        return ok_status();
      });
    } else if (auto e = parse_graph_error(a.response.body)) {
      (void)e->code;
    }
  }
  return 0;
}
