"""Link and switch faults in virtual time (docs/FAULTS.md): detection,
local repair of every load-balancing policy's groups, global repair of
routes, flapping, loss and bit errors, bad input. Deterministic: the same
file gives the same run.

Run: LOOM_BUILD=build /usr/bin/python3 -m unittest -v test_faults
"""
import math
import os
import subprocess
import unittest

from vt_case import VirtualCase, switch, port
from test_virtual import LOOMCTL, run, topo

PKT_BITS = 1500 * 8
RATE = 10e9  # the test fabric's links


def fault_link(r, sw):
    return next(l for l in r["faults"]["links"] if l["switch"] == sw)


def link_down_text(duration="400us", extra=""):
    with open(topo("clos_link_down.yaml")) as f:
        text = f.read()
    return text.replace("duration: 400us", "duration: %s" % duration) + extra


class Faults(VirtualCase):
    TMP_PREFIX = "loom-faults-test-"

    def test_spine_link_down_local_then_global_repair(self):
        """leaf0-spine0 breaks at 100 us under a permutation. Before the
        detection (3 x 10 us) its ends lose what they send into it,
        counted as link_down and bounded by the detection time at the
        link's rate; then leaf0 sends over spine1 alone (local repair);
        50 us later the other leaves' routes to leaf0 hold spine1 only
        and spine0's are withdrawn (global repair): nothing more goes into
        the dead link. Every flow keeps receiving; every switch conserves;
        the same file twice gives the same results."""
        r, _, _ = run(topo("clos_link_down.yaml"), self.dir)
        again, _, _ = run(topo("clos_link_down.yaml"), self.dir, name="again.json")
        self.assertEqual(r, again)
        self.assert_switches_conserved(r)
        fa = r["faults"]
        self.assertEqual(fa["detect_ns"], 30000)
        c = fa["counters"]
        self.assertEqual((c["link_downs"], c["detections"], c["global_repairs"]), (2, 2, 1))
        # leaf1..3 x (IPv4, IPv6) routes to leaf0: spine1 only; spine0's two withdrawn
        self.assertEqual(c["routes_to_spare"], 6)
        self.assertEqual(c["routes_withdrawn"], 2)
        self.assertEqual(c["spares_exhausted"], 0)
        window = fa["detect_ns"] * 1e-9 * RATE / PKT_BITS  # packets the link carries in the window
        for sw, p in (("leaf0", "spine0:0"), ("spine0", "leaf0:2")):
            lost = fault_link(r, sw)["lost_before_detection"]
            self.assertGreater(lost, 0, sw)
            self.assertLessEqual(lost, math.ceil(window) + 2, sw)
        # leaf0 sent nothing more into the link after detection: all its link_down drops are the window's
        self.assertEqual(port(r, "leaf0", "spine0:0")["drops"]["link_down"], fault_link(r, "leaf0")["lost_before_detection"])
        for f in r["flows"]:
            self.assertGreater(f["last_rx_ns"], 300000, f)

        # Stopped right after the global repair (180 us + the links' delays),
        # the run has all of the link's losses already: none after it.
        early, _, _ = run(link_down_text("200us"), self.dir, name="early.json")
        for sw, p in (("leaf0", "spine0:0"), ("spine0", "leaf0:2")):
            self.assertEqual(port(early, sw, p)["drops"]["link_down"], port(r, sw, p)["drops"]["link_down"], sw)
            self.assertEqual(port(early, sw, p)["tx_packets"], port(r, sw, p)["tx_packets"], sw)
        # what went on after the repair went over spine1
        self.assertGreater(port(r, "leaf0", "spine1:0")["tx_packets"], port(early, "leaf0", "spine1:0")["tx_packets"])
        self.assertGreater(port(r, "spine1", "leaf0:3")["tx_packets"], port(early, "spine1", "leaf0:3")["tx_packets"])
        # spine0 still serves the other leaves
        self.assertGreater(port(r, "spine0", "leaf1:2")["tx_packets"] + port(r, "spine0", "leaf2:2")["tx_packets"] +
                           port(r, "spine0", "leaf3:2")["tx_packets"],
                           port(early, "spine0", "leaf1:2")["tx_packets"] + port(early, "spine0", "leaf2:2")["tx_packets"] +
                           port(early, "spine0", "leaf3:2")["tx_packets"])
        down = [p for p in switch(r, "leaf0")["ports"] if p["name"] == "spine0:0"][0]
        self.assertEqual(down["link_state"], "down")
        self.assertTrue(down["link_fault"]["detected_down"])

    def test_every_policy_skips_the_dead_member(self):
        """Under each policy, spraying per packet: after the detection
        leaf0 sends nothing into the dead member; before it, what it lost
        is within the window."""
        for mode in ("ecmp", "spray", "spray_flow", "flowlet", "adaptive", "adaptive_flow", "drill", "conga_packet"):
            with self.subTest(mode=mode):
                extra = "load_balancing: { mode: %s }\n" % mode
                text = link_down_text(extra=extra).replace("rate: 4G }", "rate: 4G, entropy: per_packet }")
                r, _, _ = run(text, self.dir, name=mode + ".json")
                early, _, _ = run(link_down_text("200us", extra).replace("rate: 4G }", "rate: 4G, entropy: per_packet }"),
                                  self.dir, name=mode + "-early.json")
                self.assert_switches_conserved(r)
                up = port(r, "leaf0", "spine0:0")
                self.assertEqual(up["tx_packets"], port(early, "leaf0", "spine0:0")["tx_packets"])
                self.assertEqual(up["drops"]["link_down"], fault_link(r, "leaf0")["lost_before_detection"])
                self.assertLessEqual(up["drops"]["link_down"], math.ceil(30e-6 * RATE / PKT_BITS) + 2)
                self.assertGreater(port(r, "leaf0", "spine1:0")["tx_packets"],
                                   port(early, "leaf0", "spine1:0")["tx_packets"])
                # both members carried traffic before the fault (per-packet entropy)
                self.assertGreater(up["tx_packets"], 10)

    def test_link_comes_back_and_routes_are_restored(self):
        """Down at 100 us, up at 250 us: after the up is detected and the
        routes recomputed, leaf0 uses spine0 again and every route is on
        its configured group."""
        text = link_down_text("600us").replace(
            "  - { at: 100us, link: leaf0:2, state: down }",
            "  - { at: 100us, link: leaf0:2, state: down }\n  - { at: 250us, link: leaf0:2, state: up }")
        text = text.replace("rate: 4G }", "rate: 4G, entropy: per_packet }")
        r, _, _ = run(text, self.dir)
        mid, _, _ = run(text.replace("duration: 600us", "duration: 300us"), self.dir, name="mid.json")
        self.assert_switches_conserved(r)
        c = r["faults"]["counters"]
        self.assertEqual((c["link_downs"], c["link_ups"], c["detections"], c["global_repairs"]), (2, 2, 4, 2))
        self.assertEqual(c["routes_restored"], 8)  # 6 from spares, 2 withdrawn ones back
        self.assertGreater(port(r, "leaf0", "spine0:0")["tx_packets"], port(mid, "leaf0", "spine0:0")["tx_packets"])
        self.assertEqual(port(r, "leaf0", "spine0:0")["link_state"], "up")

    def test_group_back_in_its_configured_order(self):
        """The local repair puts a group's live members first; when the
        link is back the group is in its configured slot order again, so
        ECMP sends each flow where it went before the fault (it kept the
        repair's order: a flow hashed to another uplink). h0's one flow,
        traced: the uplink of its packets before the fault is the uplink
        of those after the link's return is detected and repaired."""
        text = link_down_text("500us").replace(
            "  - { at: 100us, link: leaf0:2, state: down }",
            "  - { at: 100us, link: leaf0:2, state: down }\n  - { at: 200us, link: leaf0:2, state: up }")
        text = text.replace("  - { pattern: permutation, packet: 1500, rate: 4G }",
                            "  - { src: h0, dst: h4, packet: 1500, rate: 4G }")
        text += 'trace: { at: leaf0:0, count: 200, match: "udp" }\n'
        r, _, _ = run(text, self.dir)
        self.assert_switches_conserved(r)
        hops = [(p["events"][0]["t_ns"], next(e for e in p["events"] if e["stage"] == "lb" and e["switch"] == "leaf0"))
                for p in r["trace"]["packets"]]
        before = {e["next_port"] for t, e in hops if t < 100000}
        during = {e["next_port"] for t, e in hops if 140000 < t < 200000}
        after = {e["next_port"] for t, e in hops if t > 300000}
        self.assertEqual(len(before), 1, hops[:3])
        self.assertTrue(after, "no traced packet after 300 us")
        if before == {2}:   # the flow used the link that broke: it moved, then came back
            self.assertEqual(during, {3})
        self.assertEqual(after, before)

    def test_flap_shorter_than_detection_goes_unnoticed(self):
        """A link down for 10 us at a time, detection 30 us: never
        detected, no repair; what it lost while down is counted."""
        text = link_down_text().replace("  - { at: 100us, link: leaf0:2, state: down }",
                                        "  - { at: 100us, link: leaf0:2, flap: { period: 20us, count: 3 } }")
        r, _, _ = run(text, self.dir)
        self.assert_switches_conserved(r)
        c = r["faults"]["counters"]
        self.assertEqual((c["link_downs"], c["link_ups"], c["detections"]), (6, 6, 0))
        # every change but the last up was undone before its detection (both ends)
        self.assertEqual(c["undetected"], 10)
        self.assertEqual((c["local_repairs"], c["global_repairs"]), (0, 0))
        self.assertGreater(port(r, "leaf0", "spine0:0")["drops"]["link_down"], 0)
        self.assertEqual(fault_link(r, "leaf0")["downs"], 3)

    def test_flap_longer_than_detection_repairs_each_time(self):
        text = link_down_text("700us").replace("  - { at: 100us, link: leaf0:2, state: down }",
                                               "  - { at: 100us, link: leaf0:2, flap: { period: 200us, count: 2 } }")
        r, _, _ = run(text, self.dir)
        self.assert_switches_conserved(r)
        c = r["faults"]["counters"]
        self.assertEqual((c["link_downs"], c["link_ups"], c["detections"], c["global_repairs"]), (4, 4, 8, 4))
        self.assertEqual(c["routes_to_spare"], 12)
        self.assertEqual(c["routes_restored"], 16)

    def test_switch_down_and_up(self):
        """spine1 down at 100 us: every leaf's uplink to it breaks; after
        repair everything goes over spine0; it comes back at 250 us."""
        text = link_down_text("500us").replace(
            "  - { at: 100us, link: leaf0:2, state: down }",
            "  - { at: 100us, switch: spine1, state: down }\n  - { at: 250us, switch: spine1, state: up }")
        r, _, _ = run(text, self.dir)
        self.assert_switches_conserved(r)
        c = r["faults"]["counters"]
        self.assertEqual((c["link_downs"], c["link_ups"]), (8, 8))
        self.assertEqual(c["detections"], 16)
        self.assertEqual(r["faults"]["switches_down"], [])
        for f in r["flows"]:
            self.assertGreater(f["last_rx_ns"], 400000, f)

    def test_loss_and_bit_errors_counted_and_seeded(self):
        """1 % loss on leaf1-spine0, BER 1e-6 on leaf2-spine0 (1500-byte
        frames: 1.19 % corrupted): counted under their reasons where the
        frames enter a switch, within 5 sigma of the rate; the same seed
        loses the same frames, another seed others."""
        extra = ("  - { at: 0us, link: leaf1:2, loss: 0.01 }\n"
                 "  - { at: 0us, link: leaf2:2, ber: 1e-6 }\n")
        text = link_down_text("2ms").replace("  - { at: 100us, link: leaf0:2, state: down }\n", extra)
        text = text.replace("rate: 4G }", "rate: 8G, entropy: per_packet }")
        r, _, _ = run(text, self.dir)
        again, _, _ = run(text, self.dir, name="again.json")
        other, _, _ = run(text.replace("\nseed: 1\n", "\nseed: 2\n"), self.dir, name="other.json")
        self.assertEqual(r, again)
        self.assert_switches_conserved(r)

        def counted(res, reason, ends):
            rx = sum(port(res, sw, p)["rx_packets"] for sw, p in ends)
            return sum(port(res, sw, p)["drops"].get(reason, 0) for sw, p in ends), rx

        for reason, ends, prob in (("link_loss", (("leaf1", "spine0:1"), ("spine0", "leaf1:2")), 0.01),
                                   ("link_bit_error", (("leaf2", "spine0:2"), ("spine0", "leaf2:2")),
                                    1 - (1 - 1e-6) ** PKT_BITS)):
            n, rx = counted(r, reason, ends)
            self.assertGreater(rx, 1000, reason)
            sigma = math.sqrt(rx * prob * (1 - prob))
            self.assertLess(abs(n - rx * prob), 5 * sigma + 1, (reason, n, rx))
            self.assertNotEqual(counted(other, reason, ends), (n, rx), reason)
        # nothing else lost
        for sw in r["switches"]:
            self.assertEqual(set(k for k, v in sw["drops"].items() if v) - {"link_loss", "link_bit_error"}, set(),
                             sw["name"])

    def test_bad_faults_name_file_and_line(self):
        cases = [
            ("  - { at: 100us, link: leaf9:2, state: down }", "no switch 'leaf9'"),
            ("  - { at: 100us, link: leaf0:7, state: down }", "leaf0 has no link on port 7"),
            ("  - { at: soon, link: leaf0:2, state: down }", "soon"),
            ("  - { at: 100us, link: leaf0:2, switch: spine0, state: down }", "one target"),
            ("  - { at: 100us, link: leaf0:2, state: sideways }", "must be down or up"),
            ("  - { at: 100us, link: leaf0:2, loss: 2 }", "from 0 to 1"),
            ("  - { at: 100us, switch: spine0, ber: 0.1 }", "on a link, not a switch"),
            ("  - { at: 100us, link: leaf0:2, flap: { period: 20us } }", "count"),
            ("  - { at: 100us, link: leaf0, state: down }", "SWITCH:PORT"),
        ]
        for line, msg in cases:
            with self.subTest(line=line):
                path = os.path.join(self.dir, "bad.yaml")
                with open(path, "w") as f:
                    f.write(link_down_text().replace("  - { at: 100us, link: leaf0:2, state: down }", line))
                p = subprocess.run([LOOMCTL, "topo", "check", path], capture_output=True, text=True, timeout=60)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(path + ":20:", p.stderr)
                self.assertIn(msg, p.stderr)

    def test_explicit_form_keeps_the_faults(self):
        """`loomctl topo expand` writes fault_handling and faults (a flap
        as a flap): compiling the explicit form gives the same faults."""
        src = os.path.join(self.dir, "flap.yaml")
        with open(src, "w") as f:
            f.write(link_down_text().replace(
                "  - { at: 100us, link: leaf0:2, state: down }",
                "  - { at: 100us, link: leaf0:2, flap: { period: 20us, count: 2 } }\n"
                "  - { at: 5us, switch: spine1, state: down }\n  - { at: 0us, link: leaf1:3, ber: 1e-9 }"))
        exp = os.path.join(self.dir, "explicit.yaml")
        with open(exp, "w") as f:
            f.write(subprocess.run([LOOMCTL, "topo", "expand", src], capture_output=True, text=True,
                                   check=True).stdout)
        import json
        a = json.loads(subprocess.run([LOOMCTL, "compile", src], capture_output=True, text=True, check=True).stdout)
        b = json.loads(subprocess.run([LOOMCTL, "compile", exp], capture_output=True, text=True, check=True).stdout)
        self.assertEqual(a["faults"], b["faults"])
        self.assertEqual(a["fault_handling"], b["fault_handling"])
        self.assertEqual([(x["at_ns"], x["action"]) for x in a["faults"]],
                         [(0, "ber"), (5000, "down"), (100000, "down"), (110000, "up"), (120000, "down"),
                          (130000, "up")])


if __name__ == "__main__":
    unittest.main()
