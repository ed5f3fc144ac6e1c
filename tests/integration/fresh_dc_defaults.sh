#!/usr/bin/env bash
# A freshly provisioned Samba DC yields no high or critical finding beyond the documented defaults of a new
# domain (docs/samba-defaults.md), and every check is evaluated.
. "$(dirname "$0")/lib.sh"
"$BIN" scan --ldap "$ADP_DC_LDAPS_URI" --ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" \
  --password-file "$ADP_DC_ADMIN_PASSWORD_FILE" --fail-on none -q --output "json=$WORK/fresh.json"
code=$?
[ $code -eq 0 ] || fail "exit $code, want 0 (complete)"
/usr/bin/python3 - "$WORK/fresh.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# Documented defaults of a new domain (docs/samba-defaults.md): (check, object) pairs allowed at high+.
allowed = set()
bad = [(f["check_id"], f["resource"]["name"], f["severity"]) for f in d["findings"]
       if f["severity"] in ("high", "critical") and (f["check_id"], f["resource"]["name"]) not in allowed]
for f in d["findings"]:
    print(f["severity"], f["check_id"], f["resource"]["name"])
if bad:
    sys.exit(f"unexpected high/critical findings on a fresh DC: {bad}")
print("fresh DC: no unexpected high/critical findings;", len(d["findings"]), "findings in all")
PY
