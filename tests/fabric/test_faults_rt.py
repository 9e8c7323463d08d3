"""End to end: link faults in a real-time loomd with namespace hosts
(docs/FAULTS.md). Pings every 1 ms and an iperf3 TCP transfer cross a
leaf-spine link that is taken down and brought back with `loomctl link`:
the loss window is measured (lost pings x 1 ms) and held below a bound
derived from the topology's detection settings (3 x 10 ms to detect,
20 ms more for the routes).

The run is judged only when loomd kept its schedule over it (its fidelity
record, fabric.judged: a run that lost it is run again, twice lost
fails). The bound is then detection + repair delay + 50 ms: the 50 ms
are ping's own (a namespace process on a shared machine, which loomd's
record does not cover, and ping slows down while its requests go
unanswered).

Bad requests (unknown switch, port, state) get an error and forwarding
goes on. Conservation holds on every switch throughout."""
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faults.yaml")
DETECT_MS = 3 * 10
REPAIR_MS = 20
BOUND_MS = DETECT_MS + REPAIR_MS + 50


class FaultsRealTime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        cls.hosts = fx.hosts(TOPO)
        (cls.a,) = [h for h in cls.hosts if h[1] == "leaf0"]
        (cls.b,) = [h for h in cls.hosts if h[1] == "leaf1"]
        fx.in_host(cls.a[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", cls.b[2], check=False, timeout=30)

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("down", check=False)

    def uplink_of(self, *cmd):
        """Run cmd in host a; return the leaf0 port (1: spine0, 2: spine1)
        that carried most of what it sent."""
        before = fx.switch(fx.stats(), "leaf0")
        fx.in_host(self.a[0], *cmd, timeout=60)
        after = fx.switch(fx.stats(), "leaf0")
        grew = {p: fx.port(after, p)["tx_packets"] - fx.port(before, p)["tx_packets"] for p in (1, 2)}
        return max(grew, key=grew.get)

    def assert_conserved_and_up(self, port):
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        self.assertEqual(fx.port(fx.switch(st, "leaf0"), port)["link_state"], "up")
        return st

    def ping_across_link_down(self, port):
        """One run: pings every 1 ms, leaf0:port down for 1 s, then up.
        Returns ((sent, got, window_ms, stats while down), fidelity lost)."""
        before = fx.fidelity()
        t0 = time.monotonic()
        # into a file: a pipe that nobody reads until the end would stall
        # ping once its 64 KiB are full (and show as a loss window)
        out_file = tempfile.TemporaryFile(mode="w+")
        ping = subprocess.Popen(["ip", "netns", "exec", "loom-" + self.a[0], "ping", "-D", "-i", "0.001", "-c", "2500",
                                 "-W", "1", self.b[2]], stdout=out_file, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        fx.loomctl("link", "leaf0:%d" % port, "down")
        time.sleep(1.0)
        down = fx.stats()
        text = fx.loomctl("stats").stdout
        fx.loomctl("link", "leaf0:%d" % port, "up")
        ping.wait(timeout=60)
        lost = fx.fidelity_lost(before, fx.fidelity(), time.monotonic() - t0)
        out_file.seek(0)
        out = out_file.read()
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        self.assertIsNotNone(m, out)
        # The loss window: the longest time between two replies (ping -D
        # stamps each). Not lost pings x 1 ms: ping sends fewer while its
        # requests go unanswered.
        stamps = [float(t) for t in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
        window_ms = max(b - a for a, b in zip(stamps, stamps[1:])) * 1000
        return (int(m.group(1)), int(m.group(2)), window_ms, down, text), lost

    def test_ping_loss_window_within_the_detection_bound(self):
        """Pings every 1 ms over the link they use; down for 1 s, then up:
        the pings lost are the window before detection (requests) and
        before the routes change (replies coming back through the spine
        whose link to leaf0 broke), below the bound. Judged only on a run
        in which loomd kept its schedule (fabric.judged)."""
        port = self.uplink_of("ping", "-c", "20", "-i", "0.01", "-W", "2", self.b[2])
        sent, got, window_ms, down, text = fx.judged(self, lambda: self.ping_across_link_down(port),
                                                     "ping across a link down")
        print("\nping every 1 ms across leaf0:%d down and up: %d sent, %d lost; loss window %.1f ms "
              "(detection %d ms, repair %d ms later; bound %d ms)" % (port, sent, sent - got, window_ms, DETECT_MS,
                                                                    REPAIR_MS, BOUND_MS))
        self.assertGreater(got, sent * 0.9)
        self.assertGreater(sent - got, 0)  # the link did break under the pings
        self.assertLessEqual(window_ms, BOUND_MS)
        self.assertIn("LINK DOWN", text)
        self.assertIn("faults: detection 30.000 ms, repair delay 20.000 ms", text)
        # while down: the link's state, the detection, its window's losses
        leaf0 = fx.switch(down, "leaf0")
        self.assertEqual(fx.port(leaf0, port)["link_state"], "down")
        self.assertTrue(fx.port(leaf0, port)["link_fault"]["detected_down"])
        (fl,) = [l for l in down["faults"]["links"] if l["switch"] == "leaf0" and l["port"] == port]
        # never before the detection time (loomd's own clock; late by as much as its loop was)
        self.assertGreaterEqual(fl["detected_ns"] - fl["since_ns"], DETECT_MS * 1000000, fl)
        self.assertLess(fl["detected_ns"] - fl["since_ns"], BOUND_MS * 1000000, fl)
        self.assertEqual(fl["lost_before_detection"], fx.port(leaf0, port)["drops"]["link_down"])
        self.assertEqual(fx.conservation_errors(down), [])
        time.sleep(0.2)  # the up's detection and routes
        st = self.assert_conserved_and_up(port)
        c = st["faults"]["counters"]
        self.assertGreaterEqual(c["detections"], 4)
        self.assertGreaterEqual(c["global_repairs"], 2)

    def stats_once_detected(self, port, down):
        """leaf0's stats once its detection agrees with leaf0:port's link
        (down or up): loomd's clock says when, 30 ms after the change, so
        this polls rather than sleeps a guess."""
        deadline = time.monotonic() + 10
        while True:
            st = fx.stats()
            fl = self.fault_record(st, port)
            if fl is not None and fl["detected_down"] == down:
                return st
            self.assertLess(time.monotonic(), deadline, "leaf0:%d: never detected %s" % (port, "down" if down else "up"))
            time.sleep(0.01)

    @staticmethod
    def fault_record(st, port):
        return next((l for l in st["faults"]["links"] if l["switch"] == "leaf0" and l["port"] == port), None)

    def test_iperf3_across_links_down_and_up(self):
        """TCP for 7 s; twice, the leaf0 uplink the flow uses (by the
        counters) goes down for about 0.5 s, so it breaks under it. What the
        faults must cause, read from loomd's counters (no wall-clock
        figure is judged): once leaf0 has detected the link down, nothing
        more goes into it (its link_down drops stay at what loomd records
        as lost before the detection) and the flow leaves by the other
        uplink; what was lost before the detection is at most what h0's
        link can carry in the detection window (loomd's own clock) plus a
        full port queue; the transfer goes on (every second carries
        data)."""
        fx.in_host(self.b[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        client = subprocess.Popen(["ip", "netns", "exec", "loom-" + self.a[0], "iperf3", "-c", self.b[2], "-t", "7",
                                   "-J"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        windows = {}
        for _ in range(2):
            # the flow's uplink now: after a link comes back, leaf0's group
            # keeps the order the repair gave its slots, so the hash may
            # put the flow on the other one than before
            a0 = fx.switch(fx.stats(), "leaf0")
            time.sleep(0.2)
            before = fx.stats()
            a1 = fx.switch(before, "leaf0")
            port = max((1, 2), key=lambda p: fx.port(a1, p)["tx_packets"] - fx.port(a0, p)["tx_packets"])
            fx.loomctl("link", "leaf0:%d" % port, "down")
            detected = self.stats_once_detected(port, True)
            time.sleep(0.4)
            later = fx.stats()
            fx.loomctl("link", "leaf0:%d" % port, "up")
            self.stats_once_detected(port, False)
            time.sleep(0.6)
            windows.setdefault(port, []).append((before, detected, later))
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 0, err)
        r = json.loads(out)
        rates = [iv["sum"]["bits_per_second"] for iv in r["intervals"]]
        lost, bound, moved = [], [], []
        for port, before, detected, later in [(p, *w) for p, ws in windows.items() for w in ws]:
            other = 3 - port
            a, b = fx.switch(detected, "leaf0"), fx.switch(later, "leaf0")
            fl = self.fault_record(later, port)
            lost.append(fl["lost_before_detection"] - (self.fault_record(before, port) or {}).get(
                "lost_before_detection", 0))
            # h0's link (leaf0:0) at its rate for the detection window, in
            # full-size frames (preamble and gap: 1538 bytes on the wire),
            # plus a full port queue (512 packets) that the link took down
            bound.append(fx.port(b, 0)["rate_bps"] * (fl["detected_ns"] - fl["since_ns"]) / 1e9 / 8 / 1538 + 512)
            moved.append(fx.port(b, other)["tx_packets"] - fx.port(a, other)["tx_packets"])
            # from the detection on, nothing went into the dead link ...
            self.assertEqual(fx.port(b, port)["drops"].get("link_down", 0),
                             fx.port(a, port)["drops"].get("link_down", 0))
            self.assertEqual(fx.port(b, port)["tx_packets"], fx.port(a, port)["tx_packets"])
            self.assertEqual(fl["lost_before_detection"], fx.port(b, port)["drops"].get("link_down", 0))
            # ... and the flow left by the other uplink
            self.assertGreater(moved[-1], 100, "leaf0:%d down: the flow did not move to leaf0:%d" % (port, other))
            # the flow's link broke under it, and what it lost is bounded
            self.assertGreater(lost[-1], 0, "leaf0:%d: the flow's uplink lost nothing" % port)
            self.assertLessEqual(lost[-1], bound[-1], "leaf0:%d: lost more than its detection window carries" % port)
        print("\niperf3, the flow's uplink down twice (%s): %s Mb/s per second, %d retransmits; packets lost into "
              "the link before detection %s (bound %s); out of the other uplink in 0.4 s after detection %s"
              % (["leaf0:%d" % p for p, ws in windows.items() for _ in ws], [round(x / 1e6) for x in rates],
                 r["end"]["sum_sent"].get("retransmits", 0), lost, [int(x) for x in bound], moved))
        self.assertGreaterEqual(len(rates), 5)
        for x in rates:
            self.assertGreater(x, 0, rates)

    def test_bad_requests_get_errors_and_forwarding_goes_on(self):
        for args, msg in ((("link", "nosuch:1", "down"), "switch"), (("link", "leaf0:99", "down"), "port"),
                          (("link", "leaf0", "down"), "SWITCH:PORT"), (("link", "leaf0:1", "sideways"), "usage"),
                          (("link", "leaf0:1", "loss", "2"), "from 0 to 1"), (("switch", "nosuch", "down"), "switch")):
            p = fx.loomctl(*args, check=False)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn(msg, p.stderr, args)
        r = fx.request("/run/loom/loomd.sock", b'{"cmd": "link", "switch": "leaf0", "port": 1, "state": 3}\n')
        self.assertFalse(r["ok"])
        r = fx.request("/run/loom/loomd.sock", b'{"cmd": "link", "switch": "leaf0", "port": 1, "loss": 0.1, "ber": 0.1}\n')
        self.assertFalse(r["ok"])
        p = fx.in_host(self.a[0], "ping", "-c", "5", "-i", "0.05", "-W", "2", self.b[2], check=False, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(fx.conservation_errors(fx.stats()), [])


if __name__ == "__main__":
    unittest.main()
