"""loomctl trace and loomctl capture on the default fabric (docs/TRACE.md):
a packet traced hop by hop with the member its hash chose matching the
member counters, TTL 1 ending at the first switch, a sprayed burst over
several members, a spine link's capture holding exactly the pings that
crossed it (rewritten MACs, decremented TTL), a capture streamed to
standard output, and bad requests refused with forwarding untouched.

Run under the fabric lock:
  cd tests/fabric && LOOM_BUILD=$PWD/../../build flock /run/loom-fabric.lock \\
      /usr/bin/python3 -m unittest -v test_trace
"""
import io
import json
import os
import signal
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")


def rdpcapng(data_or_path):
    from scapy.utils import rdpcap  # Debian's python3-scapy (run with /usr/bin/python3)
    return list(rdpcap(io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path))


class Trace(fx.FabricUp):
    TOPO = TOPO

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cfg = json.loads(fx.loomctl("compile", TOPO).stdout)
        cls.mac = {(s["name"], p["index"]): p["mac"] for s in cfg["switches"] for p in s["ports"]}
        cls.ports = {(s["name"], p["index"]): p["name"] for s in cfg["switches"] for p in s["ports"]}
        # h0 and a host on another leaf; ARP resolved before anything is traced
        cls.a = cls.hosts[0]
        cls.b = next(h for h in cls.hosts if h[1] != cls.a[1])
        fx.in_host(cls.a[0], "ping", "-c", "1", "-W", "2", cls.b[2])

    def trace(self, *args):
        return fx.loomctl("trace", "start", *args)

    def show(self):
        return json.loads(fx.loomctl("trace", "show", "--json").stdout)

    def group_counters(self, switch):
        lb = fx.switch(fx.stats(), switch)["load_balancing"]
        return {g["group"]: [m["packets"] for m in g["members"]] for g in lb["groups"]}

    def test_packet_traced_through_leaf_spine_leaf(self):
        a, b = self.a, self.b
        before = self.group_counters(a[1])
        self.trace(a[1], "--count", "1", "--match", "icmp and src %s and dst %s" % (a[2], b[2]))
        fx.in_host(a[0], "ping", "-c", "1", "-W", "2", b[2])
        after = self.group_counters(a[1])
        t = self.show()
        self.assertEqual(t["traced"], 1, t)
        p = t["packets"][0]
        self.assertEqual((p["src"], p["dst"], p["proto"], p["end"]), (a[2], b[2], 1, "delivered"), p)
        rx = [e for e in p["events"] if e["stage"] == "rx"]
        path = [e["switch"] for e in rx]
        self.assertEqual(len(path), 3, path)
        self.assertEqual(path[0], a[1])
        self.assertTrue(path[1].startswith("spine"), path)
        self.assertEqual(path[2], b[1])
        self.assertEqual([e["ttl"] for e in rx], [64, 63, 62])
        # every hop: route, lb, enqueue, tx, in that order
        for sw in path:
            stages = [e["stage"] for e in p["events"] if e["switch"] == sw]
            self.assertEqual(stages, ["rx", "route", "lb", "enqueue", "tx"], (sw, stages))
        route = next(e for e in p["events"] if e["stage"] == "route" and e["switch"] == a[1])
        lb = next(e for e in p["events"] if e["stage"] == "lb" and e["switch"] == a[1])
        self.assertEqual(lb["policy"], "ecmp")
        self.assertEqual(lb["members"], 2)
        # the member the hash chose is the one whose counter moved, by one
        grew = [x - y for x, y in zip(after[route["group"]], before[route["group"]])]
        expect = [0] * len(grew)
        expect[lb["member"]] = 1
        self.assertEqual(grew, expect, (lb, before, after))
        # and the packet left by that member's port, to the spine it reached
        tx0 = next(e for e in p["events"] if e["stage"] == "tx" and e["switch"] == a[1])
        self.assertEqual(tx0["port"], lb["next_port"])
        self.assertEqual(self.ports[(a[1], lb["next_port"])].split(":")[0], path[1])
        self.assertEqual(rx[1]["port_name"], "%s:%d" % (a[1], lb["next_port"]))
        last = p["events"][-1]
        self.assertEqual((last["stage"], last["switch"], last["port_name"]), ("tx", b[1], b[0]))
        times = [e["t_ns"] for e in p["events"]]
        self.assertEqual(times, sorted(times))
        # the text form says the same
        text = fx.loomctl("trace", "show").stdout
        self.assertIn("%s -> %s icmp: delivered" % (a[2], b[2]), text)

    def test_ttl_1_ends_at_the_first_switch(self):
        a, b = self.a, self.b
        self.trace("%s:0" % a[1], "--count", "1", "--match", "icmp and dst %s" % b[2])
        fx.in_host(a[0], "ping", "-c", "1", "-W", "1", "-t", "1", b[2], check=False)
        p = self.show()["packets"][0]
        self.assertEqual(p["end"], "dropped")
        self.assertEqual({e["switch"] for e in p["events"]}, {a[1]})
        self.assertEqual([e["stage"] for e in p["events"]], ["rx", "route", "drop"])
        self.assertEqual(p["events"][-1]["reason"], "ttl_expired")

    def test_sprayed_burst_shows_different_members(self):
        a, b = self.a, self.b
        fx.loomctl("lb", "set", "spray", "--switch", a[1])
        try:
            self.trace(a[1], "--count", "8", "--match", "icmp and src %s and dst %s" % (a[2], b[2]))
            fx.in_host(a[0], "ping", "-c", "8", "-i", "0.01", "-W", "2", b[2])
            t = self.show()
        finally:
            fx.loomctl("lb", "set", "ecmp", "--switch", a[1])
        self.assertEqual(t["traced"], 8)
        members = [next(e for e in p["events"] if e["stage"] == "lb" and e["switch"] == a[1])
                   for p in t["packets"]]
        self.assertTrue(all(m["policy"] == "spray" for m in members), members)
        self.assertEqual({m["member"] for m in members}, {0, 1}, members)
        self.assertTrue(all(p["end"] == "delivered" for p in t["packets"]))

    def test_flowlet_parameters_set_at_run_time(self):
        """`loomctl lb set flowlet --idle-time T --placement P`: the switch's
        groups take the new gap (the flowlet state a traced packet reads)."""
        a, b = self.a, self.b
        fx.loomctl("lb", "set", "flowlet", "--switch", a[1], "--idle-time", "40us", "--placement", "band")
        try:
            shown = json.loads(fx.loomctl("lb", "show", a[1], "--json").stdout)["switches"][0]["flowlet"]
            self.trace(a[1], "--count", "1", "--match", "icmp and src %s and dst %s" % (a[2], b[2]))
            fx.in_host(a[0], "ping", "-c", "1", "-W", "2", b[2])
            t = self.show()
        finally:
            fx.loomctl("lb", "set", "ecmp", "--switch", a[1], "--idle-time", "256us", "--placement", "queue")
        self.assertEqual((shown["idle_time_ns"], shown["placement"]), (40000, "band"))
        lb = next(e for e in t["packets"][0]["events"] if e["stage"] == "lb" and e["switch"] == a[1])
        self.assertEqual(lb["policy"], "flowlet")
        self.assertEqual(lb["policy_inputs"]["idle_ns"], 40000, lb)
        r = fx.loomctl("lb", "set", "flowlet", "--switch", a[1], "--group", "0", "--idle-time", "1us", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not with \"group\"", r.stderr)
        r = fx.loomctl("lb", "set", "flowlet", "--idle-time", "soon", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--idle-time needs a time", r.stderr)

    def capture(self, at, path, *extra):
        return subprocess.Popen([fx.LOOMCTL, "capture", at, *extra, "-w", path], stderr=subprocess.PIPE, text=True)

    def test_capture_of_spine_links_holds_the_pings_that_crossed_them(self):
        from scapy.layers.inet import ICMP, IP
        from scapy.layers.l2 import Ether
        a, b = self.a, self.b
        leaf = a[1]
        uplinks = [i for (sw, i), name in self.ports.items() if sw == leaf and name.startswith("spine")]
        ends = []  # (spine, spine port, leaf port)
        for i in uplinks:
            spine, sp = self.ports[(leaf, i)].split(":")
            ends.append((spine, int(sp), i))
        tmp = os.environ.get("TMPDIR", "/tmp")
        files = [os.path.join(tmp, "loom-test-cap-%s.pcapng" % e[0]) for e in ends]
        for f in files:
            if os.path.exists(f):
                os.unlink(f)
        before = fx.stats()
        procs = [self.capture("%s:%d" % (e[0], e[1]), f) for e, f in zip(ends, files)]
        time.sleep(0.5)
        fx.in_host(a[0], "ping", "-c", "4", "-i", "0.1", "-W", "2", b[2])
        time.sleep(0.3)
        after = fx.stats()
        for pr in procs:
            pr.send_signal(signal.SIGINT)
            self.assertEqual(pr.wait(timeout=10), 0, pr.stderr.read())
        requests = replies = 0
        for (spine, sp, lp), f in zip(ends, files):
            frames = rdpcapng(f)
            port_b = fx.port(fx.switch(before, spine), sp)
            port_a = fx.port(fx.switch(after, spine), sp)
            # exactly what crossed the link: the port's counters agree
            self.assertEqual(len(frames), (port_a["rx_packets"] - port_b["rx_packets"]) +
                             (port_a["tx_packets"] - port_b["tx_packets"]), spine)
            for fr in frames:
                self.assertIn(ICMP, fr, fr.summary())
                ip, eth = fr[IP], fr[Ether]
                if fr[ICMP].type == 8:  # request: leaf -> spine, one hop taken
                    requests += 1
                    self.assertEqual((ip.src, ip.dst, ip.ttl), (a[2], b[2], 63))
                    self.assertEqual((eth.src, eth.dst), (self.mac[(leaf, lp)], self.mac[(spine, sp)]))
                else:  # reply: spine -> leaf, two hops taken
                    replies += 1
                    self.assertEqual(fr[ICMP].type, 0)
                    self.assertEqual((ip.src, ip.dst, ip.ttl), (b[2], a[2], 62))
                    self.assertEqual((eth.src, eth.dst), (self.mac[(spine, sp)], self.mac[(leaf, lp)]))
        self.assertEqual((requests, replies), (4, 4))

    def test_capture_streams_to_standard_output(self):
        a, b = self.a, self.b
        pr = subprocess.Popen([fx.LOOMCTL, "capture", "%s:0" % a[1], "--dir", "rx", "--count", "3", "--filter",
                               "icmp and dst %s" % b[2], "-w", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        fx.in_host(a[0], "ping", "-c", "3", "-i", "0.1", "-W", "2", b[2])
        out, err = pr.communicate(timeout=10)
        self.assertEqual(pr.returncode, 0, err)
        frames = rdpcapng(out)
        self.assertEqual(len(frames), 3)
        self.assertTrue(all(f["IP"].dst == b[2] and f["IP"].ttl == 64 for f in frames))

    def test_capture_piped_into_tshark(self):
        """`loomctl capture ... -w - | tshark -r -` while the pings go: tshark
        reads the live stream, with the link's name as the interface."""
        a, b = self.a, self.b
        cap = subprocess.Popen([fx.LOOMCTL, "capture", "%s:0" % a[1], "--count", "4", "--filter", "icmp", "-w", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        tshark = subprocess.Popen(["tshark", "-r", "-", "-T", "fields", "-e", "frame.interface_name", "-e", "ip.src",
                                   "-e", "ip.dst", "-e", "icmp.type"], stdin=cap.stdout, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        cap.stdout.close()
        time.sleep(0.5)
        fx.in_host(a[0], "ping", "-c", "2", "-i", "0.1", "-W", "2", b[2])
        out, err = tshark.communicate(timeout=30)
        self.assertEqual(cap.wait(timeout=10), 0)
        rows = [line.split("\t") for line in out.splitlines()]
        name = "%s:0-%s" % (a[1], a[0])
        self.assertEqual(rows, [[name, a[2], b[2], "8"], [name, b[2], a[2], "0"]] * 2, err)

    def test_bad_requests_are_refused_and_forwarding_goes_on(self):
        a, b = self.a, self.b
        bad = [
            (["trace", "start", "nosuch"], "no switch 'nosuch'"),
            (["trace", "start", "%s:99" % a[1]], "has no port 99"),
            (["trace", "start", a[1], "--count", "100000"], "a trace holds 1 to"),
            (["trace", "start", a[1], "--match", "dst 10.0.0.1 and"], "match expression"),
            (["trace", "start", a[1], "--match", "dst nowhere"], "expected an IPv4 or IPv6 address"),
            (["capture", "nosuch:0", "-w", "/dev/null"], "no switch 'nosuch'"),
            (["capture", "%s:42" % a[1], "-w", "/dev/null"], "has no port 42"),
            (["capture", "%s:0" % a[1], "--dir", "sideways", "-w", "/dev/null"], "dir is rx, tx or both"),
            (["capture", "%s:0" % a[1], "--filter", "udp or or", "-w", "/dev/null"], "match expression"),
        ]
        out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "loom-test-bad.pcapng")
        for args, msg in bad:
            args = [out if x == "/dev/null" else x for x in args]
            r = fx.loomctl(*args, check=False)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(msg, r.stderr, args)
            # a capture loomd refused leaves no file behind
            self.assertFalse(os.path.exists(out), args)
        fx.in_host(a[0], "ping", "-c", "2", "-i", "0.1", "-W", "2", b[2])
        self.assertEqual(fx.conservation_errors(fx.stats()), [])

    def test_zz_stop_and_conservation(self):
        self.trace(self.a[1], "--count", "1")
        r = fx.loomctl("trace", "stop")
        self.assertIn("trace stopped", r.stdout)
        fx.in_host(self.a[0], "ping", "-c", "2", "-i", "0.1", "-W", "2", self.b[2])
        self.assertEqual(fx.conservation_errors(fx.stats()), [])


if __name__ == "__main__":
    unittest.main()
