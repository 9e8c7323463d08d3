"""Where a generator flow's time went, in virtual time (issue 23;
dataplane/hosts/gen_acct.h, per-flow results in docs/VIRTUAL_TIME.md): the
time its sender's NIC sat idle while the flow had data but its window was
full, or while it waited for its pacing gap; the first ACK after its first
packet; the feedback frames and bytes its receiver sent for it. Checked
exactly on one flow h0 -> h2 over three 10G switches (1 us links), whose
data packet takes 8.8 us one way and whose compact 64-byte ACK 4 x (1000 +
52) ns back: a round trip of 13008 ns."""
import unittest

from vt_case import VirtualCase
from test_virtual import run, topo

RTT = 13008    # ns: a full data packet out, its ACK back
FRAME = 1200   # ns: a 1500-byte frame at 10G


def lone_flow(extra):
    with open(topo("transport_base.yaml")) as f:
        base = f.read().split("\ntraffic:\n")[0]
    return base + "\ntraffic:\n  - { src: h0, dst: h2, packet: 1500, bytes: 30000, %s }\n" % extra


class FlowAcctVirtual(VirtualCase):
    TMP_PREFIX = "loom-vt-acct-"

    def test_window_blocked_exact(self):
        """NSCC with its window held at 500 bytes (below one packet) and
        pacing off: each of packets 1..20 waits from the end of the frame
        before it until that frame's ACK, RTT - FRAME = 11808 ns, with the
        NIC idle (h0 receives nothing, so sends no ACK of its own): 20 x
        11808 ns window-blocked, the first of them before the first ACK,
        which came one RTT after the first packet; no pacing wait. h2 sent
        21 ACKs of 64 bytes."""
        cc = "{type: nscc, base_rtt: %dns, init_cwnd: 500, max_cwnd: 500, pace_cwnd: 0}" % RTT
        r, _, _ = run(lone_flow("transport: selective_repeat, ecn: true, cc: %s" % cc), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(f["window_blocked_ns"], 20 * (RTT - FRAME))
        self.assertEqual(f["window_blocked_first_ns"], RTT - FRAME)
        self.assertEqual(f["pacing_blocked_ns"], 0)
        self.assertEqual(f["first_ack_ns"], RTT)
        self.assertEqual((f["feedback_tx_frames"], f["feedback_tx_bytes"]), (21, 21 * 64))
        # the sender's time adds up: its frames, the waits, nothing else
        # before its last packet left
        self.assertEqual(f["last_tx_ns"] - f["first_tx_ns"], 20 * FRAME + f["window_blocked_ns"])

    def test_dctcp_without_transport(self):
        """DCTCP's own ACKs (no transport: the full 66-byte feedback, 53 ns
        a link, a round trip of 13012 ns) with its window held at 1500
        bytes (a packet of 1458 bytes of UDP payload and part of a second):
        packets go in pairs, back to back, and each pair's window waits from
        the end of its second frame until the first one's ACK, RTT - 2 x
        FRAME: ten waits for 21 packets. The sender's time to its last
        packet is its frames and its window waits, nothing else (h0 sends
        no ACK of its own)."""
        rtt = 8800 + 4 * (1000 + 53)
        r, _, _ = run(lone_flow("transport: udp, ecn: true, cc: {type: dctcp, init_cwnd: 1500, min_cwnd: 1500, "
                                "max_cwnd: 1500}"), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["rx_payload_bytes"], 30000)
        self.assertEqual(f["first_ack_ns"], rtt)
        self.assertEqual(f["window_blocked_ns"], 10 * (rtt - 2 * FRAME))
        self.assertEqual(f["window_blocked_first_ns"], rtt - 2 * FRAME)
        self.assertEqual(f["pacing_blocked_ns"], 0)
        self.assertEqual(f["last_tx_ns"] - f["first_tx_ns"], 20 * FRAME + f["window_blocked_ns"])
        self.assertEqual((f["feedback_tx_frames"], f["feedback_tx_bytes"]), (21, 21 * 66))

    def test_pacing_blocked_exact(self):
        """The same window with NSCC's pacing: a packet every 1446 x 13008 /
        500 = 37619 ns, whose ACK is back long before, so the window never
        holds it: 20 x (37619 - 1200) ns pacing-blocked."""
        cc = "{type: nscc, base_rtt: %dns, init_cwnd: 500, max_cwnd: 500}" % RTT
        r, _, _ = run(lone_flow("transport: selective_repeat, ecn: true, cc: %s" % cc), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["pacing_blocked_ns"], 20 * (37619 - FRAME))
        self.assertEqual(f["window_blocked_ns"], 0)
        self.assertEqual(f["last_tx_ns"] - f["first_tx_ns"], 20 * FRAME + f["pacing_blocked_ns"])

    def test_fixed_rate_is_pacing_and_no_feedback(self):
        """A 5G flow without CC or transport on a 10G link: each packet after
        the first waits a frame's time more (1200 ns) with the NIC idle;
        no ACK ever comes (first_ack_ns -1), none is sent."""
        r, _, _ = run(lone_flow("rate: 5G"), self.dir)
        (f,) = r["flows"]
        self.assertEqual(f["tx_packets"], 21)
        self.assertEqual(f["pacing_blocked_ns"], 20 * FRAME)
        self.assertEqual(f["window_blocked_ns"], 0)
        self.assertEqual(f["first_ack_ns"], -1)
        self.assertEqual((f["feedback_tx_frames"], f["feedback_tx_bytes"]), (0, 0))

    def test_own_acks_are_not_idle(self):
        """h0 -> h2 as in the first test and h2 -> h0 beside it: h2's NIC
        sends its data frames and its ACKs of h0's flow. The window-blocked
        time of h2's flow counts only the time h2's NIC was idle, so its
        frames, its ACKs and its waits add up to the time to its last
        packet."""
        cc = "{type: nscc, base_rtt: %dns, init_cwnd: 500, max_cwnd: 500, pace_cwnd: 0}" % RTT
        text = lone_flow("transport: selective_repeat, ecn: true, cc: %s" % cc)
        text += "  - { src: h2, dst: h0, packet: 1500, bytes: 30000, transport: selective_repeat, ecn: true, " \
                "cc: %s }\n" % cc
        r, _, _ = run(text, self.dir)
        f, back = sorted(r["flows"], key=lambda x: x["src"])[::-1]  # h2's flow, then h0's
        self.assertEqual(f["src"], "h2")
        self.assertEqual(f["rx_payload_bytes"], 30000)
        # h2's ACKs of h0's flow that left before h2's last data packet did
        # (all of them but any after it; at most the one for h0's last)
        acks_ns = 52  # a 64-byte ACK at 10G, rounded up
        busy = 20 * FRAME + f["window_blocked_ns"] + f["pacing_blocked_ns"]
        span = f["last_tx_ns"] - f["first_tx_ns"]
        self.assertGreater(f["window_blocked_ns"], 0)
        self.assertEqual((span - busy) % acks_ns, 0)
        self.assertLessEqual((span - busy) // acks_ns, back["feedback_tx_frames"])
        self.assertGreater((span - busy) // acks_ns, 0)


if __name__ == "__main__":
    unittest.main()
