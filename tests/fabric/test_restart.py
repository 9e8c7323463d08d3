"""`loomctl restart` and recovery after loomd dies (docs/RESTART.md).

  NothingUpTest     restart with no fabric up: a clear error, exit 1.
  RestartTest       the default fabric, with a live `tm set`, `lb set` and
                    `pipeline` (leaf3 on P4):
                    loomd killed (-9) during iperf3, then `loomctl restart`:
                    pings resume, the iperf3 flow goes on, the namespaces are
                    the same ones (netns inode), the changes are in effect
                    (read back with tm show / lb show), the outage printed;
                    a restart of a running loomd; `up` of the same topology
                    after a kill brings loomd back, of another one refuses;
                    a damaged change file named with its problem and skipped;
                    a restart refused when a host namespace is gone.
  AfXdpRestartTest  hosts on af_xdp ports: the XDP programs the killed
                    loomd left are detached and the new loomd's ports open.
Run under /run/loom-fabric.lock (tests/fabric/run.sh).
"""
import glob
import json
import os
import re
import signal
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
OTHER_TOPO = os.path.join(fx.TOPOLOGIES, "small-explicit.yaml")
AF_XDP_TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "af-xdp.yaml")
CHANGES = "/run/loom/changes"


def loomd_pid():
    with open("/run/loom/state.json") as f:
        return json.load(f)["pid"]


def kill_loomd():
    """kill -9 the fabric's loomd and wait until it is gone."""
    pid = loomd_pid()
    os.kill(pid, signal.SIGKILL)
    for _ in range(500):
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split()[2] in "ZX":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.01)
    return pid


def leftovers():
    """fx.leftovers() of this fabric: EAL directories of other programs
    (loomd<PID> is loomctl's loomd) are not its."""
    return [x for x in fx.leftovers() if not re.search(r"^/(var/run/dpdk|dev/hugepages)/(?!loomd\d)", x)]


def netns_inodes():
    return {n: os.stat("/run/netns/" + n).st_ino for n in os.listdir("/run/netns") if n.startswith("loom-")}


def outage_ms(out):
    m = re.search(r"^outage: (\d+) ms.*$", out, re.M)
    assert m, "no outage line in:\n" + out
    print("\n  " + m.group(0))
    return int(m.group(1))


def ping_ok(src, dst_ip):
    return fx.in_host(src, "ping", "-c", "3", "-i", "0.2", "-W", "2", dst_ip, check=False).returncode == 0


class NothingUpTest(unittest.TestCase):
    def test_restart_with_nothing_up(self):
        fx.loomctl("down")
        r = fx.loomctl("restart", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no fabric is up", r.stderr)
        self.assertIn("loomctl up FILE", r.stderr)
        self.assertEqual(leftovers(), [])


class RestartTest(fx.FabricUp):
    TOPO = TOPO

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # live changes, made through loomctl after `up`
        fx.loomctl("tm", "set", "leaf2:0", "rate", "500M")
        fx.loomctl("lb", "set", "spray", "--switch", "leaf1")
        fx.loomctl("pipeline", "leaf3", "p4")  # the P4 program (p4/loom.spec) forwards on leaf3

    def setUp(self):
        self.ip = {h[0]: h[2] for h in self.hosts}

    def assert_changes_in_effect(self):
        show = json.loads(fx.loomctl("tm", "show", "leaf2:0", "--json").stdout)["ports"][0]
        self.assertEqual(show["rate_bps"], 500000000)
        lb = json.loads(fx.loomctl("lb", "show", "leaf1", "--json").stdout)["switches"][0]
        self.assertEqual(lb["mode"], "spray", lb)
        # not on the switches the change did not name
        lb0 = json.loads(fx.loomctl("lb", "show", "leaf0", "--json").stdout)["switches"][0]
        self.assertEqual(lb0["mode"], "ecmp")
        st = fx.stats()
        self.assertEqual(fx.switch(st, "leaf3")["pipeline"], "p4")
        self.assertEqual(fx.switch(st, "leaf2")["pipeline"], "native")

    def assert_forwarding(self):
        for a, b in (("h0", "h7"), ("h3", "h4"), ("h5", "h1")):
            self.assertTrue(ping_ok(a, self.ip[b]), "%s -> %s after the restart" % (a, b))

    def test_a_kill_during_iperf3_then_restart(self):
        before = netns_inodes()
        self.assertEqual(len(before), 8)
        self.assert_changes_in_effect()
        fx.in_host("h7", "iperf3", "-s", "-1", "-D", "-p", "5401")
        time.sleep(0.3)
        client = subprocess.Popen(["ip", "netns", "exec", "loom-h0", "iperf3", "-c", self.ip["h7"], "-p", "5401",
                                   "-t", "10", "-i", "1", "-J"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        # 20 ms pings through the whole episode: the loss, seen from a host
        pinger = subprocess.Popen(["ip", "netns", "exec", "loom-h3", "ping", "-D", "-i", "0.02", "-w", "9", "-W", "1",
                                   self.ip["h4"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.5)
        old = kill_loomd()
        t_kill = time.monotonic()
        time.sleep(0.3)
        r = fx.loomctl("restart", check=False, timeout=120)
        t_back = time.monotonic()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("was not running", r.stdout)
        self.assertIn("live changes re-applied: 3", r.stdout)
        ms = outage_ms(r.stdout)
        self.assertGreater(ms, 0)
        self.assertLess(ms, (t_back - t_kill) * 1000 + 1)  # within what the restart took, seen from here
        # the dead loomd's EAL directory is gone, a new loomd runs
        self.assertFalse(os.path.exists("/var/run/dpdk/loomd%d" % old))
        self.assertNotEqual(loomd_pid(), old)

        out, _ = client.communicate(timeout=60)
        ping_out, _ = pinger.communicate(timeout=60)
        self.assertEqual(client.returncode, 0, out[-2000:])
        intervals = json.loads(out)["intervals"]
        # the TCP connection outlived loomd: bytes flowed in its last seconds
        self.assertGreater(intervals[-1]["sum"]["bytes"], 0)
        sent = re.search(r"(\d+) packets transmitted, (\d+) received", ping_out)
        self.assertIsNotNone(sent, ping_out)
        lost = int(sent.group(1)) - int(sent.group(2))
        # what the host saw: the longest time between two replies (ping
        # sends less often while its probes go unanswered, so the count of
        # lost ones undercounts the window)
        replies = [float(t) for t in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", ping_out, re.M)]
        gap = max(b - a for a, b in zip(replies, replies[1:]))
        print("\nrestart after kill -9 during iperf3: outage %d ms (loomctl, restart start to forwarding); "
              "20 ms pings h3 -> h4: %d of %s lost, longest gap between replies %.0f ms (from before the kill); "
              "kill to loomctl restart's end %.0f ms" % (ms, lost, sent.group(1), gap * 1000, (t_back - t_kill) * 1000))
        # replies before the kill and after the restart
        self.assertGreater(replies[-1] - replies[0], (t_back - t_kill) + 1, ping_out[-500:])
        self.assertGreater(gap, ms / 1000)

        self.assertEqual(netns_inodes(), before)  # the same namespaces, not new ones
        self.assert_forwarding()
        self.assert_changes_in_effect()
        self.assertEqual(fx.conservation_errors(fx.stats()), [])

    def test_b_restart_of_a_running_loomd(self):
        before = netns_inodes()
        old = loomd_pid()
        r = fx.loomctl("restart", timeout=120)
        self.assertRegex(r.stdout, r"loomd \(pid %d\) stopped in \d+ ms" % old)
        print("\nrestart of a running loomd: outage %d ms" % outage_ms(r.stdout))
        self.assertEqual(netns_inodes(), before)
        self.assert_forwarding()
        self.assert_changes_in_effect()
        self.assertIn("live changes: 3 recorded in /run/loom/changes (re-applied at loomd's start: 3, skipped: 0)",
                      fx.loomctl("status").stdout)
        # a change after the restart replaces the record of the earlier one
        # of the same thing: one file each for tm leaf2:0 rate, lb leaf1 and
        # pipeline leaf3
        fx.loomctl("lb", "set", "flowlet", "--switch", "leaf1")
        fx.loomctl("lb", "set", "spray", "--switch", "leaf1")
        self.assertEqual(len(os.listdir(CHANGES)), 3, os.listdir(CHANGES))
        for f in os.listdir(CHANGES):
            self.assertEqual(os.stat(os.path.join(CHANGES, f)).st_mode & 0o777, 0o600)
        # a refused request is not recorded
        bad = fx.loomctl("tm", "set", "leaf2:0", "rate", "fast", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertEqual(len(os.listdir(CHANGES)), 3)

    def test_c_up_after_kill_brings_loomd_back(self):
        before = netns_inodes()
        kill_loomd()
        r = fx.loomctl("up", TOPO, check=False, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("bringing loomd back, hosts kept", r.stdout)
        outage_ms(r.stdout)
        self.assertEqual(netns_inodes(), before)
        self.assert_forwarding()
        self.assert_changes_in_effect()

    def test_d_up_of_another_topology_after_kill_is_refused(self):
        before = netns_inodes()
        kill_loomd()
        st = fx.loomctl("status", check=False)
        self.assertEqual(st.returncode, 1)
        self.assertIn("does not answer: 'loomctl restart' brings it back", st.stderr)
        r = fx.loomctl("up", OTHER_TOPO, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not that fabric", r.stderr)
        self.assertIn("'loomctl restart'", r.stderr)
        self.assertEqual(netns_inodes(), before)  # nothing deleted
        fx.loomctl("restart", timeout=120)
        self.assert_forwarding()
        self.assert_changes_in_effect()

    def test_e_damaged_change_file_is_named_and_skipped(self):
        files = sorted(os.listdir(CHANGES))
        tm_file = None
        for f in files:
            with open(os.path.join(CHANGES, f)) as fh:
                if '"tm leaf2:0 rate"' in fh.read():
                    tm_file = f
        path = os.path.join(CHANGES, tm_file)
        with open(path, "w") as f:
            f.write('{"key": "tm leaf2:0 rate", "request": {"cmd": "tm", "op": ')  # cut short
        try:
            r = fx.loomctl("restart", check=False, timeout=120)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("live change %s: not JSON (line 1" % path, r.stderr)
            self.assertIn("not re-applied", r.stderr)
            self.assertIn("live changes re-applied: 2", r.stdout)
            outage_ms(r.stdout)
            self.assert_forwarding()
            # the lb change still applies; the tm one did not: the port has its link's rate
            lb = json.loads(fx.loomctl("lb", "show", "leaf1", "--json").stdout)["switches"][0]
            self.assertEqual(lb["mode"], "spray")
            show = json.loads(fx.loomctl("tm", "show", "leaf2:0", "--json").stdout)["ports"][0]
            self.assertEqual(show["rate_bps"], show["link_rate_bps"])
            # a change file that is no change (a request that is not a live change)
            with open(path, "w") as f:
                f.write('{"key": "stats", "request": {"cmd": "stats"}}')
            r = fx.loomctl("restart", check=False, timeout=120)
            self.assertEqual(r.returncode, 1)
            self.assertIn("live change %s: \"stats\" is not a live change" % path, r.stderr)
        finally:
            os.unlink(path)
            fx.loomctl("tm", "set", "leaf2:0", "rate", "500M")
        r = fx.loomctl("restart", timeout=120)
        self.assertIn("live changes re-applied: 3", r.stdout)
        self.assert_changes_in_effect()

    def test_y_restart_refused_when_a_host_namespace_is_gone(self):
        old = loomd_pid()
        fx.run("ip", "netns", "del", "loom-h7")
        r = fx.loomctl("restart", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("host namespace loom-h7 is gone", r.stderr)
        self.assertIn("'loomctl down', then 'loomctl up FILE'", r.stderr)
        # nothing was touched: the same loomd forwards between the others
        self.assertEqual(loomd_pid(), old)
        self.assertTrue(ping_ok("h0", self.ip["h5"]))

    def test_z_down_after_a_kill_leaves_nothing(self):
        old = kill_loomd()
        fx.loomctl("down")
        self.assertEqual(leftovers(), [])
        self.assertFalse(os.path.exists("/var/run/dpdk/loomd%d" % old))


class AfXdpRestartTest(fx.FabricUp):
    TOPO = AF_XDP_TOPO

    def test_restart_after_kill_detaches_xdp(self):
        ip = {h[0]: h[2] for h in self.hosts}
        self.assertTrue(ping_ok("h0", ip["h1"]))
        kill_loomd()
        r = fx.loomctl("restart", check=False, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        detached = re.findall(r"^detached from (lmh\S+) the XDP program", r.stdout, re.M)
        self.assertEqual(len(detached), 2, r.stdout)
        print("\naf_xdp restart after kill -9: outage %d ms" % outage_ms(r.stdout))
        self.assertTrue(ping_ok("h0", ip["h1"]))
        self.assertTrue(ping_ok("h1", ip["h0"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
