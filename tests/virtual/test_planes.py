"""Multi-plane generator hosts and jumbo frames in virtual time
(dataplane/hosts/gen_plane.h, docs/VIRTUAL_TIME.md "Planes"): a NIC with
one interface per plane spreads a flow per packet, per flow, per flowlet
or weighted; a plane whose link breaks loses carrier and its traffic
moves to the others; frames up to a 9000-byte MTU. Exact: the times and
counts follow from the links' rates and delays.

Run: LOOM_BUILD=build /usr/bin/python3 -m unittest -v test_planes
"""
import unittest

from vt_case import VirtualCase, host, port
from test_virtual import run, topo

FRAME = 1500
PAYLOAD = FRAME - 42  # Ethernet + IPv4 + UDP


def planes_text(spread="packet", traffic=None, extra="", duration="200us"):
    with open(topo("planes.yaml")) as f:
        text = f.read()
    text = text.replace("plane_spread: packet", "plane_spread: %s" % spread)
    text = text.replace("duration: 200us", "duration: %s" % duration)
    if traffic is not None:
        text = text[:text.index("traffic:")] + "traffic:\n" + traffic
    return text + extra


class Planes(VirtualCase):
    TMP_PREFIX = "loom-planes-test-"

    def test_per_packet_spreads_one_flow_over_both_planes(self):
        """100 packets at the NIC's 20G (one every 600 ns), each plane's
        link 10G: packet k goes over plane k % 2, 50 and 75 000 bytes on
        each, every byte arrives, nothing reordered (the planes are alike).
        The last packet (k = 99, plane 1) starts at 59 400 ns and crosses
        four 10G hops of 1 us: 4 x (1200 + 1000) later, 68 200 ns."""
        r, _, _ = run(topo("planes.yaml"), self.dir)
        self.assert_switches_conserved(r)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 100 * PAYLOAD)
        self.assertEqual(f["completion_ns"], 68200)
        self.assertEqual(f["reordered"], 0)
        self.assertEqual([(p["plane"], p["tx_packets"], p["tx_bytes"], p["rx_packets"], p["rx_bytes"], p["reordered"])
                          for p in f["planes"]], [(0, 50, 50 * FRAME, 50, 50 * FRAME, 0),
                                                  (1, 50, 50 * FRAME, 50, 50 * FRAME, 0)])
        nic = host(r, "h0")["nic"]
        self.assertEqual(nic["spread"], "packet")
        self.assertEqual([(p["switch"], p["tx_packets"], p["up"]) for p in nic["planes"]],
                         [("p0-leaf0", 50, True), ("p1-leaf0", 50, True)])
        self.assertEqual([(p["switch"], p["rx_packets"]) for p in host(r, "h1")["nic"]["planes"]],
                         [("p0-leaf1", 50), ("p1-leaf1", 50)])
        # each plane's spine carried its half
        for s in ("p0-spine0", "p1-spine0"):
            sw = next(x for x in r["switches"] if x["name"] == s)
            self.assertEqual(sum(p["tx_packets"] for p in sw["ports"]), 50, s)

    def test_per_flow_keeps_each_flow_on_its_plane(self):
        """Per flow: flow id modulo the planes, every packet of it."""
        r, _, _ = run(planes_text("flow", "  - { src: h0, dst: h1, bytes: 14580, packet: 1500 }\n"
                                          "  - { src: h0, dst: h1, bytes: 29160, packet: 1500 }\n"), self.dir)
        a, b = r["flows"]
        self.assertEqual([p["tx_packets"] for p in a["planes"]], [10, 0])
        self.assertEqual([p["tx_packets"] for p in b["planes"]], [0, 20])
        self.assertEqual((a["rx_payload_bytes"], b["rx_payload_bytes"]), (14580, 29160))

    def test_per_flowlet_moves_after_a_gap(self):
        """On/off flow: bursts of 10 packets, 60 us apart (above the 50 us
        gap): each burst on the plane that frees first, ties to the next
        plane, so the bursts alternate: 20 packets on each."""
        text = planes_text("flowlet", "  - { src: h0, dst: h1, bytes: 58320, packet: 1500, burst: 14580, idle: 60us }\n",
                           duration="400us")
        r, _, _ = run(text.replace("plane_spread: flowlet", "plane_spread: flowlet, flowlet_gap: 50us"), self.dir)
        (f,) = r["flows"]
        self.assertEqual([p["tx_packets"] for p in f["planes"]], [20, 20])
        self.assertEqual(f["rx_payload_bytes"], 58320)

    def test_weighted_without_congestion_is_even(self):
        """Weighted, no marks: every plane weighs the same, the smooth
        round robin alternates."""
        r, _, _ = run(planes_text("weighted"), self.dir)
        (f,) = r["flows"]
        self.assertEqual([p["tx_packets"] for p in f["planes"]], [50, 50])
        self.assertEqual(f["rx_payload_bytes"], 100 * PAYLOAD)

    def test_weighted_follows_each_planes_congestion(self):
        """Plane 1 has a 5G link on the way, plane 0 10G all along. Per
        packet, half the flow queues at plane 1's 5G link, its echoes cut
        the whole flow's window; weighted, plane 1's echoes lower its
        weight until the split is the planes' capacities (2:1), and the
        flow completes sooner. Only plane 1's feedback is marked."""
        with open(topo("planes_weighted.yaml")) as f:
            text = f.read()
        res = {}
        for spread in ("weighted", "packet"):
            r, _, _ = run(text.replace("plane_spread: weighted", "plane_spread: %s" % spread), self.dir,
                          name=spread + ".json")
            self.assert_switches_conserved(r)
            (f,) = r["flows"]
            self.assertEqual(f["rx_payload_bytes"], 2000000)
            nic = host(r, "h0")["nic"]["planes"]
            self.assertEqual(nic[0]["rx_marked"], 0)
            self.assertGreater(nic[1]["rx_marked"], 0)
            res[spread] = f
        w0, w1 = (p["tx_packets"] for p in res["weighted"]["planes"])
        p0, p1 = (p["tx_packets"] for p in res["packet"]["planes"])
        self.assertEqual(p0, p1)
        self.assertAlmostEqual(w0 / w1, 2.0, delta=0.05)
        self.assertLess(res["weighted"]["completion_ns"], 0.75 * res["packet"]["completion_ns"])

    def test_plane_lost_moves_its_traffic(self):
        """A 20G stream, per packet; h0's plane-1 link breaks at 100.3 us.
        Plane 1 carried packets 1, 3, ... 167 (starts 600 + 1200 j up to
        100 200 ns): 84; the two still on the wire (started at 99 000 and
        100 200) are lost at the leaf (link_down). The NIC loses carrier
        at once: from 100 800 ns every packet goes over plane 0, back to
        back at its 10G until 300 us: 84 + 166 = 250 packets."""
        extra = "faults:\n  - { at: 100300ns, link: p1-leaf0:0, state: down }\n"
        r, _, _ = run(planes_text("packet", "  - { src: h0, dst: h1, packet: 1500 }\n", extra, "300us"), self.dir)
        self.assert_switches_conserved(r)
        (f,) = r["flows"]
        p0, p1 = f["planes"]
        self.assertEqual(p1["tx_packets"], 84)
        self.assertEqual(port(r, "p1-leaf0", "h0")["drops"]["link_down"], 2)
        self.assertEqual(p1["rx_packets"], 82)
        self.assertEqual(p0["tx_packets"], 250)
        # plane 0's packets that arrived by 300 us: those started by 291.2 us (four hops of 2.2 us)
        self.assertEqual(p0["rx_packets"], 243)
        nic = host(r, "h0")["nic"]["planes"]
        self.assertEqual([(p["up"], p["carrier_losses"]) for p in nic], [(True, 0), (False, 1)])


class Jumbo(VirtualCase):
    """Frames above 2000 bytes: the virtual-time mbufs store a frame's
    first 256 bytes only, so a 9014-byte frame costs what a 1500-byte one
    does; the link timing counts every byte."""

    TMP_PREFIX = "loom-jumbo-test-"

    def run_mtu(self, mtu, packets):
        frame = mtu + 14
        text = ("fabric: vt-jumbo\nclock: virtual\nseed: 1\nduration: 200us\n"
                "generate: { spines: 2, leaves: 2, hosts_per_leaf: 1, link_rate: 100G, uplink_rate: 100G,"
                " delay: 1us, mtu: %d, port_type: generator }\n"
                "traffic:\n  - { src: h0, dst: h1, bytes: %d, packet: %d }\n" % (mtu, packets * (frame - 42), frame))
        r, _, _ = run(text, self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], packets * (frame - 42))
        self.assertEqual((f["tx_packets"], f["rx_packets"], f["rx_bytes"]), (packets, packets, packets * frame))
        # the NIC sends back to back, each frame's serialization rounded up to the ns; the
        # last packet then crosses four hops of serialization + 1 us
        ser = -(-frame * 8 // 100)
        self.assertEqual(f["completion_ns"], (packets - 1) * ser + 4 * (ser + 1000))
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], sw["name"])
            for p in sw["ports"]:
                self.assertEqual(sum(p.get("drops", {}).values()), 0, (sw["name"], p["name"]))

    def test_mtu_4096(self):
        self.run_mtu(4096, 200)

    def test_mtu_9000(self):
        self.run_mtu(9000, 100)

    def test_bad_input_names_file_and_line(self):
        base = ("fabric: vt-bad\nclock: virtual\nduration: 100us\n"
                "generate: { planes: 2, spines: 1, leaves: 2, hosts_per_leaf: 1, mtu: %s, port_type: generator }\n")
        _, err, _ = run(base % "9001", self.dir, expect_ok=False)
        self.assertRegex(err, r"\.yaml:4: .*9001")
        # one link for a host in a fabric of two planes
        text = ("fabric: vt-bad\nclock: virtual\nduration: 100us\n"
                "switches:\n  - { name: s0, role: spine, plane: 0 }\n  - { name: s1, role: spine, plane: 1 }\n"
                "  - { name: l0, role: leaf, plane: 0, ipv4: 10.0.0.0/24 }\n"
                "  - { name: l1, role: leaf, plane: 1, ipv4: 10.1.0.0/24 }\n"
                "hosts:\n  - { name: h0, port_type: generator }\n"
                "  - { name: h1, port_type: generator }\n"
                "links:\n  - { a: h0, b: l0:0 }\n  - { a: h0:eth1, b: l1:0 }\n  - { a: h1, b: l0:2 }\n"
                "  - { a: l0:1, b: s0:0 }\n  - { a: l1:1, b: s1:0 }\n")
        _, err, _ = run(text, self.dir, expect_ok=False)
        self.assertIn(".yaml:11: generator host h1 has 1 link in a fabric of 2 planes", err)


if __name__ == "__main__":
    unittest.main()
