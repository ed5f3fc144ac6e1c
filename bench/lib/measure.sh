#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The measuring half of bench/ldap_scan.sh: start the DC, find out what `adpersist scan --ldap`
# requests, check that every client reads the whole domain, then time interleaved runs.
#
#   bench/lib/measure.sh DCDIR OUTDIR ADPERSIST REPS LDD_REPS
#
# Writes OUTDIR/runs.tsv (one line per timed run), OUTDIR/info.tsv (key<TAB>value) and the
# clients' logs. Must run inside the DC's private network namespace (tests/dc/netns-run.sh).
#
# Environment (quiet gate before every timed run):
#   ADP_BENCH_MAX_LOAD      1-minute load average must be below this (default 1.0)
#   ADP_BENCH_MAX_BUSY      CPU busy % over 2 s with nothing of ours running (default 15)
#   ADP_BENCH_QUIET_TIMEOUT seconds to wait for both, then measure anyway, flagged (default 1800)
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/dc/common.sh
source "$here/../../tests/dc/common.sh"
# shellcheck source=release.sh
source "$here/release.sh"  # parse_time

[[ $# -eq 5 ]] || {
  echo "usage: $dc_prog DCDIR OUTDIR ADPERSIST REPS LDD_REPS" >&2
  exit 2
}
dc_load_env "$1"
dc_require_isolated
mkdir -p "$2"
out=$(cd "$2" && pwd)
adp=$3 reps=$4 ldd_reps=$5
max_load=${ADP_BENCH_MAX_LOAD:-1.0}
max_busy=${ADP_BENCH_MAX_BUSY:-15}
quiet_timeout=${ADP_BENCH_QUIET_TIMEOUT:-1800}
TIME=/usr/bin/time
[[ -x $TIME ]] || die "/usr/bin/time missing (apt-get install time)"

info() { printf '%s\t%s\n' "$1" "$2" >>"$out/info.tsv"; }
: >"$out/info.tsv"
printf 'tool\tround\twall_s\tmaxrss_kb\tuser_s\tsys_s\tserver_cpu_s\tload1\tbusy_pct\tquiet\texit\n' >"$out/runs.tsv"

"$ADP_DC_SCRIPTS/start.sh" "$ADP_DC_DIR"
trap '"$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR" || true' EXIT

# --- what adpersist requests: the "# requesting:" header of `adpersist collect` --------------
ldap_opts=(--ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN"
  --password-file "$ADP_DC_ADMIN_PASSWORD_FILE" --page-size 1000)
"$adp" collect "${ldap_opts[@]}" -o "$out/collect.ldif" -v 2>"$out/collect.log" \
  || { cat "$out/collect.log" >&2; die "adpersist collect failed"; }
# One search per naming context: base, filter, attribute list (in the order collect wrote them).
mapfile -t bases < <(sed -n 's/^# base <\(.*\)> with scope subtree$/\1/p' "$out/collect.ldif")
mapfile -t filters < <(sed -n 's/^# filter: //p' "$out/collect.ldif")
mapfile -t requesting < <(sed -n 's/^# requesting: //p' "$out/collect.ldif")
((${#bases[@]} == 2 && ${#filters[@]} == 2 && ${#requesting[@]} == 2)) \
  || die "unexpected collect header in $out/collect.ldif (want 2 searches)"
adp_entries=$(grep -c '^dn: ' "$out/collect.ldif")
sd_ctrl=()
if grep -qiw 'nTSecurityDescriptor' <<<"${requesting[*]}"; then
  # SD flags 1.2.840.113556.1.4.801, critical, value 30 03 02 01 07 (owner, group, DACL)
  sd_ctrl=(-E '!1.2.840.113556.1.4.801=::MAMCAQc=')
  info sd_flags yes
else
  info sd_flags no
fi
for i in 0 1; do
  info "search$i" "base=${bases[i]} filter=${filters[i]} attrs=${requesting[i]}"
done
info adpersist_collect_entries "$adp_entries"
rm -f "$out/collect.ldif"

# ldapsearch_floor OUTPUT_PREFIX TIMEFILE_PREFIX: both searches, as adpersist does them.
ldapsearch_one() { # I OUTFILE TIMEFILE
  local i=$1 attrs
  read -r -a attrs <<<"${requesting[i]}"
  "$TIME" -v -o "$3" ldapsearch -o ldif-wrap=no -o nettimeout=15 -E pr=1000/noprompt "${sd_ctrl[@]}" \
    -H "$ADP_DC_LDAPS_URI" -x -D "$ADP_DC_ADMIN_DN" -y "$ADP_DC_ADMIN_PASSWORD_FILE" \
    -b "${bases[i]}" "${filters[i]}" "${attrs[@]}" >"$2" 2>>"$out/ldapsearch.err"
}

# --- untimed check runs (also the warm-up: the DC's databases are in the page cache after) ---
ls_entries=0
for i in 0 1; do
  ldapsearch_one "$i" "$out/check-ldapsearch-$i.ldif" /dev/null || die "ldapsearch ${bases[i]} failed"
  n=$(sed -n 's/^# numEntries: //p' "$out/check-ldapsearch-$i.ldif" | tail -n 1)
  grep -q '^result: 0 Success' "$out/check-ldapsearch-$i.ldif" || die "ldapsearch ${bases[i]}: no 'result: 0 Success'"
  ls_entries=$((ls_entries + n))
  # Samba returns `member` whole (no ;range=): count values of the largest group.
  if ((i == 0)); then
    info largest_member_count "$(awk '/^dn: /{if (n > m) m = n; n = 0} /^member: /{n++} END {if (n > m) m = n; print m + 0}' \
      "$out/check-ldapsearch-$i.ldif")"
    info ranged_member_attrs "$(grep -c '^member;range=' "$out/check-ldapsearch-$i.ldif" || true)"
  fi
  rm -f "$out/check-ldapsearch-$i.ldif"
done
info ldapsearch_entries "$ls_entries"
[[ $ls_entries -eq $adp_entries ]] || die "ldapsearch read $ls_entries entries, adpersist $adp_entries"

"$adp" scan "${ldap_opts[@]}" --format json >"$out/check-adpersist.json" 2>"$out/check-adpersist.err" || true
python3 - "$out/check-adpersist.json" >>"$out/info.tsv" <<'PY' || die "adpersist's check scan was not complete"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert s["complete"] and all(x["state"] == "ok" for x in d["datasets"]), d["datasets"]
print(f"adpersist_scan_check\tcomplete, {s['checks_run']} checks, {s['findings']} findings, exit {s['exit_code']}")
PY
rm -f "$out/check-adpersist.json"

info objects "$(for kv in 'users=(&(objectCategory=person)(objectClass=user))' 'groups=(objectClass=group)' \
    'computers=(objectClass=computer)'; do
  n=$(dc_ldap ldapsearch -LLL -E pr=1000/noprompt -b "$ADP_DC_BASE_DN" "${kv#*=}" 1.1 | grep -c '^dn: ')
  printf '%s=%s ' "${kv%%=*}" "$n"
done)"

# --- quiet gate --------------------------------------------------------------------------------
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
gate_load='' gate_busy='' gate_quiet=''
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
      note "still busy after ${quiet_timeout}s (load $gate_load, CPU ${gate_busy}%): measuring anyway, flagged"
      gate_quiet=no
      return
    fi
    if ((!said)); then
      note "waiting for a quiet machine (load $gate_load >= $max_load or CPU ${gate_busy}% >= ${max_busy}%)"
      said=1
    fi
    sleep 5
  done
}

# CPU seconds used so far by the DC (all samba processes in this PID namespace).
samba_cpu_ticks() {
  local t=0 p stat rest f
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == */samba ]] || continue
    { stat=$(<"$p/stat"); } 2>/dev/null || continue
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    t=$((t + f[11] + f[12]))  # utime, stime (fields 14, 15 of stat)
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)

run_one() { # TOOL ROUND
  local tool=$1 round=$2 t0 t1 rc=0 tf=$out/time-$1-$2 vals
  wait_quiet
  t0=$(samba_cpu_ticks)
  case $tool in
    adpersist)
      "$TIME" -v -o "$tf" "$adp" scan "${ldap_opts[@]}" -v >/dev/null 2>"$out/adpersist-$round.err" || rc=$?
      ((rc == 0 || rc == 1)) || { cat "$out/adpersist-$round.err" >&2; die "adpersist scan exited $rc"; }
      ;;
    ldapsearch)
      ldapsearch_one 0 /dev/null "$tf.0" || die "ldapsearch failed"
      ldapsearch_one 1 /dev/null "$tf.1" || die "ldapsearch failed"
      cat "$tf.0" "$tf.1" >"$tf"
      rm -f "$tf.0" "$tf.1"
      ;;
    ldapdomaindump)
      local dump=$out/ldapdomaindump-$round
      rm -rf "$dump"
      mkdir -p "$dump"
      "$TIME" -v -o "$tf" /usr/bin/python3 "$here/ldd_run.py" "$ADP_DC_ADMIN_PASSWORD_FILE" "$ADP_DC_CA_FILE" \
        --authtype SIMPLE -u "$ADP_DC_DOMAIN\\$ADP_DC_ADMIN_USER" -o "$dump" "$ADP_DC_LDAPS_URI" \
        >"$out/ldapdomaindump-$round.log" 2>&1 || die "ldapdomaindump failed (log: $out/ldapdomaindump-$round.log)"
      if ((round == 1)); then
        info ldapdomaindump_objects "$(python3 -c '
import json, sys
d = sys.argv[1]
print(" ".join("%s=%d" % (k, len(json.load(open("%s/domain_%s.json" % (d, k))))) for k in ("users", "groups", "computers")))' "$dump")"
        info ldapdomaindump_output_bytes "$(du -sb "$dump" | cut -f1)"
      fi
      rm -rf "$dump"
      ;;
  esac
  t1=$(samba_cpu_ticks)
  vals=$(parse_time "$tf")
  read -r wall rss user sys ex <<<"$vals"
  rm -f "$tf"
  server=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$round" "$wall" "$rss" "$user" "$sys" \
    "$server" "$gate_load" "$gate_busy" "$gate_quiet" "$ex" >>"$out/runs.tsv"
  note "$tool #$round: ${wall}s wall, $((rss / 1024)) MB peak RSS, client CPU $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')s, DC CPU ${server}s (load $gate_load before)"
}

# --- timed runs: adpersist and ldapsearch interleaved, the order alternating per round --------
for ((r = 1; r <= reps; r++)); do
  if ((r % 2)); then
    run_one adpersist "$r"
    run_one ldapsearch "$r"
  else
    run_one ldapsearch "$r"
    run_one adpersist "$r"
  fi
done
for ((r = 1; r <= ldd_reps; r++)); do
  run_one ldapdomaindump "$r"
done
info finished "$(date -u +%FT%TZ)"
}

main "$@"
exit
