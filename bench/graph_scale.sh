#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Entra ID at scale: a live `adpersist scan --tenant` of a synthetic tenant (bench/gen/graph_capture.py:
# 100,000 service principals, 10,000 applications by default) served by the Graph-like HTTPS server
# (tests/graph) with Graph's published throttling (resource units per app and tenant, the reports limit),
# against `adpersist scan --graph-dir` of the same capture (the reference: the same work without the
# network), measured in the same run. Results: docs/benchmarks.md, section "Entra ID at scale".
#
#   bench/graph_scale.sh [--service-principals N] [--applications M] [--reps R] [--tier S|M|L]
#
#   --service-principals, --applications   the tenant's size (default 100000 and 10000)
#   --reps      timed rounds; each round runs the live and the offline scan, the order alternating (default 3)
#   --tier      the identity service's resource-unit bucket: S 3,500, M 5,000, L 8,000 per 10 s (default L,
#               a tenant of more than 500 users, which a 100k-SP tenant is)
#
# The server: every page up to $top=999, the resource-unit token bucket (applications and
# oauth2PermissionGrants 2 units, others 1, $select -1, floor 1; batched requests charged one by one; 429
# with Retry-After when empty) and the reports limit (auditLogs: 5 requests per 10 s). Every run scans with
# all checks: adpersist scan ... --now 2026-12-01T00:00:00Z --fail-on none -v --output json=REPORT
# under /usr/bin/time -v. Before timing, one untimed live scan must give exactly the offline scan's findings,
# and the capture's planted indicators must be found (bench/gen/verify_graph_capture.py).
# bench/lib/graph_min_plan.py computes the minimal request plan from the capture; the server's /_stats
# give what was sent.
#
# As root on Debian 12 (installs missing packages). Builds adpersist Release in build-bench/ and measures
# a copy of the binary. Captures are cached in build-bench/graph-inputs/ (keyed by the generator's and the
# borrowed fixture files' hash).
# Before every timed run it waits for a quiet machine (bench/lib/quiet.sh). Output:
# build-bench/graph-scale-TIMESTAMP/{runs.tsv,info.tsv,machine.tsv,plan.json,summary.md}.
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/bench.sh
source "$bench_dir/lib/bench.sh"

sps=100000 apps=10000 reps=3 tier=L
while (($#)); do
  case $1 in
    --service-principals) sps=${2:?}; shift 2 ;;
    --applications) apps=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --tier) tier=${2:?}; shift 2 ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ $sps =~ ^[1-9][0-9]*$ && $apps =~ ^[1-9][0-9]*$ ]] || die "--service-principals N --applications M"
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps N (>= 1)"
case $tier in S) capacity=3500 ;; M) capacity=5000 ;; L) capacity=8000 ;; *) die "--tier S|M|L" ;; esac

bench_setup graph-scale python3-cryptography openssl curl
{
  machine_tsv "$adp"
  printf 'quiet_gate\tload < %s, CPU < %s%%, timeout %ss\n' "$max_load" "$max_busy" "$quiet_timeout"
} >"$results/machine.tsv"
info() { printf '%s\t%s\n' "$1" "$2" >>"$results/info.tsv"; }
: >"$results/info.tsv"
info tier "$tier ($capacity resource units per 10 s)"

# --- the capture (cached: the same generator and sizes give the same bytes) ------------------------------
# (the generator borrows appRoles, role definitions and two certificates from fixtures/tenant)
fx=$ADP_ROOT/fixtures/tenant
key=$(cat "$bench_dir/gen/graph_capture.py" "$fx/servicePrincipals.json" "$fx/roleManagement/directory/roleDefinitions.json" \
  "$fx"/certs/adfs-signing-2026.pem "$fx"/certs/any-sts-2026.pem | sha256sum | cut -c1-12)
capture=$build/graph-inputs/$sps-$apps-$key
if [[ ! -f $capture/_adpersist.json ]]; then
  rm -rf "$build/graph-inputs/$sps-$apps"-*
  mkdir -p "$build/graph-inputs"
  log "generating $sps service principals, $apps applications into $capture"
  t0=$SECONDS
  "$PY" "$bench_dir/gen/graph_capture.py" --out "$capture" --service-principals "$sps" --applications "$apps"
  info generate_s "$((SECONDS - t0))"
else
  log "reusing $capture"
fi
info capture "$(du -sh --apparent-size "$capture" | cut -f1)B in $(find "$capture" -type f | wc -l) files"
"$PY" "$bench_dir/lib/graph_min_plan.py" --json "$capture" >"$results/plan.json"
tenant=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["tenant"])' "$capture/_adpersist.json")

# --- the server and the scanner's credential -----------------------------------------------------------------
work=$results/work
mkdir -p "$work"
client=8a3e6c1d-2f4b-4e5a-9c7d-1b2a3c4d5e6f
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/client-key.pem" -out "$work/client.pem" -days 2 \
  -subj "/CN=adpersist benchmark collector" >/dev/null 2>&1 || die "openssl req"
cat >"$work/config.json" <<EOF
{"tenant": "$tenant",
 "clients": {"$client": {"certificate": "client.pem", "roles": ["Application.Read.All", "Directory.Read.All",
   "Domain.Read.All", "RoleManagement.Read.Directory", "AuditLog.Read.All", "Policy.Read.All"]}},
 "paging": {"default_top": 100, "max_top": 999},
 "resource_units": {"capacity": $capacity, "window_s": 10},
 "reports_limit": {"requests": 5, "window_s": 10}}
EOF
state=$work/server
log "starting the Graph-like server (loading the capture)"
t0=$SECONDS
url=$(ADP_GRAPH_START_TIMEOUT=600 "$ADP_ROOT/tests/graph/start.sh" "$capture" "$state" "$work/config.json") \
  || die "the Graph test server did not start (see $state/server.log)"
trap '"$ADP_ROOT/tests/graph/stop.sh" "$state" >/dev/null 2>&1 || true' EXIT
info server_load_s "$((SECONDS - t0))"
stats() { curl -sf --cacert "$state/ca.pem" "$url/$1" "${@:2}"; }

scan_args=(--now 2026-12-01T00:00:00Z --fail-on none)
live=(--tenant "$tenant" --client-id "$client" --client-cert "$work/client.pem" --client-key "$work/client-key.pem"
  --graph-url "$url" --login-url "$url" --ca-file "$state/ca.pem")
printf 'kind\tround\twall_s\tmaxrss_kb\tuser_s\tsys_s\tload1\tbusy_pct\tquiet\texit\thttp_requests\tbatches\tbatch_items\tstandalone_gets\tthrottled\tresource_units\n' \
  >"$results/runs.tsv"

# run_one KIND ROUND: one scan under /usr/bin/time -v; for live, the server's counters of that scan.
run_one() {
  local kind=$1 round=$2 tf=$results/time-$1-$2 report=$results/report-$1-$2.json rc=0 vals counters
  local src=(--graph-dir "$capture")
  [[ $kind == live ]] && src=("${live[@]}")
  wait_quiet
  # A reset also refills the buckets: every live run starts as a scan after a quiet spell would.
  if [[ $kind == live ]]; then stats _stats/reset -X POST >/dev/null || die "stats reset"; fi
  "$TIME" -v -o "$tf" "$adp" scan "${src[@]}" "${scan_args[@]}" -v -q --output "json=$report" \
    >/dev/null 2>"$results/scan-$kind-$round.err" || rc=$?
  [[ $rc == 0 ]] || { tail -n 20 "$results/scan-$kind-$round.err" >&2; die "$kind scan exited $rc"; }
  counters=$(printf -- '-\t-\t-\t-\t-\t-')
  if [[ $kind == live ]]; then
    stats _stats >"$results/stats-$round.json" || die "no /_stats"
    counters=$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))
t = s["graph_by_status"].get("429", 0) + s["batch_items_by_status"].get("429", 0)
print("\t".join(str(x) for x in (s["graph_requests"], s["batch_requests"], s["batch_items"], s["standalone_gets"], t, s["resource_units_charged"])))' \
      "$results/stats-$round.json")
  fi
  vals=$(parse_time "$tf")
  read -r wall rss user sys ex <<<"$vals"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$round" "$wall" "$rss" "$user" "$sys" "$gate_load" \
    "$gate_busy" "$gate_quiet" "$ex" "$counters" >>"$results/runs.tsv"
  printf '  %s #%s: %ss wall, %s MB peak RSS, CPU %ss (load %s, CPU %s%% before)\n' "$kind" "$round" "$wall" \
    "$((rss / 1024))" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$gate_load" "$gate_busy" >&2
  rm -f "$tf"
}

# --- preflight: live == offline, planted indicators found --------------------------------------------------
log "preflight: one live and one offline scan"
run_one offline 0
run_one live 0
"$PY" "$bench_dir/gen/verify_graph_capture.py" "$capture" "$results/report-offline-0.json" >"$results/verify.txt" \
  || { tail -n 20 "$results/verify.txt" >&2; die "the offline scan misses planted indicators"; }
"$PY" - "$results/report-live-0.json" "$results/report-offline-0.json" <<'PY' || die "live and offline scans differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
fa, fb = (sorted(f["finding_id"] for f in x["findings"]) for x in (a, b))
assert fa and fa == fb, f"findings differ: {len(fa)} live, {len(fb)} offline"
sa, sb = ([(c["id"], c["status"]) for c in x["checks"]] for x in (a, b))
assert sa == sb, "check statuses differ"
assert all(d["state"] == "ok" for d in a["datasets"]), a["datasets"]
print(f"live == offline: {len(fa)} findings, {len(sa)} checks")
PY
info preflight "$(tail -n 1 "$results/verify.txt")"
rm -f "$results"/report-*.json

# --- timed rounds ----------------------------------------------------------------------------------------------
log "$reps rounds of live/offline into $results"
for ((r = 1; r <= reps; r++)); do
  if ((r % 2)); then run_one live "$r"; run_one offline "$r"; else run_one offline "$r"; run_one live "$r"; fi
  rm -f "$results"/report-*-"$r".json
done
printf 'finished\t%s\n' "$(date -u +%FT%TZ)" >>"$results/machine.tsv"
"$PY" "$bench_dir/lib/graph_summarize.py" "$results" >"$results/summary.md"
echo
cat "$results/summary.md"
}

main "$@"
exit
