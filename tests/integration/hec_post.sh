#!/usr/bin/env bash
# `scan --hec-url` against the Splunk HEC look-alike (tests/hec/server.py, HTTPS on loopback with a test CA):
#   * the lab's findings arrive, every finding id of the JSON report exactly once, plus the summary record;
#   * the token never appears on stdout or stderr (run with -v), and -v reports the delivery;
#   * a collector answering 503 twice (and one answering 429 with Retry-After) still gets everything, once;
#   * the token comes from --hec-token-file, '-' (stdin) or $CREDENTIALS_DIRECTORY/hec-token;
#   * a wrong token is one clear line and exit 3; an untrusted certificate (no --hec-ca-file) is a clear TLS
#     error and exit 3; a collector that always fails is given up after 5 attempts, exit 3;
#   * bad options (http://, no token, a token on the command line) are exit 2 before anything is scanned.
# Usage: hec_post.sh ADPERSIST_BINARY. Needs python3-cryptography (the server's PKI). Loopback only; CI runs
# this inside the private network namespace of the integration phase.
. "$(dirname "$0")/loopback_lib.sh"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

LAB=(--ldif "$ROOT/fixtures/lab/domain.ldif" --ldif "$ROOT/fixtures/lab/configuration.ldif" --now 2026-12-01T00:00:00Z)
# A token as Splunk makes them (a GUID), fresh for this run; never printed.
TOKEN=$("$PY" -c 'import uuid; print(uuid.uuid4())')
printf '%s\n' "$TOKEN" > "$WORK/hec.token"
chmod 600 "$WORK/hec.token"
printf '%s\n' "$("$PY" -c 'import uuid; print(uuid.uuid4())')" > "$WORK/wrong.token"

# start NAME CONFIG_JSON: a server with its state in $WORK/NAME (base URL in $WORK/NAME/base_url). Not in a
# subshell, so that its PID is kept for the cleanup.
start() {
  local name="$1" state="$WORK/$1"
  mkdir -p "$state"
  printf '%s\n' "$2" > "$state/config.json"
  cp "$WORK/hec.token" "$state/hec.token"
  "$PY" "$ROOT/tests/hec/server.py" --state-dir "$state" --config "$state/config.json" </dev/null \
    >>"$state/server.log" 2>&1 &
  PIDS+=($!)
  local i
  for ((i = 0; i < 300; i++)); do
    [[ -s $state/port ]] && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/server.log" >&2
  return 1
}

# run NAME WANT_EXIT CMD...: stdout to NAME.out, stderr to NAME.err (kept for the token scan at the end).
run() {
  local name="$1" want="$2"; shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  local rc=$?
  [[ " $want " == *" $rc "* ]] || fail "$name: exit $rc, want $want: $(head -c 2000 "$WORK/$name.err")"
}

# arrived NAME REPORT.json: every finding id of the report exactly once in NAME's events, and the summary.
arrived() {
  "$PY" - "$WORK/$1/events.ndjson" "$2" <<'PY'
import collections, json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
report = json.load(open(sys.argv[2]))
want = sorted(f["finding_id"] for f in report["findings"])
assert want, "the report has no findings"
for e in events:
    assert set(e) == {"time", "host", "source", "sourcetype", "event"}, sorted(e)
    assert e["source"] == "adpersist" and e["sourcetype"].startswith("adpersist:"), e["sourcetype"]
got = collections.Counter(e["event"]["finding_id"] for e in events if e["sourcetype"] == "adpersist:finding")
twice = sorted(k for k, n in got.items() if n > 1)
assert not twice, f"delivered more than once: {twice}"
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
assert not missing and not extra, f"missing {missing}, not in the report {extra}"
summaries = [e for e in events if e["sourcetype"] == "adpersist:summary"]
assert len(summaries) == 1, f"{len(summaries)} summary records"
assert all(e["host"] == "lab.adpersist.test" for e in events), {e["host"] for e in events}
print(f"{len(want)} findings + 1 summary, each exactly once")
PY
}

# one_line NAME: stderr is exactly one line.
one_line() {
  local n
  n=$(wc -l <"$WORK/$1.err")
  [[ $n -eq 1 ]] || fail "$1: $n lines on stderr, want one: $(cat "$WORK/$1.err")"
}

run report "1" "$BIN" scan "${LAB[@]}" --format json
# What the hec format holds for this report: one event per finding and the summary record.
EVENTS=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["findings"]) + 1)' "$WORK/report.out")

# --- 1. delivery, -v, no token anywhere ---------------------------------------------------------------------
start ok '{"token_file": "hec.token"}' || fail "server 'ok' did not start"
URL_OK=$(cat "$WORK/ok/base_url")
CA_OK="$WORK/ok/ca.pem"
run deliver "1" "$BIN" scan "${LAB[@]}" --format json --hec-url "$URL_OK" --hec-token-file "$WORK/hec.token" \
  --hec-ca-file "$CA_OK" -v
msg=$(arrived ok "$WORK/report.out" 2>&1) || fail "delivery: $msg"
grep -q "^hec: $EVENTS events delivered to $URL_OK/services/collector/event in 1 batch (1 request, 0 retries)" \
  "$WORK/deliver.err" || fail "no delivery summary with -v: $(cat "$WORK/deliver.err")"
"$PY" - "$WORK/report.out" "$WORK/deliver.out" <<'PY' || fail "the report on stdout changed with --hec-url"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert [f["finding_id"] for f in a["findings"]] == [f["finding_id"] for f in b["findings"]]
PY
"$PY" - "$WORK/ok/requests.log" <<'PY' || fail "request headers"
import json, re, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert reqs and all(r["content_type"] == "application/json" for r in reqs), reqs
# A channel (a GUID) for tokens with indexer acknowledgement.
guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
assert all(guid.fullmatch(r["channel"]) for r in reqs), reqs
PY
ok "delivered: $msg"

# --- 2. the token from stdin and from $CREDENTIALS_DIRECTORY -------------------------------------------------
start stdin '{"token_file": "hec.token"}' || fail "server 'stdin' did not start"
URL_IN=$(cat "$WORK/stdin/base_url")
run stdin "1" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_IN" --hec-token-file - --hec-ca-file "$WORK/stdin/ca.pem" \
  <"$WORK/hec.token"
msg=$(arrived stdin "$WORK/report.out" 2>&1) || fail "token from stdin: $msg"
start cred '{"token_file": "hec.token"}' || fail "server 'cred' did not start"
URL_CRED=$(cat "$WORK/cred/base_url")
mkdir -p "$WORK/creds" && cp "$WORK/hec.token" "$WORK/creds/hec-token"
run cred "1" env CREDENTIALS_DIRECTORY="$WORK/creds" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_CRED" \
  --hec-ca-file "$WORK/cred/ca.pem"
msg=$(arrived cred "$WORK/report.out" 2>&1) || fail "token from \$CREDENTIALS_DIRECTORY: $msg"
ok "token from '-' and \$CREDENTIALS_DIRECTORY/hec-token"

# --- 3. retries: 503 twice, then 429 with Retry-After: everything arrives once --------------------------------
start busy '{"token_file": "hec.token", "fail_first": {"count": 2, "status": 503}}' ||
  fail "server 'busy' did not start"
URL_503=$(cat "$WORK/busy/base_url")
run busy "1" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_503" --hec-token-file "$WORK/hec.token" \
  --hec-ca-file "$WORK/busy/ca.pem" -v
msg=$(arrived busy "$WORK/report.out" 2>&1) || fail "after 503s: $msg"
grep -q "(3 requests, 2 retries)" "$WORK/busy.err" || fail "503 twice: $(cat "$WORK/busy.err")"
start throttled '{"token_file": "hec.token", "fail_first": {"count": 1, "status": 429, "retry_after": "1"}}' ||
  fail "server 'throttled' did not start"
URL_429=$(cat "$WORK/throttled/base_url")
t0=$(date +%s.%N)
run throttled "1" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_429" --hec-token-file "$WORK/hec.token" \
  --hec-ca-file "$WORK/throttled/ca.pem" -v
t1=$(date +%s.%N)
msg=$(arrived throttled "$WORK/report.out" 2>&1) || fail "after a 429: $msg"
grep -q "(2 requests, 1 retry)" "$WORK/throttled.err" || fail "429: $(cat "$WORK/throttled.err")"
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) >= 1.0 else 1)' "$t0" "$t1" ||
  fail "Retry-After: 1 was not honoured"
ok "503, 503, 200 and 429 (Retry-After 1), 200: each event delivered once"

# --- 4. failures: exit 3 and one clear line --------------------------------------------------------------------
run wrong "3" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_OK" --hec-token-file "$WORK/wrong.token" \
  --hec-ca-file "$CA_OK" -v
one_line wrong
grep -q "token was refused (403 Forbidden: Invalid token, code 4)" "$WORK/wrong.err" ||
  fail "wrong token: $(cat "$WORK/wrong.err")"
grep -qF "$URL_OK/services/collector/event" "$WORK/wrong.err" || fail "the error does not name the URL"
grep -q '"auth": "unknown"' "$WORK/ok/requests.log" || fail "the server saw no wrong token"
ok "wrong token: $(cat "$WORK/wrong.err")"

run untrusted "3" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_OK" --hec-token-file "$WORK/hec.token"
one_line untrusted
grep -q "TLS certificate could not be verified.*--hec-ca-file" "$WORK/untrusted.err" ||
  fail "untrusted certificate: $(cat "$WORK/untrusted.err")"
ok "untrusted certificate: $(cat "$WORK/untrusted.err")"

start broken '{"token_file": "hec.token", "always": 500}' || fail "server 'broken' did not start"
URL_500=$(cat "$WORK/broken/base_url")
run broken "3" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_500" --hec-token-file "$WORK/hec.token" \
  --hec-ca-file "$WORK/broken/ca.pem"
one_line broken
grep -q "500 Internal Server Error.* after 5 attempts; 0 of $EVENTS events delivered" "$WORK/broken.err" ||
  fail "always 500: $(cat "$WORK/broken.err")"
n=$(grep -c '"status": 500' "$WORK/broken/requests.log")
[[ $n -eq 5 ]] || fail "always 500: $n requests, want 5"
[[ ! -s $WORK/broken/events.ndjson ]] || fail "events stored by a failing server"
ok "always 500: given up after 5 attempts"

# --- 5. options checked before anything is scanned (exit 2) -----------------------------------------------------
run opt_http "2" "$BIN" scan "${LAB[@]}" -q --hec-url "http://127.0.0.1:8088" --hec-token-file "$WORK/hec.token"
grep -q "https://" "$WORK/opt_http.err" || fail "http:// URL: $(cat "$WORK/opt_http.err")"
run opt_notoken "2" env -u CREDENTIALS_DIRECTORY "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_OK"
grep -q -- "--hec-token-file" "$WORK/opt_notoken.err" || fail "no token: $(cat "$WORK/opt_notoken.err")"
run opt_argv "2" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_OK" --hec-token "$TOKEN"
grep -q "never taken from the command line" "$WORK/opt_argv.err" || fail "token on argv: $(cat "$WORK/opt_argv.err")"
run opt_missing "2" "$BIN" scan "${LAB[@]}" -q --hec-url "$URL_OK" --hec-token-file "$WORK/no-such-file"
run opt_no_url "2" "$BIN" scan "${LAB[@]}" -q --hec-token-file "$WORK/hec.token"
ok "bad HEC options: exit 2"

# --- 6. the token never printed --------------------------------------------------------------------------------------
for f in "$WORK"/*.out "$WORK"/*.err; do
  if grep -qF "$TOKEN" "$f"; then fail "the token appears in $(basename "$f")"; fi
done
for f in "$WORK"/*/requests.log "$WORK"/*/server.log; do
  if grep -qF "$TOKEN" "$f"; then fail "the token appears in the server's $(basename "$f")"; fi
done
ok "the token appears in no output"
echo "PASS"
