# shellcheck shell=bash
# Shared helpers for tests/graph/start.sh and stop.sh.
# Sourced, never executed. Callers use `set -euo pipefail`.

# shellcheck disable=SC2034 # used by the scripts that source this file
ADP_GRAPH_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's python3 (with python3-cryptography) must win over pyenv shims.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

graph_prog=$(basename "$0")

die() {
  echo "$graph_prog: error: $*" >&2
  exit 1
}

note() {
  echo "$graph_prog: $*" >&2
}

# proc_state PID: the one-letter state from /proc/PID/stat (fails if gone).
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  printf '%s\n' "${stat%% *}"
}

# proc_alive PID: exists and is not a zombie.
proc_alive() {
  local state
  state=$(proc_state "$1") || return 1
  [[ $state != Z ]]
}

# proc_is_graph_server PID: its command line runs graph_server.py (guards
# against a PID recycled after a crash).
proc_is_graph_server() {
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *graph_server.py* ]]
}

# graph_pid STATE_DIR: PID of the server running for STATE_DIR, or fail.
# The server writes STATE_DIR/pid itself once it listens.
graph_pid() {
  local pid
  [[ -f $1/pid ]] || return 1
  pid=$(<"$1/pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_alive "$pid" || return 1
  proc_is_graph_server "$pid" || return 1
  printf '%s\n' "$pid"
}
