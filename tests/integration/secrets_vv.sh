#!/usr/bin/env bash
# A -vv sweep of every live path that handles a secret (issue 8). Each path runs with -vv (every network step
# traced: connection, TLS, bind, rootDSE, each LDAP page, each HTTP request and answer), writing every --output
# format and a baseline; then no secret may appear in any stdout, stderr, report, baseline, collected LDIF,
# Graph recording or test-server log:
#   * LDAP simple bind over LDAPS (password file) and StartTLS (password on stdin), `collect --ldap -o` too: the
#     DC's admin password;
#   * GSSAPI: a ticket from kinit (password on stdin) and a keytab (samba-tool domain exportkeytab, --keytab):
#     the password and the keytab's keys (whole in hex; any 16 bytes in hex, base64 or base64url);
#   * Microsoft Graph (tests/graph, its token endpoint wrapped so that every access token it issues and every
#     client assertion it receives is logged to a file the test reads): a client secret (file and stdin) and a
#     client certificate + private key, `scan` and `collect --record`: the secret, the private key (each PEM
#     body line; any 24 characters of its private part in base64 or base64url at any of the three byte
#     alignments; any 16 bytes of it in hex), every bearer token and every signed assertion (whole, or any 24
#     characters of their payload or signature), and anything shaped like a JWT;
#   * Splunk HEC delivery (tests/hec/server.py), token from a file and from stdin: the token (with and without
#     dashes).
# It also proves -vv shows more than -v on each path (more lines, and the per-step trace lines), so the sweep
# looks at the code that would leak, and that no -vv line carries an Authorization header or a query string.
# Usage: secrets_vv.sh ADPERSIST_BINARY. CI runs it inside the private network namespace with the Samba DC
# started (integration_tests.cmake, like the other DC tests); needs python3-cryptography for the servers.
. "$(dirname "$0")/lib.sh"  # the DC (env.sh), BIN, ROOT, NOW, fail; a WORK directory
dc_work=$WORK
. "$(dirname "$0")/loopback_lib.sh"  # PY, the python3-cryptography check (77 without); a WORK of its own
rmdir "$dc_work"
PIDS=()
cleanup() {
  local p
  "$ROOT/tests/graph/stop.sh" "$WORK/graph" >/dev/null 2>&1
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  kdestroy >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
ok() { echo "ok: $*"; }
t_start=$SECONDS
FORMATS=(text json ndjson ocsf ecs hec csv html)
mkdir -p "$WORK/reports" "$WORK/baselines"

# run NAME WANT_EXIT CMD...: stdout to NAME.out, stderr to NAME.err; every --output format of a scan goes to
# reports/NAME.*, and a scan also writes baselines/NAME.json.
run() {
  local name="$1" want="$2"; shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  local rc=$?
  [[ " $want " == *" $rc "* ]] || fail "$name: exit $rc, want $want: $(head -c 3000 "$WORK/$name.err")"
}
outputs() {  # the --output and --baseline options of scan NAME
  local f
  for f in "${FORMATS[@]}"; do printf -- '--output\n%s=%s/reports/%s.%s\n' "$f" "$WORK" "$1" "$f"; done
  printf -- '--baseline\n%s/baselines/%s.json\n--update-baseline\n' "$WORK" "$1"
}
# more_with_vv NAME_V NAME_VV PATTERN...: the -vv run printed more lines than the -v run, and each trace PATTERN.
more_with_vv() {
  local v="$1" vv="$2" p n_v n_vv; shift 2
  n_v=$(wc -l <"$WORK/$v.err")
  n_vv=$(wc -l <"$WORK/$vv.err")
  (( n_vv > n_v )) || fail "-vv ($vv: $n_vv lines) printed no more than -v ($v: $n_v lines): $(cat "$WORK/$vv.err")"
  for p in "$@"; do
    grep -qE -- "$p" "$WORK/$vv.err" || fail "$vv: no '$p' line with -vv: $(head -c 3000 "$WORK/$vv.err")"
    grep -qE -- "$p" "$WORK/$v.err" && fail "$v: '$p' shows with -v already"
  done
  ok "$vv: -vv printed $n_vv lines on stderr, -v $n_v"
}
mapfile -t scan_out_ldaps < <(outputs ldaps_vv)

# --- 1. LDAP simple bind: LDAPS with a password file, StartTLS with the password on stdin ------------------------
pw_file="$ADP_DC_ADMIN_PASSWORD_FILE"
ldaps=(--ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" --now "$NOW")
run ldaps_v "1" "$BIN" scan "${ldaps[@]}" --password-file "$pw_file" --format json -v
run ldaps_vv "1" "$BIN" scan "${ldaps[@]}" --password-file "$pw_file" --format json -vv "${scan_out_ldaps[@]}"
more_with_vv ldaps_v ldaps_vv '^ldap: connecting to ldaps://.*certificate verified against' \
  '^ldap: simple bind as CN=Administrator.*accepted, TLS TLSv?1\.[23]' '^ldap: rootDSE: ' \
  '^ldap: paged search of DC=lab' '^ldap: page 1 of DC=lab,DC=adpersist,DC=test: [0-9]+ entries so far'
mapfile -t scan_out < <(outputs starttls_vv)
run starttls_vv "1" "$BIN" scan --ldap "$ADP_DC_LDAP_URI" --starttls --ca-file "$ADP_DC_CA_FILE" \
  --bind-upn "$ADP_DC_ADMIN_UPN" --password-file - --now "$NOW" --format json -vv "${scan_out[@]}" <"$pw_file"
grep -qE '^ldap: StartTLS: TLSv?1\.[23]' "$WORK/starttls_vv.err" || fail "no StartTLS trace: $(cat "$WORK/starttls_vv.err")"
run collect_ldap_vv "0" "$BIN" collect "${ldaps[@]}" --password-file "$pw_file" -o "$WORK/collected.ldif" -vv
[[ -s $WORK/collected.ldif ]] || fail "collect --ldap wrote nothing"
ok "LDAPS and StartTLS simple binds with -vv (scan and collect)"

# --- 2. Kerberos: kinit with the password, then a keytab -----------------------------------------------------------
export KRB5CCNAME="FILE:$WORK/ccache"
kinit "$ADP_DC_ADMIN_UPN" <"$pw_file" >/dev/null || fail "kinit failed"
mapfile -t scan_out < <(outputs gssapi_vv)
run gssapi_vv "1" "$BIN" scan --ldap "$ADP_DC_LDAP_URI" --sasl gssapi --now "$NOW" --format json -vv "${scan_out[@]}"
grep -qE '^ldap: SASL GSSAPI bind accepted for .*SASL security strength [0-9]+ \(encrypted\)' "$WORK/gssapi_vv.err" ||
  fail "no GSSAPI session trace: $(cat "$WORK/gssapi_vv.err")"
kdestroy >/dev/null 2>&1
keytab_keys=()
if samba-tool domain exportkeytab "$WORK/admin.keytab" --principal="$ADP_DC_ADMIN_UPN" -s "$ADP_DC_SMB_CONF" \
     >"$WORK/exportkeytab.log" 2>&1 && [[ -s $WORK/admin.keytab ]]; then
  mapfile -t keytab_keys < <(klist -k -K "$WORK/admin.keytab" | grep -oE '0x[0-9a-f]{32,}' | cut -c3-)
  (( ${#keytab_keys[@]} > 0 )) || fail "no keys listed in the exported keytab"
  mapfile -t scan_out < <(outputs keytab_vv)
  run keytab_vv "1" env -u KRB5CCNAME "$BIN" scan --ldap "$ADP_DC_LDAP_URI" --keytab "$WORK/admin.keytab" \
    --principal "$ADP_DC_ADMIN_UPN" --now "$NOW" --format json -vv "${scan_out[@]}"
  grep -q '^kerberos: ticket-granting ticket for .* private in-memory cache' "$WORK/keytab_vv.err" ||
    fail "no keytab trace: $(cat "$WORK/keytab_vv.err")"
  ok "GSSAPI with -vv: a kinit ticket and a keytab (${#keytab_keys[@]} keys)"
else
  fail "samba-tool domain exportkeytab failed: $(tail -5 "$WORK/exportkeytab.log")"
fi

# --- 3. Microsoft Graph: client secret (file, stdin), certificate + private key; scan and collect --record ---------
TENANT=3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53  # fixtures/tenant
CLIENT=8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/client-key.pem" -out "$WORK/client.pem" -days 2 \
  -subj "/CN=adpersist -vv sweep" >/dev/null 2>&1 || fail "openssl req"
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$WORK/client.secret"
cat >"$WORK/graph.json" <<EOF
{"tenant": "$TENANT", "tenant_domains": ["contoso.onmicrosoft.com"],
 "clients": {"$CLIENT": {"certificate": "client.pem", "secret_file": "client.secret", "expires_in": 4,
   "roles": ["Application.Read.All", "Directory.Read.All", "Domain.Read.All", "RoleManagement.Read.Directory",
             "AuditLog.Read.All"]}},
 "paging": {"default_top": 20, "max_top": 20}, "latency_ms": 5}
EOF
# The server, its token service wrapped: every access token it mints and every client assertion it is sent go to
# tokens.log (graph_server.py itself never logs them), so that the test knows the exact bearer tokens.
cat >"$WORK/graph_shim.py" <<'EOF'
import os, sys
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
import graph_server as g
log = os.environ["ADP_TOKEN_LOG"]
def keep(value):
    with open(log, "a") as f:
        f.write(value + "\n")
mint = g.TokenService._mint
def logged_mint(self, *a, **k):
    token = mint(self, *a, **k)
    keep(token)
    return token
check = g.TokenService._check_assertion
def logged_check(self, info, client, form, raw_path):
    if form.get("client_assertion"):
        keep(form["client_assertion"])
    return check(self, info, client, form, raw_path)
g.TokenService._mint, g.TokenService._check_assertion = logged_mint, logged_check
sys.exit(g.main())
EOF
printf '#!/bin/sh\nexec %s %s "$@"\n' "$PY" "$WORK/graph_shim.py" >"$WORK/graph-python"
chmod +x "$WORK/graph-python"
URL=$(ADP_TOKEN_LOG="$WORK/tokens.log" ADP_GRAPH_PYTHON="$WORK/graph-python" \
  "$ROOT/tests/graph/start.sh" "$ROOT/fixtures/tenant" "$WORK/graph" "$WORK/graph.json") || fail "Graph server did not start"
live=(--tenant "$TENANT" --client-id "$CLIENT" --graph-url "$URL" --login-url "$URL" --ca-file "$WORK/graph/ca.pem" --now "$NOW")
mapfile -t scan_out < <(outputs graph_secret_vv)
run graph_secret_v "1" "$BIN" scan "${live[@]}" --client-secret-file "$WORK/client.secret" --format json -v
run graph_secret_vv "1" "$BIN" scan "${live[@]}" --client-secret-file "$WORK/client.secret" --format json -vv "${scan_out[@]}"
more_with_vv graph_secret_v graph_secret_vv "^http: POST $URL/$TENANT/oauth2/v2.0/token -> 200, " \
  "^http: GET $URL/v1.0/[A-Za-z]+ -> 200, " "^http: POST $URL/v1.0/\\\$batch -> 200, "
mapfile -t scan_out < <(outputs graph_stdin_vv)
run graph_stdin_vv "1" "$BIN" scan "${live[@]}" --client-secret-file - --format json -vv "${scan_out[@]}" <"$WORK/client.secret"
mapfile -t scan_out < <(outputs graph_cert_vv)
run graph_cert_vv "1" "$BIN" scan "${live[@]}" --client-cert "$WORK/client.pem" --client-key "$WORK/client-key.pem" \
  --format json -vv "${scan_out[@]}"
run graph_record_vv "0" "$BIN" collect "${live[@]}" --client-cert "$WORK/client.pem" --client-key "$WORK/client-key.pem" \
  --record "$WORK/recording" -vv
[[ -s $WORK/recording/_adpersist.json ]] || fail "collect --record wrote no recording"
n_tokens=$(grep -c '^eyJ' "$WORK/tokens.log")
(( n_tokens >= 6 )) || fail "the Graph server logged $n_tokens tokens and assertions, want at least 6"
ok "Graph with -vv: client secret (file, stdin), certificate + key, collect --record ($n_tokens tokens and assertions issued)"

# --- 4. Splunk HEC: the token from a file and from stdin --------------------------------------------------------
HEC_TOKEN=$("$PY" -c 'import uuid; print(uuid.uuid4())')
mkdir -p "$WORK/hec"
printf '%s\n' "$HEC_TOKEN" >"$WORK/hec/hec.token"
printf '{"token_file": "hec.token"}\n' >"$WORK/hec/config.json"
"$PY" "$ROOT/tests/hec/server.py" --state-dir "$WORK/hec" --config "$WORK/hec/config.json" </dev/null \
  >>"$WORK/hec/server.log" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 300; i++)); do [[ -s $WORK/hec/port ]] && break; sleep 0.1; done
[[ -s $WORK/hec/port ]] || fail "HEC server did not start: $(cat "$WORK/hec/server.log")"
HEC_URL=$(cat "$WORK/hec/base_url")
lab=(--ldif "$ROOT/fixtures/lab/domain.ldif" --ldif "$ROOT/fixtures/lab/configuration.ldif" --now "$NOW")
hec=(--hec-url "$HEC_URL" --hec-ca-file "$WORK/hec/ca.pem")
run hec_v "1" "$BIN" scan "${lab[@]}" "${hec[@]}" --hec-token-file "$WORK/hec/hec.token" --format json -v
mapfile -t scan_out < <(outputs hec_vv)
run hec_vv "1" "$BIN" scan "${lab[@]}" "${hec[@]}" --hec-token-file "$WORK/hec/hec.token" --format json -vv "${scan_out[@]}"
more_with_vv hec_v hec_vv "^hec: POST $HEC_URL/services/collector/event \\([0-9]+ bytes, [0-9]+ events\\) -> 200 in "
run hec_stdin_vv "1" "$BIN" scan "${lab[@]}" "${hec[@]}" --hec-token-file - --format json -vv <"$WORK/hec/hec.token"
grep -q '^hec: [0-9]* events delivered' "$WORK/hec_stdin_vv.err" || fail "HEC from stdin: $(cat "$WORK/hec_stdin_vv.err")"
ok "HEC delivery with -vv: token from a file and from stdin"

# --- 5. no secret anywhere ------------------------------------------------------------------------------------------
kill -TERM "${PIDS[@]}" 2>/dev/null; wait "${PIDS[@]}" 2>/dev/null; PIDS=()
"$ROOT/tests/graph/stop.sh" "$WORK/graph" >/dev/null 2>&1
printf '%s\n' "${keytab_keys[@]}" >"$WORK/keytab.keys"
"$PY" - "$WORK" "$pw_file" "$HEC_TOKEN" <<'PY' || fail "a secret leaked"
import base64, glob, os, re, sys
work, pw_file, hec_token = sys.argv[1:4]
W = 24  # a window of 24 base64 characters (18 bytes) or 32 hex digits (16 bytes) of key material is a leak

needles = {}  # exact strings -> what they are
def add(needle, what):
    if len(needle) >= 8:
        needles[needle] = what
b64_windows, hex_windows = {}, {}  # every window of the base64 / hex renderings of key material
def add_b64(text, what):
    for i in range(len(text) - W + 1):
        b64_windows.setdefault(text[i:i + W].encode(), what)
def add_raw(raw, what):  # base64 and base64url at the three byte alignments, and hex, at every position
    for shift in range(3):
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            add_b64(enc(raw[shift:]).decode().rstrip("="), what + " (base64)")
    h = raw.hex()
    for i in range(0, len(h) - 32 + 1, 2):
        hex_windows.setdefault(h[i:i + 32].encode(), what + " (hex)")

password = open(pw_file).read().strip()
add(password, "the DC password")
secret = open(work + "/client.secret").read().strip()
add(secret, "the Graph client secret")
add_b64(secret, "a part of the Graph client secret")
add(hec_token, "the HEC token")
add(hec_token.replace("-", ""), "the HEC token (without dashes)")
pem = open(work + "/client-key.pem").read()
body = [l for l in pem.splitlines() if l and not l.startswith("-----")]
for i, line in enumerate(body):
    add(line, "line %d of the private key's PEM body" % (i + 1))
# Past the first 300 bytes of the DER (PKCS#8 header, modulus, public exponent: public, as in the certificate):
# the private exponent and the primes.
add_raw(base64.b64decode("".join(body))[300:], "a part of the private key")
for key in open(work + "/keytab.keys").read().split():
    add(key, "a keytab key (hex)")
    add_raw(bytes.fromhex(key), "a part of a keytab key")
tokens = [t for t in open(work + "/tokens.log").read().split() if t]
for t in tokens:
    add(t, "a bearer token or client assertion")
    _, payload, signature = t.split(".")
    add_b64(payload, "a part of a token's payload")
    add_b64(signature, "a part of a token's signature")

files = [f for f in glob.glob(work + "/**", recursive=True) if os.path.isfile(f)]
skip = {"client.secret", "client-key.pem", "hec.token", "tokens.log", "keytab.keys", "admin.keytab", "ccache",
        "client.pem", "graph.json", "config.json", "server-key.pem"}
scanned = [f for f in files if os.path.basename(f) not in skip]
jwt = re.compile(rb"eyJ[A-Za-z0-9_-]{10,}\.eyJ")
b64_run, hex_run = re.compile(rb"[A-Za-z0-9+/_-]{%d,}" % W), re.compile(rb"[0-9a-fA-F]{32,}")
leaks = []
for f in scanned:
    rel = os.path.relpath(f, work)
    data = open(f, "rb").read()
    for needle, what in needles.items():
        if needle.encode() in data:
            leaks.append("%s in %s" % (what, rel))
    for m in b64_run.finditer(data):
        run = m.group()
        for i in range(len(run) - W + 1):
            if run[i:i + W] in b64_windows:
                leaks.append("%s in %s" % (b64_windows[run[i:i + W]], rel))
                break
    for m in hex_run.finditer(data):
        run = m.group().lower()
        for i in range(len(run) - 32 + 1):
            if run[i:i + 32] in hex_windows:
                leaks.append("%s in %s" % (hex_windows[run[i:i + 32]], rel))
                break
    if jwt.search(data):
        leaks.append("a JWT in %s" % rel)
    if f.endswith(".err"):
        for bad in (b"Authorization", b"Bearer ", b"Splunk " + hec_token.encode(), b"client_secret=",
                    b"client_assertion=", b"?$", b"$skiptoken"):
            if bad in data:
                leaks.append("%r in %s" % (bad, rel))
if leaks:
    print("\n".join(sorted(set(leaks))[:40]))
    sys.exit(1)
dirs = sorted({os.path.relpath(f, work).split("/")[0] for f in scanned if "/" in os.path.relpath(f, work)})
print("%d secrets, %d bearer tokens and assertions (and %d base64/hex windows of key material) absent from %d "
      "files: outputs and errors, %s" % (len(needles), len(tokens), len(b64_windows) + len(hex_windows),
                                         len(scanned), ", ".join(dirs)))
PY
echo "PASS: secrets_vv ($((SECONDS - t_start)) s)"
