// ad.ioc-match: directory objects that are, or trust, a value from the user's IOC list (--ioc): a SID (the
// object's own, in sIDHistory, a trust, or an ACE trustee), an account name, a certificate (NTAuth store, CA
// and user certificates, altSecurityIdentities mappings), a key credential id or a certificate issuer.
//
// Scales with the directory: every entry is visited once, and security descriptors, which AD shares widely,
// are scanned once per distinct value (DescriptorTable), not once per entry.
#include <algorithm>
#include <functional>
#include <unordered_map>

#include "checks/check.hpp"
#include "checks/support/accounts.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/tier0_objects.hpp"
#include "scanner/model/descriptors.hpp"
#include "scanner/parsers/key_credential_link.hpp"
#include "scanner/parsers/x509.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The matches of one object, grouped by indicator: one finding per (object, indicator).
struct Match {
  std::string type;       // certificate_thumbprint, key_id, sid, account_name, issuer
  std::string indicator;  // the IOC entry, normalised as the list holds it
  std::vector<std::string> paths;
  Json details = Json::array();
  std::vector<std::string> rights;  // ACE matches: the rights granted, for the message
};

class Matches {
 public:
  Match& add(std::string_view type, const std::string& indicator, const std::string& path, Json detail) {
    auto it = std::find_if(v_.begin(), v_.end(),
                           [&](const Match& m) { return m.type == type && m.indicator == indicator; });
    if (it == v_.end()) {
      v_.push_back({std::string(type), indicator, {}, Json::array(), {}});
      it = std::prev(v_.end());
    }
    if (std::find(it->paths.begin(), it->paths.end(), path) == it->paths.end()) it->paths.push_back(path);
    Json d = Json{{"path", path}};
    d.update(detail);
    it->details.push_back(std::move(d));
    return *it;
  }
  const std::vector<Match>& all() const { return v_; }

 private:
  std::vector<Match> v_;
};

// An owner or allow ACE of a descriptor whose trustee is on the list.
struct AceHit {
  std::string indicator;  // the IOC entry (the SID, or the domain SID it belongs to)
  parsers::Sid trustee;
  std::string part;  // "owner" or "dacl"
  std::string sddl;  // the ACE, SIDs unabbreviated (empty for the owner)
  std::vector<std::string> rights;
  bool inherited = false;
  bool inherit_only = false;
};

std::vector<AceHit> scan_descriptor(const parsers::SecurityDescriptor& sd, const IocSet& ioc) {
  std::vector<AceHit> out;
  if (sd.owner) {
    if (auto hit = ioc.match_sid(*sd.owner))
      out.push_back({*hit, *sd.owner, "owner", "", {"Owner"}, false, false});
  }
  if (!sd.dacl) return out;
  // Deny ACEs take rights away and audit ACEs only log: neither trusts the trustee.
  for (const auto& ace : sd.dacl->aces) {
    if (!ace.is_allow()) continue;
    auto hit = ioc.match_sid(ace.trustee);
    if (!hit) continue;
    auto rights = acl::right_names(acl::rights_of(ace));
    if (rights.empty()) rights.push_back(parsers::access_mask_to_sddl(ace.mask, ace.type));
    out.push_back({*hit, ace.trustee, "dacl", parsers::ace_to_sddl(ace, acl::evidence_sddl_context()),
                   std::move(rights), ace.inherited(), ace.inherit_only()});
  }
  return out;
}

// The tags of an X509 altSecurityIdentities mapping: "X509:<I>issuer<S>subject", "<SHA1-PUKEY>hex", ...
std::vector<std::pair<std::string, std::string>> x509_mapping_parts(std::string_view rest) {
  static constexpr std::string_view kTags[] = {"<I>", "<S>", "<SR>", "<SKI>", "<SHA1-PUKEY>", "<RFC822>"};
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    std::string_view tag;
    for (auto t : kTags)
      if (util::istarts_with(rest.substr(pos), t)) tag = t;
    if (tag.empty()) {
      if (out.empty()) return out;  // not a mapping we know
      out.back().second += rest[pos++];
      continue;
    }
    out.emplace_back(util::to_lower(tag.substr(1, tag.size() - 2)), std::string());
    pos += tag.size();
  }
  return out;
}

struct CertAttr {
  const char* name;
  bool ca;  // a CA certificate: its subject is the CA the object trusts
};
constexpr CertAttr kCertAttrs[] = {{"cACertificate", true}, {"userCertificate", false}};

class AdIocMatch final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.ioc-match",
        .title = "Directory object is, or trusts, a SID, account, certificate, key or issuer on the IOC list",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1134.005", "T1649", "T1556", "T1098", "T1484.002", "T1078.002"},
        .references =
            {"CISA AA21-008A", "CISA AA20-352A",
             "https://learn.microsoft.com/en-us/windows/win32/adschema/a-sidhistory",
             "https://learn.microsoft.com/en-us/windows/win32/adschema/a-altsecurityidentities",
             "https://learn.microsoft.com/en-us/windows/win32/adschema/a-msds-keycredentiallink",
             "Microsoft KB 295663: import third-party CA certificates into the Enterprise NTAuth store"},
        .description =
            "Runs only with an IOC list (--ioc FILE) and reports every object of the domain and "
            "configuration "
            "naming contexts that is, or trusts, one of its indicators. sids are matched against objectSid "
            "(the account, group or foreign security principal itself), sIDHistory, a trust's "
            "securityIdentifier, the owner and the allow ACEs of every nTSecurityDescriptor, and the ACEs of "
            "msDS-AllowedToActOnBehalfOfOtherIdentity (RBCD) and msDS-GroupMSAMembership (gMSA password "
            "readers); an entry that is a domain SID (S-1-5-21-a-b-c) matches every SID of that domain. "
            "account_names are matched against sAMAccountName, DOMAIN\\sAMAccountName, userPrincipalName and "
            "the Kerberos and RFC822 names of altSecurityIdentities. certificate_thumbprints (SHA-1 or "
            "SHA-256 "
            "of the certificate) are matched against cACertificate (the NTAuth store, enrollment services, "
            "certification authorities) and userCertificate, and against the SHA1-PUKEY hash of "
            "altSecurityIdentities mappings. key_ids are matched against the KeyID (base64) and DeviceId of "
            "every msDS-KeyCredentialLink value. issuers are matched against the <I> issuer of "
            "altSecurityIdentities mappings (in either RDN order) and the subject of CA certificates and "
            "issuer "
            "of every stored certificate. An ACE inherited from a parent that carries the same trustee is "
            "reported once, on the parent. One finding per object and indicator lists every place the value "
            "was found.",
        .severity_notes =
            "Always critical: the list says the SID, account, certificate or key is in an attacker's hands, "
            "and "
            "the object either is it or lets its holder in (logon with a mapped or trusted certificate, a "
            "key "
            "credential, SID history, rights in an ACE).",
        .false_positives =
            "An IOC list that is too broad: a well-known SID (S-1-1-0 Everyone, S-1-5-32-544 "
            "Administrators), a "
            "domain SID of a domain you trust on purpose, or a generic account name (administrator) matches "
            "objects that are not compromised. A migrated account keeps sIDHistory of its old domain; if "
            "that "
            "domain's SID is on the list, the account inherits the concern.",
        .remediation =
            "Treat the matched object as compromised and remove what lets the indicator in: delete the "
            "certificate from the NTAuth store (certutil -viewdelstore) or the account's userCertificate, "
            "remove "
            "the altSecurityIdentities value (Set-ADUser <name> -Remove @{altSecurityIdentities='<value>'}), "
            "remove the key credential (Set-ADObject <dn> -Remove @{'msDS-KeyCredentialLink'='<value>'}), "
            "clear "
            "the sIDHistory value, remove the ACE (dsacl / Active Directory Users and Computers > Security), "
            "and disable or delete an account on the list. Reset the passwords of accounts that could be "
            "reached (krbtgt twice when a tier-0 object is involved), revoke certificates from an IOC CA, "
            "and "
            "review logons of the matched accounts since the indicator's first sighting.",
        .needs = {{Dataset::domain,
                   {"objectSid"},
                   {"sAMAccountName", "userPrincipalName", "sIDHistory", "nTSecurityDescriptor",
                    "altSecurityIdentities", "msDS-KeyCredentialLink", "userCertificate",
                    "securityIdentifier", "msDS-AllowedToActOnBehalfOfOtherIdentity",
                    "msDS-GroupMSAMembership", "userAccountControl", "primaryGroupID"}},
                  {Dataset::configuration, {}, {"cACertificate", "nTSecurityDescriptor"}}},
        .needs_ioc = true,
        .evidence =
            {{"indicator_type",
              "sid, account_name, certificate_thumbprint, key_id or issuer (the IOC "
              "list's member)"},
             {"indicator", "the IOC list entry that matched, normalised (thumbprints lower-case hex)"},
             {"found_in",
              "where it was found: objectSid, sIDHistory, securityIdentifier, "
              "nTSecurityDescriptor.owner, nTSecurityDescriptor.dacl, cACertificate[1], "
              "altSecurityIdentities, msDS-KeyCredentialLink, ..."},
             {"matches",
              "one entry per place: path, matched_by, the value as the directory holds it, and for ACEs "
              "the trustee, its name, the rights and the ACE in SDDL; for certificates the subject, "
              "issuer, SHA-1 and SHA-256; for key credentials the key id and device id (never key "
              "material)"},
             {"enabled", "false when ACCOUNTDISABLE is set (accounts only)"},
             {"tier0", "the account is privileged, a DC or krbtgt (accounts only)"},
             {"privileged_groups", "privileged groups the account belongs to"},
             {"ioc_list", "the IOC file given with --ioc"},
             {"ioc_source", "the IOC file's \"source\" (the advisory), when it names one"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    if (!ctx.ioc) {
      out.not_evaluated("no IOC list was given (--ioc FILE)");
      return;
    }
    const IocSet& ioc = *ctx.ioc;
    const auto& snap = ctx.snapshot;
    note_uncollected(snap, ioc, out);

    const std::string netbios = snap.domain() ? util::to_lower(snap.domain()->netbios_name) : std::string();
    // Matches per distinct parsed descriptor; entries sharing a descriptor share the scan.
    std::unordered_map<const void*, std::vector<AceHit>> sd_hits;
    auto hits_of = [&](const Entry& e) -> const std::vector<AceHit>* {
      const auto* sd = snap.descriptors().of(e);
      if (!sd || !sd->ok()) return nullptr;
      auto it = sd_hits.find(sd);
      if (it == sd_hits.end()) it = sd_hits.emplace(sd, scan_descriptor(sd->value(), ioc)).first;
      return &it->second;
    };
    std::size_t inherited_skipped = 0;
    // Objects whose descriptor does not decode cannot be matched: named in one note (the first few), not one
    // note per object (a domain can share one bad value across thousands of them).
    constexpr std::size_t kNamed = 5;
    std::size_t undecodable = 0;
    std::string undecodable_named;

    for (const auto& e : snap.entries()) {
      Matches m;
      if (!ioc.sids.empty()) {
        match_sids(snap, e, ioc, m, out);
        if (const auto* sd = snap.descriptors().of(e); sd && !sd->ok() && ++undecodable <= kNamed)
          undecodable_named += (undecodable_named.empty() ? "" : "; ") + acl::undecodable_descriptor(snap, e);
        if (const auto* hits = hits_of(e)) {
          for (const auto& h : *hits) {
            // An inherited ACE is reported where it is set: skip it when the parent holds an ACE for the same
            // trustee (the parent is reported, or skipped in turn for its own parent).
            if (h.inherited && parent_has(snap, e, h.trustee, hits_of)) {
              ++inherited_skipped;
              continue;
            }
            add_ace_hit(snap, h, "nTSecurityDescriptor." + h.part, m);
          }
        }
      }
      if (!ioc.account_names.empty()) match_names(e, ioc, netbios, m);
      if (!ioc.certificate_thumbprints.empty() || !ioc.issuers.empty() || !ioc.account_names.empty())
        match_alt_security_identities(e, ioc, m);
      if (!ioc.key_ids.empty()) match_key_credentials(e, ioc, m, out);
      if (!ioc.certificate_thumbprints.empty() || !ioc.issuers.empty()) match_certificates(e, ioc, m);
      if (m.all().empty()) continue;
      emit(snap, e, ioc, m, out);
    }
    if (undecodable)
      out.note(std::to_string(undecodable) + (undecodable == 1 ? " object carries" : " objects carry") +
               " an nTSecurityDescriptor that does not decode: their owner and ACE trustees were not "
               "matched against the IOC SIDs (" +
               undecodable_named +
               (undecodable > kNamed ? "; and " + std::to_string(undecodable - kNamed) + " more" : "") + ")");
    if (inherited_skipped)
      out.note(
          std::to_string(inherited_skipped) +
          " inherited ACEs for IOC SIDs were not reported separately: each is reported on the parent that "
          "carries the same trustee");
  }

 private:
  static void note_uncollected(const Snapshot& snap, const IocSet& ioc, Findings& out) {
    struct Source {
      const char* attr;
      bool relevant;
      const char* what;
    };
    const bool certs = !ioc.certificate_thumbprints.empty() || !ioc.issuers.empty();
    const Source sources[] = {
        {"sIDHistory", !ioc.sids.empty(), "sids"},
        {"nTSecurityDescriptor", !ioc.sids.empty(), "sids (ACE trustees and owners)"},
        {"msDS-KeyCredentialLink", !ioc.key_ids.empty(), "key_ids"},
        {"altSecurityIdentities", certs || !ioc.account_names.empty(), "certificate mappings"},
        {"cACertificate", certs, "certificate_thumbprints and issuers (NTAuth store and CA certificates)"},
        {"userCertificate", certs, "certificate_thumbprints and issuers (account certificates)"},
        {"userPrincipalName", !ioc.account_names.empty(), "account_names (user principal names)"},
    };
    for (const auto& s : sources)
      if (s.relevant && snap.attribute(s.attr) != AttrCoverage::collected)
        out.note(std::string(s.attr) + " is not in the input: " + s.what +
                 " could not be matched against it");
  }

  static bool parent_has(const Snapshot& snap, const Entry& e, const parsers::Sid& trustee,
                         const std::function<const std::vector<AceHit>*(const Entry&)>& hits_of) {
    const auto parent = parent_dn(e.dn());
    if (parent.empty()) return false;
    const Entry* p = snap.find_dn(parent);
    if (!p) return false;
    const auto* hits = hits_of(*p);
    if (!hits) return false;
    return std::any_of(hits->begin(), hits->end(),
                       [&](const AceHit& h) { return h.part == "dacl" && h.trustee == trustee; });
  }

  static void add_ace_hit(const Snapshot& snap, const AceHit& h, const std::string& path, Matches& m) {
    Json d = {{"matched_by", "trustee"},
              {"value", h.trustee.to_string()},
              {"trustee_name", acl::principal_label(snap, h.trustee)},
              {"rights", h.rights}};
    if (!h.sddl.empty()) {
      d["ace"] = h.sddl;
      d["inherited"] = h.inherited;
      d["inherit_only"] = h.inherit_only;
    }
    auto& x = m.add("sid", h.indicator, path, std::move(d));
    for (const auto& r : h.rights)
      if (std::find(x.rights.begin(), x.rights.end(), r) == x.rights.end()) x.rights.push_back(r);
  }

  static void match_sids(const Snapshot& snap, const Entry& e, const IocSet& ioc, Matches& m, Findings& out) {
    if (auto sid = e.object_sid()) {
      if (auto hit = ioc.match_sid(*sid))
        m.add("sid", *hit, "objectSid", {{"matched_by", "objectSid"}, {"value", sid->to_string()}});
    }
    for (auto value : e.values("sIDHistory")) {
      auto sid = parsers::parse_sid_any(value);
      if (!sid) {
        out.note(std::string(e.dn()) + " attribute sIDHistory: " + sid.error().message);
        continue;
      }
      if (auto hit = ioc.match_sid(*sid))
        m.add("sid", *hit, "sIDHistory", {{"matched_by", "sIDHistory"}, {"value", sid->to_string()}});
    }
    if (e.has("securityIdentifier")) {
      auto sid = e.sid("securityIdentifier");
      if (sid && sid.value()) {
        if (auto hit = ioc.match_sid(*sid.value()))
          m.add("sid", *hit, "securityIdentifier",
                {{"matched_by", "securityIdentifier (the trusted domain)"},
                 {"value", sid.value()->to_string()},
                 {"trust_partner", std::string(e.first("trustPartner").value_or(""))}});
      }
    }
    // Descriptors stored as attributes: who may act on behalf of others to this object (RBCD), who may read
    // the gMSA's password. Per entry, not shared.
    for (const char* attr : {"msDS-AllowedToActOnBehalfOfOtherIdentity", "msDS-GroupMSAMembership"}) {
      for (auto value : e.values(attr)) {
        auto sd = parsers::parse_security_descriptor(value);
        if (!sd) {
          out.note(std::string(e.dn()) + " attribute " + attr + ": " + sd.error().describe());
          continue;
        }
        for (const auto& h : scan_descriptor(*sd, ioc))
          if (h.part == "dacl") add_ace_hit(snap, h, std::string(attr) + ".dacl", m);
      }
    }
  }

  static void match_names(const Entry& e, const IocSet& ioc, const std::string& netbios, Matches& m) {
    if (auto sam = e.first("sAMAccountName")) {
      if (ioc.has_account_name(*sam))
        m.add("account_name", util::to_lower(*sam), "sAMAccountName",
              {{"matched_by", "sAMAccountName"}, {"value", std::string(*sam)}});
      if (!netbios.empty()) {
        const std::string qualified = netbios + "\\" + util::to_lower(*sam);
        if (ioc.has_account_name(qualified))
          m.add("account_name", qualified, "sAMAccountName",
                {{"matched_by", "NetBIOS domain\\sAMAccountName"}, {"value", qualified}});
      }
    }
    if (auto upn = e.first("userPrincipalName"); upn && ioc.has_account_name(*upn))
      m.add("account_name", util::to_lower(*upn), "userPrincipalName",
            {{"matched_by", "userPrincipalName"}, {"value", std::string(*upn)}});
  }

  static void match_alt_security_identities(const Entry& e, const IocSet& ioc, Matches& m) {
    for (auto raw : e.values("altSecurityIdentities")) {
      const auto v = util::trim(raw);
      auto detail = [&](std::string_view by, std::string_view value) {
        return Json{{"matched_by", by}, {"value", std::string(value)}, {"mapping", std::string(v)}};
      };
      if (util::istarts_with(v, "Kerberos:")) {
        const auto principal = util::trim(v.substr(9));
        if (ioc.has_account_name(principal))
          m.add("account_name", util::to_lower(principal), "altSecurityIdentities",
                detail("Kerberos principal", principal));
        continue;
      }
      if (!util::istarts_with(v, "X509:")) continue;
      for (const auto& [tag, value] : x509_mapping_parts(v.substr(5))) {
        if (tag == "sha1-pukey") {
          std::string hex;
          for (char c : value)
            if (c != ' ' && c != ':') hex += c;
          if (ioc.has_thumbprint(hex))
            m.add("certificate_thumbprint", util::to_lower(hex), "altSecurityIdentities",
                  detail("SHA1-PUKEY", upper(hex)));
        } else if (tag == "i") {
          if (auto hit = ioc.match_issuer(value))
            m.add("issuer", *hit, "altSecurityIdentities", detail("issuer (<I>)", value));
        } else if (tag == "rfc822") {
          if (ioc.has_account_name(value))
            m.add("account_name", util::to_lower(value), "altSecurityIdentities",
                  detail("RFC822 name", value));
        }
      }
    }
  }

  static void match_key_credentials(const Entry& e, const IocSet& ioc, Matches& m, Findings& out) {
    for (auto value : e.values("msDS-KeyCredentialLink")) {
      auto dnb = parsers::parse_dn_with_binary(value);
      if (!dnb) {
        out.note(std::string(e.dn()) + " attribute msDS-KeyCredentialLink: " + dnb.error().describe());
        continue;
      }
      auto key = parsers::parse_key_credential(dnb->binary);
      if (!key) {
        out.note(std::string(e.dn()) + " attribute msDS-KeyCredentialLink: " + key.error().describe());
        continue;
      }
      const auto key_id = key->key_id_base64();
      const std::string device = key->device_id ? key->device_id->to_string() : std::string();
      auto detail = [&](std::string_view by, const std::string& v) {
        Json d = {{"matched_by", by}, {"value", v}, {"key_id", key_id}};
        if (!device.empty()) d["device_id"] = device;
        d["usage"] = key->usage_name();
        d["source"] = std::string(key->source_name());
        if (key->creation_time) d["creation_time"] = parsers::format_key_time(*key->creation_time);
        return d;
      };
      if (ioc.has_key_id(key_id)) m.add("key_id", key_id, "msDS-KeyCredentialLink", detail("KeyID", key_id));
      if (!device.empty() && ioc.has_key_id(device))
        m.add("key_id", device, "msDS-KeyCredentialLink", detail("DeviceId", device));
    }
  }

  static void match_certificates(const Entry& e, const IocSet& ioc, Matches& m) {
    for (const auto& attr : kCertAttrs) {
      const auto values = e.values(attr.name);
      for (std::size_t i = 0; i < values.size(); ++i) {
        const auto der = values[i];
        const std::string path = std::string(attr.name) + "[" + std::to_string(i) + "]";
        const std::string sha1 = parsers::sha1_thumbprint(der);
        const std::string sha256 = upper(util::sha256_hex(der));
        std::optional<parsers::X509Info> cert;
        bool parsed = false;
        auto detail = [&](std::string_view by, const std::string& v) {
          if (!parsed) {
            parsed = true;
            if (auto x = parsers::parse_x509_der(der)) cert = std::move(x.value());
          }
          Json d = {{"matched_by", by}, {"value", v}, {"thumbprint", sha1}, {"sha256", sha256}};
          if (cert) {
            d["subject"] = cert->subject;
            d["issuer"] = cert->issuer;
            d["not_after"] = parsers::format_rfc3339(cert->not_after);
          } else {
            d["decoded"] = false;
          }
          return d;
        };
        if (ioc.has_thumbprint(sha1))
          m.add("certificate_thumbprint", util::to_lower(sha1), path, detail("SHA-1", sha1));
        if (ioc.has_thumbprint(sha256))
          m.add("certificate_thumbprint", util::to_lower(sha256), path, detail("SHA-256", sha256));
        if (ioc.issuers.empty()) continue;
        if (!parsed) {
          parsed = true;
          if (auto x = parsers::parse_x509_der(der)) cert = std::move(x.value());
        }
        if (!cert) continue;
        // A CA certificate stands for the CA (its subject); any certificate also names who issued it.
        if (auto hit = attr.ca ? ioc.match_issuer(cert->subject) : std::nullopt)
          m.add("issuer", *hit, path, detail("certificate subject (the CA)", cert->subject));
        else if (auto by_issuer = ioc.match_issuer(cert->issuer))
          m.add("issuer", *by_issuer, path, detail("certificate issuer", cert->issuer));
      }
    }
  }

  static std::string phrase(const Match& x) {
    const std::string where = " (" + join(x.paths) + ")";
    if (x.type == "sid") {
      const bool ace = std::any_of(x.paths.begin(), x.paths.end(), [](const std::string& p) {
        return p.find(".dacl") != std::string::npos || p.find(".owner") != std::string::npos;
      });
      std::string s = "SID " + x.indicator + " from the IOC list" + where;
      if (ace) s += ": the SID holds " + join(x.rights);
      return s;
    }
    if (x.type == "certificate_thumbprint")
      return "certificate " + upper(x.indicator) + " from the IOC list" + where;
    if (x.type == "key_id") return "key credential " + x.indicator + " from the IOC list" + where;
    if (x.type == "account_name") return "account " + x.indicator + " from the IOC list" + where;
    return "issuer " + x.indicator + " from the IOC list" + where;
  }

  static void emit(const Snapshot& snap, const Entry& e, const IocSet& ioc, const Matches& m, Findings& out) {
    const auto& priv = snap.privilege();
    for (const auto& x : m.all()) {
      auto& f = out.add(e).set_key(x.type + ":" + x.indicator);
      f.set_message("matches " + phrase(x));
      f.add("indicator_type", x.type);
      f.add("indicator", x.indicator);
      f.add("found_in", x.paths);
      f.add("matches", x.details);
      if (e.is_account()) add_account_evidence(f, e, priv);
      f.add("ioc_list", ioc.source);
      if (!ioc.reference.empty()) f.add("ioc_source", ioc.reference);
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdIocMatch)
}  // namespace adpersist::checks
