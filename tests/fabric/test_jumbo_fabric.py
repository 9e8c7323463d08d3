"""End to end: jumbo frames. The default fabric's shape (2 spines, 4 leaves,
2 hosts per leaf, namespace hosts on af_packet) with `mtu: 9000` on every
link: the hosts' interfaces get the MTU, an 8972-byte ping with DF set
(a 9000-byte IP packet) passes between hosts on different leaves both
ways, IPv6 too, TCP runs (iperf3, its rate printed, not asserted), and
every switch conserves packets with no drop of any reason."""
import json
import os
import tempfile
import time
import unittest

import fabric as fx

TOPO_TEXT = """\
fabric: jumbo
generate:
  spines: 2
  leaves: 4
  hosts_per_leaf: 2
  link_rate: 10G
  delay: 1us
  mtu: 9000
"""


class JumboFabric(fx.FabricUp):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="loom-jumbo-", delete=False)
        cls.tmp.write(TOPO_TEXT)
        cls.tmp.close()
        cls.TOPO = cls.tmp.name
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.tmp.name)

    def test_host_interfaces_have_the_mtu(self):
        for h in self.hosts:
            r = fx.in_host(h[0], "ip", "-j", "link", "show", "eth0")
            self.assertEqual(json.loads(r.stdout)[0]["mtu"], 9000, h[0])

    def test_ping_8972_df_between_leaves(self):
        failed = []
        pairs = self.remote_pairs()
        for a, b in pairs[:: max(1, len(pairs) // 12)]:
            r = fx.in_host(a[0], "ping", "-q", "-M", "do", "-s", "8972", "-c", "2", "-i", "0.05", "-W", "2",
                           b[2], check=False)
            if r.returncode != 0:
                failed.append("%s -> %s (%s): %s" % (a[0], b[0], b[2], (r.stdout + r.stderr).strip()[-200:]))
        self.assertEqual(failed, [], "8972-byte DF ping lost")

    def test_ping6_jumbo_between_leaves(self):
        a, b = self.hosts[0], self.hosts[-1]
        # 9000-byte IPv6 packet: 40 header + 8 ICMPv6 + 8952
        fx.in_host(a[0], "ping", "-6", "-q", "-M", "do", "-s", "8952", "-c", "2", "-i", "0.05", "-W", "2", b[3])

    def test_one_byte_more_is_refused_by_the_host(self):
        """The host itself refuses a 9001-byte DF packet: the MTU is the
        interface's, not only the fabric's."""
        a, b = self.hosts[0], self.hosts[-1]
        r = fx.in_host(a[0], "ping", "-q", "-M", "do", "-s", "8973", "-c", "1", "-W", "1", b[2], check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_zz_iperf3_and_conservation(self):
        a, b = self.hosts[0], self.hosts[-1]
        fx.in_host(b[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        r = fx.in_host(a[0], "iperf3", "-c", b[2], "-t", "3", "-J", timeout=30)
        res = json.loads(r.stdout)["end"]
        print("\niperf3 MTU 9000 %s -> %s: %.0f Mb/s, %d retransmits" % (
            a[0], b[0], res["sum_received"]["bits_per_second"] / 1e6, res["sum_sent"].get("retransmits", -1)))
        self.assertGreater(res["sum_received"]["bytes"], 1_000_000)
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        drops = {}
        for sw in st["switches"]:
            for reason, n in sw.get("drops", {}).items():
                drops[reason] = drops.get(reason, 0) + n
        self.assertNotIn("mtu_exceeded", drops)
        self.assertNotIn("frame_too_long", drops)
        self.assertNotIn("ipv4_malformed", drops, "a frame cut by the af_packet ring would show here")


if __name__ == "__main__":
    unittest.main()
