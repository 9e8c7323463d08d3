"""ACK coalescing at generator hosts in virtual time (issue 23;
scheduler/transport/ack_coalesce.c, dataplane/hosts/gen_transport.c): with
`ack_every: 4` a flow completes with the same bytes and about a quarter of
the ACKs, its RTT sample stays exact, and the delayed-ACK timer sends what
a lost tail left held."""
import unittest

from vt_case import VirtualCase
from test_virtual import run, topo


def lone_flow(extra):
    with open(topo("transport_base.yaml")) as f:
        base = f.read().split("\ntraffic:\n")[0]
    return base + "\ntraffic:\n  - { src: h0, dst: h2, packet: 1500, bytes: 30000, transport: selective_repeat, " \
                  "%s }\n" % extra


def host(r, name):
    return [h for h in r["hosts"] if h["name"] == name][0]


class AckCoalesceVirtual(VirtualCase):
    TMP_PREFIX = "loom-vt-ackco-"

    def test_quarter_of_the_acks_same_bytes(self):
        """h0 -> h2, 21 packets (30000 bytes, one every 1.2 us), NSCC with
        its first window of 10 packets: per packet, 21 ACKs. With
        ack_every: 4: ACKs of 0-3 and 4-7; 8 and 9 fill the window, and the
        packets after them leave only when the first ACK is back (16.7 us),
        so the delayed-ACK timer (by default the time of 4 frames on h2's
        link, 4.8 us, after 8 arrived) sends their ACK;
        then 10-13, 14-17, and 18-20 at the last one, which asks for it:
        6 ACKs of 68 bytes (compact, gen_feedback.h: 42 of headers, 18 of
        its own, 4 of NSCC's echo, 4 of counts). The same bytes arrive,
        each once."""
        one, _, _ = run(lone_flow("ecn: true, cc: nscc"), self.dir, name="one")
        four, _, _ = run(lone_flow("ecn: true, cc: nscc, ack_every: 4"), self.dir, name="four")
        (f1,), (f4,) = one["flows"], four["flows"]
        for f in (f1, f4):
            self.assertEqual(f["rx_payload_bytes"], 30000)
            self.assertEqual(f["retransmissions"], 0)
            self.assertGreater(f["completion_ns"], 0)
        self.assertNotIn("acks_sent", f1)  # a flow without coalescing: results as they were
        self.assertEqual(host(one, "h2")["tx_feedback"], 21)
        self.assertEqual(host(four, "h2")["tx_feedback"], 6)
        self.assertEqual(host(four, "h2")["tx_bytes"], 6 * 68)
        self.assertEqual((f4["ack_every"], f4["acks_sent"], f4["acked_packets"], f4["ack_timer_fired"]), (4, 6, 21, 1))
        self.assertEqual(f4["cc_feedback_rx"], 6)
        # the RTT sample still exact (the timer's ACK echoes its packet's
        # send time plus the time it was held): the data packet's one-way
        # time plus the 68-byte ACK's, 55 ns on each of the four 10G links
        # plus 1 us each
        self.assertEqual(f4["base_rtt_ns"], f4["latency_min_ns"] + 4 * (1000 + 55))

    def test_dctcp_over_coalesced_acks(self):
        """The same with DCTCP: 6 ACKs of 64 bytes (60 + 4 of counts), the
        same bytes."""
        r, _, _ = run(lone_flow("ecn: true, cc: dctcp, ack_every: 4"), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(host(r, "h2")["tx_feedback"], 6)
        self.assertEqual(host(r, "h2")["tx_bytes"], 6 * 64)

    def test_delayed_ack_timer_sends_a_held_tail(self):
        """ack_every: 8 at a fixed rate, the last packet (20) lost at h0's
        NIC: ACKs at packets 7 and 15; 16..19 are held until the timer
        (ack_delay: 20us) sends them; 20 comes back after h0's
        retransmission timer (500 us), asks for its ACK, and gets it: 4 ACKs,
        one of them the timer's, the flow complete."""
        r, _, _ = run(topo("ack_coalesce.yaml"), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual((f["timeouts"], f["retransmissions"]), (1, 1))
        self.assertEqual((f["acks_sent"], f["acked_packets"], f["ack_timer_fired"]), (4, 21, 1))
        self.assertEqual(host(r, "h2")["tx_feedback"], 4)

    def test_timer_ack_leaves_its_hold_out_of_the_rtt(self):
        """3 packets, NSCC, ack_every: 8, the last one lost and its timer
        (rto: 1s) beyond the run: the only ACK is the delayed-ACK timer's,
        9.6 us (8 frames at 10G) after packet 1 arrived; its echoed send time
        is packet 1's plus those 9.6 us, so the one RTT sample is still the path's: the one-way
        time plus the 68-byte ACK's 4 x (1000 + 55) ns."""
        text = lone_flow("ecn: true, cc: nscc, ack_every: 8, lose: 2, rto: 1s").replace("bytes: 30000", "bytes: 4338")
        r, _, _ = run(text, self.dir)
        (f,) = r["flows"]
        self.assertEqual((f["acks_sent"], f["acked_packets"], f["ack_timer_fired"]), (1, 2, 1))
        self.assertEqual(f["base_rtt_ns"], f["latency_min_ns"] + 4 * (1000 + 55))

    def test_ack_every_needs_a_recovering_transport(self):
        text = lone_flow("ack_every: 4").replace("transport: selective_repeat", "transport: rocev2")
        r, err, _ = run(text, self.dir, expect_ok=False)
        self.assertIsNone(r)
        self.assertIn("ack_every", err)
        # one ACK's selective bits cover 64 packets: at most 64, said at its line
        r, err, _ = run(lone_flow("ack_every: 65"), self.dir, name="bad", expect_ok=False)
        self.assertIsNone(r)
        self.assertIn("bad.yaml:23: ack_every 65 out of range 1..64", err)


if __name__ == "__main__":
    unittest.main()
