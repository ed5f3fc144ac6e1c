#!/usr/bin/env bash
# Every planted indicator is found live over LDAPS with a verified certificate and a simple bind.
. "$(dirname "$0")/lib.sh"
expected_lab_json
"$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" \
  --password-file "$ADP_DC_ADMIN_PASSWORD_FILE" --now "$NOW" -q --output "json=$WORK/live.json"
code=$?
[ $code -eq 1 ] || fail "exit $code, want 1 (complete, findings above --fail-on)"
same_findings "$WORK/expected.json" "$WORK/live.json"
