#!/usr/bin/python3
"""A local HTTPS stand-in for Microsoft Graph v1.0 and the Entra ID token endpoint.

It serves a *capture directory* (the layout adpersist's Graph collector reads
offline) over real HTTPS, with Graph's protocol behaviour: OAuth 2.0 client
credentials (client secret or a signed JWT client assertion), bearer-token
checks, ``$select``/``$top``/``$filter``/``$expand``, opaque ``$skiptoken``
paging, JSON batching (``POST /v1.0/$batch``, GET items), Graph- and
Entra-shaped error bodies, deterministic fault injection (429/503/504
schedules, 403 denials, short-lived tokens, latency) and, when configured,
Graph's service limits (a resource-unit token bucket per app and tenant,
the reports limit on ``auditLogs``). Integration tests and benchmarks point
the real C++ collector (libcurl, TLS verified against ``STATE/ca.pem``) at it.

    graph_server.py --capture DIR --state-dir STATE [--port 0] [--config cfg.json]

At start it writes into STATE: ``ca.pem`` (a fresh self-signed test CA),
``server.pem``/``server-key.pem`` (127.0.0.1 + localhost), then, once the
socket listens, ``base_url``, ``pid`` and ``port`` (``port`` last: it is the
readiness signal). ``access.log`` gets one line per request. SIGTERM/SIGINT
stop it cleanly (exit 0) and remove ``port``, ``pid`` and ``base_url``.

Security notes for reviewers:
* Listens on 127.0.0.1 only, TLS 1.2+ only, no plaintext listener.
* The CA private key never touches the disk; it only lives while the server
  certificate is signed.
* Request paths are only dictionary keys into the in-memory capture: nothing
  from a request is ever used as a file name.
* Secrets, client assertions and access tokens are never logged.
* Access tokens are HMAC-SHA256 JWTs under a random per-process key, so a
  token from an earlier run (or forged by a client) is rejected.
* ``/_stats`` is unauthenticated by design (test instrumentation on loopback).

Standard library plus python3-cryptography (Debian 12 ships 38.x) only.
See README.md beside this file for the configuration schema.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import collections
import datetime
import hashlib
import hmac
import ipaddress
import json
import math
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import unquote, unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

GRAPH_PREFIX = "/v1.0"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
METADATA_FILE = "_adpersist.json"       # written by the tool; never served
MAX_BODY = 64 * 1024                    # request bodies (token POSTs) larger than this: 413
MAX_BATCH_BODY = 1024 * 1024            # the same for $batch POSTs
MAX_BATCH_REQUESTS = 20                 # Graph's limit of requests in one $batch
MAX_ASSERTION = 16 * 1024               # a client assertion longer than this is malformed
HANDSHAKE_TIMEOUT_S = 10                # per TLS handshake, in the worker thread
IDLE_TIMEOUT_S = 60                     # idle keep-alive connection is closed after this
STATS_MAX_PATHS = 5000                  # distinct by_path labels kept; the rest count as "(other)"
DEFAULT_TENANT = "00000000-0000-0000-0000-0000000000a1"

# Graph's JSON content type for successful responses.
GRAPH_JSON = ("application/json;odata.metadata=minimal;odata.streaming=true;"
              "IEEE754Compatible=false;charset=utf-8")
PLAIN_JSON = "application/json; charset=utf-8"

GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
TOKEN_PATH_RE = re.compile(r"/([^/]+)/oauth2/v2\.0/token\Z")
BATCH_PATH_RE = re.compile(r"/v1\.0/(?:\$|%24)batch/?\Z", re.I)
BATCH_LABEL = "/v1.0/$batch"            # its /_stats label, however the '$' was sent
# A $batch item URL: relative to the version root, one leading '/', visible
# ASCII; it must not repeat the version segment.
BATCH_ITEM_URL_RE = re.compile(r"/(?!/)[\x21-\x7e]*\Z")
BATCH_ITEM_VERSION_RE = re.compile(r"/(?:v1\.0|beta)(?:[/?]|\Z)", re.I)
# client-request-id is echoed only when it is a short run of visible ASCII.
CLIENT_REQUEST_ID_RE = re.compile(r"[\x21-\x7e]{1,128}\Z")
PROPERTY_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Segments after which the next path segment is an object key; used only to
# collapse ids in /_stats labels (GUIDs are always collapsed).
ENTITY_SETS = {s.lower() for s in (
    "applications", "servicePrincipals", "domains", "users", "groups", "devices",
    "directoryObjects", "directoryRoles", "administrativeUnits", "roleAssignments",
    "roleDefinitions", "oauth2PermissionGrants", "directoryAudits", "signIns",
    "federationConfiguration", "federatedIdentityCredentials", "owners",
    "appRoleAssignedTo", "appRoleAssignments", "members", "organization")}

# Paths (capture keys, lower case) with special query support.
AUDITS_KEY = "auditlogs/directoryaudits"
ROLE_ASSIGNMENTS_KEY = "rolemanagement/directory/roleassignments"

# Base resource-unit cost of a GET on the identity service (Graph's
# throttling-limits.md, as summarised in graph-mechanics.md section 5); any
# other path costs 1. Keys are /_stats labels below /v1.0 (ids collapsed to
# {id}), compared case-insensitively; config resource_units.costs overrides.
RESOURCE_UNIT_COSTS = {
    "applications": 2,
    "oauth2PermissionGrants": 2,
    "servicePrincipals/{id}/appRoleAssignments": 2,
    "users": 2,
    "groups/{id}/members": 3,
    "groups/{id}/transitiveMembers": 5,
}

# innerError extras of Graph's documented 429 body (concepts/throttling.md).
THROTTLED_INNER_ERROR = {"code": "429", "status": "429", "message": "Please retry after"}

# Default Graph error code/message per injected fault status. 429's body is
# Graph's documented TooManyRequests shape (concepts/throttling.md); 503's
# message is the errors.md status-table text; 500/502/504 codes are this
# server's choice (Graph's are not documented) and can be overridden.
FAULT_DEFAULTS = {
    429: ("TooManyRequests", "Please retry again later."),
    500: ("UnknownError", "An internal server error occurred."),
    502: ("badGateway", "The server received an invalid response from the upstream server."),
    503: ("serviceNotAvailable",
          "The service is temporarily unavailable for maintenance or is overloaded. You may "
          "repeat the request after a delay, which may be specified in a Retry-After header."),
    504: ("gatewayTimeout",
          "The server, while acting as a proxy, did not receive a timely response from the "
          "upstream server it needed to access in attempting to complete the request."),
}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*\Z")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 section 2): other characters,
    '=' padding and impossible lengths are errors."""
    if not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _no_duplicate_members(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate JSON member {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def strict_json(data) -> Any:
    """JSON for untrusted input (JOSE headers/claims): no duplicate members
    (RFC 7515 section 5.2 lets a parser reject them), no NaN/Infinity."""
    return json.loads(data, object_pairs_hook=_no_duplicate_members,
                      parse_constant=_reject_constant)


def dumps(obj) -> bytes:
    """Compact UTF-8 JSON, as Graph sends it (raw UTF-8, not \\u escapes)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decimal_text(value: float) -> str:
    """A positive number of seconds (or a fraction) rounded *up* to 3
    decimals, without trailing zeros: '1.25', '0.001'. Rounded up, a
    Retry-After is never too early."""
    thousandths = max(1, math.ceil(round(value * 1000, 6)))
    return f"{thousandths / 1000:.3f}".rstrip("0").rstrip(".")


def graph_date(now: float) -> str:
    """innerError.date: ISO-8601 UTC to the second, no zone (Graph's format)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))


def aad_timestamp(now: float) -> str:
    """Entra token error timestamp: '2016-01-09 02:02:12Z'."""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(now))


def is_json_number(value) -> bool:
    """A JSON number (NumericDate): int or finite float, never bool or string."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


_DT_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?"
    r"([Zz]|[+-]\d{2}:\d{2})?\Z")


def iso_to_ticks(text: str, require_offset: bool) -> int:
    """ISO-8601 date-time -> 100 ns ticks since the Unix epoch (UTC).

    Ticks, not datetime, because Graph timestamps carry 7 fractional digits
    and datetime keeps only 6: comparing datetimes would move filter bounds.
    OData literals (require_offset=True) need 'Z' or '+hh:mm'; capture values
    without a zone are taken as UTC."""
    m = _DT_RE.match(text)
    if not m:
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    year, month, day, hour, minute = (int(g) for g in m.group(1, 2, 3, 4, 5))
    second = int(m.group(6) or 0)
    datetime.datetime(year, month, day, hour, minute, second)  # range check
    fraction = int((m.group(7) or "")[:7].ljust(7, "0"))
    zone = m.group(8)
    offset_min = 0
    if zone is None:
        if require_offset:
            raise ValueError(f"date-time without 'Z' or offset: {text!r}")
    elif zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        offset_min = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset_min * 60
    return seconds * 10_000_000 + fraction


def write_atomic(path: str, text: str, mode: int = 0o644) -> None:
    """Write via a temp file and rename, so a reader polling for the file
    never sees it empty or half written."""
    tmp = f"{path}.tmp.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

class ConfigError(Exception):
    pass


@dataclass
class ClientCert:
    path: str
    public_key: rsa.RSAPublicKey
    x5t: str            # base64url(SHA-1(DER)), the legacy RS256 header
    x5t_s256: str       # base64url(SHA-256(DER)), the PS256 header
    sha1_hex: str       # upper-case hex, as Entra prints thumbprints


@dataclass
class Client:
    client_id: str
    roles: list
    secret: Optional[bytes]
    certs: list
    expires_in: Optional[int]
    object_id: str      # the service principal's id, put in oid/sub of tokens
    assertion_algs: tuple = ("PS256", "RS256")   # client assertion signatures accepted


@dataclass
class Fault:
    status: int
    retry_after: Optional[str]
    code: str
    message: str


@dataclass
class Burst:
    after: int
    count: int
    fault: Fault


@dataclass
class ResourceUnits:
    capacity: int       # units in a full bucket
    window_s: float     # a full refill takes this long (continuous refill)
    costs: dict         # resource_key -> base cost


@dataclass
class ReportsLimit:
    requests: int       # requests allowed ...
    window_s: float     # ... in any window of this length (sliding)


@dataclass
class Config:
    tenant: str = DEFAULT_TENANT
    tenant_domains: list = field(default_factory=list)
    clients: dict = field(default_factory=dict)
    expires_in: int = 3599
    clock_skew: int = 60
    max_assertion_lifetime: int = 600
    default_top: int = 100
    max_top: int = 999
    top_over_max: str = "clamp"
    throttle_every: int = 0
    throttle_fault: Optional[Fault] = None
    bursts: list = field(default_factory=list)
    deny: list = field(default_factory=list)              # compiled regexes
    truncate: list = field(default_factory=list)          # compiled regexes: pages cut in half (broken JSON)
    loop_paging: list = field(default_factory=list)       # compiled regexes: nextLink repeats a page forever
    required_roles: list = field(default_factory=list)    # (regex, [roles])
    latency_ms: float = 0.0
    batch: bool = True                                    # POST /v1.0/$batch served
    token_latency_ms: float = 0.0
    resource_units: Optional[ResourceUnits] = None
    reports_limit: Optional[ReportsLimit] = None


class _Section:
    """Typed access to one JSON object of the config; unknown keys are
    errors (a misspelt fault option must not silently do nothing)."""

    def __init__(self, obj, where: str):
        if not isinstance(obj, dict):
            raise ConfigError(f"{where}: must be a JSON object")
        self.obj, self.where, self.used = obj, where, set()

    def get(self, key, types, default=None, check=None, what=None):
        self.used.add(key)
        if key not in self.obj or self.obj[key] is None:
            return default
        value = self.obj[key]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            raise ConfigError(f"{self.where}.{key}: must not be a boolean")
        if not isinstance(value, types):
            raise ConfigError(f"{self.where}.{key}: wrong type ({type(value).__name__})")
        if check is not None and not check(value):
            raise ConfigError(f"{self.where}.{key}: {what or 'invalid value'}: {value!r}")
        return value

    def finish(self):
        unknown = sorted(set(self.obj) - self.used)
        if unknown:
            raise ConfigError(f"{self.where}: unknown key(s) {', '.join(unknown)}")


def _load_client_cert(path: str, where: str) -> ClientCert:
    try:
        with open(path, "rb") as f:
            data = f.read()
        cert = x509.load_pem_x509_certificate(data)
    except (OSError, ValueError) as e:
        raise ConfigError(f"{where}: cannot load certificate {path}: {e}") from e
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigError(f"{where}: {path}: PS256/RS256 need an RSA key")
    if key.key_size < 2048:
        raise ConfigError(f"{where}: {path}: RSA key of {key.key_size} bits (Entra requires 2048+)")
    der = cert.public_bytes(serialization.Encoding.DER)
    return ClientCert(path=path, public_key=key,
                      x5t=b64url_encode(hashlib.sha1(der).digest()),
                      x5t_s256=b64url_encode(hashlib.sha256(der).digest()),
                      sha1_hex=hashlib.sha1(der).hexdigest().upper())


def _parse_fault(sec: _Section, default_status: int) -> Fault:
    status = sec.get("status", int, default_status, lambda v: v in FAULT_DEFAULTS,
                     f"status must be one of {sorted(FAULT_DEFAULTS)}")
    retry = sec.get("retry_after", (str, int, float))
    if retry is not None:
        retry = str(retry)
        if not re.fullmatch(r"\d+(\.\d+)?", retry):
            raise ConfigError(f"{sec.where}.retry_after: must be a non-negative number of seconds")
    code, message = FAULT_DEFAULTS[status]
    return Fault(status=status, retry_after=retry,
                 code=sec.get("code", str, code), message=sec.get("message", str, message))


def load_config(path: Optional[str]) -> Config:
    cfg = Config()
    if path is None:
        return cfg
    try:
        with open(path, "rb") as f:
            raw = strict_json(f.read())
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: {e}") from e
    base_dir = os.path.dirname(os.path.abspath(path))

    def resolve(p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(base_dir, p)

    top = _Section(raw, "config")
    cfg.tenant = top.get("tenant", str, DEFAULT_TENANT, lambda v: GUID_RE.match(v),
                         "must be a GUID").lower()
    domains = top.get("tenant_domains", list, [])
    if not all(isinstance(d, str) and d for d in domains):
        raise ConfigError("config.tenant_domains: must be a list of names")
    cfg.tenant_domains = [d.lower() for d in domains]

    clients = top.get("clients", dict, {})
    for client_id, spec in clients.items():
        where = f"config.clients[{client_id}]"
        if not GUID_RE.match(client_id):
            raise ConfigError(f"{where}: client id must be a GUID")
        sec = _Section(spec, where)
        cert_paths = []
        one = sec.get("certificate", str)
        if one:
            cert_paths.append(one)
        cert_paths += sec.get("certificates", list, [])
        if not all(isinstance(p, str) and p for p in cert_paths):
            raise ConfigError(f"{where}.certificates: must be a list of file names")
        if client_id.lower() in cfg.clients:
            raise ConfigError(f"{where}: client id given twice")
        certs = [_load_client_cert(resolve(p), where) for p in cert_paths]
        secret = None
        secret_file = sec.get("secret_file", str)
        if secret_file:
            try:
                with open(resolve(secret_file), "rb") as f:
                    secret = f.read()
            except OSError as e:
                raise ConfigError(f"{where}: cannot read secret_file: {e}") from e
            # One trailing newline is file formatting, not part of the secret.
            if secret.endswith(b"\r\n"):
                secret = secret[:-2]
            elif secret.endswith(b"\n"):
                secret = secret[:-1]
            if not secret:
                raise ConfigError(f"{where}: secret_file is empty")
        roles = sec.get("roles", list, [])
        if not all(isinstance(r, str) for r in roles):
            raise ConfigError(f"{where}.roles: must be a list of strings")
        cfg.clients[client_id.lower()] = Client(
            client_id=client_id.lower(), roles=list(roles), secret=secret, certs=certs,
            expires_in=sec.get("expires_in", int, None, lambda v: v > 0, "must be > 0"),
            assertion_algs=tuple(sec.get("assertion_algs", list, ["PS256", "RS256"],
                                         lambda v: v and all(a in ("PS256", "RS256") for a in v),
                                         "must be a non-empty list of PS256/RS256")),
            object_id=sec.get("object_id", str, str(uuid.uuid5(uuid.NAMESPACE_URL, client_id.lower())),
                              lambda v: GUID_RE.match(v), "must be a GUID"))
        if not certs and secret is None:
            raise ConfigError(f"{where}: needs a certificate or a secret_file")
        sec.finish()

    tok = _Section(top.get("token", dict, {}), "config.token")
    cfg.expires_in = tok.get("expires_in", int, 3599, lambda v: v > 0, "must be > 0")
    cfg.clock_skew = tok.get("clock_skew", int, 60, lambda v: v >= 0, "must be >= 0")
    cfg.max_assertion_lifetime = tok.get("max_assertion_lifetime", int, 600, lambda v: v > 0,
                                         "must be > 0")
    tok.finish()

    pg = _Section(top.get("paging", dict, {}), "config.paging")
    cfg.max_top = pg.get("max_top", int, 999, lambda v: v >= 1, "must be >= 1")
    cfg.default_top = pg.get("default_top", int, 100, lambda v: 1 <= v <= cfg.max_top,
                             "must be between 1 and max_top")
    cfg.top_over_max = pg.get("top_over_max", str, "clamp", lambda v: v in ("clamp", "error"),
                              "must be 'clamp' or 'error'")
    pg.finish()

    bursts_raw = []
    throttle_obj = top.get("throttle", dict)
    if throttle_obj is not None:
        th = _Section(throttle_obj, "config.throttle")
        cfg.throttle_every = th.get("every", int, 0, lambda v: v >= 0, "must be >= 0")
        cfg.throttle_fault = _parse_fault(th, 429)
        bursts_raw += th.get("bursts", list, [])
        th.finish()
    # "bursts" is also accepted at the top level.
    bursts_raw += top.get("bursts", list, [])
    for i, b in enumerate(bursts_raw):
        sec = _Section(b, f"config.bursts[{i}]")
        after = sec.get("after", int, None, lambda v: v >= 0, "must be >= 0")
        count = sec.get("count", int, 1, lambda v: v >= 1, "must be >= 1")
        if after is None:
            raise ConfigError(f"config.bursts[{i}].after: required")
        cfg.bursts.append(Burst(after=after, count=count, fault=_parse_fault(sec, 503)))
        sec.finish()

    for name in ("deny", "truncate", "loop_paging"):
        for pattern in top.get(name, list, []):
            try:
                getattr(cfg, name).append(re.compile(pattern))
            except (re.error, TypeError) as e:
                raise ConfigError(f"config.{name}: bad regex {pattern!r}: {e}") from e
    for pattern, roles in top.get("required_roles", dict, {}).items():
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles) or not roles:
            raise ConfigError(f"config.required_roles[{pattern}]: must be a non-empty list of roles")
        try:
            cfg.required_roles.append((re.compile(pattern), roles))
        except re.error as e:
            raise ConfigError(f"config.required_roles: bad regex {pattern!r}: {e}") from e

    ru_obj = top.get("resource_units", dict)
    if ru_obj is not None:
        ru = _Section(ru_obj, "config.resource_units")
        costs = {key.lower(): cost for key, cost in RESOURCE_UNIT_COSTS.items()}
        for path, cost in ru.get("costs", dict, {}).items():
            where = f"config.resource_units.costs[{path}]"
            if not path.strip("/"):
                raise ConfigError(f"{where}: needs a path such as 'applications'")
            if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
                raise ConfigError(f"{where}: must be an integer >= 1")
            costs[resource_key(path.strip("/"))] = cost
        cfg.resource_units = ResourceUnits(
            capacity=ru.get("capacity", int, 8000, lambda v: v >= 1, "must be >= 1"),
            window_s=float(ru.get("window_s", (int, float), 10, lambda v: v > 0, "must be > 0")),
            costs=costs)
        ru.finish()
    rl_obj = top.get("reports_limit", dict)
    if rl_obj is not None:
        rl = _Section(rl_obj, "config.reports_limit")
        cfg.reports_limit = ReportsLimit(
            requests=rl.get("requests", int, 5, lambda v: v >= 1, "must be >= 1"),
            window_s=float(rl.get("window_s", (int, float), 10, lambda v: v > 0, "must be > 0")))
        rl.finish()

    cfg.batch = top.get("batch", bool, True)
    cfg.latency_ms = float(top.get("latency_ms", (int, float), 0, lambda v: v >= 0, "must be >= 0"))
    cfg.token_latency_ms = float(top.get("token_latency_ms", (int, float), 0, lambda v: v >= 0,
                                         "must be >= 0"))
    top.finish()
    return cfg


# --------------------------------------------------------------------------
# The capture: every DIR/<path>.json, loaded once into memory
# --------------------------------------------------------------------------

class CaptureError(Exception):
    pass


@dataclass
class Entry:
    key: str                      # capture path without ".json", '/'-separated
    items: Optional[list] = None  # a collection (all pages merged) ...
    obj: Optional[dict] = None    # ... or a single object, served as-is
    ticks: Optional[list] = None  # audits only: activityDateTime per item, lazily


class Capture:
    def __init__(self, root: str):
        self.root = root
        self.entries: dict[str, Entry] = {}
        self._folded: dict[str, str] = {}     # lower-case key -> key
        self.object_count = 0
        self._load()

    def _load(self) -> None:
        if not os.path.isdir(self.root):
            raise CaptureError(f"capture directory not found: {self.root}")
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.endswith(".json") or name.startswith("."):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.root).replace(os.sep, "/")[:-len(".json")]
                if rel + ".json" == METADATA_FILE:
                    continue
                self._add(rel, full)

    def _add(self, key: str, path: str) -> None:
        try:
            with open(path, "rb") as f:
                body = json.loads(f.read())
        except (OSError, ValueError) as e:
            raise CaptureError(f"{path}: {e}") from e
        if isinstance(body, list):
            # A list of page bodies as the collector received them: merge.
            items = []
            for i, page in enumerate(body):
                if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                    raise CaptureError(f"{path}: page {i} is not an object with a 'value' array")
                items.extend(page["value"])
            entry = Entry(key=key, items=items)
        elif isinstance(body, dict) and isinstance(body.get("value"), list):
            entry = Entry(key=key, items=body["value"])
        elif isinstance(body, dict):
            entry = Entry(key=key, obj=body)
        else:
            raise CaptureError(f"{path}: expected a JSON object or an array of pages")
        if entry.items is not None:
            for i, item in enumerate(entry.items):
                if not isinstance(item, dict):
                    raise CaptureError(f"{path}: value[{i}] is not an object")
            self.object_count += len(entry.items)
        else:
            self.object_count += 1
        self.entries[key] = entry
        folded = key.lower()
        if folded in self._folded:
            print(f"graph_server: warning: {key} and {self._folded[folded]} differ only in case",
                  file=sys.stderr)
        else:
            self._folded[folded] = key

    def lookup(self, rel: str) -> Optional[Entry]:
        """Exact match first; then case-insensitive, as Graph treats segment
        names and GUIDs."""
        entry = self.entries.get(rel)
        if entry is None:
            key = self._folded.get(rel.lower())
            entry = self.entries.get(key) if key is not None else None
        return entry

    @staticmethod
    def audit_ticks(entry: Entry) -> list:
        """activityDateTime of every item as ticks (None when absent or
        unparsable), computed on first use. Concurrent first uses compute
        the same list twice, which is harmless."""
        if entry.ticks is None:
            ticks = []
            for item in entry.items:
                value = item.get("activityDateTime")
                try:
                    ticks.append(iso_to_ticks(value, require_offset=False)
                                 if isinstance(value, str) else None)
                except ValueError:
                    ticks.append(None)
            entry.ticks = ticks
        return entry.ticks


# --------------------------------------------------------------------------
# Test PKI
# --------------------------------------------------------------------------

def make_pki(state_dir: str) -> tuple:
    """A throw-away CA and a server certificate for 127.0.0.1/localhost.

    ECDSA P-256 keeps start-up fast. Only ca.pem (public), server.pem and
    server-key.pem (0600) are written; the CA key is dropped on return."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "adpersist tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"adpersist graph test CA {secrets.token_hex(4)}"),
    ])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_path = os.path.join(state_dir, "ca.pem")
    cert_path = os.path.join(state_dir, "server.pem")
    key_path = os.path.join(state_dir, "server-key.pem")
    write_atomic(ca_path, ca_cert.public_bytes(pem).decode())
    write_atomic(cert_path, server_cert.public_bytes(pem).decode())
    write_atomic(key_path, server_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(), mode=0o600)
    return cert_path, key_path


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------

def stats_label(path: str) -> str:
    """Path without query, ids collapsed to {id}: GUID segments, the
    segment after a known entity set, and the tenant of the token path."""
    m = TOKEN_PATH_RE.match(path)
    if m:
        return "/{tenant}/oauth2/v2.0/token"
    out, prev = [], ""
    for seg in path.split("/"):
        dec = unquote(seg)
        if GUID_RE.match(dec) or (prev.lower() in ENTITY_SETS and dec and out[:2] == ["", "v1.0"]):
            out.append("{id}")
        else:
            out.append(seg)
        prev = dec
    return "/".join(out)


def resource_key(rel: str) -> str:
    """The resource-unit cost key of a decoded path below /v1.0: its /_stats
    label without the prefix, lower case ('serviceprincipals/{id}/approleassignments')."""
    return stats_label(f"{GRAPH_PREFIX}/{rel}")[len(GRAPH_PREFIX) + 1:].lower()


class Stats:
    """Counters for /_stats. Everything under one lock (cheap next to TLS)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._started = time.time()
        self.in_flight = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.since = time.time()
            self.requests_total = 0
            self.graph_requests = 0
            self.standalone_gets = 0
            self.batch_requests = 0
            self.batch_items = 0
            self.token_requests = 0
            self.other_requests = 0
            self.tokens_issued = 0
            self.pages_served = 0
            self.objects_served = 0
            self.bytes_sent = 0
            self.tls_handshake_failures = 0
            self.resource_units_charged = 0
            self.throttled_by_resource_units = 0
            self.throttled_by_reports_limit = 0
            self.by_path = collections.Counter()
            self.by_status = collections.Counter()
            self.graph_by_status = collections.Counter()
            self.batch_items_by_path = collections.Counter()
            self.batch_items_by_status = collections.Counter()
            self.token_by_status = collections.Counter()
            self.token_errors = collections.Counter()
            self.faults = collections.Counter()
            self.max_in_flight = self.in_flight

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight

    @staticmethod
    def _count_label(counter: collections.Counter, label: str) -> None:
        if label not in counter and len(counter) >= STATS_MAX_PATHS:
            label = "(other)"
        counter[label] += 1

    def end(self, kind: str, method: str, label: str, status: int, nbytes: int, pages: int,
            objects: int) -> None:
        """One HTTP request answered. kind: graph, batch, token or other;
        pages/objects of a $batch are those of all its items."""
        with self._lock:
            self.in_flight -= 1
            self.requests_total += 1
            self._count_label(self.by_path, label)
            self.by_status[str(status)] += 1
            self.bytes_sent += nbytes
            if kind in ("graph", "batch"):
                self.graph_requests += 1
                self.graph_by_status[str(status)] += 1
                self.pages_served += pages
                self.objects_served += objects
                if kind == "batch":
                    self.batch_requests += 1
                elif method == "GET":
                    self.standalone_gets += 1
            elif kind == "token":
                self.token_requests += 1
                self.token_by_status[str(status)] += 1
                if status == 200:
                    self.tokens_issued += 1
            else:
                self.other_requests += 1

    def batch_item(self, label: str, status: int) -> None:
        with self._lock:
            self.batch_items += 1
            self._count_label(self.batch_items_by_path, label)
            self.batch_items_by_status[str(status)] += 1

    def note(self, counter: str, key: str) -> None:
        with self._lock:
            getattr(self, counter)[key] += 1

    def add(self, counter: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + n)

    def tls_failure(self) -> None:
        with self._lock:
            self.tls_handshake_failures += 1

    def snapshot(self, fault_sequence: int) -> dict:
        with self._lock:
            now = time.time()
            return {
                "requests_total": self.requests_total,
                "graph_requests": self.graph_requests,
                "standalone_gets": self.standalone_gets,
                "batch_requests": self.batch_requests,
                "batch_items": self.batch_items,
                "token_requests": self.token_requests,
                "tokens_issued": self.tokens_issued,
                "other_requests": self.other_requests,
                "pages_served": self.pages_served,
                "objects_served": self.objects_served,
                "bytes_sent": self.bytes_sent,
                "by_path": dict(sorted(self.by_path.items())),
                "by_status": dict(sorted(self.by_status.items())),
                "graph_by_status": dict(sorted(self.graph_by_status.items())),
                "batch_items_by_path": dict(sorted(self.batch_items_by_path.items())),
                "batch_items_by_status": dict(sorted(self.batch_items_by_status.items())),
                "token_by_status": dict(sorted(self.token_by_status.items())),
                "token_errors": dict(sorted(self.token_errors.items())),
                "faults": {"sequence": fault_sequence, **dict(sorted(self.faults.items()))},
                "resource_units_charged": self.resource_units_charged,
                "throttled_by_resource_units": self.throttled_by_resource_units,
                "throttled_by_reports_limit": self.throttled_by_reports_limit,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "tls_handshake_failures": self.tls_handshake_failures,
                "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since)),
                "uptime_s": round(now - self._started, 3),
            }


# --------------------------------------------------------------------------
# Fault schedule
# --------------------------------------------------------------------------

class FaultSchedule:
    """Deterministic faults keyed on the sequence number of authenticated
    Graph GETs (1-based): standalone GETs and $batch items, one number each;
    401s and the $batch POST itself do not advance it. Bursts win over the
    'every Nth' rule. Reset together with the stats."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self._lock = threading.Lock()
        self.sequence = 0

    def reset(self) -> None:
        with self._lock:
            self.sequence = 0

    def next(self) -> tuple:
        with self._lock:
            self.sequence += 1
            n = self.sequence
        for burst in self.cfg.bursts:
            if burst.after < n <= burst.after + burst.count:
                return n, burst.fault, "burst"
        if self.cfg.throttle_every and n % self.cfg.throttle_every == 0:
            return n, self.cfg.throttle_fault, "throttle"
        return n, None, None


# --------------------------------------------------------------------------
# Service limits: resource units and the reports limit
# --------------------------------------------------------------------------

@dataclass
class Admission:
    """RateLimits' verdict on one Graph GET."""
    retry_after: Optional[float] = None  # set: throttled (and nothing charged), seconds to wait
    limit: str = ""                      # what throttled it: "resource_units" or "reports"
    cost: int = 0                        # resource units of the request (0: not metered)
    used: float = 0.0                    # fraction of the bucket in use after the charge


class RateLimits:
    """Graph's identity service limits per (client app, tenant), both
    optional. auditLogs/* paths fall under the reports limit only: at most
    `requests` admitted in any sliding window of `window_s`. Every other
    path draws its cost from a resource-unit token bucket of `capacity`
    units, refilled continuously at capacity/window_s per second. A
    throttled request is not charged. Reset together with the stats (full
    buckets, empty windows)."""

    def __init__(self, cfg: Config, stats: Stats):
        self.units, self.reports = cfg.resource_units, cfg.reports_limit
        self.stats = stats
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._buckets: dict[tuple, tuple] = {}      # scope -> (units, monotonic time)
            self._admitted: dict[tuple, collections.deque] = {}   # scope -> report times

    def admit(self, scope: tuple, rel: str, query: Optional[Query]) -> Admission:
        """scope = (app id, tenant id); rel = the decoded path below /v1.0;
        query = the parsed options, None when they did not parse."""
        now = time.monotonic()
        if rel.split("/")[0].lower() == "auditlogs":
            return self._admit_report(scope, now) if self.reports else Admission()
        return self._charge(scope, self.cost(rel, query), now) if self.units else Admission()

    def cost(self, rel: str, query: Optional[Query]) -> int:
        """Base cost by path; $select -1, $expand +1, $top < 20 -1; at least 1.
        Options that did not parse leave the base cost."""
        cost = self.units.costs.get(resource_key(rel), 1)
        if query is not None:
            options = {name for name, _ in query.mac_params}
            if "$select" in options:
                cost -= 1
            if "$expand" in options:
                cost += 1
            if query.top is not None and query.top < 20:
                cost -= 1
        return max(cost, 1)

    def _charge(self, scope: tuple, cost: int, now: float) -> Admission:
        capacity = self.units.capacity
        rate = capacity / self.units.window_s
        need = min(cost, capacity)      # a request dearer than the bucket waits for a full one
        with self._lock:
            units, last = self._buckets.get(scope, (capacity, now))
            units = min(capacity, units + (now - last) * rate)
            self._buckets[scope] = (units if units < need else units - need, now)
        if units < need:
            self.stats.add("throttled_by_resource_units")
            return Admission(retry_after=(need - units) / rate, limit="resource_units")
        self.stats.add("resource_units_charged", need)
        return Admission(cost=cost, used=1 - (units - need) / capacity)

    def _admit_report(self, scope: tuple, now: float) -> Admission:
        window = self.reports.window_s
        with self._lock:
            times = self._admitted.setdefault(scope, collections.deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) < self.reports.requests:
                times.append(now)
                return Admission()
            wait = times[0] + window - now
        self.stats.add("throttled_by_reports_limit")
        return Admission(retry_after=wait, limit="reports")


# --------------------------------------------------------------------------
# HTTP responses
# --------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = PLAIN_JSON
    headers: list = field(default_factory=list)
    close: bool = False
    pages: int = 0          # 1 for a served collection page
    objects: int = 0        # objects in it


class RequestInfo:
    """Per-request values the handlers need (the handler object is reused
    across keep-alive requests, so these are not kept on it). A $batch item
    gets its own, from the item's headers and the batch's time."""

    def __init__(self, headers: Message, now: float):
        self.request_id = str(uuid.uuid4())
        crid = headers.get("client-request-id")
        self.client_request_id = crid if crid and CLIENT_REQUEST_ID_RE.match(crid) else None
        self.headers = headers
        self.now = now


def graph_error(info: RequestInfo, status: int, code: str, message: str,
                inner_extra: Optional[dict] = None, headers: Optional[list] = None) -> Response:
    """Graph's error body: {"error":{"code","message","innerError":{date,
    request-id, client-request-id}}} (concepts/errors.md)."""
    inner = {"date": graph_date(info.now), "request-id": info.request_id,
             "client-request-id": info.client_request_id or info.request_id}
    if inner_extra:
        inner.update(inner_extra)
    body = {"error": {"code": code, "message": message, "innerError": inner}}
    return Response(status=status, body=dumps(body), content_type=PLAIN_JSON,
                    headers=list(headers or []))


# --------------------------------------------------------------------------
# Token endpoint and access tokens
# --------------------------------------------------------------------------

class TokenError(Exception):
    """An Entra token endpoint error: HTTP status, OAuth error, AADSTS code."""

    def __init__(self, status: int, error: str, code: int, description: str):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description


class AuthFailure(Exception):
    """A Graph request without a valid access token (401)."""


class TokenService:
    def __init__(self, cfg: Config, stats: Stats):
        self.cfg = cfg
        self.stats = stats
        self._key = secrets.token_bytes(32)      # signs access tokens; per process
        self._jti_lock = threading.Lock()
        self._seen_jti: dict[tuple, float] = {}  # (client_id, jti) -> assertion exp
        self._next_purge = 0.0
        self.base_url = ""                       # set once the port is known
        self.port = 0

    # ---- the token request ------------------------------------------------

    def handle(self, info: RequestInfo, method: str, tenant_seg: str, raw_path: str,
               body: bytes) -> Response:
        trace_id = str(uuid.uuid4())
        crid = info.client_request_id
        # Entra reports the caller's client-request-id as its correlation id.
        correlation_id = crid.lower() if crid and GUID_RE.match(crid) else str(uuid.uuid4())
        try:
            if method != "POST":
                raise TokenError(400, "invalid_request", 900561,
                                 "The endpoint only accepts POST requests.")
            result = self._issue(info, tenant_seg, raw_path, body)
        except TokenError as e:
            self.stats.note("token_errors", str(e.code))
            return self._error_response(info, e, trace_id, correlation_id)
        headers = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"),
                   ("x-ms-request-id", trace_id)]
        if crid:
            headers.append(("client-request-id", crid))
        return Response(status=200, body=dumps(result), headers=headers)

    def _error_response(self, info, e: TokenError, trace_id: str, correlation_id: str) -> Response:
        stamp = aad_timestamp(info.now)
        body = {
            "error": e.error,
            "error_description": (f"AADSTS{e.code}: {e.description}\r\nTrace ID: {trace_id}"
                                  f"\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}"),
            "error_codes": [e.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{self.base_url}/error?code={e.code}",
        }
        headers = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"),
                   ("x-ms-request-id", trace_id)]
        if info.client_request_id:
            headers.append(("client-request-id", info.client_request_id))
        if e.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="adpersist-graph-test"'))
        return Response(status=e.status, body=dumps(body), headers=headers)

    @staticmethod
    def _parse_form(info: RequestInfo, body: bytes) -> dict:
        """application/x-www-form-urlencoded -> dict. A body of another
        type is read as empty, so the caller sees Entra's 'must contain
        grant_type' error, as a JSON body gets from Entra."""
        ctype = (info.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return {}
        try:
            text = body.decode("ascii")
        except UnicodeDecodeError:
            raise TokenError(400, "invalid_request", 9002313,
                             "Invalid request. Request is malformed or invalid.") from None
        form = {}
        for part in text.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            try:
                name = unquote_plus(name, errors="strict")
                value = unquote_plus(value, errors="strict")
            except UnicodeDecodeError:
                raise TokenError(400, "invalid_request", 9002313,
                                 "Invalid request. Request is malformed or invalid.") from None
            if name in form:
                raise TokenError(400, "invalid_request", 9002313,
                                 f"Invalid request. Request is malformed or invalid. "
                                 f"Parameter '{name}' is duplicated.")
            form[name] = value
        return form

    @staticmethod
    def _basic_credentials(info: RequestInfo) -> Optional[tuple]:
        """HTTP Basic client authentication (RFC 6749 section 2.3.1): both
        halves are form-urlencoded before base64."""
        auth = info.headers.get_all("Authorization") or []
        if not auth:
            return None
        scheme, _, value = auth[0].partition(" ")
        if len(auth) != 1 or scheme.lower() != "basic":
            raise TokenError(401, "invalid_client", 7000218,
                             "The Authorization header of a token request must use the Basic scheme.")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            user, sep, password = decoded.partition(":")
            if not sep:
                raise ValueError("no colon")
            return unquote_plus(user, errors="strict"), unquote_plus(password, errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise TokenError(401, "invalid_client", 7000218,
                             "The Basic authorization header is malformed.") from None

    def _issue(self, info: RequestInfo, tenant_seg: str, raw_path: str, body: bytes) -> dict:
        cfg = self.cfg
        tenant = unquote(tenant_seg).lower()
        if tenant != cfg.tenant and tenant not in cfg.tenant_domains:
            raise TokenError(400, "invalid_request", 90002,
                             f"Tenant '{unquote(tenant_seg)}' not found. Check to make sure you have "
                             f"the correct tenant ID and are signing into the correct cloud.")
        form = self._parse_form(info, body)
        for required in ("grant_type",):
            if not form.get(required):
                raise TokenError(400, "invalid_request", 900144,
                                 f"The request body must contain the following parameter: '{required}'.")
        if form["grant_type"] != "client_credentials":
            raise TokenError(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type "
                             f"'{form['grant_type']}'.")

        basic = self._basic_credentials(info)
        client_id = form.get("client_id")
        if basic is not None:
            if client_id is not None and client_id.lower() != basic[0].lower():
                raise TokenError(400, "invalid_request", 9002313,
                                 "Invalid request. client_id in the body does not match the "
                                 "Authorization header.")
            client_id = basic[0]
        if not client_id:
            raise TokenError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        client = cfg.clients.get(client_id.lower())
        if client is None:
            raise TokenError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the "
                             f"directory '{cfg.tenant}'. This can happen if the application has not "
                             "been installed by the administrator of the tenant or consented to by "
                             "any user in the tenant. You may have sent your authentication request "
                             "to the wrong tenant.")

        scope = form.get("scope")
        if not scope:
            raise TokenError(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        if scope != f"{self.base_url}/.default":
            raise TokenError(400, "invalid_scope", 70011,
                             "The provided value for the input parameter 'scope' is not valid. "
                             f"The scope {scope} is not valid.")

        methods = [m for m, present in (
            ("client_secret", "client_secret" in form),
            ("basic", basic is not None),
            ("client_assertion", "client_assertion" in form or "client_assertion_type" in form),
        ) if present]
        if len(methods) > 1:
            raise TokenError(400, "invalid_request", 9002313,
                             "Invalid request. More than one client authentication method was "
                             f"used ({', '.join(methods)}); use exactly one.")
        if not methods:
            raise TokenError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: "
                             "'client_assertion' or 'client_secret'.")
        if methods[0] == "client_assertion":
            self._check_assertion(info, client, form, raw_path)
            acr = "2"
        else:
            provided = form["client_secret"] if methods[0] == "client_secret" else basic[1]
            if client.secret is None or not hmac.compare_digest(provided.encode("utf-8"), client.secret):
                raise TokenError(401, "invalid_client", 7000215,
                                 "Invalid client secret provided. Ensure the secret being sent in "
                                 "the request is the client secret value, not the client secret ID, "
                                 f"for a secret added to app '{client.client_id}'.")
            acr = "1"
        expires_in = client.expires_in or cfg.expires_in
        return {"token_type": "Bearer", "expires_in": expires_in, "ext_expires_in": expires_in,
                "access_token": self._mint(client, acr, expires_in, info.now)}

    # ---- the JWT client assertion ----------------------------------------

    def _check_assertion(self, info: RequestInfo, client: Client, form: dict, raw_path: str) -> None:
        """RFC 7523 client authentication as Entra documents it
        (certificate-credentials.md): PS256 + x5t#S256, or legacy RS256 +
        x5t; signature first, then claims, then jti replay."""
        if form.get("client_assertion_type") != JWT_BEARER:
            raise TokenError(401, "invalid_client", 50027,
                             f"Invalid JWT token. client_assertion_type must be '{JWT_BEARER}'.")
        assertion = form.get("client_assertion") or ""

        def malformed(why: str) -> TokenError:
            return TokenError(401, "invalid_client", 50027,
                              f"Invalid JWT token. The client assertion is malformed: {why}.")

        if len(assertion) > MAX_ASSERTION:
            raise malformed("too long")
        parts = assertion.split(".")
        if len(parts) != 3:
            raise malformed("not a compact JWS (header.payload.signature)")
        try:
            header = strict_json(b64url_decode(parts[0]))
            claims = strict_json(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError as e:
            raise malformed(f"bad base64url or JSON ({e})") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise malformed("header and payload must be JSON objects")
        if "crit" in header:
            raise malformed("unsupported 'crit' header")
        if "typ" in header and (not isinstance(header["typ"], str) or header["typ"].upper() != "JWT"):
            raise malformed("typ must be JWT")

        alg = header.get("alg")
        if alg == "PS256":
            thumb_name, pad = "x5t#S256", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        elif alg == "RS256":
            thumb_name, pad = "x5t", padding.PKCS1v15()
        else:
            raise malformed(f"alg {alg!r} is not supported (use PS256, or legacy RS256)")
        if alg not in client.assertion_algs:
            # This server's wording (Entra's exact answer for a refused algorithm is not documented).
            raise TokenError(401, "invalid_client", 700027,
                             f"Client assertion failed signature validation. [Reason - alg {alg} is not "
                             f"accepted for app Id '{client.client_id}'.]")
        thumb = header.get(thumb_name)
        if not isinstance(thumb, str) or not thumb:
            raise malformed(f"alg {alg} needs the '{thumb_name}' header")
        # Thumbprints are public values: a plain comparison is fine.
        cert = next((c for c in client.certs
                     if thumb == (c.x5t_s256 if alg == "PS256" else c.x5t)), None)
        if cert is None:
            raise TokenError(401, "invalid_client", 700027,
                             "Client assertion failed signature validation. [Reason - The key was "
                             f"not found., Thumbprint of key used by client: '{thumb}' ({thumb_name}), "
                             "Please visit the Azure Portal, Graph Explorer or directly use MS Graph "
                             f"to see configured keys for app Id '{client.client_id}'.]")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        try:
            # PSS with an explicit salt length verifies exactly that length
            # (OpenSSL). .NET's RSASignaturePadding.Pss (salt = digest
            # length) behaves the same, so a max-length salt, a common
            # library default, is refused here as Entra is expected to.
            cert.public_key.verify(signature, signing_input, pad, hashes.SHA256())
        except InvalidSignature:
            how = ", RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt" if alg == "PS256" else ""
            raise TokenError(401, "invalid_client", 700027,
                             "Client assertion failed signature validation. [Reason - The provided "
                             "signature value did not match the expected signature value., Thumbprint "
                             f"of key used by client: '{cert.sha1_hex}', alg {alg}{how}]") from None

        # Claims (the signature is good, so these come from the key holder).
        iss = claims.get("iss")
        if not isinstance(iss, str) or iss.lower() != client.client_id:
            raise TokenError(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' "
                             f"parameter. The iss claim is {iss!r}.")
        if claims.get("sub") != claims.get("iss"):
            raise TokenError(401, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match 'client_id' "
                             f"parameter. The sub claim is {claims.get('sub')!r}; iss and sub must "
                             "both be the client_id.")
        expected_aud = self._posted_url(info, raw_path)
        if claims.get("aud") != expected_aud:
            raise TokenError(401, "invalid_client", 700023,
                             "Client assertion audience claim does not match Realm issuer. "
                             f"Expected '{expected_aud}', got {claims.get('aud')!r}.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise malformed("the jti claim must be a non-empty string")

        for name in ("exp", "nbf", "iat"):
            if name in claims and not is_json_number(claims[name]):
                raise malformed(f"the {name} claim must be a JSON number (NumericDate), "
                                f"not {type(claims[name]).__name__}")
        if "exp" not in claims:
            raise malformed("the exp claim is required")
        exp, nbf, iat = claims["exp"], claims.get("nbf"), claims.get("iat")
        start = nbf if nbf is not None else iat
        if start is None:
            raise malformed("nbf or iat is required so that the assertion lifetime can be checked")
        now, skew = info.now, self.cfg.clock_skew

        def stamp(t):
            return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(t))

        def out_of_range(extra: str) -> TokenError:
            return TokenError(401, "invalid_client", 700024,
                              f"Client assertion is not within its valid time range. Current time: "
                              f"{stamp(now)}, assertion valid from {stamp(start)}, expiry time of "
                              f"assertion {stamp(exp)}. {extra}")

        if exp <= now:
            raise out_of_range("The assertion has expired.")
        if (nbf is not None and nbf > now + skew) or (iat is not None and iat > now + skew):
            raise out_of_range(f"nbf/iat is in the future (allowed clock skew {skew} s).")
        if exp - start > self.cfg.max_assertion_lifetime:
            raise out_of_range(f"Its lifetime ({exp - start:g} s) exceeds the "
                               f"{self.cfg.max_assertion_lifetime} s this server allows.")

        # Replay: a jti is good once per client while its assertion lives.
        # Recorded only now, so a rejected assertion does not burn its jti.
        with self._jti_lock:
            if now >= self._next_purge:
                self._seen_jti = {k: v for k, v in self._seen_jti.items() if v > now - skew}
                self._next_purge = now + 30
            key = (client.client_id, jti)
            if key in self._seen_jti:
                raise TokenError(401, "invalid_client", 50027,
                                 f"Invalid JWT token. The client assertion jti '{jti}' has already "
                                 "been used (replay).")
            self._seen_jti[key] = exp

    def _posted_url(self, info: RequestInfo, raw_path: str) -> str:
        """The token URL the client posted to: its Host header when that is
        this server (127.0.0.1:PORT or localhost:PORT), else the base URL."""
        host = (info.headers.get("Host") or "").strip().lower()
        if host in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            return f"https://{host}{raw_path}"
        return f"{self.base_url}{raw_path}"

    # ---- access tokens ----------------------------------------------------

    def _mint(self, client: Client, acr: str, expires_in: int, now: float) -> str:
        """A JWT shaped like Entra's v1 app-only Graph tokens, HMAC-signed."""
        iat = int(now)
        header = {"typ": "JWT", "alg": "HS256", "kid": "adpersist-graph-test"}
        payload = {
            "aud": self.base_url,
            "iss": f"{self.base_url}/{self.cfg.tenant}/",
            "iat": iat, "nbf": iat, "exp": iat + expires_in,
            "appid": client.client_id,
            "appidacr": acr,               # "1" secret, "2" certificate
            "idtyp": "app",
            "oid": client.object_id, "sub": client.object_id,
            "tid": self.cfg.tenant,
            "uti": b64url_encode(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        if client.roles:                    # Entra omits an empty roles claim
            payload["roles"] = list(client.roles)
        signing_input = (b64url_encode(dumps(header)) + "." + b64url_encode(dumps(payload))).encode()
        mac = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        return signing_input.decode() + "." + b64url_encode(mac)

    def verify_access(self, info: RequestInfo) -> dict:
        """The claims of the request's bearer token, or AuthFailure with
        the message Graph gives for that case."""
        auth = info.headers.get_all("Authorization") or []
        if not auth:
            raise AuthFailure("Access token is empty.")
        if len(auth) != 1:
            raise AuthFailure("Access token validation failure.")
        scheme, _, token = auth[0].strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthFailure("Access token is empty.")
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthFailure("CompactToken parsing failed with error code: 80049217")
        try:
            mac = b64url_decode(parts[2])
            expected = hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode("ascii"),
                                hashlib.sha256).digest()
            if not hmac.compare_digest(mac, expected):
                raise AuthFailure("Access token validation failure.")
            claims = json.loads(b64url_decode(parts[1]))
        except (ValueError, UnicodeEncodeError):
            raise AuthFailure("Access token validation failure.") from None
        if claims.get("aud") != self.base_url:
            raise AuthFailure("Access token validation failure. Invalid audience.")
        if info.now >= claims.get("exp", 0):
            raise AuthFailure("Lifetime validation failed, the token is expired.")
        return claims


# --------------------------------------------------------------------------
# Graph v1.0 GET
# --------------------------------------------------------------------------

class QueryError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


SYSTEM_OPTIONS = {"$select", "$top", "$filter", "$expand", "$skiptoken"}


@dataclass
class Query:
    select: Optional[list] = None
    top: Optional[int] = None
    filter: Optional[list] = None       # [(op, ticks)]
    expand: Optional[Any] = None        # False / True / [selected names] (principal)
    skiptoken: Optional[str] = None
    mac_params: list = field(default_factory=list)   # decoded (name, value), no $skiptoken
    link_parts: list = field(default_factory=list)   # raw "name=value" parts, no $skiptoken


def parse_select(value: str) -> Optional[list]:
    names = [n.strip() for n in value.split(",")]
    if names == ["*"]:
        return None
    for n in names:
        if not PROPERTY_NAME_RE.match(n):
            raise QueryError("Request_UnsupportedQuery",
                             f"Invalid $select property '{n}' (this server supports top-level "
                             "property names only).")
    out = []
    for n in names:                     # de-duplicate, keep the order asked
        if n not in out:
            out.append(n)
    return out


_EXPAND_RE = re.compile(r"\s*principal\s*(?:\(\s*\$select\s*=\s*([^()]*)\))?\s*\Z", re.I)
_FILTER_CLAUSE_RE = re.compile(r"\s*activityDateTime\s+(ge|gt|le|lt|eq)\s+(\S+)\s*\Z", re.I)
_FILTER_AND_RE = re.compile(r"\s+and\s+", re.I)


def parse_filter(value: str) -> list:
    """`activityDateTime ge|gt|le|lt|eq <DateTimeOffset>` clauses joined by
    `and` (the directoryAudits forms adpersist uses). Anything else is
    Request_UnsupportedQuery."""
    clauses = []
    for clause in _FILTER_AND_RE.split(value.strip()):
        m = _FILTER_CLAUSE_RE.match(clause)
        if not m:
            raise QueryError("Request_UnsupportedQuery",
                             f"Invalid filter clause: '{clause.strip()}' (this server supports "
                             "'activityDateTime ge|gt|le|lt|eq <date-time>' joined by 'and').")
        try:
            ticks = iso_to_ticks(m.group(2), require_offset=True)
        except ValueError as e:
            raise QueryError("Request_UnsupportedQuery",
                             f"Invalid filter clause: {e} (a '+' offset must be sent as %2B)") from None
        clauses.append((m.group(1).lower(), ticks))
    return clauses


def parse_query(raw: str, cfg: Config) -> Query:
    """Graph's query string rules: '&'-separated, percent-decoded names and
    values ('+' is a space, so '$' may arrive as %24 and '+' must be %2B),
    system options case-insensitive and at most once each."""
    q = Query()
    seen = set()
    for part in raw.split("&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition("=")
        try:
            name = unquote_plus(raw_name, errors="strict")
            value = unquote_plus(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise QueryError("Request_BadRequest", "The query string is not valid UTF-8.") from None
        if name.startswith("$"):
            name = name.lower()
            if name not in SYSTEM_OPTIONS:
                raise QueryError("Request_UnsupportedQuery",
                                 f"Query option '{name}' is not supported by this test server.")
            if name in seen:
                raise QueryError("Request_BadRequest",
                                 f"Query option '{name}' was specified more than once, but it must "
                                 "be specified at most once.")
            seen.add(name)
        if name == "$skiptoken":
            q.skiptoken = value
            continue
        q.mac_params.append((name, value))
        q.link_parts.append(part)
        if name == "$select":
            q.select = parse_select(value)
        elif name == "$top":
            if not re.fullmatch(r"\d{1,9}", value.strip()) or int(value) < 1:
                raise QueryError("Request_BadRequest",
                                 f"Invalid page size specified: '{value}'. Must be between 1 and "
                                 f"{cfg.max_top} inclusive.")
            q.top = int(value)
            if q.top > cfg.max_top:
                if cfg.top_over_max == "error":
                    raise QueryError("Request_BadRequest",
                                     f"Invalid page size specified: '{value}'. Must be between 1 "
                                     f"and {cfg.max_top} inclusive.")
                q.top = cfg.max_top
        elif name == "$filter":
            q.filter = parse_filter(value)
        elif name == "$expand":
            m = _EXPAND_RE.match(value)
            if not m:
                raise QueryError("Request_UnsupportedQuery",
                                 f"Unsupported $expand '{value}' (this server expands 'principal' "
                                 "and 'principal($select=...)' on roleAssignments only).")
            q.expand = parse_select(m.group(1)) if m.group(1) is not None else True
            if q.expand is None:            # principal($select=*)
                q.expand = True
    return q


def select_props(obj: dict, names: list) -> dict:
    """Graph's $select on one object: the named top-level properties, plus
    'id' and '@odata.type' when present. Names match case-insensitively.
    A selected property absent from the capture comes back as null, as
    Graph returns it -- except on objects that carry '@odata.type' (items
    of polymorphic directoryObject collections such as owners, members or
    an expanded principal), where the property may not exist on that type
    and is left out."""
    out = {}
    if "@odata.type" in obj:
        out["@odata.type"] = obj["@odata.type"]
    if "id" in obj:
        out["id"] = obj["id"]
    add_nulls = "@odata.type" not in obj
    folded = None
    for name in names:
        if name in obj:
            out[name] = obj[name]
            continue
        if folded is None:
            folded = {k.lower(): k for k in obj}
        key = folded.get(name.lower())
        if key is not None:
            out[key] = obj[key]
        elif add_nulls and name not in out:
            out[name] = None
    return out


class Paging:
    """Opaque $skiptoken = base64url(nonce[8] || offset XOR mask[8] || mac[16]).

    mask = HMAC(key, "mask" || nonce) hides the offset (a client cannot read
    or compute positions from it); mac = HMAC(key, nonce, offset, capture
    path, every other query option) under a per-process random key. A token
    that was altered, moved to another path or query, or issued by another
    server run is a 400."""

    def __init__(self):
        self._key = secrets.token_bytes(32)

    def _mask(self, nonce: bytes) -> int:
        return int.from_bytes(hmac.new(self._key, b"mask" + nonce, hashlib.sha256).digest()[:8], "big")

    def _mac(self, nonce: bytes, key: str, params: list, offset: int) -> bytes:
        msg = json.dumps([nonce.hex(), key.lower(), params, offset], separators=(",", ":"))
        return hmac.new(self._key, msg.encode("utf-8"), hashlib.sha256).digest()[:16]

    def encode(self, key: str, params: list, offset: int) -> str:
        nonce = secrets.token_bytes(8)
        masked = (offset ^ self._mask(nonce)).to_bytes(8, "big")
        return b64url_encode(nonce + masked + self._mac(nonce, key, params, offset))

    def decode(self, token: str, key: str, params: list) -> int:
        try:
            raw = b64url_decode(token)
        except ValueError:
            raw = b""
        if len(raw) == 32:
            nonce = raw[:8]
            offset = int.from_bytes(raw[8:16], "big") ^ self._mask(nonce)
            if hmac.compare_digest(raw[16:], self._mac(nonce, key, params, offset)):
                return offset
        raise QueryError("Request_BadRequest",
                         "The specified page token value is invalid or was not issued for this "
                         "request.")


class BatchError(Exception):
    """A $batch payload that cannot be run at all (400 for the whole batch)."""


@dataclass
class BatchItem:
    id: str
    method: str         # upper case
    url: str            # as sent, e.g. "/applications?$select=id"
    headers: Message    # the item's own headers (only client-request-id is used)


def parse_batch(content_type: Optional[str], body: bytes) -> list:
    """The items of a JSON batch body (concepts/json-batching.md): an object
    whose "requests" holds 1..20 objects, each with a unique non-empty
    string "id", "method" and "url" strings and optional string "headers".
    Anything else, and "dependsOn" (not supported here), is a BatchError.
    Method and URL are checked per item, when it runs."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise BatchError("Invalid batch payload format: the Content-Type must be application/json.")
    try:
        doc = strict_json(body)
    except ValueError as e:
        raise BatchError(f"Invalid batch payload format: {e}.") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("requests"), list):
        raise BatchError("Invalid batch payload format: expected an object with a 'requests' array.")
    requests = doc["requests"]
    if not 1 <= len(requests) <= MAX_BATCH_REQUESTS:
        raise BatchError(f"A batch must hold 1 to {MAX_BATCH_REQUESTS} requests; it holds "
                         f"{len(requests)}.")
    items, seen = [], set()
    for i, raw in enumerate(requests):
        where = f"requests[{i}]"
        if not isinstance(raw, dict):
            raise BatchError(f"Invalid batch payload format: {where} is not an object.")
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise BatchError(f"Invalid batch payload format: {where}.id must be a non-empty string.")
        if item_id in seen:
            raise BatchError(f"Request id '{item_id}' is used more than once; ids must be unique.")
        seen.add(item_id)
        if "dependsOn" in raw:
            raise BatchError(f"{where}: dependsOn is not supported by this test server.")
        method, url, headers = raw.get("method"), raw.get("url"), raw.get("headers", {})
        if not isinstance(method, str) or not method:
            raise BatchError(f"Invalid batch payload format: {where}.method must be a string.")
        if not isinstance(url, str) or not url:
            raise BatchError(f"Invalid batch payload format: {where}.url must be a string.")
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise BatchError(f"Invalid batch payload format: {where}.headers must map names to "
                             "strings.")
        message = Message()
        for name, value in headers.items():
            message[name] = value
        items.append(BatchItem(id=item_id, method=method.upper(), url=url, headers=message))
    return items


def batch_response(item_id: str, resp: Response) -> bytes:
    """One member of "responses". The item's body is the JSON the
    standalone request would have sent, spliced in unparsed."""
    headers = {"Content-Type": resp.content_type, **dict(resp.headers)}
    head = dumps({"id": item_id, "status": resp.status, "headers": headers})
    return head[:-1] + b',"body":' + resp.body + b"}"


class GraphApi:
    def __init__(self, cfg: Config, capture: Capture, tokens: TokenService, stats: Stats,
                 faults: FaultSchedule, limits: RateLimits):
        self.cfg, self.capture, self.tokens, self.stats = cfg, capture, tokens, stats
        self.faults, self.limits = faults, limits
        self.paging = Paging()

    def _headers(self, info: RequestInfo) -> list:
        return [("request-id", info.request_id),
                ("client-request-id", info.client_request_id or info.request_id)]

    def _error(self, info, status, code, message, **kw) -> Response:
        r = graph_error(info, status, code, message, **kw)
        r.headers = self._headers(info) + r.headers
        return r

    def _unauthorized(self, info: RequestInfo, failure: AuthFailure) -> Response:
        return self._error(info, 401, "InvalidAuthenticationToken", str(failure), headers=[
            ("WWW-Authenticate", f'Bearer realm="", authorization_uri='
                                 f'"{self.tokens.base_url}/{self.cfg.tenant}/oauth2/v2.0/token", '
                                 'error="invalid_token"')])

    def get(self, info: RequestInfo, raw_path: str, raw_query: str) -> Response:
        """A standalone GET /v1.0/...: the token, then serve(). Step numbers
        are those of the evaluation order in README.md (1 is latency)."""
        # 2. Authentication (401s do not advance the fault sequence).
        try:
            claims = self.tokens.verify_access(info)
        except AuthFailure as e:
            return self._unauthorized(info, e)
        return self.serve(info, claims, raw_path, raw_query)

    def batch(self, info: RequestInfo, body: bytes) -> Response:
        """POST /v1.0/$batch: one token check for the batch, then every item
        through serve() in request order, exactly as a standalone GET. The
        responses come back in reverse order: clients must match them by id."""
        try:
            claims = self.tokens.verify_access(info)
        except AuthFailure as e:
            return self._unauthorized(info, e)
        try:
            items = parse_batch(info.headers.get("Content-Type"), body)
        except BatchError as e:
            return self._error(info, 400, "BadRequest", str(e))
        parts, pages, objects = [], 0, 0
        for item in items:
            label, resp = self._batch_item(RequestInfo(item.headers, info.now), claims, item)
            self.stats.batch_item(label, resp.status)
            pages += resp.pages
            objects += resp.objects
            parts.append(batch_response(item.id, resp))
        parts.reverse()
        return Response(status=200, body=b'{"responses":[' + b",".join(parts) + b"]}",
                        content_type=GRAPH_JSON, headers=self._headers(info), pages=pages,
                        objects=objects)

    def _batch_item(self, info: RequestInfo, claims: dict, item: BatchItem) -> tuple:
        """(/_stats label, response) of one $batch item."""
        if not BATCH_ITEM_URL_RE.match(item.url) or BATCH_ITEM_VERSION_RE.match(item.url):
            return "(invalid url)", self._error(
                info, 400, "BadRequest", "Invalid request URL: a batch item's url is relative to "
                "the version root and starts with '/', without the version segment "
                "(e.g. '/applications?$select=id').")
        path, _, query = item.url.partition("?")
        label = stats_label(GRAPH_PREFIX + path)
        if item.method != "GET":
            return label, self._error(info, 405, "Request_BadRequest",
                                      "Specified HTTP method is not allowed for the request "
                                      "target. This test server runs only GET requests in a "
                                      "batch.", headers=[("Allow", "GET")])
        return label, self.serve(info, claims, GRAPH_PREFIX + path, query)

    def serve(self, info: RequestInfo, claims: dict, raw_path: str, raw_query: str) -> Response:
        """One authenticated GET, standalone or a $batch item: steps 3-6."""
        # 3. Scheduled faults.
        _, fault, kind = self.faults.next()
        if fault is not None:
            self.stats.note("faults", kind)
            return self._fault(info, fault)

        rel = raw_path[len(GRAPH_PREFIX):].strip("/")
        try:
            segments = [unquote(s, errors="strict") for s in rel.split("/")] if rel else []
        except UnicodeDecodeError:
            return self._error(info, 400, "Request_BadRequest", "The request URL is not valid UTF-8.")
        rel = "/".join(segments)
        # Query options are parsed here because they change the cost; an
        # error in them is answered at step 6, after the denials.
        try:
            query, query_error = parse_query(raw_query, self.cfg), None
        except QueryError as e:
            query, query_error = None, e

        # 4. Service limits (not charged when throttled).
        app_id, tenant = claims.get("appid", ""), claims.get("tid", "")
        admission = self.limits.admit((app_id, tenant), rel, query)
        if admission.retry_after is not None:
            return self._throttled(info, admission, app_id, tenant)
        resp = self._resource(info, claims, raw_path, rel, segments, query, query_error)
        if admission.cost:
            resp.headers.append(("x-ms-resource-unit", str(admission.cost)))
            if admission.used > 0.8:
                resp.headers.append(("x-ms-throttle-limit-percentage", decimal_text(admission.used)))
        return resp

    def _resource(self, info: RequestInfo, claims: dict, raw_path: str, rel: str, segments: list,
                  query: Optional[Query], query_error: Optional[QueryError]) -> Response:
        cfg = self.cfg
        # 5. Denials by configured regexes and required roles.
        if any(cp.search(rel) for cp in cfg.deny):
            self.stats.note("faults", "deny")
            return self._error(info, 403, "Authorization_RequestDenied",
                               "Insufficient privileges to complete the operation.")
        roles = set(claims.get("roles") or [])
        for cp, needed in cfg.required_roles:
            if cp.search(rel) and not roles.intersection(needed):
                self.stats.note("faults", "missing_role")
                return self._error(info, 403, "Authorization_RequestDenied",
                                   "Insufficient privileges to complete the operation.")

        # 6. Query options, then the resource.
        if query_error is not None:
            return self._error(info, 400, query_error.code, query_error.message)
        entry = None
        if segments and all(s and "/" not in s for s in segments):
            entry = self.capture.lookup(rel)
        if entry is None:
            target = segments[-1] if segments else ""
            return self._error(info, 404, "Request_ResourceNotFound",
                               f"Resource '{target}' does not exist or one of its queried "
                               "reference-property objects are not present.")
        try:
            if entry.items is None:
                return self._object(info, entry, query)
            return self._collection(info, entry, query, raw_path)
        except QueryError as e:
            return self._error(info, 400, e.code, e.message)

    def _fault(self, info: RequestInfo, fault: Fault) -> Response:
        headers = []
        if fault.retry_after is not None:
            headers.append(("Retry-After", fault.retry_after))
        extra = None
        if fault.status == 429:
            extra = THROTTLED_INNER_ERROR
            headers.append(("x-ms-throttle-information", "ResourceUnitLimitExceeded"))
        return self._error(info, fault.status, fault.code, fault.message,
                           inner_extra=extra, headers=headers)

    def _throttled(self, info: RequestInfo, admission: Admission, app_id: str, tenant: str) -> Response:
        headers = [("Retry-After", decimal_text(admission.retry_after))]
        if admission.limit == "resource_units":
            headers += [("x-ms-throttle-information", "ResourceUnitLimitExceeded"),
                        ("x-ms-throttle-scope", f"Tenant_Application/Read/{app_id}/{tenant}")]
        code, message = FAULT_DEFAULTS[429]
        return self._error(info, 429, code, message, inner_extra=THROTTLED_INNER_ERROR,
                           headers=headers)

    def _check_options(self, entry: Entry, query: Query) -> None:
        folded = entry.key.lower()
        if query.filter is not None and folded != AUDITS_KEY:
            raise QueryError("Request_UnsupportedQuery",
                             "Unsupported Query. This server supports $filter on "
                             "auditLogs/directoryAudits only.")
        if query.expand is not None and folded != ROLE_ASSIGNMENTS_KEY:
            raise QueryError("Request_UnsupportedQuery",
                             "Unsupported Query. This server supports $expand=principal on "
                             "roleManagement/directory/roleAssignments only.")

    def _shape(self, entry: Entry, obj: dict, query: Query) -> dict:
        shaped = select_props(obj, query.select) if query.select is not None else obj
        if entry.key.lower() == ROLE_ASSIGNMENTS_KEY:
            # The capture holds the expanded principal: keep it only when asked.
            principal = obj.get("principal")
            if shaped is obj:
                shaped = dict(obj)
            shaped.pop("principal", None)
            if query.expand is not None and isinstance(principal, dict):
                shaped["principal"] = (select_props(principal, query.expand)
                                       if isinstance(query.expand, list) else principal)
        return shaped

    def _object(self, info: RequestInfo, entry: Entry, query: Query) -> Response:
        self._check_options(entry, query)
        if query.skiptoken is not None:
            raise QueryError("Request_BadRequest", "$skiptoken is not valid on a single object.")
        body = self._shape(entry, entry.obj, query) if query.select is not None else entry.obj
        return Response(status=200, body=dumps(body), content_type=GRAPH_JSON,
                        headers=self._headers(info), pages=0, objects=1)

    def _context(self, entry: Entry, query: Query) -> str:
        ctx = f"{self.tokens.base_url}/v1.0/$metadata#{entry.key}"
        parts = list(query.select or [])
        if query.expand is not None:
            inner = ",".join(query.expand) if isinstance(query.expand, list) else ""
            parts.append(f"principal({inner})")
        return ctx + (f"({','.join(parts)})" if parts else "")

    def _collection(self, info: RequestInfo, entry: Entry, query: Query, raw_path: str) -> Response:
        self._check_options(entry, query)
        items = entry.items
        if query.filter is not None:
            ops = {"ge": lambda t, b: t >= b, "gt": lambda t, b: t > b, "le": lambda t, b: t <= b,
                   "lt": lambda t, b: t < b, "eq": lambda t, b: t == b}
            ticks = self.capture.audit_ticks(entry)
            items = [item for item, t in zip(items, ticks)
                     if t is not None and all(ops[op](t, bound) for op, bound in query.filter)]
        offset = 0
        if query.skiptoken is not None:
            offset = self.paging.decode(query.skiptoken, entry.key, query.mac_params)
            if not 0 < offset < len(items):
                raise QueryError("Request_BadRequest",
                                 "The specified page token value is invalid or was not issued for "
                                 "this request.")
        top = query.top or self.cfg.default_top
        page = items[offset:offset + top]
        body = {"@odata.context": self._context(entry, query)}
        next_offset = offset + len(page)
        looping = any(cp.search(entry.key) for cp in self.cfg.loop_paging) and len(items) > top
        if looping:
            # A broken server: from the second page on, every nextLink leads to that same page again
            # (with a fresh token, so the link text never repeats).
            self.stats.note("faults", "loop_paging")
            next_offset = offset if offset > 0 else next_offset
        if next_offset < len(items):
            # Graph's nextLink: same path, the original query options, and
            # an opaque $skiptoken. It precedes "value" as in Graph.
            token = self.paging.encode(entry.key, query.mac_params, next_offset)
            query_text = "&".join(query.link_parts + [f"$skiptoken={token}"])
            body["@odata.nextLink"] = f"{self.tokens.base_url}{raw_path}?{query_text}"
        body["value"] = [self._shape(entry, item, query) for item in page]
        data = dumps(body)
        if any(cp.search(entry.key) for cp in self.cfg.truncate):
            self.stats.note("faults", "truncate")
            data = data[:len(data) // 2]   # a page cut off mid-stream, sent with its shorter length
        return Response(status=200, body=data, content_type=GRAPH_JSON,
                        headers=self._headers(info), pages=1, objects=len(page))


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------

class App:
    """Everything a request handler needs, shared by all threads."""

    def __init__(self, cfg: Config, capture: Capture, state_dir: str):
        self.cfg = cfg
        self.capture = capture
        self.stats = Stats()
        self.faults = FaultSchedule(cfg)
        self.limits = RateLimits(cfg, self.stats)
        self.tokens = TokenService(cfg, self.stats)
        self.graph = GraphApi(cfg, capture, self.tokens, self.stats, self.faults, self.limits)
        self._log_lock = threading.Lock()
        self._log = open(os.path.join(state_dir, "access.log"), "a", buffering=1, encoding="utf-8")

    def set_port(self, port: int) -> None:
        self.tokens.port = port
        self.tokens.base_url = f"https://127.0.0.1:{port}"

    def access_log(self, method: str, path: str, status: int, nbytes: int, ms: float,
                   request_id: str) -> None:
        # Only the path (never the query, headers or body) is logged; it is
        # re-escaped so that a hostile request line cannot forge log lines.
        safe = re.sub(r"[^\x21-\x7e]", lambda m: "%%%02X" % (ord(m.group()) & 0xFF), path)[:512]
        line = (f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {method[:16]} {safe} "
                f"{status} {nbytes} {ms:.1f}ms {request_id}\n")
        with self._log_lock:
            if not self._log.closed:    # a daemon thread may outlive close()
                self._log.write(line)

    def close(self) -> None:
        with self._log_lock:
            self._log.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive; every response has Content-Length
    server_version = "adpersist-graph-test/1"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S           # idle keep-alive connections are closed

    server: "GraphHTTPServer"

    def do_GET(self):
        self._dispatch()

    do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass            # one line per request goes to access.log instead

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
        # http.server's own diagnostics (bad request lines, timeouts); our
        # access log is separate. Request lines carry no secrets.
        sys.stderr.write("graph_server: %s %s\n" % (self.address_string(), format % args))

    def _read_body(self, limit: int) -> Optional[Response]:
        """Read the request body (at most `limit` bytes) into self._body so
        keep-alive stays in sync; an error Response when the body cannot be
        read safely."""
        self._body = b""
        if self.headers.get("Transfer-Encoding"):
            return Response(status=411, body=dumps({"error": {"code": "LengthRequired",
                            "message": "Chunked request bodies are not supported; send Content-Length."}}),
                            close=True)
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            return Response(status=400, body=dumps({"error": {"code": "BadRequest",
                            "message": "Invalid Content-Length."}}), close=True)
        n = int(length)
        if n > limit:
            return Response(status=413, body=dumps({"error": {"code": "RequestEntityTooLarge",
                            "message": f"Request bodies are limited to {limit} bytes."}}), close=True)
        self._body = self.rfile.read(n)
        if len(self._body) != n:
            self.close_connection = True
            return Response(status=400, body=dumps({"error": {"code": "BadRequest",
                            "message": "Truncated request body."}}), close=True)
        return None

    def _dispatch(self) -> None:
        app: App = self.server.app
        t0 = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        info = RequestInfo(self.headers, time.time())
        is_stats = raw_path in ("/_stats", "/_stats/reset")
        kind = "other"
        if BATCH_PATH_RE.match(raw_path):
            kind = "batch"
        elif raw_path == GRAPH_PREFIX or raw_path.startswith(GRAPH_PREFIX + "/"):
            kind = "graph"
        elif TOKEN_PATH_RE.match(raw_path):
            kind = "token"
        if not is_stats:
            app.stats.begin()
        resp = None
        nbytes = 0
        try:
            resp = self._read_body(MAX_BATCH_BODY if kind == "batch" else MAX_BODY)
            if resp is None:
                resp = self._route(app, info, kind, raw_path, raw_query)
        except Exception:  # a bug here must not kill the connection thread silently
            traceback.print_exc(file=sys.stderr)
            resp = graph_error(info, 500, "UnknownError", "Internal error in the test server.")
            resp.close = True
        try:
            nbytes = self._send(resp)
        except OSError:
            self.close_connection = True
        finally:
            if not is_stats:
                label = BATCH_LABEL if kind == "batch" else stats_label(raw_path)
                app.stats.end(kind, self.command, label, resp.status, nbytes, resp.pages,
                              resp.objects)
            ms = (time.monotonic() - t0) * 1000
            app.access_log(self.command, raw_path, resp.status, nbytes, ms, info.request_id)

    def _route(self, app: App, info: RequestInfo, kind: str, raw_path: str, raw_query: str) -> Response:
        method = self.command
        if raw_path == "/_stats":
            if method != "GET":
                return self._method_not_allowed(info)
            body = dumps(app.stats.snapshot(app.faults.sequence))
            return Response(status=200, body=body, headers=[("Cache-Control", "no-store")])
        if raw_path == "/_stats/reset":
            if method != "POST":
                return self._method_not_allowed(info)
            app.stats.reset()
            app.faults.reset()
            app.limits.reset()
            return Response(status=200, body=b'{"reset":true}')
        if kind == "token":
            if app.cfg.token_latency_ms:
                time.sleep(app.cfg.token_latency_ms / 1000)
            return app.tokens.handle(info, method, TOKEN_PATH_RE.match(raw_path).group(1), raw_path,
                                     self._body)
        if kind in ("graph", "batch"):
            if app.cfg.latency_ms:
                time.sleep(app.cfg.latency_ms / 1000)
            if kind == "batch":
                if not app.cfg.batch:
                    # As an endpoint (or a proxy in front of it) that has no JSON batching.
                    return graph_error(info, 404, "Request_ResourceNotFound",
                                       "Resource '$batch' does not exist (batching is off in this "
                                       "server's config).")
                if method != "POST":
                    return self._method_not_allowed(info, "POST")
                return app.graph.batch(info, self._body)
            if method != "GET":
                return self._method_not_allowed(info)
            return app.graph.get(info, raw_path, raw_query)
        first = raw_path.strip("/").split("/")[0]
        if method == "GET" and first and not first.startswith("_"):
            return graph_error(info, 400, "BadRequest",
                               f"Invalid version: {first[:64]}. This test server serves only v1.0.")
        return graph_error(info, 404, "Request_ResourceNotFound", "No such endpoint.")

    def _method_not_allowed(self, info: RequestInfo, allow: str = "GET, POST") -> Response:
        resp = graph_error(info, 405, "Request_BadRequest",
                           "Specified HTTP method is not allowed for the request target.")
        resp.headers.append(("Allow", allow))
        return resp

    def _send(self, resp: Response) -> int:
        """Status line, headers and body in one write. (end_headers() and a
        second write for the body let Nagle's algorithm and the client's
        delayed ACK hold every keep-alive response ~40 ms.)"""
        headers = [("Server", self.version_string()), ("Date", self.date_time_string()),
                   ("Content-Type", resp.content_type), ("Content-Length", str(len(resp.body))),
                   ("Strict-Transport-Security", "max-age=31536000"), *resp.headers]
        if resp.close:
            headers.append(("Connection", "close"))
            self.close_connection = True
        reason = self.responses.get(resp.status, ("",))[0]
        head = "".join([f"{self.protocol_version} {resp.status} {reason}\r\n",
                        *(f"{name}: {value}\r\n" for name, value in headers), "\r\n"])
        body = resp.body if self.command != "HEAD" else b""
        self.wfile.write(head.encode("latin-1") + body)
        return len(body)


class GraphHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer whose TLS handshake runs in the worker thread, so a
    slow or broken client never stalls accept()."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address, app: App, ssl_context: ssl.SSLContext):
        self.app = app
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        request.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            # Responses are single writes (Handler._send); nothing to coalesce.
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            self.app.stats.tls_failure()
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            return      # the client went away mid-request: nothing to report
        super().handle_error(request, client_address)


def make_ssl_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_path, key_path)
    ctx.set_alpn_protocols(["http/1.1"])   # never negotiate h2
    return ctx


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--capture", required=True, help="capture directory to serve")
    ap.add_argument("--state-dir", required=True, help="where ca.pem, port, pid, access.log go")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--config", help="JSON config: tenant, clients, faults (see README.md)")
    args = ap.parse_args(argv)

    state = os.path.abspath(args.state_dir)
    os.makedirs(state, mode=0o700, exist_ok=True)
    port_file, pid_file, base_file = (os.path.join(state, n) for n in ("port", "pid", "base_url"))
    for stale in (port_file, pid_file, base_file):
        remove_quietly(stale)

    t0 = time.monotonic()
    try:
        cfg = load_config(args.config)
        capture = Capture(os.path.abspath(args.capture))
    except (ConfigError, CaptureError) as e:
        print(f"graph_server: error: {e}", file=sys.stderr)
        return 2
    load_s = time.monotonic() - t0
    cert_path, key_path = make_pki(state)
    app = App(cfg, capture, state)
    try:
        server = GraphHTTPServer(("127.0.0.1", args.port), app, make_ssl_context(cert_path, key_path))
    except OSError as e:
        print(f"graph_server: error: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
    port = server.server_address[1]
    app.set_port(port)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="serve", daemon=True)
    thread.start()

    # Readiness: the socket already listens; 'port' is written last.
    write_atomic(base_file, app.tokens.base_url + "\n")
    write_atomic(pid_file, f"{os.getpid()}\n")
    write_atomic(port_file, f"{port}\n")
    print(f"graph_server: listening on {app.tokens.base_url} (pid {os.getpid()}); "
          f"{len(capture.entries)} capture paths, {capture.object_count} objects, "
          f"loaded in {load_s:.2f}s; tenant {cfg.tenant}, {len(cfg.clients)} client(s)",
          file=sys.stderr, flush=True)

    while not stop.wait(1.0):
        pass
    # Graceful stop: no new connections, a short grace for requests in flight.
    server.shutdown()
    deadline = time.monotonic() + 5
    while app.stats.in_flight > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.server_close()
    for f in (port_file, pid_file, base_file):
        remove_quietly(f)
    app.close()
    print("graph_server: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
