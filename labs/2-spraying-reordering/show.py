#!/usr/bin/python3
"""Lab 2: what arrived out of order at h2, and what TCP made of it.

    /usr/bin/python3 show.py RUN_DIR [RUN_DIR ...] [--png FILE]

RUN_DIR holds what step 3 or 6 wrote: iperf3.json (the sender's report),
lb.json (loomctl lb show leaf1 --json: leaf1 measures reordering where
packets leave the fabric) and tcp.txt (h0's kernel counters, nstat).
--png: the reorder distance histograms, one bar per run.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labkit  # noqa: E402

TCP_KEYS = ("TcpRetransSegs", "TcpExtTCPSACKReorder", "TcpExtTCPTSReorder", "TcpExtTCPDSACKRecv",
            "TcpExtTCPSpuriousRTOs", "TcpExtTCPLostRetransmit")


def reorder_at_h2(lb):
    return next(r for r in lb["switches"][0]["reorder"] if r["name"] == "h2")


def tcp_counters(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 2 and f[0] in TCP_KEYS:
            out[f[0]] = int(f[1])
    return out


def load(run):
    with open(os.path.join(run, "iperf3.json")) as f:
        ip = json.load(f)["end"]
    with open(os.path.join(run, "lb.json")) as f:
        lb = json.load(f)
    return ip, reorder_at_h2(lb), tcp_counters(os.path.join(run, "tcp.txt")), lb


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--png")
    a = ap.parse_args()
    hists = []
    for run in a.runs:
        ip, r, tcp, lb = load(run)
        modes = sorted({g["mode"] for g in lb["switches"][0]["groups"]})
        hists.append((run, r["distance"]))
        print("%s (leaf1's groups: %s)" % (run, ", ".join(modes)))
        print("  at h2: %d packets, %d out of order (%.1f %%), distance in packets: %s" % (
            r["packets"], r["out_of_order"], 100 * r["out_of_order"] / max(1, r["packets"]),
            ", ".join("%s: %d" % (k, v) for k, v in r["distance"].items() if v)))
        print("  TCP h0 -> h2: %.2f Mb/s received, %d retransmitted segments" % (
            ip["sum_received"]["bits_per_second"] / 1e6, ip["sum_sent"].get("retransmits", 0)))
        print("  h0's kernel: " + ", ".join("%s %d" % (k.replace("TcpExt", ""), v) for k, v in tcp.items()))
    if a.png:
        keys = list(hists[0][1])
        labkit.plot_grouped_bars(a.png, keys, [(run, [h[k] for k in keys]) for run, h in hists], "packets",
                                 "Reordering seen at h2's port", xlabel="how far out of order (packets)",
                                 size=(8, 3.5))

if __name__ == "__main__":
    main()
