#!/usr/bin/env bash
# A live scan and collect-then-offline-scan give identical findings, ids included.
. "$(dirname "$0")/lib.sh"
auth=(--ca-file "$ADP_DC_CA_FILE" --bind-dn "$ADP_DC_ADMIN_DN" --password-file "$ADP_DC_ADMIN_PASSWORD_FILE")
"$BIN" collect --ldap "$ADP_DC_LDAPS_URI" "${auth[@]}" -o "$WORK/corp.ldif" || fail "collect failed"
"$BIN" scan --ldap "$ADP_DC_LDAPS_URI" "${auth[@]}" --now "$NOW" -q --output "json=$WORK/live.json"
"$BIN" scan --ldif "$WORK/corp.ldif" --now "$NOW" -q --output "json=$WORK/offline.json"
/usr/bin/python3 - "$WORK/live.json" "$WORK/offline.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["findings"], "no findings"
assert a["findings"] == b["findings"], "findings differ between live and collect+scan"
assert [(c["id"], c["status"]) for c in a["checks"]] == [(c["id"], c["status"]) for c in b["checks"]]
print("identical:", len(a["findings"]), "findings")
PY
