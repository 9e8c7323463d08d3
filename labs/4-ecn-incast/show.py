#!/usr/bin/python3
"""Lab 4: the bottleneck queue (leaf1's port to h2) and the TCP senders.

    /usr/bin/python3 show.py RUN_DIR [RUN_DIR ...] [--png FILE]

RUN_DIR holds what step 3 or 6 wrote: iperf3.csv (loomctl workload iperf3),
stats.json (loomctl stats --json after the run), and before.json and
after.json (loomctl status --json around it: whether loomd kept its
schedule over the run). Per run: the queue an arriving packet found (on
average, and the band of the depth histogram that 99 % of the arrivals
stayed below), the deepest it got, CE marks, tail drops, each sender's rate
and retransmissions. --png draws, per run, where in the queue the arriving
packets found it (the traffic manager's depth histogram).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402

# The traffic manager's depth histogram (docs/TRAFFIC_MANAGER.md, Telemetry):
# bucket b holds the arrivals that found [1500 x 4^(b-1), 1500 x 4^b) bytes.
EDGES = [1500 * 4 ** b for b in range(7)]
BUCKETS = ["<1.5K", "1.5-6K", "6-24K", "24-96K", "96-384K", "384K-1.5M", "1.5-6M", ">6M"]


def band(b):
    """Bucket b's depths, in KB."""
    return "%s-%s KB" % (EDGES[b - 1] // 1000 if b else 0, EDGES[b] // 1000 if b < len(EDGES) else "")


def top(b):
    """The depth below which bucket b (and those under it) lie."""
    return "%.1f KB" % (EDGES[b] / 1000) if b < len(EDGES) else "(no bound: the last bucket)"


def queue(d):
    """What the bottleneck's class 0 recorded over run folder d: its TM
    counters, the mean depth an arrival found, and the histogram bucket
    under whose top 99 % of the arrivals found it."""
    st = labkit.results(os.path.join(d, "stats.json"))
    leaf1 = next(s for s in st["switches"] if s["name"] == "leaf1")
    q = next(p for p in leaf1["ports"] if p["name"] == "h2")["tm"]["classes"][0]
    hist, n = q["depth_histogram"], max(1, q["in_packets"])
    below, p99 = 0, 0
    for p99, count in enumerate(hist):
        below += count
        if below >= 0.99 * sum(hist):
            break
    return dict(q=q, hist=hist, mean=q["depth_sum_bytes"] / n, p99=p99, bad=labkit.conserved(st))


def senders(d):
    """[(src, dst, Mb/s, retransmits)] from the run's iperf3.csv."""
    import csv
    with open(os.path.join(d, "iperf3.csv")) as f:
        return [(r["src"], r["dst"], float(r["bits_per_second"] or 0) / 1e6, int(r["retransmits"] or 0))
                for r in csv.DictReader(f)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    hists = []
    for run in a.runs:
        r = queue(run)
        q, hist = r["q"], r["hist"]
        hists.append((run, [100 * n / max(1, sum(hist)) for n in hist]))
        print("%s: leaf1 -> h2, class 0" % run)
        print("  an arriving packet found the queue at %.1f KB on average; 99 %% found it below %s; "
              "deepest %.1f KB" % (r["mean"] / 1000, top(r["p99"]), q["max_depth_bytes"] / 1000))
        print("  CE-marked %d packets, tail drops %d" % (q["ecn_marked"], q["drops"]["tail"]))
        print("  arrivals found the queue at: " + ", ".join(
            "%s %.0f%%" % (b, 100 * n / max(1, sum(hist))) for b, n in zip(BUCKETS, hist) if n))
        for src, dst, mbps, retr in senders(run):
            print("  %s -> %s: %.1f Mb/s, %d retransmits" % (src, dst, mbps, retr))
        seconds, late_ms, lost = labkit.fidelity_over(os.path.join(run, "before.json"),
                                                      os.path.join(run, "after.json"))
        if lost:
            print("  loomd LOST its schedule over these %.1f s: %s.\n  The queue above describes this machine's "
                  "load, not TCP: run the step again." % (seconds, lost))
        else:
            print("  loomd kept its schedule over these %.1f s (%.1f ms behind in all): the queue above is TCP's"
                  % (seconds, late_ms))
    if a.png:
        labkit.plot_grouped_bars(a.png, BUCKETS, hists, "% of arrivals", "Bottleneck queue (leaf1 -> h2)",
                                 xlabel="queue depth an arriving packet found, bytes", size=(8, 3.5))


if __name__ == "__main__":
    main()
