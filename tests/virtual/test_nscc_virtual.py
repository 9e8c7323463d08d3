"""NSCC over selective repeat in virtual time (issue 23; scheduler/cc/nscc.c,
dataplane/hosts/gen_cc.c): the ACK echoes the data packet's send time, so
the sender's RTT sample is exact; a mark with a queue below the delay
target costs no window cut; a mark with the queue above it does."""
import os
import tempfile
import unittest

from test_virtual import run, topo


def lone_flow(cc):
    with open(topo("transport_base.yaml")) as f:
        base = f.read().split("\ntraffic:\n")[0]
    return base + "\ntraffic:\n  - { src: h0, dst: h2, packet: 1500, bytes: 30000, transport: selective_repeat, " \
                  "ecn: true, cc: %s }\n" % cc


def incast(cc):
    with open(topo("nscc_incast.yaml")) as f:
        return f.read().replace("cc: {type: nscc, target_delay: 50us}", "cc: %s" % cc)


class NsccVirtual(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="loom-vt-nscc-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_rtt_sample_is_exact(self):
        """One flow h0 -> h2 over three 10G switches, nothing else: its
        first ACK's sample is the base RTT, the data packet's one-way time
        (the flow's minimum latency) plus the ACK's: 64 bytes (compact,
        gen_feedback.h: DCTCP's transport ACK, 60, and the 4-byte echo),
        52 ns on each of the four links (ceil(64 x 8 / 10)) plus 1 us
        each: 4208 ns. No queue, no cut, the 21 packets acknowledged one
        by one."""
        r, _, _ = run(lone_flow("nscc"), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["cc"], "nscc")
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(f["base_rtt_ns"], f["latency_min_ns"] + 4 * (1000 + 52))
        self.assertEqual(f["cc_cuts"], 0)
        h2 = [h for h in r["hosts"] if h["name"] == "h2"][0]
        self.assertEqual(h2["tx_feedback"], 21)
        self.assertEqual(h2["tx_bytes"], 21 * 64)
        # the same flow under DCTCP: its ACKs carry no echo
        d, _, _ = run(lone_flow("dctcp"), self.dir, name="dctcp")
        h2 = [h for h in d["hosts"] if h["name"] == "h2"][0]
        self.assertEqual(h2["tx_bytes"], h2["tx_feedback"] * 60)

    def test_marks_below_target_delay_cost_no_cut(self):
        """2:1 into h2: spine0's port marks from 3 KB and holds 15 KB, at
        most 12 us of queueing, the path's only queue; with a 50 us target
        no sample can reach it, so however many packets are marked, NSCC
        cuts nothing (DCTCP, on the same marks, cuts)."""
        r, _, _ = run(incast("{type: nscc, target_delay: 50us}"), self.dir)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 300000)
            self.assertGreater(f["ce_marked"], 0)
            self.assertEqual(f["cc_cuts"], 0)
        d, _, _ = run(incast("dctcp"), self.dir, name="dctcp")
        for f in d["flows"]:
            self.assertGreater(f["ce_marked"], 0)
            self.assertGreater(f["cc_cuts"], 0)

    def test_acks_go_in_the_trimmed_headers_class(self):
        """Where the fabric trims, NSCC's ACKs carry the trim DSCP (63) and
        travel in the strict class 7 as the trimmed headers do: leaf1's
        port up to spine0 carries nothing but h2's ACKs, every one of them
        in class 7. Without trimming (the lone flow) they stay in class 0."""
        r, _, _ = run(incast("{type: nscc, target_delay: 50us}"), self.dir)
        acks = [h for h in r["hosts"] if h["name"] == "h2"][0]["tx_feedback"]
        self.assertGreater(acks, 0)
        leaf1 = [s for s in r["switches"] if s["name"] == "leaf1"][0]
        up = [p for p in leaf1["ports"] if p["name"] == "spine0:1"][0]
        out = {c["class"]: c["out_packets"] for c in up["tm"]["classes"] if c["out_packets"]}
        self.assertEqual(out, {7: acks})
        r, _, _ = run(lone_flow("nscc"), self.dir, name="lone")
        leaf1 = [s for s in r["switches"] if s["name"] == "leaf1"][0]
        up = [p for p in leaf1["ports"] if p["name"] == "spine0:1"][0]
        out = {c["class"]: c["out_packets"] for c in up["tm"]["classes"] if c["out_packets"]}
        self.assertEqual(out, {0: 21})

    def test_marks_above_target_delay_cut(self):
        """The same with a 2 us target: the queue passes it (its 3 KB mark
        threshold alone is 2.4 us), and marked ACKs whose sample is above
        it cut, each flow's window more than once (once per window)."""
        r, _, _ = run(incast("{type: nscc, target_delay: 2us}"), self.dir)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 300000)
            self.assertGreater(f["cc_cuts"], 1)

    def test_window_below_a_packet_is_paced(self):
        """The lone flow with its window held at 500 bytes (below one
        packet's 1446 bytes of transport payload: init_cwnd = max_cwnd =
        500) and the base RTT given as its full packets' RTT (13008 ns:
        every sample before the last packet is one, so srtt stays it): one
        packet in flight, sent every 1446 x 13008 / 500 = 37619 ns, a rate
        of cwnd / RTT; with pacing off (pace_cwnd: 0) the window's one
        packet goes when the ACK of the last comes, every 13008 ns."""
        cc = "{type: nscc, base_rtt: 13008ns, init_cwnd: 500, max_cwnd: 500%s}"
        r, _, _ = run(lone_flow(cc % ""), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(f["cwnd_bytes"], 500)
        self.assertEqual(f["tx_packets"], 21)
        self.assertEqual(f["timeouts"], 0)
        self.assertEqual(f["last_tx_ns"] - f["first_tx_ns"], 20 * 37619)
        r, _, _ = run(lone_flow(cc % ", pace_cwnd: 0"), self.dir, name="unpaced")
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(f["last_tx_ns"] - f["first_tx_ns"], 20 * 13008)

    def test_bad_values_name_the_line(self):
        """A misspelt cc, nscc without a transport that echoes, another
        controller's parameter, a zero target: each names file and line."""
        text = lone_flow("nscc")
        line = text.splitlines().index([l for l in text.splitlines() if "cc: nscc" in l][0]) + 1
        for bad, why in (("cc: nsc }", "bad cc 'nsc'"),
                         ("cc: {type: nscc, g: 1/8} }", "'g' is not a parameter of nscc"),
                         ("cc: {type: nscc, target_delay: 0} }", "bad target_delay")):
            r, err, _ = run(text.replace("cc: nscc }", bad), self.dir, name="bad", expect_ok=False)
            self.assertIsNone(r)
            self.assertIn("bad.yaml:%d: " % line, err)
            self.assertIn(why, err)
        r, err, _ = run(text.replace("transport: selective_repeat, ", ""), self.dir, name="bad", expect_ok=False)
        self.assertIsNone(r)
        self.assertIn("bad.yaml:%d: " % line, err)
        self.assertIn("nscc needs a transport", err)


if __name__ == "__main__":
    unittest.main()
