"""Reading a benchmark's results directory (runs.tsv, info.tsv, machine.tsv), shared by the summarizers.

The shell scripts write these files; the summarizers import this module from their own directory.
"""
import collections
import csv
import os


def read_kv(path, missing_ok=False):
    """KEY<TAB>VALUE lines as a dict (machine.tsv, or an info.tsv without a size column)."""
    kv = {}
    if missing_ok and not os.path.exists(path):
        return kv
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            kv[k] = v
    return kv


def read_runs(d):
    """runs.tsv: one dict per timed (or preflight) run, keyed by the header's column names."""
    with open(os.path.join(d, "runs.tsv"), encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_info_by(d, key=str):
    """info.tsv of SIZE<TAB>KEY<TAB>VALUE lines: {key(SIZE): {KEY: VALUE}}."""
    info = collections.defaultdict(dict)
    with open(os.path.join(d, "info.tsv"), encoding="utf-8") as f:
        for line in f:
            n, k, v = line.rstrip("\n").split("\t", 2)
            info[key(n)][k] = v
    return info
