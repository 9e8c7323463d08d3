#!/usr/bin/python3
"""Lab 1: how evenly the tiers of the fabric carried the traffic.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

For each run (loomctl run's results): the bytes each super-spine forwarded
and max/mean over them (1.0 = even, 2.0 = half of them idle), and each
spine's uplinks to its super-spines. --png draws the super-spines' bytes,
one group of bars per run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402


def tiers(res):
    supers = {s["name"]: sum(p["tx_bytes"] for p in s["ports"])
              for s in res["switches"] if s["name"].startswith("superspine")}
    # a port's name is its peer's end ("superspine1:0"): link -> bytes sent up it
    spines = {s["name"]: {p["name"].split(":")[0]: p["tx_bytes"] for p in s["ports"]
                          if p["name"].startswith("superspine")}
              for s in res["switches"] if s["name"].startswith("spine")}
    leaves = {s["name"]: {p["name"].split(":")[0]: p["tx_bytes"] for p in s["ports"] if p["name"].startswith("spine")}
              for s in res["switches"] if s["name"].startswith("leaf")}
    return supers, spines, leaves


def max_over_mean(xs):
    mean = sum(xs) / len(xs)
    return max(xs) / mean if mean else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    runs = []
    for path, res in labkit.load_runs(a.results):
        supers, spines, leaves = tiers(res)
        runs.append((path, supers))
        print("%s: %d flows, seed %s, every switch conserved: %s" % (
            path, len(res["flows"]), res["seed"], not labkit.conserved(res)))
        for name, up in leaves.items():
            print("  %-8s sent up, MB: %s  max/mean %.2f" % (
                name, "  ".join("%s %.2f" % (k, b / 1e6) for k, b in up.items()), max_over_mean(list(up.values()))))
        print("  super-spine   MB forwarded")
        for name, b in supers.items():
            print("  %-12s %8.2f  %s" % (name, b / 1e6, "#" * int(40 * b / max(supers.values()))))
        print("  super-spines: max/mean %.2f" % max_over_mean(list(supers.values())))
        for name, up in spines.items():
            print("  %-8s sent up, MB: %s  max/mean %.2f" % (
                name, "  ".join("%s %.2f" % (k, b / 1e6) for k, b in up.items()), max_over_mean(list(up.values()))))
    if a.png:
        names = list(runs[0][1])
        labkit.plot_grouped_bars(a.png, names, [(path, [supers[n] / 1e6 for n in names]) for path, supers in runs],
                                 "MB forwarded", "Traffic across the super-spines")

if __name__ == "__main__":
    sys.exit(main())
