// Helpers for SIDs and DNs shared by the domain checks: well-known names, the "privileged SID" rule used for
// sIDHistory, and small DN tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checks/check.hpp"

namespace adpersist::checks {

// Name of a well-known domain-relative RID ("Domain Admins" for 512); empty when it is not well known.
std::string_view well_known_rid_name(std::uint32_t rid);
// Name of a well-known SID that is not an account-domain SID ("Administrators" for S-1-5-32-544,
// "Authenticated Users" for S-1-5-11); empty when unknown.
std::string_view well_known_sid_name(const model::Sid& sid);
// A SID that grants privilege wherever it lands in a token: any SID that is not an account-domain SID
// (builtin S-1-5-32-*, S-1-5-18, S-1-1-0, ...) or an account-domain SID with a RID below 1000 (PingCastle's
// "dangerous SID history" rule).
bool is_privileged_sid(const model::Sid& sid);
// SIDs that stand for (nearly) everybody: Everyone, Anonymous Logon, Authenticated Users, Users.
bool is_broad_sid(const model::Sid& sid);
// What a SID is called: the object holding it in the snapshot, else its well-known name (a RID name is used
// for SIDs of `domain`), else empty.
std::string sid_name(const model::Snapshot& snap, const model::Sid& sid);

// The value of a DN's first RDN, unescaped only as far as surrounding spaces go
// ("CN=S-1-5-11,CN=ForeignSecurityPrincipals,DC=x" → "S-1-5-11").
std::string_view first_rdn_value(std::string_view dn);
// `dn` lies strictly below `base` (case-insensitive suffix match on a component boundary).
bool dn_is_below(std::string_view dn, std::string_view base);
// A DN under a CN=ForeignSecurityPrincipals container.
bool is_foreign_principal_dn(std::string_view dn);
// The SID a foreign-principal DN names in its RDN, when it parses.
std::optional<model::Sid> sid_from_foreign_principal_dn(std::string_view dn);

// A 32-bit flags attribute (trustAttributes, userAccountControl-like) read as AD or a tool wrote it: signed
// or unsigned decimal. Errors name the DN and attribute; nullopt when absent.
Result<std::optional<std::uint32_t>> flags_attribute(const model::Entry& e, std::string_view attr);

}  // namespace adpersist::checks
