"""The traffic manager in virtual time: PFC frames are events like any
other transmit (a port whose only work is a PAUSE or RESUME gets its send;
a RESUME brings a held port's send forward)."""
import tempfile
import unittest

from test_virtual import run, topo


class PfcVirtual(unittest.TestCase):
    def test_lossless_incast_runs_at_line_rate_without_fabric_drops(self):
        with tempfile.TemporaryDirectory(prefix="loom-vt-pfc-") as d:
            r, _, _ = run(topo("pfc_lossless.yaml"), d)
        sw = {s["name"]: s for s in r["switches"]}
        for s in sw.values():
            self.assertTrue(s["conserved"], s["name"])
        rates = [f["rx_rate_bps"] for f in r["flows"]]
        # 10G shared by two: together within 1 % of 10G, each within 3 %
        # of 5G (the generator hosts obey leaf0's PAUSE, and both are held
        # and released in step: 5.107 and 4.893 Gb/s)
        self.assertAlmostEqual(sum(rates) / 10e9, 1.0, delta=0.01)
        for rate in rates:
            self.assertAlmostEqual(rate / 5e9, 1.0, delta=0.03)
        # nothing is lost anywhere: inside the fabric PFC holds the
        # switches, and leaf0's host ports hold the generator hosts
        for name in ("leaf0", "leaf1", "spine0"):
            self.assertEqual({k: v for p in sw[name]["ports"] for k, v in p["drops"].items()}, {}, name)
        for h in r["hosts"][:2]:
            self.assertGreater(h.get("pfc_frames_rx", 0), 0, h)
        pauses = sum(p["tm"]["pfc_frames_sent"] for p in sw["leaf1"]["ports"])
        self.assertGreater(pauses, 0, "leaf1 never paused the spine")


if __name__ == "__main__":
    unittest.main()
