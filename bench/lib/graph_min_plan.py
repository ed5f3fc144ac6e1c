#!/usr/bin/python3
"""The minimal Microsoft Graph request plan for a capture directory, and what Graph's published limits make of it.

    graph_min_plan.py CAPTURE_DIR [--default-top 100] [--json]

A capture (README "Entra ID (Microsoft Graph)") holds exactly the responses a full scan needs: one file per collection
and one per object whose sub-collection the checks read (appRoleAssignedTo of each rated Microsoft resource,
federatedIdentityCredentials of every application, owners of the privileged applications,
federationConfiguration of each federated domain). The plan that reads it with the fewest requests:

  * each collection: ceil(n / page) pages (at least 1), page = 999 where adpersist sends $top=999
    (applications, servicePrincipals, oauth2PermissionGrants, auditLogs/directoryAudits) and the server's
    default page (--default-top, Graph's usual 100) for the small collections without a documented $top;
  * the per-object reads: their first requests 20 to a JSON batch (Graph's maximum), so ceil(first / 20)
    POSTs, plus every further page alone (nextLinks cannot be batched ahead of time);
  * one token request.

Resource units (graph-mechanics.md 5, identity and access service): every request costs 1 unit with $select
(2 for applications and oauth2PermissionGrants, minus 1 for $select); batched requests are charged one by
one. The audit log is on the reports service instead: 5 requests per 10 s per app and tenant.

Prints a table (or --json): requests, resource units, audit pages, and the time the limits alone impose.
"""

import argparse
import json
import math
import os
import sys

TOP_999 = {"applications", "servicePrincipals", "oauth2PermissionGrants", "auditLogs/directoryAudits"}
COLLECTIONS = ["organization", "applications", "servicePrincipals", "domains", "oauth2PermissionGrants",
               "roleManagement/directory/roleDefinitions", "roleManagement/directory/roleAssignments",
               "auditLogs/directoryAudits"]
# Per-object files: (parent collection, file name, page size when it pages).
PER_OBJECT = [("servicePrincipals", "appRoleAssignedTo", 999), ("applications", "federatedIdentityCredentials", 100),
              ("applications", "owners", 999), ("domains", "federationConfiguration", 100)]
BATCH = 20
# Published limits (graph-mechanics.md 5): resource units per 10 s for an app+tenant pair by tenant size,
# and the reports service's requests per 10 s.
RU_LIMITS = {"S (< 50 users)": 3500, "M (50-500 users)": 5000, "L (> 500 users)": 8000}
REPORTS_PER_10S = 5


def count_items(path):
    """Items in a capture file ({"value": [...]}, an array of pages, or one object)."""
    with open(path, encoding="utf-8") as f:
        body = json.load(f)
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        return len(body["value"])
    if isinstance(body, list):
        return sum(len(p.get("value", [])) for p in body if isinstance(p, dict))
    return 1


def plan(capture, default_top):
    out = {"collections": {}, "per_object": {}}
    pages_total = 0
    for name in COLLECTIONS:
        f = os.path.join(capture, name + ".json")
        if not os.path.isfile(f):
            continue
        n = count_items(f)
        page = 999 if name in TOP_999 else default_top
        pages = max(1, math.ceil(n / page))
        out["collections"][name] = {"objects": n, "pages": pages}
        pages_total += pages
    first = extra = 0
    for parent, leaf, page in PER_OBJECT:
        d = os.path.join(capture, parent)
        objects = pages = 0
        if os.path.isdir(d):
            for entry in sorted(os.listdir(d)):
                f = os.path.join(d, entry, leaf + ".json")
                if os.path.isfile(f):
                    n = count_items(f)
                    objects += 1
                    pages += max(1, math.ceil(n / page))
        if objects:
            out["per_object"][f"{parent}/{{id}}/{leaf}"] = {"reads": objects, "pages": pages}
        first += objects
        extra += pages - objects
    audit_pages = out["collections"].get("auditLogs/directoryAudits", {}).get("pages", 0)
    out["first_per_object_requests"] = first
    out["further_per_object_pages"] = extra
    out["batches"] = math.ceil(first / BATCH)
    out["minimum_requests"] = pages_total + out["batches"] + extra
    out["requests_without_batching"] = pages_total + first + extra
    out["token_requests"] = 1
    out["audit_pages"] = audit_pages
    out["resource_units"] = pages_total - audit_pages + first + extra
    out["sequential_service_principal_pages"] = out["collections"].get("servicePrincipals", {}).get("pages", 0)
    # What the limits alone impose (a full bucket at the start, refilled continuously).
    ru = out["resource_units"]
    out["ru_seconds"] = {k: max(0.0, (ru - cap) / (cap / 10)) for k, cap in RU_LIMITS.items()}
    # A window of 10 s holding 5 requests: request n (from 1) cannot go before floor((n - 1) / 5) * 10 s.
    out["reports_seconds"] = float(max(0, audit_pages - 1) // REPORTS_PER_10S * 10)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--default-top", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    p = plan(a.capture, a.default_top)
    if a.json:
        json.dump(p, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    for name, c in p["collections"].items():
        print(f"{name:45} {c['objects']:>8} objects {c['pages']:>5} pages")
    for name, c in p["per_object"].items():
        print(f"{name:45} {c['reads']:>8} reads   {c['pages']:>5} pages")
    print(f"minimum: {p['minimum_requests']} requests ({p['batches']} $batch for {p['first_per_object_requests']} "
          f"per-object reads; {p['requests_without_batching']} without batching) + 1 token request")
    print(f"resource units: {p['resource_units']}; audit pages: {p['audit_pages']}")
    for k, s in p["ru_seconds"].items():
        print(f"  identity limit {k}: >= {s:.1f} s")
    print(f"  reports limit (5 / 10 s): >= {p['reports_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
