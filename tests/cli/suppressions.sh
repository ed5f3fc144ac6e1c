#!/usr/bin/env bash
# suppressions.sh BIN (run from the repo root): `adpersist suppressions validate` on the fixtures, with the exit
# codes CI gates on (0 all active, 1 some entry expired or invalid, 2 file unusable) and the key output lines.
set -u
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$dir/out"; echo "--- stderr"; cat "$dir/err"; exit 1; }
now=(--now 2026-12-01T00:00:00Z)
fx=fixtures/suppressions

run() { "$bin" suppressions validate "$@" >"$dir/out" 2>"$dir/err"; echo $?; }
has() { grep -qF -- "$1" "$dir/out" || fail "stdout lacks: $1"; }

# Valid and active, YAML and JSON alike.
for f in good.yaml good.json; do
  [ "$(run "$fx/$f" "${now[@]}")" = 0 ] || fail "$f: exit code"
  has "$fx/$f: 7 entries: 7 active, 0 expired, 0 invalid (as of 2026-12-01T00:00:00Z)"
  has "ad.dsheuristics"
  has "finding 170a1aa452f3ad6a6a9ab487ade10080"
  [ ! -s "$dir/err" ] || fail "$f: stderr not empty"
done

# One expired entry: exit 1, and the entry says why.
[ "$(run "$fx/lab.yaml" "${now[@]}")" = 1 ] || fail "lab.yaml: exit code"
has "2 entries: 1 active, 1 expired, 0 invalid"
grep -qE '^2 +14 +expired +2026-11-30 +-1 +ad\.unconstrained-delegation' "$dir/out" || fail "lab.yaml: expired row"
grep -qE '^1 +8 +active +2027-03-31 +120 +ad\.spn-on-privileged-user' "$dir/out" || fail "lab.yaml: active row"
has "entry 2 (line 14): expired on 2026-11-30: suppresses nothing any more"
# The day before entry 2's last day both are active (and entry 2 is about to expire).
[ "$(run "$fx/lab.yaml" --now 2026-11-29T10:00:00Z)" = 0 ] || fail "lab.yaml on 2026-11-29: exit code"
has "entry 2 (line 14): warning: expires in 1 day (2026-11-30"
# On its last day it is still active.
[ "$(run "$fx/lab.yaml" --now 2026-11-30T23:59:59Z)" = 0 ] || fail "lab.yaml on its last day: exit code"
has "expires today"

# Malformed entries: exit 1, one line per problem.
[ "$(run "$fx/malformed.yaml" "${now[@]}")" = 1 ] || fail "malformed.yaml: exit code"
has "9 entries: 1 active, 0 expired, 8 invalid"
has "entry 3 (line 15): invalid, suppresses nothing: expires '2027-02-30' is not a date"
has "entry 4 (line 21): invalid, suppresses nothing: unknown key 'expire' (did you mean 'expires'?)"
has "entry 5 (line 27): invalid, suppresses nothing: check 'ad.*' has a wildcard"

# JSON output: one object per entry with its state.
[ "$(run "$fx/malformed.yaml" "${now[@]}" --format json)" = 1 ] || fail "json: exit code"
/usr/bin/python3 - "$dir/out" <<'EOF' || fail "json output"
import json, sys
entries = json.load(open(sys.argv[1]))
assert [e["state"] for e in entries] == ["active"] + ["invalid"] * 8, entries
assert entries[0]["days_left"] == 61 and entries[0]["line"] == 4 and entries[0]["problem"] is None
assert "missing 'owner'" in entries[1]["problem"]
assert entries[3]["expires"] is None and entries[3]["days_left"] is None
assert entries[0]["rule"] == "fixtures/suppressions/malformed.yaml entry 1 (line 4)"
EOF

# The file cannot be used: exit 2, position on stderr, nothing on stdout.
[ "$(run "$fx/broken.yaml" "${now[@]}")" = 2 ] || fail "broken.yaml: exit code"
grep -qF "adpersist: $fx/broken.yaml:6:4: YAML syntax error" "$dir/err" || fail "broken.yaml: stderr"
[ ! -s "$dir/out" ] || fail "broken.yaml: stdout not empty"
[ "$(run /nonexistent/suppressions.yaml)" = 2 ] || fail "missing file: exit code"
printf '{"version": 2, "suppressions": []}' > "$dir/v2.json"
[ "$(run "$dir/v2.json")" = 2 ] || fail "version 2: exit code"
grep -qF "version 2 is not supported" "$dir/err" || fail "version 2: stderr"
[ "$(run "$fx/good.yaml" --now yesterday)" = 2 ] || fail "bad --now: exit code"

# Text from the file cannot drive the terminal.
{
  printf 'version: 1\nsuppressions:\n'
  printf '  - {check: ad.rbcd, object: S-1-5-21-1-2-3-4, reason: r, owner: "evil\\e[2J", expires: 2027-01-31}\n'
} > "$dir/esc.yaml"
[ "$(run "$dir/esc.yaml" "${now[@]}")" = 0 ] || fail "escape: exit code"
grep -qF 'evil\x1b[2J' "$dir/out" || fail "escape not shown as text"
if grep -q $'\x1b' "$dir/out"; then fail "raw escape on stdout"; fi
echo ok
