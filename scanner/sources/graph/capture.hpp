// The offline Graph capture (README "Entra ID capture"; a contract): DIR/<path>.json for each GET request path
// under /v1.0/, each file a Graph response body ({"value":[...]} with the pages merged, an array of page
// bodies, or a single object). `adpersist collect --record DIR` writes exactly this layout, so a live scan
// can be replayed offline. A missing file means the data was not collected (the dependent checks are not
// evaluated), never that it is empty. DIR/_adpersist.json, when present, is what the recorder knew: the
// Graph base URL, the time, and the requests Graph refused (403 → the missing permission is named).
#pragma once

#include <string>
#include <string_view>

#include "scanner/model/tenant.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::sources::graph {

// Capture-relative file of a request path: "servicePrincipals/{id}/appRoleAssignedTo" → ".../appRoleAssignedTo.json".
std::string capture_file(std::string_view request_path);

// The file name of the recorder's manifest.
inline constexpr std::string_view kManifestFile = "_adpersist.json";

// Whether an id from Graph may be used as one path component (no separators, no "..", printable ASCII).
bool safe_path_component(std::string_view id);

// Reads a capture directory into `b`: every dataset whose file exists, then the per-object collections the
// datasets call for. Structural errors (invalid JSON, a property of the wrong type) fail the whole read,
// naming the file, item and property.
Status read_capture(const std::string& dir, model::entra::TenantBuilder& b);

}  // namespace adpersist::sources::graph
