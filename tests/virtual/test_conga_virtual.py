"""CONGA (docs/CONGA.md; scheduler/lb/conga.c, dataplane/conga/) in virtual
time, asserted on port counters and the switches' conga counters.

conga_slow_spine.yaml: h0 (leaf0) sends 10G to h2 (leaf1) over two spines;
spine0's link down to leaf1 is 3G, spine1's 17G, and h2 sends 1G back (the
traffic that carries leaf1's feedback). leaf0's own uplinks are both 10G
and look alike, so a local mode sends half via spine0 and loses what 3G
cannot carry (h2 receives ~8G); CONGA's remote metric moves the flow off
that path. Run for 10 ms.
"""
import unittest

from test_virtual import run, topo
from vt_case import VirtualCase, port


def variant(mode):
    with open(topo("conga_slow_spine.yaml")) as f:
        text = f.read()
    text = text.replace("duration: 2ms", "duration: 10ms")
    return text.replace("mode: conga_packet,", "mode: %s," % mode)


def received_gbps(r, flow_id):
    f = next(f for f in r["flows"] if f["id"] == flow_id)
    return f["rx_packets"] * 1500 * 8 / r["time_ns"]


def total_drops(r):
    return sum(sum(p["drops"].values()) for sw in r["switches"] for p in sw["ports"])


class CongaSlowSpine(VirtualCase):
    TMP_PREFIX = "loom-vt-conga-"

    def test_conga_packet_moves_traffic_off_the_slow_spine(self):
        r, _, _ = run(variant("conga_packet"), self.dir, "conga_packet.json")
        self.assert_switches_conserved(r)
        self.assertEqual(total_drops(r), 0)
        self.assertGreater(received_gbps(r, 0), 9.5)
        slow, fast = port(r, "leaf0", "spine0:0"), port(r, "leaf0", "spine1:0")
        # about 3:7, what the two paths carry; not half and half
        self.assertLess(slow["tx_packets"], 0.35 * (slow["tx_packets"] + fast["tx_packets"]), (slow, fast))
        sw = {s["name"]: s for s in r["switches"]}
        leaf0, leaf1 = sw["leaf0"]["conga"], sw["leaf1"]["conga"]
        # every packet leaf0 sent to leaf1 carried the overlay, and leaf1
        # took it off every one it delivered; leaf1's 1G back carried
        # feedback that leaf0 read, and it moved choices
        self.assertEqual(leaf0["tagged"], slow["tx_packets"] + fast["tx_packets"])
        h2 = port(r, "leaf1", "h2")
        self.assertEqual(leaf1["untagged"], h2["tx_packets"] + h2["queued"])
        self.assertGreater(leaf0["feedback_received"], 0)
        # (what is still on the links or in queues at the end: a packet or two)
        self.assertIn(leaf1["feedback_sent"] - leaf0["feedback_received"], (0, 1, 2))
        self.assertGreater(leaf0["by_remote"], 0)
        self.assertGreater(sw["spine0"]["conga"]["ce_raised"], 0)
        # the overlay's 8 bytes are on the fabric links only
        for p in (slow, fast):
            self.assertEqual(p["tx_bytes"], 1508 * p["tx_packets"], p)
        self.assertEqual(h2["tx_bytes"], 1500 * h2["tx_packets"], h2)

    def test_local_modes_keep_half_on_the_slow_spine(self):
        for mode in ("adaptive", "adaptive_flow"):
            with self.subTest(mode=mode):
                r, _, _ = run(variant(mode), self.dir, mode + ".json")
                self.assert_switches_conserved(r)
                self.assertLess(received_gbps(r, 0), 8.2)
                self.assertGreater(total_drops(r), 0)
                self.assertNotIn("conga", r["switches"][0])


if __name__ == "__main__":
    unittest.main()
