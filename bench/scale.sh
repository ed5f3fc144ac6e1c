#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Scale (issue 7): `adpersist scan --ldif` with every Active Directory check on synthetic domains of
# 10,000, 100,000 and 1,000,000 objects. Targets: peak RSS <= 2 GiB at 1M objects, and
# time(1M) / time(100k) <= 11 (cost that grows linearly). Results: docs/benchmarks.md, section
# "Scale: 1,000,000 objects".
#
#   bench/scale.sh [--objects N[,N...]] [--reps R]
#
#   --objects   synthetic objects per domain (default 10000,100000,1000000)
#   --reps      timed rounds (default 3); each round scans every size, the order rotating per round
#
# Inputs (bench/gen/domain_ldif.py, deterministic, shape "domain"; see its docstring): the lab fixture's
# 239 genuine Samba entries plus N synthetic objects in N/1000 OUs: 80 % users, 15 % computers, 5 %
# groups (1 in 5 nested in another, four holding 10 %, 2 %, 1 % and 0.5 % of all users), N/1000 group
# policy objects linked from the OUs, descriptors shared per (OU, class) with 1 object in 100 carrying
# its own, and 7 planted (indicator, check) pairs. Each is scanned with fixtures/lab/configuration.ldif
# (a copy), so that the scan is complete:
#   adpersist scan --ldif domain.ldif --ldif configuration.ldif --now 2026-12-01T00:00:00Z --fail-on none -q
#     --output json=REPORT
# under /usr/bin/time -v (wall time, peak RSS, CPU). The floor measured in the same run: `wc -l` of the
# same file (reading every byte once, no parsing).
# Before timing, one untimed scan per size checks that every dataset is complete, no check is in error
# or not evaluated, and every planted pair is reported (it also warms the page cache).
#
# As root on Debian 12 (installs missing packages). Builds adpersist Release in build-bench/ and measures a
# copy of the binary. Inputs are cached in build-bench/scale-inputs/ (keyed by the generator and fixture
# hashes; the 1M input is 5.6 GB). Before every timed run it waits for a quiet machine (bench/lib/quiet.sh).
# Output: build-bench/scale-TIMESTAMP/{runs.tsv,info.tsv,machine.tsv,summary.md}; the summary is printed.
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/bench.sh
source "$bench_dir/lib/bench.sh"

objects=10000,100000,1000000 reps=3
while (($#)); do
  case $1 in
    --objects) objects=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
parse_sizes "$objects"
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps N (>= 1)"

bench_setup scale
copy_domain_inputs
{
  machine_tsv "$adp"
  printf 'checks\t%s\n' "$("$adp" checks list 2>/dev/null | grep -c '^ad\.' || true)"
  printf 'quiet_gate\tload < %s, CPU < %s%%, timeout %ss\n' "$max_load" "$max_busy" "$quiet_timeout"
} >"$results/machine.tsv"

info() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results/info.tsv"; }  # N KEY VALUE
: >"$results/info.tsv"
printf 'objects\tround\tkind\twall_s\tmaxrss_kb\tuser_s\tsys_s\tload1\tbusy_pct\tquiet\texit\n' >"$results/runs.tsv"
scan_args=(--now 2026-12-01T00:00:00Z --fail-on none)

declare -A input_of
run_one() { # N ROUND KIND(scan|floor)
  local n=$1 round=$2 kind=$3 tf vals rc=0 file=${input_of[$1]}
  tf=$results/time-$n-$kind-$round
  wait_quiet
  if [[ $kind == scan ]]; then
    "$TIME" -v -o "$tf" "$adp" scan --ldif "$file" --ldif "$conf" "${scan_args[@]}" -q \
      --output "json=$results/report-$n.json" >/dev/null 2>"$results/scan-$n-$round.err" || rc=$?
    ((rc == 0)) || { cat "$results/scan-$n-$round.err" >&2; die "scan of $n objects exited $rc"; }
    rm -f "$results/report-$n.json" "$results/scan-$n-$round.err"
  else
    "$TIME" -v -o "$tf" wc -l "$file" >/dev/null
  fi
  vals=$(parse_time "$tf")
  read -r wall rss user sys ex <<<"$vals"
  rm -f "$tf"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$round" "$kind" "$wall" "$rss" "$user" "$sys" \
    "$gate_load" "$gate_busy" "$gate_quiet" "$ex" >>"$results/runs.tsv"
  printf '  %s %s #%s: %ss wall, %s MB peak RSS, CPU %ss (load %s, CPU %s%% before)\n' "$n" "$kind" "$round" \
    "$wall" "$((rss / 1024))" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$gate_load" "$gate_busy" >&2
}

key=$(cat "$results/domain_ldif.py" "$results/fixture-domain.ldif" | sha256sum | cut -c1-12)
for n in "${sizes[@]}"; do
  # --- input (cached: the same generator, fixture and N give the same file) ----------------------
  inputs=$build/scale-inputs/$n-$key
  if [[ ! -f $inputs/stats.tsv ]]; then
    rm -rf "$build/scale-inputs/$n"-*  # older keys for this size
    mkdir -p "$inputs.tmp"
    log "generating a domain of $n objects into $inputs"
    t0=$SECONDS
    "$PY" "$results/domain_ldif.py" "$results/fixture-domain.ldif" "$n" --out "$inputs.tmp/domain.ldif" \
      --stats "$inputs.tmp/stats.tsv" --planted "$inputs.tmp/planted.tsv"
    printf 'generate_s\t%s\n' "$((SECONDS - t0))" >>"$inputs.tmp/stats.tsv"
    mv "$inputs.tmp" "$inputs"
  else
    log "reusing $inputs"
  fi
  input_of[$n]=$inputs/domain.ldif
  while IFS=$'\t' read -r k v; do info "$n" "$k" "$v"; done <"$inputs/stats.tsv"

  # --- preflight: complete, nothing in error or not evaluated, every planted indicator reported ---
  rc=0
  "$adp" scan --ldif "$inputs/domain.ldif" --ldif "$conf" "${scan_args[@]}" -q -v \
    --output "json=$results/check-$n.json" >/dev/null 2>"$results/check-$n.err" || rc=$?
  ((rc == 0)) || { cat "$results/check-$n.err" >&2; die "the check scan of $n objects exited $rc"; }
  "$PY" - "$results/check-$n.json" "$inputs/planted.tsv" >>"$results/info.tsv.$n" <<'PY' \
    || die "the check scan of $n objects is not what the benchmark expects (see above)"
import collections, json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert all(x["state"] == "ok" for x in d["datasets"]), d["datasets"]
bad = sorted((c["id"], c["status"]) for c in d["checks"] if c["status"] in ("not_evaluated", "error"))
assert not bad and s["complete"], (bad, s)
have = {(f["check_id"], f["resource"].get("dn")) for f in d["findings"]}
want = [tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[2]) if l.strip()]
missing = [w for w in want if w not in have]
assert want and not missing, f"planted indicators not reported: {missing}"
by = collections.Counter(f["check_id"] for f in d["findings"])
print(f"check\t{s['checks_run']} checks, all evaluated, {s['findings']} findings; "
      f"planted pairs reported {len(want)}/{len(want)}")
print(f"findings_by_check\t{' '.join(f'{k}={v}' for k, v in sorted(by.items()))}")
PY
  sed "s/^/$n\t/" "$results/info.tsv.$n" >>"$results/info.tsv"
  rm -f "$results/info.tsv.$n" "$results/check-$n.json"
  info "$n" "verbose" "$(grep -E '^(ldif|scan|engine|timing)' "$results/check-$n.err" | tr '\n' ' ' || true)"
  rm -f "$results/check-$n.err"
done

# --- timed rounds: the order of the sizes rotates per round; the floor right after each scan -------
log "$reps rounds over ${sizes[*]} objects into $results"
for ((r = 1; r <= reps; r++)); do
  for ((i = 0; i < ${#sizes[@]}; i++)); do
    n=${sizes[(r - 1 + i) % ${#sizes[@]}]}
    run_one "$n" "$r" scan
    run_one "$n" "$r" floor
  done
done
printf 'finished\t%s\n' "$(date -u +%FT%TZ)" >>"$results/machine.tsv"
"$PY" "$bench_dir/lib/scale_summarize.py" "$results" >"$results/summary.md"
echo
cat "$results/summary.md"
}

main "$@"
exit
