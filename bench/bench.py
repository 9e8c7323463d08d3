"""./loom bench: packets per second on ONE forwarding core, every contender
on the same DPDK virtual ports -- a pcap PMD replaying 64-byte UDP frames
of 1024 flows from memory forever, into null PMD sinks -- in one run, so
that ratios are comparable even on a noisy machine.

  testpmd io      the zero-work limit (receive, send)
  testpmd mac     + MAC rewrite
  ovs select-4    Open vSwitch (DPDK datapath): an L3 rule with dec_ttl and
                  MAC rewrite into a select group of 4 buckets (ECMP), with
                  OVS's default selection method (dp_hash)
  loomd leaf      a Loom leaf: LPM route to a 4-way ECMP group, TTL, MACs;
                  with the traffic manager off (one FIFO per port) and on
                  (8 classes, DSCP map, byte limits, shared buffer, ECN,
                  shaper at 400G so that it does not limit)
  loomd leaf MODE the same leaf (traffic manager off, and on) with each
                  load-balancing mode (--lb-modes), switched at runtime in
                  the same loomd, so the ratios to its ecmp row come from
                  one run
  loomd P4 leaf   the same leaf running p4/loom.spec on DPDK's SWX pipeline
                  (`pipeline: p4`), behind the same ingress guard
  tracer          the leaf (ecmp, tm off) untraced, with a trace on
                  (`loomctl trace`), and untraced again, in one loomd: the
                  ratio to untraced (--trace-only: these rows alone)

The forwarding core is CPU 1 for everyone; CPU 0 runs the control side
(testpmd's and OVS's main threads, loomd's control thread).
Second part (--fabric): one loomd hosting growing Clos fabrics whose hosts
are generator hosts of the same loomd, each sending one flow to a host on
another leaf.
Third part (--cell): the cost of the cell fabric (docs/CELLS.md): the same
2 x 4 fabric and traffic in one loomd, packet-switched and then `mode: cell`
(VOQs, credits, cells, reassembly), delivered packets per second and the
ratio, from one run.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcapgen  # noqa: E402

ROOT = os.path.dirname(HERE)
FWD_CPU = "1"
N_UPLINKS = 4


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- testpmd
def run_testpmd(work, pcap, mode, seconds):
    """Median Tx-pps of the null port over the run (testpmd's own meter)."""
    cmd = ["dpdk-testpmd", "-l", "0," + FWD_CPU, "--no-pci", "--in-memory", "--file-prefix", "lbtp",
           "--log-level", "*:error",
           "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "--vdev", "net_null0,no-rx=1",
           "--", "--forward-mode=" + mode, "--nb-cores=1", "--stats-period=1"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples = []
    deadline = time.monotonic() + seconds + 15
    port = None
    try:
        for line in p.stdout:
            m = re.search(r"NIC statistics for port (\d+)", line)
            if m:
                port = int(m.group(1))
            m = re.search(r"Tx-pps:\s+(\d+)", line)
            if m and port == 1:
                samples.append(int(m.group(1)))
            if len(samples) >= seconds + 2 or time.monotonic() > deadline:
                break
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
    if len(samples) < 3:
        raise RuntimeError("testpmd %s gave no statistics" % mode)
    return statistics.median(samples[2:]) / 1e6  # skip start-up seconds


# ---------------------------------------------------------------- OVS
class Ovs:
    """A private OVS-DPDK (own database, run directory, DPDK prefix)."""

    def __init__(self, work, name):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir, OVS_DBDIR=self.dir)
        self.db_sock = os.path.join(self.dir, "db.sock")
        self.ctl = os.path.join(self.dir, "vswitchd.ctl")

    def vsctl(self, *args):
        return sh("ovs-vsctl", "--db=unix:" + self.db_sock, "--timeout=60", *args, env=self.env).stdout

    def ofctl(self, *args):
        return sh("ovs-ofctl", "-O", "OpenFlow15", *args, env=self.env)

    def start(self):
        db = os.path.join(self.dir, "conf.db")
        sh("ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema")
        sh("ovsdb-server", db, "--remote=punix:" + self.db_sock, "--pidfile=" + self.dir + "/db.pid",
           "--unixctl=" + self.dir + "/db.ctl", "--detach", "--log-file=" + self.dir + "/db.log", env=self.env)
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                   "other_config:pmd-cpu-mask=0x%x" % (1 << int(FWD_CPU)),
                   "other_config:dpdk-lcore-mask=0x1",
                   "other_config:dpdk-socket-mem=256", "other_config:dpdk-socket-limit=256",
                   'other_config:dpdk-extra="--no-pci --file-prefix lbovs"')
        sh("/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk", "unix:" + self.db_sock,
           "--pidfile=" + self.dir + "/vswitchd.pid", "--unixctl=" + self.ctl, "--detach",
           "--log-file=" + self.dir + "/vswitchd.log", env=self.env)

    def stop(self):
        for name in ("vswitchd", "db"):
            pidfile = os.path.join(self.dir, name + ".pid")
            try:
                pid = int(open(pidfile).read())
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass


def run_ovs(work, pcap, seconds, selection):
    """OVS's own PMD counters over `seconds` after a warm-up: packets the PMD
    thread received (all forwarded by the one rule) and its cycles per
    packet. (The Interface statistics in OVSDB refresh only every 5 s.)"""
    ovs = Ovs(work, "ovs-" + selection)
    try:
        ovs.start()
        ovs.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        ovs.vsctl("add-port", "br0", "p0", "--", "set", "Interface", "p0", "type=dpdk",
                  "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "ofport_request=1")
        for i in range(N_UPLINKS):
            ovs.vsctl("add-port", "br0", "n%d" % i, "--", "set", "Interface", "n%d" % i, "type=dpdk",
                      "options:dpdk-devargs=net_null%d,no-rx=1" % i, "ofport_request=%d" % (i + 2))
        # Loom's leaf routes 10.0.1.0/24 to an ECMP group of 4 uplinks,
        # decrementing TTL and rewriting MACs: the same here, as a select
        # group. OVS's default selection is dp_hash (hash in the datapath,
        # then a recirculation); "hash" hashes the given fields in the slow
        # path and caches one exact flow per 5-tuple.
        ovs.ofctl("del-flows", "br0")
        buckets = ",".join("bucket=actions=mod_dl_src:02:4c:00:04:00:%02x,mod_dl_dst:02:4c:00:%02x:00:00,output:%d"
                           % (i + 1, i, i + 2) for i in range(N_UPLINKS))
        method = "" if selection == "dp_hash" else \
            "selection_method=hash,fields(ip_src,ip_dst,nw_proto,udp_src,udp_dst),"
        ovs.ofctl("add-group", "br0", "group_id=1,type=select," + method + buckets)
        ovs.ofctl("add-flow", "br0", "priority=10,ip,in_port=1,nw_dst=10.0.1.0/24,actions=dec_ttl,group:1")
        ovs.ofctl("add-flow", "br0", "priority=0,actions=drop")
        sh("ovs-appctl", "-t", ovs.ctl, "dpctl/del-flows", check=False, env=ovs.env)
        time.sleep(4)  # warm up: datapath flows installed
        sh("ovs-appctl", "-t", ovs.ctl, "dpif-netdev/pmd-stats-clear", env=ovs.env)
        t0 = time.monotonic()
        time.sleep(seconds)
        out = sh("ovs-appctl", "-t", ovs.ctl, "dpif-netdev/pmd-stats-show", env=ovs.env).stdout
        t1 = time.monotonic()
        pmd = out.split("main thread")[0]
        pkts = int(re.search(r"packets received:\s+(\d+)", pmd).group(1))
        cyc = re.search(r"avg processing cycles per packet:\s+([\d.]+)", pmd)
        return pkts / (t1 - t0) / 1e6, float(cyc.group(1)) if cyc else None
    finally:
        ovs.stop()


# ---------------------------------------------------------------- loomd
class Loomd:
    def __init__(self, build, work, topo, only, name):
        self.sock = os.path.join(work, name + ".sock")
        cfg = os.path.join(work, name + ".json")
        args = ["compile", topo] + (["--only", only] if only else [])
        with open(cfg, "w") as f:
            f.write(sh(os.path.join(build, "control", "loomctl"), *args).stdout)
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.p = subprocess.Popen([os.path.join(build, "dataplane", "loomd"), "--config", cfg, "--socket", self.sock,
                                   "--", "-l", FWD_CPU, "--no-pci", "--in-memory", "--file-prefix", "lb" + name,
                                   "--log-level", "*:error"], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if os.path.exists(self.sock):
                return
            if self.p.poll() is not None:
                raise RuntimeError("loomd %s exited; see %s" % (name, self.log.name))
            time.sleep(0.1)
        raise RuntimeError("loomd %s did not start" % name)

    def req(self, cmd, **args):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(self.sock)
            s.sendall((json.dumps(dict(args, cmd=cmd)) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:   # closed without a reply: it died (its log says why)
                    raise RuntimeError("loomd %s: no reply to %s (exited: %s); see %s"
                                       % (self.sock, cmd, self.p.poll(), self.log.name))
                buf += chunk
        reply = json.loads(buf)
        if not reply.get("ok"):
            raise RuntimeError("loomd %s: %s" % (cmd, reply.get("error")))
        return reply["result"]

    def stop(self):
        try:
            self.req("shutdown")
            self.p.wait(timeout=20)
        except Exception:
            self.p.kill()
        self.log.close()

    def measure(self, seconds, host_ports_only=False):
        """Forwarded packets per second (tx of the chosen ports, from
        loomd's counters and clock) and busy cycles per received packet."""
        def sample():
            st, status = self.req("stats"), self.req("status")
            tx = sum(p["tx_packets"] for s in st["switches"] for p in s["ports"]
                     if not host_ports_only or not re.match(r".*:\d+$", p["name"]))
            return st["time_ns"], tx, status
        time.sleep(1)
        t0, c0, s0 = sample()
        time.sleep(seconds)
        t1, c1, s1 = sample()
        cyc = (s1["busy_cycles"] - s0["busy_cycles"]) / max(1, s1["busy_rx_packets"] - s0["busy_rx_packets"])
        return (c1 - c0) / ((t1 - t0) / 1e9) / 1e6, cyc


LEAF_TOPO = """# A leaf with one host port fed by the pcap PMD and four uplinks into null
# PMDs; the rest of the fabric exists only so that routes can be computed.
# No propagation delay: testpmd and OVS emulate none either (a delay line
# holds every packet for `delay` before it reaches the driver).
fabric: bench
defaults:
  link_rate: 400G
  delay: 0
tm:
  enabled: %(tm)s
switches:
%(spines)s
  - {name: leaf0, role: leaf, pipeline: %(pipeline)s, ipv4: 10.0.0.0/24}
  - {name: leaf1, role: leaf, ipv4: 10.0.1.0/24}
hosts:
  - {name: h0}
links:
  - {a: h0, b: leaf0:0, devargs_b: "net_pcap0,rx_pcap=%(pcap)s,infinite_rx=1"}
%(uplinks)s
"""


def leaf_topology(work, pcap, pipeline="native", tm=True):
    spines = "\n".join("  - {name: spine%d, role: spine}" % i for i in range(N_UPLINKS))
    uplinks = "\n".join('  - {a: leaf0:%d, b: spine%d:0, devargs_a: "net_null%d,no-rx=1"}\n'
                        "  - {a: leaf1:%d, b: spine%d:1}" % (i + 1, i, i, i + 1, i) for i in range(N_UPLINKS))
    path = os.path.join(work, "leaf-%s.yaml" % pipeline)
    with open(path, "w") as f:
        f.write(LEAF_TOPO % {"spines": spines, "uplinks": uplinks, "pcap": pcap, "pipeline": pipeline,
                             "tm": "true" if tm else "false"})
    return path


def run_loomd_leaf(build, work, pcap, seconds, pipeline="native", tm=True, lb_modes=()):
    """The leaf with ecmp, then (same loomd) with each of lb_modes, set at
    runtime. Returns {mode: (Mpps, cycles/pkt)}."""
    d = Loomd(build, work, leaf_topology(work, pcap, pipeline, tm), "leaf0", "leaf" + pipeline)
    out = {}
    try:
        out["ecmp"] = d.measure(seconds)
        for mode in lb_modes:
            if mode == "ecmp":
                continue
            log("loomd leaf %s ..." % mode)
            d.req("lb_set", mode=mode)
            out[mode] = d.measure(seconds)
        return out
    finally:
        d.stop()


# What a trace costs forwarding (docs/TRACE.md), one loomd, one run: the
# leaf (ecmp, traffic manager off) untraced; with a trace on whose match no
# packet meets (every packet of the burst parsed and matched at leaf0, the
# others of the burst on the usual path); with a trace on that has its
# packets (count 1, reached at once: every burst takes the observed path,
# which claims nothing); untraced again after trace_stop.
TRACE_ROWS = [("tracer off", None),
              ("trace on, matching nothing", {"switch": "leaf0", "count": 256, "match": "dst 192.0.2.1"}),
              ("trace on, its packet taken", {"switch": "leaf0", "count": 1, "match": "udp"}),
              ("tracer off again (trace_stop)", "stop")]


def run_trace_cost(build, work, pcap, seconds):
    """[(row, Mpps, cycles/pkt, traced packets)] in TRACE_ROWS' order."""
    d = Loomd(build, work, leaf_topology(work, pcap, "native", tm=False), "leaf0", "leaftrace")
    out = []
    try:
        for name, req in TRACE_ROWS:
            log("loomd leaf, %s ..." % name)
            if req == "stop":
                d.req("trace_stop")
            elif req:
                d.req("trace_start", **req)
            mpps, cyc = d.measure(seconds)
            traced = d.req("trace_show")["traced"] if req and req != "stop" else None
            out.append((name, mpps, cyc, traced))
        return out
    finally:
        d.stop()


def print_trace_cost(rows):
    base = rows[0][1]
    print("| loomd leaf ecmp, tm off: tracer (same loomd, one run) | Mpps | x tracer off | cycles/pkt "
          "| packets traced |")
    print("|---|---:|---:|---:|---:|")
    for name, mpps, cyc, traced in rows:
        print("| %s | %.2f | %.3f | %.0f | %s |" % (name, mpps, mpps / base, cyc, "-" if traced is None else traced))


# ---------------------------------------------------------------- fabric scaling
FABRIC_TOPO = """# spines x leaves, %(hosts)d generator hosts per leaf (dataplane/hosts/) in
# the same loomd: every host sends one flow, as fast as the core lets it
# (the rate is far above what one core forwards), to a host on another
# leaf, so each packet crosses leaf, spine, leaf.
fabric: scale%(spines)dx%(leaves)d
generate:
  spines: %(spines)d
  leaves: %(leaves)d
  hosts_per_leaf: %(hosts)d
  link_rate: 400G
  port_type: generator
traffic:
  - { pattern: permutation, packet: 74 }
"""


def fabric_topology(work, spines, leaves, hosts=2):
    path = os.path.join(work, "scale%dx%d.yaml" % (spines, leaves))
    with open(path, "w") as f:
        f.write(FABRIC_TOPO % {"spines": spines, "leaves": leaves, "hosts": hosts})
    return path


def run_fabric_scaling(build, work, seconds, sizes):
    """Delivered packets per second (what leaves send to their generator
    hosts) and switch hops per second (3 per delivered packet), with
    cycles per received packet (every switch hop counts as received)."""
    rows = []
    for spines, leaves in sizes:
        topo = fabric_topology(work, spines, leaves)
        d = Loomd(build, work, topo, None, "scale%dx%d" % (spines, leaves))
        try:
            mpps, cyc = d.measure(seconds, host_ports_only=True)
        finally:
            d.stop()
        rows.append((spines, leaves, spines + leaves, mpps, 3 * mpps, cyc))
        log("fabric %dx%d: %.2f Mpps delivered" % (spines, leaves, mpps))
    return rows


# Issue 7's targets: (row, least x testpmd-io, least x OVS or None).
TARGETS = [("loomd leaf ecmp tm off", 0.5, 5.0), ("loomd leaf spray tm off", 0.5, 5.0),
           ("loomd leaf flowlet tm off", 0.35, None), ("loomd leaf ecmp", 0.25, None)]


def print_targets(res, io, ovs):
    print()
    print("| target (issue 7) | x testpmd-io | x OVS | met |")
    print("|---|---:|---:|---|")
    for name, want_io, want_ovs in TARGETS:
        if name not in res:
            continue
        mpps = res[name][0]
        ok = mpps / io >= want_io and (want_ovs is None or (ovs and mpps / ovs >= want_ovs))
        print("| %s >= %.2f x io%s | %.2f | %s | %s |" % (
            name, want_io, " and >= %.0f x OVS" % want_ovs if want_ovs else "", mpps / io,
            "%.2f" % (mpps / ovs) if ovs else "-", "yes" if ok else "no"))


FABRIC_SIZES = [(2, 4), (4, 8), (8, 16)]


def print_fabric(rows):
    print("| fabric (spines x leaves, generator hosts) | switches | delivered Mpps | switch-hops Mpps "
          "| cycles/switch hop |")
    print("|---|---:|---:|---:|---:|")
    for s, l, n, mpps, hops, cyc in rows:
        print("| %d x %d | %d | %.2f | %.2f | %.0f |" % (s, l, n, mpps, hops, cyc))


def pcap_fabric_topology(work, spines, leaves, mode="packet"):
    """spines x leaves, 2 host ports per leaf: port 0 replays traffic to the
    next leaf's port-1 host, port 1 is a null sink. Every packet crosses
    leaf, spine, leaf: 3 switch hops. mode "cell": a cell fabric, links at
    400G so that the egress ports' credits never limit. (A cell fabric
    needs the pcap ports: its leaves take cells from spines only.)"""
    lines = ["fabric: scale%dx%d%s" % (spines, leaves, mode)]
    if mode == "cell":
        lines += ["mode: cell", "defaults: {link_rate: 400G}"]
    lines += ["switches:"]
    lines += ["  - {name: spine%d, role: spine}" % s for s in range(spines)]
    lines += ["  - {name: leaf%d, role: leaf, ipv4: 10.0.%d.0/24}" % (l, l) for l in range(leaves)]
    lines += ["hosts:"] + ["  - {name: h%d_%d}" % (l, j) for l in range(leaves) for j in range(2)]
    lines += ["links:"]
    k = 0
    for l in range(leaves):
        pcap = os.path.join(work, "leaf%d.pcap" % l)
        dst = (l + 1) % leaves
        # source h<l>_0 (leaf l port 0) to h<dst>_1 (leaf dst port 1, address .3)
        frames = [pcapgen.udp_frame("02:48:%02x:%02x:00:00" % (((2 * l) >> 8) & 0xff, (2 * l) & 0xff),
                                    "02:4c:%02x:%02x:00:00" % (((spines + l) >> 8) & 0xff, (spines + l) & 0xff),
                                    "10.0.%d.2" % l, "10.0.%d.3" % dst, 10000 + i, 5201) for i in range(256)]
        pcapgen.write_pcap(pcap, frames)
        lines.append('  - {a: h%d_0, b: leaf%d:0, devargs_b: "net_pcap%d,rx_pcap=%s,infinite_rx=1"}' % (l, l, k, pcap))
        lines.append('  - {a: h%d_1, b: leaf%d:1, devargs_b: "net_null%d,no-rx=1"}' % (l, l, k))
        k += 1
        for s in range(spines):
            lines.append("  - {a: leaf%d:%d, b: spine%d:%d}" % (l, 2 + s, s, l))
    path = os.path.join(work, "pcap%dx%d%s.yaml" % (spines, leaves, mode))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run_cell_cost(build, work, seconds, spines=2, leaves=4):
    """Delivered Mpps of the same fabric and traffic, packet then cell mode."""
    out = {}
    for mode in ("packet", "cell"):
        d = Loomd(build, work, pcap_fabric_topology(work, spines, leaves, mode), None, "cell%s" % mode)
        try:
            out[mode] = d.measure(seconds, host_ports_only=True)
        finally:
            d.stop()
        log("fabric %dx%d %s mode: %.2f Mpps delivered" % (spines, leaves, mode, out[mode][0]))
    return out


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--skip-ovs", action="store_true")
    ap.add_argument("--fabric", action="store_true", help="also the fabric scaling bench")
    ap.add_argument("--lb-modes", default="spray,flowlet,adaptive,drill",
                    help="load-balancing modes measured on the leaf after ecmp (comma list, '' for none)")
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--tm-only", action="store_true", help="only the loomd leaf with the traffic manager off and on")
    ap.add_argument("--fabric-only", action="store_true", help="only the fabric scaling bench")
    ap.add_argument("--p4-only", action="store_true",
                    help="only the loomd leaf and the P4 leaf (both traffic manager on), and their ratio")
    ap.add_argument("--trace-only", action="store_true",
                    help="only the tracer's cost: the leaf untraced, with a trace on, and untraced again")
    ap.add_argument("--cell", action="store_true",
                    help="only the cell fabric's cost: a 2 x 4 fabric, packet mode then cell mode")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="loom-bench-")
    pcap = os.path.join(work, "flows.pcap")
    # from h0 (leaf0 port 0) to 200 hosts of leaf1's subnet, 1024 flows
    pcapgen.write_pcap(pcap, pcapgen.flows("02:48:00:00:00:00", "02:4c:00:%02x:00:00" % N_UPLINKS,
                                           "10.0.0.2", "10.0.1"))
    res = {}
    scaling = []
    try:
        if args.cell:
            cost = run_cell_cost(args.build, work, args.seconds)
            print("| 2 x 4 fabric, one core | delivered Mpps | cycles/pkt |\n|---|---:|---:|")
            for mode, (mpps, cyc) in cost.items():
                print("| %s mode | %.2f | %.0f |" % (mode, mpps, cyc))
            print("cell / packet: %.2f" % (cost["cell"][0] / cost["packet"][0]))
            if args.json:
                with open(args.json, "w") as f:
                    json.dump({"cell_cost": cost}, f, indent=2)
            return
        if args.trace_only:
            print_trace_cost(run_trace_cost(args.build, work, pcap, args.seconds))
            return
        if args.fabric_only:
            print_fabric(run_fabric_scaling(args.build, work, args.seconds, FABRIC_SIZES))
            return
        if args.p4_only:
            log("loomd leaf ecmp, tm on ...")
            res["loomd leaf ecmp"] = run_loomd_leaf(args.build, work, pcap, args.seconds, tm=True)["ecmp"]
            log("loomd P4 leaf ecmp (SWX) ...")
            res["loomd P4 leaf ecmp (SWX)"] = run_loomd_leaf(args.build, work, pcap, args.seconds, "p4")["ecmp"]
            print("| configuration | Mpps | cycles/pkt |\n|---|---:|---:|")
            for name, (mpps, cyc) in res.items():
                print("| %s | %.2f | %.0f |" % (name, mpps, cyc))
            print("P4 leaf / native leaf (both tm on): %.2f"
                  % (res["loomd P4 leaf ecmp (SWX)"][0] / res["loomd leaf ecmp"][0]))
            return
        if args.tm_only:
            for tm in (False, True):
                log("loomd leaf ecmp, tm %s ..." % ("on" if tm else "off"))
                res["loomd leaf ecmp tm %s" % ("on" if tm else "off")] = run_loomd_leaf(args.build, work, pcap,
                                                                                      args.seconds, tm=tm)["ecmp"]
            off, on = res["loomd leaf ecmp tm off"][0], res["loomd leaf ecmp tm on"][0]
            print("| configuration | Mpps | cycles/pkt |\n|---|---:|---:|")
            for name, (mpps, cyc) in res.items():
                print("| %s | %.2f | %.0f |" % (name, mpps, cyc))
            print("tm on / tm off: %.2f" % (on / off))
            return
        log("testpmd io ...")
        res["testpmd io"] = (run_testpmd(work, pcap, "io", args.seconds), None)
        log("testpmd mac ...")
        res["testpmd mac"] = (run_testpmd(work, pcap, "mac", args.seconds), None)
        if not args.skip_ovs:
            log("ovs-dpdk select group of 4 ...")
            res["ovs-dpdk l3 + select-4"] = run_ovs(work, pcap, args.seconds, "dp_hash")
        modes = [m for m in args.lb_modes.split(",") if m]
        log("loomd leaf ecmp, tm off ...")
        for mode, r in run_loomd_leaf(args.build, work, pcap, args.seconds, tm=False, lb_modes=modes).items():
            res["loomd leaf %s tm off" % mode] = r
        log("loomd leaf ecmp, tm on ...")
        for mode, r in run_loomd_leaf(args.build, work, pcap, args.seconds, tm=True, lb_modes=modes).items():
            res["loomd leaf " + mode] = r
        log("loomd P4 leaf ecmp (SWX) ...")
        res["loomd P4 leaf ecmp (SWX)"] = run_loomd_leaf(args.build, work, pcap, args.seconds, "p4")["ecmp"]
        trace_cost = run_trace_cost(args.build, work, pcap, args.seconds)
        scaling = run_fabric_scaling(args.build, work, args.seconds, FABRIC_SIZES) if args.fabric else []
    finally:
        shutil.rmtree(work, ignore_errors=True)

    io = res["testpmd io"][0]
    ovs = res.get("ovs-dpdk l3 + select-4", (None,))[0]
    print("| configuration | Mpps | x testpmd-io | x OVS | cycles/pkt |")
    print("|---|---:|---:|---:|---:|")
    for name, (mpps, cyc) in res.items():
        print("| %s | %.2f | %.2f | %s | %s |" % (name, mpps, mpps / io, "%.2f" % (mpps / ovs) if ovs else "-",
                                                 "%.0f" % cyc if cyc else "-"))
    off, ecmp, p4 = (res["loomd leaf ecmp tm off"][0], res["loomd leaf ecmp"][0],
                     res["loomd P4 leaf ecmp (SWX)"][0])
    print()
    print("tm on / tm off (ecmp): %.2f" % (ecmp / off))
    print("P4 leaf / native leaf (both tm on): %.2f" % (p4 / ecmp))
    for tm in ("off", "on"):
        suffix = " tm off" if tm == "off" else ""
        base = res["loomd leaf ecmp" + suffix][0]
        lb_rows = [(m, res["loomd leaf %s%s" % (m, suffix)]) for m in modes
                   if m != "ecmp" and "loomd leaf %s%s" % (m, suffix) in res]
        if lb_rows:
            print()
            print("| leaf load-balancing mode (tm %s) | Mpps | x testpmd-io | x OVS | x ecmp | cycles/pkt |" % tm)
            print("|---|---:|---:|---:|---:|---:|")
            for mode, (mpps, cyc) in [("ecmp", res["loomd leaf ecmp" + suffix])] + lb_rows:
                print("| %s | %.2f | %.2f | %s | %.2f | %.0f |" % (mode, mpps, mpps / io,
                                                                  "%.2f" % (mpps / ovs) if ovs else "-",
                                                                  mpps / base, cyc))
    print_targets(res, io, ovs)
    print()
    print_trace_cost(trace_cost)
    if scaling:
        print()
        print_fabric(scaling)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"single_core": res, "trace_cost": trace_cost, "fabric": scaling}, f, indent=2)


if __name__ == "__main__":
    main()
