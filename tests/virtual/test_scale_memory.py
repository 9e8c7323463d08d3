"""Virtual time's memory (docs/VIRTUAL_TIME.md, "Scale"): the mbuf pool
grows on demand instead of being sized to the fabric's maximum, and loomd
says where its memory went.

 - pool_growth.yaml holds more packets than the pool starts with: the pool
   grows (loomd's memory line says how often), no generator host ever went
   without a buffer (tx_no_buffer 0), every switch conserves, and a second
   run is byte-identical (growth is part of the deterministic run);
 - the memory line names every purpose and the peak RSS, and the results'
   peak follows it;
 - switches with the same routes share one table (clos.yaml's spines).
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("LOOM_BUILD", os.path.join(HERE, "..", "..", "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")


def run(out, topology="pool_growth.yaml"):
    p = subprocess.run([LOOMCTL, "run", os.path.join(HERE, topology), "--out", out],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError("loomctl run %s failed: %s" % (topology, p.stderr))
    with open(out, "rb") as f:
        return f.read(), p.stderr


class PoolGrowth(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="loom-vt-mem-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_pool_grows_and_no_host_waits_for_a_buffer(self):
        raw, err = run(os.path.join(self.tmp.name, "a.json"))
        m = re.search(r"mbufs [\d.]+ MB \((\d+) of \d+ bytes: (\d+) at start, grown (\d+) times; cap (\d+)\)", err)
        self.assertIsNotNone(m, err)
        now, start, grown, cap = map(int, m.groups())
        self.assertGreaterEqual(grown, 1, err)
        self.assertGreater(now, start)
        self.assertLessEqual(now, cap)
        r = json.loads(raw)
        self.assertEqual(sum(f["tx_no_buffer"] for f in r["flows"]), 0)
        queued = sum(s["queued"] for s in r["switches"])
        self.assertGreater(queued + r["in_flight"], start, "the run never held more than the pool's start")
        for s in r["switches"]:
            self.assertTrue(s["conserved"], s["name"])
        raw2, _ = run(os.path.join(self.tmp.name, "b.json"))
        self.assertEqual(raw, raw2)

    def test_memory_by_purpose_and_peak(self):
        _, err = run(os.path.join(self.tmp.name, "a.json"))
        line = next((l for l in err.splitlines() if l.startswith("loomd: memory:")), None)
        self.assertIsNotNone(line, err)
        for purpose in ("mbufs", "PFC frames", "route tables", "queues", "event queue", "flow state",
                        "switches and ports", "peak RSS", "hugepages"):
            self.assertIn(purpose, line)
        # four leaves with routes of their own, one spine
        self.assertRegex(line, r"route tables [\d.]+ MB \(5 for 5 switches\)")
        peak = float(re.search(r"peak RSS ([\d.]+) MB", line).group(1))
        after = float(re.search(r"peak RSS with the results written: ([\d.]+) MB", err).group(1))
        self.assertGreaterEqual(after, peak)
        self.assertRegex(err, r"loomd: wall: set-up [\d.]+ s .*, loop [\d.]+ s")

    def test_spines_with_the_same_routes_share_a_table(self):
        """clos.yaml: 4 leaves, 2 spines with the same routes (one table),
        and the same results as ever (test_virtual checks them)."""
        _, err = run(os.path.join(self.tmp.name, "c.json"), "clos.yaml")
        self.assertRegex(err, r"route tables [\d.]+ MB \(5 for 6 switches\)")


if __name__ == "__main__":
    unittest.main()
