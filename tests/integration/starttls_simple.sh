#!/usr/bin/env bash
# The same over ldap:// upgraded with StartTLS (verified), and a UPN bind.
. "$(dirname "$0")/lib.sh"
expected_lab_json
"$BIN" scan --ldap "$ADP_DC_LDAP_URI" --starttls --ca-file "$ADP_DC_CA_FILE" --bind-upn "$ADP_DC_ADMIN_UPN" \
  --password-file - --now "$NOW" -q --output "json=$WORK/live.json" < "$ADP_DC_ADMIN_PASSWORD_FILE"
code=$?
[ $code -eq 1 ] || fail "exit $code, want 1"
same_findings "$WORK/expected.json" "$WORK/live.json"
