# shellcheck shell=bash
# Shared by the integration tests. Each test is `bash tests/integration/<name>.sh ADPERSIST_BINARY` run by
# CTest inside the private network namespace that scripts/test creates, with ADP_DC_DIR pointing at a
# provisioned, planted and running Samba DC (tests/dc). Exit 77 (skipped) without one.
set -uo pipefail
BIN="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${ADP_DC_DIR:-}" ] || [ ! -f "$ADP_DC_DIR/env.sh" ]; then
  echo "SKIP: no test DC (run through scripts/test, which provisions and starts one)"
  exit 77
fi
# shellcheck source=/dev/null
source "$ADP_DC_DIR/env.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
NOW=2026-12-01T00:00:00Z

fail() { echo "FAIL: $*"; exit 1; }

# The lab's expected findings, from the genuine offline export (fixtures/lab) of the same planting.
expected_lab_json() {
  "$BIN" scan --ldif "$ROOT/fixtures/lab/domain.ldif" --ldif "$ROOT/fixtures/lab/configuration.ldif" \
    --now "$NOW" --format json -q --output "json=$WORK/expected.json"
  [ -s "$WORK/expected.json" ] || fail "offline lab scan wrote nothing"
}

# same_findings A.json B.json: the same (check, object name, severity) multiset, and every check evaluated.
# Names, not ids: the live DC is a new instance of the lab (new SIDs and GUIDs).
same_findings() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import collections, json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def key(d): return collections.Counter((f["check_id"], f["resource"]["name"], f["severity"]) for f in d["findings"])
for d, p in ((a, sys.argv[1]), (b, sys.argv[2])):
    bad = [c["id"] + ": " + (c["reason"] or "") for c in d["checks"] if c["status"] in ("not_evaluated", "error")]
    if bad: sys.exit(f"{p}: checks not evaluated: {bad}")
ka, kb = key(a), key(b)
if ka != kb:
    print("only in", sys.argv[1], sorted((ka - kb).elements()))
    print("only in", sys.argv[2], sorted((kb - ka).elements()))
    sys.exit(1)
print(f"same {sum(ka.values())} findings")
PY
}
