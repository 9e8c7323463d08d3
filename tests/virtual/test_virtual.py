"""Fabrics in virtual time (loomctl run): exact rates, fair shares,
determinism, conservation, and what loomctl refuses.

Runs `loomctl run` from $LOOM_BUILD (default ./build); needs root for
loomd's EAL like every other loomd run. No namespaces, no /run/loom: these
tests may run beside the fabric tests.
"""
import json
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("LOOM_BUILD", os.path.join(HERE, "..", "..", "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")


def run(topo_text_or_path, out_dir, name="results.json", expect_ok=True):
    """loomctl run; returns (results dict or None, stderr, output path)."""
    path = topo_text_or_path
    if "\n" in topo_text_or_path:
        path = os.path.join(out_dir, name + ".yaml")
        with open(path, "w") as f:
            f.write(topo_text_or_path)
    out = os.path.join(out_dir, name)
    p = subprocess.run([LOOMCTL, "run", path, "--out", out], capture_output=True, text=True, timeout=300)
    if expect_ok and p.returncode != 0:
        raise AssertionError("loomctl run %s failed: %s" % (path, p.stderr))
    if p.returncode != 0:
        return None, p.stderr, out
    with open(out) as f:
        return json.load(f), p.stderr, out


def topo(name):
    return os.path.join(HERE, name)


def with_seed(path, seed):
    with open(path) as f:
        text = f.read()
    return text.replace("\nseed: 1\n", "\nseed: %d\n" % seed)


class VirtualTime(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="loom-vt-test-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def assert_conserved(self, r):
        """Every switch conserves packets, and so does the fabric: what the
        generator hosts sent was received, dropped by a switch, is queued in
        one, or was on a link when time was up."""
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], "switch %s does not conserve: %s" % (sw["name"], sw))
        sent = sum(h["tx_packets"] for h in r["hosts"])
        received = sum(h["rx_packets"] for h in r["hosts"])
        dropped = sum(sw["dropped"] for sw in r["switches"])
        queued = sum(sw["queued"] for sw in r["switches"])
        self.assertEqual(sent, received + dropped + queued + r["in_flight"])
        self.assertGreater(sent, 0)
        for h in r["hosts"]:
            self.assertEqual(h["rx_unknown"], 0, h)

    def test_one_flow_gets_exactly_the_link_rate(self):
        """h0 -> h2 across leaf0, spine0, leaf1 at 10G, idle fabric: the
        arrival rate is the link rate to the bit per second, and every packet
        takes 4 x (1500 B at 10G + 1 us) = 8800 ns."""
        r, _, _ = run(topo("two_switch.yaml"), self.dir)
        self.assertEqual(r["clock"], "virtual")
        self.assertEqual(r["time_ns"], 100000)
        (f,) = r["flows"]
        self.assertEqual(f["rx_rate_bps"], 10_000_000_000)
        self.assertEqual(f["latency_min_ns"], 8800)
        self.assertEqual(f["latency_max_ns"], 8800)
        # one packet every 1200 ns from t = 0 while t < 100 us
        self.assertEqual(f["tx_packets"], 84)
        self.assertEqual(f["first_rx_ns"], 8800)
        self.assertEqual(f["reordered"], 0)
        self.assertEqual(f["tx_packets"] - f["rx_packets"], f["not_received"])
        self.assertTrue(all(sw["dropped"] == 0 for sw in r["switches"]))
        # not received = still on the way: in flight or queued
        self.assertEqual(f["not_received"], r["in_flight"] + sum(sw["queued"] for sw in r["switches"]))
        self.assert_conserved(r)

    def test_finite_rocev2_flow_completes_exactly(self):
        """150 000 payload bytes of RoCEv2 (1446 per 1500-byte frame): 104
        packets, the last of 1116 bytes leaving the host at 103 x 1200 ns.
        Smaller, it catches up with the packet before it and follows it out
        of leaf1 at 130 200 ns (when that one's last bit has left), so its
        last byte arrives at 130 200 + 893 (1116 B at 10G) + 1000 ns."""
        with open(topo("two_switch.yaml")) as f:
            text = f.read().replace("duration: 100us", "duration: 200us").replace(
                "{ src: h0, dst: h2, packet: 1500 }",
                "{ src: h0, dst: h2, packet: 1500, bytes: 150000, transport: rocev2 }")
        r, _, _ = run(text, self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["tx_packets"], 104)
        self.assertEqual(f["rx_packets"], 104)
        self.assertEqual(f["rx_payload_bytes"], 150000)
        self.assertEqual(f["last_tx_ns"], 103 * 1200)
        self.assertEqual(f["completion_ns"], 130200 + 893 + 1000)
        self.assertEqual(f["not_received"], 0)
        self.assertEqual(r["in_flight"], 0)
        self.assert_conserved(r)

    def test_on_off_flow_sends_exactly_its_bursts(self):
        """burst: 14000 at 1458 payload bytes per 1500-byte frame is 10
        packets (9.6, rounded up); idle: 20us after each burst. Packet n
        leaves at 1200 n + 20000 floor(n / 10) ns: in 100 us, bursts start at
        0, 32, 64 and 96 us and the fourth is cut after 4 packets (96.0,
        97.2, 98.4, 99.6 us). With bytes: 145800 (100 packets, 10 bursts)
        the last packet leaves at 1200 x 99 + 20000 x 9 and arrives 8800 ns
        later, never queued (latency 8800 throughout)."""
        with open(topo("two_switch.yaml")) as f:
            text = f.read()
        onoff = "{ src: h0, dst: h2, packet: 1500, burst: 14000, idle: 20us }"
        r, _, _ = run(text.replace("{ src: h0, dst: h2, packet: 1500 }", onoff), self.dir, "stream.json")
        (f,) = r["flows"]
        self.assertEqual(f["tx_packets"], 34)
        self.assertEqual(f["last_tx_ns"], 99600)
        self.assertEqual((f["latency_min_ns"], f["latency_max_ns"]), (8800, 8800))
        self.assertEqual(f["reordered"], 0)
        self.assert_conserved(r)
        r, _, _ = run(text.replace("duration: 100us", "duration: 400us").replace(
            "{ src: h0, dst: h2, packet: 1500 }", onoff.replace(" }", ", bytes: 145800 }")), self.dir, "finite.json")
        (f,) = r["flows"]
        self.assertEqual((f["tx_packets"], f["rx_packets"]), (100, 100))
        self.assertEqual(f["last_tx_ns"], 1200 * 99 + 20000 * 9)
        self.assertEqual(f["completion_ns"], 1200 * 99 + 20000 * 9 + 8800)
        self.assertEqual(f["latency_max_ns"], 8800)
        # the same flow written back by `topo expand` runs the same
        path = os.path.join(self.dir, "finite.json.yaml")
        exp = subprocess.run([LOOMCTL, "topo", "expand", path], capture_output=True, text=True, check=True).stdout
        self.assertIn("burst: 14000, idle: 20us", exp)
        r2, _, _ = run(exp, self.dir, "expanded.json")
        self.assertEqual(r2["flows"], r["flows"])

    def test_on_off_flow_refusals(self):
        with open(topo("two_switch.yaml")) as f:
            text = f.read()
        for flow, why in (("burst: 14000", "'burst' and 'idle' go together"),
                          ("idle: 20us", "'burst' and 'idle' go together"),
                          ("burst: 14000, idle: 0us", "idle must be a time > 0"),
                          ("burst: 14000, idle: 20us, ecn: true, cc: dcqcn", "fixed-rate flow (cc: none)")):
            path = os.path.join(self.dir, "bad.yaml")
            with open(path, "w") as f:
                f.write(text.replace("{ src: h0, dst: h2, packet: 1500 }", "{ src: h0, dst: h2, %s }" % flow))
            p = subprocess.run([LOOMCTL, "topo", "check", path], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(p.returncode, 0, flow)
            self.assertIn("bad.yaml:24:", p.stderr, flow)
            self.assertIn(why, p.stderr, flow)

    def test_two_flows_into_one_port_get_half_each(self):
        """2:1 incast into h3's 10G port: each sender gets half within 1 %,
        the port runs at its rate, and the excess is dropped as queue_full."""
        r, _, _ = run(topo("incast.yaml"), self.dir)
        rates = [f["rx_rate_bps"] for f in r["flows"]]
        self.assertEqual(len(rates), 2)
        for rate in rates:
            self.assertLess(abs(rate - 5e9) / 5e9, 0.01, rates)
        self.assertLess(abs(sum(rates) - 10e9) / 10e9, 0.001, rates)
        leaf1 = next(sw for sw in r["switches"] if sw["name"] == "leaf1")
        self.assertGreater(leaf1["drops"].get("queue_full", 0), 0)
        self.assertEqual(sum(sw["dropped"] for sw in r["switches"]), leaf1["drops"]["queue_full"])
        self.assert_conserved(r)

    def test_same_file_and_seed_give_identical_results(self):
        for name in ("incast.yaml", "clos.yaml"):
            _, _, a = run(topo(name), self.dir, "a.json")
            _, _, b = run(topo(name), self.dir, "b.json")
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read(), name)

    def test_explicit_form_runs_the_same(self):
        """`loomctl topo expand` writes the experiment too (patterns as the
        flows they expanded to): running it gives the same results."""
        expanded = subprocess.run([LOOMCTL, "topo", "expand", topo("clos.yaml")], capture_output=True, text=True,
                                  check=True).stdout
        self.assertIn("clock: virtual", expanded)
        _, _, a = run(topo("clos.yaml"), self.dir, "gen.json")
        _, _, b = run(expanded, self.dir, "explicit.json")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())

    def test_a_different_seed_changes_the_results(self):
        r1, _, a = run(topo("clos.yaml"), self.dir, "s1.json")
        r2, _, b = run(with_seed(topo("clos.yaml"), 2), self.dir, "s2.json")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertNotEqual(fa.read(), fb.read())
        # the random choices themselves differ: the permutation...
        pairs1 = [(f["src"], f["dst"]) for f in r1["flows"]]
        pairs2 = [(f["src"], f["dst"]) for f in r2["flows"]]
        self.assertNotEqual(pairs1, pairs2)
        # ...and the paths: per-port counters of the spines
        spines = lambda r: [[p["tx_packets"] for p in sw["ports"]] for sw in r["switches"] if sw["role"] == "spine"]
        self.assertNotEqual(spines(r1), spines(r2))
        # and the incast's jitter: same shares to 1 %, different bytes
        i1, _, _ = run(topo("incast.yaml"), self.dir, "i1.json")
        i2, _, _ = run(with_seed(topo("incast.yaml"), 2), self.dir, "i2.json")
        self.assertNotEqual([f["rx_bytes"] for f in i1["flows"]], [f["rx_bytes"] for f in i2["flows"]])

    def test_permutation_conserves_on_every_switch(self):
        r, _, _ = run(topo("clos.yaml"), self.dir)
        self.assertEqual(len(r["flows"]), 8)
        leaf_of = {h["name"]: h["switch"] for h in r["hosts"]}
        self.assertEqual(sorted(f["src"] for f in r["flows"]), sorted(f["dst"] for f in r["flows"]))
        for f in r["flows"]:
            self.assertNotEqual(leaf_of[f["src"]], leaf_of[f["dst"]], f)
            self.assertGreater(f["rx_packets"], 0, f)
        self.assert_conserved(r)

    def test_collective_phases_chain_on_arrival(self):
        """A ring all-reduce from the workload format in `traffic:`: 4 ranks,
        2(k-1) = 6 phases; each rank starts its phase-p chunk exactly when
        the phase-(p-1) chunk addressed to it has completed, and all 24
        chunks complete."""
        with open(topo("two_switch.yaml")) as f:
            text = f.read().replace("duration: 100us", "duration: 2ms").replace(
                "{ src: h0, dst: h2, packet: 1500 }",
                "{ pattern: all_reduce, bytes: 400K, packet: 1500, transport: rocev2 }")
        r, _, _ = run(text, self.dir)
        flows = r["flows"]
        self.assertEqual(len(flows), 24)
        done = {}  # (receiver, phase) -> absolute completion time
        for f in flows:
            self.assertEqual(f["rx_payload_bytes"], 100000, f)
            self.assertGreaterEqual(f["completion_ns"], 0, f)
            done[(f["dst"], f["group"] & 0xffff)] = f["start_ns"] + f["completion_ns"]
        for f in flows:
            phase = f["group"] & 0xffff
            self.assertEqual(f["group"] >> 16, 1)
            if phase == 0:
                self.assertEqual(f["start_ns"], 0, f)
            else:
                self.assertEqual(f["start_ns"], done[(f["src"], phase - 1)], f)
                self.assertGreaterEqual(f["first_tx_ns"], f["start_ns"])
        self.assert_conserved(r)

    def incast_cc(self, cc, name, duration="100ms"):
        """incast.yaml with ECN marking at the switches (tm ecn profile of
        the same name) and congestion-controlled senders."""
        with open(topo("incast.yaml")) as f:
            text = f.read().replace("duration: 100ms", "duration: " + duration)
        flow = "rate: 10G, packet: 1500"
        if cc == "dcqcn":
            text = text.replace("host_jitter: 12us\n", "host_jitter: 12us\ntm: { ecn: dcqcn }\n")
            text = text.replace(flow, flow + ", transport: rocev2, ecn: true, cc: dcqcn")
        elif cc == "dctcp":
            text = text.replace("host_jitter: 12us\n", "host_jitter: 12us\ntm: { ecn: dctcp }\n")
            text = text.replace(flow, flow + ", ecn: true, cc: dctcp")
        return run(text, self.dir, name)

    def test_dcqcn_incast_converges_to_half_each_without_drops(self):
        """2:1 incast into a 10G port, DCQCN senders at 10G, the port
        marking CE (DCQCN profile): the receiver returns CNPs, the senders
        cut and recover, and after 100 ms each sends at about half the port
        (average over the run within 10 %; the final rate, one instant of
        DCQCN's sawtooth, within 25 %: with the partition-independent event
        order of issue 27 it measured -19 % .. +10 % over seeds 1-4 at 99 and
        100 ms, the 5 % asserted before held at seed 1 by chance of phase),
        the port runs nearly full (> 95 %) and nothing is dropped. The same
        senders without congestion control lose packets at that port.
        Deterministic."""
        r, _, a = self.incast_cc("dcqcn", "dcqcn.json")
        self.assertEqual(sum(sw["dropped"] for sw in r["switches"]), 0)
        for f in r["flows"]:
            self.assertEqual(f["cc"], "dcqcn")
            self.assertGreater(f["ce_marked"], 0, f)
            self.assertGreater(f["cc_feedback_rx"], 0, f)  # CNPs reached the sender
            self.assertLessEqual(f["cc_feedback_tx"], f["ce_marked"])  # at most one CNP per mark
            self.assertGreater(f["cc_cuts"], 0, f)
            self.assertLess(abs(f["cc_rate_bps"] - 5e9) / 5e9, 0.25, f)
            self.assertLess(abs(f["rx_rate_bps"] - 5e9) / 5e9, 0.10, f)
        self.assertGreater(sum(f["rx_rate_bps"] for f in r["flows"]), 9.5e9)
        h3 = next(h for h in r["hosts"] if h["name"] == "h3")
        self.assertEqual(h3["tx_feedback"], sum(f["cc_feedback_rx"] for f in r["flows"]))
        self.assert_conserved(r)
        _, _, b = self.incast_cc("dcqcn", "dcqcn2.json")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        fixed, _, _ = self.incast_cc("none", "fixed.json")
        self.assertGreater(sum(sw["dropped"] for sw in fixed["switches"]), 0)

    def test_dcqcn_parameters_from_the_topology(self):
        """cc: {type: dcqcn, ...} overrides reach the senders: the same
        10 ms incast recovers to about half the port each with the defaults;
        with the rate-increase timer pushed past the run (increase_timer: 1s)
        the rates only fall, to the minimum rate (1G at 25G scaled to
        10G = 400M), or to a min_rate given (2G) exactly. A min_rate above a
        flow's rate (known only in loomd: the flow sends at its link's rate)
        is refused there, naming the flow."""
        def incast(cc, name):
            with open(topo("incast.yaml")) as f:
                text = f.read().replace("duration: 100ms", "duration: 10ms")
            text = text.replace("host_jitter: 12us\n", "host_jitter: 12us\ntm: { ecn: dcqcn }\n")
            return run(text.replace("rate: 10G, packet: 1500",
                                    "rate: 10G, packet: 1500, transport: rocev2, ecn: true, cc: " + cc),
                       self.dir, name)
        default, _, _ = incast("dcqcn", "cc_default.json")
        frozen, _, _ = incast("{type: dcqcn, increase_timer: 1s}", "cc_frozen.json")
        floor2g, _, _ = incast("{type: dcqcn, increase_timer: 1s, min_rate: 2G}", "cc_floor.json")
        for f in default["flows"]:
            self.assertGreater(f["cc_rate_bps"], 4e9, f)
        for f in frozen["flows"]:
            self.assertGreater(f["cc_cuts"], 0, f)
            self.assertEqual(f["cc_rate_bps"], 400000000, f)
        for f in floor2g["flows"]:
            self.assertEqual(f["cc_rate_bps"], 2000000000, f)
        self.assertLess(sum(f["rx_bytes"] for f in frozen["flows"]),
                        0.5 * sum(f["rx_bytes"] for f in default["flows"]))
        for r in (default, frozen, floor2g):
            self.assert_conserved(r)
        with open(topo("incast.yaml")) as f:
            text = f.read().replace("duration: 100ms", "duration: 1ms")
        text = text.replace("rate: 10G, packet: 1500", "packet: 1500, transport: rocev2, ecn: true, "
                            "cc: {type: dcqcn, min_rate: 200G}")
        r, err, _ = run(text, self.dir, "cc_bad.json", expect_ok=False)
        self.assertIsNone(r)
        self.assertRegex(err, r"flow \d+: cc_params: bad min_rate above the flow's rate")

    def test_dctcp_incast_shares_without_drops(self):
        """The same incast with DCTCP senders (an ACK per packet echoing
        CE, window cut once per window): half each within 5 % over 20 ms,
        no drops, windows cut."""
        r, _, _ = self.incast_cc("dctcp", "dctcp.json", "20ms")
        self.assertEqual(sum(sw["dropped"] for sw in r["switches"]), 0)
        for f in r["flows"]:
            self.assertEqual(f["cc"], "dctcp")
            self.assertGreater(f["cc_cuts"], 0, f)
            self.assertGreater(f["cc_feedback_rx"], 0, f)
            self.assertLess(abs(f["rx_rate_bps"] - 5e9) / 5e9, 0.05, f)
        self.assert_conserved(r)

    def test_loomctl_refuses_namespace_hosts_in_virtual_time(self):
        path = os.path.join(self.dir, "ns.yaml")
        with open(path, "w") as f:
            f.write("fabric: vt-ns\nclock: virtual\nduration: 1ms\n"
                    "generate: { spines: 1, leaves: 2, hosts_per_leaf: 1 }\n")
        for cmd in (["topo", "check", path], ["up", path], ["run", path]):
            p = subprocess.run([LOOMCTL] + cmd, capture_output=True, text=True, timeout=60)
            self.assertNotEqual(p.returncode, 0, cmd)
            self.assertIn("namespace host", p.stderr, cmd)
            self.assertIn("clock: virtual", p.stderr, cmd)
            self.assertIn("kernel cannot run in virtual time", p.stderr, cmd)

    def test_loomctl_up_and_run_each_refuse_the_other_clock(self):
        p = subprocess.run([LOOMCTL, "up", topo("two_switch.yaml")], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("loomctl run", p.stderr)
        path = os.path.join(self.dir, "rt.yaml")
        with open(path, "w") as f:
            f.write("fabric: vt-rt\ngenerate: { spines: 1, leaves: 2, hosts_per_leaf: 1, port_type: generator }\n")
        p = subprocess.run([LOOMCTL, "run", path], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("loomctl up", p.stderr)

    def test_virtual_clock_needs_a_duration(self):
        path = os.path.join(self.dir, "nodur.yaml")
        with open(path, "w") as f:
            f.write("fabric: vt-nodur\nclock: virtual\n"
                    "generate: { spines: 1, leaves: 2, hosts_per_leaf: 1, port_type: generator }\n")
        p = subprocess.run([LOOMCTL, "topo", "check", path], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nodur.yaml:2: 'clock: virtual' needs a 'duration'", p.stderr)


if __name__ == "__main__":
    unittest.main()
