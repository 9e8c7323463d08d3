"""
Load balancing on one switch (leaf0) through DPDK pcap ports.

The same 2-leaf / 2-spine topology as test_switch_packets.py, with leaf0's
load-balancing mode set in the topology:
  - spray: one UDP flow of 1000 packets leaves exactly 500 / 500 by the
    two uplinks (round robin); loomd's per-member counters say the same,
    and the group's imbalance is 1.0 (max/mean);
  - ecmp: the same flow leaves by one uplink only; imbalance 2.0;
  - spray_weighted with uplinks of 10G and 40G: 200 / 800;
  - reordering at the host port: UDP (iperf3 counter), TCP (sequence
    numbers) and RoCEv2 (PSN) packets fed from a spine out of order are
    counted with their distances; in-order flows count 0;
  - the IPv6 flow label (load_balancing.hash_flow_label): 64 packets of
    one UDP flow with 64 flow labels leave by one uplink without the
    option, and by the uplink the switch's own hash (tests/lb_flow_member)
    predicts for each label with it, both uplinks used;
  - a runtime `lb_set` to an unknown or reserved mode, or to conga on a
    fabric loaded without CONGA's overlay, is refused with a message and
    changes nothing; a switch alone with conga is refused at load;
  - conservation holds in every run.

Run with Debian's /usr/bin/python3 (scapy) as root: tests/packet/run.sh
"""
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402

from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
import subprocess  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.contrib.roce import BTH  # noqa: E402

SWITCH = "leaf0"
HOST_PORT, H1_PORT, UP0, UP1 = 0, 1, 2, 3
PORTS = (HOST_PORT, H1_PORT, UP0, UP1)


def topology(run, lb, up1_rate="10G"):
    """leaf0's groups over spine0 (port 2) and spine1 (port 3, at up1_rate)."""
    return H.leaf_pair_topology(run, "lbpkt", leaf0="options:\n  load_balancing: %s" % lb, leaf0_v6=False,
                                leaf1_v6=False, port_keys={3: "rate: %s" % up1_rate})


def port_mac(cfg, port):
    return H.port_mac(cfg, SWITCH, port)


H0_MAC = "02:48:00:00:00:00"


def one_flow(cfg, n):
    mac = port_mac(cfg, HOST_PORT)
    return [bytes(Ether(src=H0_MAC, dst=mac) / IP(src="10.0.0.2", dst="10.0.1.2") /
                  UDP(sport=40000, dport=5201) / Raw(struct.pack("!III", 0, 0, i) + b"x" * 50))
            for i in range(n)]


def from_spine(cfg, port, l4, payload=b""):
    return bytes(Ether(src="02:4c:00:00:00:00", dst=port_mac(cfg, port)) /
                 IP(src="10.0.1.2", dst="10.0.0.2", ttl=63) / l4 / Raw(payload))


def lb_of(stats):
    return stats["load_balancing"]


def uplink_group(stats):
    gs = [g for g in lb_of(stats)["groups"] if sorted(m["port"] for m in g["members"]) == [UP0, UP1]]
    assert len(gs) >= 1, "no group over both uplinks in %r" % (lb_of(stats),)
    return gs[0]


class LbRun(unittest.TestCase):
    def run_switch(self, lb, inputs_fn, up1_rate="10G", extra=None):
        run = H.SwitchRun(prefix="loom-lbpkt-")
        self.addCleanup(run.cleanup)
        # compile once to learn the MACs, then feed
        import tempfile
        topo_path = run.path("topo0.yaml")
        with open(topo_path, "w") as f:
            f.write(topology(run, lb, up1_rate))
        _, cfg = H.compile_config(topo_path, SWITCH)
        inputs = inputs_fn(cfg)
        out = run.run(topology(run, lb, up1_rate), SWITCH, inputs)
        st = run.stats
        self.assertTrue(st["conserved"], "conservation broken: %r" % (st,))
        return out, st

    def test_spray_exactly_even(self):
        out, st = self.run_switch("spray", lambda cfg: {0: one_flow(cfg, 1000), 1: [], 2: [], 3: []})
        self.assertEqual((len(out[UP0]), len(out[UP1])), (500, 500))
        g = uplink_group(st)
        self.assertEqual(g["mode"], "spray")
        self.assertEqual(sorted(m["packets"] for m in g["members"]), [500, 500])
        self.assertAlmostEqual(g["imbalance"]["max_over_mean"], 1.0, places=6)
        self.assertEqual(lb_of(st)["mode"], "spray")

    def test_ecmp_one_uplink(self):
        out, st = self.run_switch("ecmp", lambda cfg: {0: one_flow(cfg, 1000), 1: [], 2: [], 3: []})
        self.assertEqual(sorted((len(out[UP0]), len(out[UP1]))), [0, 1000])
        g = uplink_group(st)
        self.assertAlmostEqual(g["imbalance"]["max_over_mean"], 2.0, places=6)
        self.assertAlmostEqual(g["imbalance"]["cv"], 1.0, places=6)

    def test_spray_weighted_by_rate(self):
        out, st = self.run_switch("spray_weighted", lambda cfg: {0: one_flow(cfg, 1000), 1: [], 2: [], 3: []},
                                  up1_rate="40G")
        self.assertEqual((len(out[UP0]), len(out[UP1])), (200, 800))

    def test_reorder_counted_at_host_port(self):
        def inputs(cfg):
            f = []
            # UDP with iperf3's counter: 0 1 3 4 2 5 -> one late packet, distance 2
            for s in (0, 1, 3, 4, 2, 5):
                f.append(from_spine(cfg, UP0, UDP(sport=5201, dport=40001), struct.pack("!III", 0, 0, s) + b"u" * 20))
            # an in-order UDP flow: nothing
            for s in range(10):
                f.append(from_spine(cfg, UP0, UDP(sport=5202, dport=40002), struct.pack("!III", 0, 0, s) + b"u" * 20))
            # TCP, 100-byte segments: 0 200 100 300 -> one late, distance 1; a pure ACK is ignored
            for s in (0, 200, 100, 300):
                f.append(from_spine(cfg, UP1, TCP(sport=80, dport=40003, seq=1000 + s, flags="A"), b"t" * 100))
            f.append(from_spine(cfg, UP1, TCP(sport=80, dport=40003, seq=1000, flags="A")))
            # RoCEv2: PSN 10 11 14 12 13 -> two late (distances 2 and 1)
            for psn in (10, 11, 14, 12, 13):
                f.append(from_spine(cfg, UP1, UDP(sport=49152, dport=4791) / BTH(opcode=4, dqpn=7, psn=psn), b"r" * 16))
            return {0: [], 1: [], 2: [x for x in f if True][:16], 3: f[16:]}
        out, st = self.run_switch("ecmp", inputs)
        self.assertEqual(len(out[HOST_PORT]), 26)
        ro = {r["port"]: r for r in lb_of(st)["reorder"]}
        self.assertEqual(sorted(ro), [HOST_PORT, H1_PORT])  # host-facing leaf ports only
        r = ro[HOST_PORT]
        self.assertEqual(r["out_of_order"], 4, r)
        self.assertEqual(r["packets"], 25, r)  # the pure ACK carries no sequence
        self.assertEqual(r["flows"], 4, r)
        self.assertEqual(r["distance"]["1"], 2, r)   # TCP, RoCE 13
        self.assertEqual(r["distance"]["2-3"], 2, r)  # UDP, RoCE 12
        self.assertEqual(ro[H1_PORT]["packets"], 0)


class FlowLabelHash(unittest.TestCase):
    """The flow label as part of leaf0's flow hash, or not (the default)."""
    SRC, DST, SPORT, DPORT = "fd00::2", "fd00:0:0:1::2", 40000, 5201

    def flows(self, cfg):
        mac = port_mac(cfg, HOST_PORT)
        return [bytes(Ether(src=H0_MAC, dst=mac) / IPv6(src=self.SRC, dst=self.DST, fl=0x1000 + 7919 * i) /
                      UDP(sport=self.SPORT, dport=self.DPORT) / Raw(b"x" * 40)) for i in range(64)]

    def run_leaf(self, lb):
        run = H.SwitchRun(prefix="loom-lbpkt-")
        self.addCleanup(run.cleanup)
        text = H.leaf_pair_topology(run, "lbfl", leaf0="options:\n  load_balancing: %s" % lb)
        topo_path = run.path("topo0.yaml")
        with open(topo_path, "w") as f:
            f.write(text)
        _, cfg = H.compile_config(topo_path, SWITCH)
        frames = self.flows(cfg)
        out = run.run(text, SWITCH, {0: frames, 1: [], 2: [], 3: []})
        self.assertTrue(run.stats["conserved"], run.stats)
        seed = next(s for s in cfg["switches"] if s["name"] == SWITCH)["hash_seed"]
        return frames, out, seed, uplink_group(run.stats)

    def test_label_ignored_by_default(self):
        frames, out, _, _ = self.run_leaf("ecmp")
        self.assertEqual(sorted((len(out[UP0]), len(out[UP1]))), [0, len(frames)])

    def test_label_hashed_when_asked(self):
        frames, out, seed, g = self.run_leaf("{mode: ecmp, hash_flow_label: true}")
        member_port = [m["port"] for m in g["members"]]
        want = {UP0: [], UP1: []}
        for f in frames:
            fl = IPv6(bytes(Ether(f).payload)).fl
            m = subprocess.run([H.tool("tests/lb_flow_member"), str(seed), "2", self.SRC, self.DST, "17",
                                str(self.SPORT), str(self.DPORT), str(fl)], capture_output=True, text=True,
                               check=True).stdout.strip()
            want[member_port[int(m)]].append(fl)
        got = {p: [IPv6(bytes(Ether(x).payload)).fl for x in out[p]] for p in (UP0, UP1)}
        self.assertEqual(got, want)
        self.assertTrue(got[UP0] and got[UP1], got)


class LbControl(unittest.TestCase):
    def test_conga_alone_refused_at_load(self):
        """leaf0 alone in a loomd (its uplinks are DPDK ports) cannot number
        the fabric's leaves: conga is refused at load, naming why."""
        run = H.SwitchRun(prefix="loom-lbconga-")
        self.addCleanup(run.cleanup)
        cfg_path, _ = run.write_config(topology(run, "conga"), SWITCH)
        p = subprocess.run([H.tool("dataplane/loomd"), "--config", cfg_path, "--check-config"], cwd=run.tmp,
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0, p.stdout[-500:])
        self.assertIn("conga needs the whole fabric in one loomd", p.stderr)

    def test_bad_modes_refused_and_nothing_changes(self):
        run = H.SwitchRun(prefix="loom-lbctl-")
        self.addCleanup(run.cleanup)
        cfg_path, _ = run.write_config(topology(run, "flowlet"), SWITCH)
        for p in PORTS:
            H.write_pcap(run.in_pcap(p), [])
        run.loomd = H.Loomd(cfg_path, run.tmp)
        run.loomd.start()
        lb = run.loomd.request
        for req, msg in (({"cmd": "lb_set", "mode": "cell"}, "reserved"),
                         ({"cmd": "lb_set", "mode": "nope"}, "unknown load-balancing mode"),
                         ({"cmd": "lb_set", "mode": "conga"}, "conga needs the fabric loaded with"),
                         ({"cmd": "lb_set", "mode": "conga_packet", "switch": SWITCH}, "overlay between leaves"),
                         ({"cmd": "lb_set"}, "needs \"mode\""),
                         ({"cmd": "lb_set", "mode": "\u00e9" * 40}, "too long"),
                         ({"cmd": "lb_set", "mode": "spray", "switch": "leaf9"}, "no such switch"),
                         ({"cmd": "lb_set", "mode": "spray", "group": 0}, "needs \"switch\""),
                         ({"cmd": "lb_set", "mode": "spray", "switch": SWITCH, "group": 999}, "no such group"),
                         ({"cmd": "lb_set", "mode": "flowlet", "idle_time_ns": -5}, "idle_time_ns"),
                         ({"cmd": "lb_set", "mode": "flowlet", "idle_time_ns": 11 * 10**9}, "idle_time_ns"),
                         ({"cmd": "lb_set", "mode": "flowlet", "idle_time_ns": "1us"}, "idle_time_ns"),
                         ({"cmd": "lb_set", "mode": "flowlet", "placement": "nope"}, "queue or band"),
                         ({"cmd": "lb_set", "mode": "flowlet", "placement": 3}, "queue or band"),
                         ({"cmd": "lb_set", "mode": "flowlet", "switch": SWITCH, "group": 0, "idle_time_ns": 1000},
                          "not with \"group\"")):
            r = lb(req)
            self.assertFalse(r["ok"], req)
            self.assertIn(msg, r["error"])
        r = lb({"cmd": "lb", "switch": SWITCH})
        self.assertTrue(r["ok"], r)
        sw = r["result"]["switches"][0]
        self.assertEqual(sw["mode"], "flowlet")
        self.assertTrue(all(g["mode"] == "flowlet" for g in sw["groups"]))
        # SAI's defaults, untouched by the refused requests
        self.assertEqual(sw["flowlet"], {"idle_time_ns": 256000, "placement": "queue", "table": 512})
        # the flowlet parameters at run time; a later request changes only what it names
        ok = lb({"cmd": "lb_set", "mode": "flowlet", "switch": SWITCH, "idle_time_ns": 40000, "placement": "band"})
        self.assertTrue(ok["ok"], ok)
        self.assertGreaterEqual(ok["result"]["groups_changed"], 1)
        sw = lb({"cmd": "lb", "switch": SWITCH})["result"]["switches"][0]
        self.assertEqual(sw["flowlet"], {"idle_time_ns": 40000, "placement": "band", "table": 512})
        self.assertTrue(all(g["mode"] == "flowlet" for g in sw["groups"]))
        ok = lb({"cmd": "lb_set", "mode": "flowlet", "switch": SWITCH, "placement": "queue"})
        self.assertTrue(ok["ok"], ok)
        sw = lb({"cmd": "lb", "switch": SWITCH})["result"]["switches"][0]
        self.assertEqual(sw["flowlet"], {"idle_time_ns": 40000, "placement": "queue", "table": 512})
        self.assertIn("drill", [p["name"] for p in r["result"]["policies"]])
        # a good change, then one group back
        r = lb({"cmd": "lb_set", "mode": "drill", "switch": SWITCH})
        self.assertTrue(r["ok"], r)
        self.assertGreaterEqual(r["result"]["groups_changed"], 1)
        g0 = lb({"cmd": "lb", "switch": SWITCH})["result"]["switches"][0]["groups"][0]["group"]
        self.assertTrue(lb({"cmd": "lb_set", "mode": "ecmp", "switch": SWITCH, "group": g0})["ok"])
        sw = lb({"cmd": "lb", "switch": SWITCH})["result"]["switches"][0]
        self.assertEqual(sw["mode"], "drill")
        self.assertEqual({g["group"]: g["mode"] for g in sw["groups"]}[g0], "ecmp")
        run.loomd.shutdown()


if __name__ == "__main__":
    unittest.main(verbosity=2)
