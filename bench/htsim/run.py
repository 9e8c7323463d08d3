#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
./loom bench --htsim: issue 23's benchmark (docs/VIRTUAL_TIME.md, "Against
htsim"). Runs bench/htsim/permutation_128.yaml and incast_k8.yaml in every
load-balancing mode with `loomctl run` and prints one table per file:

  ecmp, spray, spray_flow, flowlet,      the switches' policy (docs/POLICIES.md;
  adaptive, adaptive_flow, drill         flowlet with idle_time: rtt/2)
  endpoint                               ECMP switches, generator hosts vary
                                         the entropy (UDP source port) per packet
                                         with UEC's REPS (`entropy: reps`: the
                                         ports whose ACKs came back unmarked
                                         are reused, loom/lb/reps.h)
  endpoint_random                        the same, each packet's port at random
                                         (oblivious spraying, `entropy: per_packet`)
  cell                                   mode: cell (docs/CELLS.md), fabric links
                                         at --speedup x their rate (1.25)
  conga, conga_packet                    CONGA (docs/CONGA.md): leaf-to-leaf
                                         feedback; per flowlet (idle_time:
                                         rtt/2) or per packet

Every mode runs ONE transport and congestion control (--transport,
--cc; default selective_repeat + NSCC (loom/cc/nscc.h) with each file's
base RTT and a 12 us delay target: UEC's CC, which htsim's reference
figures ran, and which does not back off from spraying's transient
queues as DCTCP does; with receiver credits (UEC's RCCC: NSCC_CREDIT
below; --no-credit: NSCC alone). --cc dctcp is the earlier set-up (RFC 8257's 10 MSS
and alpha 1; --init-cwnd bdp --initial-alpha 0 starts it at line rate as
htsim's sources do, which helps the permutation and collapses the incast):
the files' `cc:` is replaced, `transport:` added to the flows, and with a
transport that NACKs trimmed packets (selective_repeat) the switches trim
(`trim: {classes: [0], dscp: 63}`: a packet class 0 would drop is cut to
its headers and sent in strict class 7). Receivers coalesce their ACKs,
one per 4 data packets as htsim's UEC sink (16 KB of 4 KB packets;
--ack-every 1: an ACK per packet, the set-up before). Other combinations are extra rows:
e.g. --transport go_back_n --cc dcqcn --out DIR2.

Columns: flows completed, the last completion time over the ideal (every
receiver's payload through its link at line rate: the permutation's one
flow, the incast's 32), mean and min goodput of the flows (payload bits
received over the flow's completion time; a flow that did not complete:
over the time from its start to its last packet), Jain's fairness of the completion times, drops in the
switches, trimmed packets (the switches' count), and the senders'
retransmissions and timeouts (the flows' results). Figures only: nothing is
asserted. --size 16M runs the permutation's 16 MB flows (the duration
scales with the size); --seeds runs more seeds; --modes picks modes;
--again DIR prints the tables of an earlier --out DIR without running.
bench/htsim/breakdown.py DIR/RUN.json says where a run's time went (the
queues per kind of port, the senders' idle time).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILES = ["permutation_128.yaml", "incast_k8.yaml"]
MODES = ["ecmp", "spray", "spray_flow", "flowlet", "adaptive", "adaptive_flow", "drill", "endpoint", "endpoint_random", "cell",
         "conga", "conga_packet"]
# The endpoint modes' `entropy:` (switches ECMP).
ENDPOINT_ENTROPY = {"endpoint": "reps", "endpoint_random": "per_packet"}
SIZE_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}


def parse_size(s):
    m = re.fullmatch(r"(\d+)([KMG]?)", s)
    if not m:
        raise SystemExit("bad size %r (e.g. 2M, 16M)" % s)
    return int(m.group(1)) * SIZE_UNITS[m.group(2)]


# Modes with tunables the benchmark sets: flowlet's idle gap at half the
# fabric's base round trip (4.66 us here; SAI's 256 us default never comes
# between the packets of a window-limited flow at 100G, so no flowlet ever
# formed: docs/POLICIES.md, "flowlet").
# conga (per flowlet) takes the same gap, for the same reason.
LB_MODES = {"flowlet": "{ mode: flowlet, idle_time: rtt/2 }", "conga": "{ mode: conga, idle_time: rtt/2 }"}
TRIM = "  trim: { classes: [0], dscp: 63 }\n"
# NSCC's queueing-delay target for both files: 12 us, 1.3 x the
# permutation's base RTT (its default 3/4 of it cut on spraying's queues:
# 16 MB spray 1.20 against 1.14) and below what the incast's one-BDP
# queue holds (13.3 us), so a full bottleneck still cuts.
NSCC_TARGET = "target_delay: 12us"
NSCC_EXTRA = []  # --nscc KEY: VALUE, e.g. "max_cwnd: 232KB"
# Receiver credits (UEC's RCCC beside NSCC, docs/VIRTUAL_TIME.md "Receiver
# credits"): each receiver's pacer shares its link among the flows that
# ask; a sender starts at NSCC's cap (1.5 BDP, as htsim's sources) but
# sends at most credit_spec (15 of the bench's 4 KB packets, about half a
# BDP) before its first grant. Without them the 32:1 incast finishes at
# 1.024-1.034 x with Jain 0.97-0.995 (32 windows share one port by
# trimming); with them at 1.017-1.018 and 1.000, at ~0.002 in the
# permutation (session 6). --no-credit: NSCC alone.
NSCC_CREDIT = ["receiver_credit: true", "credit_spec: 61650", "start_at_cap: true"]
# The permutation's trims are spraying's transient collisions (every one
# at a few us of queue): quick adapt on them cut flows running at line
# rate (16 MB seed 1: spray 1.162, adaptive 1.223 against 1.129, 1.116
# without), so there a NACK never quick-adapts (a delay above qa_delay
# still does); the incast's trims come from its standing queue, and there
# NACKs quick-adapt from target / 2 (NSCC's default).
NSCC_QA_TRIM = "qa_trim_delay: 1s"
TRIMMING_TRANSPORTS = ("selective_repeat",)
# The receivers' ACK coalescing (loom/transport/ack_coalesce.h): htsim's
# UEC sink acknowledges every 16 KB (UecSink::_bytes_unacked_threshold),
# 4 packets of its 4 KB MSS; an ACK per packet took ~2.4 % of every host's
# uplink and of the fabric's downlinks.
ACK_EVERY = 4


def bdp_bytes(text):
    """One BDP: the files' queue_limit (each file sizes its queues at one BDP)."""
    m = re.search(r"(?m)^  queue_limit: (\d+)KB$", text)
    return int(m.group(1)) * 1000


def cc_text(text, cc, init_cwnd, initial_alpha):
    """The flows' `cc:`: DCTCP starts at init_cwnd ('bdp': one BDP, as
    htsim's sources start at line rate) with initial_alpha; as the code's
    defaults (10 MSS, alpha 1) when both are None."""
    if cc == "nscc":
        # the base RTT as htsim gives its sources (from the topology, per
        # pair of hosts: `base_rtt: path`), so NSCC starts at its path's
        # BDP and caps at 1.5 (loom/cc/nscc.h) instead of measuring it (an
        # incast's queue never empties: the smallest sample is no floor)
        extra = NSCC_EXTRA if any(k.startswith("target_delay") for k in NSCC_EXTRA) else [NSCC_TARGET] + NSCC_EXTRA
        extra = [k for k in NSCC_CREDIT if k.split(":")[0] not in {e.split(":")[0] for e in extra}] + extra
        if re.search(r"(?m)^  - \{ pattern: permutation", text) and not any(k.startswith("qa_trim_delay") for k in extra):
            extra = extra + [NSCC_QA_TRIM]
        return "{type: nscc, base_rtt: path%s}" % "".join(", " + k for k in extra)
    if cc != "dctcp" or (init_cwnd is None and initial_alpha is None):
        return cc
    keys = []
    if init_cwnd is not None:
        keys.append("init_cwnd: %d" % (bdp_bytes(text) if init_cwnd == "bdp" else parse_size(init_cwnd)))
    if initial_alpha is not None:
        keys.append("initial_alpha: %g" % initial_alpha)
    return "{type: dctcp, %s}" % ", ".join(keys)


def variant(text, mode, seed, size, transport="selective_repeat", cc="nscc", speedup=1.25, rto=None,
            init_cwnd=None, initial_alpha=None, ack_every=1):
    """The topology text for one run: the mode, the seed, the flow size
    (the duration scaled with it), the transport and congestion control of
    every flow, trimming where the transport uses it, the cell speedup."""
    text = re.sub(r"(?m)^seed: \d+$", "seed: %d" % seed, text)
    if transport:
        extra = ", transport: %s" % transport + (", rto: %s" % rto if rto else "") + (
            ", ack_every: %d" % ack_every if ack_every > 1 else "")
        text = re.sub(r"(\{ pattern: [^}]*)\}", r"\1%s }" % extra, text)
    text = re.sub(r"\bcc: \w+", "cc: %s" % cc_text(text, cc, init_cwnd, initial_alpha), text)
    if transport in TRIMMING_TRANSPORTS:
        text = re.sub(r"(?m)^tm:\n", "tm:\n" + TRIM, text)
    if size:
        old = parse_size(re.search(r"bytes: (\w+)", text).group(1))
        dur = re.search(r"(?m)^duration: (\d+)ms$", text)
        text = re.sub(r"bytes: \w+", "bytes: %d" % size, text)
        if dur:
            ms = max(1, -(-int(dur.group(1)) * size // old))
            text = text.replace(dur.group(0), "duration: %dms" % ms)
    if mode == "cell":
        text += "mode: cell\n"
        if speedup != 1:
            text += "cell: { speedup: %g }\n" % speedup
    elif mode in ENDPOINT_ENTROPY:
        text = re.sub(r"(\{ pattern: \w+)", r"\1, entropy: %s" % ENDPOINT_ENTROPY[mode], text)
    else:
        text += "load_balancing: %s\n" % LB_MODES.get(mode, mode)
    return text


def jain(xs):
    return sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs)) if xs and any(xs) else 0.0


def link_rate_bps(text):
    m = re.search(r"link_rate: (\d+)G", text)
    return int(m.group(1)) * 10**9


def summarize(r, rate, duration_ns):
    flows = r["flows"]
    done = [f for f in flows if f["completion_ns"] >= 0]
    into = {}
    for f in flows:
        into[f["dst"]] = into.get(f["dst"], 0) + f["bytes"]
    ideal_ns = max(into.values()) * 8 * 1e9 / rate
    goodput = []
    for f in flows:
        t = f["completion_ns"] if f["completion_ns"] > 0 else (
            f["last_rx_ns"] - f["start_ns"] if f["last_rx_ns"] > f["start_ns"] else 0)
        goodput.append(f["rx_payload_bytes"] * 8 / (t * 1e-9) if t else 0.0)
    drops = 0
    for sw in r["switches"]:
        for p in sw.get("ports", []):
            drops += sum(p.get("drops", {}).values())
    row = {
        "completed": "%d/%d" % (len(done), len(flows)),
        "last_fct_ideal": max(f["completion_ns"] for f in done) / ideal_ns if done else None,
        "mean_gbps": sum(goodput) / len(goodput) / 1e9 if goodput else 0,
        "min_gbps": min(goodput) / 1e9 if goodput else 0,
        "jain_fct": jain([f["completion_ns"] for f in done]) if len(done) == len(flows) else None,
        "drops": drops,
    }
    trimmed = [p["tm"]["trimmed"] for sw in r["switches"] for p in sw.get("ports", [])
               if "trimmed" in p.get("tm", {})]
    # a cell fabric's VOQs trim too (docs/CELLS.md, "VOQs in congestion control")
    trimmed += [sw["cell"]["counters"].get("voq_trimmed", 0) for sw in r["switches"]
                if "counters" in sw.get("cell", {})]
    row["trims"] = sum(trimmed) if trimmed else 0
    for key in ("retransmissions", "timeouts"):
        vals = [f[key] for f in flows if key in f]
        row[key] = sum(vals) if vals else "-"
    return row


def fmt(v, spec):
    return "-" if v is None else (spec % v if not isinstance(v, str) else v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--files", nargs="*", default=FILES)
    ap.add_argument("--modes", nargs="*", default=MODES)
    ap.add_argument("--seeds", type=int, nargs="*", default=[1])
    ap.add_argument("--size", help="the permutation's flow size (2M as written, 16M as htsim's first row)")
    ap.add_argument("--transport", default="selective_repeat",
                    help="every flow's transport: selective_repeat (default; the switches trim), go_back_n, "
                    "or none (the files' flows as written: no loss recovery)")
    ap.add_argument("--cc", default="nscc", help="every flow's congestion control: nscc (default), dctcp, dcqcn")
    ap.add_argument("--init-cwnd", help="DCTCP's initial window: bdp (one BDP, the files' queue_limit) or a "
                    "size (e.g. 40K); default the code's, 10 MSS")
    ap.add_argument("--initial-alpha", type=float, help="DCTCP's initial alpha (default the code's, 1)")
    ap.add_argument("--rto", help="every flow's retransmission timeout (e.g. 100us; default the transport's)")
    ap.add_argument("--ack-every", type=int, default=ACK_EVERY,
                    help="with a recovering transport: the receivers' ACK coalescing, one ACK per N data packets "
                    "(default %d: htsim's UEC sink, 16 KB of 4 KB packets; 1: an ACK per packet)" % ACK_EVERY)
    ap.add_argument("--speedup", type=float, default=1.25, help="cell mode's fabric speedup (default 1.25)")
    ap.add_argument("--out", help="keep the results here (default: a temporary folder)")
    ap.add_argument("--again", metavar="DIR", help="the tables of an earlier --out DIR, without running")
    ap.add_argument("--nscc", action="append", default=[], metavar="'KEY: VALUE'",
                    help="with --cc nscc: a parameter beside base_rtt (e.g. 'max_cwnd: 232KB', 'target_delay: 5us')")
    ap.add_argument("--no-credit", action="store_true",
                    help="with --cc nscc: no receiver credits (NSCC alone, from one BDP: the set-up before session 6)")
    a = ap.parse_args()
    NSCC_EXTRA.extend(a.nscc)
    if a.no_credit:
        del NSCC_CREDIT[:]
    loomctl = os.path.join(a.build, "control", "loomctl")
    out_dir = a.again or a.out or tempfile.mkdtemp(prefix="loom-htsim-")
    os.makedirs(out_dir, exist_ok=True)
    for name in a.files:
        path = name if os.path.isabs(name) else os.path.join(HERE, name)
        with open(path) as f:
            base = f.read()
        size = parse_size(a.size) if a.size and "permutation" in base else None
        print("\n== %s%s: transport %s, cc %s, cell speedup %g, ack every %d" % (
            os.path.basename(path), " (%s flows)" % a.size if size else "", a.transport,
            cc_text(base, a.cc, a.init_cwnd, a.initial_alpha), a.speedup, a.ack_every), flush=True)
        print("%-15s %4s %9s %9s %8s %8s %6s %9s %6s %7s %8s %7s" % (
            "mode", "seed", "completed", "last/ideal", "mean G", "min G", "jain", "drops", "trims", "retrans",
            "timeouts", "wall s"))
        for seed in a.seeds:
            for mode in a.modes:
                text = variant(base, mode, seed, size, None if a.transport == "none" else a.transport,
                               a.cc, a.speedup, a.rto, a.init_cwnd, a.initial_alpha,
                               a.ack_every if a.transport != "none" else 1)
                run_name = "%s-%s-%d" % (os.path.splitext(os.path.basename(path))[0], mode, seed)
                topo = os.path.join(out_dir, run_name + ".yaml")
                res = os.path.join(out_dir, run_name + ".json")
                if a.again:
                    if not os.path.exists(res):
                        print("%-15s %4d  not run" % (mode, seed), flush=True)
                        continue
                    p = subprocess.CompletedProcess([], 0, "", "")
                else:
                    with open(topo, "w") as f:
                        f.write(text)
                    p = subprocess.run([loomctl, "run", topo, "--out", res], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
                if p.returncode != 0:
                    why = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"
                    print("%-15s %4d  not run: %s" % (mode, seed, why[:150]), flush=True)
                    continue
                wall = re.search(r"loop ([\d.]+) s", p.stderr)
                with open(res) as f:
                    r = json.load(f)
                dur = int(re.search(r"(?m)^duration: (\d+)ms$", text).group(1)) * 10**6
                row = summarize(r, link_rate_bps(text), dur)
                print("%-15s %4d %9s %9s %8s %8s %6s %9d %6s %7s %8s %7s" % (
                    mode, seed, row["completed"], fmt(row["last_fct_ideal"], "%.3f"), fmt(row["mean_gbps"], "%.1f"),
                    fmt(row["min_gbps"], "%.1f"), fmt(row["jain_fct"], "%.3f"), row["drops"], row["trims"],
                    row["retransmissions"], row["timeouts"], wall.group(1) if wall else "?"), flush=True)
    print("\nresults: %s" % out_dir)


if __name__ == "__main__":
    sys.exit(main())
