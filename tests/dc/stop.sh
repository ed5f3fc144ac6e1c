#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop the DC started by start.sh DIR: SIGTERM to the PID in DIR/samba.pid and
# to its child processes, wait (bounded) until all are gone, SIGKILL after
# the timeout. Succeeds when no DC is running.
#
#   tests/dc/stop.sh DIR
#
# Environment: ADP_DC_STOP_TIMEOUT (seconds, default 30).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 1 ]] || {
  echo "usage: $dc_prog DIR" >&2
  exit 2
}
dc_load_env "$1"

if ! pid=$(dc_pid); then
  rm -f "$ADP_DC_DIR/samba.pid"
  note "DC not running"
  exit 0
fi

timeout_s=${ADP_DC_STOP_TIMEOUT:-30}
t0=$(now_s)

# The DC's processes: the master and its descendants (prefork workers).
declare -A children=()
for stat_file in /proc/[0-9]*/stat; do
  { stat=$(<"$stat_file"); } 2>/dev/null || continue
  rest=${stat##*) }
  read -r _ ppid _ <<<"$rest"
  p=${stat_file#/proc/}
  children[$ppid]+=" ${p%/stat}"
done
pids=()
queue=("$pid")
while ((${#queue[@]})); do
  p=${queue[0]}
  queue=("${queue[@]:1}")
  pids+=("$p")
  if [[ -n ${children[$p]-} ]]; then
    # shellcheck disable=SC2206
    queue+=(${children[$p]})
  fi
done

kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + timeout_s))
while :; do
  alive=()
  for p in "${pids[@]}"; do
    if proc_alive "$p"; then alive+=("$p"); fi
  done
  ((${#alive[@]} == 0)) && break
  if ((SECONDS >= deadline)); then
    note "DC processes ${alive[*]} still alive after ${timeout_s}s: SIGKILL"
    kill -KILL "${alive[@]}" 2>/dev/null || true
    sleep 0.5
    break
  fi
  # Children normally follow the master; nudge them once it is gone.
  if ! proc_alive "$pid"; then kill -TERM "${alive[@]}" 2>/dev/null || true; fi
  sleep 0.1
done
rm -f "$ADP_DC_DIR/samba.pid"
echo "---- $(date -u +%FT%TZ) stop.sh: stopped" >>"$ADP_DC_DIR/samba.log"
note "DC stopped (pid $pid) in $(elapsed "$t0")s"
