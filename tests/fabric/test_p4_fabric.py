"""End to end: P4 leaves (p4/loom.spec on DPDK's SWX pipeline) with native
spines, Linux hosts in namespaces, one loomd: ping (IPv4, IPv6, same leaf,
gateway), iperf3 TCP across the spines, ECMP over both uplinks, drops and
conservation."""
import json
import os
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "p4-leaves.yaml")
SOCK = "/run/loom/loomd.sock"
H0, H1, H2 = ("h0", "10.0.0.2", "fd00::2"), ("h1", "10.0.0.3", "fd00::3"), ("h2", "10.0.1.2", "fd00:0:0:1::2")


class P4LeavesFabric(fx.FabricUp):
    TOPO = TOPO

    def ping(self, host, dst, *opts):
        fx.in_host(host[0], "ping", *opts, "-q", "-c", "3", "-i", "0.05", "-W", "2", dst)

    def test_pipelines_as_configured(self):
        st = fx.stats()
        got = {s["name"]: s.get("pipeline") for s in st["switches"]}
        self.assertEqual(got, {"spine0": "native", "spine1": "native", "leaf0": "p4", "leaf1": "p4"})

    def test_ping_between_leaves(self):
        self.ping(H0, H2[1])
        self.ping(H2, H1[1])
        self.ping(H0, H2[2], "-6")

    def test_ping_same_leaf_and_gateway(self):
        self.ping(H0, H1[1])
        self.ping(H0, "10.0.0.1")
        self.ping(H2, "fd00:0:0:1::1", "-6")

    def test_iperf3_tcp_between_leaves(self):
        fx.in_host(H2[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        r = fx.in_host(H0[0], "iperf3", "-c", H2[1], "-t", "2", "-J", timeout=30)
        res = json.loads(r.stdout)["end"]
        sent, received = res["sum_sent"]["bytes"], res["sum_received"]["bytes"]
        print("iperf3 through P4 leaves: %.0f Mb/s, %d retransmits"
              % (res["sum_received"]["bits_per_second"] / 1e6, res["sum_sent"].get("retransmits", -1)))
        self.assertGreater(received, 1_000_000)
        self.assertGreaterEqual(received, 0.9 * sent)

    def test_ecmp_uses_both_spines(self):
        """16 TCP flows: the P4 leaf's selector spreads them over both uplinks."""
        before = fx.switch(fx.stats(), "leaf0")
        fx.in_host(H2[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        fx.in_host(H0[0], "iperf3", "-c", H2[1], "-t", "1", "-P", "16", "-b", "2M", timeout=30)
        after = fx.switch(fx.stats(), "leaf0")
        grew = {i: fx.port(after, i)["tx_packets"] - fx.port(before, i)["tx_packets"] for i in (2, 3)}
        self.assertTrue(all(v > 50 for v in grew.values()), "uplink tx packets: %s" % grew)

    def test_ttl_expired_counted_by_the_p4_leaf(self):
        before = fx.port(fx.switch(fx.stats(), "leaf0"), 0)["drops"].get("ttl_expired", 0)
        fx.in_host(H0[0], "ping", "-q", "-c", "3", "-i", "0.05", "-W", "1", "-t", "1", H2[1], check=False)
        after = fx.port(fx.switch(fx.stats(), "leaf0"), 0)["drops"].get("ttl_expired", 0)
        self.assertEqual(after - before, 3)

    def set_pipeline(self, switch, pipeline, **kw):
        return fx.request(SOCK, (json.dumps(dict(cmd="pipeline", switch=switch, pipeline=pipeline, **kw))
                                 + "\n").encode())

    def test_runtime_switch_between_pipelines(self):
        """`loomctl pipeline` (loomd's `pipeline` command) switches a running
        leaf; traffic keeps flowing on either; a broken spec is refused with
        its line and the leaf keeps its pipeline."""
        r = fx.loomctl("pipeline", "leaf1", "native")
        self.assertEqual(r.stdout.strip(), "leaf1: pipeline native")
        self.assertEqual(fx.switch(fx.stats(), "leaf1")["pipeline"], "native")
        self.ping(H0, H2[1])
        # not a spec at all; relative: loomctl sends loomd the whole path
        bad = os.path.join(os.path.dirname(TOPO), "p4-leaves.yaml")
        r = subprocess.run([fx.LOOMCTL, "pipeline", "leaf1", "p4", "--spec", "p4-leaves.yaml"],
                           cwd=os.path.dirname(TOPO), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(bad + ":", r.stderr)
        self.assertEqual(fx.switch(fx.stats(), "leaf1")["pipeline"], "native")
        r = fx.loomctl("pipeline", "leaf1", "p4")
        self.assertEqual(r.stdout.strip(), "leaf1: pipeline p4")
        self.assertEqual(fx.switch(fx.stats(), "leaf1")["pipeline"], "p4")
        self.ping(H0, H2[1])
        self.ping(H2, H0[2], "-6")
        # the default spec, named: the same program again
        spec = os.path.join(os.path.dirname(TOPO), "..", "..", "p4", "loom.spec")
        r = fx.loomctl("pipeline", "leaf1", "p4", "--spec", spec)
        self.assertEqual(r.stdout.strip(), "leaf1: pipeline p4 from " + os.path.realpath(spec))
        self.ping(H0, H2[1])
        r = fx.loomctl("pipeline", "leaf9", "p4", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no switch 'leaf9'", r.stderr)
        r = fx.loomctl("pipeline", "leaf1", "bmv2", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("native or p4", r.stderr)
        r = fx.loomctl("pipeline", "leaf1", "native", "--spec", spec, check=False)
        self.assertEqual(r.returncode, 2)
        # loomd's own checks, through the control socket
        self.assertFalse(self.set_pipeline("leaf1", "bmv2")["ok"])
        self.assertFalse(self.set_pipeline("leaf1", "native", p4_spec=spec)["ok"])

    def test_zz_conservation(self):
        self.assertEqual(fx.conservation_errors(fx.stats()), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
