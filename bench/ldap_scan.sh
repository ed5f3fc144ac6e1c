#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Live LDAP scan benchmark: `adpersist scan --ldap` against its floor (ldapsearch fetching the
# same attributes with the same controls over the same LDAPS simple bind, from the same DC) and
# against ldapdomaindump, on a throw-away Samba AD DC filled with benchmark objects. Results:
# docs/benchmarks.md, section "Live LDAP scan".
#
#   bench/ldap_scan.sh [--size 20k|54k] [--reps N] [--ldd-reps N] [--rebuild-dc] [--prepare-only]
#
#   --size      20k: 20,000 users, 2,000 groups, 2,000 computers (default; 24.5k entries read)
#               54k: 45,000 users, 4,000 groups, 4,000 computers (53.5k entries read)
#   --reps      timed runs of adpersist and of ldapsearch, interleaved (default 5)
#   --ldd-reps  timed runs of ldapdomaindump (default 2)
#   --rebuild-dc  provision and fill a new DC even when the cached tarball exists
#   --prepare-only  only make (or check) the DC tarball: no build, no measurement
#
# As root on Debian 12. Installs missing packages (Samba etc. via tests/dc/install-deps.sh, plus
# `time` and python3-ldapdomaindump), builds adpersist Release in build-bench/, then:
#   - DC: build-bench/dc-SIZE, restored from build-bench/dc-SIZE.tar when that exists (made here the
#     first time: provision, one ldapadd -c connection, stop, tar; a provisioned directory holds
#     absolute paths, so the tarball is only reused at the same path);
#   - everything that talks to the DC runs in a private network namespace (tests/dc/netns-run.sh):
#     only loopback exists there;
#   - before every timed run it waits for a quiet machine (see bench/lib/measure.sh:
#     ADP_BENCH_MAX_LOAD, ADP_BENCH_MAX_BUSY, ADP_BENCH_QUIET_TIMEOUT).
# Output: build-bench/ldap-scan-SIZE-TIMESTAMP/{runs.tsv,info.tsv,machine.tsv,summary.md}; the
# summary is printed at the end.
set -euo pipefail
# The whole script is one function, read before it runs: editing the file meanwhile is safe.
main() {
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../scripts/lib/common.sh
source "$bench_dir/../scripts/lib/common.sh"
# shellcheck source=lib/release.sh
source "$bench_dir/lib/release.sh"

size=20k reps=5 ldd_reps=2 rebuild=0 prepare_only=0
while (($#)); do
  case $1 in
    --size) size=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --ldd-reps) ldd_reps=${2:?}; shift 2 ;;
    --rebuild-dc) rebuild=1; shift ;;
    --prepare-only) prepare_only=1; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
case $size in
  20k) users=20000 groups=2000 computers=2000 ;;
  54k) users=45000 groups=4000 computers=4000 ;;
  *) die "--size is 20k or 54k" ;;
esac
[[ $reps =~ ^[1-9][0-9]*$ && $ldd_reps =~ ^[0-9]+$ ]] || die "--reps N (>= 1), --ldd-reps N (>= 0)"
[[ $(id -u) -eq 0 ]] || die "run as root (network namespaces, Samba)"

build=$ADP_ROOT/build-bench
dcdir=$build/dc-$size
tarball=$build/dc-$size.tar
netns=$ADP_ROOT/tests/dc/netns-run.sh

# --- packages ---------------------------------------------------------------------------------------
"$ADP_ROOT/tests/dc/install-deps.sh" >/dev/null
ensure_packages "${ADP_BUILD_PACKAGES[@]}" time python3-ldapdomaindump
mkdir -p "$build"

# --- the DC: restore the cached tarball or make it -----------------------------------------------
restore_ok=0
if ((!rebuild)) && [[ -f $tarball ]]; then
  log "restoring $tarball"
  rm -rf "$dcdir"
  tar -xf "$tarball" -C "$build"
  # The directory must be the one the tarball was made at (env.sh holds absolute paths).
  if [[ -f $dcdir/bench-populated ]] && grep -qxF "export ADP_DC_DIR='$dcdir'" "$dcdir/env.sh"; then
    restore_ok=1
  else
    log "$tarball was made for another path or is incomplete: rebuilding"
  fi
fi
if ((!restore_ok)); then
  log "provisioning and filling a DC in $dcdir ($users users, $groups groups, $computers computers)"
  rm -rf "$dcdir" "$tarball"
  "$ADP_ROOT/tests/dc/provision.sh" "$dcdir" >/dev/null
  # Filling only: no fsync per ldb transaction (7x faster adds). Removed again before the tarball
  # is made, so the measured DC runs with the provisioned smb.conf.
  sed -i 's/^\[global\]$/[global]\n\tldb:nosync = true/' "$dcdir/etc/smb.conf"
  "$netns" bash "$bench_dir/lib/populate.sh" "$dcdir" "$users" "$groups" "$computers"
  sed -i '/^\tldb:nosync = true$/d' "$dcdir/etc/smb.conf"
  sync
  log "caching the filled DC as $tarball"
  # (Samba's sockets are not archived; it makes them again at start.)
  tar --warning=no-file-ignored -cf "$tarball.tmp" -C "$build" "dc-$size"
  mv "$tarball.tmp" "$tarball"
fi

if ((prepare_only)); then
  log "ready: $tarball"
  return 0
fi

# --- the Release build; the binary measured is a copy in the results directory ------------------------------
release_build ldap-scan
results=$build/ldap-scan-$size-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
adp=$results/adpersist
cp "$build/adpersist" "$adp"
{
  machine_tsv "$adp"
  printf 'samba\t%s\n' "$(samba -V | sed 's/^Version //')"
  printf 'openldap\t%s\n' "$(dpkg-query -W -f='${Version}' ldap-utils)"
  printf 'ldapdomaindump\t%s\n' "$(dpkg-query -W -f='${Version}' python3-ldapdomaindump)"
  printf 'ldap3\t%s\n' "$(dpkg-query -W -f='${Version}' python3-ldap3)"
  printf 'size\t%s\n' "$size"
} >"$results/machine.tsv"
log "measuring ($reps x adpersist/ldapsearch interleaved, $ldd_reps x ldapdomaindump) into $results"
"$netns" bash "$bench_dir/lib/measure.sh" "$dcdir" "$results" "$adp" "$reps" "$ldd_reps"
/usr/bin/python3 "$bench_dir/lib/summarize.py" "$results" >"$results/summary.md"
echo
cat "$results/summary.md"
}

main "$@"
exit
