#!/usr/bin/python3
"""Lab 7: per flow, what arrived and how late; per switch, what was dropped
and why.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

--png: the flows' receive rates and the innocent flow's latency, one bar
per run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402

INNOCENT = ("h3", "h1")


def drops_by_port(res):
    """(switch, the port's peer) -> {reason: packets}, ports that dropped."""
    return {(s["name"], p["name"]): p["drops"] for s in res["switches"] for p in s["ports"] if p["drops"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    runs = labkit.load_runs(a.results)
    for path, res in runs:
        print("%s (%s fabric): every switch conserved: %s" % (
            path, "cell" if any("cell" in s for s in res["switches"]) else "packet", not labkit.conserved(res)))
        print("  flow       offered   received  latency avg    max   not received")
        for fl in res["flows"]:
            tag = "  <- innocent" if (fl["src"], fl["dst"]) == INNOCENT else ""
            print("  %-3s->%-4s %5.2f G  %6.2f G  %8.1f us %6.1f us  %6d%s" % (
                fl["src"], fl["dst"], fl["rate_bps"] / 1e9, fl["rx_rate_bps"] / 1e9,
                fl["latency_avg_ns"] / 1e3, fl["latency_max_ns"] / 1e3, fl["not_received"], tag))
        print("  drops (switch -> the port's peer): none" if not drops_by_port(res) else
              "  drops (switch -> the port's peer; egress reasons count where the packet would have left,"
              " the others where it came in):")
        for (sw, peer), d in drops_by_port(res).items():
            print("    %-7s -> %-9s %s" % (sw, peer, ", ".join("%d %s" % (v, k) for k, v in sorted(d.items()))))
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
        labels = ["%s->%s" % (f["src"], f["dst"]) for f in runs[0][1]["flows"]]
        labkit.grouped_bars(ax1, labels, [(path, [f["rx_rate_bps"] / 1e9 for f in res["flows"]]) for path, res in runs],
                            legend_size=7)
        for i, (path, res) in enumerate(runs):
            inn = next(f for f in res["flows"] if (f["src"], f["dst"]) == INNOCENT)
            ax2.bar(i, inn["latency_avg_ns"] / 1e3, 0.6, label=path)
        ax1.set_ylabel("received, Gb/s")
        ax1.set_title("Flows")
        ax2.set_xticks(range(len(runs)))
        ax2.set_xticklabels([p for p, _ in runs], fontsize=7)
        ax2.set_ylabel("average one-way latency, us")
        ax2.set_title("The innocent flow h3->h1")
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    main()
