#!/usr/bin/python3
"""Summarise bench/sd_scale.sh output as Markdown.

    sd_summarize.py RESULTS_DIR > RESULTS_DIR/summary.md

Reads runs.tsv, info.tsv (objects<TAB>key<TAB>value) and machine.tsv. Targets (issue 4, "Robustness and
speed"), checked at 200,000 objects: the shared-descriptor input scans in under 60 s wall time (median)
and 2 GB peak RSS, and its wall time is under 1.5x the reference (the same input without descriptors).
"""
import statistics
import sys

from results import read_info_by, read_kv, read_runs

LABEL = {"shared": "(a) shared SDs", "unique": "(b) unique SDs", "nosd": "(r) no SDs (reference)"}


def main():
    d = sys.argv[1]
    runs = read_runs(d)
    info = read_info_by(d)
    machine = read_kv(f"{d}/machine.tsv")
    out = []
    w = out.append
    w(f"- machine: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs, {machine.get('ram', '?')} RAM; "
      f"{machine.get('os', '?')}; {machine.get('compiler', '?')}")
    w(f"- adpersist {machine.get('adpersist', '?')}, {machine.get('checks', '?')} checks; "
      f"run {machine.get('started', '?')} to {machine.get('finished', '?')}")
    w(f"- quiet gate: {machine.get('quiet_gate', '?')}")
    for n in sorted(info, key=int):
        i = info[n]
        w("")
        w(f"### {int(n):,} synthetic objects")
        w("")
        w(f"- entries per input: {int(i['entries']):,} ({i['synthetic_by_class']} synthetic, plus the "
          f"{i['fixture_entries']} fixture entries), {i['pages']} pages; configuration NC: the lab fixture")
        w(f"- distinct descriptors: shared **{int(i['distinct_sds_shared']):,}** "
          f"({int(i['explicit_ace_objects_shared']):,} objects with an explicit ACE of their own), "
          f"unique **{int(i['distinct_sds_unique']):,}**; the fixture alone has {i['fixture_distinct_sds']}")
        w(f"- input sizes: shared {int(i['bytes_shared']) / 1e6:,.0f} MB "
          f"(descriptor lines {int(i['sd_line_bytes_shared']) / 1e6:,.0f} MB), unique "
          f"{int(i['bytes_unique']) / 1e6:,.0f} MB, nosd {int(i['bytes_nosd']) / 1e6:,.0f} MB; "
          f"generated in {i.get('generate_s', '?')} s")
        for k in ("check_shared", "check_unique", "check_nosd"):
            w(f"- {k.replace('_', ' ', 1)}: {i.get(k, '?')}")
        stats = {}
        for inp in ("shared", "unique", "nosd"):
            rs = [r for r in runs if r["objects"] == n and r["input"] == inp and r["kind"] == "timed"]
            if not rs:
                continue
            wall = [float(r["wall_s"]) for r in rs]
            rss = [int(r["maxrss_kb"]) / 1024 for r in rs]
            cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
            stats[inp] = dict(n=len(rs), wall=statistics.median(wall), wmin=min(wall), wmax=max(wall),
                              rss=max(rss), cpu=statistics.median(cpu), load=[r["load1"] for r in rs],
                              busy=[r["busy_pct"] for r in rs], quiet=all(r["quiet"] == "yes" for r in rs))
        if not stats:
            continue
        ref = stats.get("nosd")
        w("")
        w("| input | runs | wall time, median (min-max) | / reference | peak RSS (max) | / reference | CPU, median | load / CPU% before each run |")
        w("|---|---|---|---|---|---|---|---|")
        for inp, s in stats.items():
            rw = f"{s['wall'] / ref['wall']:.2f}x" if ref and inp != "nosd" else ""
            rr = f"{s['rss'] / ref['rss']:.2f}x" if ref and inp != "nosd" else ""
            w(f"| {LABEL[inp]} | {s['n']} | {s['wall']:.2f} s ({s['wmin']:.2f}-{s['wmax']:.2f}) | {rw} | "
              f"{s['rss']:,.0f} MB | {rr} | {s['cpu']:.2f} s | "
              f"{', '.join(f'{l}/{b}' for l, b in zip(s['load'], s['busy']))}{'' if s['quiet'] else ' (not quiet)'} |")
        prof = [r for r in runs if r["objects"] == n and r["kind"] == "one-check"]
        if prof:
            w("")
            w("One run per input with `--checks ad.guest-enabled` (reading, snapshot, descriptor table; almost no checks):")
            w("")
            w("| input | wall time | peak RSS | CPU |")
            w("|---|---|---|---|")
            for r in prof:
                w(f"| {LABEL[r['input']]} | {float(r['wall_s']):.2f} s | {int(r['maxrss_kb']) / 1024:,.0f} MB | "
                  f"{float(r['user_s']) + float(r['sys_s']):.2f} s |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
