#!/usr/bin/env bash
# catch_shard.sh K N [WRAPPER...] EXE: runs shard K (0-based) of N of the Catch2 executable EXE in ONE process:
# the test cases whose position in `EXE --list-test-names-only` is K modulo N. With -DADPERSIST_TEST_SHARDS=N
# (tests/CMakeLists.txt) ctest registers these shards instead of one process per test case: a sanitizer or
# memcheck build spends about a second starting each process, which for ~450 cases was most of that stage's
# time. WRAPPER (e.g. scripts/lib/valgrind-wrap) is put in front of the run, not of the listing.
# Exit: Catch2's, and 1 when the process ran a different number of test cases than the shard holds (a name
# that matched nothing, or more than itself).
set -euo pipefail
k=$1 n=$2
shift 2
exe=${*: -1}
mapfile -t names < <("$exe" --list-test-names-only)
((${#names[@]} > 0)) || { echo "catch_shard: $exe lists no test cases" >&2; exit 1; }
specs=()
for i in "${!names[@]}"; do
  ((i % n == k)) || continue
  # ',' '[' ']' are test-spec syntax, escaped with a backslash as CatchAddTests.cmake does; so is the backslash.
  s=${names[i]//\\/\\\\}
  s=${s//,/\\,}
  s=${s//[/\\[}
  s=${s//]/\\]}
  specs+=("$s")
done
((${#specs[@]} > 0)) || { echo "catch_shard: shard $k of $n is empty (${#names[@]} test cases)"; exit 0; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
# One test-spec argument, the names joined by ',' (Catch2 v2 concatenates separate arguments into one spec).
spec=$(IFS=,; echo "${specs[*]}")
"$@" --order decl "$spec" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
# Catch2 v2 ends with "All tests passed (A assertions in C test cases)" or "test cases: C | ...".
ran=$(sed -n -e 's/^All tests passed ([0-9]* assertions\{0,1\} in \([0-9]*\) test cases\{0,1\})$/\1/p' \
  -e 's/^test cases: *\([0-9]*\) .*/\1/p' "$out" | tail -n 1)
if [[ $ran != "${#specs[@]}" ]]; then
  echo "catch_shard: shard $k of $n holds ${#specs[@]} test cases, the run reports ${ran:-none}" >&2
  ((rc != 0)) || rc=1
fi
exit "$rc"
