#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start the DC provisioned in DIR in the background and wait until LDAPS
# answers (verified TLS, by name). PID in DIR/samba.pid, log in DIR/samba.log.
#
#   tests/dc/start.sh DIR
#
# Must run inside a private network namespace (see netns-run.sh); the clients
# that use the DC must run in the same one. Idempotent: a running DC is left
# alone. Environment: ADP_DC_START_TIMEOUT (seconds, default 60),
# ADP_DC_PROCESS_MODEL (samba --model, default prefork).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 1 ]] || {
  echo "usage: $dc_prog DIR" >&2
  exit 2
}
dc_load_env "$1"
dc_require_isolated

if pid=$(dc_pid); then
  if dc_ldaps_answers; then
    note "DC already running (pid $pid)"
    exit 0
  fi
  die "DC process $pid exists but LDAPS does not answer; stop it first (stop.sh $ADP_DC_DIR)"
fi

timeout_s=${ADP_DC_START_TIMEOUT:-60}
[[ $timeout_s =~ ^[0-9]+$ ]] || die "ADP_DC_START_TIMEOUT must be whole seconds"
log=$ADP_DC_DIR/samba.log
t0=$(now_s)

# Server-side environment: name resolution for the DC's own FQDN.
export NSS_WRAPPER_HOSTNAME=$ADP_DC_FQDN
rm -f "$ADP_DC_DIR/samba.pid" "$ADP_DC_DIR/run/samba.pid"
{
  echo "---- $(date -u +%FT%TZ) start.sh: starting samba"
} >>"$log"
# --foreground (not -i): stays up without a stdin; --no-process-group: stays
# in the caller's process group; logs go to stdout, i.e. samba.log.
samba --foreground --no-process-group --debug-stdout \
  --model="${ADP_DC_PROCESS_MODEL:-prefork}" \
  --configfile="$ADP_DC_SMB_CONF" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" >"$ADP_DC_DIR/samba.pid"

deadline=$((SECONDS + timeout_s))
until dc_ldaps_answers; do
  if ! proc_alive "$pid"; then
    rm -f "$ADP_DC_DIR/samba.pid"
    echo "---- last lines of $log:" >&2
    tail -n 25 "$log" >&2
    die "samba (pid $pid) exited during start-up"
  fi
  if ((SECONDS >= deadline)); then
    echo "---- last lines of $log:" >&2
    tail -n 25 "$log" >&2
    "$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR" || true
    die "LDAPS ($ADP_DC_LDAPS_URI) did not answer within ${timeout_s}s"
  fi
  sleep 0.2
done
note "DC up (pid $pid) in $(elapsed "$t0")s: $ADP_DC_LDAPS_URI"
