#!/usr/bin/env bash
# The live Microsoft Graph collector against the Graph-like HTTPS server (tests/graph) serving the fixture
# tenant (fixtures/tenant), with throttling (every 7th request 429, Retry-After 0.2), a 503 burst and
# short-lived tokens:
#   * a live scan (certificate, PS256) gives the findings and check statuses of `scan --graph-dir fixtures/tenant`;
#   * `collect --record DIR` then `scan --graph-dir DIR` gives them too;
#   * RS256 assertions, PKCS#12 and a client secret file authenticate; a wrong secret is one clear line, exit 3;
#   * a token endpoint that refuses PS256 gets RS256 (once, then kept); a Graph without $batch gets one GET each;
#   * a nextLink loop and a truncated page stop that collection, are named in the report, and exit 3;
#   * a 403 on auditLogs makes the audit checks not_evaluated naming AuditLog.Read.All (live and replayed);
#   * tokens expiring during the scan are renewed; an untrusted server certificate is refused;
#   * no secret, key or token is ever printed or recorded; /_stats shows the throttling and the request count.
# Usage: graph_live.sh ADPERSIST_BINARY. Needs python3-cryptography (the server) and openssl. The server
# listens on 127.0.0.1 only; CI runs this inside the private network namespace of the integration phase.
. "$(dirname "$0")/loopback_lib.sh"
cleanup() {
  "$ROOT/tests/graph/stop.sh" "$WORK/state-a" >/dev/null 2>&1
  "$ROOT/tests/graph/stop.sh" "$WORK/state-b" >/dev/null 2>&1
  "$ROOT/tests/graph/stop.sh" "$WORK/state-c" >/dev/null 2>&1
  "$ROOT/tests/graph/stop.sh" "$WORK/state-d" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

NOW=2026-12-01T00:00:00Z
TENANT=3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53  # fixtures/tenant
CLIENT=8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f
CAPTURE="$ROOT/fixtures/tenant"

# The scanner's app registration: a fresh certificate and secret (never printed).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/client-key.pem" -out "$WORK/client.pem" -days 2 \
  -subj "/CN=adpersist integration collector" >/dev/null 2>&1 || fail "openssl req"
chmod 600 "$WORK/client-key.pem"
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$WORK/client.secret"
SECRET=$(cat "$WORK/client.secret")
printf 'pfx-%s' "$RANDOM$RANDOM" > "$WORK/pfx.pass"
openssl pkcs12 -export -in "$WORK/client.pem" -inkey "$WORK/client-key.pem" -out "$WORK/client.pfx" \
  -passout "file:$WORK/pfx.pass" >/dev/null 2>&1 || fail "openssl pkcs12"
echo "wrong-$SECRET" > "$WORK/wrong.secret"

ROLES='["Application.Read.All", "Directory.Read.All", "Domain.Read.All", "RoleManagement.Read.Directory", "AuditLog.Read.All"]'
# Server A: throttling every 7th request (Retry-After 0.2), a 503 burst without Retry-After, 5-second tokens,
# and pages of at most 10 objects ($top=999 is clamped, as Graph does), so that nextLinks are followed.
cat > "$WORK/config-a.json" <<EOF
{"tenant": "$TENANT", "tenant_domains": ["contoso.onmicrosoft.com"],
 "clients": {"$CLIENT": {"certificate": "client.pem", "secret_file": "client.secret", "roles": $ROLES, "expires_in": 5}},
 "paging": {"default_top": 10, "max_top": 10},
 "throttle": {"every": 7, "status": 429, "retry_after": "0.2", "bursts": [{"after": 15, "count": 2, "status": 503}]}}
EOF
# Server B: auditLogs denied (403), 1-second tokens and slow answers, so tokens expire during the scan.
cat > "$WORK/config-b.json" <<EOF
{"tenant": "$TENANT",
 "clients": {"$CLIENT": {"certificate": "client.pem", "roles": $ROLES, "expires_in": 1}},
 "deny": ["^auditLogs/"], "latency_ms": 300}
EOF
# Server C: takes only RS256 client assertions and has no JSON batching.
cat > "$WORK/config-c.json" <<EOF
{"tenant": "$TENANT",
 "clients": {"$CLIENT": {"certificate": "client.pem", "roles": $ROLES, "assertion_algs": ["RS256"]}},
 "batch": false}
EOF
# Server D: broken paging: servicePrincipals' nextLinks go round in circles (a fresh token each time), and
# oauth2PermissionGrants pages arrive cut in half.
cat > "$WORK/config-d.json" <<EOF
{"tenant": "$TENANT",
 "clients": {"$CLIENT": {"certificate": "client.pem", "roles": $ROLES}},
 "paging": {"default_top": 10, "max_top": 10},
 "loop_paging": ["^servicePrincipals\$"], "truncate": ["^oauth2PermissionGrants\$"]}
EOF
URL_A=$("$ROOT/tests/graph/start.sh" "$CAPTURE" "$WORK/state-a" "$WORK/config-a.json") || fail "server A did not start"
URL_B=$("$ROOT/tests/graph/start.sh" "$CAPTURE" "$WORK/state-b" "$WORK/config-b.json") || fail "server B did not start"
CA_A="$WORK/state-a/ca.pem"
CA_B="$WORK/state-b/ca.pem"
stats() { curl -sf --cacert "$1/ca.pem" "$(cat "$1/base_url")/_stats"; }
reset() { curl -sf --cacert "$1/ca.pem" -X POST "$(cat "$1/base_url")/_stats/reset" >/dev/null || fail "stats reset"; }

live=(--tenant "$TENANT" --client-id "$CLIENT" --now "$NOW")
cert=(--client-cert "$WORK/client.pem" --client-key "$WORK/client-key.pem")
on_a=(--graph-url "$URL_A" --login-url "$URL_A" --ca-file "$CA_A")
on_b=(--graph-url "$URL_B" --login-url "$URL_B" --ca-file "$CA_B")

# run NAME WANT_EXIT CMD...: stdout to NAME.out, stderr to NAME.err; every output is kept for the secret scan.
run() {
  local name="$1" want="$2"; shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  local rc=$?
  [[ " $want " == *" $rc "* ]] || fail "$name: exit $rc, want $want: $(head -c 2000 "$WORK/$name.err")"
}

# same_result A.json B.json [--allow-not-evaluated ID,...]: identical finding_id lists and check statuses.
same_result() {
  "$PY" - "$@" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
allowed = set(sys.argv[4].split(",")) if len(sys.argv) > 4 else set()
fa, fb = sorted(f["finding_id"] for f in a["findings"]), sorted(f["finding_id"] for f in b["findings"])
if not fa: sys.exit("no findings")
if fa != fb:
    sys.exit(f"findings differ: only in {sys.argv[1]}: {sorted(set(fa) - set(fb))}; only in {sys.argv[2]}: {sorted(set(fb) - set(fa))}")
sa, sb = ([(c["id"], c["status"]) for c in d["checks"]] for d in (a, b))
if sa != sb:
    sys.exit(f"check statuses differ: {[x for x in sa if x not in sb]} vs {[x for x in sb if x not in sa]}")
bad = [c["id"] + ": " + (c.get("reason") or "") for c in a["checks"]
       if c["status"] in ("not_evaluated", "error") and c["id"] not in allowed]
if bad: sys.exit(f"checks not evaluated: {bad}")
print(f"{len(fa)} findings, {len(sa)} checks identical")
PY
}

# --- 1. live scan (certificate, PS256) == offline scan of the same capture ---------------------------------
run offline "1" "$BIN" scan --graph-dir "$CAPTURE" --now "$NOW" --format json
reset "$WORK/state-a"
t0=$(date +%s.%N)
run live "1" "$BIN" scan "${live[@]}" "${cert[@]}" "${on_a[@]}" --format json -v
t1=$(date +%s.%N)
same_result "$WORK/live.out" "$WORK/offline.out" || fail "live scan differs from the offline scan of fixtures/tenant"
ok "live scan == scan --graph-dir fixtures/tenant"
stats "$WORK/state-a" > "$WORK/stats-live.json" || fail "no /_stats"
"$PY" - "$WORK/stats-live.json" "$WORK/live.err" "$t0" "$t1" <<'PY' || fail "server statistics"
import json, re, sys
s = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
wall = float(sys.argv[4]) - float(sys.argv[3])
f = s["faults"]
assert f.get("throttle", 0) >= 1, f"no throttling happened: {f}"
assert f.get("burst", 0) >= 1, f"no 503 burst happened: {f}"
assert s["graph_by_status"].get("429", 0) >= 1 and s["graph_by_status"].get("503", 0) >= 1, s["graph_by_status"]
m = re.search(r"graph: (\d+) requests? \((\d+) \$batch carrying (\d+), (\d+) retried, (\d+) throttled, (\d+) token", err)
assert m, "no request summary in -v output:\n" + err
sent, batches, batched, retried, throttled, tokens = map(int, m.groups())
assert sent == s["graph_requests"], f"adpersist counted {sent} Graph requests, the server {s['graph_requests']}"
assert batches == s["batch_requests"] and batched == s["batch_items"], (batches, batched, s["batch_requests"], s["batch_items"])
# The per-object reads travel in batches: 25 applications' federatedIdentityCredentials alone need two.
assert batches >= 2 and batched >= 25 and batched / batches > 5, (batches, batched)
assert sent == s["standalone_gets"] + batches, (sent, s["standalone_gets"], batches)
assert tokens == s["token_requests"], f"adpersist counted {tokens} token requests, the server {s['token_requests']}"
assert throttled == s["graph_by_status"].get("429", 0) + s["batch_items_by_status"].get("429", 0)
non200 = sum(v for k, v in s["graph_by_status"].items() if k != "200")
minimum = s["graph_by_status"].get("200", 0)
assert s["max_in_flight"] <= 4, f"more than 4 requests in flight: {s['max_in_flight']}"
assert s["pages_served"] > 45, f"no paging happened: {s['pages_served']} pages"
print(f"live scan: {sent} Graph requests, {batches} of them $batch carrying {batched} ({minimum} answered 200, "
      f"{non200} faults retried: "
      f"{json.dumps(s['graph_by_status'])}), {tokens} token request(s), {s['objects_served']} objects, "
      f"max {s['max_in_flight']} in flight, wall {wall:.2f} s")
print("by path:", json.dumps(s["by_path"], sort_keys=True))
PY
[ $? -eq 0 ] || fail "statistics"

# --- 2. collect --record, then scan the recording -------------------------------------------------------------
run collect "0" "$BIN" collect "${live[@]}" "${cert[@]}" "${on_a[@]}" --record "$WORK/rec"
[ -s "$WORK/rec/_adpersist.json" ] || fail "no _adpersist.json in the recording"
run replay "1" "$BIN" scan --graph-dir "$WORK/rec" --now "$NOW" --format json
same_result "$WORK/replay.out" "$WORK/live.out" || fail "collect --record + scan --graph-dir differs from the live scan"
"$PY" - "$WORK/rec" "$TENANT" "$URL_A" <<'PY' || fail "recording layout"
import json, os, sys
rec, tenant, url = sys.argv[1:4]
m = json.load(open(os.path.join(rec, "_adpersist.json")))
assert m["tenant"] == tenant, m
assert m["graph"] == url + "/v1.0", m
assert m["refused"] == [] and "time" in m, m
files = sorted(os.path.relpath(os.path.join(d, f), rec) for d, _, fs in os.walk(rec) for f in fs)
assert not [f for f in files if f.endswith(".part")], files
for f in files:
    if f != "_adpersist.json":
        body = json.load(open(os.path.join(rec, f)))
        assert list(body) == ["value"] and isinstance(body["value"], list), f
print(f"recording: {len(files)} files")
PY
[ $? -eq 0 ] || fail "recording"
run collect_again "2" "$BIN" collect "${live[@]}" "${cert[@]}" "${on_a[@]}" --record "$WORK/rec"
grep -q "not empty" "$WORK/collect_again.err" || fail "collect into a non-empty directory: $(cat "$WORK/collect_again.err")"
ok "collect --record + scan --graph-dir == live scan"

# --- 3. other credentials ----------------------------------------------------------------------------------------
one=(--checks entra.domain-inventory,entra.federation-issuer --format json)
run rs256 "0 1" "$BIN" scan "${live[@]}" "${cert[@]}" --assertion-alg rs256 "${on_a[@]}" "${one[@]}"
run pfx "0 1" "$BIN" scan "${live[@]}" --client-pfx "$WORK/client.pfx" --client-pfx-password-file "$WORK/pfx.pass" \
  "${on_a[@]}" "${one[@]}"
run secret "0 1" "$BIN" scan "${live[@]}" --client-secret-file "$WORK/client.secret" "${on_a[@]}" "${one[@]}" -v
mkdir -p "$WORK/creds" && cp "$WORK/client.secret" "$WORK/creds/graph-client-secret"
run creddir "0 1" env CREDENTIALS_DIRECTORY="$WORK/creds" "$BIN" scan "${live[@]}" "${on_a[@]}" "${one[@]}"
cat "$WORK/client-key.pem" "$WORK/client.pem" > "$WORK/client-both.pem"
run azure_env "0 1" env AZURE_TENANT_ID="$TENANT" AZURE_CLIENT_ID="$CLIENT" \
  AZURE_CLIENT_CERTIFICATE_PATH="$WORK/client-both.pem" "$BIN" scan --now "$NOW" "${on_a[@]}" "${one[@]}"
for r in rs256 pfx secret creddir azure_env; do
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); bad=[c["id"] for c in d["checks"] if c["status"] not in ("passed","failed")]; sys.exit(f"not evaluated: {bad}" if bad else 0)' \
    "$WORK/$r.out" || fail "$r: checks not evaluated"
done
ok "RS256, PKCS#12, secret file, \$CREDENTIALS_DIRECTORY and AZURE_* variables authenticate"

# PS256 refused: RS256 once, then kept; $batch refused: one by one. Same findings as the offline scan.
URL_C=$("$ROOT/tests/graph/start.sh" "$CAPTURE" "$WORK/state-c" "$WORK/config-c.json") || fail "server C did not start"
on_c=(--graph-url "$URL_C" --login-url "$URL_C" --ca-file "$WORK/state-c/ca.pem")
run fallback "1" "$BIN" scan "${live[@]}" "${cert[@]}" "${on_c[@]}" --format json -v
same_result "$WORK/fallback.out" "$WORK/offline.out" || fail "RS256 + no-batch scan differs from the offline scan"
grep -q "RS256 (the PS256 assertion was refused)" "$WORK/fallback.err" || fail "no RS256 fallback: $(cat "$WORK/fallback.err")"
grep -q "batch not accepted" "$WORK/fallback.err" || fail "no one-by-one fallback: $(cat "$WORK/fallback.err")"
stats "$WORK/state-c" > "$WORK/stats-c.json"
"$PY" - "$WORK/stats-c.json" <<'PY' || fail "fallback statistics"
import json, sys
s = json.load(open(sys.argv[1]))
# Refused batches (at most one per request slot already sent when the first refusal came), then one by one.
assert 1 <= s["batch_requests"] <= 4 and s["batch_items"] == 0, s
assert s["token_errors"] and s["tokens_issued"] == 1, (s["token_errors"], s["tokens_issued"])
print(f"fallbacks: token requests {s['token_requests']} ({json.dumps(s['token_errors'])}), "
      f"{s['standalone_gets']} GETs after {s['batch_requests']} refused $batch")
PY
[ $? -eq 0 ] || fail "fallback statistics"
run ps256_only "3" "$BIN" scan "${live[@]}" "${cert[@]}" --assertion-alg ps256 "${on_c[@]}" "${one[@]}"
[ "$(wc -l < "$WORK/ps256_only.err")" -eq 1 ] && grep -q "AADSTS700027" "$WORK/ps256_only.err" ||
  fail "--assertion-alg ps256 refused: want one line naming AADSTS700027, got: $(cat "$WORK/ps256_only.err")"
ok "PS256 refused -> RS256 kept for the run; \$batch refused -> one by one; --assertion-alg ps256 fails in one line"

run wrong "3" "$BIN" scan "${live[@]}" --client-secret-file "$WORK/wrong.secret" "${on_a[@]}" --format json
[ "$(wc -l < "$WORK/wrong.err")" -eq 1 ] || fail "wrong secret: want one line on stderr, got: $(cat "$WORK/wrong.err")"
grep -q "AADSTS7000215" "$WORK/wrong.err" || fail "wrong secret: $(cat "$WORK/wrong.err")"
[ ! -s "$WORK/wrong.out" ] || fail "a failed scan printed a report"
ok "wrong secret: $(cat "$WORK/wrong.err")"
run untrusted "3" "$BIN" scan "${live[@]}" "${cert[@]}" --graph-url "$URL_A" --login-url "$URL_A" --format json
grep -q "certificate could not be verified" "$WORK/untrusted.err" || fail "untrusted CA: $(cat "$WORK/untrusted.err")"
ok "untrusted server certificate: $(cat "$WORK/untrusted.err")"
run argv_secret "2" "$BIN" scan "${live[@]}" --client-secret "$SECRET" "${on_a[@]}"
grep -q "never taken from the command line" "$WORK/argv_secret.err" || fail "--client-secret: $(cat "$WORK/argv_secret.err")"
ok "a secret on the command line is refused (and not echoed)"

# --- 4. a 403 on auditLogs, tokens expiring mid-scan ---------------------------------------------------------
AUDIT=entra.audit-credential-events,entra.audit-federation-events,entra.audit-role-and-consent-events
reset "$WORK/state-b"
run denied "1 3" "$BIN" scan "${live[@]}" "${cert[@]}" "${on_b[@]}" --graph-concurrency 2 --format json -v
"$PY" - "$WORK/denied.out" "$WORK/offline.out" "$AUDIT" <<'PY' || fail "403 on auditLogs"
import json, sys
d, off = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
audit = set(sys.argv[3].split(","))
st = {c["id"]: c for c in d["checks"]}
for cid in audit:
    c = st[cid]
    assert c["status"] == "not_evaluated", c
    assert "AuditLog.Read.All" in (c.get("reason") or ""), c
others = [(c["id"], c["status"]) for c in d["checks"] if c["id"] not in audit]
assert others == [(c["id"], c["status"]) for c in off["checks"] if c["id"] not in audit], others
fd = sorted(f["finding_id"] for f in d["findings"])
fo = sorted(f["finding_id"] for f in off["findings"] if f["check_id"] not in audit)
assert fd == fo, "findings of the other checks differ"
print("403 on auditLogs:", st["entra.audit-credential-events"]["reason"])
PY
[ $? -eq 0 ] || fail "deny"
stats "$WORK/state-b" > "$WORK/stats-b.json"
"$PY" - "$WORK/stats-b.json" <<'PY' || fail "token renewal"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["tokens_issued"] >= 2, f"the 1-second token was never renewed: {s['tokens_issued']} issued"
assert s["faults"].get("deny", 0) == 1, s["faults"]
print(f"token renewal: {s['tokens_issued']} tokens issued, Graph statuses {json.dumps(s['graph_by_status'])}")
PY
[ $? -eq 0 ] || fail "token renewal"
run collect_denied "3" "$BIN" collect "${live[@]}" "${cert[@]}" "${on_b[@]}" --record "$WORK/rec-b"
run replay_denied "1 3" "$BIN" scan --graph-dir "$WORK/rec-b" --now "$NOW" --format json
same_result "$WORK/replay_denied.out" "$WORK/denied.out" "--allow-not-evaluated" "$AUDIT" ||
  fail "replay of a recording with a refusal differs from the live scan"
"$PY" - "$WORK/replay_denied.out" "$WORK/denied.out" <<'PY' || fail "refusal reasons"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ra = {c["id"]: c.get("reason") for c in a["checks"]}
rb = {c["id"]: c.get("reason") for c in b["checks"]}
assert ra["entra.audit-credential-events"] == rb["entra.audit-credential-events"], (ra, rb)
PY
[ $? -eq 0 ] || fail "refusal reasons"
ok "403 on auditLogs: audit checks not evaluated (AuditLog.Read.All), live and replayed alike"

# --- 5. a nextLink loop and a truncated page: bounded, named, exit 3, nothing passed that was not read ----------
URL_D=$("$ROOT/tests/graph/start.sh" "$CAPTURE" "$WORK/state-d" "$WORK/config-d.json") || fail "server D did not start"
t0=$SECONDS
run broken "3" timeout 120 "$BIN" scan "${live[@]}" "${cert[@]}" --graph-url "$URL_D" --login-url "$URL_D" \
  --ca-file "$WORK/state-d/ca.pem" --format json
(( SECONDS - t0 < 60 )) || fail "broken paging: the scan took $((SECONDS - t0)) s"
"$PY" - "$WORK/broken.out" "$WORK/offline.out" <<'PY' || fail "broken paging"
import json, sys
d, off = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ds = {x["name"]: x for x in d["datasets"]}
sp, grants = ds["servicePrincipals"], ds["oauth2PermissionGrants"]
assert sp["state"] == "partial" and "leads back to page 2" in sp["reason"], sp
assert grants["state"] != "ok" and "malformed" in grants["reason"], grants
assert not d["summary"]["complete"], d["summary"]
st = {c["id"]: c["status"] for c in d["checks"]}
for cid in ("entra.sp-credentials", "entra.tenant-wide-consent", "entra.critical-app-roles"):
    assert st[cid] == "not_evaluated", (cid, st[cid])
# What was read completely is still reported: the federation findings equal the offline scan's.
fed = lambda r: sorted(f["finding_id"] for f in r["findings"] if f["check_id"].startswith("entra.federation-"))
assert fed(d) and fed(d) == fed(off), "federation findings differ"
print("broken paging:", sp["reason"], "|", grants["reason"][:120])
PY
[ $? -eq 0 ] || fail "broken paging"
ok "nextLink loop and truncated page: stopped, named in the report, exit 3, the rest reported"

# --- 6. nothing secret anywhere --------------------------------------------------------------------------------
key_line=$(sed -n 2p "$WORK/client-key.pem")
pfx_pass=$(cat "$WORK/pfx.pass")
for f in "$WORK"/*.out "$WORK"/*.err $(find "$WORK/rec" "$WORK/rec-b" -type f) \
         "$WORK/state-a/access.log" "$WORK/state-b/access.log" "$WORK/state-c/access.log" \
         "$WORK/state-d/access.log"; do
  grep -qF -- "$SECRET" "$f" && fail "the client secret appears in $f"
  grep -qF -- "$key_line" "$f" && fail "the private key appears in $f"
  grep -qF -- "$pfx_pass" "$f" && fail "the PKCS#12 password appears in $f"
  grep -qE 'eyJ[A-Za-z0-9_-]{10,}\.eyJ' "$f" && fail "a token (JWT) appears in $f"
done
ok "no secret, key, password or token in any output, recording or server log"
echo "PASS: graph_live"
