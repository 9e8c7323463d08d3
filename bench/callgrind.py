"""Instructions per packet of the loomd leaf, from valgrind's callgrind: the
stable measure on these VMs (timing is noisy, perf has no PMU).

The bench's leaf (bench.py leaf_topology) with a FINITE pcap of `--packets`
frames of the bench's 1024 flows, under `valgrind --tool=callgrind`; when
every frame has been received loomd is shut down, and the inclusive cost
of the switch handlers (the receive stages + loom_switch_transmit) and of
the whole worker loop (loom_run_realtime) is divided by the packet count.
The receive stages are loom_switch_receive_stages (its caller's test for
a trace, pipeline/switch_receive.h, is inline in the loop), or
loom_switch_receive in builds before it, so that both can be compared.

--fabric SxL instead runs the fabric scaling bench's fabric (bench.py
fabric_topology: S spines, L leaves, generator hosts sending to hosts of
other leaves) under callgrind for --seconds of wall time and divides by
the packets delivered to hosts: instructions per delivered packet of the
whole worker loop, of the switch handlers and of the generator hosts'
handlers (a delivered packet costs three switch hops). At 2 x 4 it repeats
within 1 % between runs; in larger fabrics what is dropped and how full
the bursts are follow valgrind's own timing, and one build's figure moved
by up to 40 % between runs at 4 x 8: compare several runs there.

Build for it with -Dmarch=haswell (valgrind has no AVX-512):
  meson setup build-vg -Dmarch=haswell -Dtests=disabled && ninja -C build-vg
  /usr/bin/python3 bench/callgrind.py --build build-vg --tm off --mode ecmp
  /usr/bin/python3 bench/callgrind.py --build build-vg --tm on --pipeline p4
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import pcapgen  # noqa: E402

RECEIVE = ("loom_switch_receive_stages", "loom_switch_receive")
HOSTS = ("loom_gen_host_transmit", "loom_gen_host_receive")
FUNCS = RECEIVE + ("loom_switch_transmit", "loom_run_realtime") + HOSTS


def inclusive_costs(out_file):
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                         capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*:(\w+)", line)
        if m and m.group(2) in FUNCS and m.group(2) not in costs:
            costs[m.group(2)] = int(m.group(1).replace(",", ""))
    return costs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(bench.ROOT, "build-vg"))
    ap.add_argument("--packets", type=int, default=200000)
    ap.add_argument("--tm", choices=("on", "off"), default="off")
    ap.add_argument("--mode", default="ecmp", help="load-balancing mode of the leaf")
    ap.add_argument("--pipeline", choices=("native", "p4"), default="native",
                    help="the leaf's pipeline (p4: p4/loom.spec on DPDK's SWX pipeline)")
    ap.add_argument("--keep", help="copy the callgrind output here")
    ap.add_argument("--fabric", help="SxL: the fabric scaling bench's fabric instead of the leaf")
    ap.add_argument("--seconds", type=int, default=60, help="--fabric: wall seconds under callgrind")
    args = ap.parse_args()
    if args.fabric:
        return fabric(args)

    work = tempfile.mkdtemp(prefix="loom-cg-")
    try:
        frames = pcapgen.flows("02:48:00:00:00:00", "02:4c:00:%02x:00:00" % bench.N_UPLINKS, "10.0.0.2", "10.0.1")
        pcap = os.path.join(work, "flows.pcap")
        pcapgen.write_pcap(pcap, [frames[i % len(frames)] for i in range(args.packets)])
        topo = bench.leaf_topology(work, pcap, args.pipeline, tm=args.tm == "on")
        text = open(topo).read().replace(",infinite_rx=1", "")
        if args.mode != "ecmp":
            text = text.replace("tm:\n", "load_balancing: %s\ntm:\n" % args.mode, 1)
        open(topo, "w").write(text)
        cfg = os.path.join(work, "leaf.json")
        with open(cfg, "w") as f:
            f.write(bench.sh(os.path.join(args.build, "control", "loomctl"), "compile", topo, "--only", "leaf0").stdout)
        out_file = os.path.join(work, "callgrind.out")
        d = start_loomd(args.build, cfg, work, out_file, mem_mb=1024)
        p = d.p
        rx = 0
        while p.poll() is None:
            st = d.req("stats")
            rx = sum(pt["rx_packets"] for s in st["switches"] for pt in s["ports"])
            if rx >= args.packets:
                break
            time.sleep(2)
        d.stop()
        p.wait()
        costs = inclusive_costs(out_file)
        if args.keep:
            shutil.copy(out_file, args.keep)
        receive = next((costs[f] for f in RECEIVE if f in costs), 0)
        handlers = receive + costs.get("loom_switch_transmit", 0)
        print("leaf %s tm %s mode %s: %d packets; instructions/packet: switch handlers %.1f, worker loop %.1f"
              % (args.pipeline, args.tm, args.mode, rx, handlers / rx, costs.get("loom_run_realtime", 0) / rx))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def start_loomd(build, cfg, work, out_file, extra=(), mem_mb=2048):
    """loomd under callgrind (extra: callgrind's own options), once its socket is there."""
    sock = os.path.join(work, "cg.sock")
    log = open(os.path.join(work, "loomd.log"), "w")
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file, *extra,
                          os.path.join(build, "dataplane", "loomd"), "--config", cfg, "--socket", sock,
                          "--", "-l", "0", "--no-pci", "--no-huge", "-m", str(mem_mb), "--file-prefix",
                          "loomcg%d" % os.getpid(), "--log-level", "*:error"],
                         stdout=log, stderr=subprocess.STDOUT)
    d = bench.Loomd.__new__(bench.Loomd)
    d.sock, d.p, d.log = sock, p, log
    for _ in range(1200):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.5)
    return d


def delivered(d):
    """What leaves have sent to their hosts (bench.py measure(host_ports_only)):
    a host port's name has no ':'."""
    st = d.req("stats")
    return sum(p["tx_packets"] for s in st["switches"] for p in s["ports"] if not re.match(r".*:\d+$", p["name"]))


def total_instructions(out_file):
    """The run's total instructions: the largest summary or totals line
    (callgrind writes a summary of 0 when instrumentation starts off)."""
    best = 0
    with open(out_file) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                best = max(best, int(line.split()[1]))
    return best


def fabric_window(d, args, out_file):
    """The steady window: (packets delivered in it, instructions)."""
    time.sleep(3)
    subprocess.run(["callgrind_control", "-i", "on", str(d.p.pid)], capture_output=True, check=True)
    d0 = delivered(d)
    time.sleep(args.seconds)
    d1 = delivered(d)
    subprocess.run(["callgrind_control", "-i", "off", str(d.p.pid)], capture_output=True, check=True)
    d.stop()
    d.p.wait()
    return max(1, d1 - d0), total_instructions(out_file)


def fabric(args):
    """Instructions per delivered packet in a steady window: callgrind's
    instrumentation is switched on (callgrind_control) only once the fabric
    runs, and off again after --seconds, so start-up and shutdown do not
    count; the window's total over the packets delivered in it is whole
    loomd (every function and thread: a build's functions need not have the
    names of another's), with the handlers' shares beside it."""
    spines, leaves = (int(x) for x in args.fabric.lower().split("x"))
    work = tempfile.mkdtemp(prefix="loom-cg-")
    try:
        topo = bench.fabric_topology(work, spines, leaves)
        cfg = os.path.join(work, "fabric.json")
        with open(cfg, "w") as f:
            f.write(bench.sh(os.path.join(args.build, "control", "loomctl"), "compile", topo).stdout)
        out_file = os.path.join(work, "callgrind.out")
        d = start_loomd(args.build, cfg, work, out_file, ["--instr-atstart=no"])
        try:
            n, total = fabric_window(d, args, out_file)
        finally:
            if d.p.poll() is None:  # a request that timed out must not leave valgrind running
                d.p.kill()
                d.p.wait()
        costs = inclusive_costs(out_file)
        if args.keep:
            shutil.copy(out_file, args.keep)
        receive = next((costs[f] for f in RECEIVE if f in costs), 0)
        handlers = receive + costs.get("loom_switch_transmit", 0)
        hosts = sum(costs.get(f, 0) for f in HOSTS)
        print("fabric %dx%d: %d packets delivered in the window; instructions/delivered packet: loomd %.1f "
              "(switch handlers %.1f, %.1f a hop; generator hosts %.1f)"
              % (spines, leaves, n, total / n, handlers / n, handlers / n / 3, hosts / n))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
