"""Cell (switch-scheduled) fabrics in virtual time (docs/CELLS.md): a 7:1
incast shared by the credit scheduler, a permutation delivered whole and in
order (two tiers, and three: a k=4 fat tree), traffic to a host on the
same leaf scheduled by credits, speedup, a spine link taken down under
traffic, conservation of cells and packets on every switch, and what the
topology loader refuses.

Runs `loomctl run` from $LOOM_BUILD like test_virtual.py.
"""
import json
import os
import subprocess
import unittest

from vt_case import VirtualCase, switch
from test_virtual import LOOMCTL, run, topo


class CellFabric(VirtualCase):
    TMP_PREFIX = "loom-cell-test-"

    def assert_cells_conserved(self, r):
        """Every switch: rx + generated + cells/packets made = tx + answered
        + dropped + queued + cells/packets consumed (loomd computes it)."""
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], "switch %s does not conserve: %s" % (sw["name"], sw))
            c = sw["cell"]
            self.assertEqual(c["role"], sw["role"])
        for h in r["hosts"]:
            self.assertEqual(h["rx_unknown"], 0, h)

    def test_incast_7_to_1_fair_and_lossless_inside(self):
        """h1..h7 each offer 10G to h0's 10G port. The credit scheduler
        shares the port: each sender's rate is within 10 % of 1/7 of it
        (measured: within 1 %), nothing is dropped inside the fabric (spines,
        the egress leaf), the excess is dropped at the edge as voq_full, and
        the egress port's credits stay at its rate."""
        r, _, _ = run(topo("cell_incast.yaml"), self.dir)
        self.assert_cells_conserved(r)
        flows = r["flows"]
        self.assertEqual(len(flows), 7)
        share = 10e9 / 7
        for f in flows:
            self.assertLess(abs(f["rx_rate_bps"] - share) / share, 0.10, [f["rx_rate_bps"] for f in flows])
            self.assertEqual(f["reordered"], 0)
        total = sum(f["rx_rate_bps"] for f in flows)
        self.assertGreater(total, 0.95 * 10e9)
        for sw in r["switches"]:
            if sw["name"] == "leaf0" or sw["role"] == "spine":
                self.assertEqual(sw["dropped"], 0, sw)  # inside the fabric
            else:
                self.assertEqual(set(k for k, v in sw["drops"].items() if v), {"voq_full"}, sw["drops"])
                (voq,) = sw["cell"]["voqs"]
                self.assertEqual((voq["leaf"], voq["port"]), ("leaf0", 0))
                self.assertGreater(voq["drops"], 0)
                # credits used = bytes sent; granted covers them
                self.assertLessEqual(voq["credit_used_bytes"], voq["credit_granted_bytes"] + 1500)
        leaf0 = switch(r, "leaf0")
        (h0,) = [p for p in leaf0["cell"]["ports"] if p["name"] == "h0"]
        # never more than the port's rate (plus one credit) over the run
        self.assertLessEqual(h0["credit_granted_bytes"], 10e9 / 8 * r["time_ns"] / 1e9 + 4096)
        self.assertGreater(h0["credit_granted_bytes"], 0.95 * 10e9 / 8 * r["time_ns"] / 1e9)
        self.assertEqual(leaf0["cell"]["reassembly"]["timeouts"], 0)
        self.assertGreater(leaf0["cell"]["reassembly"]["reorder_max"], 0)  # sprayed cells came out of order
        # both spines carried cells
        for name in ("spine0", "spine1"):
            self.assertGreater(switch(r, name)["cell"]["cells_forwarded"], 1000)

    def test_uplink_pushes_back_on_vqs(self):
        """Two VOQs granted 10G each share one 10G uplink: with the uplink
        pushing back (uplink_limit), nothing is dropped inside the fabric,
        the two share the uplink evenly (within 5 %) and in order, and the
        excess waits then drops at the edge (voq_full). Without it (a limit
        of 1 GB), cells drop at the full uplink queue (queue_full) and their
        packets are lost in reassembly."""
        r, _, _ = run(topo("cell_narrow_uplink.yaml"), self.dir, name="on.json")
        self.assert_cells_conserved(r)
        rates = [f["rx_rate_bps"] for f in r["flows"]]
        self.assertLess(abs(rates[0] - rates[1]) / max(rates), 0.05, rates)
        self.assertGreater(sum(rates), 0.85 * 10e9 * 256 / 286)  # the uplink, less the cells' headers
        for f in r["flows"]:
            self.assertEqual(f["reordered"], 0)
        leaf0 = switch(r, "leaf0")
        self.assertEqual(set(k for k, v in leaf0["drops"].items() if v), {"voq_full"})
        self.assertGreater(leaf0["cell"]["counters"]["held_back"], 0)
        for name in ("leaf1", "spine0"):
            self.assertEqual(switch(r, name)["dropped"], 0)
        with open(topo("cell_narrow_uplink.yaml")) as f:
            text = f.read().replace("mode: cell\n", "mode: cell\ncell: { uplink_limit: 1GB }\n")
        r, _, _ = run(text, self.dir, name="off.json")
        self.assert_cells_conserved(r)
        self.assertGreater(switch(r, "leaf0")["drops"]["queue_full"], 1000)
        self.assertGreater(switch(r, "leaf1")["drops"]["cell_reassembly"], 0)

    def test_class_weights_share_the_port(self):
        """Two classes with credit weights 1:3 (DSCP 0 and 8), each sender
        offering 10G to h0's 10G port: 2.5G and 7.5G, within 5 %."""
        r, _, _ = run(topo("cell_classes.yaml"), self.dir)
        self.assert_cells_conserved(r)
        rates = {f["src"]: f["rx_rate_bps"] for f in r["flows"]}
        self.assertLess(abs(rates["h1"] - 2.5e9) / 2.5e9, 0.05, rates)
        self.assertLess(abs(rates["h2"] - 7.5e9) / 7.5e9, 0.05, rates)
        leaf0 = switch(r, "leaf0")
        self.assertEqual(leaf0["dropped"], 0)
        # each sender's VOQ is its class's
        for name, cls in (("leaf1", 0), ("leaf2", 1)):
            (voq,) = switch(r, name)["cell"]["voqs"]
            self.assertEqual(voq["class"], cls)

    def test_permutation_every_packet_in_order(self):
        """Every host sends 300 KB to a host on another leaf: every packet
        arrives, none out of order, no drop anywhere, nothing left queued."""
        r, _, _ = run(topo("cell_permutation.yaml"), self.dir)
        self.assert_cells_conserved(r)
        self.assertEqual(len(r["flows"]), 8)
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
            self.assertEqual(f["rx_payload_bytes"], 300000, f)
            self.assertEqual(f["reordered"], 0, f)
            self.assertGreater(f["completion_ns"], 0)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
            self.assertEqual(sw["queued"], 0)
            self.assertEqual(sw["cell"]["queued"], 0)
        self.assertEqual(r["in_flight"], 0)
        sent = sum(h["tx_packets"] for h in r["hosts"])
        self.assertEqual(sent, sum(h["rx_packets"] for h in r["hosts"]))
        # each leaf sprayed over both uplinks
        for sw in r["switches"]:
            if sw["role"] == "leaf":
                ups = [p for p in sw["cell"]["ports"] if "data_cells_tx" in p]
                self.assertEqual(len(ups), 2)
                a, b = (p["data_cells_tx"] for p in ups)
                self.assertLess(abs(a - b), 0.05 * (a + b), ups)

    def test_permutation_one_cell_packets(self):
        """200-byte frames: one cell each (the egress leaf keeps the cell's
        mbuf as the packet): every packet arrives at its flow's host, in
        order, with all its payload bytes counted; nothing dropped."""
        with open(topo("cell_permutation.yaml")) as f:
            text = f.read().replace("packet: 1500, bytes: 300000", "packet: 200, bytes: 50000")
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
            self.assertEqual(f["rx_payload_bytes"], 50000, f)
            self.assertEqual(f["reordered"], 0, f)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
            if sw["role"] == "leaf":
                c = sw["cell"]["counters"]
                self.assertEqual(c["cells_cut"], c["packets_cut"])  # one cell per packet

    def test_permutation_least_loaded_spray(self):
        """The same permutation spraying on the least-loaded uplink: every
        packet arrives, in order; both uplinks carry cells."""
        with open(topo("cell_permutation.yaml")) as f:
            text = f.read().replace("cell: { voq_bytes: 512KiB }", "cell: { voq_bytes: 512KiB, spray: least_loaded }")
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
            self.assertEqual(f["reordered"], 0, f)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
            if sw["role"] == "leaf":
                ups = [p["data_cells_tx"] for p in sw["cell"]["ports"] if "data_cells_tx" in p]
                self.assertGreater(min(ups), 0.3 * sum(ups), ups)

    def test_fat_tree_three_tiers_every_packet_in_order(self):
        """A k=4 fat tree (leaves, spines, super-spines) in cell mode: every
        host sends 300 KB to a host on another leaf; every packet arrives,
        none out of order, nothing dropped or left anywhere. Cells to another
        pod went up through the super-spines: each of the four forwarded
        cells, and every spine sent cells up."""
        r, _, _ = run(topo("cell_fat_tree.yaml"), self.dir)
        self.assert_cells_conserved(r)
        self.assertEqual(len(r["flows"]), 16)
        pod = lambda h: int(h[1:]) // 4  # 4 hosts per pod
        self.assertTrue(any(pod(f["src"]) != pod(f["dst"]) for f in r["flows"]))
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
            self.assertEqual(f["rx_payload_bytes"], 300000, f)
            self.assertEqual(f["reordered"], 0, f)
            self.assertGreater(f["completion_ns"], 0)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
            self.assertEqual(sw["queued"], 0)
            self.assertEqual(sw["cell"]["queued"], 0)
            if sw["role"] == "superspine":
                self.assertGreater(sw["cell"]["cells_forwarded"], 1000, sw["name"])
            if sw["role"] == "spine":
                self.assertGreater(sw["cell"]["cells_up"], 1000, sw["name"])
            if sw["role"] == "leaf":
                self.assertEqual(sw["cell"]["reassembly"]["timeouts"], 0)
        self.assertEqual(r["in_flight"], 0)

    def test_superspine_link_down_delivery_continues(self):
        """In the k=4 fat tree, spine0's link to superspine0 goes down at
        100 us, every flow sending: superspine0 no longer reaches pod 0's
        leaves, so the spines of the other pods send those cells up to
        superspine1 alone (it forwards more than superspine2, which kept its
        share); the few cells on their way through the cut are lost and
        their packets' other cells freed by the reassembly timeout; every
        flow receives to its end, in order, losing at most a few packets."""
        with open(topo("cell_fat_tree.yaml")) as f:
            text = f.read().replace("speedup: 1.25 }",
                                    'speedup: 1.25, link_down: [{ link: "spine0:2", at: 100us }] }')
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        lost = 0
        for f in r["flows"]:
            self.assertEqual(f["reordered"], 0, f)
            self.assertGreaterEqual(f["rx_packets"], 200, f)  # of 206: received to its end
            self.assertLessEqual(f["not_received"], 6, f)
            lost += f["not_received"]
        self.assertGreater(lost, 0)  # the cut did cost something
        ss0, ss1, ss2 = (switch(r, "superspine%d" % i) for i in range(3))
        (down,) = [p for p in ss0["cell"]["ports"] if p["down"]]
        self.assertEqual(down["name"], "spine0:2")
        self.assertGreater(ss1["cell"]["cells_forwarded"], 1.2 * ss2["cell"]["cells_forwarded"])
        for sw in r["switches"]:
            self.assertEqual(sw["queued"], 0)
            self.assertEqual(sw["cell"]["queued"], 0)
            self.assertEqual(set(k for k, v in sw["drops"].items() if v) - {"cell_unreachable", "cell_reassembly",
                                                                           "link_down"}, set(), sw["drops"])

    def test_same_leaf_sender_is_scheduled_by_credits(self):
        """A 2:1 incast into h0 with one sender on h0's own leaf (h1) and one
        across the fabric (h2), 300 KB each at 10G: h0's port credits both,
        so they share it (each finishes at about twice the time alone,
        within 5 % of each other), h0's queue stays below the credits'
        egress limit and nothing is dropped anywhere. h1's
        packets go by credit, uncut, as local packets (its requests and
        credits are calls, not cells)."""
        r, _, _ = run(topo("cell_local_incast.yaml"), self.dir)
        self.assert_cells_conserved(r)
        fct = {}
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
            self.assertEqual(f["rx_payload_bytes"], 300000, f)
            self.assertEqual(f["reordered"], 0, f)
            fct[f["src"]] = f["completion_ns"]
        self.assertLess(abs(fct["h1"] - fct["h2"]) / max(fct.values()), 0.05, fct)
        alone = 300000 / 1458 * 1500 * 8 / 10e9 * 1e9  # ns: h1 alone at line rate
        self.assertGreater(fct["h1"], 1.9 * alone, fct)  # it shared the port
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
        leaf0 = switch(r, "leaf0")
        # h0's queue stayed below the credits' egress_limit (8 credits): the
        # local sender no longer fills it ahead of them (before: 39000 B)
        (h0,) = [p for p in leaf0["ports"] if p["name"] == "h0"]
        self.assertLessEqual(max(c["max_depth_bytes"] for c in h0["tm"]["classes"]), 8 * 4096)
        c = leaf0["cell"]["counters"]
        self.assertEqual(c["local_packets"], 206)  # every packet of h1's flow
        self.assertGreater(c["local_requests"], 0)
        self.assertGreaterEqual(c["local_credits"] * 4096, 206 * 1500)
        # no cell carried h1's packets: leaf0 cut only what it sent across (nothing)
        self.assertEqual(c["packets_cut"], 0)
        (voq_local,) = [v for v in leaf0["cell"]["voqs"] if v["leaf"] == "leaf0"]
        self.assertEqual(voq_local["out_packets"], 206)

    def test_credits_shared_per_sender_not_per_leaf(self):
        """A 3:1 incast into h0 (10G), 300 KB each: h2 and h3 share leaf1's
        VOQ toward h0, h4 is alone on leaf2. Each VOQ's requests carry its
        sources, h0's credit scheduler weights it by them: each sender gets
        a third, so the three finish within 1 % of each other (measured:
        749.1, 750.1, 751.6 us) at about three times the time alone. Before
        (VOQs weighted alike, half of the port each): h4 done at about
        510 us, h2 and h3 at 748 us."""
        r, _, _ = run(topo("cell_fair_3to1.yaml"), self.dir)
        self.assert_cells_conserved(r)
        fct = {f["src"]: f["completion_ns"] for f in r["flows"]}
        for f in r["flows"]:
            self.assertEqual(f["rx_packets"], f["tx_packets"], f)
        self.assertLess((max(fct.values()) - min(fct.values())) / max(fct.values()), 0.01, fct)
        alone = 300000 / 1458 * 1500 * 8 / 10e9 * 1e9  # ns: one sender at line rate
        self.assertGreater(min(fct.values()), 2.9 * alone, fct)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
        (v1,) = [v for v in switch(r, "leaf1")["cell"]["voqs"] if v["leaf"] == "leaf0"]
        (v2,) = [v for v in switch(r, "leaf2")["cell"]["voqs"] if v["leaf"] == "leaf0"]
        self.assertEqual(v1["out_packets"], 412)
        self.assertEqual(v2["out_packets"], 206)

    def test_incast_voqs_mark_and_trim_instead_of_dropping(self):
        """An 8:1 DCTCP incast with selective repeat into h0 (10G), four
        senders on each of two leaves, 24 KiB VOQs: the VOQs mark CE by
        their depth (the egress port's RED settings) and a full VOQ trims
        (the port's trim.classes) instead of dropping: nothing is dropped
        anywhere, no flow times out, every flow completes, and each trimmed
        packet is retransmitted once (retransmissions = NACKs = trims at the
        VOQs; measured 119 marks, 159 trims). Every trim reached its
        receiver as a valid packet: the receivers' NACK count is the trims'."""
        r, _, _ = run(topo("cell_ecn_incast.yaml"), self.dir)
        self.assert_cells_conserved(r)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
        marked = trimmed = 0
        for name in ("leaf1", "leaf2"):
            c = switch(r, name)["cell"]["counters"]
            self.assertEqual(c["voq_dropped"], 0, c)
            marked += c["voq_ecn_marked"]
            trimmed += c["voq_trimmed"]
            self.assertEqual(sum(v["trimmed"] for v in switch(r, name)["cell"]["voqs"]), c["voq_trimmed"])
        self.assertGreater(marked, 0)
        self.assertGreater(trimmed, 0)
        flows = r["flows"]
        self.assertEqual(len(flows), 8)
        for f in flows:
            self.assertGreaterEqual(f["completion_ns"], 0, f)
            self.assertEqual(f["timeouts"], 0, f)
        self.assertEqual(sum(f["retransmissions"] for f in flows), trimmed)
        self.assertEqual(sum(f["naks"] for f in flows), trimmed)
        self.assertEqual(sum(f["trims"] for f in flows), trimmed)

    def test_speedup_multiplies_the_fabric_link_rate(self):
        """cell: speedup: 1.25 compiles the fabric links (leaf-spine and
        spine-superspine) at 1.25 x their rate and the host links at theirs;
        `topo expand` keeps it (the explicit form compiles the same). On the
        1:1 permutation the cells' headers (30 bytes per 256) then fit: each
        flow finishes within 6 % of its frames at line rate (measured 5.4 %:
        the request-credit round trip and the path), where without
        speedup it takes the cell tax (over 12 % longer)."""
        path = topo("cell_fat_tree.yaml")
        cfg = json.loads(subprocess.run([LOOMCTL, "compile", path], capture_output=True, text=True, check=True).stdout)
        host_rates, fabric_rates = set(), set()
        for sw in cfg["switches"]:
            for p in sw["ports"]:
                (host_rates if "host" in p else fabric_rates).add(p["rate_bps"])
        self.assertEqual(host_rates, {10_000_000_000})
        self.assertEqual(fabric_rates, {12_500_000_000})
        exp = os.path.join(self.dir, "explicit.yaml")
        with open(exp, "w") as f:
            f.write(subprocess.run([LOOMCTL, "topo", "expand", path], capture_output=True, text=True,
                                   check=True).stdout)
        again = json.loads(subprocess.run([LOOMCTL, "compile", exp], capture_output=True, text=True, check=True).stdout)
        self.assertEqual([[p["rate_bps"] for p in sw["ports"]] for sw in cfg["switches"]],
                         [[p["rate_bps"] for p in sw["ports"]] for sw in again["switches"]])
        line = 300000 / 1458 * 1500 * 8 / 10e9 * 1e9  # ns: the flow's frames at 10G
        with open(topo("cell_permutation.yaml")) as f:
            base = f.read()
        r, _, _ = run(base.replace("cell: { voq_bytes: 512KiB }", "cell: { voq_bytes: 512KiB, speedup: 1.25 }"),
                      self.dir, name="speedup.json")
        self.assert_cells_conserved(r)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw)
            for p in sw["ports"]:
                self.assertEqual(p["rate_bps"], 12_500_000_000 if ":" in p["name"] else 10_000_000_000, p)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 300000, f)
            self.assertLess(f["completion_ns"], 1.06 * line, f)
        r, _, _ = run(base, self.dir, name="none.json")
        for f in r["flows"]:
            self.assertGreater(f["completion_ns"], 1.12 * line, f)

    def test_explicit_form_keeps_the_cell_settings(self):
        """`loomctl topo expand` writes mode and cell: compiling the explicit
        form gives the same cell configuration."""
        path = topo("cell_link_down.yaml")
        exp = os.path.join(self.dir, "explicit.yaml")
        with open(exp, "w") as f:
            f.write(subprocess.run([LOOMCTL, "topo", "expand", path], capture_output=True, text=True,
                                   check=True).stdout)
        a = json.loads(subprocess.run([LOOMCTL, "compile", path], capture_output=True, text=True, check=True).stdout)
        b = json.loads(subprocess.run([LOOMCTL, "compile", exp], capture_output=True, text=True, check=True).stdout)
        self.assertEqual(a["cell"], b["cell"])
        # cell: link_down is a fault like any other (docs/FAULTS.md)
        self.assertEqual(a["faults"], b["faults"])
        self.assertEqual(a["faults"], [{"at_ns": 100000, "switch": "leaf0", "port": 2, "action": "down"}])

    def test_spine_link_down_delivery_continues(self):
        """leaf0's link to spine0 goes down at 100 us, every flow sending:
        cells go over spine1 alone for leaf0 (to and from); the few cells
        on their way through the cut are lost, their packets' other cells
        freed by the reassembly timeout (counted); every flow keeps
        receiving after the fault and loses at most a few packets."""
        r, _, _ = run(topo("cell_link_down.yaml"), self.dir)
        self.assert_cells_conserved(r)
        lost = 0
        for f in r["flows"]:
            self.assertGreater(f["last_rx_ns"], 200000, f)  # still receiving well after the fault
            self.assertEqual(f["reordered"], 0, f)
            lost += f["not_received"]
            self.assertLessEqual(f["not_received"], 10, f)
        self.assertGreater(lost, 0)  # the cut did cost something
        self.assertEqual(r["in_flight"], 0)
        leaf0, spine0 = switch(r, "leaf0"), switch(r, "spine0")
        (up0,) = [p for p in leaf0["cell"]["ports"] if p["name"] == "spine0:0"]
        (up1,) = [p for p in leaf0["cell"]["ports"] if p["name"] == "spine1:0"]
        self.assertTrue(up0["down"])
        self.assertFalse(up1["down"])
        self.assertGreater(up1["data_cells_tx"], 2 * up0["data_cells_tx"])
        (down0,) = [p for p in spine0["cell"]["ports"] if p["name"] == "leaf0:2"]
        self.assertTrue(down0["down"])
        self.assertGreater(leaf0["cell"]["reassembly"]["timeouts"], 0)
        self.assertGreater(leaf0["drops"]["cell_reassembly"], 0)
        # what was lost is gone: nothing left queued, no cell held
        for sw in r["switches"]:
            self.assertEqual(sw["queued"], 0)
            self.assertEqual(sw["cell"]["queued"], 0)
        for sw in r["switches"]:
            self.assertEqual(set(k for k, v in sw["drops"].items() if v) - {"cell_unreachable", "cell_reassembly",
                                                                           "link_down"}, set(), sw["drops"])

    def test_capture_of_a_fabric_link_shows_cells(self):
        """cell.capture writes what leaf1's uplink sends as a pcapng file
        (nanosecond virtual time stamps): every frame is a cell (Ethertype
        0x88B5) with the documented header: DATA cells from leaf 1 to leaf 0
        whose payloads are 256 bytes but the last of each packet (1500 B =
        5 x 256 + 220), with first/last flags and consecutive sequence numbers
        (this uplink carries half of them: spraying), and REQUEST cells."""
        from scapy.all import rdpcap  # Debian's scapy (/usr/bin/python3)
        import struct
        cap = os.path.join(self.dir, "leaf1-up.pcap")
        with open(topo("cell_incast.yaml")) as f:
            text = f.read().replace("duration: 2ms", "duration: 300us").replace(
                "mode: cell\n", "mode: cell\ncell: { capture: { link: leaf1:1, file: %s } }\n" % cap)
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        pkts = rdpcap(cap)
        (up,) = [p for p in switch(r, "leaf1")["ports"] if p["index"] == 1]
        self.assertEqual(len(pkts), up["tx_packets"])
        kinds = {1: 0, 2: 0, 3: 0}
        seqs = []
        for p in pkts:
            raw = bytes(p)
            self.assertEqual(struct.unpack("!H", raw[12:14])[0], 0x88B5)
            ver_type, flags, src, dst, port, cls, _, seq, length = struct.unpack("!BBHHHBBIH", raw[14:30])
            self.assertEqual(ver_type >> 4, 1)
            kinds[ver_type & 15] += 1
            if ver_type & 15 == 1:
                self.assertEqual((src, dst, port, cls), (1, 0, 0, 0))
                self.assertEqual(len(raw), 30 + length)
                self.assertEqual(length, 220 if flags & 2 else 256)
                seqs.append(seq)
            else:
                self.assertEqual(flags, 0)
                # a REQUEST carries its VOQ's sources (h1 alone), a CREDIT nothing
                self.assertEqual(length, 1 if ver_type & 15 == 2 else 0)
        self.assertGreater(kinds[1], 100)
        self.assertGreater(kinds[2], 0)   # requests go out toward leaf0
        self.assertEqual(kinds[3], 0)     # leaf1 grants nothing: h1 receives nothing
        self.assertEqual(seqs, sorted(seqs))
        # spraying over two uplinks: this one carries about half the sequence numbers
        span = seqs[-1] - seqs[0] + 1
        self.assertLess(abs(len(seqs) - span / 2), 0.1 * span)
        # time stamps are virtual time, in order, within the run
        times = [float(p.time) for p in pkts]
        self.assertEqual(times, sorted(times))
        self.assertLess(times[-1], 300e-6)

    def test_16mb_flow_delivered_at_95_gbps(self):
        """One 16 MB flow each way between two hosts at 100G, with the
        benchmark's transport, NSCC, trimming and speedup 1.25
        (cell_flow_16m.yaml). The run stops at 1.350 ms of virtual time:
        by then each flow has delivered all of its 16 MB (>= 94.8 Gb/s of
        payload; measured 1.3440-1.3446 ms, 95.2 Gb/s). Without the VOQs'
        requests ahead (loom/cell/voq.h) every packet waited a
        request-credit round trip and the senders stalled on their
        windows: 1.3592-1.3606 ms, not done by 1.350 ms. Nothing dropped,
        trimmed or resent: the credits are the whole rate control here."""
        with open(topo("cell_flow_16m.yaml")) as f:
            text = f.read().replace("duration: 2ms", "duration: 1350us")
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        self.assertEqual(r["time_ns"], 1350000)
        self.assertEqual(len(r["flows"]), 2)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 16000000, f)
            self.assertGreater(f["completion_ns"], 0, f)
            self.assertEqual(f["retransmissions"], 0, f)
            self.assertEqual(f["trims"], 0, f)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw["name"])

    def test_16mb_flow_standing_credit_takes_off_the_first_round_trip(self):
        """The same two 16 MB flows with `standing_credit: 56KiB` (a
        fabric round trip of 100G bytes and a credit: loom/cell/voq.h).
        The first packets and the first ACKs go without waiting for a
        credit, so NSCC's first window is not spent before the first ACK
        and no backlog of that round trip stays in the VOQs: both flows
        are done by 1.340 ms (measured 1.3339 ms, one-way latency at most
        4.87 us against 8.9 without; without standing credit 1.3440-1.3446
        ms, not done by then). Nothing dropped, trimmed or resent."""
        with open(topo("cell_flow_16m.yaml")) as f:
            text = f.read().replace("duration: 2ms", "duration: 1340us").replace(
                "cell: { speedup: 1.25 }", "cell: { speedup: 1.25, standing_credit: 56KiB }")
        self.assertIn("standing_credit", text)
        r, _, _ = run(text, self.dir)
        self.assert_cells_conserved(r)
        for f in r["flows"]:
            self.assertEqual(f["rx_payload_bytes"], 16000000, f)
            self.assertGreater(f["completion_ns"], 0, f)
            self.assertEqual(f["retransmissions"], 0, f)
            self.assertEqual(f["trims"], 0, f)
            self.assertLess(f["latency_max_ns"], 6000, f)
        for sw in r["switches"]:
            self.assertEqual(sw["dropped"], 0, sw["name"])

    def test_same_file_gives_identical_results(self):
        """A cell fabric in virtual time is deterministic: two runs of the
        link-down permutation give byte-identical results."""
        _, _, a = run(topo("cell_link_down.yaml"), self.dir, name="a.json")
        _, _, b = run(topo("cell_link_down.yaml"), self.dir, name="b.json")
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())

    def test_loader_refuses_bad_cell_keys(self):
        """Bad cell settings name file, line and problem."""
        with open(topo("cell_permutation.yaml")) as f:
            base = f.read()
        cases = [
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { spray: random }"), "spray: 'random' must be"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { classes: 2, weights: [1] }"),
             "weights: 1 given for 2 class(es)"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { link_down: [{ link: leaf0:0, at: 1us }] }"),
             "'leaf0:0' is not a fabric link (leaf-spine or spine-superspine)"),
            (base.replace("mode: cell\n", ""), "'cell:' needs 'mode: cell'"),
            (base.replace("mode: cell\n", "mode: cells\n"), "mode: 'cells' must be packet or cell"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { speedup: 0.9 }"),
             "cell: speedup: '0.9' must be a number from 1 to 8"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { speedup: fast }"),
             "cell: speedup: 'fast' must be a number from 1 to 8"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { speedup: 9 }"),
             "cell: speedup: '9' must be a number from 1 to 8"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { standing_credit: 32MiB }"),
             "cell: standing_credit: '32MiB' must be a size in bytes from 0 to 16777216"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { payload: 32 }"), "payload 32 out of range 64..1024"),
            (base.replace("cell: { voq_bytes: 512KiB }", "cell: { payload: 2048 }"), "payload 2048 out of range 64..1024"),
        ]
        for text, msg in cases:
            path = os.path.join(self.dir, "bad.yaml")
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([LOOMCTL, "compile", path], capture_output=True, text=True)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(msg, p.stderr)
            self.assertRegex(p.stderr, r"bad\.yaml:\d+: ")


    def test_cell_fabric_refuses_p4_switches(self):
        """Modes are exclusive: a P4 leaf in a cell fabric is a file:line error."""
        with open(os.path.join(os.path.dirname(__file__), "..", "fabric", "p4-leaves.yaml")) as f:
            text = f.read().replace("fabric: p4mix\n", "fabric: p4mix\nmode: cell\n")
        path = os.path.join(self.dir, "p4cell.yaml")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([LOOMCTL, "compile", path], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"p4cell\.yaml:\d+: mode: cell: switch leaf0 has pipeline: p4")


if __name__ == "__main__":
    unittest.main()
