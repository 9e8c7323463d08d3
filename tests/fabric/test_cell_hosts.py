"""End to end: a cell (switch-scheduled) fabric with real Linux hosts in
namespaces (docs/CELLS.md). IPv4 and IPv6 pings between leaves and a TCP
transfer (iperf3) cross the fabric as cells: the leaves' VOQs and
reassembly count them; nothing is dropped inside the fabric; conservation
holds with cells on every switch."""
import json
import os
import time

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cell-hosts.yaml")


def cell_counters(st, leaf):
    return fx.switch(st, leaf)["cell"]["counters"]


class CellFabricHosts(fx.FabricUp):
    TOPO = TOPO

    def test_ping_ipv4_and_ipv6_between_leaves_as_cells(self):
        before = fx.stats()
        failed = []
        for a, b in self.remote_pairs()[::3]:
            for addr, six in ((b[2], []), (b[3], ["-6"])):
                r = fx.in_host(a[0], "ping", *six, "-q", "-c", "2", "-i", "0.05", "-W", "2", addr, check=False)
                if r.returncode != 0:
                    failed.append("%s -> %s (%s)" % (a[0], b[0], addr))
        self.assertEqual(failed, [], "no reply")
        after = fx.stats()
        for leaf in {h[1] for h in self.hosts}:
            grew = cell_counters(after, leaf)["packets_rebuilt"] - cell_counters(before, leaf)["packets_rebuilt"]
            self.assertGreater(grew, 0, leaf)

    def test_iperf3_tcp_between_leaves(self):
        a, b = self.hosts[0], self.hosts[-1]
        before = fx.stats()
        fx.in_host(b[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        r = fx.in_host(a[0], "iperf3", "-c", b[2], "-t", "2", "-J", timeout=30)
        res = json.loads(r.stdout)["end"]
        sent, received = res["sum_sent"]["bytes"], res["sum_received"]["bytes"]
        print("iperf3 over cells %s -> %s: %.0f Mb/s, %d retransmits" % (
            a[0], b[0], res["sum_received"]["bits_per_second"] / 1e6, res["sum_sent"].get("retransmits", -1)))
        self.assertGreater(received, 1_000_000)
        self.assertGreaterEqual(received, 0.9 * sent)
        # the egress port's credits pace it: at most its 100 Mb/s
        self.assertLess(res["sum_received"]["bits_per_second"], 105e6)
        after = fx.stats()
        src = cell_counters(after, a[1])["cells_cut"] - cell_counters(before, a[1])["cells_cut"]
        self.assertGreater(src, received // 256)  # the bytes went as cells
        # nothing lost inside the fabric (hosts' own neighbour discovery
        # the switches ignore, nd_ignored, is not traffic)
        inside = ("queue_full", "buffer_full", "wred", "cell_malformed", "cell_unreachable", "cell_reassembly",
                  "cell_no_buffer", "link_down")
        for sw in after["switches"]:
            lost = {k: sw["drops"].get(k) for k in inside if sw["drops"].get(k)}
            self.assertEqual(lost, {}, sw["name"])

    def test_zz_conservation_with_cells(self):
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        for sw in st["switches"]:
            self.assertTrue(sw["conserved"], sw["name"])
