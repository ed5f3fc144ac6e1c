// Indicators of compromise the user supplies (--ioc FILE): known-bad certificates, apps, keys, SIDs,
// accounts and federation issuers. The file is read by the CLI before the scan; checks only look values up.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "scanner/util/result.hpp"

namespace adpersist::model {

struct IocSet {
  std::string source;  // the file, for evidence ("matched IOC list FILE")
  // Lower-case hex without separators: SHA-1 (40) or SHA-256 (64) of the DER certificate.
  std::unordered_set<std::string> certificate_thumbprints;
  std::unordered_set<std::string> app_ids;        // lower-case GUIDs
  std::unordered_set<std::string> key_ids;        // lower-case GUIDs (Graph keyId) or KeyCredentialLink key ids
  std::unordered_set<std::string> sids;           // S-1-... upper-case "S", as written by Sid::to_string
  std::unordered_set<std::string> account_names;  // lower-case sAMAccountName / userPrincipalName
  std::unordered_set<std::string> issuers;        // exact federation issuer URIs (compared case-insensitively)

  std::size_t size() const {
    return certificate_thumbprints.size() + app_ids.size() + key_ids.size() + sids.size() + account_names.size() +
           issuers.size();
  }
};

// Parses the IOC JSON document; errors name the file and the offending member ("ioc.json:
// certificate_thumbprints[2]: not 40 or 64 hex digits").
Result<IocSet> parse_ioc_json(std::string_view text, const std::string& source);
Result<IocSet> load_ioc_file(const std::string& path);

}  // namespace adpersist::model
