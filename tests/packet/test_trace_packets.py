"""A trace in a loomd that runs part of a fabric (`loomctl compile --only`,
as `loomctl up --only` and the benches run it): its switch keeps its
topology id (leaf0 is switch 2 of the packet suites' fabric) at another
index of loomd's fabric (0). trace_start, trace_show and trace_stop name
the switch and every hop right; trace_show used to index the fabric by id
and crashed loomd's control thread (found by `./loom bench`'s tracer rows).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomharness as H  # noqa: E402

SWITCH = "leaf0"


class TraceOnPartOfAFabric(unittest.TestCase):
    def test_trace_names_the_switch_and_its_hops(self):
        from scapy.layers.inet import IP, UDP
        from scapy.layers.l2 import Ether
        from scapy.packet import Raw

        sr = H.SwitchRun(prefix="loom-trace-only-")
        self.addCleanup(sr.cleanup)

        def patch(cfg):
            # one UDP frame on port 0 over and over; what leaves goes to null ports
            for p in cfg["switches"][0]["ports"]:
                if p["index"] == 0:
                    p["link"]["devargs"] += ",infinite_rx=1"
                else:
                    p["link"]["devargs"] = "net_null%d,no-rx=1" % p["index"]
        cfg_path, cfg = sr.write_config(H.leaf_pair_topology(sr, "traceonly"), SWITCH, patch)
        self.assertEqual([(s["name"], s["id"]) for s in cfg["switches"]], [("leaf0", 2)])
        H.write_pcap(sr.in_pcap(0), [bytes(Ether(dst=H.port_mac(cfg, SWITCH, 0), src="02:00:00:00:00:02")
                                           / IP(src="10.0.0.2", dst="10.0.1.2", ttl=64)
                                           / UDP(sport=1234, dport=5000) / Raw(b"t" * 18))])
        loomd = H.Loomd(cfg_path, sr.tmp)
        sr.loomd = loomd
        loomd.start()
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


if __name__ == "__main__":
    unittest.main()
