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
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402
from test_tm_packets import v4, pfc_frame  # noqa: E402

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


if __name__ == "__main__":
    unittest.main()
