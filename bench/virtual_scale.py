#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
./loom bench --virtual-scale: the virtual-time scale rows (docs/VIRTUAL_TIME.md,
"Scale"). Runs each topology with `loomctl run` (default: the k=16 fat tree
with a 16 MB permutation and the k=32 one with 2 MB, bench/virtual_scale_k*.yaml)
and prints per run what loomd measured of itself on stderr: wall time before
the first event and of the loop, events, packet-hops (packet arrivals at a
switch port or host), wall microseconds per packet-hop, CPU time, peak memory
(RSS; a virtual run takes no hugepages) and its memory by purpose; then the
simulated outcome from the results. Figures only: nothing here is asserted.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = [os.path.join(ROOT, "bench", "virtual_scale_k16.yaml"), os.path.join(ROOT, "bench", "virtual_scale_k32.yaml")]


def field(pattern, text, conv=float):
    m = re.search(pattern, text)
    return conv(m.group(1)) if m else None


def run(loomctl, topo, out):
    print("==> %s (results in %s)" % (os.path.basename(topo), out), flush=True)
    p = subprocess.run([loomctl, "run", topo, "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    err = p.stderr
    if p.returncode != 0:
        print(err, end="", file=sys.stderr)
        return None
    row = {
        "fabric": field(r"fabric (\S+):", err, str),
        "switches": field(r"(\d+) switches", err, int),
        "hosts": field(r"(\d+) generator hosts", err, int),
        "events": field(r"virtual run: (\d+) events", err, int),
        "hops": field(r"(\d+) packet arrivals", err, int),
        "setup": field(r"set-up ([\d.]+) s", err),
        "loop": field(r"loop ([\d.]+) s", err),
        "user": field(r"CPU ([\d.]+) s user", err),
        "sys": field(r"([\d.]+) s system", err),
        "rss": field(r"memory: .*peak RSS ([\d.]+) MB", err),
        "memory": field(r"loomd: memory: (.*); peak RSS", err, str),
        "rss_all": field(r"peak RSS with the results written: ([\d.]+) MB", err),
    }
    r = json.load(open(out))
    rates = sorted(f["rx_rate_bps"] for f in r["flows"])
    row["outcome"] = ("flows %d, rx rate min/median/max %.1f/%.1f/%.1f Gb/s, no buffer %d; switch drops %d, "
                      "queued %d, in flight %d; conserved on every switch: %s" % (
                          len(rates), rates[0] / 1e9, rates[len(rates) // 2] / 1e9, rates[-1] / 1e9,
                          sum(f["tx_no_buffer"] for f in r["flows"]),
                          sum(s["dropped"] for s in r["switches"]), sum(s["queued"] for s in r["switches"]),
                          r["in_flight"], all(s["conserved"] for s in r["switches"])))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("topology", nargs="*", default=DEFAULT)
    a = ap.parse_args()
    loomctl = os.path.join(a.build, "control", "loomctl")
    rows = []
    for topo in a.topology:
        out = os.path.join(a.build, "virtual-scale-%s.json" % os.path.splitext(os.path.basename(topo))[0])
        row = run(loomctl, topo, out)
        if row is None:
            print("loom bench: %s failed" % topo, file=sys.stderr)
            return 1
        rows.append(row)
    print()
    print("%-18s %6s %8s %11s %11s %8s %8s %9s %9s %8s %8s %8s" % (
        "fabric", "hosts", "switches", "events", "pkt-hops", "setup s", "loop s", "us/hop lp", "us/hop all",
        "CPU s", "peak MB", "+results"))
    for r in rows:
        print("%-18s %6d %8d %11d %11d %8.2f %8.2f %9.3f %9.3f %8.2f %8.0f %8.0f" % (
            r["fabric"], r["hosts"], r["switches"], r["events"], r["hops"], r["setup"], r["loop"],
            r["loop"] * 1e6 / r["hops"], (r["setup"] + r["loop"]) * 1e6 / r["hops"], r["user"] + r["sys"],
            r["rss"], r["rss_all"] or 0))
    print("(peak MB: RSS at the end of the run, hugepages none (--no-huge); +results: with the results' JSON "
          "built and written)")
    for r in rows:
        print("\n%s memory: %s\n%s outcome: %s" % (r["fabric"], r["memory"], r["fabric"], r["outcome"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
