"""`loomctl web --replay DIR` (docs/WEB.md) on a one-run experiment (the
smoke fabric, a permutation at 50 % load, ECMP, 1 ms of virtual time), read
by headless chromium: the page moves with the slider (#t=I), and the rates
it draws at sample I are series.csv's tx_bytes change over that sample.
A malformed series is refused with its file and line. A screenshot is saved
as $LOOM_BUILD/test-artifacts/web-replay.png.

Needs root for loomd's EAL; no namespaces, no /run/loom.
"""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")
EXPERIMENTS = os.path.join(ROOT, "workloads", "experiments")
ARTIFACTS = os.path.join(BUILD, "test-artifacts")
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from headless_browser import chromium, dom_elements  # noqa: E402

EXPERIMENT = """experiment: replay
topology: %s
duration: 1ms
sample_interval: 50us
modes: [ecmp]
workloads: [%s]
loads: [0.5]
""" % (os.path.join(EXPERIMENTS, "smoke_fabric.yaml"), os.path.join(EXPERIMENTS, "smoke_permutation.yaml"))


class WebReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="loom-replay-test-")
        exp = os.path.join(cls.tmp.name, "replay.yaml")
        with open(exp, "w") as f:
            f.write(EXPERIMENT)
        cls.dir = os.path.join(cls.tmp.name, "out")
        p = subprocess.run([LOOMCTL, "experiment", "run", exp, "--out", cls.dir], capture_output=True, text=True,
                           timeout=300)
        if p.returncode != 0:
            raise AssertionError("loomctl experiment run failed: %s" % p.stderr[-3000:])
        with open(os.path.join(cls.dir, "runs.json")) as f:
            cls.run_info = json.load(f)["runs"][0]
        with open(os.path.join(cls.dir, "runs", cls.run_info["dir"], "series.csv")) as f:
            cls.rows = list(csv.DictReader(f))
        cls.web = subprocess.Popen([LOOMCTL, "web", "--replay", cls.dir, "--port", "0"], stdout=subprocess.PIPE,
                                   text=True)
        line = cls.web.stdout.readline()  # "loomctl web: http://127.0.0.1:PORT/ (...)"
        if not line.startswith("loomctl web: http://"):
            cls.web.kill()
            cls.web.wait()
            raise AssertionError("loomctl web --replay did not start: %r" % line)
        cls.url = line.split()[2]

    @classmethod
    def tearDownClass(cls):
        cls.web.terminate()
        cls.web.wait(timeout=10)
        cls.tmp.cleanup()

    def series_rate(self, i, sw, port):
        """bits/s of switch sw port `port` between samples i-1 and i."""
        times = sorted({int(r["time_ns"]) for r in self.rows})
        at = {int(r["time_ns"]): r for r in self.rows if r["switch"] == sw and int(r["port"]) == port}
        t0, t1 = times[i - 1], times[i]
        return (int(at[t1]["tx_bytes"]) - int(at[t0]["tx_bytes"])) * 8e9 / (t1 - t0), t1

    def test_slider_moves_the_page(self):
        pages = {}
        for i in (2, 15):
            els = dom_elements(self.url + "#t=%d" % i, budget_ms=3000)
            body = next(a for t, a in els if t == "body")
            self.assertEqual(body.get("data-state"), "replay")
            self.assertEqual(int(body["data-sample"]), i)
            slider = next(a for t, a in els if t == "input" and a.get("id") == "slider")
            self.assertEqual(int(slider["max"]), len({r["time_ns"] for r in self.rows}) - 1)
            links = {a["data-link"]: a for t, a in els if t == "line" and "data-link" in a}
            checked = 0
            for a in links.values():
                if a["data-a-kind"] != "switch":
                    continue
                want, t1 = self.series_rate(i, a["data-a"], int(a["data-a-port"]))
                self.assertEqual(int(body["data-time-ns"]), t1)
                self.assertAlmostEqual(int(a["data-ab-bps"]), want, delta=1.0, msg=a["data-link"])
                checked += 1
            self.assertGreater(checked, 0)
            pages[i] = {k: a.get("data-ab-bps") for k, a in links.items()}
        self.assertNotEqual(pages[2], pages[15], "the figures change with the slider")
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "web-replay.png")
        chromium(self.url + "#t=15", "--screenshot=" + shot, "--window-size=1300,700", "--virtual-time-budget=3000")
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_malformed_series_is_refused(self):
        bad = os.path.join(self.tmp.name, "bad")
        shutil.copytree(self.dir, bad)
        series = os.path.join(bad, "runs", self.run_info["dir"], "series.csv")
        with open(series, "a") as f:
            f.write("12,leaf0,notanumber\n")
        with open(series) as f:
            n = sum(1 for _ in f)
        p = subprocess.run([LOOMCTL, "web", "--replay", bad, "--port", "0"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("series.csv:%d:" % n, p.stderr)
        p = subprocess.run([LOOMCTL, "web", "--replay", os.path.join(self.tmp.name, "nothing")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("runs.json", p.stderr)


if __name__ == "__main__":
    unittest.main()
