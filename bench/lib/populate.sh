#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Fill a freshly provisioned DC with the benchmark objects (bench/lib/gen_ldif.py) over verified
# LDAPS, one ldapadd -c connection as Administrator, then check the counts and stop the DC.
#
#   bench/lib/populate.sh DCDIR USERS GROUPS COMPUTERS
#
# Must run inside the DC's private network namespace (tests/dc/netns-run.sh).
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tests/dc/common.sh
source "$here/../../tests/dc/common.sh"

[[ $# -eq 4 ]] || {
  echo "usage: $dc_prog DCDIR USERS GROUPS COMPUTERS" >&2
  exit 2
}
dc_load_env "$1"
dc_require_isolated
users=$2 groups=$3 computers=$4

"$ADP_DC_SCRIPTS/start.sh" "$ADP_DC_DIR"
trap '"$ADP_DC_SCRIPTS/stop.sh" "$ADP_DC_DIR" || true' EXIT

ldif=$ADP_DC_DIR/bench-objects.ldif
python3 "$here/gen_ldif.py" "$users" "$groups" "$computers" "$ADP_DC_BASE_DN" "$ADP_DC_DNS_DOMAIN" >"$ldif"
total=$(grep -c '^dn: ' "$ldif")
note "adding $total objects with one ldapadd -c connection (minutes: 50-200 objects/s)"
t=$(now_s)
rc=0
dc_ldap ldapadd -c -f "$ldif" >"$ADP_DC_DIR/bench-ldapadd.log" 2>&1 || rc=$?
secs=$(elapsed "$t")
errors=$(grep -c '^ldap_add: ' "$ADP_DC_DIR/bench-ldapadd.log" || true)
note "ldapadd: exit $rc, $errors errors, ${secs}s"
((errors == 0)) || {
  grep -m 5 -A 2 '^ldap_add: ' "$ADP_DC_DIR/bench-ldapadd.log" >&2
  die "ldapadd reported $errors errors (log: $ADP_DC_DIR/bench-ldapadd.log)"
}

# count CLASS FILTER -> number of entries under the Bench OUs
count() {
  dc_ldap ldapsearch -LLL -E pr=1000/noprompt -b "OU=Bench $1,$ADP_DC_BASE_DN" "$2" 1.1 \
    | grep -c '^dn: '
}
got_u=$(count Users '(objectClass=user)')
got_g=$(count Groups '(objectClass=group)')
got_c=$(count Computers '(objectClass=computer)')
note "present: $got_u users, $got_g groups, $got_c computers"
[[ $got_u -eq $users && $got_g -eq $groups && $got_c -eq $computers ]] \
  || die "expected $users users, $groups groups, $computers computers"
rm -f "$ldif"
printf 'populated\t%s\t%s\n' "$total" "$secs" >"$ADP_DC_DIR/bench-populated"
}

main "$@"
exit
