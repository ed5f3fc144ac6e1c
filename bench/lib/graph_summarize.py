#!/usr/bin/python3
"""Summary (Markdown) of a bench/graph_scale.sh results directory: runs.tsv, info.tsv, machine.tsv, plan.json.

    graph_summarize.py RESULTS_DIR

Medians over the timed rounds (round 0 is the untimed preflight); live against offline (the reference, the
same scan without the network, measured in the same run); the requests the server counted against the
minimal plan; and the time Graph's published limits alone impose on that plan.
"""

import json
import os
import statistics
import sys

from results import read_kv, read_runs


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    d = argv[1]
    runs = [r for r in read_runs(d) if r["round"] != "0"]
    info = read_kv(os.path.join(d, "info.tsv"))
    machine = read_kv(os.path.join(d, "machine.tsv"))
    plan = json.load(open(os.path.join(d, "plan.json"), encoding="utf-8"))

    def med(kind, key):
        return statistics.median(float(r[key]) for r in runs if r["kind"] == kind)

    out = []
    sps = plan["collections"]["servicePrincipals"]["objects"]
    apps = plan["collections"]["applications"]["objects"]
    out.append(f"{sps:,} service principals, {apps:,} applications; identity limit tier {info['tier']}; "
               f"{len(runs) // 2} rounds; {machine['adpersist']}; {machine['cpu']}, {machine['nproc']} CPUs")
    out.append("")
    out.append("| scan | wall (s) | peak RSS (MB) | CPU (s) | vs offline: wall | RSS |")
    out.append("|---|---|---|---|---|---|")
    ow, orss = med("offline", "wall_s"), med("offline", "maxrss_kb")
    for kind in ("live", "offline"):
        w, rss = med(kind, "wall_s"), med(kind, "maxrss_kb")
        cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in runs if r["kind"] == kind)
        out.append(f"| {kind} | {w:.2f} | {rss / 1024:.0f} | {cpu:.2f} | {w / ow:.2f}x | {rss / orss:.2f}x |")
    out.append("")
    live = [r for r in runs if r["kind"] == "live"]
    http = statistics.median(int(r["http_requests"]) for r in live)
    batches = statistics.median(int(r["batches"]) for r in live)
    items = statistics.median(int(r["batch_items"]) for r in live)
    gets = statistics.median(int(r["standalone_gets"]) for r in live)
    throttled = statistics.median(int(r["throttled"]) for r in live)
    ru = statistics.median(int(r["resource_units"]) for r in live)
    minimum = plan["minimum_requests"]
    out.append("| requests (median of the live runs) | count |")
    out.append("|---|---|")
    out.append(f"| minimal plan (bench/lib/graph_min_plan.py) | {minimum:,} |")
    out.append(f"| sent: HTTP requests | {http:,.0f} (**{http / minimum:.3f}x** the minimum) |")
    out.append(f"| of which `$batch` (carrying) | {batches:,.0f} ({items:,.0f}) |")
    out.append(f"| of which standalone GETs | {gets:,.0f} |")
    out.append(f"| answered 429 (requests or batch items) | {throttled:,.0f} |")
    out.append(f"| without batching the plan would be | {plan['requests_without_batching']:,} |")
    out.append(f"| resource units charged (plan: {plan['resource_units']:,}) | {ru:,.0f} |")
    out.append("")
    out.append(f"Limits alone (a full bucket at the start): resource units "
               + ", ".join(f"{k} >= {v:.1f} s" for k, v in plan["ru_seconds"].items())
               + f"; audit log {plan['audit_pages']} pages at 5 per 10 s: the last not before {plan['reports_seconds']:.0f} s; "
               f"service principals {plan['sequential_service_principal_pages']} pages one after another "
               f"(nextLink), so at t s a page that chain alone takes "
               f"{plan['sequential_service_principal_pages']} t s.")
    out.append("")
    out.append(f"Capture: {info.get('capture', '?')}; server load {info.get('server_load_s', '?')} s; "
               f"preflight: {info.get('preflight', '?')}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
