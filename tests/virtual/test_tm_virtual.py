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
        # 10G shared by two: each within 1 % of 5G
        for rate in rates:
            self.assertAlmostEqual(rate / 5e9, 1.0, delta=0.01)
        # inside the fabric (leaf1, spine0, leaf0's uplink) nothing is lost
        for name in ("leaf1", "spine0"):
            self.assertEqual({k: v for p in sw[name]["ports"] for k, v in p["drops"].items()}, {}, name)
        leaf0_drops = {}
        for p in sw["leaf0"]["ports"]:
            for k, v in p["drops"].items():
                leaf0_drops[k] = leaf0_drops.get(k, 0) + v
        self.assertEqual(set(leaf0_drops) - {"pfc_headroom"}, set())
        pauses = sum(p["tm"]["pfc_frames_sent"] for p in sw["leaf1"]["ports"])
        self.assertGreater(pauses, 0, "leaf1 never paused the spine")


if __name__ == "__main__":
    unittest.main()
