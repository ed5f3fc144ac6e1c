#!/usr/bin/python3
"""Summarise bench/scale.sh output as Markdown.

    scale_summarize.py RESULTS_DIR > RESULTS_DIR/summary.md

Reads runs.tsv (objects, round, kind scan|floor, ...), info.tsv (objects<TAB>key<TAB>value) and
machine.tsv. Targets (issue 7): at 1,000,000 objects the peak RSS (max over runs) is at most 2 GiB, and
the median wall time at 1,000,000 is at most 11x the median at 100,000.
"""
import collections
import statistics
import sys

from results import read_info_by, read_kv, read_runs

RSS_TARGET_KB = 2 * 1024 * 1024  # 2 GiB
RATIO_TARGET = 11.0


def main():
    d = sys.argv[1]
    runs = read_runs(d)
    info = read_info_by(d, int)
    machine = read_kv(f"{d}/machine.tsv")
    by = collections.defaultdict(list)
    for r in runs:
        by[(int(r["objects"]), r["kind"])].append(r)

    def med(rows, key):
        return statistics.median(float(r[key]) for r in rows)

    out = []
    w = out.append
    w(f"- machine: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs, {machine.get('ram', '?')} RAM; "
      f"{machine.get('os', '?')}; {machine.get('compiler', '?')}; {machine.get('python', '?')}")
    w(f"- adpersist {machine.get('adpersist', '?')}, {machine.get('checks', '?')} Active Directory checks; "
      f"run {machine.get('started', '?')} to {machine.get('finished', '?')}")
    w(f"- quiet gate: {machine.get('quiet_gate', '?')}")
    sizes = sorted(info)
    for n in sizes:
        i = info[n]
        w(f"- {n:,} objects: {int(i['entries']):,} entries ({i['synthetic_by_class']} synthetic + "
          f"{i['fixture_entries']} fixture), {int(i['distinct_sds_shared']):,} distinct descriptors, "
          f"{int(i['bytes_shared']) / 1e6:,.0f} MB of LDIF, generated in {i.get('generate_s', '?')} s; {i.get('check', '?')}")
    w("")
    w("| objects | entries | runs | wall time, median (min-max) | entries/s | peak RSS (max) | RSS per entry | "
      "CPU, median | floor `wc -l`, median | load / CPU% before each run |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    wall = {}
    rss = {}
    for n in sizes:
        rows = by.get((n, "scan"), [])
        if not rows:
            continue
        floor = by.get((n, "floor"), [])
        entries = int(info[n]["entries"])
        wall[n] = med(rows, "wall_s")
        rss[n] = max(int(r["maxrss_kb"]) for r in rows)
        cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in rows)
        walls = [float(r["wall_s"]) for r in rows]
        gates = ", ".join(f"{r['load1']}/{r['busy_pct']}" + ("" if r["quiet"] == "yes" else " (not quiet)")
                          for r in rows)
        w(f"| {n:,} | {entries:,} | {len(rows)} | {wall[n]:.2f} s ({min(walls):.2f}-{max(walls):.2f}) | "
          f"{entries / wall[n]:,.0f} | {rss[n] / 1024:,.0f} MB | {rss[n] * 1024 / entries:,.0f} B | {cpu:.2f} s | "
          f"{med(floor, 'wall_s'):.2f} s | {gates} |" if floor else
          f"| {n:,} | {entries:,} | {len(rows)} | {wall[n]:.2f} s | {entries / wall[n]:,.0f} | {rss[n] / 1024:,.0f} MB | "
          f"{rss[n] * 1024 / entries:,.0f} B | {cpu:.2f} s | - | {gates} |")
    w("")
    for a, b in zip(sizes, sizes[1:]):
        if a in wall and b in wall:
            w(f"- time({b:,}) / time({a:,}): **{wall[b] / wall[a]:.2f}x** for {b / a:.0f}x the objects "
              f"({int(info[b]['entries']) / int(info[a]['entries']):.2f}x the entries)")
    if 1_000_000 in rss:
        ok = rss[1_000_000] <= RSS_TARGET_KB
        w(f"- target peak RSS <= 2 GiB at 1,000,000 objects: {rss[1_000_000] / 1024:,.0f} MB "
          f"(**{'met' if ok else 'not met'}**)")
    if 1_000_000 in wall and 100_000 in wall:
        ratio = wall[1_000_000] / wall[100_000]
        w(f"- target time(1M) / time(100k) <= {RATIO_TARGET:g}: {ratio:.2f} (**{'met' if ratio <= RATIO_TARGET else 'not met'}**)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
