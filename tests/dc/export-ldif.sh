#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Export the running DC's domain and configuration naming contexts as LDIF
# with ldapsearch over verified LDAPS (simple bind as Administrator, password
# from the file via -y), the way the project's offline fixtures are made.
#
#   tests/dc/export-ldif.sh DIR OUTDIR
#
# Writes OUTDIR/domain.ldif and OUTDIR/configuration.ldif. Plain ldapsearch output (no -L) keeps
# the "# requesting:" header, each page's "search:"/"result:" lines (the LDAP result code: -L sends it
# to stderr only) and the "# numEntries" trailers, so a failed or truncated export is detectable. The
# configuration NC leaves out displaySpecifier objects when the whole NC is
# over ADP_EXPORT_CONFIG_MAX_BYTES (default 3 MB); the filter used is in the
# LDIF header. Must run inside the DC's private network namespace.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $# -eq 2 ]] || {
  echo "usage: $dc_prog DIR OUTDIR" >&2
  exit 2
}
dc_load_env "$1"
dc_require_isolated
mkdir -p "$2"
out=$(cd "$2" && pwd)
dc_running || die "the DC in $ADP_DC_DIR is not running (start.sh $ADP_DC_DIR)"
max_bytes=${ADP_EXPORT_CONFIG_MAX_BYTES:-3145728}

attrs=('*' nTSecurityDescriptor replPropertyMetaData msDS-KeyCredentialLink
  msDS-AllowedToActOnBehalfOfOtherIdentity msDS-GroupMSAMembership sIDHistory userPassword
  unixUserPassword msSFU30Password)

# export BASE FILTER FILE
export_nc() {
  local base=$1 filter=$2 file=$3 tmp=$3.tmp err=$3.err
  # SD flags control 1.2.840.113556.1.4.801 (critical), value 30 03 02 01 07:
  # owner, group and DACL of nTSecurityDescriptor (no SACL).
  if ! ldapsearch -o ldif-wrap=no -o nettimeout=10 -E pr=1000/noprompt \
      -E '!1.2.840.113556.1.4.801=::MAMCAQc=' \
      -H "$ADP_DC_LDAPS_URI" -x -D "$ADP_DC_ADMIN_DN" -y "$ADP_DC_ADMIN_PASSWORD_FILE" \
      -b "$base" "$filter" "${attrs[@]}" >"$tmp" 2>"$err"; then
    cat "$err" >&2
    rm -f "$tmp" "$err"
    die "ldapsearch of $base failed"
  fi
  if [[ -s $err ]]; then
    note "ldapsearch of $base said:"
    cat "$err" >&2
  fi
  rm -f "$err"
  grep -q '^# numEntries: [0-9]' "$tmp" || die "no '# numEntries' trailer for $base"
  mv "$tmp" "$file"
  note "$(basename "$file"): $(grep -c '^dn: ' "$file") entries, $(wc -c <"$file") bytes"
}

t0=$(now_s)
export_nc "$ADP_DC_BASE_DN" '(objectClass=*)' "$out/domain.ldif"
export_nc "$ADP_DC_CONFIG_DN" '(objectClass=*)' "$out/configuration.ldif"
size=$(wc -c <"$out/configuration.ldif")
if ((size > max_bytes)); then
  note "configuration NC is $size bytes (> $max_bytes): leaving out displaySpecifier objects"
  export_nc "$ADP_DC_CONFIG_DN" '(!(objectClass=displaySpecifier))' "$out/configuration.ldif"
fi
note "exported in $(elapsed "$t0")s to $out"
