// Live on-prem collection: one paged subtree search per naming context over one connection, streamed
// into the snapshot (no raw LDAP messages are kept for the whole domain). A search that fails part-way
// marks its dataset partial with the reason; the scan then reports exit 3, never a clean result.
#pragma once

#include <string>

#include "scanner/engine/collection_plan.hpp"
#include "scanner/model/snapshot.hpp"
#include "scanner/sources/ldap/ldap_connection.hpp"

namespace adpersist::sources {

struct LdapCollectStats {
  RootDse root;
  std::size_t entries = 0;
  double seconds = 0;
};

// Connects, reads the rootDSE and collects each dataset of `plan`. Errors only for failures before any
// data (connection, TLS, bind, rootDSE); later failures become partial datasets in the builder.
Result<LdapCollectStats> collect_ldap(const LdapOptions& options, const engine::CollectionPlan& plan,
                                      model::SnapshotBuilder& builder);

}  // namespace adpersist::sources
