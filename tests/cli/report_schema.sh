#!/usr/bin/env bash
# The lab report (JSON and every NDJSON line) validates against docs/report.schema.json.
set -euo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" scan --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z \
  -q --output "json=$dir/r.json" --output "ndjson=$dir/r.ndjson" || [ $? -eq 1 ]
mode=$(stat -c %a "$dir/r.json")
[ "$mode" = 640 ] || { echo "report mode $mode, want 640"; exit 1; }
/usr/bin/python3 - "$dir/r.json" "$dir/r.ndjson" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/report.schema.json"))
doc = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(doc)
assert doc["findings"], "the lab report has findings"
lines = [json.loads(l) for l in open(sys.argv[2])]
assert lines[-1]["record_type"] == "summary" and lines[-1]["summary"] == doc["summary"]
# Findings, then one "resolved" line per resolved finding (none without a baseline), then the summary.
types = [l["record_type"] for l in lines]
assert types == ["finding"] * len(doc["findings"]) + ["resolved"] * len(doc["resolved"]) + ["summary"], types
assert [l["finding_id"] for l in lines[:-1]] == [f["finding_id"] for f in doc["findings"] + doc["resolved"]]
for l in lines[:-1]:
    assert l["target"]["domain"] == "lab.adpersist.test" and l["run"]["now"] == "2026-12-01T00:00:00Z"
print("schema ok:", len(doc["findings"]), "findings")
PY

# Both platforms in one report: one target each, and each NDJSON finding carries its own platform's target.
"$bin" scan --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --graph-dir fixtures/tenant \
  --now 2026-12-01T00:00:00Z -q --output "json=$dir/both.json" --output "ndjson=$dir/both.ndjson" || [ $? -eq 1 ]
/usr/bin/python3 - "$dir/both.json" "$dir/both.ndjson" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/report.schema.json"))
doc = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(doc)
assert [t["platform"] for t in doc["targets"]] == ["ad", "entra"], doc["targets"]
assert doc["targets"][1]["tenant_id"] == "3f1c2e7a-5b8d-4c91-a2e6-7d0b9f4e1a53"
platforms = {c["id"].split(".")[0] for c in doc["checks"]}
assert platforms == {"ad", "entra"}, platforms
assert doc["summary"]["complete"], [c for c in doc["checks"] if c["status"] != "passed" and c["status"] != "failed"]
lines = [json.loads(l) for l in open(sys.argv[2])][:-1]
for l in lines:
    assert l["target"]["platform"] == l["check_id"].split(".")[0], (l["check_id"], l["target"])
print("schema ok (ad + entra):", len(doc["findings"]), "findings")
PY

# Against a baseline that holds a finding this run does not have: the NDJSON gets a "resolved" line for it,
# carrying the baseline's record of the finding, before the summary. The baseline is accepted from the lab
# with the AS-REP-roastable account still in it; the rescan reads the export without that account.
"$bin" scan --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z -q \
  --baseline "$dir/baseline.json" --update-baseline 2>/dev/null || [ $? -eq 1 ]
/usr/bin/python3 - fixtures/lab/domain.ldif "$dir/fixed.ldif" <<'PY'
import re, sys
records = open(sys.argv[1], encoding="utf-8").read().split("\n\n")
kept = [r for r in records if "\ndn: CN=asrep-user,CN=Users,DC=lab,DC=adpersist,DC=test\n" not in "\n" + r + "\n"]
assert len(kept) == len(records) - 1
text = "\n\n".join(kept)
n = int(re.search(r"^# numEntries: (\d+)$", text, re.M).group(1))
open(sys.argv[2], "w", encoding="utf-8").write(re.sub(r"^# numEntries: \d+$", f"# numEntries: {n - 1}", text, flags=re.M))
PY
"$bin" scan --ldif "$dir/fixed.ldif" --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z -q \
  --baseline "$dir/baseline.json" --output "json=$dir/rb.json" --output "ndjson=$dir/rb.ndjson" || [ $? -eq 1 ]
/usr/bin/python3 - "$dir/rb.json" "$dir/rb.ndjson" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/report.schema.json"))
doc = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(doc)
assert len(doc["resolved"]) >= 1 and doc["summary"]["resolved"] == len(doc["resolved"])
lines = [json.loads(l) for l in open(sys.argv[2])]
resolved = [l for l in lines if l["record_type"] == "resolved"]
assert [l["record_type"] for l in lines[-1 - len(resolved):]] == ["resolved"] * len(resolved) + ["summary"]
for line, want in zip(resolved, doc["resolved"]):
    assert {k: line[k] for k in want} == want, (line, want)
    assert line["target"]["domain_sid"] == doc["targets"][0]["domain_sid"] and line["tool"] == doc["tool"]
    assert line["resource"]["dn"] == "CN=asrep-user,CN=Users,DC=lab,DC=adpersist,DC=test"
print("ndjson resolved lines ok:", len(resolved))
PY
