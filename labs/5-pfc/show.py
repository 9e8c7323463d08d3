#!/usr/bin/python3
"""Lab 5: per flow, what arrived; per switch port, PAUSE frames sent, time
held by PAUSEs received, and drops.

    /usr/bin/python3 show.py RESULTS.json [RESULTS.json ...] [--png FILE]

--png: the flows' receive rates, one bar per run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402

INNOCENT = ("h1", "h2")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    runs = labkit.load_runs(a.results)
    for path, res in runs:
        print("%s: every switch conserved: %s" % (path, not labkit.conserved(res)))
        print("  flow       offered   received  latency avg  not received")
        for fl in res["flows"]:
            tag = "  <- innocent" if (fl["src"], fl["dst"]) == INNOCENT else ""
            print("  %-3s->%-4s %5.1f G  %6.2f G  %9.1f us  %6d%s" % (
                fl["src"], fl["dst"], fl["rate_bps"] / 1e9, fl["rx_rate_bps"] / 1e9,
                fl["latency_avg_ns"] / 1e3, fl["not_received"], tag))
        print("  port (switch -> peer)   PAUSEs sent   held by PAUSE   drops")
        for s in res["switches"]:
            for p in s["ports"]:
                tm = p.get("tm", {})
                sent, held = tm.get("pfc_frames_sent", 0), tm.get("paused_ns", 0)
                drops = ", ".join("%d %s" % (v, k) for k, v in sorted(p["drops"].items()))
                if sent or held or drops:
                    print("  %-7s -> %-10s %8d   %10.2f ms   %s" % (s["name"], p["name"], sent, held / 1e6, drops))
    if a.png:
        labels = ["%s->%s" % (f["src"], f["dst"]) for f in runs[0][1]["flows"]]
        labkit.plot_grouped_bars(a.png, labels, [(path, [f["rx_rate_bps"] / 1e9 for f in res["flows"]])
                                                 for path, res in runs],
                                 "received, Gb/s", "Flows (h1->h2 is the innocent one)")

if __name__ == "__main__":
    main()
