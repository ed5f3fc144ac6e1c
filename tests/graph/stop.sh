#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop the Graph test server started by start.sh for STATE_DIR: SIGTERM to
# the PID in STATE_DIR/pid, bounded wait, SIGKILL after the timeout.
# Succeeds when no server is running for STATE_DIR.
#
#   tests/graph/stop.sh STATE_DIR
#
# Environment: ADP_GRAPH_STOP_TIMEOUT (seconds, default 10).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 1 ]] || {
  echo "usage: $graph_prog STATE_DIR" >&2
  exit 2
}
state=$1
[[ -d $state ]] || die "no such state directory: $state"

if ! pid=$(graph_pid "$state"); then
  rm -f "$state/pid" "$state/port" "$state/base_url"
  note "Graph test server not running"
  exit 0
fi

timeout_s=${ADP_GRAPH_STOP_TIMEOUT:-10}
[[ $timeout_s =~ ^[0-9]+$ ]] || die "ADP_GRAPH_STOP_TIMEOUT must be whole seconds"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + timeout_s))
while proc_alive "$pid"; do
  if ((SECONDS >= deadline)); then
    note "pid $pid still alive after ${timeout_s}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
    break
  fi
  sleep 0.1
done
# The server removes these itself on a clean stop; not after SIGKILL.
rm -f "$state/pid" "$state/port" "$state/base_url"
note "Graph test server stopped (pid $pid)"
