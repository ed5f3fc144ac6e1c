#!/usr/bin/env bash
# The integration phase, run by scripts/test inside a private network namespace (tests/dc/netns-run.sh):
# fresh-DC test, then plant the lab indicators, then the integration tests (their CTest fixture starts and
# stops the DC).   Usage: phase.sh BUILD_DIR DC_DIR
set -euo pipefail
build="$1"
export ADP_DC_DIR="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/tests/dc/start.sh" "$ADP_DC_DIR"
rc=0
ctest --test-dir "$build" -L '^integration-fresh$' --output-on-failure || rc=1
"$root/tests/dc/plant-lab.sh" "$ADP_DC_DIR" >/dev/null
"$root/tests/dc/stop.sh" "$ADP_DC_DIR"
ctest --test-dir "$build" -L '^integration$' --output-on-failure || rc=1
exit $rc
