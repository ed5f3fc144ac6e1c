#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Every benchmark behind the tables of docs/benchmarks.md, with the parameters those tables were measured
# with, one after the other (each waits for a quiet machine before every timed run):
#
#   bench/run.sh [BENCH...]        BENCH: scale sd graph ldap fuzz (default: scale sd graph ldap)
#
#   scale  bench/scale.sh                 10k / 100k / 1M objects offline, all AD checks (issue 7)
#   sd     bench/sd_scale.sh              security descriptors at 200k objects (issue 4)
#   graph  bench/graph_scale.sh           100,000 service principals through Graph-like throttling (issue 5)
#   ldap   bench/ldap_scan.sh, twice      live LDAPS scan vs ldapsearch and ldapdomaindump, 20k and 54k
#                                          domains (a Samba DC each; filling one the first time takes 8-30 min)
#   fuzz   bench/fuzz.sh                  every libFuzzer target for 60 s (issue 8)
#
# As root on Debian 12. Each benchmark writes its own results directory under build-bench/ (fuzz:
# build-fuzz/) and prints a summary; this script collects those summaries, in order, into
# build-bench/run-TIMESTAMP/summary.md and prints its path. Exits non-zero as soon as one benchmark fails
# (a benchmark fails when its untimed correctness checks fail, not when a target is missed: the summaries
# say met / not met).
set -euo pipefail
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/lib/common.sh
source "$bench_dir/../scripts/lib/common.sh"

benches=("$@")
((${#benches[@]})) || benches=(scale sd graph ldap)
for b in "${benches[@]}"; do
  case $b in
    scale | sd | graph | ldap | fuzz) ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown benchmark: $b (see --help)" ;;
  esac
done
out=$ADP_ROOT/build-bench/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
summary=$out/summary.md
printf '# bench/run.sh %s (%s)\n' "${benches[*]}" "$(date -u +%FT%TZ)" >"$summary"

# run_bench TITLE SUMMARY_GLOB COMMAND...: runs one benchmark (its output also in $out/<first word>.log) and
# appends the summary it wrote (the newest file matching SUMMARY_GLOB written during the run) to the
# combined summary.
run_bench() {
  local title=$1 glob=$2 logf mark latest
  shift 2
  logf=$out/$(basename "$1" .sh)-$(date -u +%H%M%S).log
  mark=$out/.started-$(date +%s%N)
  touch "$mark"
  log "$title: $*"
  "$@" 2>&1 | tee "$logf" || die "$title failed (log: $logf)"
  # shellcheck disable=SC2086,SC2012  # the glob is meant to expand; the names are ours (no odd characters)
  latest=$(ls -t $glob 2>/dev/null | head -n 1 || true)
  [[ -n $latest && $latest -nt $mark ]] || die "$title wrote no summary matching $glob"
  # shellcheck disable=SC2016  # the backquotes are Markdown
  printf '\n## %s\n\n`%s` (results: %s)\n\n' "$title" "$*" "$(dirname "$latest")" >>"$summary"
  cat "$latest" >>"$summary"
  rm -f "$mark"
}

bb=$ADP_ROOT/build-bench
for b in "${benches[@]}"; do
  case $b in
    scale) run_bench "Scale: 1,000,000 objects" "$bb/scale-*/summary.md" "$bench_dir/scale.sh" ;;
    sd) run_bench "Security descriptors at scale" "$bb/sd-scale-*/summary.md" "$bench_dir/sd_scale.sh" --profile ;;
    graph) run_bench "Entra ID at scale" "$bb/graph-scale-*/summary.md" "$bench_dir/graph_scale.sh" ;;
    ldap)
      run_bench "Live LDAP scan, 20k domain" "$bb/ldap-scan-20k-*/summary.md" "$bench_dir/ldap_scan.sh"
      run_bench "Live LDAP scan, 54k domain" "$bb/ldap-scan-54k-*/summary.md" "$bench_dir/ldap_scan.sh" --size 54k
      ;;
    fuzz) run_bench "Parser fuzzing" "$ADP_ROOT/build-fuzz/fuzz-results.md" "$bench_dir/fuzz.sh" ;;
  esac
done
log "summaries of every benchmark: $summary"
}

main "$@"
exit
