#!/usr/bin/python3
"""Seed corpora for the libFuzzer targets (tests/fuzz/*_fuzz.cpp), used by bench/fuzz.sh.

    fuzz_seeds.py ROOT OUTDIR

Writes OUTDIR/<target>/<sha1> files (raw bytes, one input each) from the repository's read-only fixtures:
the on-prem conformance vectors (hex, base64 and JSON files decoded to bytes; the SDDL/binary pairs, bulk
corpus included), the lab export's nTSecurityDescriptor, replPropertyMetaData, msDS-KeyCredentialLink and
other binary values (fixtures/lab/*.ldif), whole LDIF records, and fixtures/certs/*.der. A few hand-written
inputs cover formats the vectors lack (msDS-ReplValueMetaData, SID and time strings). Prints one line per
target with the number of seeds.

The Graph targets (graph_page, graph_batch, token) get real bodies only, none written here: Microsoft's
documentation samples (fixtures/vectors/graph, see its INDEX.md), the tenant capture's files
(fixtures/tenant), and what the repository's Graph stand-in (tests/graph/graph_server.py) answers when it
serves that capture: token responses (a minted access token, Entra-shaped errors), collection pages with
@odata.nextLink, $batch answers, Graph error bodies (400, 401, 403, 404, 429, 503) and a truncated page.
The server's own code makes them in-process (no socket, no TLS); it needs python3-cryptography.
"""

import base64
import glob
import gzip
import hashlib
import json
import os
import re
import sys
import tempfile
import urllib.parse
import uuid
from email.message import Message

LAB_BINARY = {
    "ntsecuritydescriptor": "security_descriptor",
    "msds-allowedtoactonbehalfofotheridentity": "security_descriptor",
    "msds-groupmsamembership": "security_descriptor",
    "replpropertymetadata": "repl_property_metadata",
    "objectsid": "sid",
    "sidhistory": "sid",
    "objectguid": "guid",
    "cacertificate": "x509",
    "usercertificate": "x509",
}
LAB_TEXT = {
    "whencreated": "ad_time",
    "whenchanged": "ad_time",
    "pwdlastset": "ad_time",
    "lastlogontimestamp": "ad_time",
    "msds-keycredentiallink": "dn_with_binary",
}
MAX_PER_ATTR = 400  # distinct lab values per attribute (they repeat across objects)
LDIF_CHUNK = 12000  # bytes of consecutive LDIF records per seed

VALUE_XML = (
    "<DS_REPL_VALUE_META_DATA>\n\t<pszAttributeName>member</pszAttributeName>\n"
    "\t<pszObjectDn>CN=Eve,CN=Users,DC=corp,DC=example</pszObjectDn>\n\t<cbData>0</cbData>\n\t<pbData></pbData>\n"
    "\t<ftimeDeleted>1601-01-01T00:00:00Z</ftimeDeleted>\n\t<ftimeCreated>2024-03-01T10:00:00Z</ftimeCreated>\n"
    "\t<dwVersion>1</dwVersion>\n\t<ftimeLastOriginatingChange>2024-03-01T10:00:00Z</ftimeLastOriginatingChange>\n"
    "\t<uuidLastOriginatingDsaInvocationID>8d2a1f5c-58d4-4efa-bcd2-f7d85ef53013</uuidLastOriginatingDsaInvocationID>\n"
    "\t<usnOriginatingChange>12776</usnOriginatingChange>\n\t<usnLocalChange>12776</usnLocalChange>\n"
    "\t<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,"
    "CN=Configuration,DC=corp,DC=example</pszLastOriginatingDsaDN>\n</DS_REPL_VALUE_META_DATA>\n\0"
)
HAND = {
    "sid": ["S-1-5-21-2457507606-2709100691-398136650-512", "S-1-1-0", "S-1-5-32-544", "S-1-0x0000FFFFFFFF-1",
            "S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14"],
    "guid": ["1131f6ad-9c07-11d1-f79f-00c04fc2dcd2", "{BF967ABA-0DE6-11D0-A285-00AA003049E2}"],
    "ad_time": ["20240301100000.0Z", "20240301100000Z", "20240301100000.123456+0000", "133541256000000000",
                "9223372036854775807", "0", "2026-11-28T12:00:00Z", "2026-11-28T12:00:00.5+05:30", "30d", "12h",
                "2w", "90m", "45s", "7"],
    "repl_metadata_xml": [VALUE_XML, VALUE_XML.replace("1601-01-01T00:00:00Z", "2024-04-01T09:00:00Z")
                          .replace("<dwVersion>1<", "<dwVersion>2<").replace("Eve", "E&amp;ve &#x263A;")],
    "sddl": ["O:BAG:SYD:PAI(A;;GA;;;SY)(OA;CIIO;RP;4c164200-20c0-11d0-a768-00aa006e0529;"
             "bf967aba-0de6-11d0-a285-00aa003049e2;RU)S:AI(OU;CISA;WP;;;WD)", "D:NO_ACCESS_CONTROL",
             "O:S-1-0x0000FFFFFFFF-7G:DAD:(D;;0x30;;;S-1-5-21-1-2-3-1105)(ML;;NWNR;;;LW)"],
    "ldif": ["version: 1\n\ndn:: Q049Wm/DqyxEQz14\nchangetype: add\nobjectClass: user\n\n",
             "dn: CN=x,DC=corp,DC=example\nmember;range=0-1: CN=a\nmember;range=2-*: CN=b\n description\n\n"
             "# numEntries: 1\n"],
}


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode()
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, hashlib.sha1(data).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[target] = self.count.get(target, 0) + 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def vectors(root, s):
    v = os.path.join(root, "fixtures", "vectors", "onprem")
    for path in glob.glob(os.path.join(v, "sid", "*.hex")):
        s.add("sid", bytes.fromhex(read(path).decode().strip()))
    for path in glob.glob(os.path.join(v, "keycredentiallink", "*.hex")):
        blob = bytes.fromhex(read(path).decode().strip())
        s.add("key_credential", blob)
        s.add("dn_with_binary", b"B:%d:%s:CN=x,DC=corp,DC=example" % (len(blob) * 2, blob.hex().upper().encode()))
    for path in glob.glob(os.path.join(v, "keycredentiallink", "*.txt")):
        s.add("dn_with_binary", read(path).strip())
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.b64")):
        s.add("security_descriptor", base64.b64decode(read(path)))
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.hex")):
        s.add("security_descriptor", bytes.fromhex(read(path).decode().strip()))
    for path in glob.glob(os.path.join(v, "security-descriptors", "*.txt")):
        s.add("sddl", read(path).strip())
    for path in glob.glob(os.path.join(v, "sddl-windows-pairs", "samba_win_*.json")):
        pair = json.loads(read(path))
        s.add("sddl", pair["sddl_input"])
        s.add("security_descriptor", bytes.fromhex(pair["windows_binary_hex"]))
    with gzip.open(os.path.join(v, "sddl-windows-pairs", "BULK_short-ordinary-acls.json.gz")) as f:
        for sddl, binary in json.load(f).items():
            s.add("sddl", sddl)
            s.add("security_descriptor", bytes(binary))
    for path in glob.glob(os.path.join(v, "replication-metadata", "*.b64")):
        s.add("repl_metadata_xml", base64.b64decode(read(path)))
    for path in glob.glob(os.path.join(v, "**", "*.expected.json"), recursive=True):
        text = read(path).decode()
        for token in ("ftimeLastOriginatingChange",):
            if token in text:
                for value in json.loads(text).get("expected_fields", {}).values():
                    if isinstance(value, str) and value.endswith("Z"):
                        s.add("ad_time", value)


def lab(root, s):
    per_attr = {}
    for path in sorted(glob.glob(os.path.join(root, "fixtures", "lab", "*.ldif"))):
        text = read(path).decode()
        # Records (ldif-wrap=no exports have no folded lines, but unfold anyway).
        records = [r for r in text.replace("\n ", "").split("\n\n") if r.strip()]
        for line in text.replace("\n ", "").splitlines():
            if ":" not in line or line.startswith("#"):
                continue
            attr, _, value = line.partition(":")
            name = attr.split(";")[0].lower()
            if value.startswith(":"):
                raw = base64.b64decode(value[1:].strip())
            else:
                raw = value.strip().encode()
            target = LAB_BINARY.get(name) or LAB_TEXT.get(name)
            if not target:
                continue
            seen = per_attr.setdefault(name, set())
            if raw in seen or len(seen) >= MAX_PER_ATTR:
                continue
            seen.add(raw)
            s.add(target, raw)
            if name == "msds-keycredentiallink":
                hexpart = raw.split(b":")[2]
                s.add("key_credential", bytes.fromhex(hexpart.decode()))
            if name == "objectguid":
                g = raw  # Data1..3 little-endian (MS-DTYP 2.3.4.2)
                text = "%08x-%04x-%04x-%s-%s" % (int.from_bytes(g[0:4], "little"), int.from_bytes(g[4:6], "little"),
                                                 int.from_bytes(g[6:8], "little"), g[8:10].hex(), g[10:].hex())
                s.add("guid", text)
        # LDIF seeds: the header comment block with the first record, every record alone, and runs of
        # consecutive records up to LDIF_CHUNK bytes (the last one carries the result trailer).
        chunk = ""
        for r in records:
            s.add("ldif", r + "\n")
            if chunk and len(chunk) + len(r) > LDIF_CHUNK:
                s.add("ldif", chunk)
                chunk = ""
            chunk += r + "\n\n"
        if chunk:
            s.add("ldif", chunk)
        s.add("ldif", "\n\n".join(records[:2]) + "\n\n" + "\n\n".join(records[-3:]) + "\n")


GRAPH_MAX = 16384  # bench/fuzz.sh -max_len of graph_page and graph_batch: larger bodies are not seeds


def graph_vectors(root, s):
    """Documentation samples: token bodies to `token`, the $batch answer to `graph_batch`, the rest (pages,
    single objects, error bodies, resource shapes, the two doc-invalid .jsonc) to `graph_page`."""
    v = os.path.join(root, "fixtures", "vectors", "graph")
    for path in sorted(glob.glob(os.path.join(v, "*.json")) + glob.glob(os.path.join(v, "*.jsonc"))):
        name = os.path.basename(path)
        data = read(path)
        if name.startswith("entra-docs.client-creds.token-"):
            s.add("token", data)
        elif name == "v1.0-2021.concept-json-batching.block-2.json":  # block-1 is the request
            s.add("graph_batch", data)
        else:
            s.add("graph_page", data)
    # The tenant capture, file by file (the capture contract: all pages merged into one "value").
    for path in sorted(glob.glob(os.path.join(root, "fixtures", "tenant", "**", "*.json"), recursive=True)):
        data = read(path)
        if len(data) <= GRAPH_MAX:
            s.add("graph_page", data)


# The collector's query options (collector.cpp initial_query; fixtures/tenant/README.md lists the $select).
GRAPH_QUERIES = {
    "applications": ["$top=999", "$select=id,appId,displayName,createdDateTime,keyCredentials,"
                     "passwordCredentials&$top=4"],
    "servicePrincipals": ["$top=3", "$select=id,appId,displayName,servicePrincipalType,appOwnerOrganizationId,"
                          "keyCredentials,passwordCredentials,appRoles&$top=2"],
    "domains": [""],
    "oauth2PermissionGrants": ["$top=4"],
    "organization": [""],
    "roleManagement/directory/roleDefinitions": ["$top=6"],
    "roleManagement/directory/roleAssignments": [
        "$expand=principal($select=id,displayName,userPrincipalName,userType,createdDateTime,appId,"
        "servicePrincipalType,appOwnerOrganizationId)&$top=5"],
    "auditLogs/directoryAudits": ["$filter=activityDateTime%20ge%202026-11-01T00:00:00Z&$top=4"],
}


class GraphStandIn:
    """tests/graph/graph_server.py's App over fixtures/tenant, called in-process."""

    CLIENT = "6f1b6c0e-2b7e-4d3a-9c55-0d4f3b1e8a21"  # a client id of our choosing, as in the integration tests
    SECRET = b"fuzz-seed-client-secret"

    def __init__(self, root, state, **config):
        sys.path.insert(0, os.path.join(root, "tests", "graph"))
        import graph_server as gs  # noqa: E402 (the stand-in lives in the test tree)
        self.gs = gs
        cfg = gs.Config(tenant="3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53", tenant_domains=["contoso.com"])
        for key, value in config.items():
            setattr(cfg, key, value)
        cfg.clients[self.CLIENT] = gs.Client(
            client_id=self.CLIENT, roles=["Application.Read.All", "Directory.Read.All", "AuditLog.Read.All"],
            secret=self.SECRET, certs=[], expires_in=None, object_id=str(uuid.uuid5(uuid.NAMESPACE_URL, self.CLIENT)))
        self.cfg = cfg
        self.app = gs.App(cfg, gs.Capture(os.path.join(root, "fixtures", "tenant")), state)
        self.app.set_port(8443)
        self.token = None

    def info(self, **headers):
        m = Message()
        for name, value in headers.items():
            m[name.replace("_", "-")] = value
        return self.gs.RequestInfo(m, 1795392000.0)  # 2026-11-22T00:00:00Z, inside the capture's window

    def token_request(self, form, tenant=None, method="POST"):
        tenant = tenant or self.cfg.tenant
        body = urllib.parse.urlencode(form).encode()
        r = self.app.tokens.handle(self.info(Content_Type="application/x-www-form-urlencoded"), method, tenant,
                                   f"/{tenant}/oauth2/v2.0/token", body)
        return r

    def login(self):
        r = self.token_request({"client_id": self.CLIENT, "scope": self.app.tokens.base_url + "/.default",
                                "grant_type": "client_credentials", "client_secret": self.SECRET.decode()})
        assert r.status == 200, r.body
        self.token = json.loads(r.body)["access_token"]
        return r

    def get(self, path, query, token=None):
        return self.app.graph.get(self.info(Authorization="Bearer " + (token or self.token)), "/v1.0/" + path, query)

    def batch(self, urls):
        body = json.dumps({"requests": [{"id": str(i), "method": "GET", "url": u} for i, u in enumerate(urls)]})
        return self.app.graph.batch(self.info(Authorization="Bearer " + self.token, Content_Type="application/json"),
                                    body.encode())

    def close(self):
        self.app.close()


def graph_server_seeds(root, s):
    try:
        import cryptography  # noqa: F401 (graph_server.py imports it)
    except ImportError:
        print("fuzz_seeds: python3-cryptography missing: no Graph test server seeds", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as state:
        g = GraphStandIn(root, state)
        tenant = g.cfg.tenant
        # Token endpoint: a success (its access token, and the token's claims JSON), then Entra's errors.
        ok = g.login()
        s.add("token", ok.body)
        s.add("token", g.token)
        s.add("token", g.gs.b64url_decode(g.token.split(".")[1]))
        scope = g.app.tokens.base_url + "/.default"
        base = {"client_id": g.CLIENT, "scope": scope, "grant_type": "client_credentials"}
        for form, kw in [
            (dict(base, client_secret="wrong"), {}),
            (dict(base, scope="https://graph.microsoft.com/.default", client_secret=g.SECRET.decode()), {}),
            (dict(base, client_id="00000000-0000-0000-0000-00000000beef", client_secret="x"), {}),
            (dict(base, grant_type="password", client_secret="x"), {}),
            (dict(base), {}),
            (dict(base, client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                  client_assertion="e30.e30.c2ln"), {}),
            (dict(base, client_secret="x"), {"tenant": "fabrikam.example"}),
            (dict(base, client_secret="x"), {"method": "GET"}),
        ]:
            r = g.token_request(form, **kw)
            assert r.status != 200
            s.add("token", r.body)

        # Collection pages, following @odata.nextLink as the collector does.
        for path, queries in GRAPH_QUERIES.items():
            for query in queries:
                r = g.get(path, query)
                for _ in range(12):
                    if len(r.body) <= GRAPH_MAX:
                        s.add("graph_page", r.body)
                    link = json.loads(r.body).get("@odata.nextLink")
                    if r.status != 200 or not link:
                        break
                    u = urllib.parse.urlsplit(link)
                    r = g.get(u.path[len("/v1.0/"):], u.query)
        # Per-object collections and a single object.
        sp_ids = sorted(os.listdir(os.path.join(root, "fixtures", "tenant", "servicePrincipals")))
        app_ids = sorted(os.listdir(os.path.join(root, "fixtures", "tenant", "applications")))
        s.add("graph_page", g.get(f"servicePrincipals/{sp_ids[0]}/appRoleAssignedTo", "$top=999").body)
        s.add("graph_page", g.get(f"applications/{app_ids[0]}/owners",
                                  "$select=id,displayName,userPrincipalName,userType,appId&$top=999").body)
        s.add("graph_page", g.get("domains/partners.contoso.com/federationConfiguration", "").body)
        # Graph's error bodies: 404, 400 (bad $top, forged $skiptoken, unsupported $filter), 401.
        s.add("graph_page", g.get("servicePrincipals/00000000-0000-0000-0000-000000000000/owners", "").body)
        s.add("graph_page", g.get("applications", "$top=0").body)
        s.add("graph_page", g.get("applications", "$top=2&$skiptoken=AAAA").body)
        s.add("graph_page", g.get("domains", "$filter=isRoot%20eq%20true").body)
        s.add("graph_page", g.get("applications", "", token=g.token[:-4] + "AAAA").body)

        # $batch answers to the collector's per-object requests (ids "0".., answered in reverse order),
        # one with a 404 among them.
        owners = "/owners?$select=id,displayName,userPrincipalName,userType,appId&$top=999"
        fics = "/federatedIdentityCredentials?$select=id,name,issuer,subject,audiences,description&$top=999"
        art = "/appRoleAssignedTo?$select=id,principalId,principalType,appRoleId,resourceId,createdDateTime&$top=999"
        batches = [
            ["/applications/" + a + owners for a in app_ids[:4]],
            ["/applications/" + a + fics for a in app_ids[4:10]],
            ["/servicePrincipals/" + i + art for i in sp_ids[:2]],
            ["/domains/partners.contoso.com/federationConfiguration",
             "/domains/fed.contoso.com/federationConfiguration",
             "/applications/00000000-0000-0000-0000-000000000000" + owners],
        ]
        for urls in batches:
            r = g.batch(urls)
            if len(r.body) <= GRAPH_MAX:
                s.add("graph_batch", r.body)
        g.close()

    # Faults the stand-in injects: 403 denials, 429 and 503 with Retry-After (alone and inside a $batch), and
    # a page cut in half.
    gs = sys.modules["graph_server"]
    with tempfile.TemporaryDirectory() as state:
        g = GraphStandIn(root, state, deny=[re.compile("^auditLogs")], truncate=[re.compile("^applications$")],
                         throttle_every=3, throttle_fault=gs.Fault(429, "2.5", *gs.FAULT_DEFAULTS[429]))
        g.login()
        for path, query in [("auditLogs/directoryAudits", ""), ("applications", "$top=3"), ("domains", ""),
                            ("organization", "")]:
            s.add("graph_page", g.get(path, query).body)
        r = g.batch(["/domains", "/organization", "/auditLogs/directoryAudits", "/applications?$top=1"])
        s.add("graph_batch", r.body)
        g.close()
    with tempfile.TemporaryDirectory() as state:
        g = GraphStandIn(root, state, bursts=[gs.Burst(0, 2, gs.Fault(503, "1", *gs.FAULT_DEFAULTS[503]))])
        g.login()
        s.add("graph_page", g.get("domains", "").body)
        s.add("graph_batch", g.batch(["/domains", "/organization", "/oauth2PermissionGrants?$top=2"]).body)
        g.close()


def main():
    root, out = sys.argv[1], sys.argv[2]
    s = Seeds(out)
    vectors(root, s)
    lab(root, s)
    graph_vectors(root, s)
    graph_server_seeds(root, s)
    for path in glob.glob(os.path.join(root, "fixtures", "certs", "*.der")):
        s.add("x509", read(path))
    for target, items in HAND.items():
        for item in items:
            s.add(target, item)
    for target in sorted(s.count):
        print(f"{target}\t{s.count[target]}")


if __name__ == "__main__":
    main()
