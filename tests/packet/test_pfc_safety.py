# SPDX-License-Identifier: BSD-3-Clause
"""
PFC safety (dataplane/tm/tm_pfc.c, loom/tm/pfc_watchdog.h) on leaf0 through
pcap ports, class 3 (DSCP 26) lossless, port 1 (h1) at 8 Mb/s.

  IgnoredTest   a PAUSE to a unicast MAC (pfc_not_multicast), one naming only
                lossy classes (pfc_lossy), one on port 2 whose per-port
                settings have no lossless class (pfc_disabled): each is
                dropped and counted, holds nothing; a PAUSE naming class 3
                and class 0 pauses class 3 only (pfc_rx_lossy_ignored 1).
  WatchdogTest  h1 sends PAUSE for class 3 in a loop (40 frames, 65535
                quanta: each would hold the class 4.2 s at 8 Mb/s). With
                pfc.watchdog.detect 20ms the class is declared stormed by
                loomd's own timers, its hold released, the class-3 packets
                queued to h1 delivered and class 0 flows; no PAUSE for the
                restore time (50ms) ends the storm. Judged on loomd's
                counters: one storm, one restore, time paused below the
                PAUSE's hold (the watchdog cut it short), conservation.
  WatchdogDropTest  action drop, detect 1us: the storm is declared on
                loomd's next loop turn; the class-3 frames that arrive
                while stormed are dropped as pfc_watchdog, the rest sent.
Run: tests/packet/run.sh [BUILD_DIR].
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402
from test_tm_packets import v4, pfc_frame, port_mac  # noqa: E402

SWITCH = "leaf0"
H1_MAC = "02:48:00:01:00:00"
HOLD_NS = 65535 * 512 * 10**9 // 8_000_000   # one PAUSE at 8 Mb/s: 4.19 s


def unicast_pfc(src, dst, classes, quanta):
    f = pfc_frame(src, classes, quanta)
    return bytes.fromhex(dst.replace(":", "")) + f[6:]


class PfcRun(unittest.TestCase):
    TM = ("tm:\n  pfc:\n    lossless: [3]\n    watchdog:\n      detect: 20ms\n      restore: 50ms\n"
          "      action: ignore\n")
    LEAF0 = "tm:\n  ports:\n    2: {pfc: {lossless: none}}\n"

    @classmethod
    def run_switch(cls, make_inputs, settle=None):
        cls.sr = H.SwitchRun(prefix="loom-pfc-pkt-")
        cls.addClassCleanup(cls.sr.cleanup)
        topo = H.leaf_pair_topology(cls.sr, "pfcsafe", top=cls.TM, leaf0=cls.LEAF0, leaf1_v6=False,
                                    port_keys={1: "rate: 8M"})
        cfg_path, cls.cfg = cls.sr.write_config(topo, SWITCH)
        inputs = make_inputs(cls.cfg)
        for p in range(4):
            inputs.setdefault(p, [])
            H.write_pcap(cls.sr.in_pcap(p), inputs[p])
        cls.n_fed = sum(len(v) for v in inputs.values())
        cls.sr.loomd = H.Loomd(cfg_path, cls.sr.tmp)
        cls.sr.loomd.start()
        cls.stats = cls.sr.loomd.wait_idle(SWITCH, cls.n_fed, timeout=30)
        if settle:   # poll loomd's counters until its own clock has done its part
            deadline = time.monotonic() + 10
            while not settle(cls.stats) and time.monotonic() < deadline:
                time.sleep(0.05)
                cls.stats = cls.sr.loomd.switch_stats(SWITCH)
        cls.tm_show = cls.sr.loomd.request({"cmd": "tm", "op": "show", "switch": SWITCH, "port": 1})
        cls.sr.loomd.shutdown()
        cls.outputs = {p: H.read_pcap(cls.sr.out_pcap(p)) for p in range(4)}

    @classmethod
    def port(cls, p):
        return next(x for x in cls.stats["ports"] if x["index"] == p)

    def check_conserved(self):
        s = self.stats
        self.assertEqual(s["rx_packets"], self.n_fed)
        self.assertTrue(s["conserved"], s)


class IgnoredTest(PfcRun):
    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            leaf_mac = port_mac(cfg, 1)
            return {1: [unicast_pfc(H1_MAC, leaf_mac, [3], 65535),   # not to the PFC address
                        pfc_frame(H1_MAC, [0, 5], 65535),           # lossy classes only
                        pfc_frame(H1_MAC, [3, 0], 100)],            # class 3 obeyed, 0 ignored
                    2: [pfc_frame("02:00:00:00:00:99", [3], 65535)]}  # PFC off on port 2
        cls.run_switch(inputs)

    def test_unicast_pause_ignored(self):
        self.assertEqual(self.port(1)["drops"].get("pfc_not_multicast"), 1)

    def test_lossy_class_ignored(self):
        self.assertEqual(self.port(1)["drops"].get("pfc_lossy"), 1)
        tm = self.port(1)["tm"]
        self.assertEqual(tm["pfc_rx_lossy_ignored"], 1)
        self.assertEqual(tm["pfc_frames_received"], 1, "only the frame naming class 3 is obeyed")
        self.assertEqual(tm["classes"][0]["paused_ns"], 0)
        self.assertEqual(tm["classes"][5]["paused_ns"], 0)
        self.assertGreater(tm["classes"][3]["paused_ns"], 0)

    def test_pfc_off_port_ignored(self):
        self.assertEqual(self.port(2)["drops"].get("pfc_disabled"), 1)
        tm = self.port(2)["tm"]
        self.assertEqual(tm["pfc_frames_received"], 0)
        self.assertEqual(tm["classes"][3]["paused_ns"], 0)

    def test_answered_and_dropped(self):
        self.assertEqual(self.stats["answered"], 1)
        self.assertEqual(self.stats["dropped"], 3)
        for p in range(4):
            for f in self.outputs[p]:
                self.assertNotEqual(f[12:14], b"\x88\x08", "a received PFC frame was forwarded")

    def test_conserved(self):
        self.check_conserved()


class WatchdogTest(PfcRun):
    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            return {1: [pfc_frame(H1_MAC, [3], 65535) for _ in range(40)],
                    0: [v4(cfg, 26 << 2, i, size=200) for i in range(5)]      # class 3 -> h1
                    + [v4(cfg, 0, 100 + i, size=200) for i in range(5)]}     # class 0 -> h1

        def restored(sw):
            wd = next(x for x in sw["ports"] if x["index"] == 1)["tm"]["classes"][3].get("pfc_watchdog")
            return wd is not None and wd["restores"] >= 1
        cls.run_switch(inputs, settle=restored)

    def test_settings_applied(self):
        # the topology's pfc.watchdog settings, not the defaults (200ms, drop)
        self.assertTrue(self.tm_show["ok"], self.tm_show)
        text = repr(self.tm_show["result"])
        self.assertIn("'detect_ns': 20000000", text)
        self.assertIn("'restore_ns': 50000000", text)
        self.assertIn("'action': 'ignore'", text)

    def test_storm_declared_and_restored(self):
        wd = self.port(1)["tm"]["classes"][3]["pfc_watchdog"]
        self.assertEqual(wd["storms"], 1, wd)
        self.assertEqual(wd["restores"], 1, wd)
        self.assertFalse(wd["stormed"])
        self.assertEqual(wd["drops"], 0, "action ignore drops nothing")

    def test_hold_cut_short(self):
        paused = self.port(1)["tm"]["classes"][3]["paused_ns"]
        self.assertGreater(paused, 0)
        self.assertLess(paused, HOLD_NS, "the watchdog did not release the class before its PAUSE ran out")

    def test_traffic_flows(self):
        tags = sorted(int(bytes(f)[42 + 1:42 + 6]) for f in self.outputs[1] if f[12:14] == b"\x08\x00")
        self.assertEqual(tags, list(range(5)) + list(range(100, 105)))

    def test_conserved(self):
        self.check_conserved()


class WatchdogDropTest(PfcRun):
    """Action drop: h1 pauses class 3 with 200 PAUSE frames read in bursts
    of 32 over successive loop turns of loomd, while 200 class-3 frames to
    h1 arrive on port 0 the same way. detect 1us: the second turn's PAUSE
    finds the episode older than that (loomd's clock moved between turns)
    and declares the storm; class-3 frames that arrive while stormed are
    dropped as pfc_watchdog, the others delivered."""
    TM = ("tm:\n  pfc:\n    lossless: [3]\n    headroom: 1MB\n    watchdog:\n      detect: 1us\n"
          "      restore: 50ms\n      action: drop\n")

    @classmethod
    def setUpClass(cls):
        def inputs(cfg):
            return {1: [pfc_frame(H1_MAC, [3], 65535) for _ in range(200)],
                    0: [v4(cfg, 26 << 2, i, size=100) for i in range(200)]}

        def restored(sw):
            wd = next(x for x in sw["ports"] if x["index"] == 1)["tm"]["classes"][3].get("pfc_watchdog")
            return wd is not None and wd["restores"] >= 1
        cls.run_switch(inputs, settle=restored)

    def test_stormed_class_dropped(self):
        wd = self.port(1)["tm"]["classes"][3]["pfc_watchdog"]
        self.assertGreaterEqual(wd["storms"], 1, wd)
        self.assertGreater(wd["drops"], 0, wd)
        self.assertEqual(self.port(1)["drops"].get("pfc_watchdog"), wd["drops"])
        delivered = [f for f in self.outputs[1] if f[12:14] == b"\x08\x00"]
        self.assertEqual(len(delivered) + wd["drops"], 200)

    def test_conserved(self):
        self.check_conserved()


if __name__ == "__main__":
    unittest.main()
