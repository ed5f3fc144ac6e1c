#!/usr/bin/python3
"""Self-test of graph_server.py: starts real server processes on a small
capture written to a temp dir and talks to them over verified HTTPS.

    python3 tests/graph/selftest.py [-v]

Standard library + python3-cryptography only. Four servers: "main" (no
faults), "faults" (429/503/504 schedule, deny, required roles), "limits"
(a tiny resource-unit bucket and reports limit) and "lifecycle" (latency;
started and stopped through start.sh/stop.sh).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "graph_server.py")
PYTHON = sys.executable

TENANT = "5f1c3a9e-0b7d-4c2e-9a61-3d8e2b4f7a10"
CLIENT = "8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f"        # certificate + secret, all roles
CLIENT_SHORT = "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"  # secret, 1 s tokens
SECRET = "s3cr3t~Value.with+plus&amp=equals"          # form-encoding matters
ROLES = ["Application.Read.All", "Directory.Read.All", "AuditLog.Read.All",
         "RoleManagement.Read.Directory"]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def process_alive(pid: int) -> bool:
    """Exists and is not a zombie (a server started by start.sh is not our
    child, so nobody here reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def guid(n: int, ns: str = "sp") -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{ns}{n}.adpersist.test"))


# --------------------------------------------------------------------------
# Fixtures: client keys/certificates and a small capture
# --------------------------------------------------------------------------

def make_client_cert(cn: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return key, cert


SP_IDS = [guid(i) for i in range(250)]
APP_IDS = [guid(i, "app") for i in range(3)]


def write_capture(root: str) -> None:
    def put(rel: str, body) -> None:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)

    sps = []
    for i, spid in enumerate(SP_IDS):
        sp = {"id": spid, "appId": guid(i, "appid"), "displayName": f"sp-{i:03d} ünïcode",
              "servicePrincipalType": "Application", "keyCredentials": []}
        if i % 2 == 0:
            sp["tags"] = ["WindowsAzureActiveDirectoryIntegratedApp"]
        sps.append(sp)
    # Array-of-pages form (as the collector saved it): 150 + 100.
    put("servicePrincipals.json", [
        {"@odata.context": "x", "value": sps[:150], "@odata.nextLink": "https://graph/next"},
        {"@odata.context": "x", "value": sps[150:]},
    ])
    put("applications.json", {"value": [{"id": a, "appId": guid(i, "appid"),
                                         "displayName": f"app-{i}"} for i, a in enumerate(APP_IDS)]})
    put(f"applications/{APP_IDS[0]}/owners.json", {"value": [
        {"@odata.type": "#microsoft.graph.user", "id": guid(1, "user"), "displayName": "Alice",
         "userPrincipalName": "alice@contoso.com"},
        {"@odata.type": "#microsoft.graph.servicePrincipal", "id": SP_IDS[7], "displayName": "sp-007"},
    ]})
    put(f"applications/{APP_IDS[0]}/federatedIdentityCredentials.json", {"value": []})
    put(f"servicePrincipals/{SP_IDS[0]}/appRoleAssignedTo.json", {"value": [
        {"id": "41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE", "appRoleId": guid(9, "role"),
         "principalId": guid(2, "user"), "principalType": "User", "resourceId": SP_IDS[0]}]})
    put(f"servicePrincipals/{SP_IDS[1]}.json", {"id": SP_IDS[1], "displayName": "single",
                                                "appId": guid(1, "appid")})
    put("roleManagement/directory/roleAssignments.json", {"value": [
        {"id": "lAPpYvVpN0KRkAEhdxReEMmO4KwRqtpKkUWt3wOYIz4-1", "principalId": guid(1, "user"),
         "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/",
         "principal": {"@odata.type": "#microsoft.graph.user", "id": guid(1, "user"),
                       "displayName": "Alice", "userPrincipalName": "alice@contoso.com"}},
        {"id": "lAPpYvVpN0KRkAEhdxReEC6Xh29-LklLmYDrOIi9z-E-1", "principalId": SP_IDS[7],
         "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/",
         "principal": {"@odata.type": "#microsoft.graph.servicePrincipal", "id": SP_IDS[7],
                       "displayName": "sp-007", "appId": guid(7, "appid")}},
    ]})
    audits = [{"id": f"Directory_{d:02d}", "activityDisplayName": "Add service principal",
               "activityDateTime": f"2024-05-{d:02d}T12:00:00.1234567Z"} for d in range(1, 11)]
    # Sub-microsecond boundary: ticks, not datetime, must decide this one.
    audits.append({"id": "Directory_edge", "activityDisplayName": "x",
                   "activityDateTime": "2024-05-05T00:00:00.0000001Z"})
    put("auditLogs/directoryAudits.json", {"value": audits})
    put("organization.json", {"value": [{"id": TENANT, "displayName": "Contoso"}]})
    put("domains.json", {"value": [{"id": "contoso.com", "authenticationType": "Federated"}]})
    put("domains/contoso.com/federationConfiguration.json", {"value": [
        {"id": guid(1, "fed"), "issuerUri": "http://contoso.com/adfs/services/trust"}]})
    put("_adpersist.json", {"tool": "adpersist", "note": "metadata, never served"})


# --------------------------------------------------------------------------
# Server process + HTTPS client helpers
# --------------------------------------------------------------------------

class Reply:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Server:
    """A graph_server.py child process and a verified-TLS client for it."""

    def __init__(self, workdir: str, name: str, capture: str, config: dict, start: bool = True):
        self.state = os.path.join(workdir, f"state-{name}")
        self.config_path = os.path.join(workdir, f"config-{name}.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.capture = capture
        self.proc = None
        if start:
            self.log = open(os.path.join(workdir, f"server-{name}.log"), "wb")
            self.proc = subprocess.Popen(
                [PYTHON, SERVER, "--capture", capture, "--state-dir", self.state,
                 "--config", self.config_path],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
            self.wait_ready()

    def wait_ready(self, timeout: float = 20) -> None:
        port_file = os.path.join(self.state, "port")
        deadline = time.monotonic() + timeout
        while not os.path.exists(port_file):
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        self.base = f"https://127.0.0.1:{self.port}"
        self.ctx = ssl.create_default_context(cafile=os.path.join(self.state, "ca.pem"))
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self.ctx))
        self.token_url = f"{self.base}/{TENANT}/oauth2/v2.0/token"
        self._tokens = {}

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self.log.close()

    def request(self, method: str, url: str, body: bytes = None, headers: dict = None) -> Reply:
        if url.startswith("/"):
            url = self.base + url
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=15) as r:
                return Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.headers, e.read())

    def post_token(self, fields: dict, headers: dict = None, url: str = None) -> Reply:
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", url or self.token_url,
                            urllib.parse.urlencode(fields).encode(), h)

    def secret_token(self, client: str = CLIENT, secret: str = SECRET) -> str:
        r = self.post_token({"grant_type": "client_credentials", "client_id": client,
                             "client_secret": secret, "scope": f"{self.base}/.default"})
        assert r.status == 200, r.body
        return r.json()["access_token"]

    def token(self, client: str = CLIENT) -> str:
        if client not in self._tokens:
            self._tokens[client] = self.secret_token(client)
        return self._tokens[client]

    def get(self, path: str, token: str = None, headers: dict = None) -> Reply:
        h = {"Authorization": f"Bearer {token or self.token()}"}
        h.update(headers or {})
        return self.request("GET", path, headers=h)

    def batch(self, requests: list, token: str = None, path: str = "/v1.0/$batch") -> Reply:
        return self.request("POST", path, json.dumps({"requests": requests}).encode(),
                            {"Authorization": f"Bearer {token or self.token()}",
                             "Content-Type": "application/json"})

    def stats(self) -> dict:
        return self.request("GET", "/_stats").json()

    def reset(self) -> None:
        assert self.request("POST", "/_stats/reset", b"").status == 200


# --------------------------------------------------------------------------
# Shared fixture
# --------------------------------------------------------------------------

class Fixture:
    """Keys, capture and configs shared by all test classes (built once)."""
    _instance = None

    @classmethod
    def get(cls) -> "Fixture":
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="adp-graph-selftest-")
        self.capture = os.path.join(self.dir, "capture")
        write_capture(self.capture)
        self.key, self.cert = make_client_cert("adpersist-collector")
        self.rogue_key, self.rogue_cert = make_client_cert("not-registered")
        der = self.cert.public_bytes(serialization.Encoding.DER)
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.x5t_s256 = b64url(hashlib.sha256(der).digest())
        rogue_der = self.rogue_cert.public_bytes(serialization.Encoding.DER)
        self.rogue_x5t_s256 = b64url(hashlib.sha256(rogue_der).digest())
        with open(os.path.join(self.dir, "client.pem"), "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        with open(os.path.join(self.dir, "secret.txt"), "w") as f:
            f.write(SECRET + "\n")

    def config(self, **extra) -> dict:
        cfg = {"tenant": TENANT, "tenant_domains": ["contoso.onmicrosoft.com"],
               "clients": {
                   CLIENT: {"certificate": "client.pem", "secret_file": "secret.txt", "roles": ROLES},
                   CLIENT_SHORT: {"secret_file": "secret.txt", "roles": ROLES, "expires_in": 1}}}
        cfg.update(extra)
        return cfg

    def assertion(self, aud: str, alg: str = "PS256", key=None, header: dict = None,
                  claims: dict = None, drop: tuple = (), salt=32, lifetime: int = 300) -> str:
        now = int(time.time())
        hdr = {"alg": alg, "typ": "JWT"}
        if alg == "PS256":
            hdr["x5t#S256"] = self.x5t_s256
        else:
            hdr["x5t"] = self.x5t
        hdr.update(header or {})
        body = {"aud": aud, "iss": CLIENT, "sub": CLIENT, "jti": str(uuid.uuid4()),
                "nbf": now, "iat": now, "exp": now + lifetime}
        body.update(claims or {})
        for name in drop:
            body.pop(name, None)
        signing_input = (b64url(json.dumps(hdr).encode()) + "." +
                         b64url(json.dumps(body).encode())).encode()
        key = key or self.key
        if alg == "PS256":
            pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
        else:
            pad = padding.PKCS1v15()
        return signing_input.decode() + "." + b64url(key.sign(signing_input, pad, hashes.SHA256()))


def batch_get(item_id: str, url: str, **extra) -> dict:
    return {"id": item_id, "method": "GET", "url": url, **extra}


def responses_by_id(reply: Reply) -> dict:
    return {r["id"]: r for r in reply.json()["responses"]}


def assertion_form(server: Server, assertion: str) -> dict:
    return {"grant_type": "client_credentials", "client_id": CLIENT,
            "scope": f"{server.base}/.default",
            "client_assertion_type": JWT_BEARER, "client_assertion": assertion}


# --------------------------------------------------------------------------
# Token endpoint and Graph behaviour (no faults)
# --------------------------------------------------------------------------

class MainServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture.get()
        cls.srv = Server(cls.fx.dir, "main", cls.fx.capture, cls.fx.config())

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    # ---- helpers ----

    def token_error(self, reply: Reply, status: int, error: str, code: int) -> dict:
        self.assertEqual(reply.status, status, reply.body)
        body = reply.json()
        self.assertEqual(body["error"], error, body)
        self.assertEqual(body["error_codes"], [code], body)
        # Microsoft's shape: description ends with trace/correlation/timestamp lines.
        desc = body["error_description"]
        self.assertTrue(desc.startswith(f"AADSTS{code}: "), desc)
        self.assertIn(f"\r\nTrace ID: {body['trace_id']}\r\nCorrelation ID: "
                      f"{body['correlation_id']}\r\nTimestamp: {body['timestamp']}", desc)
        for key in ("timestamp", "trace_id", "correlation_id"):
            self.assertIn(key, body)
        return body

    def assert_assertion_rejected(self, assertion: str, code: int, status: int = 401) -> dict:
        r = self.srv.post_token(assertion_form(self.srv, assertion))
        return self.token_error(r, status, "invalid_client", code)

    def collect(self, path: str, token: str = None) -> list:
        """Follow @odata.nextLink verbatim; returns the list of page bodies."""
        pages, url = [], path
        while url:
            r = self.srv.get(url, token)
            self.assertEqual(r.status, 200, r.body)
            body = r.json()
            pages.append(body)
            url = body.get("@odata.nextLink")
            self.assertLess(len(pages), 50)
        return pages

    # ---- TLS ----

    def test_tls_verified(self):
        # Trusted through ca.pem by IP and by name ...
        self.assertEqual(self.srv.request("GET", "/_stats").status, 200)
        self.assertEqual(self.srv.request("GET", f"https://localhost:{self.srv.port}/_stats").status, 200)
        # ... and refused by a client that does not trust the test CA.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ssl.create_default_context()))
        with self.assertRaises(urllib.error.URLError) as cm:
            opener.open(f"{self.srv.base}/_stats", timeout=10)
        self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)
        # TLS 1.2+ is negotiated; a client capped at TLS 1.1 gets no session.
        with self.srv.ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.srv.port), 10),
                                      server_hostname="127.0.0.1") as s:
            self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(os.path.join(self.srv.state, "ca.pem"))
        with warnings.catch_warnings():      # TLSv1_1 itself is deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        with self.assertRaises((ssl.SSLError, OSError)):
            with old.wrap_socket(socket.create_connection(("127.0.0.1", self.srv.port), 10),
                                 server_hostname="127.0.0.1"):
                pass

    # ---- client secret ----

    def test_secret_in_body(self):
        r = self.srv.post_token({"grant_type": "client_credentials", "client_id": CLIENT,
                                 "client_secret": SECRET, "scope": f"{self.srv.base}/.default"})
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3599)
        claims = jwt_payload(body["access_token"])
        self.assertEqual(claims["roles"], ROLES)
        self.assertEqual(claims["tid"], TENANT)
        self.assertEqual(claims["appid"], CLIENT)
        self.assertEqual(claims["appidacr"], "1")
        self.assertAlmostEqual(claims["exp"], time.time() + 3599, delta=5)
        self.assertIn("no-store", r.headers["Cache-Control"])

    def test_secret_http_basic(self):
        # RFC 6749 2.3.1: form-encode both halves, then base64.
        creds = f"{urllib.parse.quote_plus(CLIENT)}:{urllib.parse.quote_plus(SECRET)}"
        auth = "Basic " + base64.b64encode(creds.encode()).decode()
        r = self.srv.post_token({"grant_type": "client_credentials",
                                 "scope": f"{self.srv.base}/.default"}, {"Authorization": auth})
        self.assertEqual(r.status, 200, r.body)
        # Tenant given as a verified domain name works too.
        url = f"{self.srv.base}/contoso.onmicrosoft.com/oauth2/v2.0/token"
        r = self.srv.post_token({"grant_type": "client_credentials",
                                 "scope": f"{self.srv.base}/.default"}, {"Authorization": auth}, url)
        self.assertEqual(r.status, 200, r.body)

    def test_wrong_secret(self):
        r = self.srv.post_token({"grant_type": "client_credentials", "client_id": CLIENT,
                                 "client_secret": SECRET + "x", "scope": f"{self.srv.base}/.default"},
                                {"client-request-id": "7e1a9c55-3f0e-4b7e-9a0a-0d0c8f1e2b3a"})
        body = self.token_error(r, 401, "invalid_client", 7000215)
        # Entra uses the caller's client-request-id as correlation id.
        self.assertEqual(body["correlation_id"], "7e1a9c55-3f0e-4b7e-9a0a-0d0c8f1e2b3a")

    def test_two_auth_methods_refused(self):
        fields = assertion_form(self.srv, self.fx.assertion(self.srv.token_url))
        fields["client_secret"] = SECRET
        self.token_error(self.srv.post_token(fields), 400, "invalid_request", 9002313)

    def test_request_errors(self):
        base = {"grant_type": "client_credentials", "client_id": CLIENT,
                "client_secret": SECRET, "scope": f"{self.srv.base}/.default"}
        body = self.token_error(self.srv.post_token({**base, "scope": "https://graph.microsoft.com/.default"}),
                                400, "invalid_scope", 70011)
        self.assertIn("The scope https://graph.microsoft.com/.default is not valid.",
                      body["error_description"])
        self.token_error(self.srv.post_token(base, url=f"{self.srv.base}/{uuid.uuid4()}/oauth2/v2.0/token"),
                         400, "invalid_request", 90002)
        self.token_error(self.srv.post_token({**base, "client_id": str(uuid.uuid4())}),
                         400, "unauthorized_client", 700016)
        self.token_error(self.srv.post_token({**base, "grant_type": "password"}),
                         400, "unsupported_grant_type", 70003)
        self.token_error(self.srv.post_token({k: v for k, v in base.items() if k != "client_secret"}),
                         401, "invalid_client", 7000218)
        # A JSON body is not a form: Entra then misses grant_type.
        r = self.srv.request("POST", self.srv.token_url, json.dumps(base).encode(),
                             {"Content-Type": "application/json"})
        self.token_error(r, 400, "invalid_request", 900144)
        self.token_error(self.srv.request("GET", self.srv.token_url), 400, "invalid_request", 900561)

    # ---- client assertion ----

    def test_assertion_ps256_accepted(self):
        r = self.srv.post_token(assertion_form(self.srv, self.fx.assertion(self.srv.token_url)))
        self.assertEqual(r.status, 200, r.body)
        claims = jwt_payload(r.json()["access_token"])
        self.assertEqual(claims["appidacr"], "2")
        self.assertEqual(claims["roles"], ROLES)
        self.assertEqual(self.srv.get("/v1.0/organization", r.json()["access_token"]).status, 200)

    def test_assertion_rs256_accepted(self):
        r = self.srv.post_token(assertion_form(self.srv, self.fx.assertion(self.srv.token_url, "RS256")))
        self.assertEqual(r.status, 200, r.body)

    def test_assertion_aud_is_the_posted_url(self):
        # Posted to localhost: aud must name localhost.
        url = f"https://localhost:{self.srv.port}/{TENANT}/oauth2/v2.0/token"
        r = self.srv.post_token(assertion_form(self.srv, self.fx.assertion(url)), url=url)
        self.assertEqual(r.status, 200, r.body)
        r = self.srv.post_token(assertion_form(self.srv, self.fx.assertion(self.srv.token_url)), url=url)
        self.token_error(r, 401, "invalid_client", 700023)

    def test_assertion_bad_signature(self):
        # Registered thumbprint, but signed by another key.
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url, key=self.fx.rogue_key), 700027)
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url, "RS256", key=self.fx.rogue_key),
                                       700027)
        # PSS with a maximum-length salt: Entra (like .NET) needs salt = 32.
        self.assert_assertion_rejected(
            self.fx.assertion(self.srv.token_url, salt=padding.PSS.MAX_LENGTH), 700027)
        # Altered claims after signing.
        good = self.fx.assertion(self.srv.token_url)
        h, p, s = good.split(".")
        claims = json.loads(base64.urlsafe_b64decode(p + "=="))
        claims["exp"] += 1
        self.assert_assertion_rejected(f"{h}.{b64url(json.dumps(claims).encode())}.{s}", 700027)

    def test_assertion_unknown_certificate(self):
        a = self.fx.assertion(self.srv.token_url, key=self.fx.rogue_key,
                              header={"x5t#S256": self.fx.rogue_x5t_s256})
        body = self.assert_assertion_rejected(a, 700027)
        self.assertIn("The key was not found", body["error_description"])

    def test_assertion_header_rules(self):
        # PS256 must name the SHA-256 thumbprint; alg none/HS256 never.
        a = self.fx.assertion(self.srv.token_url, header={"x5t#S256": None})
        h, p, s = a.split(".")
        hdr = {"alg": "PS256", "typ": "JWT", "x5t": self.fx.x5t}
        self.assert_assertion_rejected(f"{b64url(json.dumps(hdr).encode())}.{p}.{s}", 50027)
        for alg in ("none", "HS256"):
            hdr = {"alg": alg, "typ": "JWT", "x5t#S256": self.fx.x5t_s256}
            self.assert_assertion_rejected(f"{b64url(json.dumps(hdr).encode())}.{p}.", 50027)
        self.assert_assertion_rejected("not-a-jwt", 50027)

    def test_assertion_wrong_aud(self):
        self.assert_assertion_rejected(
            self.fx.assertion(f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"), 700023)
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url + "/"), 700023)

    def test_assertion_iss_sub(self):
        self.assert_assertion_rejected(
            self.fx.assertion(self.srv.token_url, claims={"iss": CLIENT_SHORT, "sub": CLIENT_SHORT}), 700021)
        self.assert_assertion_rejected(
            self.fx.assertion(self.srv.token_url, claims={"sub": "someone-else"}), 700021)

    def test_assertion_replay(self):
        a = self.fx.assertion(self.srv.token_url)
        self.assertEqual(self.srv.post_token(assertion_form(self.srv, a)).status, 200)
        body = self.assert_assertion_rejected(a, 50027)
        self.assertIn("replay", body["error_description"])
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url, drop=("jti",)), 50027)

    def test_assertion_lifetime(self):
        now = int(time.time())
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url, lifetime=601), 700024)
        self.assertEqual(self.srv.post_token(assertion_form(
            self.srv, self.fx.assertion(self.srv.token_url, lifetime=600))).status, 200)
        self.assert_assertion_rejected(self.fx.assertion(
            self.srv.token_url, claims={"nbf": now - 700, "iat": now - 700, "exp": now - 100}), 700024)
        self.assert_assertion_rejected(self.fx.assertion(
            self.srv.token_url, claims={"nbf": now + 120, "iat": now + 120, "exp": now + 300}), 700024)
        # exp - iat is the lifetime when nbf is absent.
        self.assert_assertion_rejected(self.fx.assertion(
            self.srv.token_url, drop=("nbf",), claims={"iat": now, "exp": now + 900}), 700024)
        # NumericDate must be a JSON number, not a string.
        self.assert_assertion_rejected(self.fx.assertion(
            self.srv.token_url, claims={"exp": str(now + 300)}), 50027)
        self.assert_assertion_rejected(self.fx.assertion(self.srv.token_url, drop=("exp",)), 50027)

    # ---- Graph: authentication ----

    def test_graph_requires_token(self):
        r = self.srv.request("GET", "/v1.0/applications")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "InvalidAuthenticationToken")
        self.assertIn("Bearer", r.headers["WWW-Authenticate"])
        for bad in ("garbage", "a.b.c"):
            r = self.srv.get("/v1.0/applications", bad)
            self.assertEqual(r.status, 401, bad)
        # A token whose payload was edited (roles added) fails the MAC.
        h, p, s = self.srv.token().split(".")
        claims = jwt_payload(self.srv.token())
        claims["roles"] = claims["roles"] + ["Directory.ReadWrite.All"]
        r = self.srv.get("/v1.0/applications", f"{h}.{b64url(json.dumps(claims).encode())}.{s}")
        self.assertEqual(r.status, 401)

    def test_token_expiry(self):
        token = self.srv.token(CLIENT_SHORT)
        exp = jwt_payload(token)["exp"]
        if time.time() < exp:
            self.assertEqual(self.srv.get("/v1.0/organization", token).status, 200)
        time.sleep(max(0.0, exp - time.time()) + 0.05)
        r = self.srv.get("/v1.0/organization", token)
        self.assertEqual(r.status, 401)
        err = r.json()["error"]
        self.assertEqual(err["code"], "InvalidAuthenticationToken")
        self.assertEqual(err["message"], "Lifetime validation failed, the token is expired.")
        # Refreshing gives a working token.
        self.assertEqual(self.srv.get("/v1.0/organization", self.srv.secret_token(CLIENT_SHORT)).status, 200)

    # ---- Graph: paging, $top, $select ----

    def test_paging_default(self):
        pages = self.collect("/v1.0/servicePrincipals")
        self.assertEqual([len(p["value"]) for p in pages], [100, 100, 50])
        self.assertEqual([sp["id"] for p in pages for sp in p["value"]], SP_IDS)
        self.assertNotIn("@odata.nextLink", pages[-1])
        first = pages[0]
        self.assertEqual(first["@odata.context"], f"{self.srv.base}/v1.0/$metadata#servicePrincipals")
        self.assertTrue(first["@odata.nextLink"].startswith(
            f"{self.srv.base}/v1.0/servicePrincipals?$skiptoken="), first["@odata.nextLink"])
        # Full objects (no $select) are served unchanged, UTF-8 included.
        self.assertEqual(first["value"][0]["displayName"], "sp-000 ünïcode")
        self.assertIn("keyCredentials", first["value"][1])

    def test_top_and_select(self):
        # '$' percent-encoded, ',' too: parsed as Graph does; the nextLink
        # keeps the original query options as sent.
        path = "/v1.0/servicePrincipals?%24top=120&%24select=displayName%2Ctags"
        pages = self.collect(path)
        self.assertEqual([len(p["value"]) for p in pages], [120, 120, 10])
        self.assertIn("?%24top=120&%24select=displayName%2Ctags&$skiptoken=", pages[0]["@odata.nextLink"])
        self.assertEqual(pages[0]["@odata.context"],
                         f"{self.srv.base}/v1.0/$metadata#servicePrincipals(displayName,tags)")
        for i, sp in enumerate(v for p in pages for v in p["value"]):
            self.assertEqual(set(sp), {"id", "displayName", "tags"})
            # Absent in the capture -> null, as Graph returns it.
            self.assertEqual(sp["tags"], ["WindowsAzureActiveDirectoryIntegratedApp"] if i % 2 == 0 else None)

    def test_top_limits(self):
        pages = self.collect("/v1.0/servicePrincipals?$top=5000")
        self.assertEqual([len(p["value"]) for p in pages], [250])  # clamped to 999
        for bad in ("0", "-1", "abc", ""):
            r = self.srv.get(f"/v1.0/servicePrincipals?$top={bad}")
            self.assertEqual(r.status, 400, bad)
        r = self.srv.get("/v1.0/servicePrincipals?$top=5&$TOP=6")
        self.assertEqual(r.status, 400)
        r = self.srv.get("/v1.0/servicePrincipals?$orderby=displayName")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "Request_UnsupportedQuery")

    def test_select_on_polymorphic_collection(self):
        r = self.srv.get(f"/v1.0/applications/{APP_IDS[0]}/owners?$select=displayName,userPrincipalName")
        self.assertEqual(r.status, 200, r.body)
        user, sp = r.json()["value"]
        self.assertEqual(user, {"@odata.type": "#microsoft.graph.user", "id": guid(1, "user"),
                                "displayName": "Alice", "userPrincipalName": "alice@contoso.com"})
        # No null userPrincipalName forced onto a servicePrincipal.
        self.assertEqual(sp, {"@odata.type": "#microsoft.graph.servicePrincipal", "id": SP_IDS[7],
                              "displayName": "sp-007"})

    def test_skiptoken_tampering(self):
        r = self.srv.get("/v1.0/servicePrincipals?$top=10")
        link = r.json()["@odata.nextLink"]
        self.assertEqual(self.srv.get(link).status, 200)
        prefix, token = link.split("$skiptoken=")
        raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        raw[15] ^= 1                                  # another offset, same MAC
        forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
        self.assertEqual(self.srv.get(prefix + "$skiptoken=" + forged).status, 400)
        self.assertEqual(self.srv.get(prefix + "$skiptoken=" + token[:-2]).status, 400)
        self.assertEqual(self.srv.get(prefix + "$skiptoken=MTA").status, 400)
        # Moved to another query or path: not issued for that request.
        self.assertEqual(self.srv.get(f"/v1.0/servicePrincipals?$top=11&$skiptoken={token}").status, 400)
        r = self.srv.get(f"/v1.0/applications?$top=10&$skiptoken={token}")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "Request_BadRequest")

    # ---- Graph: $filter, $expand, single objects, errors ----

    def test_filter_audits(self):
        def ids(query):
            r = self.srv.get("/v1.0/auditLogs/directoryAudits?" + query)
            self.assertEqual(r.status, 200, r.body)
            return [a["id"] for a in r.json()["value"]]

        self.assertEqual(len(ids("$filter=" + urllib.parse.quote("activityDateTime ge 2024-05-08T00:00:00Z"))), 3)
        got = ids("%24filter=" + urllib.parse.quote(
            "activityDateTime ge 2024-05-03T00:00:00Z and activityDateTime le 2024-05-05T12:00:00.1234567Z"))
        self.assertEqual(got, ["Directory_03", "Directory_04", "Directory_05", "Directory_edge"])
        # 7th fractional digit decides (datetime would truncate it).
        self.assertEqual(ids("$filter=" + urllib.parse.quote(
            "activityDateTime ge 2024-05-05T00:00:00.0000001Z and activityDateTime le 2024-05-05T00:00:00.0000001Z")),
            ["Directory_edge"])
        self.assertNotIn("Directory_edge", ids("$filter=" + urllib.parse.quote(
            "activityDateTime gt 2024-05-05T00:00:00.0000001Z")))
        # Offset given with a raw '+': it decodes to a space, as on Graph -> 400.
        r = self.srv.get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime%20ge%202024-05-08T00:00:00+02:00")
        self.assertEqual(r.status, 400)
        self.assertEqual(len(ids("$filter=" + urllib.parse.quote("activityDateTime ge 2024-05-08T00:00:00+02:00"))), 3)
        # Paging over a filtered set.
        pages = self.collect("/v1.0/auditLogs/directoryAudits?$top=2&$filter=" +
                             urllib.parse.quote("activityDateTime ge 2024-05-06T00:00:00Z"))
        self.assertEqual([len(p["value"]) for p in pages], [2, 2, 1])
        for bad in ("/v1.0/auditLogs/directoryAudits?$filter=" + urllib.parse.quote("activityDisplayName eq 'x'"),
                    "/v1.0/auditLogs/directoryAudits?$filter=" + urllib.parse.quote("activityDateTime ge yesterday"),
                    "/v1.0/servicePrincipals?$filter=" + urllib.parse.quote("activityDateTime ge 2024-05-08T00:00:00Z")):
            r = self.srv.get(bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json()["error"]["code"], "Request_UnsupportedQuery")

    def test_expand_principal(self):
        path = "/v1.0/roleManagement/directory/roleAssignments"
        plain = self.srv.get(path).json()["value"]
        self.assertTrue(all("principal" not in ra for ra in plain))
        full = self.srv.get(path + "?$expand=principal").json()["value"]
        self.assertEqual(full[0]["principal"]["userPrincipalName"], "alice@contoso.com")
        r = self.srv.get(path + "?$select=principalId&$expand=" + urllib.parse.quote("principal($select=displayName)"))
        ra = r.json()["value"][1]
        self.assertEqual(set(ra), {"id", "principalId", "principal"})
        self.assertEqual(ra["principal"], {"@odata.type": "#microsoft.graph.servicePrincipal",
                                           "id": SP_IDS[7], "displayName": "sp-007"})
        self.assertEqual(self.srv.get("/v1.0/applications?$expand=owners").status, 400)

    def test_single_object_and_not_found(self):
        r = self.srv.get(f"/v1.0/servicePrincipals/{SP_IDS[1]}")
        self.assertEqual(r.json(), {"id": SP_IDS[1], "displayName": "single", "appId": guid(1, "appid")})
        self.assertEqual(self.srv.get(f"/v1.0/servicePrincipals/{SP_IDS[1].upper()}?$select=appId").json(),
                         {"id": SP_IDS[1], "appId": guid(1, "appid")})
        for path in (f"/v1.0/servicePrincipals/{SP_IDS[2]}/appRoleAssignedTo", "/v1.0/_adpersist",
                     "/v1.0/nothing", "/v1.0/../capture/applications"):
            r = self.srv.get(path, headers={"client-request-id": "abc-123"})
            self.assertEqual(r.status, 404, path)
            err = r.json()["error"]
            self.assertEqual(err["code"], "Request_ResourceNotFound")
            self.assertEqual(err["innerError"]["client-request-id"], "abc-123")
            self.assertEqual(err["innerError"]["request-id"], r.headers["request-id"])
            self.assertRegex(err["innerError"]["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")

    def test_headers_and_keepalive(self):
        crid = str(uuid.uuid4())
        r = self.srv.get("/v1.0/domains", headers={"client-request-id": crid})
        self.assertEqual(r.headers["client-request-id"], crid)
        uuid.UUID(r.headers["request-id"])
        self.assertTrue(r.headers["Content-Type"].startswith("application/json;odata.metadata=minimal"))
        # Two requests on one connection (HTTP/1.1 keep-alive).
        conn = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.srv.ctx, timeout=10)
        try:
            hdrs = {"Authorization": f"Bearer {self.srv.token()}"}
            conn.request("GET", "/v1.0/domains", headers=hdrs)
            r1 = conn.getresponse()
            r1.read()
            sock = conn.sock
            conn.request("GET", "/v1.0/organization", headers=hdrs)
            r2 = conn.getresponse()
            r2.read()
            self.assertEqual((r1.status, r2.status), (200, 200))
            self.assertIs(conn.sock, sock)
        finally:
            conn.close()

    def test_keepalive_latency(self):
        # Head and body in one write + TCP_NODELAY: no Nagle/delayed-ACK
        # stall, which cost >= 40 ms (Linux's minimum delayed ACK) per request.
        conn = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.srv.ctx, timeout=10)
        hdrs = {"Authorization": f"Bearer {self.srv.token()}"}
        durations = []
        try:
            t0 = time.monotonic()
            for _ in range(100):
                t = time.monotonic()
                conn.request("GET", "/v1.0/organization", headers=hdrs)
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                durations.append(time.monotonic() - t)
            total = time.monotonic() - t0
            sock = conn.sock
            conn.request("GET", "/v1.0/organization", headers=hdrs)
            conn.getresponse().read()
            self.assertIs(conn.sock, sock)
        finally:
            conn.close()
        self.assertLess(total, 10)
        self.assertLess(statistics.median(durations), 0.02)

    # ---- Graph: JSON batching ----

    def test_batch(self):
        self.srv.token()
        self.srv.reset()
        owners = f"/applications/{APP_IDS[0]}/owners?$select=displayName"
        r = self.srv.batch([batch_get("a", owners, headers={"client-request-id": "item-a"}),
                            batch_get("b", "/organization"),
                            batch_get("c", "/domains/contoso.com/federationConfiguration")])
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))
        ids = [item["id"] for item in r.json()["responses"]]
        self.assertEqual(sorted(ids), ["a", "b", "c"])
        self.assertNotEqual(ids, ["a", "b", "c"])        # clients must correlate by id
        items = responses_by_id(r)
        # Each item is what the standalone GET returns.
        for item_id, url in (("a", owners), ("b", "/organization"),
                             ("c", "/domains/contoso.com/federationConfiguration")):
            alone = self.srv.get("/v1.0" + url)
            self.assertEqual(items[item_id]["status"], 200)
            self.assertEqual(items[item_id]["body"], alone.json(), item_id)
            self.assertEqual(items[item_id]["headers"]["Content-Type"], alone.headers["Content-Type"])
            self.assertNotIn("x-ms-resource-unit", items[item_id]["headers"])  # not configured
        self.assertEqual(items["a"]["headers"]["client-request-id"], "item-a")
        uuid.UUID(items["b"]["headers"]["request-id"])
        # '$' percent-encoded in the path.
        r = self.srv.batch([batch_get("1", "/organization")], path="/v1.0/%24batch")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(responses_by_id(r)["1"]["status"], 200)
        s = self.srv.stats()
        self.assertEqual(s["requests_total"], 5)
        self.assertEqual(s["graph_requests"], 5)
        self.assertEqual(s["batch_requests"], 2)
        self.assertEqual(s["batch_items"], 4)
        self.assertEqual(s["standalone_gets"], 3)
        self.assertEqual(s["by_path"]["/v1.0/$batch"], 2)
        self.assertEqual(s["batch_items_by_path"], {"/v1.0/applications/{id}/owners": 1,
                                                    "/v1.0/domains/{id}/federationConfiguration": 1,
                                                    "/v1.0/organization": 2})
        self.assertEqual(s["batch_items_by_status"], {"200": 4})
        self.assertEqual(s["pages_served"], 7)            # 4 items + 3 standalone GETs
        self.assertEqual(s["faults"], {"sequence": 7})    # one number per item

    def test_batch_paging(self):
        # An item's nextLink is the standalone GET's: absolute, to the
        # collection (not $batch); it works as a GET and as a batch item.
        url = "/servicePrincipals?$top=100&$select=displayName"
        r = self.srv.batch([batch_get("p1", url)])
        first = responses_by_id(r)["p1"]["body"]
        link = first["@odata.nextLink"]
        self.assertTrue(link.startswith(f"{self.srv.base}/v1.0/servicePrincipals?$top=100&"
                                        "$select=displayName&$skiptoken="), link)
        second = self.srv.get(link)
        self.assertEqual(second.status, 200, second.body)
        prefix = f"{self.srv.base}/v1.0"
        r = self.srv.batch([batch_get("p2", second.json()["@odata.nextLink"][len(prefix):])])
        third = responses_by_id(r)["p2"]
        self.assertEqual(third["status"], 200, third)
        self.assertNotIn("@odata.nextLink", third["body"])
        got = [sp["id"] for page in (first, second.json(), third["body"]) for sp in page["value"]]
        self.assertEqual(got, SP_IDS)

    def test_batch_item_errors(self):
        self.srv.token()
        self.srv.reset()
        r = self.srv.batch([
            batch_get("missing", "/nothing", headers={"client-request-id": "crid-1"}),
            batch_get("badtop", "/servicePrincipals?$top=0"),
            batch_get("absolute", f"{self.srv.base}/v1.0/organization"),
            batch_get("versioned", "/v1.0/organization"),
            batch_get("relative", "organization"),
            {"id": "write", "method": "PATCH", "url": "/organization", "body": {}},
            batch_get("ok", "/organization")])
        self.assertEqual(r.status, 200, r.body)      # item failures do not fail the batch
        items = responses_by_id(r)
        self.assertEqual({k: v["status"] for k, v in items.items()},
                         {"missing": 404, "badtop": 400, "absolute": 400, "versioned": 400,
                          "relative": 400, "write": 405, "ok": 200})
        err = items["missing"]["body"]["error"]
        self.assertEqual(err["code"], "Request_ResourceNotFound")
        self.assertEqual(err["innerError"]["client-request-id"], "crid-1")
        self.assertEqual(err["innerError"]["request-id"], items["missing"]["headers"]["request-id"])
        self.assertEqual(items["badtop"]["body"]["error"]["code"], "Request_BadRequest")
        self.assertEqual(items["write"]["headers"]["Allow"], "GET")
        s = self.srv.stats()
        self.assertEqual(s["batch_items"], 7)
        self.assertEqual(s["batch_items_by_status"], {"200": 1, "400": 4, "404": 1, "405": 1})
        self.assertEqual(s["batch_items_by_path"]["(invalid url)"], 3)
        self.assertEqual(s["faults"]["sequence"], 3)     # only the GETs that ran

    def test_batch_payload_errors(self):
        token = self.srv.token()
        self.srv.reset()

        def raw(body: bytes, ctype="application/json", auth=f"Bearer {token}") -> Reply:
            return self.srv.request("POST", "/v1.0/$batch", body,
                                    {"Authorization": auth, "Content-Type": ctype})

        many = [batch_get(str(i), "/organization") for i in range(21)]
        cases = {
            "21 requests": self.srv.batch(many),
            "no requests": self.srv.batch([]),
            "duplicate id": self.srv.batch([batch_get("1", "/organization"), batch_get("1", "/domains")]),
            "numeric id": self.srv.batch([batch_get(1, "/organization")]),
            "empty id": self.srv.batch([batch_get("", "/organization")]),
            "no url": self.srv.batch([{"id": "1", "method": "GET"}]),
            "dependsOn": self.srv.batch([batch_get("1", "/organization"),
                                         batch_get("2", "/domains", dependsOn=["1"])]),
            "not JSON": raw(b"{requests:"),
            "duplicate member": raw(b'{"requests":[],"requests":[]}'),
            "text/plain": raw(json.dumps({"requests": []}).encode(), "text/plain"),
        }
        for what, r in cases.items():
            self.assertEqual(r.status, 400, what)
            self.assertEqual(r.json()["error"]["code"], "BadRequest", what)
        self.assertIn("1 to 20 requests", cases["21 requests"].json()["error"]["message"])
        for auth in ("", "Bearer garbage"):
            r = raw(json.dumps({"requests": [batch_get("1", "/organization")]}).encode(), auth=auth)
            self.assertEqual(r.status, 401, auth)
            self.assertEqual(r.json()["error"]["code"], "InvalidAuthenticationToken")
            self.assertIn("Bearer", r.headers["WWW-Authenticate"])
        r = self.srv.get("/v1.0/$batch")
        self.assertEqual((r.status, r.headers["Allow"]), (405, "POST"))
        # Twenty items bigger than the 64 KiB limit of other bodies.
        pad = "x" * 4000
        r = self.srv.batch([batch_get(str(i), f"/organization?pad={pad}") for i in range(20)])
        self.assertEqual(r.status, 200, r.body[:200])
        self.assertEqual(len(r.json()["responses"]), 20)
        s = self.srv.stats()
        self.assertEqual(s["batch_requests"], 14)
        self.assertEqual(s["batch_items"], 20)

    def test_stats(self):
        self.srv.reset()
        token = self.srv.secret_token()
        self.collect("/v1.0/servicePrincipals", token)                  # 3 pages
        self.srv.get(f"/v1.0/servicePrincipals/{SP_IDS[0]}/appRoleAssignedTo", token)
        self.srv.get("/v1.0/domains/contoso.com/federationConfiguration", token)
        self.srv.get("/v1.0/nothing", token)
        self.srv.get("/v1.0/domains", "bad")
        s = self.srv.stats()
        self.assertEqual(s["token_requests"], 1)
        self.assertEqual(s["tokens_issued"], 1)
        self.assertEqual(s["graph_requests"], 7)
        self.assertEqual(s["requests_total"], 8)
        self.assertEqual(s["pages_served"], 5)
        self.assertEqual(s["objects_served"], 252)
        self.assertEqual(s["by_path"], {
            "/v1.0/servicePrincipals": 3,
            "/v1.0/servicePrincipals/{id}/appRoleAssignedTo": 1,
            "/v1.0/domains/{id}/federationConfiguration": 1,
            "/v1.0/nothing": 1,
            "/v1.0/domains": 1,
            "/{tenant}/oauth2/v2.0/token": 1})
        self.assertEqual(s["by_status"], {"200": 6, "401": 1, "404": 1})
        self.assertEqual(s["graph_by_status"], {"200": 5, "401": 1, "404": 1})
        self.assertEqual(s["faults"], {"sequence": 6})  # 401s do not advance it
        self.assertGreaterEqual(s["max_in_flight"], 1)
        self.assertEqual(s["in_flight"], 0)
        self.srv.reset()
        self.assertEqual(self.srv.stats()["requests_total"], 0)

    def test_zz_access_log_has_no_secrets(self):
        # Runs last in this class (name order): everything above is logged.
        with open(os.path.join(self.srv.state, "access.log"), encoding="utf-8") as f:
            log = f.read()
        self.assertIn(" GET /v1.0/servicePrincipals 200 ", log)
        self.assertIn(f" POST /{TENANT}/oauth2/v2.0/token 401 ", log)
        for secret in (SECRET, urllib.parse.quote_plus(SECRET), self.srv.token(),
                       "client_assertion", "skiptoken", "Bearer", "eyJ"):
            self.assertNotIn(secret, log)


# --------------------------------------------------------------------------
# Faults: throttling schedule, 503/504 bursts, deny, required roles
# --------------------------------------------------------------------------

class FaultServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture.get()
        cfg = cls.fx.config(
            throttle={"every": 3, "status": 429, "retry_after": "0.25",
                      "bursts": [{"after": 4, "count": 2, "status": 503}]},
            bursts=[{"after": 10, "count": 1, "status": 504, "retry_after": 1}],
            deny=["^domains/[^/]+/federationConfiguration$"],
            required_roles={"^auditLogs/": ["AuditLog.Read.All"]},
            truncate=["^roleManagement/directory/roleAssignments$"],
            loop_paging=["^servicePrincipals$"])
        cfg["clients"][CLIENT_SHORT]["roles"] = ["Application.Read.All"]
        cfg["clients"][CLIENT_SHORT]["expires_in"] = 3600
        cls.srv = Server(cls.fx.dir, "faults", cls.fx.capture, cfg)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_schedule(self):
        self.srv.token()
        self.srv.reset()
        self.assertEqual(self.srv.get("/v1.0/applications", "bad").status, 401)  # not counted
        replies = [self.srv.get("/v1.0/applications") for _ in range(12)]
        self.assertEqual([r.status for r in replies],
                         [200, 200, 429, 200, 503, 503, 200, 200, 429, 200, 504, 429])
        for r in replies:
            if r.status == 429:
                self.assertEqual(r.headers["Retry-After"], "0.25")
                err = r.json()["error"]
                self.assertEqual(err["code"], "TooManyRequests")
                self.assertEqual(err["innerError"]["status"], "429")
            elif r.status == 503:
                self.assertIsNone(r.headers["Retry-After"])
                self.assertEqual(r.json()["error"]["code"], "serviceNotAvailable")
            elif r.status == 504:
                self.assertEqual(r.headers["Retry-After"], "1")
        s = self.srv.stats()
        self.assertEqual(s["graph_by_status"], {"200": 6, "401": 1, "429": 3, "503": 2, "504": 1})
        self.assertEqual(s["faults"], {"sequence": 12, "burst": 3, "throttle": 3})
        self.assertEqual(s["pages_served"], 6)

    def test_deny(self):
        self.srv.token()
        self.srv.reset()
        r = self.srv.get("/v1.0/domains/contoso.com/federationConfiguration")
        self.assertEqual(r.status, 403)
        err = r.json()["error"]
        self.assertEqual(err["code"], "Authorization_RequestDenied")
        self.assertEqual(err["message"], "Insufficient privileges to complete the operation.")
        self.assertEqual(self.srv.get("/v1.0/domains").status, 200)
        self.assertEqual(self.srv.stats()["faults"]["deny"], 1)

    def test_truncate(self):
        self.srv.token()
        self.srv.reset()
        r = self.srv.get("/v1.0/roleManagement/directory/roleAssignments")
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.headers["Content-Length"]), len(r.body))  # short, but as announced
        with self.assertRaises(ValueError):
            r.json()
        self.assertEqual(self.srv.stats()["faults"]["truncate"], 1)

    def get_through_faults(self, path: str) -> dict:
        """The page, after the schedule's 429/503/504 answers (this server injects them)."""
        for _ in range(6):
            r = self.srv.get(path)
            if r.status == 200:
                return r.json()
        self.fail(f"no 200 for {path}")

    def test_loop_paging(self):
        self.srv.token()
        self.srv.reset()
        first = self.get_through_faults("/v1.0/servicePrincipals?$top=100")
        links, heads = [], []
        url = first["@odata.nextLink"]
        for _ in range(3):
            links.append(url)
            page = self.get_through_faults(url[len(self.srv.base):])
            heads.append(page["value"][0]["id"])
            url = page["@odata.nextLink"]
        # Page 2 again and again, under a new link each time.
        self.assertEqual(heads, [SP_IDS[100]] * 3)
        self.assertEqual(len(set(links)), 3)
        self.assertEqual(self.srv.stats()["faults"]["loop_paging"], 4)

    def test_required_roles(self):
        self.srv.token(CLIENT_SHORT)
        self.srv.token(CLIENT)
        self.srv.reset()
        r = self.srv.get("/v1.0/auditLogs/directoryAudits", self.srv.token(CLIENT_SHORT))
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "Authorization_RequestDenied")
        self.assertEqual(self.srv.get("/v1.0/auditLogs/directoryAudits", self.srv.token(CLIENT)).status, 200)

    def test_batch_items_share_the_schedule(self):
        # Items are evaluated in request order, each one sequence number,
        # exactly as standalone GETs: deny, missing role, throttle fault.
        token = self.srv.token(CLIENT_SHORT)
        self.srv.reset()
        r = self.srv.batch([batch_get("denied", "/domains/contoso.com/federationConfiguration"),
                            batch_get("audits", "/auditLogs/directoryAudits"),
                            batch_get("throttled", "/organization"),
                            batch_get("ok", "/organization")], token)
        self.assertEqual(r.status, 200, r.body)
        items = responses_by_id(r)
        self.assertEqual({k: v["status"] for k, v in items.items()},
                         {"denied": 403, "audits": 403, "throttled": 429, "ok": 200})
        self.assertEqual(items["denied"]["body"]["error"]["code"], "Authorization_RequestDenied")
        throttled = items["throttled"]
        self.assertEqual(throttled["headers"]["Retry-After"], "0.25")
        self.assertEqual(throttled["headers"]["x-ms-throttle-information"], "ResourceUnitLimitExceeded")
        self.assertEqual(throttled["body"]["error"]["code"], "TooManyRequests")
        self.assertNotIn("x-ms-resource-unit", items["ok"]["headers"])
        # The next standalone GET is number 5: the first 503 of the burst.
        self.assertEqual(self.srv.get("/v1.0/organization", token).status, 503)
        s = self.srv.stats()
        self.assertEqual(s["faults"], {"sequence": 5, "burst": 1, "deny": 1, "missing_role": 1,
                                       "throttle": 1})
        self.assertEqual(s["batch_items_by_status"], {"200": 1, "403": 2, "429": 1})
        self.assertEqual(s["graph_by_status"], {"200": 1, "503": 1})


# --------------------------------------------------------------------------
# Service limits: resource-unit bucket and reports limit
# --------------------------------------------------------------------------

class LimitsServer(unittest.TestCase):
    # 5 units refilled at 1 unit/s: a request right after five cost-1
    # requests waits ~1 s. The reports limit: 2 requests per second.
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture.get()
        cls.srv = Server(cls.fx.dir, "limits", cls.fx.capture, cls.fx.config(
            resource_units={"capacity": 5, "window_s": 5,
                            "costs": {"/domains/{id}/federationConfiguration": 4}},
            reports_limit={"requests": 2, "window_s": 1}))

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def assert_throttled(self, r: Reply, max_wait: float) -> float:
        self.assertEqual(r.status, 429, r.body)
        self.assertEqual(r.json()["error"]["code"], "TooManyRequests")
        wait = float(r.headers["Retry-After"])
        self.assertRegex(r.headers["Retry-After"], r"^\d+(\.\d{1,3})?$")
        self.assertTrue(0 < wait <= max_wait, wait)
        return wait

    def test_bucket(self):
        self.srv.token()
        self.srv.reset()                            # full bucket
        replies = [self.srv.get("/v1.0/organization") for _ in range(5)]
        self.assertEqual([r.status for r in replies], [200] * 5)
        self.assertEqual([r.headers["x-ms-resource-unit"] for r in replies], ["1"] * 5)
        self.assertIsNone(replies[0].headers["x-ms-throttle-limit-percentage"])
        self.assertTrue(0.8 < float(replies[4].headers["x-ms-throttle-limit-percentage"]) <= 1.8)
        r = self.srv.get("/v1.0/organization")
        wait = self.assert_throttled(r, 1.0)
        self.assertEqual(r.headers["x-ms-throttle-information"], "ResourceUnitLimitExceeded")
        self.assertEqual(r.headers["x-ms-throttle-scope"], f"Tenant_Application/Read/{CLIENT}/{TENANT}")
        self.assertIsNone(r.headers["x-ms-resource-unit"])
        time.sleep(wait)
        self.assertEqual(self.srv.get("/v1.0/organization").status, 200)
        s = self.srv.stats()
        self.assertEqual(s["resource_units_charged"], 6)      # the 429 was not charged
        self.assertEqual(s["throttled_by_resource_units"], 1)
        self.assertEqual(s["faults"], {"sequence": 7})        # faults come first

    def test_costs(self):
        cases = [("/v1.0/applications", "2"),
                 ("/v1.0/applications?$select=id", "1"),
                 ("/v1.0/applications?$top=5", "1"),
                 ("/v1.0/applications?$select=id&$top=5", "1"),          # floor
                 ("/v1.0/applications?$top=20", "2"),
                 ("/v1.0/roleManagement/directory/roleAssignments?$expand=principal", "2"),
                 (f"/v1.0/servicePrincipals/{SP_IDS[0]}/appRoleAssignedTo", "1"),
                 ("/v1.0/domains/contoso.com/federationConfiguration", "4"),  # config
                 ("/v1.0/nothing", "1")]                                   # a 404 costs too
        self.srv.token()
        for path, cost in cases:
            self.srv.reset()                        # each on a full bucket
            r = self.srv.get(path)
            self.assertEqual(r.headers["x-ms-resource-unit"], cost, path)
        self.assertEqual(self.srv.stats()["resource_units_charged"], 1)

    def test_batch_items_charged_one_by_one(self):
        self.srv.token()
        self.srv.reset()
        r = self.srv.batch([batch_get(str(i), "/organization") for i in range(6)])
        self.assertEqual(r.status, 200, r.body)
        items = responses_by_id(r)
        self.assertEqual([items[str(i)]["status"] for i in range(6)], [200] * 5 + [429])
        self.assertEqual(items["0"]["headers"]["x-ms-resource-unit"], "1")
        headers = items["5"]["headers"]
        self.assertTrue(0 < float(headers["Retry-After"]) <= 1.0, headers)
        self.assertEqual(headers["x-ms-throttle-scope"], f"Tenant_Application/Read/{CLIENT}/{TENANT}")
        self.assertEqual(items["5"]["body"]["error"]["code"], "TooManyRequests")
        s = self.srv.stats()
        self.assertEqual(s["resource_units_charged"], 5)      # the batch itself costs nothing
        self.assertEqual(s["throttled_by_resource_units"], 1)
        self.assertEqual(s["batch_items_by_status"], {"200": 5, "429": 1})

    def test_reports_limit(self):
        self.srv.token()
        self.srv.reset()
        audits = "/v1.0/auditLogs/directoryAudits"
        for _ in range(2):
            r = self.srv.get(audits)
            self.assertEqual(r.status, 200)
            self.assertIsNone(r.headers["x-ms-resource-unit"])   # not resource-unit metered
        r = self.srv.get(audits)
        wait = self.assert_throttled(r, 1.0)
        self.assertIsNone(r.headers["x-ms-throttle-scope"])
        # Other services are not affected, and the window slides on.
        self.assertEqual(self.srv.get("/v1.0/organization").status, 200)
        time.sleep(wait)
        self.assertEqual(self.srv.get(audits).status, 200)
        s = self.srv.stats()
        self.assertEqual(s["throttled_by_reports_limit"], 1)
        self.assertEqual(s["throttled_by_resource_units"], 0)
        self.assertEqual(s["resource_units_charged"], 1)


# --------------------------------------------------------------------------
# Lifecycle: start.sh/stop.sh, latency, concurrency, SIGTERM, bad config
# --------------------------------------------------------------------------

class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture.get()
        cls.srv = Server(cls.fx.dir, "lifecycle", cls.fx.capture, cls.fx.config(latency_ms=150),
                         start=False)
        r = subprocess.run(["bash", os.path.join(HERE, "start.sh"), cls.fx.capture, cls.srv.state,
                            cls.srv.config_path], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "ADP_GRAPH_PYTHON": PYTHON})
        if r.returncode != 0:
            raise RuntimeError(f"start.sh failed: {r.stderr}")
        cls.start_stdout = r.stdout
        cls.srv.wait_ready()

    @classmethod
    def tearDownClass(cls):
        pid_file = os.path.join(cls.srv.state, "pid")
        if os.path.exists(pid_file):   # test_zz_stop did not run or failed
            subprocess.run(["bash", os.path.join(HERE, "stop.sh"), cls.srv.state], timeout=30)

    def test_start_prints_base_url_and_is_idempotent(self):
        self.assertEqual(self.start_stdout.strip(), self.srv.base)
        r = subprocess.run(["bash", os.path.join(HERE, "start.sh"), self.fx.capture, self.srv.state],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already running", r.stderr)
        self.assertEqual(r.stdout.strip(), self.srv.base)

    def test_latency_and_concurrency(self):
        token = self.srv.token()
        self.srv.reset()
        durations, statuses = [], []

        def one():
            t0 = time.monotonic()
            statuses.append(self.srv.get("/v1.0/organization", token).status)
            durations.append(time.monotonic() - t0)

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(statuses, [200] * 4)
        self.assertGreaterEqual(min(durations), 0.15)
        self.assertGreaterEqual(self.srv.stats()["max_in_flight"], 2)

    def test_zz_stop(self):
        with open(os.path.join(self.srv.state, "pid")) as f:
            pid = int(f.read())
        r = subprocess.run(["bash", os.path.join(HERE, "stop.sh"), self.srv.state],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(process_alive(pid), "server still running")
        for name in ("pid", "port", "base_url"):
            self.assertFalse(os.path.exists(os.path.join(self.srv.state, name)), name)
        with open(os.path.join(self.srv.state, "server.log")) as f:
            self.assertIn("graph_server: stopped", f.read())
        # Stopping again is a no-op success.
        r = subprocess.run(["bash", os.path.join(HERE, "stop.sh"), self.srv.state],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_sigterm_clean_exit(self):
        srv = Server(self.fx.dir, "sigterm", self.fx.capture, self.fx.config())
        self.assertEqual(srv.get("/v1.0/organization").status, 200)
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(srv.state, "port")))

    def test_bad_config_fails_fast(self):
        cfg = os.path.join(self.fx.dir, "bad.json")
        for bad, message in (({"throttle": {"evry": 3}}, "unknown key(s) evry"),
                             ({"resource_units": {"costs": {"users": 0}}},
                              "config.resource_units.costs[users]: must be an integer >= 1")):
            with open(cfg, "w") as f:
                json.dump({"tenant": TENANT, **bad}, f)
            r = subprocess.run([PYTHON, SERVER, "--capture", self.fx.capture, "--state-dir",
                                os.path.join(self.fx.dir, "state-bad"), "--config", cfg],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, message)
            self.assertIn(message, r.stderr)


def tearDownModule():
    if Fixture._instance is not None:
        shutil.rmtree(Fixture._instance.dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
