#!/usr/bin/python3
"""Deterministic generator of a synthetic Microsoft Graph capture directory, at scale, for benchmarks.

    graph_capture.py --out DIR --service-principals N --applications M [--seed S]
                     [--audits K] [--owners privileged|all]

Writes DIR in the layout `adpersist collect --record DIR` writes and `adpersist scan --graph-dir DIR` reads
(scanner/sources/graph/capture.cpp; README "Entra ID (Microsoft Graph)"): one file DIR/<request path>.json per Graph v1.0
GET, each the response body with every page merged, `{"value":[...]}`, compact, keys sorted, one trailing
newline (byte-for-byte what the recorder's RecordFile writes), plus DIR/_adpersist.json (the recorder's
manifest: tenant, graph, time, audit_since, refused, failed, requests; and a "synthetic" section the reader
ignores, listing the generator's arguments and the planted indicators for verify_graph_capture.py).

  organization.json                                   1 organization (verifiedDomains)
  applications.json                                   M applications (the tenant's own app registrations)
  servicePrincipals.json                              N service principals (see the mix below)
  servicePrincipals/<id>/appRoleAssignedTo.json       one per rated Microsoft resource present (all 5:
                                                      Microsoft Graph, Exchange Online, SharePoint Online,
                                                      Windows Azure Active Directory, Office 365 Management
                                                      APIs; the last two with an empty value)
  applications/<id>/federatedIdentityCredentials.json EVERY application (empty value when it has none; a
                                                      missing file would mean "not collected")
  applications/<id>/owners.json                       every privileged application (its SP holds a rated app
                                                      role or a privileged directory role), as the recorder
                                                      does; --owners all writes one for every application
  domains.json, domains/<id>/federationConfiguration.json   6 domains, 2 of them Federated
  oauth2PermissionGrants.json                         admin consents of own web apps, user consents of SaaS
  roleManagement/directory/roleDefinitions.json       18 built-in roles (the fixture's 17 + Directory Readers)
  roleManagement/directory/roleAssignments.json       $expand=principal, as the fixture
  auditLogs/directoryAudits.json                      K records (default 2*M + 50), all inside audit_since,
                                                      newest first
  _adpersist.json                                     manifest

The directory is built as DIR's sibling `DIR.tmp-XXXX` and renamed to DIR at the end (DIR may exist only if
it is empty), so a crash never leaves a half-written capture under DIR. Same arguments and seed give a
byte-identical capture (random.Random streams seeded per section; fixed clock; sorted keys; fixed order).

Assumptions (the shape of a large tenant; every choice below is synthetic, no real tenant was read)
----------------------------------------------------------------------------------------------------
* Clock: the capture is taken at 2026-12-01T00:00:00Z ("now"); audit_since is 30 days earlier, 2026-11-01.
  Scan it with `--now 2026-12-01T00:00:00Z` (the default --since 30d then matches the audit window).
  Tenant "Northwind Traders", created 2019-03-14, default domain northwindtraders.com.
* Applications (M): created uniformly 2019-03-20 .. 2026-10-15. 4 % are SAML gallery instances, 20 % public
  clients (SPA/mobile, no credential), 46 % web apps, 30 % daemons. 97 % have a service principal (all
  SAML ones do). Web apps and daemons carry a secret chain (70 %) or a certificate chain (30 %), 20 % both;
  secrets live 90/180/365/730 days (15/55/22/8 %), certificates 365/730/1095 days (70/20/10 %); 35 % of chains
  are maintained (rotated a few days before expiry until now), the rest stop after one credential (often
  expired). The last 1-3 credentials of a chain stay listed, at most 3 per application. About 2 % of the
  older credentials are legacy Symmetric keys. Lists carry `key: null` / `secretText: null`, as Graph
  returns them; customKeyIdentifier of a certificate is base64 of 20 random bytes (a SHA-1 thumbprint's
  size), keyIds are GUIDs. Maintained rotations that start inside the window are reported by
  entra.app-credentials and (through their "Update application - Certificates and secrets management"
  record) entra.audit-credential-events: that is the benign rotation noise of a real tenant; live secrets
  over 180 days and certificates over 366 days are reported by entra.long-lived-credentials (noise too).
* Service principals (N): the tenant's own apps' SPs (~0.97*M; no credential except the SAML ones, whose SP
  carries the benign Sign + Verify keyCredential pair and a passwordCredential sharing one
  customKeyIdentifier, preferredSingleSignOnMode saml and preferredTokenSigningKeyThumbprint = that
  thumbprint, 3-year validity: checks/support/entra.cpp is_saml_signing_credential); 21 Microsoft
  first-party SPs with real appIds (the fixture's 16, incl. the 5 rated resources, whose appRoles are
  copied from fixtures/tenant/servicePrincipals.json so role ids resolve); of the remainder 8 % synthetic
  Microsoft first-party SPs (appOwnerOrganizationId f8cdef31-a31e-4b4a-93e4-5f571e91255a), 12 % managed
  identities (servicePrincipalType ManagedIdentity, appOwnerOrganizationId null, one Azure-managed 90-day
  certificate) and 80 % third-party multi-tenant/gallery SaaS SPs (a publisher tenant per ~8 apps, 40 % of
  publishers verified), none with a credential. 1 % of SPs are disabled.
* App role assignments: ~20 % of daemons with an SP (~6 % of all apps) hold 1-3 benign Microsoft Graph
  roles (User.Read.All, Group.Read.All, Directory.Read.All, ...); max(3, 0.3 % of M) hold a data-access
  role (Mail.Read, Mail.Send, Files.Read.All, Sites.Read.All, ...), max(2, 0.05 % of M) a critical one
  (User.ReadWrite.All, Directory.ReadWrite.All, ...), max(1, M/3000) each Exchange.ManageAsApp and
  SharePoint Sites.Read.All; 1 % of third-party SPs hold a benign Graph role. All benign grants predate
  the window. Those holding rated roles are "privileged applications" and get owners.json (half owned by an
  Application Administrator, half by a developer: the latter are reported by entra.app-owners, as in life).
* Federated identity credentials: 1 % of apps trust a managed identity of this tenant (silent), 0.5 % a
  GitHub Actions repo of the tenant's own org (reported: the check reports every external issuer).
* Domains: northwindtraders.com (default), northwindtraders.onmicrosoft.com (initial), mail.northwindtraders.com,
  fed.northwindtraders.com (Federated to AD FS, benign: 1-year certificate, rejectMfaByFederatedIdp),
  partners.northwindtraders.com (planted), northwind-support.net (planted, unverified). The two signing
  certificates are the fixture's (fixtures/tenant/certs/adfs-signing-2026.pem, any-sts-2026.pem): their
  subjects still name contoso, which no check compares with the domain.
* Users (no users.json is captured: users appear only where Graph names them: role principals, owners,
  consents, audit actors): a pool of max(60, M/5) members. Directory roles: 4 Global Administrators,
  Privileged Role / Application / Cloud Application / Hybrid Identity / User / Helpdesk / ... administrators
  scaled with M, the Entra Connect Sync_ account, Global Readers, and a few app SPs as Directory Readers.
* Grants: AllPrincipals "openid profile email offline_access User.Read" for half the own web apps; user
  (Principal) consents of 20 % of third-party SPs; max(1, M/2000) own apps with an AllPrincipals
  Files.Read.All / Sites.Read.All consent (reported by entra.tenant-wide-consent: noise of a real tenant).
* Audits: K records inside [audit_since, now), newest first: user/group management noise, non-credential
  "Update service principal"/"Update application" records, a coherent credential record for every benign
  rotation that starts inside the window, and the planted records below.

Planted indicators (fixed names and times; ids come from the seed; all listed in _adpersist.json "synthetic")
----------------------------------------------------------------------------------------------------
 P1  app "Backup Orchestrator" (created 2021-04-12, SP holds Graph RoleManagement.ReadWrite.Directory since
     2022-05-03): new certificate added 2026-11-18T01:05:12Z, 2045 days after creation; audit record by the
     new account svc-sync2 from 203.0.113.45 -> entra.app-credentials (critical), entra.critical-app-roles,
     entra.audit-credential-events, entra.app-owners (owned by a developer without an admin role)
 P2  app "Tenant Automation": its SP assigned Global Administrator ("Add member to role" 2026-11-18) ->
     entra.sp-privileged-role (critical), entra.audit-role-and-consent-events, entra.app-owners (guest owner)
 P3  Office 365 Exchange Online (Microsoft first-party SP): keyCredential "CN=Microsoft Exchange Server Auth
     Certificate" from 2026-11-17; "Add service principal credentials" by app Backup Orchestrator ->
     entra.first-party-sp-credentials (critical), entra.audit-credential-events
 P4  domain partners.northwindtraders.com federated to http://any.sts/B231A11F, self-signed 10-year
     certificate issued 2026-11-19, federatedIdpMfaBehavior acceptIfMfaDoneByFederatedIdp; audit "Set domain
     authentication" Managed -> Federated and "Set federation settings on domain" -> entra.federation-issuer
     (critical), entra.federation-signing-certificate, entra.federation-mfa-trust,
     entra.audit-federation-events
 P5  app "Deploy Pipeline": federated identity credential issuer https://token.actions.githubusercontent.com,
     subject repo:evil-org/infra:ref:refs/heads/main; SP holds Graph Application.ReadWrite.All ->
     entra.federated-identity-credentials (critical), entra.critical-app-roles, entra.app-owners (an SP owner)
 P6  third-party SP "MailGuard Archiver" (unverified publisher): tenant-local secret added 2026-11-22, holds
     Exchange full_access_as_app -> entra.third-party-sp-credentials, entra.data-access-app-roles,
     entra.audit-credential-events
 P7  app "Finance Reports": secret on its SERVICE PRINCIPAL added 2026-11-21 -> entra.sp-credentials,
     entra.audit-credential-events
 P8  app "Legacy Connector": secret valid until 2299-12-31 -> entra.long-lived-credentials (high)
 P9  third-party SP "Meeting Notes AI" (unverified): AllPrincipals consent "Mail.ReadWrite Files.ReadWrite.All"
     on Microsoft Graph -> entra.tenant-wide-consent (critical)
 P10 guest j.doe_gmail.com#EXT# holds Privileged Role Administrator; member svc-sync2 created 2026-11-16 holds
     Global Administrator ("Add user" + "Add member to role" from 203.0.113.45) ->
     entra.privileged-role-members (high, twice), entra.audit-role-and-consent-events
 P11 unverified domain northwind-support.net added 2026-11-19 -> entra.domain-inventory (low),
     entra.audit-federation-events

Validate with bench/gen/verify_graph_capture.py (runs nothing itself: give it the capture and the scan's JSON
report). Standard library only; run with /usr/bin/python3.
"""

import argparse
import base64
import calendar
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid

# ----------------------------------------------------------------------------------------------------
# Constants
# ----------------------------------------------------------------------------------------------------
NOW = calendar.timegm((2026, 12, 1, 0, 0, 0))
DAY = 86400
WINDOW_START = NOW - 30 * DAY
MSFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
GRAPH_APPID = "00000003-0000-0000-c000-000000000000"
EXO_APPID = "00000002-0000-0ff1-ce00-000000000000"
SPO_APPID = "00000003-0000-0ff1-ce00-000000000000"
AADGRAPH_APPID = "00000002-0000-0000-c000-000000000000"
O365MGMT_APPID = "c5393580-f805-4401-95e8-94b7a6ef2fc2"
RATED = [GRAPH_APPID, EXO_APPID, SPO_APPID, AADGRAPH_APPID, O365MGMT_APPID]

ORG_NAME = "Northwind Traders"
DOMAIN = "northwindtraders.com"
INITIAL = "northwindtraders.onmicrosoft.com"
FED_DOMAIN = "fed." + DOMAIN
PARTNERS = "partners." + DOMAIN
UNVERIFIED = "northwind-support.net"
ATTACKER_IP = "203.0.113.45"
UA_BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")
UA_PS = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.4391"
UA_PY = "python-requests/2.32.3"
UPDATE_APP_CREDS = "Update application \u2013 Certificates and secrets management"

# Graph delegated scope ids (permission ids are global; these are Microsoft Graph's).
SCOPE_IDS = {"User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "openid": "37f7f235-527c-4136-accd-4a02d197296e",
             "profile": "14dad69e-099b-42c9-810b-d002981feec1", "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
             "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"}

BENIGN_GRAPH_ROLES = ["User.Read.All", "Group.Read.All", "Directory.Read.All", "Application.Read.All",
                      "AuditLog.Read.All", "Reports.Read.All", "Calendars.Read", "Organization.Read.All",
                      "Policy.Read.All", "Domain.Read.All", "RoleManagement.Read.Directory"]
DATA_GRAPH_ROLES = ["Mail.Read", "Mail.Send", "Files.Read.All", "Sites.Read.All", "Mail.ReadWrite",
                    "Sites.ReadWrite.All", "Chat.Read.All", "MailboxSettings.ReadWrite"]
CRITICAL_GRAPH_ROLES = ["User.ReadWrite.All", "Directory.ReadWrite.All", "Application.ReadWrite.All",
                        "Policy.ReadWrite.ConditionalAccess", "UserAuthenticationMethod.ReadWrite.All"]

# The fixture's Microsoft first-party SPs (real appIds) beyond the five rated resources.
FIRST_PARTY = [
    ("Microsoft Graph", GRAPH_APPID, ["00000003-0000-0000-c000-000000000000/ags.windows.net", GRAPH_APPID,
                                      "https://canary.graph.microsoft.com", "https://graph.microsoft.com",
                                      "https://ags.windows.net", "https://graph.microsoft.us",
                                      "https://graph.microsoft.com/", "https://dod-graph.microsoft.us"]),
    ("Office 365 Exchange Online", EXO_APPID, ["https://outlook.office365.com/",
                                               EXO_APPID + "/outlook.office365.com", EXO_APPID + "/outlook.office.com",
                                               "outlook.office365.com", "https://outlook.office.com",
                                               "https://outlook.office365.com", EXO_APPID]),
    ("Office 365 SharePoint Online", SPO_APPID, [SPO_APPID + "/*.sharepoint.com", SPO_APPID,
                                                 "https://microsoft.sharepoint-df.com"]),
    ("Windows Azure Active Directory", AADGRAPH_APPID, ["https://graph.windows.net",
                                                        AADGRAPH_APPID + "/graph.windows.net", AADGRAPH_APPID]),
    ("Office 365 Management APIs", O365MGMT_APPID, ["https://manage.office.com", O365MGMT_APPID]),
    ("Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", ["https://api.spaces.skype.com"]),
    ("Skype for Business Online", "00000004-0000-0ff1-ce00-000000000000", ["00000004-0000-0ff1-ce00-000000000000/lync.com"]),
    ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", ["https://portal.azure.com/"]),
    ("Microsoft Intune", "0000000a-0000-0000-c000-000000000000", ["https://intune.microsoft.com"]),
    ("Microsoft App Access Panel", "0000000c-0000-0000-c000-000000000000", []),
    ("Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013",
     ["https://management.core.windows.net/", "https://management.azure.com/"]),
    ("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", []),
    ("Microsoft Azure PowerShell", "1950a258-227b-4e31-a9cf-717495945fc2", []),
    ("Graph Explorer", "de8bc8b5-d9f9-48b1-a8ad-b748da725064", []),
    ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", []),
    ("Microsoft Graph Command Line Tools", "14d82eec-204b-4c2f-b7e8-296a70dab67e", []),
    ("Office 365 Exchange Online Protection", "00000007-0000-0ff1-ce00-000000000000", []),
    ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", []),
    ("Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e", []),
    ("Power BI Service", "00000009-0000-0000-c000-000000000000", ["https://analysis.windows.net/powerbi/api"]),
    ("Azure Key Vault", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", ["https://vault.azure.net"]),
]

FIRST = ["Adele", "Alex", "Allan", "Bianca", "Christie", "Debra", "Diego", "Emily", "Enrico", "Grady", "Henrietta",
         "Irvin", "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam", "Nestor", "Patti",
         "Pradeep", "Raul", "Sanjay", "Wilna", "Zrinka", "Ada", "Bruno", "Chloe", "Dmitri", "Elif", "Farah",
         "Goran", "Hana", "Ivo", "Jana", "Kenji", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quentin", "Rosa",
         "Stefan", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoltan"]
LAST = ["Vance", "Wilber", "Deyoung", "Pires", "Cline", "Berry", "Siciliani", "Braun", "Bossi", "Archie",
        "Mueller", "Sink", "Langer", "Lauer", "Sherman", "Gu", "Holloway", "Robbins", "Bowen", "Graham",
        "Wilke", "Fernandez", "Gupta", "Santos", "Rao", "Kowalski", "Novak", "Okafor", "Schmidt", "Tanaka",
        "Haddad", "Ivanova", "Jensen", "Kaur", "Lindqvist", "Moreau", "Nakamura", "Ortiz", "Petrov", "Quinn",
        "Rossi", "Silva", "Torres", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang"]
DEPTS = ["Finance", "HR", "Sales", "Marketing", "Legal", "IT", "Ops", "Support", "R&D", "Procurement", "Facilities",
         "Security", "Data", "Payroll", "Logistics", "Retail", "Treasury", "Compliance", "Field Service", "Warehouse"]
THINGS = ["Portal", "API", "Sync", "Reports", "Dashboard", "Connector", "Bot", "Automation", "Webhook", "Scheduler",
          "Importer", "Exporter", "Gateway", "Mobile", "Service", "Worker", "Ingest", "Notifier", "Search", "Archive"]
ENVS = ["", "", "", " (dev)", " (test)", " (staging)", " - prod"]
MS_A = ["Teams", "Office", "Azure", "Dynamics 365", "Power", "Defender", "Intune", "Purview", "Viva", "Exchange",
        "SharePoint", "Bing", "Stream", "Forms", "Planner", "Yammer", "Whiteboard", "OneNote", "Outlook", "Windows"]
MS_B = ["Service", "Connector", "Insights", "Analytics", "Gateway", "Sync", "API", "Portal", "Agent", "Backend",
        "Runtime", "Scheduler", "Notifications", "Graph Connector", "Web", "Mobile", "Broker", "Cloud App"]
CO_A = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
        "Soylent", "Wonka", "Oscorp", "Aperture", "Massive Dynamic", "Pied Piper", "Dunder", "Bluth", "Prestige",
        "Fabrikam", "Litware", "Proseware", "Adatum", "Tailspin", "Wingtip", "Woodgrove", "Alpine", "Lamna"]
CO_B = ["Software", "Labs", "Systems", "Cloud", "Analytics", "Networks", "Solutions", "Digital", "Data", "AI"]
PRODUCTS = ["Calendar Sync", "CRM Connector", "Expense Tracker", "Survey", "Scheduler", "Mail Signature",
            "E-Signature", "HR Portal", "Chat Bot", "Backup", "Project Board", "Whiteboard", "Video Meetings",
            "Analytics", "Password Manager", "Travel Booking", "Learning", "Ticketing", "Notes", "File Share",
            "Contract Manager", "Time Tracking", "Visitor Desk", "Forms", "Recruiting", "Feedback"]
MI_PREFIX = ["uami", "func", "app", "vm", "aks", "logic", "adf", "sql", "st", "apim"]


# ----------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------
def guid(r):
    h = "%032x" % r.getrandbits(128)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])


def ts(sec, frac=None):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    return s + ("Z" if frac is None else ".%07dZ" % frac)


def at(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s))


def b64url_guids(*guids):
    raw = b"".join(uuid.UUID(g).bytes_le for g in guids)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def thumb_bytes(r):
    return bytes(r.getrandbits(8) for _ in range(20))


def cki_of(tb):
    return base64.b64encode(tb).decode()


def enc(v):
    """modifiedProperties oldValue/newValue are JSON-encoded strings."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def slug(s):
    return "".join(c for c in s.lower().replace(" ", "-") if c.isalnum() or c == "-").strip("-")


def pick_weighted(r, pairs):
    x = r.random()
    acc = 0.0
    for v, w in pairs:
        acc += w
        if x < acc:
            return v
    return pairs[-1][0]


NULL_PUBLISHER = {"addedDateTime": None, "displayName": None, "verifiedPublisherId": None}


# ----------------------------------------------------------------------------------------------------
# Credentials
# ----------------------------------------------------------------------------------------------------
def pwd_cred(r, start, end, name, frac, cki=None, hint=True):
    return {"customKeyIdentifier": cki, "displayName": name, "endDateTime": ts(end, frac),
            "hint": ("".join(r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789~._-")
                             for _ in range(3)) if hint else None),
            "keyId": guid(r), "secretText": None, "startDateTime": ts(start, frac)}


def key_cred(r, start, end, display, usage="Verify", ktype="AsymmetricX509Cert", cki=None):
    if cki is None and ktype == "AsymmetricX509Cert":
        cki = cki_of(thumb_bytes(r))
    return {"customKeyIdentifier": cki, "displayName": display, "endDateTime": ts(end), "key": None,
            "keyId": guid(r), "startDateTime": ts(start), "type": ktype, "usage": usage}


def key_description(c):
    """One KeyDescription entry as Core Directory audit records spell it."""
    if "hint" in c:
        return "[KeyIdentifier=%s,KeyType=Password,KeyUsage=Verify,DisplayName=%s]" % (c["keyId"], c["displayName"] or "")
    return "[KeyIdentifier=%s,KeyType=%s,KeyUsage=%s,DisplayName=%s]" % (c["keyId"], c["type"], c["usage"],
                                                                        c["displayName"] or "")


# ----------------------------------------------------------------------------------------------------
# The plan: every object and cross-reference, kept compact; the big collections are rendered while written.
# ----------------------------------------------------------------------------------------------------
class Plan:
    def __init__(self, n_sps, n_apps, seed, n_audits, owners_mode):
        self.seed = seed
        self.n_sps, self.n_apps = n_sps, n_apps
        self.n_audits = n_audits
        self.owners_mode = owners_mode
        self.R = lambda name: random.Random("%s:%s" % (seed, name))
        self.fx = load_fixture()
        self.planted = []          # {"id", "checks", "resource", ...} for verify_graph_capture.py
        self.audit_events = []     # (time_sec, frac, builder-args) for the planted and coherent audit records
        self._tenant()
        self._users()
        self._apps()
        self._sps()
        self._app_roles()
        self._roles()
        self._owners()
        self._fics()
        self._grants()
        self._plant_audits()

    # --- tenant, domains, users ---------------------------------------------------------------------
    def _tenant(self):
        r = self.R("tenant")
        self.tenant = guid(r)
        self.fed_ids = {FED_DOMAIN: guid(r), PARTNERS: guid(r)}
        self.domains = [
            dict(id=DOMAIN, authenticationType="Managed", isDefault=True, isInitial=False, isRoot=True, isVerified=True,
                 supportedServices=["Email", "OfficeCommunicationsOnline", "Intune"]),
            dict(id=INITIAL, authenticationType="Managed", isDefault=False, isInitial=True, isRoot=True,
                 isVerified=True, supportedServices=["Email", "OfficeCommunicationsOnline"]),
            dict(id="mail." + DOMAIN, authenticationType="Managed", isDefault=False, isInitial=False, isRoot=False,
                 isVerified=True, supportedServices=["Email"]),
            dict(id=FED_DOMAIN, authenticationType="Federated", isDefault=False, isInitial=False, isRoot=True,
                 isVerified=True, supportedServices=["Email", "OfficeCommunicationsOnline"]),
            dict(id=PARTNERS, authenticationType="Federated", isDefault=False, isInitial=False, isRoot=True,
                 isVerified=True, supportedServices=["Email"]),
            dict(id=UNVERIFIED, authenticationType="Managed", isDefault=False, isInitial=False, isRoot=True,
                 isVerified=False, supportedServices=[]),
        ]
        self.plant("P4", ["entra.federation-issuer", "entra.federation-signing-certificate",
                          "entra.federation-mfa-trust", "entra.audit-federation-events"], "domain", PARTNERS,
                   "federated to any.sts with a 10-year self-signed certificate issued 2026-11-19")
        self.plant("P11", ["entra.domain-inventory", "entra.audit-federation-events"], "domain", UNVERIFIED,
                   "unverified domain added 2026-11-19")

    def plant(self, pid, checks, rtype, rid, what, name=None):
        self.planted.append({"id": pid, "checks": checks, "resource_type": rtype, "resource_id": rid,
                             "name": name or rid, "what": what})

    def _users(self):
        r = self.R("users")
        n = max(60, self.n_apps // 5)
        self.users = []
        seen = set()
        for i in range(n):
            fn, ln = r.choice(FIRST), r.choice(LAST)
            base = "%s.%s" % (fn.lower(), ln.lower())
            upn = base
            k = 2
            while upn in seen:
                upn = "%s%d" % (base, k)
                k += 1
            seen.add(upn)
            created = at(2019, 3, 14) + r.randrange(0, at(2026, 9, 30) - at(2019, 3, 14))
            if i < 6:
                created = at(2019, 3, 14) + r.randrange(0, 200 * DAY)
            self.users.append({"id": guid(r), "displayName": "%s %s" % (fn, ln),
                               "userPrincipalName": "%s@%s" % (upn, DOMAIN), "userType": "Member",
                               "createdDateTime": ts(created)})
        self.ip_of = {u["id"]: "198.51.100.%d" % (10 + j % 200) for j, u in enumerate(self.users)}
        self.sync_user = {"id": guid(r), "displayName": "On-Premises Directory Synchronization Service Account",
                          "userPrincipalName": "Sync_NWDC01_5f3c2a1b9e7d@" + INITIAL, "userType": "Member",
                          "createdDateTime": "2019-04-02T09:12:44Z"}
        self.guest = {"id": guid(r), "displayName": "John Doe",
                      "userPrincipalName": "j.doe_gmail.com#EXT#@" + INITIAL, "userType": "Guest",
                      "createdDateTime": "2024-09-03T14:20:11Z"}
        self.svc_sync2 = {"id": guid(r), "displayName": "svc-sync2", "userPrincipalName": "svc-sync2@" + DOMAIN,
                          "userType": "Member", "createdDateTime": "2026-11-16T22:41:07Z"}
        self.ip_of[self.svc_sync2["id"]] = ATTACKER_IP
        self.dev_user = {"id": guid(r), "displayName": "Grady Archie", "userPrincipalName": "grady.archie@" + DOMAIN,
                         "userType": "Member", "createdDateTime": "2020-01-20T08:15:00Z"}
        self.ip_of[self.dev_user["id"]] = "198.51.100.42"
        # Users handed out to roles / ownership without reuse, in a seeded order.
        self.user_order = list(range(6, len(self.users)))
        r.shuffle(self.user_order)
        self._next_user = 0

    def take_user(self):
        u = self.users[self.user_order[self._next_user % len(self.user_order)]]
        self._next_user += 1
        return u

    # --- applications -------------------------------------------------------------------------------
    def _chain(self, r, created, kind):
        if kind == "secret":
            days = pick_weighted(r, [(90, .15), (180, .55), (365, .22), (730, .08)])
        else:
            days = pick_weighted(r, [(365, .70), (730, .20), (1095, .10)])
        maintained = r.random() < 0.35
        start = created + r.randrange(60, 3 * DAY)
        out = []
        while True:
            end = start + days * DAY
            out.append((start, end))
            if not maintained:
                break
            nxt = end - r.randrange(1, 22) * DAY + r.randrange(0, DAY)
            if nxt >= NOW - 3600:
                break
            start = nxt
        keep = r.choice([1, 1, 1, 2, 2, 3])
        return out[-keep:]

    def _apps(self):
        r = self.R("apps")
        M = self.n_apps
        self.apps = []
        lo, hi = at(2019, 3, 20), at(2026, 10, 15)
        for i in range(M):
            a = {"i": i, "id": guid(r), "appId": guid(r), "sp_id": guid(r)}
            a["created"] = lo + r.randrange(0, hi - lo)
            a["kind"] = pick_weighted(r, [("saml", .04), ("public", .20), ("web", .46), ("daemon", .30)])
            a["has_sp"] = a["kind"] == "saml" or r.random() < 0.97
            a["name"] = "%s %s%s" % (r.choice(DEPTS), r.choice(THINGS), r.choice(ENVS))
            a["audience"] = pick_weighted(r, [("AzureADMyOrg", .80), ("AzureADMultipleOrgs", .15),
                                              ("AzureADandPersonalMicrosoftAccount", .05)])
            if a["kind"] == "saml":
                a["audience"] = "AzureADMyOrg"
            a["publisher"] = DOMAIN if r.random() < 0.7 else INITIAL
            a["keys"], a["pwds"], a["rotations"] = [], [], []
            a["roles"] = []          # (resource appId, role value, created)
            a["fics"] = []
            a["enabled"] = r.random() >= 0.01
            if a["kind"] in ("web", "daemon"):
                kinds = ["secret" if r.random() < 0.7 else "cert"]
                if r.random() < 0.2:
                    kinds.append("cert" if kinds[0] == "secret" else "secret")
                creds = []
                for k in kinds:
                    label = r.choice([None, "prod", "ci", "deploy", "app secret", a["name"]])
                    for (s, e) in self._chain(r, a["created"], k):
                        creds.append((s, e, k, label))
                creds.sort(key=lambda c: (c[0], c[1], c[2]))
                creds = creds[-3:]
                host = slug(a["name"].split(" (")[0].split(" - ")[0]) + "." + DOMAIN
                for (s, e, k, label) in creds:
                    if k == "secret":
                        frac = r.randrange(10 ** 7)
                        c = pwd_cred(r, s, e, label if label != a["name"] else "%s %d" % (label, time.gmtime(s).tm_year),
                                     frac)
                        a["pwds"].append(c)
                    elif e < NOW - 365 * DAY and r.random() < 0.05:
                        a["keys"].append(key_cred(r, s, e, None, ktype="Symmetric"))
                        c = a["keys"][-1]
                    else:
                        c = key_cred(r, s, e, "CN=" + host)
                        a["keys"].append(c)
                    if WINDOW_START <= s < NOW and s > a["created"] + 7 * DAY:
                        a["rotations"].append(c)
            self.apps.append(a)
        # Planted applications take fixed slots at the end (names and dates fixed, ids from the seed).
        if M < 20:
            raise SystemExit("graph_capture.py: --applications must be at least 20")
        P = self.apps[M - 5:]
        for a in P:
            a.update(kind="daemon", has_sp=True, keys=[], pwds=[], rotations=[], roles=[], fics=[], enabled=True,
                     audience="AzureADMyOrg", publisher=DOMAIN)
        self.p_backup, self.p_tenantauto, self.p_deploy, self.p_finance, self.p_legacy = P
        rp = self.R("planted-apps")
        b = self.p_backup
        b.update(name="Backup Orchestrator", created=at(2021, 4, 12, 9, 30, 11))
        b["keys"] = [key_cred(rp, at(2021, 4, 12, 9, 41, 2), at(2022, 4, 12, 9, 41, 2), "CN=backup-orchestrator." + DOMAIN),
                     key_cred(rp, at(2026, 11, 18, 1, 5, 12), at(2027, 11, 18, 1, 5, 12),
                              "CN=backup-orchestrator." + DOMAIN)]
        b["roles"] = [(GRAPH_APPID, "RoleManagement.ReadWrite.Directory", (at(2022, 5, 3, 10, 2, 7), 4471920))]
        self.plant("P1", ["entra.app-credentials", "entra.audit-credential-events", "entra.app-owners"],
                   "application", b["id"],
                   "certificate added 2026-11-18 to an app whose SP holds RoleManagement.ReadWrite.Directory",
                   b["name"])
        t = self.p_tenantauto
        t.update(name="Tenant Automation", created=at(2022, 8, 30, 13, 0, 45))
        f0 = rp.randrange(10 ** 7)
        t["pwds"] = [pwd_cred(rp, at(2026, 6, 1, 8, 0, 0), at(2026, 11, 28, 8, 0, 0), "automation", f0)]
        self.plant("P2", ["entra.sp-privileged-role", "entra.audit-role-and-consent-events"],
                   "servicePrincipal", t["sp_id"], "SP made Global Administrator 2026-11-18", t["name"])
        self.plant("P2", ["entra.app-owners"], "application", t["id"], "owned by a guest", t["name"])
        d = self.p_deploy
        d.update(name="Deploy Pipeline", created=at(2023, 2, 14, 16, 20, 0))
        d["roles"] = [(GRAPH_APPID, "Application.ReadWrite.All", (at(2024, 3, 5, 11, 45, 30), 1185093))]
        d["fics"] = [{"id": guid(rp), "name": "gh-deploy", "issuer": "https://token.actions.githubusercontent.com",
                      "subject": "repo:evil-org/infra:ref:refs/heads/main", "description": None,
                      "audiences": ["api://AzureADTokenExchange"]}]
        self.plant("P5", ["entra.federated-identity-credentials", "entra.app-owners"],
                   "application", d["id"], "GitHub FIC for a foreign repo on an app holding Application.ReadWrite.All",
                   d["name"])
        self.plant("P5", ["entra.critical-app-roles"], "servicePrincipal", d["sp_id"], "Application.ReadWrite.All",
                   d["name"])
        self.plant("P1", ["entra.critical-app-roles"], "servicePrincipal", b["sp_id"],
                   "RoleManagement.ReadWrite.Directory", b["name"])
        f = self.p_finance
        f.update(name="Finance Reports", created=at(2022, 1, 17, 10, 5, 9), kind="web")
        self.finance_sp_pwd = pwd_cred(rp, at(2026, 11, 21, 4, 40, 10), at(2027, 11, 21, 4, 40, 10), None,
                                       rp.randrange(10 ** 7))
        self.plant("P7", ["entra.sp-credentials", "entra.audit-credential-events"], "servicePrincipal", f["sp_id"],
                   "secret on the service principal added 2026-11-21", f["name"])
        lg = self.p_legacy
        lg.update(name="Legacy Connector", created=at(2021, 7, 8, 12, 0, 0))
        fl = rp.randrange(10 ** 7)
        lg["pwds"] = [{"customKeyIdentifier": None, "displayName": "never expires", "endDateTime": "2299-12-31T00:00:00Z",
                       "hint": "Lc4", "keyId": guid(rp), "secretText": None,
                       "startDateTime": ts(at(2021, 7, 8, 12, 14, 31), fl)}]
        self.plant("P8", ["entra.long-lived-credentials"], "application", lg["id"], "secret valid until 2299",
                   lg["name"])
        self.app_by_sp = {a["sp_id"]: a for a in self.apps if a["has_sp"]}

    # --- service principals -------------------------------------------------------------------------
    def _sps(self):
        r = self.R("sps")
        own = [a for a in self.apps if a["has_sp"]]
        fixed = len(FIRST_PARTY) + 2  # + MailGuard Archiver, Meeting Notes AI
        rest = self.n_sps - len(own) - fixed
        if rest < 0:
            raise SystemExit("graph_capture.py: --service-principals must be at least %d for %d applications"
                             % (len(own) + fixed, self.n_apps))
        n_ms = int(rest * 0.08)
        n_mi = int(rest * 0.12)
        n_3p = rest - n_ms - n_mi
        # entries: (kind, id, appId, name, extra)
        self.sp_entries = []
        self.fp_ids = {}
        for name, appid, spns in FIRST_PARTY:
            sid = guid(r)
            self.fp_ids[appid] = sid
            self.sp_entries.append(("fp", sid, appid, name, spns))
        for a in own:
            self.sp_entries.append(("own", a["sp_id"], a["appId"], a["name"], a["i"]))
        for _ in range(n_ms):
            self.sp_entries.append(("ms", guid(r), guid(r), "Microsoft %s %s" % (r.choice(MS_A), r.choice(MS_B)), None))
        for _ in range(n_mi):
            name = "%s-%s-%s" % (r.choice(MI_PREFIX), slug(r.choice(DEPTS)), slug(r.choice(THINGS)))
            if r.random() < 0.5:
                name += "-%02d" % r.randrange(1, 40)
            self.sp_entries.append(("mi", guid(r), guid(r), name, None))
        # Third-party publishers.
        n_pub = max(20, n_3p // 8)
        self.publishers = []
        for k in range(n_pub):
            co = "%s %s" % (r.choice(CO_A), r.choice(CO_B))
            if k >= len(CO_A) * len(CO_B) // 2:
                co += " %d" % k
            verified = r.random() < 0.4
            pub = {"tenant": guid(r), "name": co, "verified": verified,
                   "vp": ({"addedDateTime": ts(at(2020, 1, 1) + r.randrange(0, 6 * 365 * DAY)),
                           "displayName": co + ", Inc.", "verifiedPublisherId": str(r.randrange(1000000, 9999999))}
                          if verified else NULL_PUBLISHER)}
            self.publishers.append(pub)
        self.third_party = []
        for _ in range(n_3p):
            p = r.randrange(n_pub)
            name = "%s %s" % (self.publishers[p]["name"].split(" ")[0], r.choice(PRODUCTS))
            e = ("3p", guid(r), guid(r), name, p)
            self.sp_entries.append(e)
            self.third_party.append(e)
        # Planted third-party SPs.
        rp = self.R("planted-sps")
        self.mailguard = ("3px", guid(rp), guid(rp), "MailGuard Archiver",
                          {"tenant": guid(rp), "url": "https://app.mailguard-archiver.example/"})
        self.notes_ai = ("3px", guid(rp), guid(rp), "Meeting Notes AI",
                         {"tenant": guid(rp), "url": "https://app.meetingnotes-ai.example/"})
        self.mailguard_pwd = pwd_cred(rp, at(2026, 11, 22, 5, 11, 38), at(2027, 5, 21, 5, 11, 38), "mgarchiver-sync",
                                      7753610)
        self.sp_entries += [self.mailguard, self.notes_ai]
        self.exo_key = key_cred(rp, at(2026, 11, 17, 21, 4, 0), at(2027, 11, 17, 21, 4, 0),
                                "CN=Microsoft Exchange Server Auth Certificate")
        self.plant("P3", ["entra.first-party-sp-credentials", "entra.audit-credential-events"], "servicePrincipal",
                   self.fp_ids[EXO_APPID], "certificate on the Exchange Online SP from 2026-11-17",
                   "Office 365 Exchange Online")
        self.plant("P6", ["entra.third-party-sp-credentials", "entra.data-access-app-roles",
                          "entra.audit-credential-events"], "servicePrincipal", self.mailguard[1],
                   "tenant-local secret 2026-11-22 on a third-party SP holding full_access_as_app", "MailGuard Archiver")
        self.plant("P9", ["entra.tenant-wide-consent"], "servicePrincipal", self.notes_ai[1],
                   "AllPrincipals Mail.ReadWrite Files.ReadWrite.All consent, unverified third party",
                   "Meeting Notes AI")
        r.shuffle(self.sp_entries)

    # --- app role assignments on the rated resources -------------------------------------------------
    def _app_roles(self):
        r = self.R("approles")
        self.roles_by_value = {}
        for appid, roles in self.fx["appRoles"].items():
            self.roles_by_value[appid] = {x["value"]: x for x in roles}
        M = self.n_apps
        bench = self.apps[:M - 5]
        daemons = [a for a in bench if a["kind"] == "daemon" and a["has_sp"]]
        r.shuffle(daemons)

        def when(a):
            lo = max(a["created"] + DAY, at(2019, 4, 1))
            hi = NOW - 40 * DAY
            return (lo + r.randrange(0, max(1, hi - lo)), r.randrange(10 ** 7))

        n_data = max(3, round(M * 0.003))
        n_crit = max(2, round(M * 0.0005))
        n_exo = max(1, M // 3000)
        n_spo = max(1, M // 3000)
        pos = 0
        for a in daemons[pos:pos + n_crit]:
            a["roles"].append((GRAPH_APPID, r.choice(CRITICAL_GRAPH_ROLES), when(a)))
            a["roles"].append((GRAPH_APPID, "User.Read.All", when(a)))
        pos += n_crit
        for a in daemons[pos:pos + n_data]:
            a["roles"].append((GRAPH_APPID, r.choice(DATA_GRAPH_ROLES), when(a)))
        pos += n_data
        for a in daemons[pos:pos + n_exo]:
            a["roles"].append((EXO_APPID, "Exchange.ManageAsApp", when(a)))
        pos += n_exo
        for a in daemons[pos:pos + n_spo]:
            a["roles"].append((SPO_APPID, "Sites.Read.All", when(a)))
        pos += n_spo
        for a in daemons[pos:]:
            if r.random() < 0.2:
                for v in sorted(set(r.choice(BENIGN_GRAPH_ROLES) for _ in range(r.randrange(1, 4)))):
                    a["roles"].append((GRAPH_APPID, v, when(a)))
        self.tp_roles = []   # (sp entry, value, when)
        for e in self.third_party:
            if r.random() < 0.01:
                self.tp_roles.append((e, r.choice(["User.Read.All", "Calendars.Read", "Group.Read.All"]),
                                      (at(2020, 1, 1) + r.randrange(0, at(2026, 10, 1) - at(2020, 1, 1)),
                                       r.randrange(10 ** 7))))
        self.mailguard_role = (self.mailguard, EXO_APPID, "full_access_as_app", (at(2025, 5, 10, 14, 2, 55), 1234567))

        # Per resource: the assignment list, and whether a principal holds a rated role.
        from_rated = {"Mail.Read", "Mail.Send", "Files.Read.All", "Sites.Read.All", "Mail.ReadWrite",
                      "Sites.ReadWrite.All", "Chat.Read.All", "MailboxSettings.ReadWrite", "Sites.FullControl.All",
                      "Exchange.ManageAsApp", "full_access_as_app"} | set(CRITICAL_GRAPH_ROLES) | {
                          "RoleManagement.ReadWrite.Directory", "AppRoleAssignment.ReadWrite.All"}
        self.rated_holders = set()
        self.assigned = {appid: [] for appid in RATED}
        for a in self.apps:
            for res, value, w in a["roles"]:
                self.assigned[res].append((a["sp_id"], a["name"], value, w))
                if value in from_rated:
                    self.rated_holders.add(a["sp_id"])
        for e, value, w in self.tp_roles:
            self.assigned[GRAPH_APPID].append((e[1], e[3], value, w))
        e, res, value, w = self.mailguard_role
        self.assigned[res].append((e[1], e[3], value, w))
        for res in self.assigned:
            self.assigned[res].sort(key=lambda x: x[3])

    # --- directory roles ----------------------------------------------------------------------------
    def _roles(self):
        r = self.R("roles")
        defs = {d["displayName"]: d["templateId"] for d in self.fx["roleDefinitions"]}
        defs["Directory Readers"] = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
        self.role_tmpl = defs
        M, U = self.n_apps, len(self.users)
        ra = []   # (role name, principal dict (expanded))

        def user(u):
            return {"@odata.type": "#microsoft.graph.user", "id": u["id"], "displayName": u["displayName"],
                    "userPrincipalName": u["userPrincipalName"], "userType": u["userType"],
                    "createdDateTime": u["createdDateTime"]}

        self.admins = self.users[:6]
        for u in self.admins[:4]:
            ra.append(("Global Administrator", user(u)))
        ra.append(("Global Administrator", user(self.svc_sync2)))
        ra.append(("Privileged Role Administrator", user(self.admins[4])))
        ra.append(("Privileged Role Administrator", user(self.guest)))
        ra.append(("Hybrid Identity Administrator", user(self.admins[5])))
        ra.append(("Directory Synchronization Accounts", user(self.sync_user)))
        self.app_admins = []
        for name, n in [("Application Administrator", max(2, M // 1000)),
                        ("Cloud Application Administrator", max(2, M // 1000)),
                        ("User Administrator", max(2, U // 200)), ("Helpdesk Administrator", max(3, U // 100)),
                        ("Password Administrator", 1), ("Authentication Administrator", 2),
                        ("Security Administrator", 2), ("Exchange Administrator", 2), ("SharePoint Administrator", 2),
                        ("Conditional Access Administrator", 1), ("Global Reader", 3)]:
            for _ in range(n):
                u = self.take_user()
                ra.append((name, user(u)))
                if name in ("Application Administrator", "Cloud Application Administrator"):
                    self.app_admins.append(u)
        # A few app SPs read the directory through a role (not privileged).
        own = [a for a in self.apps[:M - 5] if a["has_sp"] and a["kind"] == "daemon"]
        for a in r.sample(own, min(len(own), max(2, M // 1000))):
            ra.append(("Directory Readers", self._sp_principal(a)))
        ta = self.p_tenantauto
        ra.append(("Global Administrator", self._sp_principal(ta)))
        self.role_assignments = []
        self.dir_role_sps = set()
        privileged = {"Global Administrator", "Privileged Role Administrator", "Privileged Authentication Administrator",
                      "Application Administrator", "Cloud Application Administrator", "Hybrid Identity Administrator",
                      "External Identity Provider Administrator", "Directory Synchronization Accounts",
                      "Partner Tier2 Support", "Security Administrator", "Exchange Administrator",
                      "SharePoint Administrator", "User Administrator", "Authentication Administrator",
                      "Conditional Access Administrator", "Helpdesk Administrator", "Password Administrator",
                      "Intune Administrator"}
        for name, pr in ra:
            tmpl = defs[name]
            self.role_assignments.append({"id": b64url_guids(tmpl, pr["id"]) + "-1", "directoryScopeId": "/",
                                          "principalId": pr["id"], "roleDefinitionId": tmpl, "principal": pr})
            if pr["@odata.type"].endswith("servicePrincipal") and name in privileged:
                self.dir_role_sps.add(pr["id"])
        self.plant("P10", ["entra.privileged-role-members"], "user", self.guest["id"],
                   "guest holds Privileged Role Administrator", self.guest["userPrincipalName"])
        self.plant("P10", ["entra.privileged-role-members", "entra.audit-role-and-consent-events"], "user",
                   self.svc_sync2["id"], "account created 2026-11-16 holds Global Administrator",
                   self.svc_sync2["userPrincipalName"])

    def _sp_principal(self, a):
        return {"@odata.type": "#microsoft.graph.servicePrincipal", "id": a["sp_id"], "displayName": a["name"],
                "appId": a["appId"], "servicePrincipalType": "Application", "appOwnerOrganizationId": self.tenant}

    # --- owners, FICs, grants -----------------------------------------------------------------------
    def _owners(self):
        r = self.R("owners")
        self.privileged_apps = {a["id"] for a in self.apps
                                if a["has_sp"] and (a["sp_id"] in self.rated_holders or a["sp_id"] in self.dir_role_sps)}

        def user_owner(u):
            return {"@odata.type": "#microsoft.graph.user", "id": u["id"], "displayName": u["displayName"],
                    "userPrincipalName": u["userPrincipalName"], "userType": u["userType"]}

        self.owners = {}
        self.dev_owner = {}
        for a in self.apps:
            if self.owners_mode != "all" and a["id"] not in self.privileged_apps:
                continue
            lst = []
            if a["id"] in self.privileged_apps and r.random() < 0.5:
                lst.append(user_owner(r.choice(self.app_admins)))
            else:
                n = 0 if (self.owners_mode == "all" and r.random() < 0.1) else r.choice([1, 1, 2])
                for _ in range(n):
                    lst.append(user_owner(self.take_user()))
            self.owners[a["id"]] = lst
        # Planted owners.
        self.owners[self.p_backup["id"]] = [user_owner(self.dev_user)]
        self.owners[self.p_tenantauto["id"]] = [user_owner(self.guest)]
        self.owners[self.p_deploy["id"]] = [{"@odata.type": "#microsoft.graph.servicePrincipal",
                                             "id": self.p_backup["sp_id"], "displayName": self.p_backup["name"],
                                             "appId": self.p_backup["appId"]}]
        for a in self.apps:
            lst = self.owners.get(a["id"])
            if lst and lst[0]["@odata.type"].endswith("user"):
                self.dev_owner[a["id"]] = lst[0]

    def _fics(self):
        r = self.R("fics")
        mis = [e for e in self.sp_entries if e[0] == "mi"]
        for a in self.apps[:self.n_apps - 5]:
            x = r.random()
            if x < 0.01 and mis:
                mi = r.choice(mis)
                a["fics"].append({"id": guid(r), "name": mi[3], "issuer": "https://login.microsoftonline.com/%s/v2.0"
                                  % self.tenant, "subject": mi[1], "description": "Managed identity %s" % mi[3],
                                  "audiences": ["api://AzureADTokenExchange"]})
            elif x < 0.015:
                repo = slug(a["name"].split(" (")[0])
                a["fics"].append({"id": guid(r), "name": "gh-" + repo, "issuer": "https://token.actions.githubusercontent.com",
                                  "subject": "repo:northwind-traders/%s:environment:production" % repo,
                                  "description": None, "audiences": ["api://AzureADTokenExchange"]})

    def _grants(self):
        r = self.R("grants")
        self.n_risky_consent = max(1, self.n_apps // 2000)
        webs = [a for a in self.apps[:self.n_apps - 5] if a["kind"] == "web" and a["has_sp"]]
        self.risky_consent_apps = set(a["id"] for a in r.sample(webs, min(len(webs), self.n_risky_consent)))

    # --- audit records with a meaning ---------------------------------------------------------------
    def _plant_audits(self):
        ev = self.audit_events
        sync2, admin = self.svc_sync2, self.admins[1]
        b, ta, fin = self.p_backup, self.p_tenantauto, self.p_finance
        ev.append((at(2026, 11, 16, 22, 41, 8), 3120554, "add_user", dict(actor=("user", admin, ATTACKER_IP, UA_BROWSER),
                                                                          user=sync2)))
        ev.append((at(2026, 11, 16, 22, 43, 52), 1093321, "role_member",
                   dict(actor=("user", admin, ATTACKER_IP, UA_BROWSER), role="Global Administrator",
                        target=("User", sync2["id"], None, sync2["userPrincipalName"]))))
        ev.append((at(2026, 11, 18, 1, 7, 33), 5521907, "app_creds",
                   dict(actor=("user", sync2, ATTACKER_IP, UA_PS), app=b, old=b["keys"][:1], new=b["keys"])))
        ev.append((at(2026, 11, 18, 1, 15, 48), 2016637, "role_member",
                   dict(actor=("user", sync2, ATTACKER_IP, UA_PS), role="Global Administrator",
                        target=("ServicePrincipal", ta["sp_id"], ta["name"], None), spn=ta["appId"])))
        ev.append((at(2026, 11, 18, 3, 2, 19), 8841230, "sp_creds",
                   dict(actor=("app", b), sp=(self.fp_ids[EXO_APPID], "Office 365 Exchange Online",
                                              "https://outlook.office365.com/;" + EXO_APPID), new=[self.exo_key])))
        ev.append((at(2026, 11, 19, 9, 14, 2), 6610325, "domain",
                   dict(actor=("user", sync2, ATTACKER_IP, UA_PS), activity="Add unverified domain", domain=UNVERIFIED,
                        props=[])))
        ev.append((at(2026, 11, 19, 9, 31, 40), 4458201, "domain",
                   dict(actor=("user", sync2, ATTACKER_IP, UA_PS), activity="Set domain authentication", domain=PARTNERS,
                        props=[("LiveType", enc(["Managed"]), enc(["Federated"]))])))
        ev.append((at(2026, 11, 19, 9, 31, 41), 9902114, "domain",
                   dict(actor=("user", sync2, ATTACKER_IP, UA_PS), activity="Set federation settings on domain",
                        domain=PARTNERS, props=[("IssuerUri", "[]", enc(["http://any.sts/B231A11F"])),
                                                ("SigningCertificateThumbprint", "[]",
                                                 enc(["829F08A7DF3050952A340F6866BFF2C16CC8B998"]))])))
        ev.append((at(2026, 11, 21, 4, 40, 11), 3347719, "sp_creds",
                   dict(actor=("app", b), sp=(fin["sp_id"], fin["name"], fin["appId"]), new=[self.finance_sp_pwd])))
        ev.append((at(2026, 11, 22, 5, 11, 39), 1170248, "sp_creds",
                   dict(actor=("app", b), sp=(self.mailguard[1], "MailGuard Archiver",
                                              self.mailguard[4]["url"] + ";" + self.mailguard[2]),
                        new=[self.mailguard_pwd])))
        # Coherent records for the benign rotations inside the window.
        r = self.R("rotation-audits")
        for a in self.apps:
            for c in a["rotations"]:
                start = c["startDateTime"]
                sec = calendar.timegm(time.strptime(start[:19], "%Y-%m-%dT%H:%M:%S"))
                owner = self.dev_owner.get(a["id"]) or self.users[r.randrange(len(self.users))]
                allc = a["keys"] + a["pwds"]
                old = [x for x in allc if x is not c]
                ev.append((sec + r.randrange(1, 30), r.randrange(10 ** 7), "app_creds",
                           dict(actor=("user", owner, self.ip_of.get(owner["id"], "198.51.100.10"), UA_BROWSER), app=a,
                                old=old, new=allc)))


# ----------------------------------------------------------------------------------------------------
# Rendering of the big collections
# ----------------------------------------------------------------------------------------------------
def render_app(p, a):
    rra = []
    if a["kind"] in ("web", "saml", "public"):
        rra.append({"resourceAppId": GRAPH_APPID, "resourceAccess": [{"id": SCOPE_IDS["User.Read"], "type": "Scope"}]})
    roles_by_res = {}
    for res, value, _w in a["roles"]:
        roles_by_res.setdefault(res, []).append({"id": p.roles_by_value[res][value]["id"], "type": "Role"})
    for res in sorted(roles_by_res):
        rra.append({"resourceAppId": res, "resourceAccess": roles_by_res[res]})
    return {"id": a["id"], "appId": a["appId"], "createdDateTime": ts(a["created"]), "displayName": a["name"],
            "publisherDomain": a["publisher"], "signInAudience": a["audience"], "keyCredentials": a["keys"],
            "passwordCredentials": a["pwds"], "requiredResourceAccess": rra}


def sp_obj(sid, appid, name, owner, spns, tags, keys, pwds, app_roles, publisher, sp_type="Application", sso=None,
           thumb=None, enabled=True):
    return {"id": sid, "accountEnabled": enabled, "appId": appid, "appOwnerOrganizationId": owner,
            "displayName": name, "preferredSingleSignOnMode": sso, "preferredTokenSigningKeyThumbprint": thumb,
            "servicePrincipalNames": spns, "servicePrincipalType": sp_type, "tags": tags, "appRoles": app_roles,
            "keyCredentials": keys, "passwordCredentials": pwds, "verifiedPublisher": publisher}


def render_sp(p, e, r):
    kind, sid, appid, name, extra = e
    if kind == "fp":
        keys = [p.exo_key] if appid == EXO_APPID else []
        return sp_obj(sid, appid, name, MSFT_TENANT, list(extra) + ([appid] if appid not in extra else []), [], keys, [],
                      p.fx["appRoles"].get(appid, []), NULL_PUBLISHER)
    if kind == "own":
        a = p.apps[extra]
        tags = (["HideApp"] if a["kind"] == "daemon" else []) + ["WindowsAzureActiveDirectoryIntegratedApp"]
        spns = ["api://" + appid, appid] if a["kind"] in ("web", "daemon") else [appid]
        keys, pwds, sso, thumb = [], [], None, None
        if a["kind"] == "saml":
            tags = ["WindowsAzureActiveDirectoryCustomSingleSignOnApplication",
                    "WindowsAzureActiveDirectoryGalleryApplicationNonPrimaryV1", "WindowsAzureActiveDirectoryIntegratedApp"]
            spns = ["https://%s.saas.example/sso" % slug(name.split(" (")[0]), appid]
            tb = thumb_bytes(r)
            cki = cki_of(tb)
            # Entra's SAML signing certificate lives 3 years and is renewed ~60 days before it expires.
            start = a["created"] + r.randrange(60, 30 * DAY)
            margin = r.randrange(30, 90) * DAY
            while start + 3 * 365 * DAY - margin < NOW:
                start += 3 * 365 * DAY - margin
            end = start + 3 * 365 * DAY
            cn = "CN=Microsoft Azure Federated SSO Certificate"
            keys = [key_cred(r, start, end, cn, usage="Sign", cki=cki), key_cred(r, start, end, cn, usage="Verify", cki=cki)]
            pwds = [pwd_cred(r, start, end, None, None, cki=cki, hint=False)]
            pwds[0]["startDateTime"], pwds[0]["endDateTime"] = ts(start), ts(end)
            sso, thumb = "saml", tb.hex().upper()
        if a is p.p_finance:
            pwds = [p.finance_sp_pwd]
        return sp_obj(sid, appid, name, p.tenant, spns, tags, keys, pwds, [], NULL_PUBLISHER, sso=sso, thumb=thumb,
                      enabled=a["enabled"])
    if kind == "ms":
        return sp_obj(sid, appid, name, MSFT_TENANT, [appid], [], [], [], [], NULL_PUBLISHER, enabled=r.random() >= 0.01)
    if kind == "mi":
        start = NOW - r.randrange(3600, 89 * DAY)
        key = key_cred(r, start, start + 90 * DAY, "CN=" + appid)
        spns = [appid, "https://identity.azure.net/" + base64.b64encode(thumb_bytes(r) + thumb_bytes(r)[:12]).decode()]
        return sp_obj(sid, appid, name, None, spns, [], [key], [], [], NULL_PUBLISHER, sp_type="ManagedIdentity")
    if kind == "3p":
        pub = p.publishers[extra]
        host = slug(pub["name"].split(" ")[0]) + ".example"
        return sp_obj(sid, appid, name, pub["tenant"], ["https://%s.%s/" % (slug(name.split(" ", 1)[-1]), host), appid],
                      ["WindowsAzureActiveDirectoryIntegratedApp"], [], [], [], pub["vp"], enabled=r.random() >= 0.01)
    if kind == "3px":
        pwds = [p.mailguard_pwd] if sid == p.mailguard[1] else []
        return sp_obj(sid, appid, name, extra["tenant"], [extra["url"], appid], ["WindowsAzureActiveDirectoryIntegratedApp"],
                      [], pwds, [], NULL_PUBLISHER)
    raise AssertionError(kind)


def assignment(p, r, res_appid, principal_id, principal_name, value, w):
    rid = p.fp_ids[res_appid]
    role = p.roles_by_value[res_appid][value]
    suffix = guid(r)
    return {"id": b64url_guids(principal_id, suffix), "appRoleId": role["id"], "createdDateTime": ts(w[0], w[1]),
            "principalDisplayName": principal_name, "principalId": principal_id, "principalType": "ServicePrincipal",
            "resourceDisplayName": dict((x[1], x[0]) for x in FIRST_PARTY)[res_appid], "resourceId": rid}


def federation(p, domain):
    if domain == FED_DOMAIN:
        host = "adfs." + DOMAIN
        return {"@odata.type": "#microsoft.graph.internalDomainFederation", "id": p.fed_ids[domain],
                "displayName": ORG_NAME, "issuerUri": "http://%s/adfs/services/trust" % host,
                "metadataExchangeUri": "https://%s/adfs/services/trust/mex" % host,
                "signingCertificate": p.fx["adfsSigning"], "passiveSignInUri": "https://%s/adfs/ls/" % host,
                "preferredAuthenticationProtocol": "wsFed",
                "activeSignInUri": "https://%s/adfs/services/trust/2005/usernamemixed" % host,
                "signOutUri": "https://%s/adfs/ls/" % host, "promptLoginBehavior": "nativeSupport",
                "isSignedAuthenticationRequestRequired": True, "nextSigningCertificate": None,
                "federatedIdpMfaBehavior": "rejectMfaByFederatedIdp",
                "signingCertificateUpdateStatus": {"certificateUpdateResult": "Success",
                                                   "lastRunDateTime": "2026-03-01T04:00:12.5518231Z"}}
    return {"@odata.type": "#microsoft.graph.internalDomainFederation", "id": p.fed_ids[domain], "displayName": domain,
            "issuerUri": "http://any.sts/B231A11F", "metadataExchangeUri": "https://any.sts/B231A11F/mex",
            "signingCertificate": p.fx["anyStsSigning"], "passiveSignInUri": "https://any.sts/B231A11F",
            "preferredAuthenticationProtocol": "wsFed",
            "activeSignInUri": "https://any.sts/B231A11F/trust/2005/usernamemixed",
            "signOutUri": "https://any.sts/B231A11F", "promptLoginBehavior": "nativeSupport",
            "isSignedAuthenticationRequestRequired": False, "nextSigningCertificate": None,
            "federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp",
            "signingCertificateUpdateStatus": {"certificateUpdateResult": "couldNotAccessRemoteHost",
                                               "lastRunDateTime": "2026-11-30T03:12:40.2284412Z"}}


# --- audit records -------------------------------------------------------------------------------------
def actor_json(actor):
    if actor[0] == "user":
        _k, u, ip, ua = actor
        return {"app": None, "user": {"id": u["id"], "displayName": None, "userPrincipalName": u["userPrincipalName"],
                                      "ipAddress": ip}}, ua
    a = actor[1]
    return {"app": {"appId": None, "displayName": a["name"], "servicePrincipalId": a["sp_id"],
                    "servicePrincipalName": None}, "user": None}, UA_PY


def prop(name, old, new):
    return {"displayName": name, "oldValue": old, "newValue": new}


def tgt(type_, id_, name, props=(), upn=None, group_type=None):
    return {"id": id_, "displayName": name, "type": type_, "userPrincipalName": upn, "groupType": group_type,
            "modifiedProperties": list(props)}


def audit_record(r, sec, frac, activity, category, optype, actor, targets):
    corr = guid(r)
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    shard = "".join(r.choice(alnum) for _ in range(5))
    init, ua = actor_json(actor)
    return {"id": "Directory_%s_%s_%d" % (corr, shard, r.randrange(10000000, 210000000)), "category": category,
            "correlationId": corr, "result": "success", "resultReason": "", "activityDisplayName": activity,
            "activityDateTime": ts(sec, frac), "loggedByService": "Core Directory", "operationType": optype,
            "initiatedBy": init, "targetResources": targets, "additionalDetails": [{"key": "User-Agent", "value": ua}]}


def render_event(p, r, sec, frac, kind, d):
    if kind == "add_user":
        u = d["user"]
        props = [prop("AccountEnabled", None, "[true]"), prop("DisplayName", None, enc([u["displayName"]])),
                 prop("UserPrincipalName", None, enc([u["userPrincipalName"]])),
                 prop("UserType", None, enc([u["userType"]])),
                 prop("Included Updated Properties", None, enc("AccountEnabled, DisplayName, UserPrincipalName, UserType"))]
        return audit_record(r, sec, frac, "Add user", "UserManagement", "Add", d["actor"],
                            [tgt("User", u["id"], None, props, upn=u["userPrincipalName"])])
    if kind == "role_member":
        tmpl = p.role_tmpl[d["role"]]
        ttype, tid, tname, tupn = d["target"]
        props = [prop("Role.ObjectID", None, enc(tmpl)), prop("Role.DisplayName", None, enc(d["role"])),
                 prop("Role.TemplateId", None, enc(tmpl)),
                 prop("Role.WellKnownObjectName", None, enc("TenantAdmins" if d["role"] == "Global Administrator" else ""))]
        if d.get("spn"):
            props.append(prop("TargetId.ServicePrincipalNames", None, enc(d["spn"])))
        return audit_record(r, sec, frac, "Add member to role", "RoleManagement", "Assign", d["actor"],
                            [tgt(ttype, tid, tname, props, upn=tupn), tgt("Role", tmpl, None)])
    if kind == "app_creds":
        a = d["app"]
        props = [prop("KeyDescription", enc([key_description(c) for c in d["old"]]),
                      enc([key_description(c) for c in d["new"]])),
                 prop("Included Updated Properties", None, enc("KeyDescription"))]
        return audit_record(r, sec, frac, UPDATE_APP_CREDS, "ApplicationManagement", "Update", d["actor"],
                            [tgt("Application", a["id"], a["name"], props)])
    if kind == "sp_creds":
        sid, name, spns = d["sp"]
        props = [prop("KeyDescription", "[]", enc([key_description(c) for c in d["new"]])),
                 prop("Included Updated Properties", None, enc("KeyDescription")),
                 prop("TargetId.ServicePrincipalNames", None, enc(spns))]
        return audit_record(r, sec, frac, "Add service principal credentials", "ApplicationManagement", "Update",
                            d["actor"], [tgt("ServicePrincipal", sid, name, props)])
    if kind == "domain":
        props = [prop(n, o, nv) for n, o, nv in d["props"]]
        if props:
            props.append(prop("Included Updated Properties", None, enc(", ".join(x[0] for x in d["props"]))))
        return audit_record(r, sec, frac, d["activity"], "DirectoryManagement",
                            "Add" if d["activity"].startswith("Add") else "Update", d["actor"],
                            [tgt("Other", None, d["domain"], props)])
    raise AssertionError(kind)


def noise_event(p, r, sec, frac):
    users = p.users
    actor_u = users[r.randrange(len(users))]
    actor = ("user", actor_u, p.ip_of[actor_u["id"]], UA_BROWSER)
    target = users[r.randrange(len(users))]
    k = pick_weighted(r, [("upd_user", .30), ("add_grp", .20), ("rm_grp", .08), ("reset", .08), ("upd_grp", .06),
                          ("upd_sp", .08), ("upd_app", .08), ("sts", .07), ("add_user", .05)])
    if k == "upd_user":
        attr = r.choice(["Department", "JobTitle", "MobilePhone", "OfficeLocation", "Manager"])
        props = [prop(attr, enc([r.choice(DEPTS)]), enc([r.choice(DEPTS)])),
                 prop("Included Updated Properties", None, enc(attr))]
        return audit_record(r, sec, frac, "Update user", "UserManagement", "Update", actor,
                            [tgt("User", target["id"], None, props, upn=target["userPrincipalName"])])
    if k in ("add_grp", "rm_grp"):
        gid_, gname = guid(r), "%s %s" % (r.choice(DEPTS), r.choice(["Team", "All", "Project", "Readers", "Owners"]))
        props = [prop("Group.ObjectID", None if k == "add_grp" else enc(gid_), enc(gid_) if k == "add_grp" else None),
                 prop("Group.DisplayName", None if k == "add_grp" else enc(gname), enc(gname) if k == "add_grp" else None)]
        return audit_record(r, sec, frac, "Add member to group" if k == "add_grp" else "Remove member from group",
                            "GroupManagement", "Assign" if k == "add_grp" else "Unassign", actor,
                            [tgt("User", target["id"], None, props, upn=target["userPrincipalName"]),
                             tgt("Group", gid_, gname, group_type="unifiedGroups")])
    if k == "reset":
        return audit_record(r, sec, frac, "Reset user password", "UserManagement", "Update", actor,
                            [tgt("User", target["id"], None, upn=target["userPrincipalName"])])
    if k == "sts":
        return audit_record(r, sec, frac, "Update StsRefreshTokenValidFrom Timestamp", "UserManagement", "Update", actor,
                            [tgt("User", target["id"], None, [prop("StsRefreshTokensValidFrom", enc([ts(sec - DAY * 90)]),
                                                                   enc([ts(sec)]))], upn=target["userPrincipalName"])])
    if k == "upd_grp":
        gid_ = guid(r)
        return audit_record(r, sec, frac, "Update group", "GroupManagement", "Update", actor,
                            [tgt("Group", gid_, "%s Team" % r.choice(DEPTS),
                                 [prop("Description", enc([""]), enc(["%s collaboration" % r.choice(DEPTS)]))],
                                 group_type="unifiedGroups")])
    if k == "add_user":
        fn, ln = r.choice(FIRST), r.choice(LAST)
        upn = "%s.%s%d@%s" % (fn.lower(), ln.lower(), r.randrange(100, 999), DOMAIN)
        props = [prop("AccountEnabled", None, "[true]"), prop("DisplayName", None, enc(["%s %s" % (fn, ln)])),
                 prop("UserPrincipalName", None, enc([upn])), prop("UserType", None, enc(["Member"]))]
        return audit_record(r, sec, frac, "Add user", "UserManagement", "Add", actor, [tgt("User", guid(r), None, props, upn=upn)])
    a = p.apps[r.randrange(p.n_apps - 5)]
    if k == "upd_sp" and a["has_sp"]:
        props = [prop("AppRoleAssignmentRequired", "[false]", "[true]"),
                 prop("Included Updated Properties", None, enc("AppRoleAssignmentRequired")),
                 prop("TargetId.ServicePrincipalNames", None, enc(a["appId"]))]
        return audit_record(r, sec, frac, "Update service principal", "ApplicationManagement", "Update", actor,
                            [tgt("ServicePrincipal", a["sp_id"], a["name"], props)])
    props = [prop("AppAddress", "[]", enc([{"AddressType": 0, "Address": "https://%s.%s/signin-oidc" %
                                            (slug(a["name"].split(" (")[0]), DOMAIN), "ReplyAddressClientType": 1,
                                            "ReplyAddressIndex": None, "IsReplyAddressDefault": False}])),
             prop("Included Updated Properties", None, enc("AppAddress"))]
    return audit_record(r, sec, frac, "Update application", "ApplicationManagement", "Update", actor,
                        [tgt("Application", a["id"], a["name"], props)])


# ----------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------
class Writer:
    def __init__(self, root):
        self.root = root
        self.files = 0
        self.bytes = 0
        self.made = set()

    def _open(self, rel):
        path = os.path.join(self.root, rel)
        d = os.path.dirname(path)
        if d not in self.made:
            os.makedirs(d, exist_ok=True)
            self.made.add(d)
        self.files += 1
        return open(path, "w", encoding="utf-8", newline="\n")

    def collection(self, request, items):
        """Streams {"value":[...]} for `request` (a Graph request path); returns the number of items."""
        n = 0
        with self._open(request + ".json") as f:
            f.write('{"value":[')
            buf = []
            for it in items:
                buf.append(dumps(it))
                n += 1
                if len(buf) >= 512:
                    f.write((("," if n > len(buf) else "") + ",".join(buf)))
                    buf = []
            if buf:
                f.write((("," if n > len(buf) else "") + ",".join(buf)))
            f.write("]}\n")
            self.bytes += f.tell()
        return n

    def raw(self, rel, text):
        with self._open(rel) as f:
            f.write(text)
            self.bytes += f.tell()


def write_capture(p, root):
    w = Writer(root)
    counts = {}
    org = {"id": p.tenant, "createdDateTime": "2019-03-14T10:22:31Z", "displayName": ORG_NAME,
           "verifiedDomains": [{"capabilities": ", ".join(s for s in d["supportedServices"]
                                                          if s in ("Email", "OfficeCommunicationsOnline")) or "None",
                                "isDefault": d["isDefault"], "isInitial": d["isInitial"], "name": d["id"],
                                "type": d["authenticationType"]} for d in p.domains if d["isVerified"]]}
    counts["organization"] = w.collection("organization", [org])
    counts["applications"] = w.collection("applications", (render_app(p, a) for a in p.apps))
    r_sp = p.R("render-sps")
    counts["servicePrincipals"] = w.collection("servicePrincipals", (render_sp(p, e, r_sp) for e in p.sp_entries))
    r_as = p.R("render-assignments")
    counts["appRoleAssignedTo"] = 0
    for res in RATED:
        rid = p.fp_ids[res]
        counts["appRoleAssignedTo"] += w.collection(
            "servicePrincipals/%s/appRoleAssignedTo" % rid,
            [assignment(p, r_as, res, pid, pname, value, wh) for pid, pname, value, wh in p.assigned[res]])
    counts["federatedIdentityCredentials files"] = 0
    counts["federatedIdentityCredentials"] = 0
    for a in p.apps:
        counts["federatedIdentityCredentials"] += w.collection("applications/%s/federatedIdentityCredentials" % a["id"],
                                                               a["fics"])
        counts["federatedIdentityCredentials files"] += 1
    counts["owners files"] = 0
    for a in p.apps:
        if a["id"] in p.owners:
            w.collection("applications/%s/owners" % a["id"], p.owners[a["id"]])
            counts["owners files"] += 1
    counts["domains"] = w.collection("domains", [dict(d) for d in p.domains])
    for d in p.domains:
        if d["authenticationType"] == "Federated":
            w.collection("domains/%s/federationConfiguration" % d["id"], [federation(p, d["id"])])
    counts["oauth2PermissionGrants"] = w.collection("oauth2PermissionGrants", grants(p))
    counts["roleDefinitions"] = w.collection("roleManagement/directory/roleDefinitions", role_definitions(p))
    counts["roleAssignments"] = w.collection("roleManagement/directory/roleAssignments", p.role_assignments)
    counts["directoryAudits"] = w.collection("auditLogs/directoryAudits", audits(p))
    manifest = {"tool": "adpersist bench/gen/graph_capture.py", "tenant": p.tenant,
                "graph": "https://graph.microsoft.com/v1.0", "time": ts(NOW), "audit_since": ts(WINDOW_START),
                "refused": [], "failed": [], "requests": w.files,
                "synthetic": {"generator": "bench/gen/graph_capture.py", "seed": p.seed,
                              "service_principals": p.n_sps, "applications": p.n_apps, "audits": p.n_audits,
                              "owners": p.owners_mode, "scan_now": ts(NOW), "planted": p.planted}}
    w.raw("_adpersist.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return w, counts


def grants(p):
    r = p.R("render-grants")
    graph = p.fp_ids[GRAPH_APPID]
    base = "openid profile email offline_access User.Read"
    for e in p.sp_entries:
        kind, sid = e[0], e[1]
        if kind == "own":
            a = p.apps[e[4]]
            if a["id"] in p.risky_consent_apps:
                yield {"id": b64url_guids(sid, graph), "clientId": sid, "consentType": "AllPrincipals",
                       "principalId": None, "resourceId": graph, "scope": base + " " + r.choice(["Files.Read.All",
                                                                                                  "Sites.Read.All"])}
            elif a["kind"] == "web" and r.random() < 0.5:
                yield {"id": b64url_guids(sid, graph), "clientId": sid, "consentType": "AllPrincipals",
                       "principalId": None, "resourceId": graph, "scope": base}
        elif kind == "3p" and r.random() < 0.2:
            u = p.users[r.randrange(len(p.users))]
            scope = r.choice(["openid profile User.Read", "openid profile email offline_access User.Read",
                              "User.Read Calendars.Read", "User.Read Mail.Read", "User.Read Files.Read"])
            yield {"id": b64url_guids(sid, graph, u["id"]), "clientId": sid, "consentType": "Principal",
                   "principalId": u["id"], "resourceId": graph, "scope": scope}
        elif kind == "3px" and sid == p.notes_ai[1]:
            yield {"id": b64url_guids(sid, graph), "clientId": sid, "consentType": "AllPrincipals", "principalId": None,
                   "resourceId": graph, "scope": "openid profile offline_access Mail.ReadWrite Files.ReadWrite.All"}


def role_definitions(p):
    defs = [dict(d) for d in p.fx["roleDefinitions"]]
    defs.append({"id": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "description": "Can read basic directory information. "
                 "Commonly used to grant directory read access to applications and guests.",
                 "displayName": "Directory Readers", "isBuiltIn": True, "isEnabled": True,
                 "templateId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
                 "rolePermissions": [{"allowedResourceActions": ["microsoft.directory/users/standard/read",
                                                                 "microsoft.directory/groups/standard/read",
                                                                 "microsoft.directory/applications/standard/read"],
                                      "condition": None}]})
    seen, out = set(), []
    for d in sorted(defs, key=lambda d: d["displayName"]):
        if d["id"] not in seen:
            seen.add(d["id"])
            out.append(d)
    return out


def audits(p):
    r = p.R("audits")
    n_noise = max(0, p.n_audits - len(p.audit_events))
    slots = []
    span = NOW - WINDOW_START
    for i in range(n_noise):
        slots.append((WINDOW_START + r.randrange(60, span - 60), r.randrange(10 ** 7), "noise", None))
    slots += p.audit_events
    slots.sort(key=lambda s: (s[0], s[1]), reverse=True)
    rr = p.R("render-audits")
    for sec, frac, kind, d in slots:
        if kind == "noise":
            yield noise_event(p, rr, sec, frac)
        else:
            yield render_event(p, rr, sec, frac, kind, d)


# ----------------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate a synthetic Microsoft Graph capture directory (adpersist "
                                             "scan --graph-dir) at scale, deterministically.")
    ap.add_argument("--out", required=True, help="capture directory to create (must not exist or be empty)")
    ap.add_argument("--service-principals", type=int, required=True, metavar="N")
    ap.add_argument("--applications", type=int, required=True, metavar="M")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--audits", type=int, default=None, metavar="K",
                    help="directory audit records (default 2*M + 50; at least the planted and rotation records)")
    ap.add_argument("--owners", choices=["privileged", "all"], default="privileged",
                    help="write applications/<id>/owners.json for the privileged applications (as the recorder "
                         "does) or for every application (as fixtures/tenant does)")
    args = ap.parse_args(argv)
    if args.applications < 20:
        ap.error("--applications must be at least 20")
    out = os.path.abspath(args.out)
    if os.path.lexists(out):
        if not os.path.isdir(out) or os.path.islink(out) or os.listdir(out):
            ap.error("%s exists and is not an empty directory" % args.out)
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        ap.error("parent directory %s does not exist" % parent)

    t0 = time.monotonic()
    n_audits = args.audits if args.audits is not None else 2 * args.applications + 50
    plan = Plan(args.service_principals, args.applications, args.seed, n_audits, args.owners)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(out) + ".tmp-", dir=parent)
    try:
        w, counts = write_capture(plan, tmp)
        os.chmod(tmp, 0o755)
        if os.path.isdir(out):
            os.rmdir(out)  # empty (checked above); rename() onto it would also work on Linux
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    secs = time.monotonic() - t0
    print("graph_capture: %s: %d service principals, %d applications, %d app role assignments, %d FIC files "
          "(%d FICs), %d owners files, %d grants, %d role assignments, %d audit records; %d files, %d bytes, "
          "%.1f s" % (args.out, counts["servicePrincipals"], counts["applications"], counts["appRoleAssignedTo"],
                      counts["federatedIdentityCredentials files"], counts["federatedIdentityCredentials"],
                      counts["owners files"], counts["oauth2PermissionGrants"], counts["roleAssignments"],
                      counts["directoryAudits"], w.files, w.bytes, secs), file=sys.stderr)
    return 0


FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "tenant")


def load_fixture(root=FIXTURE_DIR):
    """What the synthetic tenant borrows from fixtures/tenant: the rated resources' appRoles (real ids, values
    and display names), the built-in role definitions, and the base64 DER of two public certificates
    (certs/adfs-signing-2026.pem, certs/any-sts-2026.pem; no private key exists for them anywhere)."""
    def load(rel):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            return json.load(f)["value"]

    def der_base64(rel):
        with open(os.path.join(root, rel), encoding="ascii") as f:
            pem = f.read()
        body = pem.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)[0]
        return "".join(body.split())

    rated = ("00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0000-c000-000000000000",
             "00000003-0000-0ff1-ce00-000000000000")
    app_roles = {sp["appId"]: sp["appRoles"] for sp in load("servicePrincipals.json") if sp.get("appId") in rated}
    missing = [a for a in rated if a not in app_roles]
    if missing:
        raise SystemExit(f"graph_capture: {root}: no service principal with appId {missing[0]}")
    return {"adfsSigning": der_base64("certs/adfs-signing-2026.pem"),
            "anyStsSigning": der_base64("certs/any-sts-2026.pem"),
            "appRoles": {a: app_roles[a] for a in rated},
            "roleDefinitions": load("roleManagement/directory/roleDefinitions.json")}


if __name__ == "__main__":
    sys.exit(main())
