"""End to end: the default fabric (2 spines, 4 leaves, 2 hosts per leaf) with
Linux hosts in network namespaces, forwarding through one loomd."""
import json
import os
import socket
import time
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
SOCK = "/run/loom/loomd.sock"


class DefaultFabric(fx.FabricUp):
    TOPO = TOPO

    def test_ping_ipv4_between_leaves(self):
        failed = []
        for a, b in self.remote_pairs():
            r = fx.in_host(a[0], "ping", "-q", "-c", "2", "-i", "0.05", "-W", "2", b[2], check=False)
            if r.returncode != 0:
                failed.append("%s -> %s (%s)" % (a[0], b[0], b[2]))
        self.assertEqual(failed, [], "no IPv4 reply")

    def test_ping_ipv6_between_leaves(self):
        failed = []
        for a, b in self.remote_pairs()[:12]:
            r = fx.in_host(a[0], "ping", "-6", "-q", "-c", "2", "-i", "0.05", "-W", "2", b[3], check=False)
            if r.returncode != 0:
                failed.append("%s -> %s (%s)" % (a[0], b[0], b[3]))
        self.assertEqual(failed, [], "no IPv6 reply")

    def test_ping_same_leaf_and_gateway(self):
        h0, h1 = self.hosts[0], self.hosts[1]
        self.assertEqual(h0[1], h1[1])
        fx.in_host(h0[0], "ping", "-q", "-c", "2", "-i", "0.05", "-W", "2", h1[2])
        gw = h0[2].rsplit(".", 1)[0] + ".1"
        fx.in_host(h0[0], "ping", "-q", "-c", "2", "-i", "0.05", "-W", "2", gw)

    def test_iperf3_tcp_between_leaves(self):
        a, b = self.hosts[0], self.hosts[-1]
        fx.in_host(b[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        r = fx.in_host(a[0], "iperf3", "-c", b[2], "-t", "2", "-J", timeout=30)
        res = json.loads(r.stdout)["end"]
        sent, received = res["sum_sent"]["bytes"], res["sum_received"]["bytes"]
        print("iperf3 %s -> %s: %.0f Mb/s, %d retransmits" % (
            a[0], b[0], res["sum_received"]["bits_per_second"] / 1e6, res["sum_sent"].get("retransmits", -1)))
        self.assertGreater(received, 1_000_000)
        # the sender's count includes what was still in flight when it stopped
        self.assertGreaterEqual(received, 0.9 * sent)

    def test_workload_permutation_as_iperf3_pairs(self):
        """`loomctl workload iperf3`: a cross-leaf permutation of 2 MB TCP
        flows from a workload file, one iperf3 pair per flow between the
        namespace hosts: every client sent its 2 MB (iperf3 -n counts what
        the client wrote; the one-off server closes when the client ends
        the test, so it may receive less), something arrived for each, and
        the fabric carried what arrived: the leaves' uplinks sent at least
        the bytes the servers received (every flow crosses one uplink)."""
        import tempfile
        with tempfile.TemporaryDirectory(prefix="loom-iperf3-test-") as d:
            wl = os.path.join(d, "perm.yaml")
            with open(wl, "w") as f:
                f.write("workload: perm\nseed: 3\npatterns:\n  - { pattern: permutation, bytes: 2M }\n")
            before = fx.stats()
            r = fx.loomctl("workload", "iperf3", wl, "--topo", TOPO, "--out", os.path.join(d, "out"), timeout=120)
            time.sleep(1)  # TCP delivers what was in flight when the clients stopped
            after = fx.stats()
            rows = [line.split(",") for line in r.stdout.strip().splitlines()]
            self.assertEqual(rows[0][:3], ["id", "src", "dst"])
            self.assertEqual(len(rows) - 1, len(self.hosts))
            leaf = {h[0]: h[1] for h in self.hosts}
            received = 0
            for row in rows[1:]:
                self.assertNotEqual(leaf[row[1]], leaf[row[2]], row)  # across leaves
                self.assertEqual(row[4], "tcp")
                self.assertGreater(float(row[6]), 0, row)  # bits per second received
                with open(os.path.join(d, "out", "flow-%s.json" % row[0])) as f:
                    end = json.load(f)["end"]
                self.assertGreaterEqual(end["sum_sent"]["bytes"], 2_000_000, row)
                self.assertGreater(end["sum_received"]["bytes"], 0, row)
                received += end["sum_received"]["bytes"]
            up = 0
            for sw in after["switches"]:
                if sw["role"] != "leaf":
                    continue
                sb = fx.switch(before, sw["name"])
                up += sum(p["tx_bytes"] - fx.port(sb, p["index"])["tx_bytes"]
                          for p in sw["ports"] if "spine" in p["name"])
            self.assertGreater(received, 0)
            self.assertGreaterEqual(up, received)

    def test_ecmp_uses_both_spines(self):
        """16 TCP flows from one leaf to another: with a seeded 5-tuple hash both
        uplinks of the leaf carry some (all 16 on one: probability 2^-15)."""
        a, b = self.hosts[0], self.hosts[-1]
        before = fx.switch(fx.stats(), a[1])
        fx.in_host(b[0], "iperf3", "-s", "-1", "-D")
        time.sleep(0.3)
        fx.in_host(a[0], "iperf3", "-c", b[2], "-t", "1", "-P", "16", "-b", "20M", timeout=30)
        after = fx.switch(fx.stats(), a[1])
        uplinks = [p["index"] for p in after["ports"] if "spine" in p["name"]]
        grew = {i: fx.port(after, i)["tx_packets"] - fx.port(before, i)["tx_packets"] for i in uplinks}
        self.assertTrue(all(v > 100 for v in grew.values()), "uplink tx packets: %s" % grew)

    def test_ttl_expired_is_counted(self):
        a, b = self.hosts[0], self.hosts[-1]
        before = fx.port(fx.switch(fx.stats(), a[1]), 0)["drops"].get("ttl_expired", 0)
        fx.in_host(a[0], "ping", "-q", "-c", "3", "-i", "0.05", "-W", "1", "-t", "1", b[2], check=False)
        after = fx.port(fx.switch(fx.stats(), a[1]), 0)["drops"].get("ttl_expired", 0)
        self.assertEqual(after - before, 3)

    def test_no_route_is_counted(self):
        """An address inside a remote leaf's subnet that no host has: the
        leaves forward it up, the remote leaf has no host route for it."""
        a = self.hosts[0]
        far = [h for h in self.hosts if h[1] != a[1]][0]
        ghost = far[2].rsplit(".", 1)[0] + ".77"
        st = fx.stats()
        before = sum(p["drops"].get("no_route", 0) for p in fx.switch(st, far[1])["ports"])
        fx.in_host(a[0], "ping", "-q", "-c", "3", "-i", "0.05", "-W", "1", ghost, check=False)
        st = fx.stats()
        after = sum(p["drops"].get("no_route", 0) for p in fx.switch(st, far[1])["ports"])
        self.assertEqual(after - before, 3)

    def test_bad_control_requests_get_errors_and_forwarding_goes_on(self):
        for req in ["this is not json", "[1,2]", '{"cmd": "no-such-command"}', '{"nocmd": 1}',
                    '{"cmd": "routes"}', '{"cmd": "routes", "switch": "nope"}']:
            r = fx.loomctl("raw", req, check=False)
            self.assertEqual(r.returncode, 1, req)
            reply = json.loads(r.stdout)
            self.assertFalse(reply["ok"], req)
            self.assertTrue(reply["error"], req)
        a, b = self.remote_pairs()[0]
        fx.in_host(a[0], "ping", "-q", "-c", "2", "-i", "0.05", "-W", "2", b[2])

    def test_control_socket_survives_hostile_clients(self):
        # a NUL byte, a command name of 3000 multi-byte characters: error replies
        self.assertFalse(fx.request(SOCK, b'{"cmd":"ping"\x00}\n')["ok"])
        reply = fx.request(SOCK, ('{"cmd":"%s"}\n' % ("\u20ac" * 3000)).encode())
        self.assertFalse(reply["ok"])
        self.assertIn("unknown command", reply["error"])
        # a client that connects and says nothing does not hold the socket
        idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        idle.connect("/run/loom/loomd.sock")
        try:
            start = time.monotonic()
            self.assertTrue(fx.request(SOCK, b'{"cmd":"ping"}\n', timeout=10)["ok"])
            self.assertLess(time.monotonic() - start, 5)
        finally:
            idle.close()

    def test_routes_of_a_leaf(self):
        out = fx.loomctl("routes", "leaf0").stdout
        self.assertRegex(out, r"10\.0\.1\.0/24\s+\d+ ecmp\s+port 2 -> spine0:0\n\s+port 3 -> spine1:0\n")
        self.assertRegex(out, r"10\.0\.0\.2/32\s+\d+\s+port 0 -> h0\n")

    def test_zz_conservation_on_every_switch(self):
        """Runs last (name order), after all the traffic above."""
        st = fx.stats()
        self.assertEqual(fx.conservation_errors(st), [])
        self.assertGreater(sum(s["rx_packets"] for s in st["switches"]), 1000)


class UpDown(unittest.TestCase):
    def test_down_leaves_nothing_behind(self):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        self.assertTrue(os.path.exists("/run/loom/loomd.sock"))
        fx.loomctl("down")
        self.assertEqual(fx.leftovers(), [])

    def test_up_twice_is_refused(self):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        try:
            r = fx.loomctl("up", TOPO, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("already up", r.stderr)
        finally:
            fx.loomctl("down")

    def test_bad_topology_names_file_and_line(self):
        r = fx.loomctl("up", os.path.join(fx.ROOT, "tests", "fabric", "bad-topology.yaml"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"bad-topology\.yaml:\d+: ")
        self.assertEqual(fx.leftovers(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
