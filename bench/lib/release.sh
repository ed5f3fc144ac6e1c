# shellcheck shell=bash
# Shared by the benchmark scripts (source it after scripts/lib/common.sh; do not run it): the Release build,
# the machine description and /usr/bin/time -v parsing.

# release_build NAME: a Release build (no tests) in $ADP_ROOT/build-bench, -j ADP_BENCH_BUILD_JOBS (default 2
# on a quiet machine, else 1); log in build-bench/NAME-build.log. Sets bench_build_jobs. The scripts measure a
# copy of the binary in their results directory, so a rebuild meanwhile cannot swap it between runs.
release_build() {
  local name=$1 build=$ADP_ROOT/build-bench
  mkdir -p "$build"
  bench_build_jobs=${ADP_BENCH_BUILD_JOBS:-}
  if [[ -z $bench_build_jobs ]]; then
    bench_build_jobs=1
    awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l < 1.0) }' && bench_build_jobs=2
  fi
  log "Release build in $build (-j$bench_build_jobs)"
  if ! { cmake -S "$ADP_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=Release -DADPERSIST_BUILD_TESTS=OFF \
    && cmake --build "$build" -j"$bench_build_jobs"; } >"$build/$name-build.log" 2>&1; then
    tail -n 30 "$build/$name-build.log" >&2
    die "build failed (log: $build/$name-build.log)"
  fi
}

# machine_tsv ADPERSIST: key<TAB>value lines describing the machine, the toolchain and the binary measured.
machine_tsv() {
  local adp=$1 rev
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  printf 'ram\t%s GiB\n' "$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  printf 'compiler\t%s\n' "$(g++ --version | head -n 1)"
  printf 'python\t%s\n' "$("$ADP_PYTHON" --version 2>&1)"
  rev=$(git -C "$ADP_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
  if [[ -n $(git -C "$ADP_ROOT" status --porcelain -- scanner checks CMakeLists.txt 2>/dev/null) ]]; then
    rev+=" + uncommitted changes"
  fi
  printf 'adpersist\t%s (git %s, sha256 %.12s, Release)\n' "$("$adp" --version | head -n 1)" "$rev" \
    "$(sha256sum "$adp" | cut -d' ' -f1)"
  printf 'build_jobs\t%s\n' "${bench_build_jobs:-?}"
  printf 'started\t%s\n' "$(date -u +%FT%TZ)"
}

# parse_time FILE... -> "wall maxrss_kb user sys exit" from /usr/bin/time -v output; several files are summed
# (wall, user, sys) or maxed (RSS, exit).
parse_time() {
  awk '
    /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall += s }
    /Maximum resident set size/ { if ($NF > rss) rss = $NF }
    /User time \(seconds\)/ { user += $NF }
    /System time \(seconds\)/ { sys += $NF }
    /Exit status/ { if ($NF > ex) ex = $NF }
    END { printf "%.2f %d %.2f %.2f %d", wall, rss, user, sys, ex }' "$@"
}
