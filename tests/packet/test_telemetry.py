# SPDX-License-Identifier: BSD-3-Clause
"""
Telemetry export of one loomd switch (leaf0 of a small fabric, pcap ports):
traffic goes through, then while loomd runs idle the same counters are
read four ways and must agree exactly:
  - `stats` on the control socket (the reference),
  - /loom/switches, /loom/stats,leaf0, /loom/ports,leaf0 through DPDK's
    telemetry socket with dpdk-telemetry.py (Debian's dpdk-dev),
  - GET /metrics on the Prometheus endpoint (--metrics-port),
  - `loomctl top --once` (one frame: the switch, its ports, 0% utilization
    while idle, the drops).
"""
import json
import os
import re
import socket
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402

from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

SWITCH = "leaf0"
PORTS = (0, 1, 2, 3)
TELEMETRY_PY = "/usr/bin/dpdk-telemetry.py"
N_GOOD = 40      # UDP frames h0 -> leaf1's host, forwarded over the uplinks
N_BAD = 5        # frames too short for Ethernet: dropped and counted


def topology(run):
    return H.leaf_pair_topology(run, "teltest", leaf0_v6=False, leaf1_v6=False)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TelemetryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(TELEMETRY_PY, os.X_OK):
            raise unittest.SkipTest("%s missing (Debian's dpdk-dev; ./loom installs it)" % TELEMETRY_PY)
        cls.sr = H.SwitchRun(prefix="loom-tel-")
        cls.addClassCleanup(cls.sr.cleanup)
        cfg_path, cfg = cls.sr.write_config(topology(cls.sr), SWITCH)
        mac0 = H.port_mac(cfg, SWITCH, 0)
        good = [bytes(Ether(src="02:48:00:00:00:00", dst=mac0) / IP(src="10.0.0.2", dst="10.0.1.2") /
                      UDP(sport=1000 + i, dport=5000) / Raw(b"x" * 100)) for i in range(N_GOOD)]
        bad = [b"\x00" * 10 for _ in range(N_BAD)]
        inputs = {0: good + bad, 1: [], 2: [], 3: []}
        for p, frames in inputs.items():
            H.write_pcap(cls.sr.in_pcap(p), frames)
        cls.metrics_port = free_port()
        cls.loomd = H.Loomd(cfg_path, cls.sr.tmp, ["--metrics-port", str(cls.metrics_port)])
        cls.sr.loomd = cls.loomd
        cls.loomd.start()
        cls.loomd.wait_idle(SWITCH, N_GOOD + N_BAD)
        cls.stats = cls.loomd.switch_stats(SWITCH)
        cls.addClassCleanup(cls.loomd.shutdown)

    # -- helpers
    def telemetry(self, *cmds):
        p = subprocess.run(["/usr/bin/python3", TELEMETRY_PY, "-f", self.loomd.eal_file_prefix()],
                           input="\n".join(cmds) + "\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
        self.assertEqual(len(lines), len(cmds), "replies: %r" % p.stdout)
        return [reply[cmd.split(",")[0]] for reply, cmd in zip(lines, cmds)]

    def metrics(self, path="/metrics"):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.metrics_port, path), timeout=10) as r:
            self.assertIn("text/plain", r.headers["Content-Type"])
            return r.read().decode()

    @staticmethod
    def sample(text, name, **labels):
        """The value of the one sample of `name` with these labels."""
        found = []
        for line in text.splitlines():
            m = re.match(r"^([a-z_]+)\{(.*)\} (-?\d+)$", line)
            if not m or m.group(1) != name:
                continue
            got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            if all(got.get(k) == v for k, v in labels.items()):
                found.append(int(m.group(3)))
        if len(found) != 1:
            raise AssertionError("%d samples of %s%r" % (len(found), name, labels))
        return found[0]

    # -- the traffic happened as intended (so the comparisons compare something)
    def test_reference_counters(self):
        s = self.stats
        self.assertEqual(s["rx_packets"], N_GOOD + N_BAD)
        self.assertEqual(s["tx_packets"], N_GOOD)
        self.assertEqual(s["dropped"], N_BAD)
        self.assertTrue(s["conserved"])
        for p in s["ports"]:
            self.assertEqual(p["rate_bps"], 10 ** 10)

    # -- DPDK telemetry
    def test_telemetry_switches(self):
        (names,) = self.telemetry("/loom/switches")
        self.assertEqual(names, [SWITCH])

    def test_telemetry_stats_match(self):
        (t,) = self.telemetry("/loom/stats,%s" % SWITCH)
        for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "dropped", "queued", "answered",
                  "generated"):
            self.assertEqual(t[k], self.stats[k], k)
        self.assertEqual(t["conserved"], 1)
        self.assertEqual(t["drops"], self.stats["drops"])
        self.assertEqual(t["name"], SWITCH)

    def test_telemetry_ports_match(self):
        (t,) = self.telemetry("/loom/ports,%s" % SWITCH)
        # keys: the names with what telemetry refuses (':') as '_'
        self.assertEqual(sorted(t), sorted(p["name"].replace(":", "_") for p in self.stats["ports"]))
        for p in self.stats["ports"]:
            tp = t[p["name"].replace(":", "_")]
            self.assertEqual(tp["name"], p["name"])
            for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "queued", "rate_bps"):
                self.assertEqual(tp[k], p[k], "%s %s" % (p["name"], k))
            for reason, n in p["drops"].items():
                self.assertEqual(tp["drops_" + reason], n)

    def test_telemetry_fidelity_matches_status(self):
        (t,) = self.telemetry("/loom/fidelity")
        st = self.loomd.request({"cmd": "status"})["result"]["fidelity"]
        self.assertEqual(t["slack_ns"], 200000)
        # the loop keeps turning between the two reads: counters only grow
        for k in ("turns", "late_turns", "late_ns", "max_late_ns"):
            self.assertLessEqual(t[k], st[k], k)
        self.assertGreater(t["turns"], 0)
        self.assertEqual(sum(t["late_hist_ms_%d" % b] for b in range(8)), t["late_turns"])

    def test_status_mbufs(self):
        """Every packet forwarded or dropped went back to the pool: none in
        use once the switch is idle (pcap ports hold none between bursts)."""
        m = self.loomd.request({"cmd": "status"})["result"]["mbufs"]
        self.assertGreater(m["size"], 0)
        self.assertEqual(m["in_use"], 0, m)

    def test_telemetry_unknown_switch(self):
        (t,) = self.telemetry("/loom/stats,nosuch")
        self.assertIsNone(t)

    # -- Prometheus
    def test_prometheus_matches(self):
        text = self.metrics()
        lab = {"switch": SWITCH}
        self.assertEqual(self.sample(text, "loom_switch_rx_packets_total", **lab), self.stats["rx_packets"])
        self.assertEqual(self.sample(text, "loom_switch_tx_bytes_total", **lab), self.stats["tx_bytes"])
        self.assertEqual(self.sample(text, "loom_switch_conserved", **lab), 1)
        for reason, n in self.stats["drops"].items():
            self.assertEqual(self.sample(text, "loom_switch_drops_total", reason=reason, **lab), n)
        self.assertGreater(self.sample(text, "loom_fidelity_turns_total"), 0)
        self.assertGreaterEqual(self.sample(text, "loom_fidelity_late_turns_total"), 0)
        for p in self.stats["ports"]:
            pl = dict(lab, port=p["name"])
            self.assertEqual(self.sample(text, "loom_port_tx_packets_total", **pl), p["tx_packets"])
            self.assertEqual(self.sample(text, "loom_port_rx_bytes_total", **pl), p["rx_bytes"])
            self.assertEqual(self.sample(text, "loom_port_queued", **pl), p["queued"])
            self.assertEqual(self.sample(text, "loom_port_rate_bps", **pl), p["rate_bps"])
        # one TYPE line per metric, before its samples
        types = re.findall(r"^# TYPE (\S+) (counter|gauge)$", text, re.M)
        self.assertEqual(len(types), len(set(t[0] for t in types)))
        self.assertIn(("loom_port_queued", "gauge"), types)
        self.assertIn(("loom_port_tx_packets_total", "counter"), types)

    def test_prometheus_not_found(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.metrics("/other")
        self.assertEqual(cm.exception.code, 404)

    # -- loomctl top
    def test_top_once(self):
        p = subprocess.run([H.tool("control/loomctl"), "top", "--once", "--interval", "0.2", "--socket",
                            self.loomd.sock_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        self.assertIn("fabric teltest", out)
        self.assertIn("plane 0", out)
        self.assertRegex(out, r"\n  %s\s+leaf\n" % SWITCH)
        for port in self.stats["ports"]:
            drops = sum(port["drops"].values())
            # idle now: an empty bar, 0.0% and 0.0 Mb/s, and the port's drops
            self.assertRegex(out, r"\s%s\s+\[\.{20}\]\s+0\.0%%\s+0\.0\s+0\s+%d\n" % (re.escape(port["name"]), drops))


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("LOOM_TEST_VERBOSITY", "1")))
