// Indicators of compromise the user supplies (--ioc FILE): known-bad certificates, apps, keys, SIDs,
// accounts and federation issuers. The file is read by the CLI before the scan; checks only look values up.
//
// The document (JSON, one object):
//   {"description": "...", "source": "CISA AA21-008A",          optional strings
//    "certificate_thumbprints": ["91FD122E...", "ab:cd:..."],   SHA-1 (40 hex) or SHA-256 (64 hex) of the DER
//    "app_ids": ["<guid>"], "key_ids": ["<guid>" | "<base64 KeyID>"], "sids": ["S-1-5-21-..."],
//    "account_names": ["svc-sync", "LAB\\svc-sync", "x@corp.example"], "issuers": ["http://any.sts/...",
//    "CN=..."]}
// Any other member is an error (a typo must not silently drop a whole list), and so is a document with no
// indicator at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "scanner/parsers/sid.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::model {

struct IocSet {
  std::string source;       // the file, for evidence ("matched IOC list FILE")
  std::string description;  // the document's "description", when given
  std::string reference;    // the document's "source" (the advisory: "CISA AA21-008A"), when given
  // Lower-case hex without separators: SHA-1 (40) or SHA-256 (64) of the DER certificate.
  std::unordered_set<std::string> certificate_thumbprints;
  std::unordered_set<std::string> app_ids;  // lower-case GUIDs
  // Lower-case GUIDs (Graph keyId, KeyCredentialLink DeviceId) and KeyCredentialLink KeyIDs in canonical
  // base64 (as ad.shadow-credentials and DSInternals show them; a 64-hex KeyID is converted to base64).
  std::unordered_set<std::string> key_ids;
  std::unordered_set<std::string> sids;           // S-1-... as written by Sid::to_string
  std::unordered_set<std::string> account_names;  // lower-case sAMAccountName / DOMAIN\name / UPN
  std::unordered_set<std::string> issuers;        // normalize_issuer() of each entry

  std::size_t size() const {
    return certificate_thumbprints.size() + app_ids.size() + key_ids.size() + sids.size() +
           account_names.size() + issuers.size();
  }

  // Lookups. Each takes the value as the directory holds it (any case) and returns the IOC entry it matched.
  // A certificate hash in hex, any case, SHA-1 or SHA-256.
  bool has_thumbprint(std::string_view hex) const;
  bool has_app_id(std::string_view guid) const;
  // A Graph keyId / DeviceId (GUID, any case) or a KeyCredentialLink KeyID (base64, exact).
  bool has_key_id(std::string_view key_id) const;
  bool has_account_name(std::string_view name) const;
  // The SID itself, or (for an IOC entry that is a domain SID, S-1-5-21-a-b-c) any account SID of that
  // domain.
  std::optional<std::string> match_sid(const parsers::Sid& sid) const;
  // A federation issuer URI or a distinguished name (a CA), compared after normalize_issuer; a DN also
  // matches in reverse RDN order (altSecurityIdentities writes "DC=com,DC=contoso,CN=CA").
  std::optional<std::string> match_issuer(std::string_view issuer) const;
};

// How issuers are compared: trimmed and lower-cased; a URI loses one trailing '/'; a distinguished name
// ("CN=Rogue CA, DC=adpersist,DC=test") becomes its RDNs, each trimmed (also around '='), joined with ','.
std::string normalize_issuer(std::string_view issuer);

// Parses the IOC JSON document; errors name the file and the offending member ("ioc.json:
// certificate_thumbprints[2]: not 40 or 64 hex digits").
Result<IocSet> parse_ioc_json(std::string_view text, const std::string& source);
Result<IocSet> load_ioc_file(const std::string& path);

}  // namespace adpersist::model
