#!/usr/bin/python3
"""Lab 4: the bottleneck queue (leaf1's port to h2) and the TCP senders.

    /usr/bin/python3 show.py RUN_DIR [RUN_DIR ...] [--png FILE]

RUN_DIR holds what step 3 or 7 wrote: iperf3.csv (loomctl workload iperf3),
stats.json (loomctl stats --json after the run), and before.json and
after.json (loomctl status --json around it: whether loomd kept its
schedule over the run). --png draws, per run, where in the queue the
arriving packets found it (the traffic manager's depth histogram).
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402

# The traffic manager's depth histogram (docs/TRAFFIC_MANAGER.md, Telemetry):
# bucket b holds the arrivals that found [1500 x 4^(b-1), 1500 x 4^b) bytes.
BUCKETS = ["<1.5K", "1.5-6K", "6-24K", "24-96K", "96-384K", "384K-1.5M", "1.5-6M", ">6M"]


def bottleneck(stats):
    leaf1 = next(s for s in stats["switches"] if s["name"] == "leaf1")
    port = next(p for p in leaf1["ports"] if p["name"] == "h2")
    return port["tm"]["classes"][0]


def senders(run):
    with open(os.path.join(run, "iperf3.csv")) as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    hists = []
    for run in a.runs:
        with open(os.path.join(run, "stats.json")) as f:
            q = bottleneck(json.load(f))
        hist = q["depth_histogram"]
        hists.append((run, hist))
        total = sum(hist) or 1
        print("%s: leaf1 -> h2, class 0" % run)
        print("  deepest queue %d bytes, CE-marked %d packets, tail drops %d" % (
            q["max_depth_bytes"], q["ecn_marked"], q["drops"]["tail"]))
        print("  arrivals found the queue at: " + ", ".join(
            "%s %.0f%%" % (b, 100 * n / total) for b, n in zip(BUCKETS, hist) if n))
        for s in senders(run):
            print("  %s -> %s: %.1f Mb/s, %s retransmits" % (s["src"], s["dst"], float(s["bits_per_second"]) / 1e6,
                                                          s["retransmits"]))
        seconds, late_ms, lost = labkit.fidelity_over(os.path.join(run, "before.json"),
                                                      os.path.join(run, "after.json"))
        if lost:
            print("  loomd LOST its schedule over these %.1f s: %s.\n  The queue above describes this machine's "
                  "load, not TCP: run the step again." % (seconds, lost))
        else:
            print("  loomd kept its schedule over these %.1f s (%.1f ms behind in all): the queue above is TCP's"
                  % (seconds, late_ms))
    if a.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 3.5))
        w = 0.8 / len(hists)
        for i, (run, hist) in enumerate(hists):
            total = sum(hist) or 1
            ax.bar([x + i * w for x in range(len(BUCKETS))], [100 * n / total for n in hist], w, label=run)
        ax.set_xticks([x + w * (len(hists) - 1) / 2 for x in range(len(BUCKETS))])
        ax.set_xticklabels(BUCKETS)
        ax.set_xlabel("queue depth an arriving packet found, bytes")
        ax.set_ylabel("% of arrivals")
        ax.set_title("Bottleneck queue (leaf1 -> h2)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
        print("plot:", a.png)


if __name__ == "__main__":
    main()
