# shellcheck shell=bash
# Shared helpers for the throw-away Samba AD DC scripts in tests/dc/.
# Sourced, never executed. Callers use `set -euo pipefail`.

ADP_DC_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's python3 (for samba-tool, samba_spnupdate) must win over pyenv shims.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

dc_prog=$(basename "$0")

die() {
  echo "$dc_prog: error: $*" >&2
  exit 1
}

note() {
  echo "$dc_prog: $*" >&2
}

# Seconds since the epoch with sub-second precision (for step timings).
now_s() {
  date +%s.%N
}

# elapsed START -> "12.3"
elapsed() {
  awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'
}

# True when the current network namespace has no address outside loopback
# and no default route: nothing started here can reach a non-loopback host.
dc_isolated() {
  local addrs routes
  addrs=$(ip -o addr show 2>/dev/null | awk '$2 != "lo"') || return 1
  routes=$(ip route show default 2>/dev/null; ip -6 route show default 2>/dev/null) || return 1
  [[ -z $addrs && -z $routes ]]
}

dc_require_isolated() {
  dc_isolated || die "not inside a private network namespace (found a non-loopback address or a default route); run via $ADP_DC_SCRIPTS/netns-run.sh"
  # Loopback must be up for the DC to listen on 127.0.0.1.
  local lo
  lo=$(ip -o addr show dev lo 2>/dev/null) || true
  [[ $lo == *"inet 127.0.0.1/"* ]] \
    || die "loopback has no 127.0.0.1 in this namespace (ip link set lo up)"
}

# dc_load_env DIR: absolute DIR in $DC_DIR, then source DIR/env.sh.
dc_load_env() {
  [[ $# -ge 1 && -n $1 ]] || die "missing DC directory argument"
  [[ -d $1 ]] || die "no such DC directory: $1"
  DC_DIR=$(cd "$1" && pwd)
  [[ -f $DC_DIR/env.sh ]] || die "$DC_DIR/env.sh missing: was $DC_DIR made by provision.sh?"
  # shellcheck source=/dev/null
  source "$DC_DIR/env.sh"
}

# PID of the running DC (master process) or nothing.
dc_pid() {
  local pid state
  [[ -f $ADP_DC_DIR/samba.pid ]] || return 1
  pid=$(<"$ADP_DC_DIR/samba.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(proc_state "$pid") || return 1
  [[ $state != Z ]] || return 1
  # Guard against a recycled PID after a crash.
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == samba* ]] || return 1
  printf '%s\n' "$pid"
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

dc_running() {
  dc_pid >/dev/null
}

# One anonymous, verified-TLS rootDSE read; success means LDAPS answers.
dc_ldaps_answers() {
  ldapsearch -x -LLL -o nettimeout=3 -H "$ADP_DC_LDAPS_URI" -b '' -s base \
    namingContexts >/dev/null 2>&1
}

# Run an LDAP client tool against the DC as Administrator over verified LDAPS.
dc_ldap() {
  local tool=$1
  shift
  "$tool" -o nettimeout=10 -H "$ADP_DC_LDAPS_URI" -x -D "$ADP_DC_ADMIN_DN" \
    -y "$ADP_DC_ADMIN_PASSWORD_FILE" "$@"
}

# Local ldb tools on the (stopped) DC's sam.ldb with the DC's smb.conf.
dc_ldb() {
  local tool=$1
  shift
  "$tool" -H "$ADP_DC_DIR/private/sam.ldb" --configfile="$ADP_DC_SMB_CONF" "$@"
}
