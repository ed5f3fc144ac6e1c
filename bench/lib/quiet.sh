# shellcheck shell=bash
# shellcheck disable=SC2034  # gate_* and the settings are read by the scripts that source this
# Quiet-machine gate for benchmarks that run on a shared machine (source it; do not run it). The same
# gate as bench/lib/measure.sh (which keeps its own copy inside its main function).
#
# Environment:
#   ADP_BENCH_MAX_LOAD      1-minute load average must be below this (default 1.0)
#   ADP_BENCH_MAX_BUSY      CPU busy % over 2 s, whole machine (default 15)
#   ADP_BENCH_QUIET_TIMEOUT seconds to wait for both, then measure anyway, flagged (default 1800;
#                           0: check once and go on)
#
# wait_quiet sets gate_load, gate_busy (the values seen last) and gate_quiet (yes/no).

max_load=${ADP_BENCH_MAX_LOAD:-1.0}
max_busy=${ADP_BENCH_MAX_BUSY:-15}
quiet_timeout=${ADP_BENCH_QUIET_TIMEOUT:-1800}
gate_load='' gate_busy='' gate_quiet=''

cpu_busy_pct() { # over 2 s, whole machine (all cores)
  local a b
  read -r -a a < <(head -n 1 /proc/stat)
  sleep 2
  read -r -a b < <(head -n 1 /proc/stat)
  awk -v u1="${a[1]}" -v n1="${a[2]}" -v s1="${a[3]}" -v i1="${a[4]}" -v w1="${a[5]}" -v q1="${a[6]}" -v r1="${a[7]}" -v t1="${a[8]}" \
      -v u2="${b[1]}" -v n2="${b[2]}" -v s2="${b[3]}" -v i2="${b[4]}" -v w2="${b[5]}" -v q2="${b[6]}" -v r2="${b[7]}" -v t2="${b[8]}" \
    'BEGIN { busy = (u2-u1)+(n2-n1)+(s2-s1)+(q2-q1)+(r2-r1)+(t2-t1); idle = (i2-i1)+(w2-w1);
             printf "%.0f", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}

load1() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
  local deadline=$((SECONDS + quiet_timeout)) said=0
  while :; do
    gate_busy=$(cpu_busy_pct)
    gate_load=$(load1)
    if awk -v l="$gate_load" -v m="$max_load" -v b="$gate_busy" -v mb="$max_busy" 'BEGIN { exit !(l < m && b < mb) }'; then
      gate_quiet=yes
      return
    fi
    if ((SECONDS >= deadline)); then
      printf '  still busy after %ss (load %s, CPU %s%%): measuring anyway, flagged\n' "$quiet_timeout" "$gate_load" "$gate_busy" >&2
      gate_quiet=no
      return
    fi
    if ((!said)); then
      printf '  waiting for a quiet machine (load %s >= %s or CPU %s%% >= %s%%)\n' "$gate_load" "$max_load" "$gate_busy" "$max_busy" >&2
      said=1
    fi
    sleep 5
  done
}
