#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Flow completion of a virtual-time run against the ideal (docs/CELLS.md, "The
128-host Clos of issue 23"): runs a topology with `loomctl run` (optionally
with another flow size, packet size or speedup) and prints flows completed,
the last FCT, and the last FCT over two ideals: the payload at the host's
line rate (htsim's ideal) and the frames at line rate (what credits at the
port's rate can reach). Figures only: nothing here is asserted.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNITS = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
HEADERS = 42  # Ethernet, IPv4, UDP: a generator host's frame less its payload


def size(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", s)
    if not m:
        raise argparse.ArgumentTypeError("'%s' is not a size (2M, 16M, 300K)" % s)
    return m.group(1) + m.group(2), float(m.group(1)) * UNITS[m.group(2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("topology")
    ap.add_argument("--bytes", type=size, help="flow size instead of the topology's (e.g. 2M)")
    ap.add_argument("--packet", type=int, help="frame bytes instead of the topology's")
    ap.add_argument("--speedup", help="cell: speedup instead of the topology's")
    ap.add_argument("--build", default=os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build")))
    a = ap.parse_args()
    with open(a.topology) as f:
        text = f.read()
    m = re.search(r"bytes: (\S+?)[,}]", text)
    flow_text, flow = size(m.group(1))
    pkt = int(re.search(r"packet: (\d+)", text).group(1))
    rate = float(re.search(r"link_rate: (\d+)G", text).group(1)) * 1e9
    if a.bytes:
        flow_text, flow = a.bytes
        # duration: the frames at line rate, twice over, and 100 us
        ns = int(2 * flow / (pkt - HEADERS) * pkt * 8 / rate * 1e9) + 100000
        text = re.sub(r"bytes: \S+?([,}])", r"bytes: %s\1" % flow_text, text)
        text = re.sub(r"\nduration: \S+\n", "\nduration: %dns\n" % ns, text)
    if a.packet:
        pkt = a.packet
        text = re.sub(r"packet: \d+", "packet: %d" % pkt, text)
    if a.speedup:
        text = re.sub(r"speedup: [^,}\s]+", "speedup: %s" % a.speedup, text)
    with tempfile.TemporaryDirectory(prefix="loom-cell-fct-") as d:
        topo = os.path.join(d, "topology.yaml")
        out = os.path.join(d, "results.json")
        with open(topo, "w") as f:
            f.write(text)
        p = subprocess.run([os.path.join(a.build, "control", "loomctl"), "run", topo, "--out", out],
                           capture_output=True, text=True)
        sys.stderr.write(p.stderr)
        if p.returncode != 0:
            return 1
        with open(out) as f:
            r = json.load(f)
    flows = r["flows"]
    done = [f["completion_ns"] for f in flows if f["completion_ns"] > 0 and f["rx_payload_bytes"] >= flow]
    ideal = flow * 8 / rate * 1e9
    wire = flow / (pkt - HEADERS) * pkt * 8 / rate * 1e9
    drops = {}
    for sw in r["switches"]:
        for k, v in sw["drops"].items():
            if v:
                drops[k] = drops.get(k, 0) + v
    print("flows of %s, %d-byte frames: %d of %d completed" % (flow_text, pkt, len(done), len(flows)))
    if done:
        print("last FCT %.1f us (first %.1f us); / ideal (payload at line rate, %.1f us): %.4f x; "
              "/ frames at line rate (%.1f us): %.4f x" % (max(done) / 1e3, min(done) / 1e3, ideal / 1e3,
                                                          max(done) / ideal, wire / 1e3, max(done) / wire))
    print("drops: %s; reordered packets: %d" % (drops or "none", sum(f["reordered"] for f in flows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
