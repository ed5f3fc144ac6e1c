# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # bench_dir comes from, and TIME, PY, conf go to, the scripts that source this
# Shared setup of the offline benchmarks (bench/scale.sh, sd_scale.sh, graph_scale.sh). Source it, do not run
# it, from the script's main function once bench_dir is set. Brings in scripts/lib/common.sh, the quiet-machine
# gate (lib/quiet.sh) and the Release build helpers (lib/release.sh), and defines:
#   parse_sizes N[,N...]     the --objects value into the array `sizes` (each at least 1000), or dies
#   bench_setup NAME PKG...  missing packages (the build's, time, python3 and PKG...), the Release build, a new
#                            results directory build-bench/NAME-TIMESTAMP holding the copy of the binary that
#                            is measured; sets build, results, adp, TIME, PY
#   copy_domain_inputs       the lab fixtures and the domain generator copied into $results (other work may change
#                            them meanwhile); sets conf
# shellcheck source=scripts/lib/common.sh
source "$bench_dir/../scripts/lib/common.sh"
# shellcheck source=bench/lib/quiet.sh
source "$bench_dir/lib/quiet.sh"
# shellcheck source=bench/lib/release.sh
source "$bench_dir/lib/release.sh"

parse_sizes() {
  [[ $1 =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--objects N[,N...]"
  IFS=, read -r -a sizes <<<"$1"
  local n
  for n in "${sizes[@]}"; do ((n >= 1000)) || die "--objects: at least 1000"; done
}

bench_setup() {
  local name=$1
  shift
  ensure_packages "${ADP_BUILD_PACKAGES[@]}" time python3 "$@"
  TIME=/usr/bin/time
  PY=$ADP_PYTHON
  build=$ADP_ROOT/build-bench
  mkdir -p "$build"
  release_build "$name"
  results=$build/$name-$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$results"
  adp=$results/adpersist
  cp "$build/adpersist" "$adp"
}

copy_domain_inputs() {
  cp "$ADP_ROOT/fixtures/lab/domain.ldif" "$results/fixture-domain.ldif"
  cp "$bench_dir/gen/domain_ldif.py" "$results/domain_ldif.py"
  cp "$ADP_ROOT/fixtures/lab/configuration.ldif" "$results/configuration.ldif"
  conf=$results/configuration.ldif
}
