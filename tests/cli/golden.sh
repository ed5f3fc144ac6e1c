#!/usr/bin/env bash
# Golden reports for the lab domain and the fixture tenant (Zeek-style baselines): text and JSON must match fixtures/golden/ exactly,
# except the wall-clock run times. UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
set -uo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# name: the scan's arguments (the lab domain; the fixture tenant's Graph capture)
golden() {
  local name=$1
  shift
  local args=(scan "$@" --now 2026-12-01T00:00:00Z --since 30d)
  "$bin" "${args[@]}" --color never --format text > "$dir/$name.txt"
  "$bin" "${args[@]}" --format json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
d["run"]["started_at"] = d["run"]["finished_at"] = "(run time)"
print(json.dumps(d, indent=2, ensure_ascii=False))' > "$dir/$name.json"
}
golden lab --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif
golden tenant --graph-dir fixtures/tenant
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$dir"/lab.txt "$dir"/lab.json "$dir"/tenant.txt "$dir"/tenant.json fixtures/golden/
  echo "golden files updated"
  exit 0
fi
rc=0
for f in lab.txt lab.json tenant.txt tenant.json; do
  diff -u "fixtures/golden/$f" "$dir/$f" || rc=1
done
[ $rc -eq 0 ] && echo "golden ok"
exit $rc
