"""End to end: load balancing on the default fabric (2 spines, 4 leaves, 2
hosts per leaf), real time, Linux hosts in namespaces.

Four long-lived UDP flows (iperf3, 20 Mb/s each, a rate the CPU carries)
go from leaf0's hosts to leaf1's, with source ports chosen (with the
switch's own hash and leaf0's seed) so that ECMP puts all four on the same
uplink. For each mode, the same flows run for a few seconds, and we read
from loomd: leaf0's per-member bytes for the group towards leaf1 (imbalance
max/mean over the run) and the reordering leaf1 counted at its host ports.
Asserted, in the direction that must hold:
  - ECMP: everything on one of two members (max/mean ~2), no reordering;
  - spray: even (max/mean ~1, below ECMP's), reordering counted;
  - every mode: nothing dropped by any switch, conservation;
  - switching modes every 0.3 s while the flows run drops nothing.
Numbers are printed for the report."""
import json
import os
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
FLOW_MEMBER = os.path.join(fx.BUILD, "tests", "lb_flow_member")
RATE = "20M"
LEN = 1200
SECONDS = 3
MODES = ("ecmp", "spray", "spray_random", "flowlet", "adaptive", "drill")


# What hosts send on their own (IPv6 router solicitations, MLD, ARP
# probes): dropped by the leaves whatever the mode, not forwarding losses.
HOST_CHATTER = {"l2_multicast", "nd_ignored", "arp_ignored"}


def forwarding_drops(before, after):
    """Drops by switch and reason between two stats, host chatter aside."""
    out = {}
    for sw in after["switches"]:
        prev = fx.switch(before, sw["name"])
        for p in sw["ports"]:
            q = fx.port(prev, p["index"])
            for reason, n in p["drops"].items():
                d = n - q["drops"].get(reason, 0)
                if d and reason not in HOST_CHATTER:
                    key = "%s:%s" % (sw["name"], reason)
                    out[key] = out.get(key, 0) + d
    return out


def lb_show():
    return json.loads(fx.loomctl("lb", "show", "--json").stdout)


def status():
    return json.loads(fx.loomctl("status", "--json").stdout)


class LoadBalancing(fx.FabricUp):
    TOPO = TOPO

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        hosts = {h[0]: h for h in cls.hosts}
        seed = next(s["hash_seed"] for s in status()["switches"] if s["name"] == "leaf0")
        routes = json.loads(fx.loomctl("routes", "leaf0", "--json").stdout)
        cls.group = next(r["group"] for r in routes["routes"] if r["prefix"] == "10.0.1.0/24")
        n_members = len(routes["groups"][cls.group])
        assert n_members == 2, routes
        # four flows h0/h1 -> h2/h3 whose source ports ECMP maps to member 0
        cls.flows = []
        sport = 40000
        for i, (src, dst) in enumerate((("h0", "h2"), ("h0", "h3"), ("h1", "h2"), ("h1", "h3"))):
            dport = 5301 + i
            while True:
                sport += 1
                m = subprocess.run([FLOW_MEMBER, str(seed), "2", hosts[src][2], hosts[dst][2], "17", str(sport),
                                    str(dport)], capture_output=True, text=True, check=True).stdout.strip()
                if m == "0":
                    break
            cls.flows.append((src, dst, hosts[dst][2], sport, dport))
        cls.results = {}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.results:
            print("\nload balancing, 4 UDP flows x %s leaf0 -> leaf1, %d s each:" % (RATE, SECONDS))
            print("  %-13s %-9s %-9s %-22s %s" % ("mode", "max/mean", "cv", "reordered/packets", "distances"))
            for mode, r in cls.results.items():
                print("  %-13s %-9.3f %-9.3f %-22s %s" % (mode, r["max_over_mean"], r["cv"],
                                                         "%d/%d" % (r["out_of_order"], r["packets"]),
                                                         r["distance"]))

    def run_flows(self, seconds, during=None):
        """Start the four flows, call during() while they run, wait for them.
        Returns the iperf3 client results."""
        for src, dst, ip, sport, dport in self.flows:
            fx.in_host(dst, "iperf3", "-s", "-1", "-D", "-p", str(dport))
        time.sleep(0.3)
        procs = [subprocess.Popen(["ip", "netns", "exec", "loom-" + src, "iperf3", "-c", ip, "-u", "-b", RATE,
                                   "-l", str(LEN), "-t", str(seconds), "-p", str(dport), "--cport", str(sport),
                                   "-J"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for src, dst, ip, sport, dport in self.flows]
        if during:
            during()
        out = []
        for p in procs:
            o, e = p.communicate(timeout=seconds + 30)
            self.assertEqual(p.returncode, 0, "iperf3 failed: %s %s" % (o[-500:], e[-500:]))
            out.append(json.loads(o))
        time.sleep(0.3)  # let the last packets drain (and the flows go idle: LB_REORDER_IDLE_NS)
        return out

    def leaf0_group(self, lb):
        sw = next(s for s in lb["switches"] if s["switch"] == "leaf0")
        return next(g for g in sw["groups"] if g["group"] == self.group)

    def leaf1_reorder(self, lb):
        sw = next(s for s in lb["switches"] if s["switch"] == "leaf1")
        return sw["reorder"]

    def measure(self, mode):
        fx.loomctl("lb", "set", mode)
        before_lb, before = lb_show(), fx.stats()
        self.run_flows(SECONDS)
        after_lb, after = lb_show(), fx.stats()
        self.assertEqual(fx.conservation_errors(after), [])
        self.assertEqual(forwarding_drops(before, after), {}, mode)
        g0, g1 = self.leaf0_group(before_lb), self.leaf0_group(after_lb)
        self.assertEqual(g1["mode"], mode)
        per_member = [b["bytes"] - a["bytes"] for a, b in zip(g0["members"], g1["members"])]
        mean = sum(per_member) / len(per_member)
        var = sum((x - mean) ** 2 for x in per_member) / len(per_member)
        ro0, ro1 = self.leaf1_reorder(before_lb), self.leaf1_reorder(after_lb)
        ooo = sum(b["out_of_order"] - a["out_of_order"] for a, b in zip(ro0, ro1))
        pkts = sum(b["packets"] - a["packets"] for a, b in zip(ro0, ro1))
        dist = {}
        for a, b in zip(ro0, ro1):
            for k in b["distance"]:
                d = b["distance"][k] - a["distance"][k]
                if d:
                    dist[k] = dist.get(k, 0) + d
        r = {"per_member": per_member, "max_over_mean": max(per_member) / mean, "cv": var ** 0.5 / mean,
             "out_of_order": ooo, "packets": pkts, "distance": dist}
        self.results[mode] = r
        self.assertGreater(pkts, 4 * SECONDS * 1000, "too few packets measured at leaf1: %r" % (r,))
        return r

    def test_1_modes(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                self.measure(mode)
        ecmp, spray = self.results["ecmp"], self.results["spray"]
        # ECMP: the four flows collide on one uplink (the rest: iperf3's
        # TCP control connections, a few kB)
        self.assertGreater(ecmp["max_over_mean"], 1.9, ecmp)
        self.assertLess(ecmp["out_of_order"], 0.001 * ecmp["packets"] + 1, ecmp)
        # spray: even, at the price of reordering
        self.assertLess(spray["max_over_mean"], 1.05, spray)
        self.assertLess(spray["max_over_mean"], ecmp["max_over_mean"])
        self.assertGreater(spray["out_of_order"], 0, spray)

    def test_2_switching_modes_drops_nothing(self):
        before = fx.stats()
        changes = []

        def switch_modes():
            t_end = time.monotonic() + SECONDS - 0.5
            i = 0
            while time.monotonic() < t_end:
                mode = MODES[i % len(MODES)]
                fx.loomctl("lb", "set", mode)
                changes.append(mode)
                i += 1
                time.sleep(0.3)

        results = self.run_flows(SECONDS + 1, during=switch_modes)
        after = fx.stats()
        self.assertGreaterEqual(len(changes), 6)
        self.assertEqual(fx.conservation_errors(after), [])
        dropped = forwarding_drops(before, after)
        self.assertEqual(dropped, {}, "switch drops while switching modes")
        lost = sum(r["end"]["sum"].get("lost_packets", 0) for r in results)
        total = sum(r["end"]["sum"].get("packets", 0) for r in results)
        print("\nswitching modes %d times in %d s: %d switch drops; iperf3 lost %d of %d"
              % (len(changes), SECONDS + 1, sum(dropped.values()), lost, total))
        fx.loomctl("lb", "set", "ecmp")


if __name__ == "__main__":
    unittest.main(verbosity=2)
