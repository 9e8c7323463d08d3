"""Round robin per flow (spray_flow, adaptive_flow: scheduler/lb/lb_spray_flow.c,
lb_adaptive_flow.c) in virtual time, asserted on port counters.

lb_two_dests.yaml: leaf0's one group serves two destination leaves, and
its two flows' packets alternate. spray's one round robin per group sends
each flow down one spine only (the spines' downlinks to a leaf then carry
that leaf's traffic unevenly, which is what made the 128-host permutation
queue); spray_flow gives each spine exactly half of each flow. With
leaf0's uplink to spine0 slowed to 5G (15G to spine1), spray_flow still
splits evenly and drops there; adaptive_flow leaves the standing queue
and drops nothing.
"""
import unittest

from test_virtual import run, topo
from vt_case import VirtualCase, port


def variant(mode, slow=False):
    with open(topo("lb_two_dests.yaml")) as f:
        text = f.read().replace("load_balancing: { mode: spray_flow }", "load_balancing: { mode: %s }" % mode)
    if slow:
        text = text.replace("{ a: leaf0:4, b: spine0:0 }", "{ a: leaf0:4, b: spine0:0, rate: 5G }")
        text = text.replace("{ a: leaf0:5, b: spine1:0 }", "{ a: leaf0:5, b: spine1:0, rate: 15G }")
    return text


def downlinks(r):
    """Packets each spine sent down to leaf1 and leaf2."""
    return {(sp, leaf): port(r, sp, "%s:%d" % (leaf, 4 if sp == "spine0" else 5))["tx_packets"]
            for sp in ("spine0", "spine1") for leaf in ("leaf1", "leaf2")}


class RoundRobinPerFlow(VirtualCase):
    TMP_PREFIX = "loom-vt-lbflow-"

    def test_each_flow_split_evenly_over_the_spines(self):
        r, _, _ = run(variant("spray_flow"), self.dir, "spray_flow.json")
        self.assert_switches_conserved(r)
        d = downlinks(r)
        for leaf in ("leaf1", "leaf2"):
            self.assertGreater(d[("spine0", leaf)], 300, d)
            self.assertLessEqual(abs(d[("spine0", leaf)] - d[("spine1", leaf)]), 1, d)
        # the group's one round robin on the same fabric: each destination
        # leaf's packets all through one spine
        r, _, _ = run(variant("spray"), self.dir, "spray.json")
        d = downlinks(r)
        for leaf in ("leaf1", "leaf2"):
            self.assertEqual(min(d[("spine0", leaf)], d[("spine1", leaf)]), 0, d)
        self.assertGreater(d[("spine0", "leaf1")] + d[("spine1", "leaf1")], 600, d)

    def test_adaptive_flow_leaves_a_slow_uplink(self):
        r, _, _ = run(variant("spray_flow", slow=True), self.dir, "spray_flow_slow.json")
        self.assert_switches_conserved(r)
        slow = port(r, "leaf0", "spine0:0")
        self.assertGreater(sum(slow["drops"].values()), 0, slow)  # half of 20G into 5G

        r, _, _ = run(variant("adaptive_flow", slow=True), self.dir, "adaptive_flow_slow.json")
        self.assert_switches_conserved(r)
        slow, fast = port(r, "leaf0", "spine0:0"), port(r, "leaf0", "spine1:0")
        self.assertEqual(sum(p["drops"].get("queue_full", 0) for p in (slow, fast)), 0, (slow, fast))
        self.assertEqual(sum(sum(p["drops"].values()) for sw in r["switches"] for p in sw["ports"]), 0)
        # about in proportion to the rates (1:3), not even
        self.assertGreater(fast["tx_packets"], 2.5 * slow["tx_packets"], (slow, fast))


if __name__ == "__main__":
    unittest.main()
