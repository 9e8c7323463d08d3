"""End to end: a cell (switch-scheduled) fabric in a real-time loomd with
generator hosts (docs/CELLS.md). A 3:1 incast into h0's 100 Mb/s port: the
egress port's credits (paced by loomd's real clock) share it, each sender
gets a third of what the port delivered (within 10 %; the port's own rate
is only checked loosely: this machine is shared), nothing is
dropped inside the fabric (the excess is dropped at the edge, voq_full)
but the cells on their way over the link taken down,
packets arrive in order, and conservation holds with cells. Half-way, one
of leaf1's spine links is taken down with `loomctl cell link`: h1 keeps
being delivered over the other spine."""
import os
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cell.yaml")


class CellFabricRealTime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The shares are paced by loomd's clock: judged only on a run in
        # which loomd kept its schedule (fx.judged: re-run once).
        def run():
            fx.loomctl("down")
            fx.loomctl("up", TOPO)
            t0 = time.monotonic()
            time.sleep(0.7)
            link = subprocess.run([fx.LOOMCTL, "cell", "link", "leaf1:1", "down"], capture_output=True, text=True)
            mid = fx.request("/run/loom/loomd.sock", b'{"cmd": "flows"}\n')
            time.sleep(1.3)  # the flows stop 1.5 s after loomd started
            flows = fx.request("/run/loom/loomd.sock", b'{"cmd": "flows"}\n')
            st = fx.stats()
            table = subprocess.run([fx.LOOMCTL, "cell"], capture_output=True, text=True)
            start = {"late_ns": 0, "late_hist_ms": [0] * 8}  # loomd's record starts at zero
            # shares over 1.5 s within 10 %: a stall under 16 ms cannot move them
            return (link, mid, flows, st, table), fx.fidelity_lost(start, st["fidelity"], time.monotonic() - t0,
                                                                   max_stall_ms=16)
        cls.link, cls.mid, cls.flows, cls.stats, cls.table = fx.judged(None, run, "cell fabric shares")

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down")

    def test_incast_shares_and_no_drops_inside(self):
        self.assertTrue(self.flows["ok"], self.flows)
        flows = self.flows["result"]["flows"]
        self.assertEqual(len(flows), 3)
        total = sum(f["rx_rate_bps"] for f in flows)
        for f in flows:
            self.assertLess(abs(f["rx_rate_bps"] / total - 1 / 3) * 3, 0.10, [g["rx_rate_bps"] for g in flows])
            self.assertEqual(f["reordered"], 0, f)
        # credits paced by the real clock: the port runs near its rate, never over it
        self.assertLess(total, 100e6 * 1.05)
        self.assertGreater(total, 100e6 * 0.4)
        for sw in self.stats["switches"]:
            drops = {k for k, v in sw["drops"].items() if v}
            if sw["name"] == "spine0":
                # leaf1:1 is spine0's link to leaf1: the cells for leaf1
                # already on their way to spine0 when it went down have no
                # way on (seen in about 1 run of 10); only those
                lost = sw["drops"].get("cell_unreachable", 0)
                self.assertLessEqual(drops, {"cell_unreachable"}, sw["name"])
                self.assertLess(lost, 0.01 * sw["cell"]["cells_forwarded"], "spine0 lost %d cells" % lost)
            elif sw["name"] == "leaf0" or sw["role"] == "spine":
                self.assertEqual(drops, set(), sw["name"])
            else:
                self.assertLessEqual(drops, {"voq_full", "cell_unreachable", "link_down"}, sw["name"])

    def test_link_down_delivery_continues(self):
        self.assertEqual(self.link.returncode, 0, self.link.stderr)
        before = {f["src"]: f["rx_packets"] for f in self.mid["result"]["flows"]}
        after = {f["src"]: f["rx_packets"] for f in self.flows["result"]["flows"]}
        # h1 (on leaf1) went on at about its share for the second half
        self.assertGreater(after["h1"] - before["h1"], 0.5 * (after["h2"] - before["h2"]))
        leaf1 = fx.switch(self.stats, "leaf1")
        (up,) = [p for p in leaf1["cell"]["ports"] if p["index"] == 1]
        self.assertTrue(up["down"])
        self.assertIn("DOWN", self.table.stdout)

    def test_conservation_with_cells(self):
        self.assertEqual(fx.conservation_errors(self.stats), [])
        for sw in self.stats["switches"]:
            self.assertTrue(sw["conserved"], sw["name"])
            self.assertIn("cell", sw)
