# SPDX-License-Identifier: BSD-3-Clause
"""
The time series of a real-time run (loomd --series FILE --series-interval
NS, dataplane/runner/series_realtime.c) on one switch with pcap ports:
traffic goes through leaf0 (forwarded and dropped frames), and
  - rows appear in the file while loomd runs, one per connected port per
    sample, with the virtual-time format's header;
  - samples are about an interval apart (loose bounds: timing is noisy);
  - the cumulative counters never decrease;
  - the last sample (written at shutdown) equals `stats` taken when idle.
"""
import csv
import io
import os
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402
import test_telemetry as T  # noqa: E402  (its two-leaf topology, leaf0 on pcap ports)

from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

SWITCH = "leaf0"
INTERVAL_NS = 50 * 1000 * 1000
COLUMNS = ["time_ns", "switch", "port", "peer", "rate_bps", "tx_bytes", "queued_bytes", "ecn_marked",
           "dropped", "pfc_xoff"]
CUMULATIVE = ("tx_bytes", "ecn_marked", "dropped", "pfc_xoff")
N_GOOD, N_BAD = 30, 4


def read_series(path):
    with open(path) as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0] if rows else [], [dict(zip(COLUMNS, r)) for r in rows[1:] if len(r) == len(COLUMNS)]


def samples(rows):
    """[(time_ns, {port: row})] in file order."""
    out = []
    for r in rows:
        t = int(r["time_ns"])
        if not out or out[-1][0] != t:
            out.append((t, {}))
        out[-1][1][int(r["port"])] = r
    return out


class RealTimeSeriesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sr = H.SwitchRun(prefix="loom-series-")
        cls.addClassCleanup(cls.sr.cleanup)
        cfg_path, cfg = cls.sr.write_config(T.topology(cls.sr), SWITCH)
        mac0 = H.port_mac(cfg, SWITCH, 0)
        good = [bytes(Ether(src="02:48:00:00:00:00", dst=mac0) / IP(src="10.0.0.2", dst="10.0.1.2") /
                      UDP(sport=2000 + i, dport=5000) / Raw(b"y" * 200)) for i in range(N_GOOD)]
        H.write_pcap(cls.sr.in_pcap(0), good + [b"\x00" * 12] * N_BAD)
        for p in (1, 2, 3):
            H.write_pcap(cls.sr.in_pcap(p), [])
        cls.series_path = cls.sr.path("series.csv")
        cls.loomd = H.Loomd(cfg_path, cls.sr.tmp, ["--series", cls.series_path, "--series-interval",
                                                    str(INTERVAL_NS)])
        cls.sr.loomd = cls.loomd
        cls.loomd.start()
        cls.loomd.wait_idle(SWITCH, N_GOOD + N_BAD)
        # rows appear while loomd runs (flushed per sample)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            cls.live_header, live = read_series(cls.series_path)
            if len(samples(live)) >= 6:
                break
            time.sleep(0.05)
        cls.live_samples = samples(live)
        full = cls.loomd.stats()
        cls.stats_time_ns = full["time_ns"]
        cls.stats = next(s for s in full["switches"] if s["name"] == SWITCH)
        cls.loomd.shutdown()
        cls.header, rows = read_series(cls.series_path)
        cls.samples = samples(rows)

    def test_rows_appear_during_the_run(self):
        self.assertEqual(self.live_header, COLUMNS)
        self.assertGreaterEqual(len(self.live_samples), 6)

    def test_header_and_one_row_per_port(self):
        self.assertEqual(self.header, COLUMNS)
        ports = sorted(p["index"] for p in self.stats["ports"])
        for t, by_port in self.samples:
            self.assertEqual(sorted(by_port), ports, "sample at %d" % t)
            for r in by_port.values():
                self.assertEqual(r["switch"], SWITCH)

    def test_samples_about_an_interval_apart(self):
        times = [t for t, _ in self.samples]
        self.assertEqual(times, sorted(set(times)), "time_ns strictly increasing")
        # all but the last (taken at shutdown, whenever that came)
        gaps = [b - a for a, b in zip(times[:-2], times[1:-1])]
        self.assertGreaterEqual(len(gaps), 4)
        med = statistics.median(gaps)
        self.assertGreater(med, INTERVAL_NS // 2, gaps)
        self.assertLess(med, 4 * INTERVAL_NS, gaps)

    def test_counters_monotonic(self):
        for (_, a), (_, b) in zip(self.samples, self.samples[1:]):
            for p in a:
                for k in CUMULATIVE:
                    self.assertLessEqual(int(a[p][k]), int(b[p][k]), "port %d %s" % (p, k))

    def test_traffic_visible(self):
        last = self.samples[-1][1]
        self.assertEqual(sum(int(r["dropped"]) for r in last.values()), N_BAD)
        self.assertGreater(sum(int(r["tx_bytes"]) for r in last.values()), N_GOOD * 200)

    def test_last_sample_matches_stats(self):
        t, last = self.samples[-1]
        self.assertGreater(t, self.stats_time_ns)  # taken at shutdown, after `stats`
        for p in self.stats["ports"]:
            r = last[p["index"]]
            self.assertEqual(r["peer"], p["name"])
            self.assertEqual(int(r["rate_bps"]), p["rate_bps"])
            self.assertEqual(int(r["tx_bytes"]), p["tx_bytes"])
            self.assertEqual(int(r["queued_bytes"]), p["queued_bytes"])
            self.assertEqual(int(r["dropped"]), sum(p["drops"].values()))
            tm = p.get("tm", {})
            self.assertEqual(int(r["pfc_xoff"]), tm.get("pfc_xoff", 0))
            self.assertEqual(int(r["ecn_marked"]), sum(c["ecn_marked"] for c in tm.get("classes", [])))


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("LOOM_TEST_VERBOSITY", "1")))
