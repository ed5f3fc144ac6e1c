#!/usr/bin/python3
"""Summarise bench/lib/measure.sh output as Markdown.

    summarize.py RESULTS_DIR > RESULTS_DIR/summary.md

Reads RESULTS_DIR/runs.tsv and RESULTS_DIR/info.tsv (and RESULTS_DIR/machine.tsv if present).
Targets (issue "live on-prem scans"): adpersist wall time <= 1.25 x ldapsearch (medians);
adpersist peak RSS <= 300 MB.
"""
import glob
import re
import statistics
import sys

from results import read_kv, read_runs

WALL_RATIO_TARGET = 1.25
RSS_TARGET_MB = 300


def main():
    d = sys.argv[1]
    runs = read_runs(d)
    info = read_kv(f"{d}/info.tsv")
    machine = read_kv(f"{d}/machine.tsv", missing_ok=True)
    tools = [t for t in ("adpersist", "ldapsearch", "ldapdomaindump") if any(r["tool"] == t for r in runs)]
    stats = {}
    for t in tools:
        rs = [r for r in runs if r["tool"] == t]
        wall = [float(r["wall_s"]) for r in rs]
        rss = [int(r["maxrss_kb"]) / 1024 for r in rs]
        cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
        srv = [float(r["server_cpu_s"]) for r in rs]
        stats[t] = dict(n=len(rs), wall=statistics.median(wall), wmin=min(wall), wmax=max(wall),
                        rss=max(rss), rss_med=statistics.median(rss), cpu=statistics.median(cpu),
                        srv=statistics.median(srv), load=[r["load1"] for r in rs],
                        quiet=all(r["quiet"] == "yes" for r in rs))
    out = []
    w = out.append
    if machine:
        w(f"- machine: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs, {machine.get('ram', '?')} RAM; "
          f"{machine.get('os', '?')}")
        w(f"- Samba {machine.get('samba', '?')}, OpenLDAP ldapsearch {machine.get('openldap', '?')}, "
          f"ldapdomaindump {machine.get('ldapdomaindump', '?')} (ldap3 {machine.get('ldap3', '?')}), "
          f"adpersist {machine.get('adpersist', '?')}")
    w(f"- domain: {info.get('objects', '?').strip()}; entries read per scan: "
      f"{info.get('adpersist_collect_entries', '?')} (adpersist) / {info.get('ldapsearch_entries', '?')} (ldapsearch), "
      f"largest group {info.get('largest_member_count', '?')} members")
    w(f"- SD-flags control: {info.get('sd_flags', '?')} (adpersist does not request nTSecurityDescriptor)"
      if info.get("sd_flags") == "no" else f"- SD-flags control: {info.get('sd_flags', '?')}")
    w("")
    w("| client | runs | wall time median (min-max) | peak RSS (max of runs) | client CPU (median) | DC CPU (median) | load before runs |")
    w("|---|---|---|---|---|---|---|")
    for t in tools:
        s = stats[t]
        w(f"| {t} | {s['n']} | {s['wall']:.2f} s ({s['wmin']:.2f}-{s['wmax']:.2f}) | {s['rss']:.0f} MB | "
          f"{s['cpu']:.2f} s | {s['srv']:.2f} s | {', '.join(s['load'])}{'' if s['quiet'] else ' (not quiet)'} |")
    w("")
    if "adpersist" in stats and "ldapsearch" in stats:
        a, l = stats["adpersist"], stats["ldapsearch"]
        ratio = a["wall"] / l["wall"]
        w(f"- wall time adpersist / ldapsearch (medians): **{ratio:.2f}x** "
          f"(target <= {WALL_RATIO_TARGET}x: {'met' if ratio <= WALL_RATIO_TARGET else 'NOT met'})")
        # The DC's speed drifts between rounds (its CPU per scan can move by a third from one round to the next), so
        # the two medians can fall in different states; the runs of one round are back to back.
        by_round = {}
        for r in runs:
            if r["tool"] in ("adpersist", "ldapsearch"):
                by_round.setdefault(r["round"], {})[r["tool"]] = float(r["wall_s"])
        paired = [p["adpersist"] / p["ldapsearch"] for p in by_round.values() if len(p) == 2]
        if paired:
            w(f"- same ratio within each round (the two runs back to back): median {statistics.median(paired):.2f}x "
              f"({min(paired):.2f}-{max(paired):.2f}); fastest run against fastest run: {a['wmin'] / l['wmin']:.2f}x")
        w(f"- peak RSS adpersist / ldapsearch: {a['rss'] / l['rss']:.1f}x")
        w(f"- adpersist peak RSS {a['rss']:.0f} MB at {info.get('adpersist_collect_entries', '?')} entries "
          f"(target <= {RSS_TARGET_MB} MB at 54k objects: {'met' if a['rss'] <= RSS_TARGET_MB else 'NOT met'} at this size)")
        if "ldapdomaindump" in stats:
            dd = stats["ldapdomaindump"]
            w(f"- ldapdomaindump / adpersist: wall {dd['wall'] / a['wall']:.1f}x, peak RSS {dd['rss'] / a['rss']:.1f}x "
              f"(ldapdomaindump read {info.get('ldapdomaindump_objects', '?')}, all attributes, wrote "
              f"{int(info.get('ldapdomaindump_output_bytes', '0') or 0) / 1e6:.0f} MB of reports)")
    # adpersist -v: "ldap: N entries from URI in S s" (the LDAP collection inside the timed run)
    coll = []
    for path in sorted(glob.glob(f"{d}/adpersist-*.err")):
        with open(path, encoding="utf-8") as f:
            m = re.search(r"^ldap: (\d+) entries from \S+ in ([0-9.]+) s", f.read(), re.M)
        if m:
            coll.append(float(m.group(2)))
    if coll and "adpersist" in stats:
        w(f"- of adpersist's wall time, the LDAP collection (its own `-v` timing) took {statistics.median(coll):.2f} s "
          f"(median); the rest is start-up, the checks and the report")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
