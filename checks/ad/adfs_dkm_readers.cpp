// ad.adfs-dkm-readers: who can read the ADFS DKM master key (the thumbnailPhoto of the contact objects under
// CN=<farm>,CN=ADFS,CN=Microsoft,CN=Program Data,<domain>), which decrypts the token-signing key.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/support/acl.hpp"
#include "checks/support/domain_sids.hpp"
#include "checks/support/tier0_objects.hpp"
#include "scanner/util/strings.hpp"

namespace adpersist::checks {
namespace {

using namespace adpersist::model;
namespace right = acl::right;

// Rights on a key contact that read the key or let the holder grant itself the read.
constexpr acl::Rights kOnContact = right::kReadDkmKey | right::kWriteDacl | right::kWriteOwner;
// Rights on the farm container that let the holder re-ACL it (and, by inheritance, its contacts).
constexpr acl::Rights kOnFarm = right::kGenericAll | right::kWriteDacl | right::kWriteOwner;
// What the ADFS service account is given on its farm container (ADFS setup, or Microsoft's
// CreateNonDADkmContainer.ps1: GenericRead, CreateChild, WriteOwner, DeleteTree): it creates the key
// contacts.
constexpr acl::Rights kServiceMarker = right::kCreateChild | right::kGenericAll;

struct Farm {
  const Entry* container = nullptr;
  std::vector<const Entry*> contacts;  // key contacts, see is_key_contact
};

// One reader of one farm's key, merged over the farm container and its contacts.
struct Reader {
  Sid trustee;
  acl::Grant grant;                  // merged: direct rights and contributing ACEs
  std::vector<std::string> objects;  // DNs the right was found on
  bool owner = false;                // owns a key contact (implicit WriteDacl)
};

// ADFS keeps each DKM key in the thumbnailPhoto of a GUID-named contact; the CryptoPolicy contact only names
// the current one (in its displayName). Every other contact counts without looking at thumbnailPhoto, which
// a scan need not (and should not) collect; CryptoPolicy counts too when it carries a thumbnailPhoto (only
// its presence is looked at, never the value).
bool is_key_contact(const Entry& e) {
  if (!e.has_class("contact")) return false;
  return !util::iequals(first_rdn_value(e.dn()), "CryptoPolicy") || e.has("thumbnailPhoto");
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class AdfsDkmReaders final : public engine::Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo k{
        .id = "ad.adfs-dkm-readers",
        .title = "Principal other than the ADFS service account can read the ADFS DKM key (Golden SAML)",
        .severity = Severity::critical,
        .platform = Platform::ad,
        .category = "credentials",
        .mitre = {"T1552.004", "T1606.002"},
        .references = {"CISA AA21-008A", "CISA AA20-352A",
                       "Microsoft Defender for Identity alert 2413 Suspected AD FS DKM key read",
                       "Microsoft Defender for Identity alert 2420 Suspicious modification of the trust "
                       "relationship of AD FS server",
                       "https://github.com/ANSSI-FR/ADTimeline",
                       "https://threathunterplaybook.com/library/windows/adfs_dkm_keys.html"},
        .description =
            "ADFS encrypts its token-signing and token-decryption certificates with a key derived from the "
            "Distributed Key Manager (DKM) master key, which it keeps in Active Directory: in the "
            "thumbnailPhoto attribute of contact objects under CN=<farm "
            "GUID>,CN=ADFS,CN=Microsoft,CN=Program "
            "Data,<domain>. Whoever reads that attribute and the (widely readable) ADFS configuration can "
            "decrypt the token-signing key and forge SAML tokens for every federated application, Microsoft "
            "365 included (Golden SAML, used by the SolarWinds actor). Only the ADFS service account needs "
            "it. "
            "The check infers each farm's service account(s) as ADTimeline does, from the explicit ACEs on "
            "the "
            "farm container that let a principal create the key contacts (CreateChild or GenericAll), and "
            "reports every other principal outside tier 0 that can read the key: ReadProperty on "
            "thumbnailPhoto, read-all-properties or GenericAll on a key contact, WriteDacl or WriteOwner on "
            "one (it can grant itself the read), ownership of one, or GenericAll/WriteDacl/WriteOwner on the "
            "farm container. Key contacts are the contacts below the farm container other than CryptoPolicy "
            "(which only names the current key), and CryptoPolicy too when it carries a thumbnailPhoto. "
            "It also lists, as an info finding per farm, the inferred service account(s) and "
            "key contacts, so a baseline flags a change. The key itself is never read or reported.",
        .severity_notes =
            "Critical for every reader outside the service account(s) and tier 0. The per-farm inventory is "
            "info, or medium when more than one service account is inferred (a farm runs as one account: the "
            "others deserve a look, as an attacker's explicit CreateChild ACE would make it look like one). "
            "No CN=ADFS container in a collected domain means no ADFS DKM here: the check passes.",
        .false_positives =
            "During a service account change (domain account to gMSA) the old account keeps its ACEs until "
            "removed. Backup or identity tools given read-all on Program Data also show up: they hold the "
            "Golden SAML key and must be tier 0. Readers are not expanded through groups.",
        .remediation =
            "Remove the ACE from the key contacts and the farm container (dsacls \"<DN>\" /R "
            "\"<DOMAIN\\trustee>\"), keeping the service account, Domain Admins, Enterprise Admins and "
            "SYSTEM. "
            "If the reader was not legitimate, assume the key was read: create a new DKM key and roll over "
            "the token-signing and token-decryption certificates twice (Update-AdfsCertificate), review "
            "federated applications' sign-ins, and look for MDI alert 2413 or 4662 events with "
            "thumbnailPhoto's schemaIDGUID on the contacts.",
        .needs = {{Dataset::domain, {"nTSecurityDescriptor"}, {"objectSid"}}},
        .evidence = {{"farm", "the farm container's GUID name"},
                     {"service_accounts",
                      "inferred ADFS service account(s), each \"SID (name)\" (inventory)"},
                     {"key_contacts", "DNs of the contacts that hold DKM keys (inventory)"},
                     {"trustee", "SID of the principal that can read the key"},
                     {"trustee_name", "its resolved name, or unresolved"},
                     {"trustee_scope", "everyone when the trustee stands for any account, else principal"},
                     {"rights",
                      "the rights that give the key (ReadDKMKey, ReadAllProperties, GenericAll, ...)"},
                     {"aces", "the contributing ACEs as SDDL (SIDs unabbreviated), each once"},
                     {"inherited", "every contributing ACE is inherited"},
                     {"objects", "DNs of the farm container and key contacts the right was found on"},
                     {"owner", "the trustee owns a key contact"}},
    };
    return k;
  }

  void evaluate(const engine::CheckContext& ctx, Findings& out) const override {
    const auto& snap = ctx.snapshot;
    const auto& dom = snap.domain();
    if (!dom) return;
    const std::string adfs_dn = "CN=ADFS,CN=Microsoft,CN=Program Data," + dom->dn;

    // Farms keyed by lower-case DN, in input order.
    std::map<std::string, Farm> farms;
    std::vector<std::string> order;
    for (const auto& e : snap.entries()) {
      if (!dn_is_below(e.dn(), adfs_dn)) continue;
      std::string_view farm_dn = e.dn();
      while (!farm_dn.empty() && !util::iequals(parent_dn(farm_dn), adfs_dn)) farm_dn = parent_dn(farm_dn);
      if (farm_dn.empty()) continue;  // a DN spelt with spaces or escapes we do not normalise
      const auto key = util::to_lower(farm_dn);
      auto [it, fresh] = farms.try_emplace(key);
      if (fresh) order.push_back(key);
      if (&e == snap.find_dn(farm_dn)) {
        it->second.container = &e;
      } else if (is_key_contact(e)) {
        it->second.contacts.push_back(&e);
      }
    }

    for (const auto& key : order) {
      const Farm& farm = farms[key];
      if (!farm.container)
        continue;  // contacts without their container: the export is odd, nothing to anchor
      evaluate_farm(snap, farm, out);
    }
  }

 private:
  static void evaluate_farm(const Snapshot& snap, const Farm& farm, Findings& out) {
    const Entry& c = *farm.container;
    const auto* farm_sd = acl::descriptor_or_note(snap, c, out);
    if (!farm_sd) {
      if (!snap.descriptors().of(c)) out.note(std::string(c.dn()) + ": no nTSecurityDescriptor in the input");
      return;
    }

    // Service accounts: explicit ACEs on the farm container that let a principal create the key contacts.
    // Well-known admin groups and SIDs are tier 0 anyway and not listed; accounts are, even privileged ones.
    std::vector<Sid> service;
    if (farm_sd->dacl) {
      for (const auto& ace : farm_sd->dacl->aces) {
        if (ace.inherited() || acl::is_placeholder(ace.trustee)) continue;
        if ((acl::rights_of(ace) & kServiceMarker) == 0) continue;
        const Entry* who = snap.find_sid(ace.trustee);
        if (acl::is_tier0_principal(snap, ace.trustee) && !(who && who->is_account())) continue;
        if (std::find(service.begin(), service.end(), ace.trustee) == service.end())
          service.push_back(ace.trustee);
      }
    }
    auto legitimate = [&](const Sid& s) {
      return acl::is_placeholder(s) || acl::is_tier0_principal(snap, s) ||
             std::find(service.begin(), service.end(), s) != service.end();
    };

    std::vector<Reader> readers;
    auto reader_for = [&](const Sid& s) -> Reader& {
      auto it = std::find_if(readers.begin(), readers.end(), [&](const Reader& r) { return r.trustee == s; });
      if (it != readers.end()) return *it;
      Reader r;
      r.trustee = s;
      r.grant.trustee = s;
      readers.push_back(std::move(r));
      return readers.back();
    };
    auto merge = [&](const acl::Grant& g, const Entry& on) {
      auto& r = reader_for(g.trustee);
      r.grant.direct |= g.direct;
      r.grant.effective = acl::implied(r.grant.direct);
      r.grant.aces.insert(r.grant.aces.end(), g.aces.begin(), g.aces.end());
      r.grant.all_inherited = r.grant.all_inherited && g.all_inherited;
      if (std::find(r.objects.begin(), r.objects.end(), on.dn()) == r.objects.end())
        r.objects.emplace_back(on.dn());
    };

    // A null DACL gives everyone full control.
    auto everyone_if_null = [&](const parsers::SecurityDescriptor& sd, const Entry& on) {
      if (!acl::dacl_grants_everyone(sd)) return;
      acl::Grant g;
      g.trustee = Sid(1, {0});
      g.direct = right::kGenericAll;
      g.all_inherited = false;
      merge(g, on);
    };

    everyone_if_null(*farm_sd, c);
    for (const auto& g : acl::grants(*farm_sd, c, kOnFarm))
      if (!legitimate(g.trustee)) merge(g, c);
    std::vector<std::string> key_contacts;
    for (const Entry* contact : farm.contacts) {
      key_contacts.emplace_back(contact->dn());
      const auto* sd = acl::descriptor_or_note(snap, *contact, out);
      if (!sd) {
        if (!snap.descriptors().of(*contact))
          out.note(std::string(contact->dn()) +
                   ": no nTSecurityDescriptor in the input; its readers are unknown");
        continue;
      }
      everyone_if_null(*sd, *contact);
      for (const auto& g : acl::grants(*sd, *contact, kOnContact))
        if (!legitimate(g.trustee)) merge(g, *contact);
      if (sd->owner && !legitimate(*sd->owner)) {
        auto& r = reader_for(*sd->owner);
        r.owner = true;
        if (std::find(r.objects.begin(), r.objects.end(), contact->dn()) == r.objects.end())
          r.objects.emplace_back(contact->dn());
      }
    }

    const std::string farm_name(first_rdn_value(c.dn()));
    std::vector<std::string> service_labels;
    for (const auto& s : service) service_labels.push_back(acl::principal_label(snap, s));

    // Inventory first: what a baseline compares.
    auto& inv = out.add(c).set_key("inventory");
    inv.set_severity(service.size() > 1 ? Severity::medium : Severity::info);
    inv.set_message("ADFS farm " + farm_name + ": " +
                    (service.empty() ? std::string("no service account could be inferred")
                                     : "service account" + std::string(service.size() > 1 ? "s " : " ") +
                                           join(service_labels)) +
                    ", " + std::to_string(key_contacts.size()) + " DKM key contact(s)" +
                    (service.size() > 1 ? "; a farm runs as one account, review the others" : ""));
    inv.add("farm", farm_name);
    inv.add("service_accounts", service_labels);
    inv.add("key_contacts", key_contacts);

    const auto sddl_ctx = acl::evidence_sddl_context();
    for (const auto& r : readers) {
      auto& f = out.add(c).set_key(r.trustee.to_string());
      f.set_severity(Severity::critical);
      const auto name = sid_name(snap, r.trustee);
      f.add("farm", farm_name);
      f.add("trustee", r.trustee.to_string());
      f.add("trustee_name", name.empty() ? std::string("unresolved") : name);
      f.add("trustee_scope", acl::is_everyone_like(snap, r.trustee) ? "everyone" : "principal");
      auto rights =
          r.grant.direct ? acl::shown_rights(r.grant, kOnContact | kOnFarm) : std::vector<std::string>{};
      if (r.owner) rights.push_back("Owner");
      f.add("rights", rights);
      std::vector<std::string> aces;
      for (const auto* ace : r.grant.aces) {
        auto s = parsers::ace_to_sddl(*ace, sddl_ctx);
        if (std::find(aces.begin(), aces.end(), s) == aces.end()) aces.push_back(std::move(s));
      }
      f.add("aces", aces);
      f.add("inherited", !r.grant.aces.empty() && r.grant.all_inherited && !r.owner);
      f.add("objects", r.objects);
      f.add("owner", r.owner);
      f.set_message(acl::principal_label(snap, r.trustee) + " can read the DKM key of ADFS farm " +
                    farm_name + " (" + join(rights) +
                    "): it can decrypt the token-signing key and forge SAML tokens");
    }
  }
};

}  // namespace
ADPERSIST_REGISTER_CHECK(AdfsDkmReaders)
}  // namespace adpersist::checks
