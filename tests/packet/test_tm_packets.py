# SPDX-License-Identifier: BSD-3-Clause
"""
Packet tests of the egress traffic manager (dataplane/tm/) on one switch
(leaf0) through DPDK pcap ports. Port 1 (to h1) runs at 8 Mb/s, so that
a burst fed on port 0 queues there and the order, marks and drops that
come out are decided by the traffic manager alone:

  ClassesAndPriorityTest  DSCP -> class (default map and a dscp.D
                          override), strict priority order, received PFC
                          frames consumed and counted, 802.3x PAUSE dropped
                          as mac_control
  LimitsTest              tail drops at a class's byte limit, WRED drops of
                          non-ECT packets, counted by reason on the port
                          and per class
  EcnTest                 CE only on ECT packets (IPv4 checksum still
                          right, IPv6 traffic class), count = marks seen
  PfcSendTest             a lossless class over xoff sends one PAUSE out of
                          the ingress port, and a RESUME once it drains

Every run checks conservation. Run: tests/packet/run.sh [BUILD_DIR].
"""
import os
import struct
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
PORTS = (0, 1, 2, 3)
H0_IP, H1_IP = "10.0.0.2", "10.0.0.3"
H0_IP6, H1_IP6 = "fd00::2", "fd00::3"
H0_MAC = "02:48:00:00:00:00"


def topology(run, tm):
    """leaf0's port 1 (h1) at 8 Mb/s: the slow port where queues build."""
    return H.leaf_pair_topology(run, "tmtest", top=tm, leaf1_v6=False, port_keys={1: "rate: 8M"})


def port_mac(cfg, port):
    sw = next(s for s in cfg["switches"] if s["name"] == SWITCH)
    return next(p["mac"] for p in sw["ports"] if p["index"] == port)


def v4(cfg, tos, tag, size=1000):
    """A UDP frame h0 -> h1 of `size` bytes with TOS `tos`, tagged."""
    p = Ether(src=H0_MAC, dst=port_mac(cfg, 0)) / IP(src=H0_IP, dst=H1_IP, tos=tos, ttl=64) / UDP(sport=1000 + tag,
                                                                                                   dport=2000)
    return p / Raw(b"T%05d" % tag + b"x" * (size - len(p) - 6))


def v6(cfg, tc, tag, size=1000):
    p = Ether(src=H0_MAC, dst=port_mac(cfg, 0)) / IPv6(src=H0_IP6, dst=H1_IP6, tc=tc, hlim=64) / UDP(
        sport=1000 + tag, dport=2000)
    return p / Raw(b"T%05d" % tag + b"x" * (size - len(p) - 6))


def tag_of(frame):
    i = frame.find(b"T")
    raw = bytes(frame)
    for k in range(len(raw) - 6):
        if raw[k:k + 1] == b"T" and raw[k + 1:k + 6].isdigit():
            return int(raw[k + 1:k + 6])
    raise AssertionError("untagged frame %r" % (Ether(frame).summary(),))


def pfc_frame(src_mac, classes, quanta):
    """802.1Qbb frame: opcode 0x0101, class-enable vector, 8 pause times."""
    vec = 0
    times = [0] * 8
    for c in classes:
        vec |= 1 << c
        times[c] = quanta
    body = struct.pack("!HH8H", 0x0101, vec, *times)
    frame = bytes.fromhex("0180c2000001") + bytes.fromhex(src_mac.replace(":", "")) + b"\x88\x08" + body
    return frame + b"\x00" * (60 - len(frame))


class TmRun(unittest.TestCase):
    TM = ""

    @classmethod
    def start(cls, make_inputs, timeout=30.0):
        cls.sr = H.SwitchRun(prefix="loom-tm-pkt-")
        cls.addClassCleanup(cls.sr.cleanup)
        topo = topology(cls.sr, cls.TM)
        path = cls.sr.path("topo.yaml")
        with open(path, "w") as f:
            f.write(topo)
        _, cls.cfg = H.compile_config(path, SWITCH)
        inputs = make_inputs(cls.cfg)
        for p in PORTS:
            inputs.setdefault(p, [])
        cls.n_fed = sum(len(v) for v in inputs.values())
        cls.outputs = cls.sr.run(topo, SWITCH, inputs, timeout=timeout)
        cls.stats = cls.sr.stats

    def port(self, p):
        return next(x for x in self.stats["ports"] if x["index"] == p)

    def tmclass(self, p, c):
        return self.port(p)["tm"]["classes"][c]

    def check_conserved(self):
        s = self.stats
        self.assertEqual(s["rx_packets"], self.n_fed)
        self.assertTrue(s["conserved"], "rx %d + generated %d != tx %d + answered %d + dropped %d + queued %d"
                        % (s["rx_packets"], s["generated"], s["tx_packets"], s["answered"], s["dropped"],
                           s["queued"]))


class ClassesAndPriorityTest(TmRun):
    # DSCP 10 (AF11, class 1 by default) moved to class 5; class 6 (CS6)
    # is strict by default, 0 and 5 are DRR.
    TM = "tm:\n  dscp:\n    10: 5\n"

    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            low = [v4(cfg, 0 << 2, i) for i in range(10)]             # class 0
            af11 = [v4(cfg, 10 << 2, 100 + i) for i in range(4)]      # class 5 (override)
            cs6 = [v4(cfg, 48 << 2, 200 + i) for i in range(10)]      # class 6, strict
            h1_mac = "02:48:00:01:00:00"
            ctrl = [pfc_frame(h1_mac, [2], 100),
                    # 802.3x PAUSE (opcode 1): not served
                    bytes.fromhex("0180c2000001") + bytes.fromhex(h1_mac.replace(":", "")) +
                    b"\x88\x08\x00\x01\x00\x10" + b"\x00" * 40]
            return {0: low + af11 + cs6, 1: ctrl}
        cls.start(inputs)

    def test_dscp_to_class(self):
        got = {c: self.tmclass(1, c)["in_packets"] for c in range(8)}
        self.assertEqual(got, {0: 10, 1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 10, 7: 0})

    def test_strict_priority_first(self):
        tags = [tag_of(f) for f in self.outputs[1]]
        self.assertEqual(len(tags), 24, "all 24 frames leave port 1")
        # the first frame left at once (full bucket); of the rest, every
        # CS6 frame goes before every frame still queued in DRR classes
        rest = tags[1:]
        cs6_pos = [i for i, t in enumerate(rest) if t >= 200]
        other_pos = [i for i, t in enumerate(rest) if t < 200]
        self.assertLess(max(cs6_pos), min(other_pos), "strict class not first: %r" % (tags,))
        # within a class, FIFO
        self.assertEqual([t for t in tags if t >= 200], sorted(t for t in tags if t >= 200))
        self.assertEqual([t for t in tags if t < 100], sorted(t for t in tags if t < 100))

    def test_pfc_on_pfc_off_port_dropped(self):
        # no lossless class here: PFC is off, the PAUSE is not obeyed
        # (test_pfc_safety.py has the rules where PFC is on)
        tm = self.port(1)["tm"]
        self.assertEqual(tm["pfc_frames_received"], 0)
        self.assertEqual(tm["classes"][2]["paused_ns"], 0)
        self.assertEqual(self.port(1)["drops"].get("pfc_disabled"), 1)
        self.assertEqual(self.port(1)["drops"].get("mac_control"), 1)
        self.assertEqual(self.stats["answered"], 0)
        for p in (0, 2, 3):
            for f in self.outputs[p]:
                self.assertNotEqual(f[12:14], b"\x88\x08", "a PFC frame was forwarded")

    def test_conserved(self):
        self.check_conserved()


class LimitsTest(TmRun):
    # class 0: 5000-byte limit; class 1 (DSCP 8): WRED drop profile that
    # drops every non-ECT packet finding 2 bytes or more queued.
    TM = ("tm:\n  class:\n    0:\n      queue_limit: 5000\n      ecn: none\n"
          "    1:\n      ecn: red\n      ecn.kmin: 1\n      ecn.kmax: 2\n      ecn.pmax: 1\n      ecn.wred_drop: true\n")

    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            # 20 frames of 1000 B arrive in one burst: 5 fit in 5000 B
            return {0: [v4(cfg, 0, i) for i in range(20)] + [v4(cfg, 8 << 2, 100 + i) for i in range(8)]}
        cls.start(inputs)

    def test_tail_drops_at_byte_limit(self):
        c0 = self.tmclass(1, 0)
        self.assertEqual(c0["in_packets"], 20)
        self.assertEqual(c0["drops"]["tail"], 15)
        self.assertEqual(c0["out_packets"], 5)
        self.assertLessEqual(c0["max_depth_bytes"], 5000)

    def test_wred_drops_non_ect(self):
        c1 = self.tmclass(1, 1)
        self.assertEqual(c1["in_packets"], 8)
        self.assertEqual(c1["drops"]["wred"], 7, "only the packet that found the class empty passes")
        self.assertEqual(c1["out_packets"], 1)

    def test_drops_by_reason_on_port(self):
        d = self.port(1)["drops"]
        self.assertEqual(d.get("queue_full"), 15)
        self.assertEqual(d.get("wred"), 7)
        self.assertEqual(len(self.outputs[1]), 6)

    def test_conserved(self):
        self.check_conserved()


class EcnTest(TmRun):
    # every ECT packet finding a non-empty class 0 is marked
    TM = "tm:\n  class:\n    0:\n      ecn: step\n      ecn.k: 1\n"

    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            frames = []
            for i in range(10):
                frames.append(v4(cfg, 0x02, i))          # ECT(0)
                frames.append(v4(cfg, 0x00, 100 + i))    # not ECT
            frames += [v6(cfg, 0x01, 200 + i) for i in range(4)]  # ECT(1)
            return {0: frames}
        cls.start(inputs)

    def test_ce_only_on_ect(self):
        out = self.outputs[1]
        self.assertEqual(len(out), 24)
        marked = 0
        for i, f in enumerate(out):
            p = Ether(f)
            t = tag_of(f)
            if IP in p:
                ecn = p[IP].tos & 3
                chk = p[IP].chksum
                del p[IP].chksum
                self.assertEqual(Ether(bytes(p))[IP].chksum, chk, "bad IPv4 checksum after marking")
                if 100 <= t < 200:
                    self.assertEqual(ecn, 0, "non-ECT packet %d changed" % t)
                elif i == 0:
                    self.assertEqual(ecn, 2, "the first packet found the queue empty")
                else:
                    self.assertEqual(ecn, 3, "ECT packet %d not marked" % t)
                marked += ecn == 3
            else:
                self.assertEqual(p[IPv6].tc & 3, 3, "IPv6 ECT(1) packet %d not marked" % t)
                marked += 1
        self.assertEqual(self.tmclass(1, 0)["ecn_marked"], marked)
        self.assertEqual(marked, 9 + 4)

    def test_conserved(self):
        self.check_conserved()


class PfcSendTest(TmRun):
    # class 3 (DSCP 26, RoCEv2 data) lossless: 10 frames of 1000 B from
    # port 0 pass xoff (4000 B) at once; draining at 8 Mb/s they fall to
    # xon (2000 B) in ~7 ms. Port 0's link runs at 10G, where 65535 quanta
    # last 3.4 ms: the PAUSE is refreshed every 1.7 ms meanwhile.
    TM = "tm:\n  pfc:\n    lossless: [3]\n    xoff: 4000\n    xon: 2000\n    headroom: 20000\n"

    @classmethod
    def setUpClass(cls):
        cls.start(lambda cfg: {0: [v4(cfg, 26 << 2, i) for i in range(10)]})

    def test_pause_then_resume(self):
        frames = [f for f in self.outputs[0] if f[12:14] == b"\x88\x08"]
        self.assertGreaterEqual(len(frames), 2, [f.hex() for f in frames])
        # PAUSE, refreshes of it, RESUME
        for f, quanta in zip(frames, [65535] * (len(frames) - 1) + [0]):
            op, vec, *times = struct.unpack("!HH8H", f[14:34])
            self.assertEqual(op, 0x0101)
            self.assertEqual(vec, 1 << 3)
            self.assertEqual(times[3], quanta)
            self.assertEqual(f[0:6], bytes.fromhex("0180c2000001"))
        tm = self.port(0)["tm"]
        self.assertEqual((tm["pfc_frames_sent"], tm["pfc_xoff"], tm["pfc_xon"], tm["pfc_refresh"]),
                         (len(frames), 1, 1, len(frames) - 2))
        self.assertGreater(tm["headroom_packets"], 0)
        self.assertEqual(len(self.outputs[1]), 10, "lossless: nothing dropped")
        self.assertEqual(self.stats["generated"], len(frames))

    def test_conserved(self):
        self.check_conserved()


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("LOOM_TEST_VERBOSITY", "1")))
