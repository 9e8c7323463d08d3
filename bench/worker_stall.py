#!/usr/bin/python3
"""The real-time worker under sustained load: how late its loop turns
start (loomd's fidelity record, `loomctl status --json`), second by second.

Brings the default fabric up (take /run/loom-fabric.lock first) with a
sustained load for --seconds: `--load generator` (default) makes its eight
hosts loomd's generator hosts, each sending 10 Gb/s across the spines, so
that the worker never idles; `--load udp` keeps the namespace hosts and
runs iperf3 UDP floods between leaves (on a 2-core machine the worker then
idles most of the time: the senders are the bottleneck). It prints per second: the
worker's CPU share (its thread's schedstat), idle sleeps, the latest turn
in that second and when it was, then the run's figures. The kernel's
real-time throttling (sched_rt_runtime_us of sched_rt_period_us) stops a
SCHED_RR task that ran that share of a period until the period ends: a
worker that never idles shows it as one ~50 ms late turn per second.

  flock /run/loom-fabric.lock nice -n 19 /usr/bin/python3 bench/worker_stall.py [--build build] [--seconds 20]
                                                                             [--worker-priority N]
Prints figures; asserts nothing (timing is the machine's).
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPO = os.path.join(ROOT, "vm", "topologies", "default.yaml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--worker-priority")
    ap.add_argument("--load", choices=("generator", "udp"), default="generator")
    a = ap.parse_args()
    loomctl = os.path.join(a.build, "control", "loomctl")
    topo = TOPO

    def ctl(*args, check=True):
        return subprocess.run([loomctl, *args], capture_output=True, text=True, check=check, timeout=120)

    def status():
        return json.loads(ctl("status", "--json").stdout)

    def in_host(h, *args, **kw):
        return subprocess.Popen(["ip", "netns", "exec", "loom-" + h, *args], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, **kw)

    if a.load == "generator":
        text = subprocess.run([loomctl, "topo", "expand", TOPO], capture_output=True, text=True, check=True).stdout
        for h in range(8):
            text = text.replace("  - name: h%d\n" % h, "  - name: h%d\n    port_type: generator\n" % h)
        text = text.replace("fabric: default\n", "fabric: default\nduration: %ds\nseed: 1\n" % (a.seconds + 30))
        text += "traffic:\n" + "".join("  - { src: h%d, dst: h%d, rate: 10G, packet: 1500 }\n" % (h, (h + 4) % 8)
                                       for h in range(8))
        topo = "/tmp/loom-worker-stall-%d.yaml" % os.getpid()
        with open(topo, "w") as f:
            f.write(text)
    up = [loomctl, "up", topo] + (["--worker-priority", a.worker_priority] if a.worker_priority else [])
    subprocess.run(up, check=True, capture_output=True, text=True, timeout=120)
    procs = []
    try:
        st = status()
        pid = st["pid"]
        print("worker: %s; sched_rt_runtime_us %s of %s" % (
            st["worker_scheduling"], open("/proc/sys/kernel/sched_rt_runtime_us").read().strip(),
            open("/proc/sys/kernel/sched_rt_period_us").read().strip()))
        # h0..h3 (leaves 0, 1) flood h4..h7 (leaves 2, 3)
        for s, d in (("h0", 4), ("h1", 5), ("h2", 6), ("h3", 7)) if a.load == "udp" else ():
            procs.append(in_host("h%d" % d, "iperf3", "-s", "-1"))
        time.sleep(0.5)
        for s, d in (("h0", 4), ("h1", 5), ("h2", 6), ("h3", 7)) if a.load == "udp" else ():
            procs.append(in_host(s, "iperf3", "-u", "-b", "0", "-l", "1400", "-t", str(a.seconds + 2),
                                 "-c", "10.0.%d.%d" % (d // 2, 2 + d % 2)))
        time.sleep(1)

        def run_ns():
            with open("/proc/%d/task/%d/schedstat" % (pid, pid)) as f:
                return int(f.read().split()[0])

        prev, prev_run, prev_t = status(), run_ns(), time.monotonic()
        first = prev
        rows = []
        for _ in range(a.seconds):
            time.sleep(1)
            cur, cur_run, t = status(), run_ns(), time.monotonic()
            f0, f1 = prev["fidelity"], cur["fidelity"]
            hist = [x - y for x, y in zip(f1["late_hist_ms"], f0["late_hist_ms"])]
            rows.append(((cur_run - prev_run) / ((t - prev_t) * 1e9), cur["idle_sleeps"] - prev["idle_sleeps"],
                         (f1["late_ns"] - f0["late_ns"]) / 1e6, hist))
            print("cpu %5.1f %%  idle sleeps %6d  behind %6.1f ms  late turns by ms bucket %s%s" % (
                100 * rows[-1][0], rows[-1][1], rows[-1][2], hist,
                "  latest so far %.1f ms at %.3f s" % (f1["max_late_ns"] / 1e6, f1["max_late_at_ns"] / 1e9)
                if f1["max_late_ns"] != f0["max_late_ns"] else ""))
            prev, prev_run, prev_t = cur, cur_run, t
        f0, f1 = first["fidelity"], prev["fidelity"]
        hist = [x - y for x, y in zip(f1["late_hist_ms"], f0["late_hist_ms"])]
        print("over %d s: worker cpu %.1f %% (mean), %.1f ms behind schedule, late turns by bucket %s "
              "(b: [2^b, 2^(b+1)) ms), turns >= 32 ms late: %d, latest turn of the run %.1f ms at %.3f s" % (
                  a.seconds, 100 * sum(r[0] for r in rows) / len(rows), (f1["late_ns"] - f0["late_ns"]) / 1e6,
                  hist, sum(hist[5:]), f1["max_late_ns"] / 1e6, f1["max_late_at_ns"] / 1e9))
        tx = sum(p.get("tx_packets", 0) for s in json.loads(ctl("stats", "--json").stdout).get("switches", [])
                 for p in s.get("ports", []))
        print("switch ports' tx packets in all: %d" % tx)
    finally:
        for p in procs:
            p.kill()
            p.wait()
        ctl("down", check=False)
        if topo != TOPO:
            os.unlink(topo)


if __name__ == "__main__":
    sys.exit(main())
