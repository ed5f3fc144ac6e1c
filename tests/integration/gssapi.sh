#!/usr/bin/env bash
# Kerberos: a ticket from kinit in a private ccache, then a GSSAPI bind over plain LDAP with SASL integrity
# and confidentiality.
. "$(dirname "$0")/lib.sh"
export KRB5CCNAME="FILE:$WORK/ccache"
kinit "$ADP_DC_ADMIN_UPN" < "$ADP_DC_ADMIN_PASSWORD_FILE" >/dev/null || fail "kinit failed"
expected_lab_json
"$BIN" scan --ldap "$ADP_DC_LDAP_URI" --sasl gssapi --now "$NOW" -q --output "json=$WORK/sasl.json"
code=$?
[ $code -eq 1 ] || fail "GSSAPI over ldap:// exit $code, want 1"
same_findings "$WORK/expected.json" "$WORK/sasl.json"
# Samba 4.17 with its default 'ldap server require strong auth = yes' refuses GSSAPI inside TLS both with
# and without a SASL layer (Windows DCs accept it without one): adpersist must say so in one line, exit 3.
"$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --now "$NOW" -q >"$WORK/out" 2>"$WORK/err"
code=$?
[ $code -eq 3 ] || fail "GSSAPI over ldaps:// on Samba: exit $code, want 3"
[ "$(wc -l < "$WORK/err")" -eq 1 ] && grep -q "use ldap:// with --sasl gssapi" "$WORK/err" || fail "$(cat "$WORK/err")"
echo "ok: $(cat "$WORK/err")"
kdestroy >/dev/null 2>&1 || true
