#!/usr/bin/env bash
# Baselines end to end with the real binary on the lab LDIF (an export of the Samba lab DC):
# scan -> accept -> rename an account and plant a second key on it -> rescan: exactly that key is new (exit 1
# under --fail-on-new), the renamed account's other findings stay unchanged, a removed key is resolved; `diff`
# agrees; corrupt or missing state is exit 2 with nothing written; parallel updates leave a valid file; auto
# keeps per-target state under $STATE_DIRECTORY.   Usage: baseline.sh ADPERSIST (run from the repo root)
set -euo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
NOW=(--now 2026-12-01T00:00:00Z)
fail() { echo "FAIL: $*" >&2; exit 1; }
# scan LDIF_DIR [args...]: the lab scan of the LDIF pair in LDIF_DIR; prints the exit code.
scan() {
  local d="$1"; shift
  local rc=0
  "$bin" scan --ldif "$d/domain.ldif" --ldif "$d/configuration.ldif" "${NOW[@]}" -q "$@" 2>>"$dir/stderr" || rc=$?
  echo "$rc"
}
py() { /usr/bin/python3 - "$@"; }

mkdir "$dir/v1" "$dir/v2"
cp fixtures/lab/domain.ldif fixtures/lab/configuration.ldif "$dir/v1/"
cp fixtures/lab/configuration.ldif "$dir/v2/"
# v2: adm-keyed renamed to adm-renamed (DN, cn, name, sAMAccountName; same objectGUID and SID), WS-HELLO's
# key (a real Windows Hello blob) moved onto it as a second key, so WS-HELLO has none.
py fixtures/lab/domain.ldif "$dir/v2/domain.ldif" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
key = re.search(r"^msDS-KeyCredentialLink: (B:\d+:[0-9A-F]+):CN=WS-HELLO,CN=Computers,(DC=.*)$", text, re.M)
assert key, "WS-HELLO's key is in the lab export"
text = text.replace(key.group(0) + "\n", "")
text = text.replace("adm-keyed", "adm-renamed")
line = "msDS-KeyCredentialLink: %s:CN=adm-renamed,CN=Users,%s\n" % (key.group(1), key.group(2))
first = re.search(r"^msDS-KeyCredentialLink: B:.*:CN=adm-renamed,CN=Users,DC=.*\n", text, re.M)
assert first
text = text[:first.end()] + line + text[first.end():]
open(sys.argv[2], "w").write(text)
PY

# 1. The first run, accepted.
[ "$(scan "$dir/v1" --output "json=$dir/r1.json")" = 1 ] || fail "the lab scan trips the default gate"
"$bin" baseline accept "$dir/r1.json" -o "$dir/state/baseline.json" 2>"$dir/accept.err"
grep -q "findings accepted" "$dir/accept.err" || fail "accept says what it wrote: $(cat "$dir/accept.err")"
[ "$(stat -c %a "$dir/state/baseline.json")" = 640 ] || fail "baseline mode"

# 2. Nothing changed: nothing new, nothing resolved, the gate stays shut under --fail-on-new.
[ "$(scan "$dir/v1" --baseline "$dir/state/baseline.json" --fail-on-new --output "json=$dir/same.json")" = 0 ] \
  || fail "an unchanged domain passes --fail-on-new"

# 3. Renamed + second key + key removed elsewhere.
rc=$(scan "$dir/v2" --baseline "$dir/state/baseline.json" --fail-on-new --output "json=$dir/r2.json")
[ "$rc" = 1 ] || fail "one new finding at or above high trips --fail-on-new (exit $rc)"
py "$dir/r1.json" "$dir/same.json" "$dir/r2.json" <<'PY'
import json, sys
r1, same, r2 = (json.load(open(p)) for p in sys.argv[1:])
assert same["summary"]["new"] == 0 and same["summary"]["resolved"] == 0, same["summary"]
assert same["summary"]["unchanged"] == len(r1["findings"])
assert all(f["baseline_state"] == "unchanged" for f in same["findings"])
new = [f for f in r2["findings"] if f["baseline_state"] == "new"]
assert len(new) == 1, [(f["check_id"], f["resource"]["name"]) for f in new]
n = new[0]
assert n["check_id"] == "ad.shadow-credentials" and n["resource"]["name"] == "adm-renamed", n
assert n["first_seen"] == "2026-12-01T00:00:00Z"
assert r2["summary"]["new"] == 1 and r2["summary"]["gate"]["fail_on_new"] and r2["summary"]["gate"]["tripped"]
# The renamed account's findings from before are unchanged: same ids, new name.
before = {f["finding_id"] for f in r1["findings"] if f["resource"]["name"] == "adm-keyed"}
after = {f["finding_id"]: f for f in r2["findings"] if f["resource"]["name"] == "adm-renamed"}
assert before and before <= set(after), (before, set(after))
assert all(after[i]["baseline_state"] == "unchanged" for i in before)
# WS-HELLO's key is gone: resolved, listed with what it was.
resolved = r2["resolved"]
assert [(x["check_id"], x["resource"]["name"]) for x in resolved] == [("ad.shadow-credentials", "WS-HELLO$")] or \
       [(x["check_id"], x["resource"]["name"]) for x in resolved] == [("ad.shadow-credentials", "WS-HELLO")], resolved
assert r2["summary"]["resolved"] == 1 and r2["baseline"]["existed"] and r2["baseline"]["findings"] == len(r1["findings"])
print("baseline: 1 new (second key on a renamed account), %d unchanged, 1 resolved" % r2["summary"]["unchanged"])
PY

# 4. diff agrees with the baseline comparison (and exits 1: something is new).
rc=0; "$bin" diff "$dir/r1.json" "$dir/r2.json" --format json >"$dir/diff.json" || rc=$?
[ "$rc" = 1 ] || fail "diff exits 1 when something is new ($rc)"
py "$dir/diff.json" "$dir/r2.json" <<'PY'
import json, sys
d, r2 = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert [x["finding_id"] for x in d["new"]] == [f["finding_id"] for f in r2["findings"] if f["baseline_state"] == "new"]
assert [x["finding_id"] for x in d["resolved"]] == [x["finding_id"] for x in r2["resolved"]]
assert len(d["unchanged"]) == r2["summary"]["unchanged"] and d["not_compared"] == 0
PY
rc=0; "$bin" diff "$dir/r1.json" "$dir/r1.json" >"$dir/diff.txt" || rc=$?
[ "$rc" = 0 ] && grep -q "^new: 0" "$dir/diff.txt" || fail "a report diffed with itself has nothing new"

# 5. --update-baseline accepts the new state; the next run is quiet; first_seen is kept from the first run.
[ "$(scan "$dir/v2" --baseline "$dir/state/baseline.json" --fail-on-new --update-baseline)" = 1 ] \
  || fail "the run that accepts still reports what was new"
[ "$(scan "$dir/v2" --baseline "$dir/state/baseline.json" --fail-on-new --output "json=$dir/r3.json")" = 0 ] \
  || fail "after --update-baseline nothing is new"
py "$dir/r3.json" "$dir/state/baseline.json" <<'PY'
import json, sys
r3, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r3["summary"]["new"] == 0 and r3["summary"]["resolved"] == 0
assert b["format"] == "adpersist-baseline" and len(b["findings"]) == len(r3["findings"])
assert b["targets"] == [{"platform": "ad", "id": r3["targets"][0]["domain_sid"], "name": "lab.adpersist.test"}]
PY

# 6. Corrupt, missing and misused state: exit 2, nothing written.
cp "$dir/state/baseline.json" "$dir/good.json"
head -c 200 "$dir/good.json" >"$dir/state/baseline.json"
[ "$(scan "$dir/v1" --baseline "$dir/state/baseline.json" --output "json=$dir/nope.json")" = 2 ] || fail "corrupt → 2"
[ ! -e "$dir/nope.json" ] || fail "nothing is written when the baseline is corrupt"
grep -q "baseline.json: the baseline is not valid JSON" "$dir/stderr" || fail "the error names the file"
[ "$(scan "$dir/v1" --baseline "$dir/state/baseline.json" --update-baseline)" = 2 ] || fail "corrupt + update → 2"
head -c 200 "$dir/good.json" | cmp -s - "$dir/state/baseline.json" || fail "a corrupt baseline is never overwritten"
[ "$(scan "$dir/v1" --baseline "$dir/absent.json")" = 2 ] || fail "a missing named baseline → 2"
[ "$(scan "$dir/v1" --fail-on-new)" = 2 ] || fail "--fail-on-new without --baseline → 2"
"$bin" baseline accept "$dir/v1/domain.ldif" -o "$dir/x.json" 2>/dev/null && fail "accept of a non-report"
[ ! -e "$dir/x.json" ] || fail "nothing written for a non-report"

# 7. Two runs updating one baseline at once take turns: the file is valid afterwards, no temp files left.
cp "$dir/good.json" "$dir/state/baseline.json"
scan "$dir/v1" --baseline "$dir/state/baseline.json" --update-baseline >/dev/null &
scan "$dir/v2" --baseline "$dir/state/baseline.json" --update-baseline >/dev/null &
wait
py "$dir/state/baseline.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
assert b["format"] == "adpersist-baseline" and b["findings"]
PY
[ -z "$(find "$dir/state" -name '*.tmp.*')" ] || fail "temporary files left behind"

# 8. auto: per-target state under $STATE_DIRECTORY, first run all new and accepted, second run quiet.
sid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"][0]["domain_sid"])' "$dir/r1.json")
[ "$(STATE_DIRECTORY="$dir/sd" scan "$dir/v1" --baseline auto --update-baseline --fail-on-new)" = 1 ] \
  || fail "auto, first run: everything is new"
[ -f "$dir/sd/targets/$sid/baseline.json" ] || fail "auto state at targets/<domain SID>/baseline.json"
[ "$(STATE_DIRECTORY="$dir/sd" scan "$dir/v1" --baseline auto --fail-on-new)" = 0 ] || fail "auto, second run"

# 9. `report` renders a saved report; JSON comes back byte for byte.
"$bin" report "$dir/r2.json" --format json -o "$dir/r2-again.json"
cmp "$dir/r2.json" "$dir/r2-again.json" || fail "report --format json reproduces the saved report"
"$bin" report "$dir/r2.json" --format text >"$dir/r2.txt"
grep -q "adm-renamed" "$dir/r2.txt" || fail "report --format text"
echo '{"schema_version": "1.1.0"}' >"$dir/bad.json"
rc=0; "$bin" report "$dir/bad.json" 2>"$dir/bad.err" || rc=$?
[ "$rc" = 2 ] && grep -q "bad.json: tool is missing" "$dir/bad.err" || fail "a broken report names the field ($rc)"
echo "baseline CLI: ok"
