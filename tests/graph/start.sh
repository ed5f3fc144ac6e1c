#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start the Graph test server (graph_server.py) in the background for a
# capture directory and wait until it listens. Its state goes to STATE_DIR:
# ca.pem (the CA to trust), port, pid, base_url, access.log, server.log.
# Prints the base URL (https://127.0.0.1:PORT) on stdout.
#
#   tests/graph/start.sh CAPTURE_DIR STATE_DIR [CONFIG_JSON]
#
# The server listens on 127.0.0.1 only, so it needs no private network
# namespace; inside one (tests/dc/netns-run.sh) it works the same, and the
# clients must then run in that namespace too. Idempotent: a server already
# running for STATE_DIR is left alone. Environment:
# ADP_GRAPH_START_TIMEOUT (seconds, default 30), ADP_GRAPH_PORT (default 0:
# any free port), ADP_GRAPH_PYTHON (default /usr/bin/python3).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 2 || $# -eq 3 ]] || {
  echo "usage: $graph_prog CAPTURE_DIR STATE_DIR [CONFIG_JSON]" >&2
  exit 2
}
capture=$1
state=$2
config=${3-}
[[ -d $capture ]] || die "no such capture directory: $capture"
[[ -z $config || -f $config ]] || die "no such config file: $config"
mkdir -p "$state"
state=$(cd "$state" && pwd)

if pid=$(graph_pid "$state"); then
  note "server already running for $state (pid $pid)"
  cat "$state/base_url"
  exit 0
fi

timeout_s=${ADP_GRAPH_START_TIMEOUT:-30}
[[ $timeout_s =~ ^[0-9]+$ ]] || die "ADP_GRAPH_START_TIMEOUT must be whole seconds"
port=${ADP_GRAPH_PORT:-0}
[[ $port =~ ^[0-9]+$ ]] || die "ADP_GRAPH_PORT must be a port number"
python=${ADP_GRAPH_PYTHON:-/usr/bin/python3}
log=$state/server.log

args=(--capture "$capture" --state-dir "$state" --port "$port")
[[ -z $config ]] || args+=(--config "$config")
rm -f "$state/port" "$state/pid" "$state/base_url"
echo "---- $(date -u +%FT%TZ) start.sh: starting graph_server.py" >>"$log"
"$python" "$ADP_GRAPH_SCRIPTS/graph_server.py" "${args[@]}" </dev/null >>"$log" 2>&1 &
pid=$!

# The server writes STATE/port (atomically, last) once it listens.
deadline=$((SECONDS + timeout_s))
until [[ -s $state/port ]]; do
  if ! proc_alive "$pid"; then
    echo "---- last lines of $log:" >&2
    tail -n 25 "$log" >&2
    die "graph_server.py (pid $pid) exited during start-up"
  fi
  if ((SECONDS >= deadline)); then
    kill -TERM "$pid" 2>/dev/null || true
    echo "---- last lines of $log:" >&2
    tail -n 25 "$log" >&2
    die "server did not listen within ${timeout_s}s"
  fi
  sleep 0.1
done
note "Graph test server up (pid $pid): $(<"$state/base_url"), CA $state/ca.pem"
cat "$state/base_url"
