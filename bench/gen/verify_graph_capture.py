#!/usr/bin/python3
"""Checks an adpersist JSON report of a capture made by graph_capture.py.

    adpersist scan --graph-dir DIR --now 2026-12-01T00:00:00Z --format json > report.json
    verify_graph_capture.py DIR report.json

Passes (exit 0) when every dataset is ok, every entra.* check was evaluated (none not_evaluated or error), and
each planted indicator listed in DIR/_adpersist.json ("synthetic"."planted") was reported by each check it names
on the planted object (finding check_id and resource.id). Prints the findings per check, planted ones apart.
Standard library only.
"""

import collections
import json
import os
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    capture, report = argv[1], argv[2]
    with open(os.path.join(capture, "_adpersist.json"), encoding="utf-8") as f:
        planted = json.load(f)["synthetic"]["planted"]
    with open(report, encoding="utf-8") as f:
        rep = json.load(f)

    errors = []
    for d in rep.get("datasets", []):
        if d["state"] != "ok":
            errors.append("dataset %s is %s: %s" % (d["name"], d["state"], d["reason"]))
    checks = [c for c in rep["checks"] if c["id"].startswith("entra.")]
    if not checks:
        errors.append("the report has no entra.* check")
    for c in checks:
        if c["status"] in ("not_evaluated", "error"):
            errors.append("%s: %s (%s)" % (c["id"], c["status"], c.get("reason")))

    found = collections.defaultdict(set)
    per_check = collections.Counter()
    for f in rep["findings"]:
        found[f["check_id"]].add((f["resource"]["id"] or "").lower())
        per_check[f["check_id"]] += 1
    planted_hits = collections.Counter()
    for p in planted:
        for check in p["checks"]:
            if p["resource_id"].lower() in found[check]:
                planted_hits[check] += 1
            else:
                errors.append("%s %s '%s' (%s): no %s finding" % (p["id"], p["resource_type"], p["name"],
                                                                 p["resource_id"], check))
    for c in sorted(c["id"] for c in checks):
        print("%-40s %6d findings (%d planted)" % (c, per_check[c], planted_hits[c]))
    for e in errors:
        print("FAIL: " + e, file=sys.stderr)
    if not errors:
        print("ok: %d planted indicator/check pairs found, %d checks evaluated"
              % (sum(planted_hits.values()), len(checks)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
