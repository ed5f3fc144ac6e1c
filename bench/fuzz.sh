#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Parser fuzzing: one libFuzzer target per parser (tests/fuzz/<name>_fuzz.cpp), built with clang and
# -fsanitize=fuzzer,address,undefined, each run for a set time from seed corpora made of the repository's
# vectors, lab and tenant fixtures and the Graph test server's answers, plus the committed corpus
# (tests/fuzz/corpus/<target>/). Results: docs/benchmarks.md, section "Parser fuzzing".
#
#   bench/fuzz.sh [--seconds N] [--jobs J] [--targets a,b,...] [--update-corpus]
#
#   --seconds  how long each target runs (libFuzzer -max_total_time; default 60)
#   --jobs     targets fuzzed at the same time, and the build's parallelism (default 1; the machines have
#              two shared cores)
#   --targets  comma-separated target names (default: every tests/fuzz/*_fuzz.cpp), e.g. sddl,ldif
#   --update-corpus  after a clean run, replace tests/fuzz/corpus/<target>/ with the minimized union of the
#              committed corpus, the seeds and what the run found (libFuzzer -merge=1 into an empty
#              directory), keeping the smallest files up to CORPUS_CAP bytes per target (default 153600).
#              The g++ build replays these corpora in ctest (tests/fuzz/replay.cmake).
#
# As root on Debian 12 (installs clang and libclang-rt-14-dev when missing). Configures build-fuzz/ with
# clang++ and -DADPERSIST_FUZZ=ON (RelWithDebInfo at -O2 without NDEBUG, so assertions stay on), builds the
# targets, writes seed corpora to build-fuzz/seeds/<target>/ (bench/lib/fuzz_seeds.py), then runs each target
# with -rss_limit_mb=2048 -timeout=10 on a fresh build-fuzz/corpus/<target>/ (new inputs land there).
# Logs and any reproducer (crash-*, leak-*, timeout-*, oom-*) are kept in build-fuzz/runs/<timestamp>/.
# The table (target, seconds, executions, exec/s, corpus, findings) goes to stdout and to
# build-fuzz/fuzz-results.md. Exit status 1 when any target found something (or failed to run).
set -euo pipefail
# The whole script is one function, read before it runs, and the line that calls it exits: editing the file
# meanwhile is safe.
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/lib/common.sh
source "$bench_dir/../scripts/lib/common.sh"

seconds=60 jobs=1 only="" update_corpus=0 cap=${CORPUS_CAP:-153600}
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --targets) only=${2:?}; shift 2 ;;
    --update-corpus) update_corpus=1; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ && $jobs =~ ^[1-9][0-9]*$ ]] || die "--seconds N and --jobs N are positive integers"
[[ $cap =~ ^[1-9][0-9]*$ ]] || die "CORPUS_CAP is a positive number of bytes"

ensure_packages "${ADP_BUILD_PACKAGES[@]}" clang libclang-rt-14-dev python3
command -v clang++ >/dev/null || die "clang++ not found (Debian package clang)"

build=$ADP_ROOT/build-fuzz
log "configuring $build (clang++, ADPERSIST_FUZZ=ON)"
cmake -S "$ADP_ROOT" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DADPERSIST_FUZZ=ON -DADPERSIST_BUILD_TESTS=OFF -DADPERSIST_PCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g" >/dev/null
log "building the fuzz targets (-j$jobs)"
cmake --build "$build" -j"$jobs" --target fuzz >"$build/build.log" 2>&1 ||
  { tail -40 "$build/build.log" >&2; die "build failed (whole log: $build/build.log)"; }

local -a targets=()
if [[ -n $only ]]; then
  IFS=, read -r -a targets <<<"$only"
else
  local f
  for f in "$ADP_ROOT"/tests/fuzz/*_fuzz.cpp; do
    f=${f##*/}
    targets+=("${f%_fuzz.cpp}")
  done
fi
local t
for t in "${targets[@]}"; do
  [[ -x $build/tests/fuzz/${t}_fuzz ]] || die "no fuzz target '$t' (tests/fuzz/${t}_fuzz.cpp)"
done

log "making seed corpora in $build/seeds"
rm -rf "$build/seeds"
"$ADP_PYTHON" "$bench_dir/lib/fuzz_seeds.py" "$ADP_ROOT" "$build/seeds" >/dev/null

run=$build/runs/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"

# Largest input libFuzzer makes per target: the biggest seed of each fits (lab descriptors are < 4 KiB,
# lab LDIF chunks < 12 KiB, Graph pages and $batch answers made by the test server < 16 KiB).
max_len() {
  case $1 in
    security_descriptor | sddl) echo 8192 ;;
    ldif | graph_page | graph_batch) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

# The dictionary of a target: tests/fuzz/<target>.dict, or the JSON one the three Graph targets share.
dict_of() {
  if [[ -f $ADP_ROOT/tests/fuzz/$1.dict ]]; then
    echo "$ADP_ROOT/tests/fuzz/$1.dict"
  elif [[ $1 == graph_page || $1 == graph_batch || $1 == token ]]; then
    echo "$ADP_ROOT/tests/fuzz/graph_json.dict"
  fi
}

run_target() {
  local t=$1 corpus=$build/corpus/$1 art=$run/$1
  rm -rf "$corpus"
  mkdir -p "$corpus" "$art" "$build/seeds/$t"
  local -a args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")"
    -print_final_stats=1 -artifact_prefix="$art/")
  local dict
  dict=$(dict_of "$t")
  [[ -n $dict ]] && args+=(-dict="$dict")
  # The committed corpus is read too (new inputs are written to the first directory only).
  local -a dirs=("$corpus" "$build/seeds/$t")
  [[ -d $ADP_ROOT/tests/fuzz/corpus/$t ]] && dirs+=("$ADP_ROOT/tests/fuzz/corpus/$t")
  local start end rc=0
  start=$(date +%s.%N)
  # A hard stop well past -max_total_time, in case a target cannot be stopped by libFuzzer itself.
  timeout --signal=INT --kill-after=30 $((seconds + 300)) \
    "$build/tests/fuzz/${t}_fuzz" "${args[@]}" "${dirs[@]}" >"$run/$t.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  echo "$rc" >"$run/$t.rc"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", b - a }' >"$run/$t.seconds"
}

log "fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time; logs in $run"
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  log "  $t"
  run_target "$t" &
done
wait

# --- results ---------------------------------------------------------------------------------------------
# "stat::number_of_executed_units: 312213" (libFuzzer -print_final_stats=1, also printed after a crash).
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
local cpu clang_version
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
clang_version=$(clang++ --version | head -1)
local out=$build/fuzz-results.md failed=0
{
  local cmd="bench/fuzz.sh --seconds $seconds --jobs $jobs${only:+ --targets $only}"
  echo "Parser fuzzing, $(date -u +%Y-%m-%dT%H:%MZ): \`$cmd\`"
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' \
    /proc/meminfo) RAM; $clang_version; -fsanitize=fuzzer,address,undefined, -O2"
  echo
  echo "| target | seconds | executions | exec/s | seeds | corpus (units / bytes) | peak RSS MB |" \
    "crashes | leaks | timeouts | OOMs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for t in "${targets[@]}"; do
    local lg=$run/$t.log rc execs rate units bytes rss seeds crashes leaks timeouts ooms
    rc=$(cat "$run/$t.rc")
    execs=$(stat_of number_of_executed_units "$lg")
    rate=$(stat_of average_exec_per_sec "$lg")
    rss=$(stat_of peak_rss_mb "$lg")
    # The last status line: "#123456 REDUCE cov: 812 ft: 3021 corp: 690/81Kb lim: ... exec/s: ..."
    units=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$lg" | tail -1 | sed 's/corp: //' || true)
    seeds=$({ find "$build/seeds/$t" "$ADP_ROOT/tests/fuzz/corpus/$t" -type f 2>/dev/null || true; } | wc -l)
    crashes=$(find "$run/$t" -name 'crash-*' | wc -l)
    leaks=$(find "$run/$t" -name 'leak-*' | wc -l)
    timeouts=$(find "$run/$t" -name 'timeout-*' | wc -l)
    ooms=$(find "$run/$t" -name 'oom-*' | wc -l)
    bytes=${units#*/}
    units=${units%%/*}
    if ((rc != 0 || crashes + leaks + timeouts + ooms > 0)); then failed=1; fi
    printf '| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s |\n' "$t" "$(cat "$run/$t.seconds")" \
      "${execs:-?}" "${rate:-?}" "$seeds" "${units:-?}" "${bytes:-?}" "${rss:-?}" \
      "$crashes" "$leaks" "$timeouts" "$ooms"
  done
} >"$out"
cat "$out"
if ((failed)); then
  echo
  echo "FINDINGS (or a target that did not finish cleanly): reproducers and logs in $run"
  find "$run" -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*'
  for t in "${targets[@]}"; do
    [[ $(cat "$run/$t.rc") == 0 ]] || echo "$t: exit status $(cat "$run/$t.rc") (see $run/$t.log)"
  done
  exit 1
fi
if ((update_corpus)); then update_corpora; fi
}

# Minimized corpora for the replay tests: merge the committed corpus, the seeds and the run's finds into an
# empty directory (libFuzzer keeps, smallest first, the inputs that add coverage), then keep the smallest
# files up to $cap bytes.
update_corpora() {
  local t
  for t in "${targets[@]}"; do
    local merged=$build/merged/$t dest=$ADP_ROOT/tests/fuzz/corpus/$t
    rm -rf "$merged"
    mkdir -p "$merged"
    local -a from=("$build/corpus/$t" "$build/seeds/$t")
    [[ -d $dest ]] && from+=("$dest")
    "$build/tests/fuzz/${t}_fuzz" -merge=1 -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" \
      "$merged" "${from[@]}" >"$run/$t.merge.log" 2>&1 || die "merging the $t corpus failed (see $run/$t.merge.log)"
    rm -rf "$dest"
    mkdir -p "$dest"
    local total=0 n=0 bytes f
    while read -r bytes f; do
      ((total + bytes > cap)) && break
      cp "$f" "$dest/"
      total=$((total + bytes)) n=$((n + 1))
    done < <(find "$merged" -type f -printf '%s %p\n' | sort -n -k1,1 -k2,2)
    log "  corpus $t: $n of $(find "$merged" -type f | wc -l) merged inputs, $total bytes -> tests/fuzz/corpus/$t"
  done
}
main "$@"; exit
