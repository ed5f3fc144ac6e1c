#!/usr/bin/env bash
# Hostile directory data through every output format (issue 8): a domain admin named with terminal escapes,
# HTML/script markup, a NUL byte, invalid UTF-8, a bidi override and spreadsheet formulas, with a 10 MB
# description; a group-nesting cycle inside Domain Admins; a 100,000-member group (tests/cli/hostile_ldif.py
# builds it from the lab export). The scan must finish, stay within 1 GiB, report the admin and the cycle,
# and no output may carry a raw control character (text, HTML, CSV: escaped; JSON formats: JSON escapes),
# markup (HTML) or an unguarded formula (CSV).   Usage: hostile.sh ADPERSIST (run from the repo root)
set -euo pipefail
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 tests/cli/hostile_ldif.py fixtures/lab/domain.ldif "$dir/domain.ldif" 100000
/usr/bin/python3 - "$bin" "$dir" <<'PY'
import csv, io, json, resource, subprocess, sys, time
binary, d = sys.argv[1], sys.argv[2]
formats = ["text", "json", "ndjson", "ocsf", "ecs", "hec", "csv", "html"]
cmd = [binary, "scan", "--ldif", d + "/domain.ldif", "--ldif", "fixtures/lab/configuration.ldif",
       "--now", "2026-12-01T00:00:00Z", "-q"] + sum((["--output", "%s=%s/r.%s" % (f, d, f)] for f in formats), [])
start = time.monotonic()
p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
elapsed = time.monotonic() - start
rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
assert p.returncode == 1, (p.returncode, p.stderr[-2000:])
assert b"\x1b" not in p.stderr and b"\x00" not in p.stderr, "stderr carries raw control characters"
assert rss_mib < 1024, "peak RSS %.0f MiB" % rss_mib

doc = json.load(open(d + "/r.json", encoding="utf-8"))
assert all(ds["state"] == "ok" for ds in doc["datasets"]), doc["datasets"]
assert doc["summary"]["complete"], [c["id"] for c in doc["checks"] if c["status"] not in ("passed", "failed")]
evil = [f for f in doc["findings"] if f["resource"]["id"] == "0badc0de-0000-4000-8000-000000000001"]
checks = {f["check_id"] for f in evil}
assert {"ad.spn-on-privileged-user", "ad.privileged-group-membership"} <= checks, checks
spn = [f for f in evil if f["check_id"] == "ad.spn-on-privileged-user"][0]["evidence"]["spn"]
assert "\x1b[2J" in spn and "<script>" in spn, "the JSON keeps the exact value (escaped as JSON)"
cycle = {f["resource"]["name"] for f in doc["findings"] if f["check_id"] == "ad.privileged-group-membership"}
assert {"cycle-one", "cycle-two"} <= cycle, cycle

raw_controls = [bytes([c]) for c in range(0x20) if c not in (0x09, 0x0a, 0x0d)] + [b"\x7f"]
spoofing = [b"\xc2\x9b", "\u202e".encode()]
for f in formats:
    b = open("%s/r.%s" % (d, f), "rb").read()
    b.decode("utf-8")  # valid UTF-8 everywhere
    found = [c for c in raw_controls if c in b]
    assert not found, (f, "raw control characters", found[:5])
    if f in ("text", "html", "csv"):
        assert not [s for s in spoofing if s in b], (f, "C1/bidi characters shown raw")
    if f in ("json", "ndjson", "ocsf", "ecs", "hec"):
        for line in (b.splitlines() if f != "json" else [b]):
            json.loads(line)
    if f == "html":
        low = b.lower()
        assert b"<script" not in low and b"<img" not in low, "markup from the directory reached the page as markup"
        assert b"&lt;script&gt;" in low, "the markup is shown, escaped"
    if f == "csv":
        rows = list(csv.reader(io.StringIO(b.decode("utf-8"), newline="")))
        unguarded = [c for r in rows for c in r if c and c[0] in "=+-@"]
        assert not unguarded, unguarded[:3]
        assert any(c.startswith("'=HYPERLINK") for r in rows for c in r), "the formula is there, guarded"
print("hostile data: %d findings in %.1f s, peak RSS %.0f MiB; 8 formats escaped" % (len(doc["findings"]), elapsed, rss_mib))
PY
