"""End to end: three tiers. The k=4 fat tree (vm/topologies/fat-tree-k4.yaml:
4 superspines, 4 pods of 2 spines and 2 leaves, 16 hosts) and two planes
joined at the superspines (two-plane-joined.yaml), with Linux hosts in
network namespaces, forwarding through one loomd."""
import json
import os
import re
import subprocess
import time
import unittest

import fabric as fx

FAT_TREE = os.path.join(fx.TOPOLOGIES, "fat-tree-k4.yaml")
JOINED = os.path.join(fx.TOPOLOGIES, "two-plane-joined.yaml")
PING = ["ping", "-q", "-c", "2", "-i", "0.05", "-W", "2"]


def up_when_free(topology, wait=300):
    """loomctl up; while another fabric is up (one per machine, perhaps
    someone else's), wait for it to go down rather than tearing it down."""
    deadline = time.monotonic() + wait
    while True:
        r = fx.loomctl("up", topology, check=False)
        if r.returncode == 0:
            return
        if "already up" not in r.stderr or time.monotonic() > deadline:
            raise AssertionError("loomctl up %s: %s" % (topology, r.stderr.strip()))
        time.sleep(5)


def ping_all(pairs, family):
    """Ping every (source host, address) pair, the pairs of one source at
    once; return the pairs without reply."""
    failed = []
    by_source = {}
    for src, addr in pairs:
        by_source.setdefault(src, []).append(addr)
    for src, addrs in by_source.items():
        procs = [(addr, subprocess.Popen(["ip", "netns", "exec", "loom-" + src] + PING +
                                         (["-6"] if family == 6 else []) + [addr],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                 for addr in addrs]
        failed += ["%s -> %s" % (src, addr) for addr, p in procs if p.wait(timeout=30) != 0]
    return failed


def iperf3(src, dst_host, dst_addr, *args):
    """A TCP transfer; returns iperf3's end summary."""
    fx.in_host(dst_host, "iperf3", "-s", "-1", "-D")
    time.sleep(0.3)
    r = fx.in_host(src, "iperf3", "-c", dst_addr, "-J", *args, timeout=60)
    return json.loads(r.stdout)["end"]


def tx_packets(st, role):
    """Packets sent by every switch of a role, by name."""
    return {s["name"]: s["tx_packets"] for s in st["switches"] if s["role"] == role}


class FatTree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        up_when_free(FAT_TREE)
        # (host, leaf, ipv4, ipv6); leaf j is in pod j // 2 (k/2 = 2 leaves per pod)
        cls.hosts = fx.hosts(FAT_TREE)
        cls.pod = {h[0]: int(re.match(r"leaf(\d+)$", h[1]).group(1)) // 2 for h in cls.hosts}

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down", check=False)

    def pairs(self, relation):
        return [(a, b) for a in self.hosts for b in self.hosts if a != b and relation(a, b)]

    def other_pod(self, a, b):
        return self.pod[a[0]] != self.pod[b[0]]

    def test_layout(self):
        st = json.loads(fx.loomctl("status", "--json").stdout)
        roles = [s["role"] for s in st["switches"]]
        self.assertEqual((roles.count("superspine"), roles.count("spine"), roles.count("leaf")), (4, 8, 8))
        self.assertEqual(len(self.hosts), 16)
        self.assertEqual(sorted(self.pod.values()), [p for p in range(4) for _ in range(4)])

    def test_ping_ipv4_between_pods(self):
        """Every host to every host of the other pods (192 pairs)."""
        pairs = self.pairs(self.other_pod)
        self.assertEqual(len(pairs), 16 * 12)
        self.assertEqual(ping_all([(a[0], b[2]) for a, b in pairs], 4), [], "no IPv4 reply")

    def test_ping_ipv6_between_pods(self):
        pairs = self.pairs(self.other_pod)
        self.assertEqual(ping_all([(a[0], b[3]) for a, b in pairs], 6), [], "no IPv6 reply")

    def test_ping_within_a_pod(self):
        pairs = self.pairs(lambda a, b: not self.other_pod(a, b))
        self.assertEqual(len(pairs), 16 * 3)
        self.assertEqual(ping_all([(a[0], b[2]) for a, b in pairs], 4), [], "no IPv4 reply")

    def test_ttl_counts_five_switches_between_pods(self):
        a, b = self.hosts[0], self.hosts[-1]
        self.assertNotEqual(self.pod[a[0]], self.pod[b[0]])
        out = fx.in_host(a[0], "ping", "-c", "1", "-W", "2", b[2]).stdout
        # 64 from the far host, less one per switch on the way back
        self.assertIn("ttl=59", out)

    def test_iperf3_tcp_between_pods(self):
        a, b = self.hosts[0], self.hosts[-1]
        res = iperf3(a[0], b[0], b[2], "-t", "3")
        sent, received = res["sum_sent"]["bytes"], res["sum_received"]["bytes"]
        print("iperf3 %s (pod %d) -> %s (pod %d): %.0f Mb/s, %d retransmits" % (
            a[0], self.pod[a[0]], b[0], self.pod[b[0]], res["sum_received"]["bits_per_second"] / 1e6,
            res["sum_sent"].get("retransmits", -1)))
        self.assertGreater(received, 1_000_000)
        self.assertGreaterEqual(received, 0.9 * sent)

    def test_ecmp_spreads_over_the_core(self):
        """16 TCP flows between pods: both uplinks of the leaf and at least
        two superspines carry some (all on one superspine: ~4^-15)."""
        a, b = self.hosts[0], self.hosts[-1]
        st = fx.stats()
        leaf_before, core_before = fx.switch(st, a[1]), tx_packets(st, "superspine")
        iperf3(a[0], b[0], b[2], "-t", "1", "-P", "16", "-b", "20M")
        st = fx.stats()
        leaf_after, core_after = fx.switch(st, a[1]), tx_packets(st, "superspine")
        uplinks = [p["index"] for p in leaf_after["ports"] if "spine" in p["name"]]
        grew = {i: fx.port(leaf_after, i)["tx_packets"] - fx.port(leaf_before, i)["tx_packets"] for i in uplinks}
        self.assertTrue(all(v > 100 for v in grew.values()), "leaf uplink tx packets: %s" % grew)
        core = {n: core_after[n] - core_before[n] for n in core_after}
        self.assertGreaterEqual(sum(v > 100 for v in core.values()), 2, "superspine tx packets: %s" % core)

    def test_routes_of_a_superspine(self):
        out = fx.loomctl("routes", "superspine0").stdout
        # one route per leaf subnet and family, down to the pod's spine
        self.assertEqual(len(re.findall(r"^\s+\S+/(24|64)\s", out, re.M)), 16)
        self.assertRegex(out, r"10\.0\.7\.0/24\s+\d+\s+port 3 -> spine6:2\n")
        self.assertRegex(out, r"fd00:0:0:2::/64\s+\d+\s+port 1 -> spine2:2\n")

    def test_zz_conservation_on_every_switch(self):
        """Runs last (name order), after all the traffic above."""
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        self.assertEqual(len(st["switches"]), 20)
        self.assertGreater(sum(s["rx_packets"] for s in st["switches"] if s["role"] == "superspine"), 1000)


class TwoPlanesJoined(unittest.TestCase):
    """Hosts h0..h7 with eth0 in plane 0 and eth1 in plane 1; superspine0-1
    shared by the planes."""

    @classmethod
    def setUpClass(cls):
        up_when_free(JOINED)
        # (host, leaf, ipv4, ipv6) per interface: p<plane>-leaf<j>
        cls.ifaces = fx.hosts(JOINED)

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down", check=False)

    def addr(self, host, plane, family=4):
        for h, leaf, v4, v6 in self.ifaces:
            if h == host and leaf.startswith("p%d-" % plane):
                return v4 if family == 4 else v6
        raise KeyError(host)

    def test_each_plane_natively(self):
        pairs = [("h0", self.addr(h, p)) for h in ("h3", "h5", "h7") for p in (0, 1)]
        self.assertEqual(ping_all(pairs, 4), [])
        pairs = [("h1", self.addr(h, p, 6)) for h in ("h2", "h6") for p in (0, 1)]
        self.assertEqual(ping_all(pairs, 6), [])

    def test_cross_planes_at_the_superspines(self):
        """Bound to eth0, h0 reaches plane-1 addresses over its fallback
        routes: up plane 0 to a superspine, down plane 1."""
        before = tx_packets(fx.stats(), "superspine")
        for family in (4, 6):
            for dst in ("h1", "h2", "h6"):
                fx.in_host("h0", *PING, "-%d" % family, "-I", "eth0", self.addr(dst, 1, family))
        after = tx_packets(fx.stats(), "superspine")
        self.assertGreaterEqual(sum(after.values()) - sum(before.values()), 12)
        out = fx.in_host("h0", "ip", "route", "get", self.addr("h6", 1), "oif", "eth0").stdout
        self.assertIn("via 10.0.0.1 dev eth0", out)

    def test_fallback_when_an_interface_is_down(self):
        """h7's eth1 down: its plane-1 traffic leaves by eth0 (metric 2048)."""
        fx.in_host("h7", "ip", "link", "set", "eth1", "down")
        fx.in_host("h7", *PING, self.addr("h0", 1))
        fx.in_host("h7", *PING, "-6", self.addr("h2", 1, 6))

    def test_zz_conservation_on_every_switch(self):
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        self.assertEqual(len(st["switches"]), 18)


if __name__ == "__main__":
    unittest.main(verbosity=2)
