"""End to end: endpoint-scheduled hosts (docs/ENDPOINTS.md). The eBPF
programs on namespace hosts, attached by `loomctl endpoint set`, on a
fabric of 2 leaves and 2 spines whose switches hash the IPv6 flow label
(tests/fabric/endpoint.yaml).

  - measurement: a known scapy sequence (in order, swapped, gaps, a pure
    ACK, RoCEv2 PSNs, iperf3-style UDP with timestamps) gives exactly the
    expected per-flow and total counts at the receiver;
  - four iperf3 TCP flows over IPv6 h0/h1 -> h2/h3 whose client ports
    (--cport, net.ipv6.auto_flowlabels off) ECMP puts on one uplink of
    leaf0: without programs one uplink carries them all; with per-packet
    entropy both do, and the receivers' reorder counts equal leaf1's own
    at the same hosts' ports (nothing dropped in between); with flowlets,
    the entropy changes far less often than per packet, both uplinks carry
    traffic, less is reordered, and no packet arrives late behind a packet
    of its own flowlet (same flow label) unless TCP sent it again
    (late_same_entropy <= iperf3's retransmits);
  - repathing: one flow on the uplink whose queue marks CE on every
    packet (TCP with ECN) moves to the other uplink;
  - bad input: unknown host, unknown mode, a generator host in a
    topology: a clear error, nothing changed.
Numbers are printed for the report."""
import ipaddress
import json
import os
import subprocess
import tempfile
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "endpoint.yaml")
FLOW_MEMBER = os.path.join(fx.BUILD, "tests", "lb_flow_member")
SECONDS = 4
NAMED_UDP = 5999


def ep_show(host):
    return json.loads(fx.loomctl("endpoint", "show", host, "--json").stdout)


def lb_show():
    return json.loads(fx.loomctl("lb", "show", "--json").stdout)


def counter(shown, side, key):
    """A figure of `endpoint show --json`; 0 when the host has no programs."""
    return shown.get(side, {}).get(key, 0)


def status():
    return json.loads(fx.loomctl("status", "--json").stdout)


SCAPY_SEQUENCE = r'''
import struct, sys, time
from scapy.all import IPv6, TCP, UDP, Raw, send, conf
from scapy.contrib.roce import BTH
conf.verb = 0
dst = sys.argv[1]
pkts = []
def tcp(sport, seq, n=100, fl=0):
    return IPv6(dst=dst, fl=fl) / TCP(sport=sport, dport=9, seq=1000 + seq, flags="PA") / Raw(b"t" * n)
for s in (0, 100, 200, 300): pkts.append(tcp(61001, s))          # in order
pkts.append(IPv6(dst=dst) / TCP(sport=61001, dport=9, seq=1400, flags="A"))  # pure ACK: not counted
for s in (0, 200, 100, 300): pkts.append(tcp(61002, s))          # swapped: 1 late, distance 1
for s in (0, 300, 100, 200): pkts.append(tcp(61003, s))          # 2 late: distances 2, 1
for s in (0, 200, 500): pkts.append(tcp(61004, s))               # gaps: in order
for s, fl in ((0, 1), (200, 2), (100, 2)): pkts.append(tcp(61005, s, fl=fl))  # late within flowlet 2
for s, fl in ((0, 1), (200, 2), (100, 1)): pkts.append(tcp(61006, s, fl=fl))  # late, from flowlet 1
for psn in (10, 11, 14, 12, 13):                                 # RoCEv2: 2 late, distances 2, 1
    pkts.append(IPv6(dst=dst) / UDP(sport=49152, dport=4791) / BTH(opcode=4, dqpn=7, psn=psn) / Raw(b"r" * 16))
for seq in (1, 2, 3):                                            # iperf3-style UDP: sec, usec, counter
    now = time.time()
    pkts.append(IPv6(dst=dst) / UDP(sport=40000, dport=%d) /
                Raw(struct.pack("!III", int(now), int((now %% 1) * 1e6), seq) + b"u" * 20))
for p in pkts:
    if UDP in p and p[UDP].dport == %d:   # stamp when sent
        now = time.time()
        p[Raw].load = struct.pack("!II", int(now), int((now %% 1) * 1e6)) + p[Raw].load[8:]
    send(p)
    time.sleep(0.01)
''' % (NAMED_UDP, NAMED_UDP)


class EndpointFabric(fx.FabricUp):
    TOPO = TOPO

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.h = {h[0]: h for h in cls.hosts}
        for host in ("h0", "h1", "h2", "h3"):
            fx.in_host(host, "sysctl", "-qw", "net.ipv6.auto_flowlabels=0", "net.ipv4.tcp_ecn=1")
        cls.seed = next(s["hash_seed"] for s in status()["switches"] if s["name"] == "leaf0")
        routes = json.loads(fx.loomctl("routes", "leaf0", "--json").stdout)
        h2 = ipaddress.ip_address(cls.h["h2"][3])
        cls.group = next(r["group"] for r in routes["routes"]
                         if ":" in r["prefix"] and h2 in ipaddress.ip_network(r["prefix"]))
        assert len(routes["groups"][cls.group]) == 2, routes
        # four flows h0/h1 -> h2/h3 whose client ports ECMP maps to member 0 (flow label 0)
        cls.flows = []
        cport = 42000
        for i, (src, dst) in enumerate((("h0", "h2"), ("h0", "h3"), ("h1", "h2"), ("h1", "h3"))):
            dport = 5301 + i
            while True:
                cport += 1
                if cls.member(src, dst, cport, dport) == 0:
                    break
            cls.flows.append((src, dst, cport, dport))
        cls.results = {}

    @classmethod
    def member(cls, src, dst, sport, dport, label=0):
        return int(subprocess.run([FLOW_MEMBER, str(cls.seed), "2", cls.h[src][3], cls.h[dst][3], "6", str(sport),
                                   str(dport), str(label)], capture_output=True, text=True,
                                  check=True).stdout.strip())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.results:
            print("\nendpoint load balancing, %d iperf3 TCP flows over IPv6 leaf0 -> leaf1, %d s each:"
                  % (len(cls.flows), SECONDS))
            print("  %-8s %-7s %-22s %-24s %-10s %-18s %-8s %s" % (
                "mode", "Gb/s", "uplink bytes", "host reordered/measured", "leaf1 ooo", "same-flowlet late",
                "retrans", "entropy changes / repaths"))
            for mode, r in cls.results.items():
                print("  %-8s %-7.3f %-22s %-24s %-10s %-18s %-8s %s" % (
                    mode, r["gbps"], "%d/%d" % tuple(r["per_member"]), "%d/%d" % (r["host_ooo"], r["host_measured"]),
                    r["leaf_ooo"], r["late_same_entropy"], r["retransmits"], "%d / %d" % (r["changes"], r["repaths"])))

    def group_members(self, lb):
        sw = next(s for s in lb["switches"] if s["switch"] == "leaf0")
        return next(g for g in sw["groups"] if g["group"] == self.group)["members"]

    def leaf1_reorder(self, lb):
        sw = next(s for s in lb["switches"] if s["switch"] == "leaf1")
        return {r["port"]: r for r in sw["reorder"]}

    def snapshot(self, senders, receivers):
        return {"lb": lb_show(), "stats": fx.stats(),
                "ep": {h: ep_show(h) for h in senders + receivers}}

    def run_flows(self, flows, seconds):
        for src, dst, cport, dport in flows:
            fx.in_host(dst, "iperf3", "-s", "-1", "-D", "-p", str(dport))
        time.sleep(0.3)
        procs = [subprocess.Popen(["ip", "netns", "exec", "loom-" + src, "iperf3", "-6", "-c", self.h[dst][3], "-t",
                                   str(seconds), "-p", str(dport), "--cport", str(cport), "-J"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for src, dst, cport, dport in flows]
        gbps = 0.0
        self.retransmits = 0
        for p in procs:
            o, e = p.communicate(timeout=seconds + 30)
            self.assertEqual(p.returncode, 0, "iperf3 failed: %s %s" % (o[-500:], e[-500:]))
            res = json.loads(o)
            self.assertNotIn("error", res, res.get("error"))
            gbps += res["end"]["sum_received"]["bits_per_second"] / 1e9
            self.retransmits += res["end"]["sum_sent"].get("retransmits", 0)
        time.sleep(0.3)
        return gbps

    def measure(self, mode, flows=None, **opts):
        flows = flows or self.flows
        senders = sorted({f[0] for f in flows})
        receivers = sorted({f[1] for f in flows})
        for s in senders:
            args = ["endpoint", "set", s, "--lb", mode]
            for k, v in opts.items():
                args += ["--" + k.replace("_", "-"), str(v)]
            fx.loomctl(*args)
        for r in receivers:
            fx.loomctl("endpoint", "set", r, "--measure", "on")
        before = self.snapshot(senders, receivers)
        gbps = self.run_flows(flows, SECONDS)
        after = self.snapshot(senders, receivers)
        self.assertEqual(fx.conservation_errors(after["stats"]), [])
        per_member = [b["bytes"] - a["bytes"] for a, b in zip(self.group_members(before["lb"]),
                                                              self.group_members(after["lb"]))]
        host_ooo = sum(counter(after["ep"][r], "receiver", "out_of_order") -
                       counter(before["ep"][r], "receiver", "out_of_order") for r in receivers)
        host_measured = sum(counter(after["ep"][r], "receiver", "measured") -
                            counter(before["ep"][r], "receiver", "measured") for r in receivers)
        late_same = sum(counter(after["ep"][r], "receiver", "late_same_entropy") -
                        counter(before["ep"][r], "receiver", "late_same_entropy") for r in receivers)
        host_dist = [sum(after["ep"][r]["receiver"]["distance"][i] - before["ep"][r]["receiver"]["distance"][i]
                         for r in receivers) for i in range(8)]
        ports = [int(self.h[r][0][1:]) % 2 for r in receivers]  # h2 on leaf1 port 0, h3 on port 1
        ro0, ro1 = self.leaf1_reorder(before["lb"]), self.leaf1_reorder(after["lb"])
        leaf_ooo = sum(ro1[p]["out_of_order"] - ro0[p]["out_of_order"] for p in ports)
        leaf_pkts = sum(ro1[p]["packets"] - ro0[p]["packets"] for p in ports)
        # what leaf1 dropped on the way out to those hosts (after it measured)
        l0, l1 = fx.switch(before["stats"], "leaf1"), fx.switch(after["stats"], "leaf1")
        dropped = sum(sum(fx.port(l1, p)["drops"].values()) - sum(fx.port(l0, p)["drops"].values()) for p in ports)
        changes = sum(counter(after["ep"][s], "sender", "entropy_changes") -
                      counter(before["ep"][s], "sender", "entropy_changes") for s in senders)
        repaths = sum(counter(after["ep"][s], "sender", "repaths") - counter(before["ep"][s], "sender", "repaths")
                      for s in senders)
        r = {"gbps": gbps, "per_member": per_member, "host_ooo": host_ooo, "host_measured": host_measured,
             "host_dist": host_dist, "late_same_entropy": late_same, "retransmits": self.retransmits, "leaf_ooo": leaf_ooo, "leaf_packets": leaf_pkts, "dropped": dropped,
             "changes": changes, "repaths": repaths}
        self.results[mode if mode != "off" else "ecmp"] = r
        self.assertGreater(host_measured, 1000, r)
        return r

    def test_0_measurement_exact(self):
        fx.loomctl("endpoint", "set", "h2", "--measure", "on", "--udp-ports", str(NAMED_UDP))
        before = ep_show("h2")["receiver"]
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(SCAPY_SEQUENCE)
        self.addCleanup(os.unlink, f.name)
        fx.in_host("h0", "ping", "-6", "-c", "1", "-W", "2", self.h["h2"][3], check=False)
        fx.in_host("h0", "/usr/bin/python3", f.name, self.h["h2"][3], timeout=120)
        time.sleep(0.3)
        shown = ep_show("h2")
        after = shown["receiver"]
        d = {k: after[k] - before[k] for k in ("measured", "out_of_order", "latency_n", "late_same_entropy")}
        # label 0 everywhere but 61005/61006: every late packet but 61006's is behind its own label
        self.assertEqual(d, {"measured": 29, "out_of_order": 7, "latency_n": 3, "late_same_entropy": 6},
                         (before, after))
        self.assertEqual([a - b for a, b in zip(after["distance"], before["distance"])], [5, 2, 0, 0, 0, 0, 0, 0])
        flows = {(f["proto"], f["sport"], f["qp"]): f for f in shown["rx_flows"]}
        want = {(6, 61001, 0): (4, 0, [0, 0]), (6, 61002, 0): (4, 1, [1, 0]), (6, 61003, 0): (4, 2, [1, 1]),
                (6, 61004, 0): (3, 0, [0, 0]), (6, 61005, 0): (3, 1, [1, 0]), (6, 61006, 0): (3, 1, [1, 0]),
                (17, 0, 7): (5, 2, [1, 1]), (17, 40000, 0): (3, 0, [0, 0])}
        for k, (pkts, ooo, dist) in want.items():
            self.assertIn(k, flows, shown["rx_flows"])
            self.assertEqual((flows[k]["packets"], flows[k]["out_of_order"], flows[k]["distance"][:2]),
                             (pkts, ooo, dist), flows[k])
        self.assertEqual((flows[(6, 61005, 0)]["late_same_entropy"], flows[(6, 61006, 0)]["late_same_entropy"]),
                         (1, 0))
        lat = flows[(17, 40000, 0)]["latency_ns"]
        self.assertTrue(0 < lat["min"] <= lat["max"] < 1e9, lat)
        fx.loomctl("endpoint", "set", "h2", "--udp-ports", "none")

    def test_1_ecmp_one_uplink(self):
        for host in ("h0", "h1"):
            fx.loomctl("endpoint", "set", host, "--lb", "off", "--measure", "off")
        r = self.measure("off")
        self.assertLess(min(r["per_member"]), 0.01 * sum(r["per_member"]), r)
        self.assertEqual(r["per_member"][0], max(r["per_member"]), r)

    def test_2_packet_spraying(self):
        r = self.measure("packet")
        self.assertGreater(min(r["per_member"]), 0.2 * sum(r["per_member"]), r)
        self.assertGreater(r["host_ooo"], 0, r)
        if r["dropped"] == 0:
            self.assertEqual(r["host_ooo"], r["leaf_ooo"], r)
        else:  # a packet lost after leaf1 measured it can only hide reordering
            self.assertLessEqual(r["host_ooo"], r["leaf_ooo"], r)

    def test_3_flowlets(self):
        packet = self.results.get("packet") or self.measure("packet")
        r = self.measure("flowlet", flowlet_gap_us=200)
        # flowlets, not packets: the entropy changes at idle gaps only
        self.assertGreater(r["changes"], 0, r)
        self.assertLess(r["changes"] * 10, r["host_measured"], r)
        self.assertGreater(min(r["per_member"]), 0.05 * sum(r["per_member"]), r)
        # order is kept within flowlets: a packet arrives late behind one of
        # its own flowlet (same flow label) only if TCP sent it again; the
        # rest of the reordering is at flowlet boundaries
        self.assertLessEqual(r["late_same_entropy"], r["retransmits"], r)
        self.assertLess(r["host_ooo"], packet["host_ooo"], (r, packet))

    def test_4_repath_on_congestion(self):
        members = self.group_members(lb_show())
        marked_port = members[0]["port"]
        # a slow uplink whose queue marks CE from its first byte: congestion on that path only
        port = "leaf0:%d" % marked_port
        fx.loomctl("tm", "set", port, "rate", "300M")
        fx.loomctl("tm", "set", port, "ecn.k", "1B")
        fx.loomctl("tm", "set", port, "ecn", "step")
        self.addCleanup(fx.loomctl, "tm", "set", port, "rate", "10G", check=False)
        self.addCleanup(fx.loomctl, "tm", "set", port, "ecn", "dctcp", check=False)
        flow = [self.flows[0]]  # on member 0 by ECMP (flow label 0)
        r = self.measure("repath", flows=flow, round_us=200, rounds=2)
        self.assertGreater(r["repaths"], 0, r)
        # it moved, and stays where nothing marks it
        self.assertGreater(r["per_member"][1], r["per_member"][0], r)

    def test_5_bad_input(self):
        before = ep_show("h0")
        p = fx.loomctl("endpoint", "set", "h0", "--lb", "sideways", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown load-balancing mode 'sideways'", p.stderr)
        p = fx.loomctl("endpoint", "set", "h0", "--rounds", "0", check=False)
        self.assertNotEqual(p.returncode, 0)
        after = ep_show("h0")
        for k in ("attached", "lb", "measure", "round_ns", "repath_rounds"):
            self.assertEqual(before.get(k), after.get(k), k)
        p = fx.loomctl("endpoint", "set", "nosuch", "--lb", "packet", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no namespace or VM host 'nosuch'", p.stderr)
        p = fx.loomctl("endpoint", "show", "leaf0", check=False)
        self.assertEqual(p.returncode, 1)

    def test_6_stats_show_endpoints(self):
        fx.loomctl("endpoint", "set", "h3", "--measure", "on")
        st = fx.stats()
        self.assertIn("h3", st.get("endpoints", {}), list(st))
        self.assertTrue(st["endpoints"]["h3"]["measure"])
        text = fx.loomctl("stats").stdout
        self.assertIn("h3: lb", text)


class EndpointTopology(unittest.TestCase):
    """`endpoint:` in a topology (no fabric)."""

    def check(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        return fx.loomctl("topo", "expand", f.name, check=False)

    BASE = ("fabric: ep\nswitches:\n  - name: leaf0\n    role: leaf\n    ipv4: 10.0.0.0/24\n"
            "hosts:\n  - name: h0\n%s\nlinks:\n  - a: h0\n    b: leaf0:0\n")

    def test_round_trip(self):
        p = self.check(self.BASE % "    endpoint: { lb: flowlet, measure: true, flowlet_gap: 80us, udp_ports: [4791, 5201] }")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("endpoint:\n      lb: flowlet\n      measure: true\n      flowlet_gap: 80us\n"
                      "      udp_ports: [4791, 5201]", p.stdout)

    def test_bad_mode_and_generator_host(self):
        p = self.check(self.BASE % "    endpoint: { lb: sideways }")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown endpoint lb 'sideways'", p.stderr)
        self.assertIn(":8:", p.stderr)
        p = self.check(self.BASE % "    port_type: generator\n    endpoint: { lb: packet }")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("namespace and VM hosts only (host h0 is a generator host", p.stderr)
        self.assertIn(":9:", p.stderr)
        # a VM host's programs are loaded inside its guest (tests/vm/test_vm_fabric.py)
        p = self.check(self.BASE % "    port_type: vm\n    endpoint: { lb: packet }")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("endpoint:\n      lb: packet", p.stdout)


if __name__ == "__main__":
    unittest.main()
