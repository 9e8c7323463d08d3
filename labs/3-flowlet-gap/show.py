#!/usr/bin/python3
"""Lab 3: what a flowlet gap did: reordering at the receivers and how
evenly leaf0 spread the bytes over its two uplinks.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

RESULTS.json is what `loomctl run` wrote. Per run: leaf0's uplinks (bytes
to spine0, the short path, and spine1, the long one) and their max/mean
(1.00 = even, 2.00 = all on one); packets that arrived after a later one
of their flow (the generator hosts count them, per flow). --png plots
both against the runs, in the order given.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402


def load(path):
    r = labkit.results(path)
    leaf0 = next(s for s in r["switches"] if s["name"] == "leaf0")
    (group,) = [g for g in leaf0["load_balancing"]["groups"] if len(g["members"]) > 1]
    rx = sum(f["rx_packets"] for f in r["flows"])
    reordered = sum(f["reordered"] for f in r["flows"])
    return dict(name=os.path.splitext(os.path.basename(path))[0], members=group["members"],
                imbalance=group["imbalance"]["max_over_mean"], rx=rx, reordered=reordered,
                per_flow=[f["reordered"] for f in r["flows"]],
                dropped=sum(s["dropped"] for s in r["switches"]),
                conserved=not labkit.conserved(r))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    runs = [load(p) for p in a.results]
    for r in runs:
        print("%s:" % r["name"])
        print("  leaf0's uplinks: %s; max/mean %.3f" % (
            ", ".join("%s %.1f MB" % (m["name"], m["bytes"] / 1e6) for m in r["members"]), r["imbalance"]))
        print("  received %d packets, %d out of order (%.2f %%); per flow: %s" % (
            r["rx"], r["reordered"], 100 * r["reordered"] / max(1, r["rx"]), " ".join(map(str, r["per_flow"]))))
        print("  dropped %d, every switch %s" % (r["dropped"], "conserved" if r["conserved"] else "NOT conserved"))
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
        x = range(len(runs))
        ax1.bar(x, [100 * r["reordered"] / max(1, r["rx"]) for r in runs], color="tab:red")
        ax1.set_ylabel("% packets\nout of order")
        ax2.bar(x, [r["imbalance"] for r in runs], color="tab:blue")
        ax2.axhline(1.0, color="grey", lw=0.8)
        ax2.set_ylim(0.9, max(1.4, max(r["imbalance"] for r in runs) + 0.05))
        ax2.set_ylabel("uplinks'\nmax/mean")
        ax2.set_xticks(list(x))
        ax2.set_xticklabels([r["name"] for r in runs], fontsize=8)
        fig.suptitle("Flowlet gap: reordering vs balance (leaf0's two uplinks)")
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    main()
