# SPDX-License-Identifier: BSD-3-Clause
"""
Jumbo frames through one switch (leaf0) over DPDK pcap ports.

leaf0's host port h0 (0) and both uplinks (2, 3) have `mtu: 9000`, h1's
port (1) keeps the default 1500. One loomd run:
  - 9014-byte frames (9000-byte IP packets) h0 -> leaf1's host over the
    uplinks, and back from an uplink to h0, come out whole: the same bytes
    but for the MACs, the TTL and the IPv4 checksum;
  - a 9001-byte IP packet (IPv4 UDP, the fast path's kind, and IPv6) on
    the 9000 port h0 is dropped at ingress under mtu_exceeded, on port 0;
  - a 1501-byte IP packet on the 1500 port h1 likewise, on port 1;
  - a 9000-byte packet from h0 to h1 (port 1, MTU 1500) is dropped at
    egress under mtu_exceeded, counted on port 1; a 1500-byte one passes;
  - conservation holds and nothing else is dropped.
The same run again with leaf0 on the P4 pipeline (JumboP4Test).

Run with Debian's /usr/bin/python3 (scapy) as root: tests/packet/run.sh
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402

from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

SWITCH = "leaf0"
H0, H1, UP0, UP1 = 0, 1, 2, 3
PORTS = (H0, H1, UP0, UP1)
H0_IP, H1_IP, REMOTE_IP = "10.0.0.2", "10.0.0.3", "10.0.1.2"
H0_IP6, REMOTE_IP6 = "fd00::2", "fd00:0:0:1::2"


def udp4(src_mac, dst_mac, src, dst, ip_len, sport=1000):
    """An IPv4 UDP frame whose IP packet is ip_len bytes."""
    return bytes(Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst) / UDP(sport=sport, dport=2000)
                 / Raw(b"J" * (ip_len - 28)))


def forwarded(frame, src_mac, dst_mac):
    """What the switch makes of a routed IPv4 frame: MACs, TTL -1, checksum."""
    p = Ether(frame)
    if src_mac:
        p[Ether].src, p[Ether].dst = src_mac, dst_mac
    p[IP].ttl -= 1
    del p[IP].chksum
    return bytes(p)


class JumboTest(unittest.TestCase):
    PIPELINE = "native"

    @classmethod
    def setUpClass(cls):
        cls.sr = H.SwitchRun(prefix="loom-jumbo-")
        try:
            topo = H.leaf_pair_topology(cls.sr, "jumbotest", leaf0="pipeline: %s" % cls.PIPELINE,
                                        port_keys={H0: "mtu: 9000", UP0: "mtu: 9000", UP1: "mtu: 9000"})
            _, cfg = cls.sr.write_config(topo, SWITCH)
            sw = next(s for s in cfg["switches"] if s["name"] == SWITCH)
            cls.mtu = {p["index"]: p["mtu"] for p in sw["ports"]}
            mac = {p["index"]: p["mac"] for p in sw["ports"]}
            nh = {}
            for n in sw["nexthops"]:
                nh.setdefault(n["port"], n["mac"])
            cls.mac, cls.nh = mac, nh
            h0, h1 = nh[H0], nh[H1]
            cls.cases = {
                "to_remote": [udp4(h0, mac[H0], H0_IP, REMOTE_IP, 9000, sport=1000 + i) for i in range(8)],
                "from_uplink": [udp4(nh[UP0], mac[UP0], REMOTE_IP, H0_IP, 9000)],
                "over_9000_v4": [udp4(h0, mac[H0], H0_IP, REMOTE_IP, 9001)],
                "over_9000_v6": [bytes(Ether(src=h0, dst=mac[H0]) / IPv6(src=H0_IP6, dst=REMOTE_IP6)
                                       / UDP(sport=1, dport=2) / Raw(b"J" * (9001 - 48)))],
                "over_1500_in": [udp4(h1, mac[H1], H1_IP, REMOTE_IP, 1501)],
                "jumbo_to_1500": [udp4(h0, mac[H0], H0_IP, H1_IP, 9000), udp4(h0, mac[H0], H0_IP, H1_IP, 1501)],
                "fits_1500": [udp4(h0, mac[H0], H0_IP, H1_IP, 1500)],
            }
            c = cls.cases
            inputs = {H0: c["to_remote"] + c["over_9000_v4"] + c["over_9000_v6"] + c["jumbo_to_1500"]
                      + c["fits_1500"],
                      H1: c["over_1500_in"], UP0: c["from_uplink"], UP1: []}
            cls.outputs = cls.sr.run(topo, SWITCH, inputs)
            cls.stats = cls.sr.stats
        except BaseException:
            cls.sr.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sr.cleanup()

    def port_stats(self, port):
        return next(p for p in self.stats["ports"] if p["index"] == port)

    def test_config_carries_mtu(self):
        self.assertEqual(self.mtu, {H0: 9000, H1: 1500, UP0: 9000, UP1: 9000})

    def test_jumbo_forwarded_intact(self):
        want = sorted(forwarded(f, None, None)[12:] for f in self.cases["to_remote"])
        got = self.outputs[UP0] + self.outputs[UP1]
        self.assertEqual(len(got), len(want), "%d jumbo frames out of the uplinks, %d sent"
                         % (len(got), len(want)))
        for f in got:
            self.assertEqual(len(f), 9014)
        # the MACs depend on the uplink ECMP chose; everything after them must match
        self.assertEqual(sorted(f[12:] for f in got), want)
        for up in (UP0, UP1):
            for f in self.outputs[up]:
                self.assertEqual(Ether(f).src, self.mac[up])
                self.assertEqual(Ether(f).dst, self.nh[up])
        back = self.cases["from_uplink"][0]
        self.assertEqual(self.outputs[H0], [forwarded(back, self.mac[H0], self.nh[H0])])

    def test_egress_mtu(self):
        """h1's port (1500) sends the 1500-byte packet only."""
        want = [forwarded(self.cases["fits_1500"][0], self.mac[H1], self.nh[H1])]
        self.assertEqual(self.outputs[H1], want)

    def test_drops(self):
        self.assertEqual(self.port_stats(H0)["drops"], {"mtu_exceeded": 2},
                         "ingress drops on the 9000 port: the 9001-byte IPv4 and IPv6 packets")
        self.assertEqual(self.port_stats(H1)["drops"], {"mtu_exceeded": 3},
                         "on the 1500 port: the 1501-byte packet at ingress, 2 too long for it at egress")
        self.assertEqual(self.port_stats(UP0)["drops"], {})
        self.assertEqual(self.port_stats(UP1)["drops"], {})
        self.assertEqual(self.stats["drops"], {"mtu_exceeded": 5})

    def test_conserved(self):
        s = self.stats
        self.assertEqual(s.get("pipeline"), self.PIPELINE)
        fed = sum(len(v) for v in self.sr.inputs.values())
        self.assertEqual(s["rx_packets"], fed)
        self.assertEqual(s["tx_packets"], sum(len(v) for v in self.outputs.values()))
        self.assertTrue(s["conserved"], "rx %d + generated %d != tx %d + answered %d + dropped %d + queued %d"
                        % (s["rx_packets"], s["generated"], s["tx_packets"], s["answered"], s["dropped"],
                           s["queued"]))


class JumboP4Test(JumboTest):
    """The same on a P4 leaf (docs/P4.md): the program gets each jumbo
    packet whole, in one buffer."""
    PIPELINE = "p4"


if __name__ == "__main__":
    unittest.main()
