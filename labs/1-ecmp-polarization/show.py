#!/usr/bin/python3
"""Lab 1: how evenly the tiers of the fabric carried the traffic.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

For each run (loomctl run's results): the bytes each super-spine forwarded
and max/mean over them (1.0 = even, 2.0 = half of them idle), and each
spine's uplinks to its super-spines. --png draws the super-spines' bytes,
one group of bars per run.
"""
import argparse
import json
import sys


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
    for path in a.results:
        with open(path) as f:
            res = json.load(f)
        supers, spines, leaves = tiers(res)
        runs.append((path, supers))
        print("%s: %d flows, seed %s, every switch conserved: %s" % (
            path, len(res["flows"]), res["seed"], all(s["conserved"] for s in res["switches"])))
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
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        names = list(runs[0][1])
        fig, ax = plt.subplots(figsize=(7, 3.5))
        w = 0.8 / len(runs)
        for i, (path, supers) in enumerate(runs):
            ax.bar([x + i * w for x in range(len(names))], [supers[n] / 1e6 for n in names], w, label=path)
        ax.set_xticks([x + w * (len(runs) - 1) / 2 for x in range(len(names))])
        ax.set_xticklabels(names)
        ax.set_ylabel("MB forwarded")
        ax.set_title("Traffic across the super-spines")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    sys.exit(main())
