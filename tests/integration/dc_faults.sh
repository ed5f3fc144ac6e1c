#!/usr/bin/env bash
# The DC fails in the middle of a scan (issue 8), through tests/integration/fault_proxy.py in front of the
# real Samba DC's LDAPS port:
#   * the connection is cut while the configuration NC is being paged (the domain NC is complete): exit 3,
#     the configuration dataset is named incomplete, checks that read it are not evaluated (never passed), and
#     the findings of checks that only read the domain NC are still reported, the same as a full scan's;
#   * the connection is cut in the domain NC: exit 3, the domain dataset is incomplete, nothing passed;
#   * the DC stops answering (the connection stays open): --timeout ends the scan in about that time, exit 3.
. "$(dirname "$0")/lib.sh"
auth=(--ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$ADP_DC_ADMIN_PASSWORD_FILE")
PROXY_PID=""
stop_proxy() { [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; PROXY_PID=""; }
trap 'stop_proxy; rm -rf "$WORK"' EXIT
# start_proxy MODE AFTER_BYTES: the proxy on port 16360 in front of the DC's LDAPS port.
start_proxy() {
  stop_proxy
  /usr/bin/python3 "$ROOT/tests/integration/fault_proxy.py" 16360 "$ADP_DC_FQDN" 636 "$1" "$2" >"$WORK/proxy.log" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 50); do grep -q listening "$WORK/proxy.log" 2>/dev/null && return 0; sleep 0.1; done
  fail "the fault proxy did not start: $(cat "$WORK/proxy.log")"
}
PROXIED="ldaps://$ADP_DC_FQDN:16360"
scan() {  # scan NAME [args...]: the live scan through the proxy, JSON report in $WORK/NAME.json
  local name=$1 rc=0; shift
  "$BIN" scan --ldap "$PROXIED" "${auth[@]}" --now "$NOW" --page-size 50 -q --output "json=$WORK/$name.json" \
    "$@" 2>"$WORK/$name.err" || rc=$?
  echo "$rc"
}

# The reference: the same scan without faults (through the proxy, with a limit it never reaches).
start_proxy cut 1000000000
[ "$(scan full)" = 1 ] || fail "the full scan: $(cat "$WORK/full.err")"
total=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$WORK/full.json")

# 1. Cut in the configuration NC. The domain NC comes first and is about 60 % of what the DC sends (lab:
#    880 kB of LDIF against 530 kB): a cut at 85 % of the full scan's bytes falls in the configuration NC.
for _ in $(seq 50); do grep -q "^server sent" "$WORK/proxy.log" && break; sleep 0.1; done
bytes=$(sed -n 's/^server sent \([0-9]*\) bytes$/\1/p' "$WORK/proxy.log" | sort -n | tail -1)
[ -n "$bytes" ] && [ "$bytes" -gt 100000 ] || fail "no byte count from the proxy: $(cat "$WORK/proxy.log")"
start_proxy cut $((bytes * 85 / 100))
rc=$(scan cut_config)
grep -q "^cut after" "$WORK/proxy.log" || fail "the proxy never cut (limit $((bytes * 85 / 100)) of $bytes bytes)"
[ "$rc" = 3 ] || fail "a DC lost mid-search is an incomplete scan: exit 3 (got $rc): $(cat "$WORK/cut_config.err")"
/usr/bin/python3 - "$WORK/cut_config.json" "$WORK/full.json" <<'PY' || exit 1
import json, sys
d, full = (json.load(open(p)) for p in sys.argv[1:])
ds = {x["name"]: x for x in d["datasets"]}
assert ds["domain"]["state"] == "ok", ds
assert ds["configuration"]["state"] in ("partial", "missing") and ds["configuration"]["reason"], ds
st = {c["id"]: c["status"] for c in d["checks"]}
not_eval = [c for c in d["checks"] if c["status"] == "not_evaluated"]
assert not_eval and all("configuration" in c["reason"] for c in not_eval), not_eval[:2]
assert st["ad.dsheuristics"] == "not_evaluated", st["ad.dsheuristics"]  # reads only the configuration NC
# Checks that ran found what the full scan found for them.
ran = {c["id"] for c in d["checks"] if c["status"] in ("passed", "failed")}
assert ran, "no check could run on the complete domain NC"
want = sorted(f["finding_id"] for f in full["findings"] if f["check_id"] in ran)
got = sorted(f["finding_id"] for f in d["findings"])
assert got == want, (len(got), len(want))
assert not d["summary"]["complete"]
print("cut in the configuration NC: %d checks ran with %d findings (as in the full scan), %d not evaluated"
      % (len(ran), len(got), len(not_eval)))
PY

# 2. Cut in the domain NC: nothing can be judged, nothing is passed.
start_proxy cut $((bytes * 30 / 100))
rc=$(scan cut_domain)
[ "$rc" = 3 ] || fail "cut in the domain NC: exit 3 (got $rc)"
/usr/bin/python3 - "$WORK/cut_domain.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
ds = {x["name"]: x["state"] for x in d["datasets"]}
assert ds["domain"] in ("partial", "missing"), ds
assert all(c["status"] == "not_evaluated" for c in d["checks"]), [c["id"] for c in d["checks"] if c["status"] != "not_evaluated"]
assert d["findings"] == []
print("cut in the domain NC: every check not evaluated, dataset domain", ds["domain"])
PY

# 3. A DC that stops answering: --timeout bounds the wait.
start_proxy stall $((bytes * 30 / 100))
start=$(date +%s)
rc=$(timeout 120 "$BIN" scan --ldap "$PROXIED" "${auth[@]}" --now "$NOW" --page-size 50 --timeout 5 -q \
  --output "json=$WORK/stall.json" 2>"$WORK/stall.err" || echo $?)
rc=${rc:-0}
took=$(( $(date +%s) - start ))
grep -q "^stall after" "$WORK/proxy.log" || fail "the proxy never stalled"
[ "$rc" = 3 ] || fail "a hung DC: exit 3 (got $rc): $(cat "$WORK/stall.err")"
[ "$took" -le 30 ] || fail "--timeout 5 took $took s"
reason=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([x["reason"] for x in d["datasets"] if x["state"] != "ok"][0])' "$WORK/stall.json") ||
  fail "a hung DC: the report names no incomplete dataset"
echo "hung DC: exit 3 after $took s with --timeout 5 (one wait per naming context): $reason"
echo "DC faults: ok (full scan: $total findings)"
