#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Security descriptors at scale: `adpersist scan --ldif` on a synthetic domain export whose objects
# all carry nTSecurityDescriptor, against the same export without the descriptors (the reference:
# the cost of everything but SDs), measured in the same run. Results: docs/benchmarks.md, section
# "Security descriptors at scale".
#
#   bench/sd_scale.sh [--objects N[,N...]] [--reps R] [--profile]
#
#   --objects   synthetic objects per export (default 200000); a comma list runs each size
#   --reps      timed rounds; each round runs the three inputs, in an order that rotates per round
#               (default 3)
#   --profile   after the timed rounds, one extra run per input with only one trivial check
#               (--checks ad.guest-enabled): reading, snapshot and descriptor table without the checks
#
# Inputs (bench/gen/domain_ldif.py --shape sd, deterministic, from the real descriptors of
# fixtures/lab/domain.ldif; see its docstring), all in the plain ldapsearch format of the lab export:
#   shared  every object has a descriptor; objects share one per (OU, class), 1 in 100 has its own
#   unique  every synthetic object has a distinct descriptor (worst case for parse-once)
#   nosd    `shared` without its nTSecurityDescriptor lines (the reference)
# Each is scanned together with fixtures/lab/configuration.ldif (a copy), so the scan is complete:
#   adpersist scan --ldif INPUT --ldif configuration.ldif --now 2026-12-01T00:00:00Z --fail-on none -q
#     --output json=REPORT
# under /usr/bin/time -v (wall time, peak RSS, CPU). Before timing: the descriptors of `shared` and
# `unique` are parsed with adpersist's own parser (bench/lib/sd_check.cpp) and one untimed JSON scan of
# each input checks the datasets, the findings, and warms the page cache.
#
# As root on Debian 12 (installs missing packages). Builds adpersist Release in build-bench/
# (-j ADP_BENCH_BUILD_JOBS, default 2 on a quiet machine, else 1) and measures a copy of the binary.
# Inputs are cached in build-bench/sd-scale-inputs/ (keyed by the generator and fixture hashes).
# Before every timed run it waits for a quiet machine (bench/lib/quiet.sh: ADP_BENCH_MAX_LOAD,
# ADP_BENCH_MAX_BUSY, ADP_BENCH_QUIET_TIMEOUT); the load seen is recorded with each run.
# Output: build-bench/sd-scale-TIMESTAMP/{runs.tsv,info.tsv,machine.tsv,summary.md}; the summary is
# printed at the end.
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/bench.sh
source "$bench_dir/lib/bench.sh"

objects=200000 reps=3 profile=0
while (($#)); do
  case $1 in
    --objects) objects=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --profile) profile=1; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
parse_sizes "$objects"
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps N (>= 1)"

# --- the Release build; the binary measured is a copy in the results directory -------------------
bench_setup sd-scale
# The parser check links the same build's core library.
g++ -std=c++20 -O2 -I"$ADP_ROOT" "$bench_dir/lib/sd_check.cpp" "$build/libadpersist_core.a" -lcrypto \
  -o "$results/sd_check" || die "building bench/lib/sd_check.cpp failed"
copy_domain_inputs
{
  machine_tsv "$adp"
  printf 'checks\t%s\n' "$("$adp" checks list 2>/dev/null | grep -c '^ad\.' || true)"
  printf 'fixture_domain_sha256\t%s\n' "$(sha256sum "$results/fixture-domain.ldif" | cut -d' ' -f1)"
  printf 'fixture_configuration_sha256\t%s\n' "$(sha256sum "$conf" | cut -d' ' -f1)"
  printf 'quiet_gate\tload < %s, CPU < %s%%, timeout %ss\n' "$max_load" "$max_busy" "$quiet_timeout"
} >"$results/machine.tsv"

info() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results/info.tsv"; }  # SIZE KEY VALUE
: >"$results/info.tsv"
printf 'objects\tinput\tround\twall_s\tmaxrss_kb\tuser_s\tsys_s\tload1\tbusy_pct\tquiet\texit\tkind\n' >"$results/runs.tsv"

scan_args=(--now 2026-12-01T00:00:00Z --fail-on none)

declare -A want_exit
run_one() { # N INPUT ROUND KIND [extra scan args...]
  local n=$1 input=$2 round=$3 kind=$4 tf vals rc=0
  shift 4
  local file=$inputs/$input.ldif report=$results/report-$n-$input.json
  tf=$results/time-$n-$input-$round
  wait_quiet
  "$TIME" -v -o "$tf" "$adp" scan --ldif "$file" --ldif "$conf" "${scan_args[@]}" -q --output "json=$report" "$@" \
    >/dev/null 2>"$results/scan-$n-$input-$round.err" || rc=$?
  # Timed runs must end as the check run did; one-check runs evaluate less (exit 0 or 3).
  if [[ $kind == timed && $rc != "${want_exit[$input]}" ]] || [[ $kind != timed && $rc != 0 && $rc != 3 ]]; then
    cat "$results/scan-$n-$input-$round.err" >&2
    die "scan of $input ($kind) exited $rc (the check run exited ${want_exit[$input]})"
  fi
  vals=$(parse_time "$tf")
  read -r wall rss user sys ex <<<"$vals"
  rm -f "$tf" "$report" "$results/scan-$n-$input-$round.err"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$input" "$round" "$wall" "$rss" "$user" "$sys" \
    "$gate_load" "$gate_busy" "$gate_quiet" "$ex" "$kind" >>"$results/runs.tsv"
  printf '  %s %s #%s: %ss wall, %s MB peak RSS, CPU %ss (load %s, CPU %s%% before)\n' "$n" "$input" "$round" "$wall" \
    "$((rss / 1024))" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$gate_load" "$gate_busy" >&2
}

for n in "${sizes[@]}"; do
  # --- inputs (cached: the same generator, fixture and N give the same files) ---------------------
  key=$(cat "$results/domain_ldif.py" "$results/fixture-domain.ldif" | sha256sum | cut -c1-12)
  inputs=$build/sd-scale-inputs/$n-$key
  if [[ ! -f $inputs/stats.tsv ]]; then
    rm -rf "$build/sd-scale-inputs/$n"-*  # older keys for this size
    mkdir -p "$inputs.tmp"
    log "generating $n objects into $inputs"
    t0=$SECONDS
    "$PY" "$results/domain_ldif.py" --shape sd "$results/fixture-domain.ldif" "$n" --out "$inputs.tmp/shared.ldif" \
      --unique "$inputs.tmp/unique.ldif" --nosd "$inputs.tmp/nosd.ldif" --stats "$inputs.tmp/stats.tsv"
    printf 'generate_s\t%s\n' "$((SECONDS - t0))" >>"$inputs.tmp/stats.tsv"
    mv "$inputs.tmp" "$inputs"
  else
    log "reusing $inputs"
  fi
  while IFS=$'\t' read -r k v; do info "$n" "$k" "$v"; done <"$inputs/stats.tsv"

  # --- preflight: the descriptors parse with adpersist's parser; each input scans completely ------
  for input in shared unique; do
    "$results/sd_check" 2 <"$inputs/$input.ldif" >"$results/sd-check-$n-$input.txt" \
      || { head -n 20 "$results/sd-check-$n-$input.txt" >&2; die "$input: descriptors that adpersist cannot parse"; }
    info "$n" "sd_check_$input" "$(grep -E '^(values|distinct|errors) ' "$results/sd-check-$n-$input.txt" | tr '\n' ' ')"
    d=$(sed -n 's/^distinct //p' "$results/sd-check-$n-$input.txt")
    [[ $d == $(awk -F'\t' -v k="distinct_sds_$input" '$1 == k { print $2 }' "$inputs/stats.tsv") ]] \
      || die "$input: sd_check counts $d distinct descriptors, the generator another number"
  done
  for input in shared unique nosd; do
    rc=0
    "$adp" scan --ldif "$inputs/$input.ldif" --ldif "$conf" "${scan_args[@]}" --format json \
      >"$results/check-$n-$input.json" 2>"$results/check-$n-$input.err" || rc=$?
    want_exit[$input]=$rc
    "$PY" - "$results/check-$n-$input.json" "$input" "$rc" >>"$results/info.tsv.$n" <<'PY' \
      || die "the check scan of $input is not what the benchmark expects (see above)"
import json, sys
path, name, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(path))
s = d["summary"]
assert all(x["state"] == "ok" for x in d["datasets"]), d["datasets"]
ne = sorted(c["id"] for c in d["checks"] if c["status"] == "not_evaluated")
err = sorted(c["id"] for c in d["checks"] if c["status"] == "error")
assert not err, f"checks in error: {err}"
if name == "nosd":
    # Only the checks that need the descriptors of the domain head / AdminSDHolder may be missing.
    assert rc == 3 and not s["complete"], (rc, s)
else:
    assert rc == 0 and s["complete"] and not ne, (rc, s, ne)
print(f"check_{name}\texit {rc}, {s['checks_run']} checks ({s['checks_by_status']['not_evaluated']} not evaluated"
      f"{': ' + ' '.join(ne) if ne else ''}), {s['findings']} findings, {len(d['notes'])} notes")
PY
    sed "s/^/$n\t/" "$results/info.tsv.$n" >>"$results/info.tsv"
    rm -f "$results/info.tsv.$n"
  done
  "$PY" - "$results/check-$n-shared.json" "$results/check-$n-unique.json" <<'PY' || die "shared and unique gave different findings"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
fa, fb = (sorted((f["check_id"], f["finding_id"]) for f in x["findings"]) for x in (a, b))
assert fa == fb, "findings differ"
PY
  rm -f "$results"/check-"$n"-*.json

  # --- timed rounds: the order rotates (shared unique nosd / unique nosd shared / nosd shared unique)
  log "$n objects: $reps rounds of shared/unique/nosd into $results"
  order=(shared unique nosd)
  for ((r = 1; r <= reps; r++)); do
    for ((i = 0; i < 3; i++)); do
      run_one "$n" "${order[(r - 1 + i) % 3]}" "$r" timed
    done
  done
  if ((profile)); then
    log "$n objects: one run per input with --checks ad.guest-enabled"
    for input in shared unique nosd; do
      run_one "$n" "$input" 1 one-check --checks ad.guest-enabled
    done
  fi
done
printf 'finished\t%s\n' "$(date -u +%FT%TZ)" >>"$results/machine.tsv"
"$PY" "$bench_dir/lib/sd_summarize.py" "$results" >"$results/summary.md"
echo
cat "$results/summary.md"
}

main "$@"
exit
