# SPDX-License-Identifier: BSD-3-Clause
"""
A real-time lossless queue grows into its switch's reserve, made at set-up
(dataplane/tm/tm_queue_reserve.c), never with rte_malloc on the worker; when
the reserve is exhausted the packet is dropped and counted (lossless_drop).

leaf0 through pcap ports, class 3 (DSCP 26) lossless, a 64 KiB shared buffer:
its reserve is 64 KiB / 64 B = 1024 entries, one block. Port 1 (h1, 8 Mb/s)
is held by a PAUSE for class 3 (65535 quanta: 4.2 s at 8 Mb/s); port 0 sends
1200 frames of 60 bytes in class 3 towards h1 (its own PFC off: port 0 is
not the limit here). The queue fills its first 512 entries, moves once to
the reserve's 1024 (grows 1), and refuses the next growth: every further
frame is a counted lossless drop, the 1200 * 60 B far below the buffer.
(The PFC watchdog's default 200 ms then ends the hold and the queue
drains, returning its block.) Judged on loomd's counters: grows, the
reserve's grows/refused, no heap growth, the deepest queue exactly the
block, class 3's in = out + lossless drops + queued, conservation.
Run: tests/packet/run.sh [BUILD_DIR].
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402
from scapy.all import IP, Ether  # noqa: E402
from test_tm_packets import v4, pfc_frame, tag_of  # noqa: E402

SWITCH = "leaf0"
H1_MAC = "02:48:00:01:00:00"
N = 1200
FRAME = 60


class LosslessReserveTest(unittest.TestCase):
    TM = "tm:\n  buffer: 64KiB\n  pfc:\n    lossless: [3]\n"
    LEAF0 = "tm:\n  ports:\n    0: {pfc: {lossless: none}}\n"

    @classmethod
    def setUpClass(cls):
        cls.sr = H.SwitchRun(prefix="loom-reserve-pkt-")
        cls.addClassCleanup(cls.sr.cleanup)
        topo = H.leaf_pair_topology(cls.sr, "reserve", top=cls.TM, leaf0=cls.LEAF0, leaf1_v6=False,
                                    port_keys={1: "rate: 8M"})
        cfg_path, cfg = cls.sr.write_config(topo, SWITCH)
        inputs = {0: [bytes(v4(cfg, 26 << 2, i, size=FRAME)) for i in range(N)],
                  1: [pfc_frame(H1_MAC, [3], 65535)], 2: [], 3: []}
        for p, frames in inputs.items():
            H.write_pcap(cls.sr.in_pcap(p), frames)
        cls.n_fed = sum(len(v) for v in inputs.values())
        cls.sr.loomd = H.Loomd(cfg_path, cls.sr.tmp)
        cls.sr.loomd.start()
        cls.stats = cls.sr.loomd.wait_idle(SWITCH, cls.n_fed, timeout=30)
        cls.show = cls.sr.loomd.request({"cmd": "tm", "op": "show", "switch": SWITCH, "port": 1})
        cls.sr.loomd.shutdown()

    def cls3(self):
        port = next(x for x in self.stats["ports"] if x["index"] == 1)
        return port["tm"]["classes"][3]

    def test_grew_into_reserve_then_dropped_counted(self):
        self.assertTrue(self.show.get("ok"), self.show)
        res = self.show["result"]
        q = self.cls3()
        self.assertEqual(res["queue_reserve"]["entries"], 1024, res)
        # the worker grew the queue once, from the reserve, never from the heap
        self.assertEqual(q.get("grows"), 1, q)
        self.assertEqual(res["queue_reserve"]["grows"], 1, res)
        self.assertEqual(res["queue_heap_grows"], 0, res)
        self.assertEqual(res["queue_reserve"]["peak"], 1024, res)
        # past 1024 queued every frame is a counted lossless drop
        drops = q["drops"].get("lossless", 0)
        self.assertGreater(drops, 0, q)
        self.assertEqual(res["queue_reserve"]["refused"], drops, res)
        # it held the reserve's block full (the frames before the PAUSE took
        # hold, if any, left early), never more
        self.assertEqual(q["max_depth_bytes"], 1024 * FRAME, q)
        # drained (the watchdog ended the hold): the block went back
        self.assertEqual(q["depth_packets"], 0, q)
        self.assertEqual(res["queue_reserve"]["in_use"], 0, res)
        self.assertEqual(q["in_packets"], N, q)
        self.assertEqual(q["in_packets"], q["out_packets"] + drops + q["depth_packets"], q)
        self.assertEqual(q["drops"]["tail"] + q["drops"]["buffer"] + q["drops"]["pfc_headroom"], 0, q)

    def test_conserved(self):
        s = self.stats
        self.assertEqual(s["rx_packets"], self.n_fed)
        self.assertTrue(s["conserved"], s)
        port = next(x for x in s["ports"] if x["index"] == 1)
        # the egress port counts them under the existing reason
        self.assertEqual(port["drops"].get("lossless_drop"), self.cls3()["drops"]["lossless"], port["drops"])



class ReserveFollowsBufferTest(unittest.TestCase):
    """`tm set buffer` resizes the reserve under a held queue.

    A 256 KiB buffer: 4096 entries. h1's port (1 Mb/s) is held by a PAUSE
    for class 3 (65535 quanta: 33 s) with the PFC watchdog off; 1600 frames
    in class 3 queue there (those that left before the PAUSE took hold
    aside, at most 176 in the test above), so the queue grew twice, to a
    2048-entry block. Then, on the live switch:
      buffer 64KiB:  its reserve (1024 entries) cannot take the queued
                     block: refused with an error, nothing changed;
      buffer 1MiB:   16384 entries, the block moved into it;
      buffer 128KiB: 2048 entries, exactly the block: moved again.
    The watchdog (tm set ... pfc.watchdog.detect 1ms) then ends the hold:
    every frame leaves h1's port once, in the order sent, none dropped.
    """
    TM = ("tm:\n  buffer: 256KiB\n  pfc:\n    lossless: [3]\n    watchdog:\n      detect: 0\n")
    LEAF0 = "tm:\n  ports:\n    0: {pfc: {lossless: none}}\n"
    N = 1600

    @classmethod
    def setUpClass(cls):
        cls.sr = H.SwitchRun(prefix="loom-reserve-resize-")
        cls.addClassCleanup(cls.sr.cleanup)
        topo = H.leaf_pair_topology(cls.sr, "resize", top=cls.TM, leaf0=cls.LEAF0, leaf1_v6=False,
                                    port_keys={1: "rate: 1M"})
        cfg_path, cls.cfg = cls.sr.write_config(topo, SWITCH)
        inputs = {0: [bytes(v4(cls.cfg, 26 << 2, i, size=FRAME)) for i in range(cls.N)],
                  1: [pfc_frame(H1_MAC, [3], 65535)], 2: [], 3: []}
        for p, frames in inputs.items():
            H.write_pcap(cls.sr.in_pcap(p), frames)
        cls.n_fed = sum(len(v) for v in inputs.values())
        L = cls.sr.loomd = H.Loomd(cfg_path, cls.sr.tmp)
        L.start()
        # everything in, the queue held and still
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            sw = L.switch_stats(SWITCH)
            if sw["rx_packets"] == cls.n_fed and cls.depth(sw) == cls.depth(L.switch_stats(SWITCH)):
                break
            time.sleep(0.1)
        cls.held = cls.depth(L.switch_stats(SWITCH))
        cls.before = cls.show()
        cls.shrink = cls.set_buffer("64KiB")
        cls.after_refused = cls.show()
        cls.grow = cls.set_buffer("1MiB")
        cls.fit = cls.set_buffer("128KiB")
        cls.released = L.request({"cmd": "tm", "op": "set", "switch": SWITCH, "port": 1,
                                  "key": "pfc.watchdog.detect", "value": "1ms"})
        cls.stats = L.wait_idle(SWITCH, cls.n_fed, timeout=30)
        cls.end = cls.show()
        L.shutdown()
        cls.out = [tag_of(f) for f in H.read_pcap(cls.sr.out_pcap(1))
                   if Ether(f).haslayer(IP) and Ether(f)[IP].tos >> 2 == 26]

    @staticmethod
    def depth(sw):
        return next(x for x in sw["ports"] if x["index"] == 1)["tm"]["classes"][3]["depth_packets"]

    @classmethod
    def show(cls):
        r = cls.sr.loomd.request({"cmd": "tm", "op": "show", "switch": SWITCH, "port": 1})
        assert r.get("ok"), r
        return r["result"]

    @classmethod
    def set_buffer(cls, value):
        return cls.sr.loomd.request({"cmd": "tm", "op": "set", "switch": SWITCH, "key": "buffer", "value": value})

    def test_held_queue_in_a_2048_block(self):
        self.assertGreater(self.held, 1024)
        self.assertEqual(self.before["queue_reserve"]["entries"], 4096, self.before)
        self.assertEqual(self.before["queue_reserve"]["in_use"], 2048, self.before)

    def test_shrink_below_the_queued_refused_unchanged(self):
        self.assertFalse(self.shrink.get("ok"), self.shrink.get("result", {}).get("queue_reserve"))
        self.assertIn("2048 entries", self.shrink["error"])
        self.assertIn("nothing changed", self.shrink["error"])
        r = self.after_refused
        self.assertEqual(r["queue_reserve"], self.before["queue_reserve"])
        self.assertEqual(r["ports"][0]["buffer_bytes"], 256 * 1024)

    def test_grow_and_shrink_follow_the_buffer(self):
        for reply, entries, buf in ((self.grow, 16384, 1 << 20), (self.fit, 2048, 128 * 1024)):
            self.assertTrue(reply.get("ok"), reply.get("error"))
            res = reply["result"]
            r = res["queue_reserve"]
            self.assertEqual(res["ports"][0]["buffer_bytes"], buf)
            self.assertEqual(r["entries"], entries, r)
            # the queue's block moved, its counters went on
            self.assertEqual(r["in_use"], 2048, r)
            self.assertEqual(r["grows"], self.before["queue_reserve"]["grows"], r)
            self.assertEqual(r["refused"], 0, r)
            self.assertEqual(res["queue_heap_grows"], 0)

    def test_moved_packets_all_leave_in_order(self):
        self.assertTrue(self.released.get("ok"), self.released)
        self.assertEqual(self.out, list(range(self.N)))
        q = next(x for x in self.stats["ports"] if x["index"] == 1)["tm"]["classes"][3]
        self.assertEqual((q["in_packets"], q["out_packets"], q["depth_packets"]), (self.N, self.N, 0), q)
        self.assertEqual(self.end["queue_reserve"]["in_use"], 0, self.end)
        self.assertTrue(self.stats["conserved"], self.stats)


if __name__ == "__main__":
    unittest.main()
