#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Regenerate the offline lab fixture: provision a throw-away DC in a temp dir
# inside a private network namespace, start it, plant the lab indicators,
# export the domain and configuration NCs as LDIF, check the export, stop the
# DC and clean up.
#
#   tests/dc/make-lab.sh [OUTDIR]        (default: fixtures/lab of this repo)
#
# Only OUTDIR/domain.ldif and OUTDIR/configuration.ldif are (over)written.
# Environment: ADP_KEEP_DC=1 keeps the temp DC directory (path is printed),
# TMPDIR as usual.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -le 1 ]] || {
  echo "usage: $dc_prog [OUTDIR]" >&2
  exit 2
}
out=${1:-$ADP_DC_SCRIPTS/../../fixtures/lab}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! dc_isolated; then
  exec "$ADP_DC_SCRIPTS/netns-run.sh" "$0" "$out"
fi
dc_require_isolated

t0=$(now_s)
work=$(mktemp -d "${TMPDIR:-/tmp}/adpersist-lab.XXXXXX")
dc=$work/dc
cleanup() {
  local rc=$?
  if [[ -f $dc/env.sh ]]; then "$ADP_DC_SCRIPTS/stop.sh" "$dc" || true; fi
  if ((rc != 0)) && [[ -f $dc/samba.log ]]; then
    echo "---- last lines of $dc/samba.log:" >&2
    tail -n 20 "$dc/samba.log" >&2
  fi
  if [[ ${ADP_KEEP_DC:-0} == 1 ]]; then
    note "kept $work"
  else
    rm -rf "$work"
  fi
  ((rc == 0)) || note "FAILED (exit $rc)"
}
trap cleanup EXIT

timings=()
step() {
  local name=$1 t
  shift
  t=$(now_s)
  "$@"
  timings+=("$(printf '%-10s %6ss' "$name" "$(elapsed "$t")")")
}

step provision "$ADP_DC_SCRIPTS/provision.sh" "$dc"
step start "$ADP_DC_SCRIPTS/start.sh" "$dc"
step plant "$ADP_DC_SCRIPTS/plant-lab.sh" "$dc"
step export "$ADP_DC_SCRIPTS/export-ldif.sh" "$dc" "$work/out"
step verify "$ADP_DC_SCRIPTS/verify-lab.sh" "$work/out"
step stop "$ADP_DC_SCRIPTS/stop.sh" "$dc"

cp "$work/out/domain.ldif" "$work/out/configuration.ldif" "$out/"
chmod 0644 "$out/domain.ldif" "$out/configuration.ldif"
note "timings:"
printf '  %s\n' "${timings[@]}" >&2
note "lab fixture written to $out in $(elapsed "$t0")s"
