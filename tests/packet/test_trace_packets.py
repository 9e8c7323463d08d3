"""A trace in a loomd that runs part of a fabric (`loomctl compile --only`,
as `loomctl up --only` and the benches run it): its switch keeps its
topology id (leaf0 is switch 2 of the packet suites' fabric) at another
index of loomd's fabric (0). trace_start, trace_show and trace_stop name
the switch and every hop right; trace_show used to index the fabric by id
and crashed loomd's control thread (found by `./loom bench`'s tracer rows);
capture_start read its port's link at the id too (past the links array).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomharness as H  # noqa: E402

SWITCH = "leaf0"


class TraceOnPartOfAFabric(unittest.TestCase):
    def start_leaf0_alone(self):
        """loomd running leaf0 alone, one UDP frame on port 0 over and over."""
        from scapy.layers.inet import IP, UDP
        from scapy.layers.l2 import Ether
        from scapy.packet import Raw

        def patch(cfg):
            # one UDP frame on port 0 over and over; what leaves goes to null ports
            for p in cfg["switches"][0]["ports"]:
                if p["index"] == 0:
                    p["link"]["devargs"] += ",infinite_rx=1"
                else:
                    p["link"]["devargs"] = "net_null%d,no-rx=1" % p["index"]
        sr, loomd, cfg = H.start_switch(
            "loom-trace-only-", "traceonly", SWITCH, config_patch=patch,
            inputs=lambda cfg: {0: [bytes(Ether(dst=H.port_mac(cfg, SWITCH, 0), src="02:00:00:00:00:02")
                                          / IP(src="10.0.0.2", dst="10.0.1.2", ttl=64)
                                          / UDP(sport=1234, dport=5000) / Raw(b"t" * 18))]})
        self.addCleanup(sr.cleanup)
        self.assertEqual([(s["name"], s["id"]) for s in cfg["switches"]], [("leaf0", 2)])
        return loomd

    def test_trace_names_the_switch_and_its_hops(self):
        loomd = self.start_leaf0_alone()
        started = loomd.request({"cmd": "trace_start", "switch": SWITCH, "count": 1, "match": "udp"})
        self.assertTrue(started["ok"], started)
        self.assertEqual(started["result"]["switch"], SWITCH)
        deadline = time.monotonic() + 10
        while True:
            shown = loomd.request({"cmd": "trace_show"})
            self.assertTrue(shown["ok"], shown)
            t = shown["result"]
            if t["traced"] == 1 and t["packets"][0]["end"] != "in_flight":
                break
            self.assertLess(time.monotonic(), deadline, t)
            time.sleep(0.1)
        self.assertEqual(t["switch"], SWITCH)
        p = t["packets"][0]
        self.assertEqual({e["switch"] for e in p["events"]}, {SWITCH})
        self.assertEqual([e["stage"] for e in p["events"]], ["rx", "route", "lb", "enqueue", "tx"])
        self.assertIn(p["events"][-1]["port"], (2, 3))   # an uplink: to another loomd
        self.assertEqual(p["end"], "left")
        self.assertTrue(loomd.request({"cmd": "trace_stop"})["ok"])
        self.assertTrue(loomd.request({"cmd": "status"})["ok"])   # the control thread is alive

    def test_capture_on_part_of_a_fabric(self):
        """capture_start checked the port's link at the switch's topology id
        (2) in loomd's links, which hold one switch here: a read past the
        array. It names leaf0's port 0 and captures the frames arriving."""
        loomd = self.start_leaf0_alone()
        started = loomd.request({"cmd": "capture_start", "switch": SWITCH, "port": 0, "dir": "rx", "count": 3})
        self.assertTrue(started["ok"], started)
        self.assertTrue(started["result"]["interface"].startswith("leaf0:0-"), started)
        got, deadline = [], time.monotonic() + 10
        while len(got) < 3:
            r = loomd.request({"cmd": "capture_read", "id": started["result"]["id"]})
            self.assertTrue(r["ok"], r)
            got += r["result"]["frames"]
            self.assertLess(time.monotonic(), deadline, got)
            time.sleep(0.05)
        self.assertEqual([f["dir"] for f in got], ["rx"] * 3)
        self.assertTrue(all("7474" in f["data"] for f in got))   # the frame's "tt" payload
        # a port without a link is refused by name
        bad = loomd.request({"cmd": "capture_start", "switch": SWITCH, "port": 9})
        self.assertFalse(bad["ok"])
        self.assertIn("switch leaf0 has no port 9", bad["error"])


if __name__ == "__main__":
    unittest.main()
