#!/usr/bin/env bash
# Every output format from real scans (the lab domain, the fixture tenant, and the lab against a baseline
# with suppressions), each file checked against the JSON report of the same run: the JSON validates against
# docs/report.schema.json, OCSF lines carry every required field of Detection Finding, ECS documents their
# fields, HEC envelopes wrap the NDJSON records, the CSV round-trips to the JSON's values, the HTML holds
# every finding, and every file is mode 0640.
set -euo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
formats="json ndjson ocsf ecs hec csv html text"
lab=(--ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z)

# scan NAME ARGS...: writes $dir/NAME.FORMAT for every format; the gate trips on these inputs (exit 1).
scan() {
  local name="$1"; shift
  local outs=() rc=0
  for f in $formats; do outs+=(--output "$f=$dir/$name.$f"); done
  "$bin" scan "$@" -q "${outs[@]}" 2>"$dir/$name.stderr" || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "scan $name: exit $rc, want 1"; cat "$dir/$name.stderr"; exit 1
  fi
  for f in $formats; do
    local mode
    mode=$(stat -c %a "$dir/$name.$f")
    [ "$mode" = 640 ] || { echo "$name.$f: mode $mode, want 640"; exit 1; }
  done
}

scan lab "${lab[@]}"
scan tenant --graph-dir fixtures/tenant --now 2026-12-01T00:00:00Z

# The lab against a baseline accepted a year later (findings of recent changes are "new" now), after the
# administrator deleted the AS-REP-roastable account (its findings are "resolved"), with one finding
# suppressed until 12 days after the run and one entry already expired.
"$bin" scan "${lab[@]:0:4}" --now 2027-12-01T00:00:00Z -q --baseline "$dir/baseline.json" --update-baseline \
  >/dev/null 2>"$dir/accept.stderr" || [ $? -eq 1 ] || { echo "baseline accept failed"; cat "$dir/accept.stderr"; exit 1; }
removed="CN=asrep-user,CN=Users,DC=lab,DC=adpersist,DC=test"
/usr/bin/python3 - fixtures/lab/domain.ldif "$dir/fixed-domain.ldif" "$removed" <<'PY'
import re, sys
records = open(sys.argv[1], encoding="utf-8").read().split("\n\n")
kept = [r for r in records if f"\ndn: {sys.argv[3]}\n" not in "\n" + r + "\n"]
assert len(kept) == len(records) - 1, "the lab holds the account once"
text = "\n\n".join(kept)
# The export's trailer counts the entries, as ldapsearch would have counted them without the account.
n = int(re.search(r"^# numEntries: (\d+)$", text, re.M).group(1))
text = re.sub(r"^# numEntries: \d+$", f"# numEntries: {n - 1}", text, flags=re.M)
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY
/usr/bin/python3 - "$dir/lab.json" "$dir/suppressions.yaml" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
f = doc["findings"][0]
with open(sys.argv[2], "w") as out:
    out.write(f"""version: 1
suppressions:
  - check: {f["check_id"]}
    finding_id: {f["finding_id"]}
    reason: "accepted for the format test <b>&amp;</b>"
    owner: formats-test@example.test
    expires: 2026-12-13
  - check: {f["check_id"]}
    finding_id: {f["finding_id"]}
    reason: "an old acceptance"
    owner: old-owner@example.test
    expires: 2026-11-01
""")
PY
scan policy --ldif "$dir/fixed-domain.ldif" "${lab[@]:2}" --baseline "$dir/baseline.json" \
  --suppressions "$dir/suppressions.yaml"

/usr/bin/python3 - "$dir" "$removed" <<'PY'
import csv, datetime, html.parser, io, json, os, re, sys
import jsonschema

d = sys.argv[1]
schema = json.load(open("docs/report.schema.json"))
SEV_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
GUARD = ("=", "+", "-", "@", "\t", "\r")


def ms(rfc3339):
    t = datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return int(t.timestamp() * 1000)


def ndjson(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def check_ocsf(doc, path):
    events = ndjson(path)
    now_ms = ms(doc["run"]["now"])
    by_id = {f["finding_id"]: f for f in doc["findings"]}
    resolved = {x["finding_id"]: x for x in doc["resolved"]}
    for e in events:
        for key, typ in (("activity_id", int), ("category_uid", int), ("class_uid", int), ("type_uid", int),
                         ("severity_id", int), ("time", int), ("status_id", int), ("metadata", dict),
                         ("finding_info", dict), ("message", str), ("resources", list), ("is_alert", bool)):
            assert isinstance(e.get(key), typ), (key, e.get(key))
        assert e["class_uid"] == 2004 and e["category_uid"] == 2, e
        assert e["activity_id"] in (1, 2, 3) and e["type_uid"] == 200400 + e["activity_id"], e
        assert 1 <= e["severity_id"] <= 5
        assert e["time"] == now_ms, (e["time"], now_ms)  # epoch milliseconds, not seconds
        md = e["metadata"]
        assert re.fullmatch(r"1\.\d+\.\d+", md["version"]), md
        assert md["product"]["name"] == "adpersist" and md["product"]["vendor_name"]
        assert md["product"]["version"] == doc["tool"]["version"]
        fi = e["finding_info"]
        assert isinstance(fi["uid"], str) and isinstance(fi["title"], str)
        assert isinstance(fi["analytic"]["uid"], str) and isinstance(fi["analytic"]["type_id"], int)
        assert e["resources"] and all(isinstance(r["uid"], str) for r in e["resources"])
        native = by_id.get(fi["uid"]) if e["activity_id"] != 3 else resolved.get(fi["uid"])
        assert native is not None, fi["uid"]
        assert e["severity_id"] == SEV_ID[native["severity"]]
        assert fi["analytic"]["uid"] == native["check_id"]
        assert e["resources"][0]["uid"] == native["resource"]["id"]
        if native.get("first_seen"):
            assert fi["first_seen_time"] == ms(native["first_seen"])
        if e["activity_id"] == 3:
            assert e["status_id"] == 4
            continue
        assert (e["activity_id"] == 2) == (native["baseline_state"] == "unchanged")
        want_status = 3 if native["status"] == "suppressed" else 2 if native["baseline_state"] == "unchanged" else 1
        assert e["status_id"] == want_status, (e["status_id"], native["status"], native["baseline_state"])
        techniques = {a["sub_technique"]["uid"] if "sub_technique" in a else a["technique"]["uid"]
                      for a in fi.get("attacks", [])}
        assert techniques == {a["technique_id"] for a in native["attack"]}
        if native["evidence"]:
            assert e["evidences"][0]["data"] == native["evidence"]
    assert [e["finding_info"]["uid"] for e in events if e["activity_id"] != 3] == list(by_id)
    assert [e["finding_info"]["uid"] for e in events if e["activity_id"] == 3] == list(resolved)
    return len(events)


def check_ecs(doc, path):
    docs = ndjson(path)
    assert len(docs) == len(doc["findings"])
    for e, f in zip(docs, doc["findings"]):
        assert e["@timestamp"] == doc["run"]["now"] and isinstance(e["ecs"]["version"], str)
        ev = e["event"]
        assert ev["kind"] == "alert" and ev["category"] == ["iam", "configuration"] and ev["type"] == ["info"]
        assert ev["severity"] == SEV_ID[f["severity"]] and ev["id"] == f["finding_id"]
        assert e["rule"]["id"] == f["check_id"] and e["rule"]["name"] == f["title"]
        assert e["observer"]["product"] == "adpersist" and e["observer"]["version"] == doc["tool"]["version"]
        assert e["message"] == f["message"]
        ids = {a["technique_id"] for a in f["attack"]}
        if ids:
            t = e["threat"]
            assert t["framework"] == "MITRE ATT&CK"
            got = set(t["technique"].get("subtechnique", {}).get("id", []))
            got |= {i for i in t["technique"]["id"] if i in ids}
            assert got == ids, (got, ids)
        for k in ("finding_id", "check_id", "status", "baseline_state", "resource", "suppression"):
            assert e["adpersist"][k] == f[k], k
        assert json.loads(e["adpersist"]["evidence"]) == f["evidence"]  # JSON text: keys differ in type by check
        kind = f["resource"]["type"]
        if kind == "computer":
            assert e["host"]["id"] in (f["resource"]["sid"], f["resource"]["id"])
        elif kind in ("user", "servicePrincipal"):
            assert e["user"]["id"] in (f["resource"]["sid"], f["resource"]["id"])
            assert e["user"]["name"] == f["resource"]["name"]
    return len(docs)


def check_hec(doc, path, ndjson_path):
    envs = ndjson(path)
    records = ndjson(ndjson_path)
    assert len(envs) == len(records) == len(doc["findings"]) + len(doc["resolved"]) + 1
    for env, rec in zip(envs, records):
        assert set(env) <= {"time", "host", "source", "sourcetype", "index", "fields", "event"}, env.keys()
        assert isinstance(env["time"], (int, float)) and abs(env["time"] * 1000 - ms(doc["run"]["now"])) < 1
        assert env["source"] == "adpersist" and isinstance(env["host"], str) and env["host"]
        assert env["sourcetype"] == "adpersist:" + rec["record_type"]
        assert env["event"] == rec
    assert envs[-1]["sourcetype"] == "adpersist:summary" and envs[-1]["event"]["summary"] == doc["summary"]
    return len(envs)


def check_csv(doc, path):
    raw = open(path, "rb").read()
    assert raw.endswith(b"\r\n")
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(doc["findings"])
    # A record ends with CRLF: the number of CRLFs outside quoted cells is the number of rows.
    assert len(re.sub(r'"(?:[^"]|"")*"', "", text).split("\r\n")) == len(rows) + 1
    assert "\n" not in re.sub(r'"(?:[^"]|"")*"', "", text).replace("\r\n", "")
    for row, f in zip(body, doc["findings"]):
        assert len(row) == len(header)
        cells = {}
        for name, cell in zip(header, row):
            # The guard prefixes an apostrophe to cells that start with a formula character or an apostrophe.
            assert not cell.startswith(GUARD), (name, cell)
            value = cell[1:] if cell.startswith("'") else cell
            if value.startswith(GUARD) or value.startswith("'"):
                assert cell.startswith("'"), (name, cell)
            cells[name] = value
        res, sup = f["resource"], f["suppression"] or {}
        want = {
            "finding_id": f["finding_id"], "check_id": f["check_id"], "severity": f["severity"],
            "status": f["status"], "baseline_state": f["baseline_state"] or "", "first_seen": f["first_seen"] or "",
            "title": f["title"], "category": f["category"], "resource_type": res["type"],
            "resource_name": res["name"], "resource_dn": res["dn"], "resource_id": res["id"],
            "resource_sid": res["sid"] or "", "message": f["message"], "remediation": f["remediation"],
            "attack": " ".join(a["technique_id"] for a in f["attack"]),
            "suppression_owner": sup.get("owner", ""), "suppression_expires": sup.get("expires", ""),
            "suppression_reason": sup.get("reason", ""),
        }
        for k, v in want.items():
            assert cells[k] == v, (k, cells[k], v)
        assert json.loads(cells["evidence"]) == f["evidence"]
    return len(body)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.ids, self.tags, self.csp, self.stack = [], {}, [], None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content")
        self.stack.append(a.get("id"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1]:
            self.ids[self.stack[-1]] = self.ids.get(self.stack[-1], "") + data


def check_html(doc, path):
    page = Page()
    page.feed(open(path, encoding="utf-8").read())
    assert page.csp == "default-src 'none'; style-src 'unsafe-inline'; img-src data:", page.csp
    for tag, a in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        assert "src" not in a or a["src"].startswith("data:"), a
        assert not any(k.startswith("on") for k in a), a
        if "href" in a:
            assert a["href"].startswith(("#", "https://", "http://")), a["href"]
    text = "".join(page.text)
    for f in doc["findings"]:
        assert f["finding_id"] in text and f["message"] in text and f["resource"]["name"] in text, f["finding_id"]
        for k in f["evidence"]:
            assert k in text, k
    for x in doc["resolved"]:
        assert x["finding_id"] in text
    for sev, n in doc["summary"]["by_severity"].items():
        assert page.ids["count-" + sev].strip() == str(n), (sev, page.ids.get("count-" + sev), n)
    for c in doc["checks"]:
        assert c["id"] in text
    if doc["baseline"] is not None:
        assert page.ids["count-new"] == str(doc["summary"]["new"])
        assert page.ids["count-resolved"] == str(doc["summary"]["resolved"])
    for s in doc["suppressions"]:
        assert s["owner"] in text and s["reason"] in text
    return len(doc["findings"])


for name in ("lab", "tenant", "policy"):
    p = lambda ext: os.path.join(d, f"{name}.{ext}")
    doc = json.load(open(p("json")))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["findings"], name
    counts = {
        "ocsf": check_ocsf(doc, p("ocsf")),
        "ecs": check_ecs(doc, p("ecs")),
        "hec": check_hec(doc, p("hec"), p("ndjson")),
        "csv": check_csv(doc, p("csv")),
        "html": check_html(doc, p("html")),
    }
    assert "Summary:" in open(p("text")).read()
    print(f"{name}: {len(doc['findings'])} findings, {len(doc['resolved'])} resolved; lines/rows: {counts}")

# All ECS documents of the three runs in one index: Elasticsearch's dynamic mapping rejects a document whose
# field is an object where another document has a value there, or a string where another has a number.
kinds = {}
def walk(v, path):
    if isinstance(v, dict):
        kind = "object"
        for k, x in v.items():
            walk(x, f"{path}.{k}" if path else k)
    elif isinstance(v, list):
        for x in v:
            walk(x, path)
        return
    elif v is None:
        return
    else:
        kind = "boolean" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else "string"
    if path:
        kinds.setdefault(path, set()).add(kind)
for name in ("lab", "tenant", "policy"):
    for e in ndjson(os.path.join(d, f"{name}.ecs")):
        walk(e, "")
conflicts = {p: k for p, k in kinds.items() if len(k) > 1}
assert not conflicts, f"ECS fields an index could not map: {conflicts}"

# The policy run exercised what the plain runs cannot: new, unchanged, resolved and suppressed findings.
doc = json.load(open(os.path.join(d, "policy.json")))
states = {f["baseline_state"] for f in doc["findings"]}
assert doc["baseline"] is not None and states == {"new", "unchanged"}, states
assert doc["resolved"] and all(x["resource"]["dn"] == sys.argv[2] for x in doc["resolved"]), doc["resolved"]
assert [f["status"] for f in doc["findings"]].count("suppressed") == 1
assert [s["state"] for s in doc["suppressions"]] == ["active", "expired"], doc["suppressions"]
page = open(os.path.join(d, "policy.html"), encoding="utf-8").read()
assert "expires in 12 days" in page and "EXPIRED" in page
assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page  # the reason's markup, escaped
ocsf = ndjson(os.path.join(d, "policy.ocsf"))
assert sum(e["status_id"] == 3 for e in ocsf) == 1
assert sum(e["activity_id"] == 3 for e in ocsf) == len(doc["resolved"])
assert sum(e["activity_id"] == 2 for e in ocsf) == sum(f["baseline_state"] == "unchanged" for f in doc["findings"])
print("policy run:", {s: sum(f["baseline_state"] == s for f in doc["findings"]) for s in states},
      "resolved", len(doc["resolved"]))
PY
