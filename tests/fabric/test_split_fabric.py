"""End to end: one fabric in two loomd processes. loomctl runs the leaves
(and the hosts); a second loomd runs the spine. The leaf-spine links are
DPDK af_packet ports on veth pairs, as between VMs or machines."""
import json
import os
import subprocess
import tempfile
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "split.yaml")
LINKS = ["lms0", "lms1"]


def ctl(sock, cmd):
    return fx.request(sock, json.dumps({"cmd": cmd}).encode() + b"\n")


class SplitFabric(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fx.loomctl("down")
        for l in LINKS:
            fx.run("ip", "link", "del", l + "-a", check=False)
            fx.run("ip", "link", "add", l + "-a", "type", "veth", "peer", "name", l + "-b")
            for end in ("-a", "-b"):
                fx.run("sysctl", "-qw", "net.ipv6.conf.%s%s.disable_ipv6=1" % (l, end))
                fx.run("ethtool", "-K", l + end, "tx", "off", "tso", "off", "gso", "off", "gro", "off")
                fx.run("ip", "link", "set", l + end, "up")
        cls.tmp = tempfile.mkdtemp(prefix="loom-split-")
        cls.sock = os.path.join(cls.tmp, "spine.sock")
        cfg = os.path.join(cls.tmp, "spine.json")
        with open(cfg, "w") as f:
            f.write(fx.loomctl("compile", TOPO, "--only", "spine0").stdout)
        cls.log = open(os.path.join(cls.tmp, "spine.log"), "w")
        cls.spine = subprocess.Popen([os.path.join(fx.BUILD, "dataplane", "loomd"), "--config", cfg,
                                      "--socket", cls.sock], stdout=cls.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if os.path.exists(cls.sock):
                break
            time.sleep(0.1)
        fx.loomctl("up", TOPO, "--only", "leaf0,leaf1")

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down", check=False)
        try:
            ctl(cls.sock, "shutdown")
        except OSError:
            pass
        try:
            cls.spine.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.spine.kill()
        cls.log.close()
        for l in LINKS:
            fx.run("ip", "link", "del", l + "-a", check=False)
        fx.run("rm", "-rf", cls.tmp)

    def test_ping_across_processes(self):
        fx.in_host("h0", "ping", "-q", "-c", "3", "-i", "0.05", "-W", "2", "10.0.1.2")
        fx.in_host("h0", "ping", "-6", "-q", "-c", "3", "-i", "0.05", "-W", "2", "fd00:0:0:1::2")
        spine = ctl(self.sock, "stats")["result"]["switches"][0]
        self.assertEqual(spine["name"], "spine0")
        self.assertGreaterEqual(spine["tx_packets"], 12, "the spine process forwarded the pings")
        for port in spine["ports"]:
            self.assertIn("wire", port, "links of the spine are DPDK ports")

    def test_zz_conservation_in_both_processes(self):
        leaves = fx.stats()
        spine = ctl(self.sock, "stats")["result"]
        self.assertEqual(fx.conservation_errors(leaves), [])
        self.assertEqual(fx.conservation_errors(spine), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
