"""The smoke experiment: `loomctl experiment run` on a small fabric of
generator hosts (2 modes x 3 workloads x 2 loads, virtual time) produces
the report with its plots, and its numbers are sane: packets conserved
run by run, bytes sent = received when nothing was dropped or left on the
way, fractions within [0, 1], spraying beats ECMP on the permutation.

Needs root for loomd's EAL like every loomd run; no namespaces, no
/run/loom: may run beside the fabric tests.
"""
import csv
import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
BUILD = os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")
SMOKE = os.path.join(ROOT, "workloads", "experiments", "smoke.yaml")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SmokeExperiment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="loom-exp-test-")
        cls.dir = os.path.join(cls.tmp.name, "smoke")
        p = subprocess.run([LOOMCTL, "experiment", "run", SMOKE, "--out", cls.dir], capture_output=True,
                           text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError("loomctl experiment run failed: %s" % p.stderr[-3000:])
        with open(os.path.join(cls.dir, "summary.csv")) as f:
            cls.summary = list(csv.DictReader(f))
        with open(os.path.join(cls.dir, "flows.csv")) as f:
            cls.flows = list(csv.DictReader(f))
        with open(os.path.join(cls.dir, "runs.json")) as f:
            cls.runs = json.load(f)["runs"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_run_of_the_matrix(self):
        names = sorted(r["run"] for r in self.runs)
        expect = sorted("%s-%s-%d" % (m, w, l) for m in ("ecmp", "spray")
                        for w in ("permutation", "incast", "hadoop") for l in (50, 90))
        self.assertEqual(names, expect)
        self.assertEqual(sorted(r["run"] for r in self.summary), expect)
        for r in self.runs:
            d = os.path.join(self.dir, "runs", r["dir"])
            for name in ("results.json", "series.csv", "ideal.csv"):
                self.assertGreater(os.path.getsize(os.path.join(d, name)), 0, (r["run"], name))
            with open(os.path.join(d, "series.csv")) as f:
                rows = list(csv.DictReader(f))
            # samples at 0, 50 us, ... 3 ms for each of the 16 connected switch ports
            self.assertEqual(len({int(x["time_ns"]) for x in rows}), 61)
            self.assertEqual(len(rows), 61 * 16)

    def test_report_with_plots(self):
        with open(os.path.join(self.dir, "report.md")) as f:
            report = f.read()
        for png in ("fct_cdf.png", "utilization.png", "queue_depth.png"):
            self.assertIn("](%s)" % png, report)
            with open(os.path.join(self.dir, png), "rb") as f:
                self.assertEqual(f.read(8), PNG_MAGIC, png)
            self.assertGreater(os.path.getsize(os.path.join(self.dir, png)), 10000, png)
        for r in self.summary:
            self.assertIn("| %s |" % r["run"], report)

    def test_conservation(self):
        """Packets: sent = received + dropped + queued + on a link at the
        end, exactly (independent counters: hosts, switches, the runner).
        Bytes: equal when nothing was dropped, queued or in flight."""
        for r in self.summary:
            sent, recv = int(r["sent_packets"]), int(r["received_packets"])
            self.assertGreater(sent, 0, r["run"])
            self.assertEqual(sent, recv + int(r["dropped_packets"]) + int(r["queued_packets"]) +
                             int(r["in_flight_packets"]), r["run"])
            if int(r["dropped_packets"]) + int(r["queued_packets"]) + int(r["in_flight_packets"]) == 0:
                self.assertEqual(int(r["sent_bytes"]), int(r["received_bytes"]), r["run"])
            else:
                self.assertGreater(int(r["sent_bytes"]), int(r["received_bytes"]), r["run"])

    def test_fractions_within_0_and_1(self):
        for r in self.summary:
            for key in ("drop_fraction", "ecn_fraction", "reordered_fraction"):
                self.assertTrue(0 <= float(r[key]) <= 1, (r["run"], key, r[key]))
            if r["workload"] == "hadoop":
                self.assertEqual(r["throughput_vs_ideal"], "n/a")  # arrivals over time
            else:
                self.assertTrue(0 < float(r["throughput_vs_ideal"]) <= 1, (r["run"], r["throughput_vs_ideal"]))
            self.assertLessEqual(int(r["completed"]), int(r["flows"]))
        for f in self.flows:
            if f["slowdown"]:
                # nothing beats the flow alone on the idle fabric (1 % for rounding of the model)
                self.assertGreater(float(f["slowdown"]), 0.5, f)

    def test_spraying_beats_ecmp_on_the_permutation(self):
        """2:1 oversubscribed leaves, a cross-leaf permutation: per-packet
        spraying uses both spines, so every flow completes and the
        throughput is closer to the max-min ideal than with ECMP, whose
        hash collisions leave an uplink idle."""
        by = {r["run"]: r for r in self.summary}
        for load in (50, 90):
            spray, ecmp = by["spray-permutation-%d" % load], by["ecmp-permutation-%d" % load]
            self.assertEqual(spray["completed"], spray["flows"])
            self.assertGreater(float(spray["throughput_vs_ideal"]), float(ecmp["throughput_vs_ideal"]))
            self.assertGreater(float(spray["throughput_vs_ideal"]), 0.85)
            self.assertGreater(float(spray["reordered_fraction"]), 0)
            self.assertEqual(float(ecmp["reordered_fraction"]), 0)


if __name__ == "__main__":
    unittest.main()
