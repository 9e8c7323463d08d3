"""./loom bench --crosscheck: the same small experiment in real time and in
virtual time (issue 8's cross-check), and how far apart the results are.

The experiment is a 2:1 incast: h0 (leaf0) and h2 (leaf1) each send a
fixed-rate UDP flow at --rate (default 100M, a rate the CPU carries in real
time) to h3 (leaf1), whose link runs at --rate too, so that leaf1's port to
h3 is the bottleneck. By default the two flows carry different DSCPs (CS1,
CS2: classes 1 and 2) that the traffic manager serves by DRR with weights
3:1, each class marking ECT packets by RED (Kmin 20 KB, Kmax 600 KB, Pmax
0.2) in a 300 KB queue: the shares (0.75 / 0.25) come from the shaper and
the scheduler, the mark fractions from RED on a full queue, in
both modes. With --tail-drop both flows share one FIFO class instead: then
who gets through a full queue depends on the phase of arrivals, which
exact pacing in virtual time and polling bursts in real time do not share
(a known limit of fixed-rate senders, not of the switch). Every other link runs at --fast (default 1G): the
senders' packets, jittered by host_jitter, then reach the bottleneck still
jittered (a link saturated by a flow lines its packets up again, and with
senders in lockstep one of them takes every drop of the full queue).

  virtual   loomctl run: generator hosts in loomd's virtual-time runner
  realtime  loomctl up: the same generator hosts inside a real-time loomd
            (their packets paced by the TSC), for the same duration; the
            per-flow results come from loomd's `flows` control command

Per flow it compares the throughput share (received bytes over the sum of
both) and the CE-marked fraction (marked / received packets; the marks
come from the traffic manager's ECN marking, once it is on the port), and
fails when a share or a fraction differs by more than --tolerance
(absolute). Real-time runs take `flock /run/loom-fabric.lock` like the
fabric tests.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

TOPOLOGY = """# cross-check: 2:1 incast ({clock})
fabric: xcheck
clock: {clock}
seed: 1
duration: {duration}
host_jitter: {jitter}
defaults: {{ link_rate: {fast}, delay: 1us }}
switches:
  - {{ name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }}
  - {{ name: leaf1, role: leaf, ipv4: 10.0.1.0/24 }}
  - {{ name: spine0, role: spine }}
hosts:
  - {{ name: h0, port_type: generator }}
  - {{ name: h1, port_type: generator }}
  - {{ name: h2, port_type: generator }}
  - {{ name: h3, port_type: generator }}
links:
  - {{ a: h0, b: leaf0:0 }}
  - {{ a: h1, b: leaf0:1 }}
  - {{ a: h2, b: leaf1:0 }}
  - {{ a: h3, b: leaf1:1, rate: {rate} }}
  - {{ a: leaf0:2, b: spine0:0 }}
  - {{ a: leaf1:2, b: spine0:1 }}
{traffic}"""

TRAFFIC_TAIL_DROP = """traffic:
  - {{ pattern: incast, senders: [h0, h2], to: h3, rate: {rate}, packet: 1500, ecn: true }}
"""

TRAFFIC_WEIGHTED = """tm:
  class.1.weight: 3
  class.2.weight: 1
  queue_limit: 300KB
  ecn: red
  ecn.kmin: 20KB
  ecn.kmax: 600KB
  ecn.pmax: 0.2
traffic:
  - {{ src: h0, dst: h3, rate: {rate}, packet: 1500, ecn: true, dscp: 8 }}
  - {{ src: h2, dst: h3, rate: {rate}, packet: 1500, ecn: true, dscp: 16 }}
"""


def write_topology(directory, clock, args):
    path = os.path.join(directory, "xcheck-%s.yaml" % clock)
    with open(path, "w") as f:
        traffic = (TRAFFIC_TAIL_DROP if args.tail_drop else TRAFFIC_WEIGHTED).format(rate=args.rate)
        f.write(TOPOLOGY.format(clock=clock, duration=args.duration, rate=args.rate, fast=args.fast,
                                jitter=args.jitter, traffic=traffic))
    return path


def run_virtual(loomctl, topo, directory):
    out = os.path.join(directory, "virtual.json")
    subprocess.run([loomctl, "run", topo, "--out", out], check=True, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)


def ctl(loomctl, request):
    p = subprocess.run([loomctl, "raw", json.dumps(request)], check=True, capture_output=True, text=True)
    reply = json.loads(p.stdout)
    if not reply.get("ok"):
        raise RuntimeError("loomd: %s" % reply)
    return reply["result"]


def run_realtime(loomctl, topo, seconds):
    """Bring the fabric up, let the flows run out (they stop at the
    topology's duration, counted from loomd's start), collect, tear down."""
    subprocess.run([loomctl, "up", topo], check=True, stdout=subprocess.DEVNULL)
    try:
        time.sleep(seconds + 0.5)
        flows = ctl(loomctl, {"cmd": "flows"})
        stats = ctl(loomctl, {"cmd": "stats"})
    finally:
        subprocess.run([loomctl, "down"], stdout=subprocess.DEVNULL)
    flows["switches"] = stats["switches"]
    return flows


def conserved(results):
    return all(sw["conserved"] for sw in results["switches"])


def summary(results):
    flows = results["flows"]
    total = sum(f["rx_bytes"] for f in flows) or 1
    return {
        f["src"]: {
            "share": f["rx_bytes"] / total,
            "rx_rate_bps": f["rx_rate_bps"],
            "ce_fraction": f["ce_marked"] / f["rx_packets"] if f["rx_packets"] else 0.0,
            "rx_packets": f["rx_packets"],
            "tx_packets": f["tx_packets"],
        }
        for f in flows
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    ap.add_argument("--rate", default="100M", help="each flow's rate and h3's link rate (default 100M)")
    ap.add_argument("--fast", default="1G", help="the other links' rate (default 1G)")
    ap.add_argument("--duration", default="2s", help="how long the flows send (default 2s)")
    ap.add_argument("--jitter", default="1200us", help="host_jitter of the virtual run (default 10 packet times at 100M)")
    ap.add_argument("--tolerance", type=float, default=0.05, help="largest |difference| of a share or fraction")
    ap.add_argument("--tail-drop", action="store_true",
                    help="one FIFO class, tail drop (shows the phase effect of fixed-rate senders)")
    args = ap.parse_args()
    loomctl = os.path.join(args.build, "control", "loomctl")
    seconds = float(args.duration[:-1]) if args.duration.endswith("s") and args.duration[-2].isdigit() else None
    if seconds is None:
        sys.exit("--duration: give seconds, e.g. 2s")

    with tempfile.TemporaryDirectory(prefix="loom-xcheck-") as d:
        t0 = time.time()
        virt_results = run_virtual(loomctl, write_topology(d, "virtual", args), d)
        t_virtual = time.time() - t0
        t0 = time.time()
        real_results = run_realtime(loomctl, write_topology(d, "realtime", args), seconds)
        t_real = time.time() - t0
    virt, real = summary(virt_results), summary(real_results)

    print("2:1 incast at %s for %s (virtual run %.1f s wall, real-time run %.1f s wall)" % (
        args.rate, args.duration, t_virtual, t_real))
    print("%-4s %10s %10s %8s   %12s %12s   %10s %10s" % (
        "src", "share(v)", "share(rt)", "diff", "rate(v)", "rate(rt)", "ce(v)", "ce(rt)"))
    worst = 0.0
    for src in sorted(virt):
        v, r = virt[src], real[src]
        diff = abs(v["share"] - r["share"])
        worst = max(worst, diff, abs(v["ce_fraction"] - r["ce_fraction"]))
        print("%-4s %10.4f %10.4f %8.4f   %9.2f Mb %9.2f Mb   %10.4f %10.4f" % (
            src, v["share"], r["share"], diff, v["rx_rate_bps"] / 1e6, r["rx_rate_bps"] / 1e6,
            v["ce_fraction"], r["ce_fraction"]))
    print("conservation on every switch: virtual %s, real time %s" % (conserved(virt_results), conserved(real_results)))
    total_rt = sum(r["rx_rate_bps"] for r in real.values())
    total_v = sum(v["rx_rate_bps"] for v in virt.values())
    print("bottleneck throughput: virtual %.2f Mb/s, real time %.2f Mb/s" % (total_v / 1e6, total_rt / 1e6))
    if total_rt > 1.05 * total_v:
        print("note: in real time h3's port carried more than its rate: nothing limits a port's output rate "
              "in real time until the traffic manager's shaper does, so the real-time shares are the "
              "senders' rates, not a contention result")
    ok = worst <= args.tolerance and conserved(virt_results) and conserved(real_results)
    print("largest difference %.4f (tolerance %.4f): %s" % (worst, args.tolerance, "ok" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
