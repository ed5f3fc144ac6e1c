#!/usr/bin/python3
"""A Splunk HTTP Event Collector look-alike for the HEC delivery tests.

HTTPS on 127.0.0.1 with a throw-away CA made at start (the Graph test server's
PKI and TLS server, tests/graph/graph_server.py, are reused). It answers as
Splunk's HEC does (docs.splunk.com, "Troubleshoot HTTP Event Collector":
status codes and {"text","code"} bodies):

  POST /services/collector/event, /services/collector, /services/collector/event/1.0
    Authorization: Splunk <token>
      missing                  401 {"text":"Token is required","code":2}
      not "Splunk <token>"     401 {"text":"Invalid authorization","code":3}
      unknown token            403 {"text":"Invalid token","code":4}
    body: concatenated JSON envelopes {"time","host","source","sourcetype","event"}
      empty                    400 {"text":"No data","code":5}
      not JSON / not objects   400 {"text":"Invalid data format","code":6,"invalid-event-number":N}
      no "event"               400 {"text":"Event field is required","code":12,"invalid-event-number":N}
      blank "event"            400 {"text":"Event field cannot be blank","code":13,"invalid-event-number":N}
      a field of a wrong type  400 {"text":"Invalid data format","code":6,"invalid-event-number":N}
    all good                   200 {"text":"Success","code":0}; the envelopes are appended to
                               STATE/events.ndjson (one a line), all of a request or none
  anything else                404 / 405

Faults (config): the first `fail_first.count` event requests answer
`fail_first.status` (503 "Server is busy", code 9; or 429 with
Retry-After `fail_first.retry_after`), or `always` answers every event request
with that status (500 "Internal Server Error", code 8).

Config (JSON, --config): {"token_file": "hec.token" (relative to the config
file) or "tokens": [...], "fail_first": {"count": 2, "status": 503,
"retry_after": "0.2"}, "always": 500, "max_content_length": 1000000}.

State (--state-dir): ca.pem (the CA to trust), server.pem, server-key.pem,
events.ndjson, requests.log (one JSON line per request: path, status, bytes,
events, Content-Type, X-Splunk-Request-Channel; never the token), base_url, pid, port (written last, once listening).
The server stops on SIGTERM/SIGINT.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "graph"))
import graph_server  # noqa: E402  (make_pki, make_ssl_context, GraphHTTPServer, write_atomic)

EVENT_PATHS = {"/services/collector/event", "/services/collector", "/services/collector/event/1.0"}
BODY_LIMIT = 64 << 20  # never read more than this from one request


class ConfigError(Exception):
    pass


class Config:
    def __init__(self, path):
        raw = {}
        if path:
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
            if not isinstance(raw, dict):
                raise ConfigError("the config must be a JSON object")
        base = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
        self.tokens = set(raw.get("tokens", []))
        if "token_file" in raw:
            with open(os.path.join(base, raw["token_file"]), encoding="utf-8") as f:
                self.tokens.add(f.readline().rstrip("\r\n"))
        if not self.tokens:
            raise ConfigError("no token: give token_file or tokens")
        ff = raw.get("fail_first", {})
        self.fail_count = int(ff.get("count", 0))
        self.fail_status = int(ff.get("status", 503))
        self.fail_retry_after = ff.get("retry_after")
        self.always = raw.get("always")
        self.max_content_length = int(raw.get("max_content_length", 1000000))


def splunk_body(status):
    return {
        429: {"text": "Server is busy", "code": 9},
        500: {"text": "Internal Server Error", "code": 8},
        502: {"text": "Bad Gateway", "code": 8},
        503: {"text": "Server is busy", "code": 9},
        504: {"text": "Gateway Timeout", "code": 8},
    }.get(status, {"text": "Internal Server Error", "code": 8})


def parse_envelopes(body: bytes):
    """Concatenated JSON objects, whitespace between them, as HEC reads them.
    Returns (envelopes, None) or (None, (text, code, invalid_event_number))."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, ("Invalid data format", 6, 0)
    decoder = json.JSONDecoder()
    out, pos, n = [], 0, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None, ("Invalid data format", 6, n)
        if not isinstance(obj, dict):
            return None, ("Invalid data format", 6, n)
        if "event" not in obj:
            return None, ("Event field is required", 12, n)
        ev = obj["event"]
        if ev is None or (isinstance(ev, str) and not ev.strip()) or ev == {}:
            return None, ("Event field cannot be blank", 13, n)
        if "time" in obj and not (isinstance(obj["time"], (int, float)) and not isinstance(obj["time"], bool)):
            try:
                float(obj["time"])
            except (TypeError, ValueError):
                return None, ("Invalid data format", 6, n)
        for k in ("host", "source", "sourcetype", "index"):
            if k in obj and not isinstance(obj[k], str):
                return None, ("Invalid data format", 6, n)
        out.append(obj)
        n += 1
    if not out:
        return None, ("No data", 5, None)
    return out, None


class App:
    def __init__(self, cfg: Config, state: str):
        self.cfg = cfg
        self.state = state
        self.lock = threading.Lock()
        self.event_requests = 0
        self.events_path = os.path.join(state, "events.ndjson")
        self.log_path = os.path.join(state, "requests.log")
        open(self.events_path, "a").close()
        self.stats = self  # GraphHTTPServer reports TLS failures to app.stats.tls_failure()
        self.tls_failures = 0

    def tls_failure(self):
        with self.lock:
            self.tls_failures += 1
            self._log({"tls_failure": True})

    def _log(self, entry):
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def handle(self, method, path, headers, body):
        """(status, extra headers, JSON body) for one request."""
        path = path.split("?", 1)[0]
        entry = {"method": method, "path": path, "bytes": len(body),
                 "content_type": headers.get("Content-Type", ""),
                 "channel": headers.get("X-Splunk-Request-Channel", "")}
        status, extra, answer = self._answer(method, path, headers, body, entry)
        entry["status"] = status
        with self.lock:
            self._log(entry)
        return status, extra, answer

    def _answer(self, method, path, headers, body, entry):
        if path not in EVENT_PATHS:
            return 404, [], {"text": "The requested URL was not found on this server.", "code": 404}
        if method != "POST":
            return 405, [], {"text": "Method Not Allowed", "code": 405}
        cfg = self.cfg
        with self.lock:
            self.event_requests += 1
            nth = self.event_requests
        if cfg.always:
            return int(cfg.always), [], splunk_body(int(cfg.always))
        if nth <= cfg.fail_count:
            extra = [("Retry-After", str(cfg.fail_retry_after))] if cfg.fail_retry_after is not None else []
            entry["fault"] = True
            return cfg.fail_status, extra, splunk_body(cfg.fail_status)
        auth = headers.get("Authorization")
        if auth is None:
            entry["auth"] = "missing"
            return 401, [], {"text": "Token is required", "code": 2}
        scheme, _, token = auth.partition(" ")
        if scheme != "Splunk" or not token:
            entry["auth"] = "malformed"
            return 401, [], {"text": "Invalid authorization", "code": 3}
        if token not in cfg.tokens:
            entry["auth"] = "unknown"
            return 403, [], {"text": "Invalid token", "code": 4}
        entry["auth"] = "ok"
        if len(body) > cfg.max_content_length:
            text = "Content-Length of %d too large (maximum is %d)" % (len(body), cfg.max_content_length)
            return 413, [], {"text": text, "code": 27}
        envelopes, err = parse_envelopes(body)
        if err:
            text, code, n = err
            answer = {"text": text, "code": code}
            if n is not None:
                answer["invalid-event-number"] = n
            return 400, [], answer
        entry["events"] = len(envelopes)
        with self.lock:
            with open(self.events_path, "a", encoding="utf-8") as f:
                for e in envelopes:
                    f.write(json.dumps(e, sort_keys=True) + "\n")
        return 200, [], {"text": "Success", "code": 0}


class HecHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Splunkd"
    sys_version = ""

    def log_message(self, fmt, *args):  # requests.log has what matters
        pass

    def _serve(self):
        length = self.headers.get("Content-Length")
        try:
            n = int(length) if length is not None else 0
        except ValueError:
            n = -1
        if n < 0 or n > BODY_LIMIT:
            self._send(400, [], {"text": "Invalid data format", "code": 6}, close=True)
            return
        body = self.rfile.read(n) if n else b""
        status, extra, answer = self.server.app.handle(self.command, self.path, self.headers, body)
        self._send(status, extra, answer)

    def _send(self, status, extra, answer, close=False):
        data = (json.dumps(answer, separators=(",", ":")) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    do_POST = _serve
    do_GET = _serve
    do_PUT = _serve


class HecHTTPServer(graph_server.GraphHTTPServer):
    """The Graph test server's threading TLS server, serving HEC instead."""

    def __init__(self, address, app, ssl_context):
        super().__init__(address, app, ssl_context)
        self.RequestHandlerClass = HecHandler


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--state-dir", required=True, help="where ca.pem, events.ndjson, port, pid go")
    ap.add_argument("--config", help="JSON config: token_file/tokens, faults")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    args = ap.parse_args(argv)

    state = os.path.abspath(args.state_dir)
    os.makedirs(state, mode=0o700, exist_ok=True)
    port_file, pid_file, base_file = (os.path.join(state, n) for n in ("port", "pid", "base_url"))
    for stale in (port_file, pid_file, base_file):
        graph_server.remove_quietly(stale)
    try:
        cfg = Config(args.config)
    except (OSError, ValueError, ConfigError) as e:
        print(f"hec server: error: {e}", file=sys.stderr)
        return 2
    cert_path, key_path = graph_server.make_pki(state)
    app = App(cfg, state)
    try:
        server = HecHTTPServer(("127.0.0.1", args.port), app, graph_server.make_ssl_context(cert_path, key_path))
    except OSError as e:
        print(f"hec server: error: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 2
    port = server.server_address[1]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    graph_server.write_atomic(base_file, f"https://127.0.0.1:{port}\n")
    graph_server.write_atomic(pid_file, f"{os.getpid()}\n")
    graph_server.write_atomic(port_file, f"{port}\n")
    print(f"hec server: listening on https://127.0.0.1:{port} (pid {os.getpid()})", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    for f in (port_file, pid_file, base_file):
        graph_server.remove_quietly(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
