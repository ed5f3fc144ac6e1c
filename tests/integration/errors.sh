#!/usr/bin/env bash
# Failures are one clear line each with the right exit code: wrong password, untrusted certificate,
# unreachable DC (3: nothing could be collected), cleartext simple bind (2: refused before connecting).
. "$(dirname "$0")/lib.sh"
expect() {  # expect CODE PATTERN CMD...
  local want="$1" pattern="$2"; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  local code=$?
  [ $code -eq "$want" ] || fail "exit $code, want $want: $* :: $(cat "$WORK/err")"
  [ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$WORK/err")"
  grep -q -- "$pattern" "$WORK/err" || fail "stderr lacks '$pattern': $(cat "$WORK/err")"
  [ ! -s "$WORK/out" ] || fail "a failed scan printed a report"
  echo "ok: $(cat "$WORK/err")"
}
echo wrong-password > "$WORK/bad.pw"
expect 3 "refused the credentials" "$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" \
  --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$WORK/bad.pw"
# A CA bundle that does not contain the DC's CA: verification must fail, loudly.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/k.pem" -out "$WORK/other-ca.pem" -days 1 \
  -subj "/CN=Some Other CA" >/dev/null 2>&1 || fail "openssl"
expect 3 "certificate could not be verified" "$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$WORK/other-ca.pem" \
  --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$ADP_DC_ADMIN_PASSWORD_FILE"
expect 3 "cannot reach the server" "$BIN" scan --ldap ldap://127.0.0.1:1 --starttls --ca-file "$ADP_DC_CA_FILE" \
  --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$ADP_DC_ADMIN_PASSWORD_FILE" --timeout 5
expect 2 "clear text" "$BIN" scan --ldap "$ADP_DC_LDAP_URI" --bind-dn "$ADP_DC_ADMIN_DN" \
  --password-file "$ADP_DC_ADMIN_PASSWORD_FILE"
# The password never shows up in what adpersist prints, even on failure.
pw=$(cat "$ADP_DC_ADMIN_PASSWORD_FILE")
"$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" \
  --password-file "$ADP_DC_ADMIN_PASSWORD_FILE" --now "$NOW" -v --format json >"$WORK/all" 2>&1
grep -qF -- "$pw" "$WORK/all" && fail "the password appears in the output"
echo "ok: password absent from output"
