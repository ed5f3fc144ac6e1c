#!/usr/bin/env bash
# Issue 6 against the real Samba DC: scan -> accept the baseline -> rename a planted account (new DN, cn and
# sAMAccountName; same objectGUID and SID) and plant one more indicator on it (a second KeyCredentialLink, a
# real Windows Hello key) -> rescan: exactly that key is new and the run exits 1 under --fail-on-new; the
# renamed account's earlier findings are unchanged. The DC is put back as it was afterwards (other tests
# compare it with the lab export).
. "$(dirname "$0")/lib.sh"
auth=(--ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$ADP_DC_ADMIN_PASSWORD_FILE")
U="CN=Users,$ADP_DC_BASE_DN"
hex=$(tr -d ' \n\r' <"$ROOT/fixtures/vectors/onprem/keycredentiallink/computerkey.hex" | tr 'a-f' 'A-F')
[ -n "$hex" ] || fail "no computerkey.hex vector"
modify() { ldapmodify -o nettimeout=10 -H "$ADP_DC_LDAPS_URI" -x -D "$ADP_DC_ADMIN_DN" -y "$ADP_DC_ADMIN_PASSWORD_FILE" >/dev/null; }
scan_live() {
  local rc=0
  "$BIN" scan --ldap "$ADP_DC_LDAPS_URI" "${auth[@]}" --now "$NOW" -q "$@" || rc=$?
  echo "$rc"
}

planted=0
restore() {
  if ((planted)); then
    modify <<LDIF || echo "WARNING: could not restore adm-keyed on the test DC" >&2
dn: CN=adm-renamed,$U
changetype: modify
delete: msDS-KeyCredentialLink
msDS-KeyCredentialLink: B:${#hex}:$hex:CN=adm-renamed,$U
-
replace: sAMAccountName
sAMAccountName: adm-keyed
-

dn: CN=adm-renamed,$U
changetype: modrdn
newrdn: CN=adm-keyed
deleteoldrdn: 1
LDIF
  fi
  rm -rf "$WORK"
}
trap restore EXIT

rc=$(scan_live --output "json=$WORK/r1.json")
[ "$rc" = 1 ] || fail "the planted lab trips the default gate (exit $rc)"
"$BIN" baseline accept "$WORK/r1.json" -o "$WORK/baseline.json" 2>/dev/null || fail "baseline accept"

planted=1
modify <<LDIF || fail "rename + plant failed"
dn: CN=adm-keyed,$U
changetype: modrdn
newrdn: CN=adm-renamed
deleteoldrdn: 1

dn: CN=adm-renamed,$U
changetype: modify
replace: sAMAccountName
sAMAccountName: adm-renamed
-
add: msDS-KeyCredentialLink
msDS-KeyCredentialLink: B:${#hex}:$hex:CN=adm-renamed,$U
-
LDIF

rc=$(scan_live --baseline "$WORK/baseline.json" --fail-on-new --output "json=$WORK/r2.json")
[ "$rc" = 1 ] || fail "one new indicator trips --fail-on-new (exit $rc)"
/usr/bin/python3 - "$WORK/r1.json" "$WORK/r2.json" <<'PY' || exit 1
import json, sys
r1, r2 = (json.load(open(p)) for p in sys.argv[1:])
new = [f for f in r2["findings"] if f["baseline_state"] == "new"]
assert len(new) == 1, ("exactly one new finding", [(f["check_id"], f["resource"]["name"]) for f in new])
assert new[0]["check_id"] == "ad.shadow-credentials" and new[0]["resource"]["name"] == "adm-renamed", new[0]
before = {f["finding_id"] for f in r1["findings"] if f["resource"]["name"] == "adm-keyed"}
after = {f["finding_id"]: f["baseline_state"] for f in r2["findings"] if f["resource"]["name"] == "adm-renamed"}
assert before, "adm-keyed had findings before the rename"
assert all(after.get(i) == "unchanged" for i in before), (before, after)
assert r2["resolved"] == [], r2["resolved"]
assert r2["summary"]["unchanged"] == len(r1["findings"])
print("live DC: 1 new finding (second key on the renamed account), %d unchanged" % r2["summary"]["unchanged"])
PY
# Without --fail-on-new the accepted findings still count (the lab has high ones): exit 1 either way, but
# with --fail-on critical only the new one decides.
rc=$(scan_live --baseline "$WORK/baseline.json" --fail-on-new --fail-on critical)
sev=$(/usr/bin/python3 -c 'import json,sys; print([f["severity"] for f in json.load(open(sys.argv[1]))["findings"] if f["baseline_state"]=="new"][0])' "$WORK/r2.json")
if [ "$sev" = critical ]; then [ "$rc" = 1 ] || fail "new critical → 1"; else [ "$rc" = 0 ] || fail "new $sev below critical → 0 (got $rc)"; fi
echo "baseline against the live DC: ok"
