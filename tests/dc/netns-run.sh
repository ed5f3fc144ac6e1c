#!/usr/bin/env bash
# Run CMD... inside a fresh private network namespace whose only interface is
# loopback (brought up here), so a DC started by tests/dc/start.sh and every
# client talking to it can reach 127.0.0.1 and nothing else.
#
# The command also gets its own PID namespace (with /proc remounted): when it
# exits, the kernel kills whatever it left running there (e.g. a DC that was
# never stopped), so nothing leaks into the host.
#
#   tests/dc/netns-run.sh CMD [ARG...]
#
# Exit status: that of CMD. Needs root (or unprivileged user namespaces, in
# which case --map-root-user is added).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $(basename "$0") CMD [ARG...]" >&2
  exit 2
fi

export PATH="/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

unshare_opts=(--net --pid --fork --mount-proc --kill-child)
if [[ $EUID -ne 0 ]]; then
  unshare_opts+=(--map-root-user)
fi

# The inner shell is PID 1 of the new PID namespace; it must not exec CMD,
# so that it stays to reap orphans (a DC whose starter exited) and to pass on
# CMD's exit status.
# shellcheck disable=SC2016
exec unshare "${unshare_opts[@]}" -- bash -c '
  set -euo pipefail
  ip link set lo up
  "$@" <&0 &
  child=$!
  trap "kill -TERM $child 2>/dev/null || true" TERM INT HUP
  rc=0
  wait "$child" || rc=$?
  # wait returns early (>128) when a trapped signal arrives; wait again.
  while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
  exit "$rc"
' netns-run "$@"
