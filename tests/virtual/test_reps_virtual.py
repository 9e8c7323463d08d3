"""REPS in virtual time (issue 23; scheduler/lb/reps.c,
dataplane/hosts/gen_reps.c): with one slow path, hosts that recycle the
entropy of unmarked ACKs send measurably fewer packets into it than hosts
that draw it at random; the ACKs echo each packet's source port; a flow
without ACKs is refused.

Run: LOOM_BUILD=build /usr/bin/python3 -m unittest -v test_reps_virtual
"""
from vt_case import VirtualCase, port
from test_virtual import run, topo

UPLINKS = ["spine%d:0" % k for k in range(4)]  # leaf0's ports up to the spines


def slow_spine(entropy="reps"):
    with open(topo("reps_slow_spine.yaml")) as f:
        return f.read().replace("entropy: reps", "entropy: %s" % entropy)


def uplink_packets(r):
    return [port(r, "leaf0", p)["tx_packets"] for p in UPLINKS]


class RepsVirtual(VirtualCase):
    TMP_PREFIX = "loom-vt-reps-"

    def test_reps_steers_away_from_slow_spine(self):
        """spine3's link down to leaf1 runs at 1G, the other paths at 10G.
        Random entropy puts about a quarter of leaf0's packets on spine3
        (the ECMP hash is uniform over ports); REPS reuses only the ports
        whose packets came back unmarked, and spine3's port marks most of
        what it carries, so spine3 gets less than half of random's share
        (measured: see the message) and the flows finish; both runs
        conserve on every switch and deliver every byte."""
        rnd, _, _ = run(slow_spine("per_packet"), self.dir, name="random.json")
        reps, _, _ = run(slow_spine("reps"), self.dir, name="reps.json")
        shares = {}
        for name, r in (("random", rnd), ("reps", reps)):
            self.assert_switches_conserved(r)
            for f in r["flows"]:
                self.assertEqual(f["rx_payload_bytes"], 1000000, (name, f))
                self.assertGreaterEqual(f["completion_ns"], 0, (name, f))
            up = uplink_packets(r)
            shares[name] = up[3] / sum(up)
            # what leaf0 sent to spine3 is what spine3 carried down to leaf1 (no other traffic there)
            self.assertEqual(port(r, "spine3", "leaf0:5")["rx_packets"], up[3])
        msg = "spine3's share of leaf0's uplink packets: random %.3f, reps %.3f" % (shares["random"], shares["reps"])
        self.assertGreater(shares["random"], 0.18, msg)
        self.assertLess(shares["reps"], shares["random"] / 2, msg)
        print("\n  " + msg)
        st = [f["reps"] for f in reps["flows"]]
        for s in st:
            # recycling did most of the choosing; marked ports were seen and dropped (two marks in a row)
            self.assertGreater(s["recycled"], s["explored"], s)
            self.assertGreater(s["marked"] + s["nacked"], 0, s)
            self.assertEqual(s["ev_invalid"], 0, s)
            self.assertEqual(s["freezes"], 0, s)
        for f in rnd["flows"]:
            self.assertNotIn("reps", f)

    def test_coalesced_acks_echo_entropy(self):
        """With ACKs coalesced (ack_every: 4), each ACK still echoes the
        port of every packet it acknowledges, with its mark: none is
        invalid, about every unmarked packet's port comes back good, and
        recycling does most of the choosing (with only the newest port
        echoed, a flow explored about three packets in four)."""
        text = slow_spine("reps").replace("entropy: reps", "entropy: reps, ack_every: 4")
        r, _, _ = run(text, self.dir, name="reps_coalesced.json")
        self.assert_switches_conserved(r)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 1000000, f)
            self.assertEqual(f["ack_every"], 4, f)
            self.assertEqual(f["reps"]["ev_invalid"], 0, f)
            s = f["reps"]
            self.assertGreater(s["recycled"], s["explored"], s)
            # every acknowledged packet's port came back (good or marked); ACKs of trimmed ones are NACKs
            self.assertGreaterEqual(s["good"] + s["forgiven"] + s["marked"], f["acked_packets"] * 3 // 4, (s, f))

    def test_lossy_spine_freezes_and_is_avoided(self):
        """spine3's link to leaf1 at full rate but losing 20 % of its
        frames (a fault), the switches trimming: a lost packet's port never
        comes back, and the timeout it costs freezes REPS on the ports
        known good (the fabric trims, so a timeout means a failure). REPS
        sends less than half of random's share through spine3, freezes
        each flow once, and retransmits less. Without trimming nothing
        freezes."""
        def lossy(entropy):
            text = slow_spine(entropy).replace("{ a: leaf1:5, b: spine3:1, rate: 1G }", "{ a: leaf1:5, b: spine3:1 }")
            return text + "faults:\n  - { at: 0s, link: leaf1:5, loss: 0.2 }\n"
        rnd, _, _ = run(lossy("per_packet"), self.dir, name="random.json")
        reps, _, _ = run(lossy("reps"), self.dir, name="reps.json")
        shares = {}
        for name, r in (("random", rnd), ("reps", reps)):
            self.assert_switches_conserved(r)
            for f in r["flows"]:
                self.assertEqual(f["rx_payload_bytes"], 1000000, (name, f))
            up = uplink_packets(r)
            shares[name] = up[3] / sum(up)
        msg = "spine3's share of leaf0's uplink packets: random %.3f, reps %.3f" % (shares["random"], shares["reps"])
        self.assertGreater(shares["random"], 0.18, msg)
        self.assertLess(shares["reps"], shares["random"] / 2, msg)
        print("\n  " + msg)
        for f in reps["flows"]:
            self.assertEqual(f["reps"]["freezes"], 1, f["reps"])
            self.assertGreater(f["reps"]["frozen_sends"], 0, f["reps"])
        self.assertLess(sum(f["retransmissions"] for f in reps["flows"]),
                        sum(f["retransmissions"] for f in rnd["flows"]))
        # without trimming a timeout may be congestion: no freeze, though timeouts come
        untrimmed, _, _ = run(lossy("reps").replace("  trim: { classes: [0], dscp: 63 }\n", ""), self.dir,
                              name="untrimmed.json")
        self.assertGreater(sum(f["timeouts"] for f in untrimmed["flows"]), 0)
        for f in untrimmed["flows"]:
            self.assertEqual(f["reps"]["freezes"], 0, f["reps"])
            self.assertEqual(f["rx_payload_bytes"], 1000000, f)

    def test_same_seed_same_run(self):
        """REPS draws from the run's seed: the same file twice, the same results."""
        a, _, _ = run(slow_spine("reps"), self.dir, name="a.json")
        b, _, _ = run(slow_spine("reps"), self.dir, name="b.json")
        self.assertEqual(a["flows"], b["flows"])
        self.assertEqual(uplink_packets(a), uplink_packets(b))

    def test_dctcp_acks_carry_entropy(self):
        """Without a transport, DCTCP's ACKs are REPS's feedback: every
        port that came back is counted as good or marked."""
        text = slow_spine("reps").replace("transport: selective_repeat, ", "").replace("cc: nscc", "cc: dctcp")
        text = text.replace("bytes: 1000000", "bytes: 300000")
        r, _, _ = run(text, self.dir)
        self.assert_switches_conserved(r)
        for f in r["flows"]:
            s = f["reps"]
            self.assertGreater(s["good"], 0, s)
            self.assertGreater(s["recycled"], 0, s)
            self.assertEqual(s["nacked"], 0, s)
            self.assertEqual(s["ev_invalid"], 0, s)
            # a port that marks twice in a row is dropped, a first mark forgiven
            self.assertGreater(s["marked"], 0, s)
            self.assertGreater(s["forgiven"], 0, s)

    def test_marks_read_the_same_whatever_the_cc(self):
        """REPS reads the CE marks itself (two in a row on a port drop
        it), whatever the flow's congestion control: NSCC's delay target
        no longer decides, so with a 1 ms target (no delay sample reaches
        it) the slow spine's ports are dropped all the same, and spine3
        gets less than half of random entropy's share either way."""
        rnd, _, _ = run(slow_spine("per_packet"), self.dir, name="random.json")
        up = uplink_packets(rnd)
        random_share = up[3] / sum(up)
        for name, text in (("target_1ms", slow_spine("reps").replace("cc: nscc", "cc: {type: nscc, target_delay: 1ms}")),
                           ("default", slow_spine("reps"))):
            r, _, _ = run(text, self.dir, name=name + ".json")
            for f in r["flows"]:
                s = f["reps"]
                self.assertGreater(s["marked"], 0, (name, s))
                self.assertGreater(s["forgiven"], 0, (name, s))
            up = uplink_packets(r)
            self.assertLess(up[3] / sum(up), random_share / 2, (name, up, random_share))

    def test_reps_without_acks_refused(self):
        """A flow without ACKs gives REPS nothing to learn from: refused at its line."""
        text = slow_spine("reps").replace("transport: selective_repeat, ", "").replace("cc: nscc", "cc: none")
        r, err, _ = run(text, self.dir, expect_ok=False)
        self.assertIsNone(r)
        self.assertIn("entropy: reps learns from ACKs", err)
        self.assertRegex(err, r"\.yaml:\d+")
