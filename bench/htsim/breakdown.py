#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Where a permutation run's time goes (issue 23), from its results file
alone (`loomctl run --out`, e.g. bench/htsim/run.py --out DIR):

  per kind of port (leaf->host, leaf->spine, spine->leaf), class 0 (data;
  ACKs and trimmed headers ride class 7 when the fabric trims): packets,
  the queue an arriving packet found (mean bytes and its drain time at the
  port's rate; the least and most of the ports' own means), the share
  marked CE, trims, the deepest queue and the depth histogram's shares;

  per flow: the sender's link busy time (its host's frames at line rate)
  over the time to its last packet sent (1.0: never idle), the idle time
  left, one-way latency above the flow's least, NSCC cuts, CE share, the
  window at the end.

  bench/htsim/breakdown.py DIR/permutation_128-spray-1.json [more.json ...]

Figures only: the ports' `depth_sum_bytes` / `in_packets` (tm_enqueue.c),
the hosts' tx_bytes, the flows' own counters. A two-tier Clos is assumed
(switch roles leaf and spine; leaf ports whose link is a generator face
hosts).
"""
import json
import math
import statistics as st
import sys


def kind(sw, p):
    if sw["role"] == "spine":
        return "spine->leaf"
    return "leaf->host" if p.get("link") == "generator" else "leaf->spine"


def ports(r):
    agg = {}
    for sw in r["switches"]:
        for p in sw["ports"]:
            c0 = p["tm"]["classes"][0]
            a = agg.setdefault(kind(sw, p), dict(n=0, pkts=0, depth=0, marked=0, trims=0, deepest=0,
                                                 means=[], hist=[0] * len(c0["depth_histogram"]), rate=p["rate_bps"]))
            a["n"] += 1
            a["pkts"] += c0["in_packets"]
            a["depth"] += c0["depth_sum_bytes"]
            a["marked"] += c0["ecn_marked"]
            a["trims"] += p["tm"].get("trimmed", 0)
            a["deepest"] = max(a["deepest"], c0["max_depth_bytes"])
            a["means"].append(c0["depth_sum_bytes"] / max(1, c0["in_packets"]))
            a["hist"] = [x + y for x, y in zip(a["hist"], c0["depth_histogram"])]
    return agg


def main(paths):
    if not paths:
        print(__doc__.strip())
        return 2
    for path in paths:
        with open(path) as f:
            r = json.load(f)
        print("==", path)
        for k, a in sorted(ports(r).items()):
            mean = a["depth"] / max(1, a["pkts"])
            print("  %-12s ports %3d  packets %8d  queue found %6.1f KB (%.2f us), ports %5.1f-%5.1f KB  "
                  "marked %5.1f %%  trims %5d  deepest %6.1f KB  histogram %s" % (
                      k, a["n"], a["pkts"], mean / 1e3, mean * 8 / a["rate"] * 1e6, min(a["means"]) / 1e3,
                      max(a["means"]) / 1e3, 100 * a["marked"] / max(1, a["pkts"]), a["trims"], a["deepest"] / 1e3,
                      " ".join("%.3f" % (h / max(1, a["pkts"])) for h in a["hist"])))
        hosts = {h["name"]: h for h in r["hosts"]}
        busy, idle, lat = [], [], []
        for fl in r["flows"]:
            rate = fl["rate_bps"]
            b = hosts[fl["src"]]["tx_bytes"] * 8 / rate * 1e9
            busy.append(b / fl["last_tx_ns"] if fl["last_tx_ns"] else 0)
            idle.append(fl["last_tx_ns"] - b)
            lat.append(fl["latency_avg_ns"] - fl["latency_min_ns"])
        fl = r["flows"]
        done = [f["completion_ns"] for f in fl if f["completion_ns"] >= 0]
        print("  flows %d (%d completed): completion mean %.1f us, last %.1f us; sender busy / to last sent "
              "mean %.4f, least %.4f (idle mean %.1f us, most %.1f); one-way latency above least %.2f us; "
              "cuts a flow %.1f; CE %.1f %%; window at the end %.0f B" % (
                  len(fl), len(done), st.mean(done) / 1e3 if done else 0, max(done) / 1e3 if done else 0,
                  st.mean(busy), min(busy), st.mean(idle) / 1e3, max(idle) / 1e3, st.mean(lat) / 1e3,
                  st.mean(f.get("cc_cuts", 0) for f in fl),
                  100 * st.mean(f["ce_marked"] / max(1, f["rx_packets"]) for f in fl),
                  st.mean(f.get("cwnd_bytes", 0) for f in fl)))
        if done and "window_blocked_ns" in fl[0]:
            print("  " + last_flow(r, hosts))
    return 0


def last_flow(r, hosts):
    """The last flow's completion, split (its results' accounting fields,
    docs/VIRTUAL_TIME.md "Where a flow's time went"): before its first
    packet, its sender's own frames and the feedback frames its host sent
    (the flows it receives) before its last packet left, the waits (window:
    before the first ACK and after; pacing), other idle, and the tail from
    its last packet's start to completion (the last frame and its crossing,
    or a retransmission's wait)."""
    fl = max((f for f in r["flows"] if f["completion_ns"] >= 0), key=lambda f: f["completion_ns"])
    rate = fl["rate_bps"]
    # a frame's time is rounded up to the ns (loom/sim/link.h): per frame, at the mean frame size
    ns = lambda b, n: n * math.ceil(b * 8 * 1e9 / rate / max(1, n))
    own = [f for f in r["flows"] if f["src"] == fl["src"]]
    frames = sum(ns(f["tx_bytes"], f["tx_packets"]) for f in own) - ns(fl["tx_bytes"], fl["tx_packets"]) / max(
        1, fl["tx_packets"])  # to its last packet's start
    acks = sum(ns(f["feedback_tx_bytes"], f["feedback_tx_frames"]) for f in r["flows"] if f["dst"] == fl["src"])
    win, first, pace = fl["window_blocked_ns"], fl["window_blocked_first_ns"], fl["pacing_blocked_ns"]
    start = fl["first_tx_ns"] - fl["start_ns"]
    span = fl["last_tx_ns"] - fl["first_tx_ns"]
    tail = fl["completion_ns"] + fl["start_ns"] - fl["last_tx_ns"]
    other = span - frames - acks - win - pace
    total = fl["completion_ns"]
    part = lambda x: "%.1f us (%.2f %%)" % (x / 1e3, 100 * x / total)
    return ("last flow %s %s->%s %.1f us: start %s, frames %s, feedback frames of its host %s (at most: some may "
            "follow its last packet), window blocked %s (before the first ACK %s), pacing %s, other idle %s, "
            "tail %s; first ACK after %.1f us" % (
                fl["id"], fl["src"], fl["dst"], total / 1e3, part(start), part(frames), part(acks), part(win),
                part(first), part(pace), part(other), part(tail), fl["first_ack_ns"] / 1e3))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
