"""trace: and capture: in a virtual-time file (docs/TRACE.md): the trace
in the results, hop by hop with virtual times; captures as pcapng with
virtual time stamps holding exactly what crossed the port (its counters);
the same file twice gives the same trace and byte-identical captures; bad
keys are refused naming file and line, or the key.
"""
import json
import os
import shutil
import subprocess
import unittest

from vt_case import VirtualCase
from test_virtual import LOOMCTL, run, topo

TOPO = topo("trace.yaml")


def frames(path):
    from scapy.layers.inet import IP  # noqa: F401  (registers the layers: linktype 1 decodes as Ether/IP)
    from scapy.layers.l2 import Ether  # noqa: F401
    from scapy.utils import rdpcap
    return list(rdpcap(path))


class TraceVirtual(VirtualCase):
    TMP_PREFIX = "loom-vt-trace-"

    def run_in(self, d):
        os.makedirs(d, exist_ok=True)
        shutil.copy(TOPO, os.path.join(d, "trace.yaml"))
        cwd = os.getcwd()
        os.chdir(d)
        try:
            r, _, _ = run(os.path.join(d, "trace.yaml"), d)
        finally:
            os.chdir(cwd)
        return r

    def test_trace_and_captures_in_the_results(self):
        r = self.run_in(os.path.join(self.dir, "a"))
        t = r["trace"]
        self.assertEqual((t["switch"], t["port"], t["traced"]), ("leaf0", 0, 3))
        for p in t["packets"]:
            self.assertEqual((p["src"], p["proto"], p["end"]), ("10.0.0.2", 17, "delivered"), p)
            rx = [e for e in p["events"] if e["stage"] == "rx"]
            self.assertEqual([e["switch"][:4] for e in rx], ["leaf", "spin", "leaf"])
            self.assertEqual([e["ttl"] for e in rx], [64, 63, 62])
            # virtual time: each hop 1500 B at 10G (1.2 us) + 1 us of delay later
            self.assertEqual([b["t_ns"] - a["t_ns"] for a, b in zip(rx, rx[1:])], [2200, 2200])
        caps = {c["file"]: c for c in r["captures"]}
        s0 = frames(os.path.join(self.dir, "a", "spine0-leaf0.pcapng"))
        port = next(p for p in next(s for s in r["switches"] if s["name"] == "spine0")["ports"]
                    if p["index"] == 0)
        self.assertEqual(len(s0), caps["spine0-leaf0.pcapng"]["frames"])
        self.assertEqual(len(s0), port["rx_packets"] + port["tx_packets"])
        self.assertTrue(all(0 < float(f.time) <= 50e-6 for f in s0), [float(f.time) for f in s0[:3]])
        h0 = frames(os.path.join(self.dir, "a", "h0.pcapng"))
        self.assertEqual(len(h0), 5)
        self.assertTrue(all(f["IP"].src == "10.0.0.2" for f in h0))

    def test_captures_name_their_switch_by_topology_id(self):
        """A switch's topology id is its index in loomd's fabric only when
        loomd runs all of it (`--only`: other indices). A capture names its
        switch by id, as the worker compares it; it was given the index, and
        captured nothing where the two differ (the trace's mistake, mended
        earlier). The compiled file with every id moved by 10: the same
        frames are captured."""
        d = os.path.join(self.dir, "ids")
        os.makedirs(d)
        p = subprocess.run([LOOMCTL, "compile", TOPO], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        cfg = json.loads(p.stdout)
        for sw in cfg["switches"]:
            sw["id"] += 10
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f)
        loomd = os.path.join(os.path.dirname(os.path.dirname(LOOMCTL)), "dataplane", "loomd")
        p = subprocess.run([loomd, "--config", "config.json", "--results", "results.json"], cwd=d,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(d, "results.json")) as f:
            r = json.load(f)
        caps = {c["file"]: c for c in r["captures"]}
        port = next(p for p in next(s for s in r["switches"] if s["name"] == "spine0")["ports"]
                    if p["index"] == 0)
        self.assertGreater(port["rx_packets"] + port["tx_packets"], 0)
        self.assertEqual(caps["spine0-leaf0.pcapng"]["frames"], port["rx_packets"] + port["tx_packets"])
        self.assertEqual(len(frames(os.path.join(d, "spine0-leaf0.pcapng"))), caps["spine0-leaf0.pcapng"]["frames"])
        self.assertEqual(caps["h0.pcapng"]["frames"], 5)
        self.assertEqual(r["trace"]["traced"], 3)

    def test_same_file_same_trace_and_captures(self):
        a = self.run_in(os.path.join(self.dir, "a"))
        b = self.run_in(os.path.join(self.dir, "b"))
        self.assertEqual(json.dumps(a["trace"]), json.dumps(b["trace"]))
        for name in ("spine0-leaf0.pcapng", "h0.pcapng"):
            fa, fb = frames(os.path.join(self.dir, "a", name)), frames(os.path.join(self.dir, "b", name))
            # every byte captured: a capture keeps what a packet holds
            # (virtual time's short buffers: a frame's first 256 bytes;
            # past them the memory is not the frame's)
            self.assertTrue(fa and all(len(bytes(f)) <= 256 for f in fa), name)
            self.assertEqual([(f.time, bytes(f)) for f in fa], [(f.time, bytes(f)) for f in fb], name)

    def test_traced_packet_in_a_cell_fabric_shows_its_cells(self):
        """leaf0 puts the packet in a VOQ, cuts it into cells (1500 B in
        256-byte payloads: 6) sprayed over both uplinks; each cell crosses
        a spine; leaf2 reassembles the packet and delivers it."""
        with open(topo("cell_permutation.yaml")) as f:
            text = f.read().replace("duration: 1ms", "duration: 100us")
        text += 'trace: { at: leaf0:0, count: 2, match: "udp" }\n'
        r, _, _ = run(text, self.dir)
        t = r["trace"]
        self.assertEqual(t["traced"], 2)
        for p in t["packets"]:
            self.assertEqual(p["end"], "delivered", p)
            ev = p["events"]
            voq = next(e for e in ev if e["stage"] == "voq")
            cells = next(e for e in ev if e["stage"] == "cells")
            self.assertEqual((voq["switch"], cells["switch"], cells["cells"]), ("leaf0", "leaf0", 6))
            self.assertEqual(set(cells["uplinks"]), {2, 3})  # sprayed over both
            seqs = list(range(cells["first_seq"], cells["first_seq"] + 6))
            at_spines = [e for e in ev if e["stage"] == "cell_rx" and e["switch"].startswith("spine")]
            at_leaf = [e for e in ev if e["stage"] == "cell_rx" and e["switch"] == voq["to_leaf"]]
            self.assertEqual(sorted(e["seq"] for e in at_spines), seqs)
            self.assertEqual(sorted(e["seq"] for e in at_leaf), seqs)
            self.assertEqual({e["switch"] for e in at_spines}, {"spine0", "spine1"})
            reasm = next(e for e in ev if e["stage"] == "reassembled")
            self.assertEqual((reasm["switch"], reasm["port"]), (voq["to_leaf"], voq["to_port"]))
            self.assertEqual(ev[-1]["stage"], "tx")
            self.assertEqual(len([e for e in ev if e["stage"] == "tx" and e["switch"] == "leaf0"]), 6)
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], sw["name"])

    def test_flowlet_decision_inputs(self):
        """With flowlet, each traced packet's lb event carries the flowlet
        entry, the gap since the entry's last packet and the idle time: the
        first packet of the flow starts a flowlet, the next ones (1.2 us
        apart, far below 256 us) follow it on the same member."""
        with open(TOPO) as f:
            text = f.read()
        text = text.replace(", entropy: per_packet", "").replace("count: 3", "count: 4")
        text = text.replace("\ncapture:", "\nload_balancing: { mode: flowlet }\ncapture:")
        r = self.run_text(text)
        lbs = [next(e for e in p["events"] if e["stage"] == "lb" and e["switch"] == "leaf0")
               for p in r["trace"]["packets"]]
        self.assertEqual([x["policy"] for x in lbs], ["flowlet"] * 4)
        inputs = [x["policy_inputs"] for x in lbs]
        self.assertEqual(len({x["entry"] for x in inputs}), 1, inputs)
        self.assertEqual([x["new_flowlet"] for x in inputs], [1, 0, 0, 0])
        self.assertEqual([x["gap_ns"] for x in inputs], [-1, 1200, 1200, 1200])
        self.assertEqual(inputs[0]["idle_ns"], 256000)
        self.assertEqual(len({x["member"] for x in lbs}), 1)

    def test_traced_packet_meets_its_link_fault(self):
        """A traced packet arriving on a port whose link has a fault
        (docs/FAULTS.md) meets the fault first: when the link loses it,
        its trace ends there, an rx and a drop under the fault's reason,
        counted by the port as well; otherwise it goes on as any packet."""
        with open(TOPO) as f:
            text = f.read()
        down = self.run_text(text + "faults:\n  - { at: 0s, link: leaf0:0, state: down }\n")
        t = down["trace"]
        self.assertEqual(t["traced"], 3)
        for p in t["packets"]:
            self.assertEqual(p["end"], "dropped", p)
            self.assertEqual([(e["stage"], e["switch"], e["port"]) for e in p["events"]],
                             [("rx", "leaf0", 0), ("drop", "leaf0", 0)], p)
            self.assertEqual(p["events"][1]["reason"], "link_down")
            self.assertEqual(p["events"][0]["ttl"], 64)
        h0_port = next(pt for pt in next(s for s in down["switches"] if s["name"] == "leaf0")["ports"]
                       if pt["index"] == 0)
        self.assertGreaterEqual(h0_port["drops"]["link_down"], 3)
        self.assertEqual(h0_port["drops"]["link_down"], h0_port["rx_packets"])  # the link lost every one

        # half the frames lost: some traced packets end at leaf0 under
        # link_loss, the others are delivered through leaf0, a spine, leaf1
        lossy = self.run_text(text.replace("count: 3", "count: 16") +
                              "faults:\n  - { at: 0s, link: leaf0:0, loss: 0.5 }\n")
        ends = {}
        for p in lossy["trace"]["packets"]:
            ends.setdefault(p["end"], []).append(p)
        self.assertEqual(set(ends), {"dropped", "delivered"}, {k: len(v) for k, v in ends.items()})
        for p in ends["dropped"]:
            self.assertEqual([(e["stage"], e["switch"]) for e in p["events"]], [("rx", "leaf0"), ("drop", "leaf0")])
            self.assertEqual(p["events"][1]["reason"], "link_loss")
        for p in ends["delivered"]:
            rx = [e["switch"][:4] for e in p["events"] if e["stage"] == "rx"]
            self.assertEqual(rx, ["leaf", "spin", "leaf"], p)
        h0_port = next(pt for pt in next(s for s in lossy["switches"] if s["name"] == "leaf0")["ports"]
                       if pt["index"] == 0)
        self.assertGreaterEqual(h0_port["drops"]["link_loss"], len(ends["dropped"]))
        for sw in lossy["switches"]:
            self.assertTrue(sw["conserved"], sw["name"])

    def test_traced_packet_through_a_p4_switch_shows_its_tables(self):
        """At a P4 leaf the trace shows the program's own stages: the
        route table hit with set_group, the ECMP selector, the member table
        hit with set_nexthop (from the pipeline's counters, exact for one
        packet run alone), then where it went; the native spine and leaf
        after it record their usual stages."""
        with open(topo("trace_p4.yaml")) as f:
            r = self.run_text(f.read())
        t = r["trace"]
        self.assertEqual(t["traced"], 2)
        for p in t["packets"]:
            self.assertEqual(p["end"], "delivered", p)
            at_leaf0 = [e for e in p["events"] if e["switch"] == "leaf0"]
            tables = {e["table"]: (e["hit"], e["action"]) for e in at_leaf0 if e["stage"] == "table"}
            self.assertEqual(tables, {"route_v4": (True, "set_group"), "ecmp_sel": (True, "select"),
                                      "ecmp_member": (True, "set_nexthop")}, at_leaf0)
            self.assertEqual([e["stage"] for e in at_leaf0], ["rx", "table", "table", "table", "forwarded", "tx"])
            self.assertEqual(at_leaf0[-2]["port"], at_leaf0[-1]["port"])
            self.assertIn(at_leaf0[-1]["port"], (1, 2))
            self.assertEqual([e["switch"] for e in p["events"] if e["stage"] == "route"][-1], "leaf1")

    def run_text(self, text):
        d = os.path.join(self.dir, "t")
        os.makedirs(d, exist_ok=True)
        cwd = os.getcwd()
        os.chdir(d)
        try:
            r, _, _ = run(text, d)
        finally:
            os.chdir(cwd)
        return r

    def test_bad_keys_are_refused(self):
        with open(TOPO) as f:
            text = f.read()
        cases = [
            (text.replace("clock: virtual", "clock: realtime").replace("duration: 50us\n", ""),
             "goes with clock: virtual"),
            (text.replace("at: leaf0:0", "at: leaf9:0"), "no switch 'leaf9'"),
            (text.replace("at: leaf0:0", "at: leaf0:17"), "has no port '17'"),
            (text.replace("dir: both", "dir: up"), "dir is rx, tx or both"),
            (text.replace('match: "src 10.0.0.2 and udp"', 'match: "src 10.0.0.2 and"'), "match expression"),
            (text.replace("count: 3", "count: 1000"), "a trace holds 1 to"),
        ]
        for i, (t, msg) in enumerate(cases):
            p = os.path.join(self.dir, "bad%d.yaml" % i)
            with open(p, "w") as f:
                f.write(t)
            r = subprocess.run([LOOMCTL, "run", p, "--out", os.path.join(self.dir, "bad%d.json" % i)],
                               capture_output=True, text=True, timeout=120, cwd=self.dir)
            self.assertNotEqual(r.returncode, 0, msg)
            self.assertIn(msg, r.stderr, msg)


if __name__ == "__main__":
    unittest.main()
