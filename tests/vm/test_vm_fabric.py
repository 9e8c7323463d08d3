# SPDX-License-Identifier: BSD-3-Clause
"""VM hosts in a fabric (docs/VMS.md): `port_type: vm` hosts are QEMU guests
on vhost-user ports of loomd, brought up, configured, reached and stopped by
loomctl.

One fabric (tests/vm/vm-fabric.yaml: VM hosts vm0, vm1 and namespace hosts
ns0, ns1, on two leaves) is up for the whole class: guests boot in tens of
seconds under TCG. Run under /run/loom-fabric.lock (tests/vm/run.sh): it
uses /run/loom and namespace names like the fabric tests.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fabric"))
import fabric  # noqa: E402  (tests/fabric/fabric.py: loomctl, stats, conservation, leftovers)

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vm-fabric.yaml")
VM_BASE = "/run/loom-vm"
# addresses: the host on leaf port P has subnet + 2 + P
ADDR = {"vm0": ("10.0.0.2", "fd00::2"), "ns0": ("10.0.0.3", "fd00::3"),
        "vm1": ("10.0.1.2", "fd00:0:0:1::2"), "ns1": ("10.0.1.3", "fd00:0:0:1::3")}


def loomctl(*args, timeout=120):
    return subprocess.run([fabric.LOOMCTL, *args], capture_output=True, text=True, timeout=timeout)


def qemu_of_fabric():
    """Live QEMU processes whose command line names a run directory of ours."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"qemu-system" in cmd and b"/run/loom-vm/vmfab-" in cmd and state not in ("Z", "X"):
            found.append(int(pid))
    return found


class TestVmTopology(unittest.TestCase):
    """Bad input, caught before anything starts."""

    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_vm_host_in_virtual_time_refused_with_line(self):
        path = self.write("fabric: v\nclock: virtual\nduration: 1ms\n"
                          "generate: { spines: 1, leaves: 2, hosts_per_leaf: 1, port_type: vm }\n")
        r = loomctl("topo", "check", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s:4: host h0 is a VM host" % path, r.stderr)
        self.assertIn("'clock: virtual' (line 2)", r.stderr)

    def test_vm_link_with_devargs_refused(self):
        path = self.write("fabric: d\nswitches:\n  - { name: leaf0, role: leaf, ipv4: 10.0.0.0/24 }\n"
                          "hosts:\n  - { name: h0, port_type: vm }\n"
                          "links:\n  - { a: h0, b: leaf0:0, devargs_b: 'net_tap0' }\n")
        r = loomctl("topo", "check", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s:7: host h0 is a VM host: its links take no devargs" % path, r.stderr)

    def test_generate_form_compiles_to_vhost_user_clients(self):
        path = self.write("fabric: g\ngenerate: { spines: 1, leaves: 2, hosts_per_leaf: 1, port_type: vm }\n")
        self.assertIn("port_type: vm", loomctl("topo", "expand", path).stdout)
        cfg = json.loads(loomctl("compile", path).stdout)
        devargs = sorted(p["link"]["devargs"] for sw in cfg["switches"] for p in sw["ports"] if "host" in p)
        self.assertEqual(devargs, ["net_vhost0,iface=/run/loom-vm/g-h0/nic0.sock,client=1,queues=1",
                                   "net_vhost1,iface=/run/loom-vm/g-h1/nic0.sock,client=1,queues=1"])

    def test_dry_run_shows_the_same_commands_for_both_kinds(self):
        out = loomctl("up", TOPO, "--dry-run").stdout
        self.assertIn("ip netns add loom-ns0\n", out)
        self.assertNotIn("loom-vm0", out)  # no namespace for a VM host
        ns0 = [l.split(" ", 4)[4] for l in out.splitlines() if l.startswith("ip netns exec loom-ns0 ")]
        vm0 = out.split("# VM host vm0:")[1].split("\n\n")[0]
        vm0 = [l[4:] for l in vm0.splitlines() if l.startswith("#   ")]
        # the same list, with each host's own MAC and addresses
        def shape(cmds):
            return [" ".join("ADDR" if re.fullmatch(r"[0-9a-f:.]+(/\d+)?", w) and re.search(r"[:.]", w) else w
                             for w in c.replace(" >/dev/null", "").split()) for c in cmds]
        self.assertEqual(shape(vm0), shape(ns0))
        self.assertIn("ip addr add 10.0.0.2/24 dev eth0", vm0)
        self.assertIn("ip addr add 10.0.0.3/24 dev eth0", ns0)

    def test_workload_iperf3_refuses_vm_hosts(self):
        path = self.write("workload: w\npatterns:\n  - pattern: permutation\n    bytes: 1M\n")
        r = loomctl("workload", "iperf3", path, "--topo", TOPO, "--dry-run")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"vm[01] is a VM host: iperf3 pairs of a workload run in namespace hosts")

    def test_missing_image_is_an_error_at_up_leaving_nothing(self):
        if os.path.exists("/run/loom/state.json"):
            self.skipTest("a fabric is up")
        env = dict(os.environ, LOOM_GUEST_IMAGE="/nonexistent-loom-image")
        r = subprocess.run([fabric.LOOMCTL, "up", TOPO], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("VM host vm0", r.stderr)
        self.assertIn("guest kernel /nonexistent-loom-image/vmlinuz", r.stderr)
        self.assertIn("build the guest image", r.stderr)
        self.assertFalse(os.path.exists("/run/loom"))
        self.assertFalse(os.path.exists(VM_BASE + "/vmfab-vm0"))


class TestVmFabric(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        loomctl("down")
        t0 = time.monotonic()
        r = loomctl("up", TOPO, timeout=600)
        cls.up_s = time.monotonic() - t0
        if r.returncode != 0:
            loomctl("down")
            raise RuntimeError("loomctl up: %s%s" % (r.stdout, r.stderr))
        print("\nloomctl up (2 VM hosts, 2 namespace hosts): %.1f s\n%s" % (cls.up_s, r.stdout.strip()))

    @classmethod
    def tearDownClass(cls):
        loomctl("down")

    def exec(self, host, *argv, timeout=60):
        return loomctl("exec", host, "--timeout", str(timeout), "--", *argv, timeout=timeout + 30)

    def ping(self, src, dst, v6=False, count=3):
        r = self.exec(src, "ping", *(["-6"] if v6 else []), "-c", str(count), "-i", "0.2", "-W", "5",
                      ADDR[dst][1 if v6 else 0])
        self.assertEqual(r.returncode, 0, "%s -> %s%s: %s%s" % (src, dst, " v6" if v6 else "", r.stdout, r.stderr))
        m = re.search(r"(\d+) received", r.stdout)
        self.assertEqual(int(m.group(1)), count, r.stdout)
        rtt = re.search(r"= [\d.]+/([\d.]+)/", r.stdout)
        print("  ping %s -> %s%s: avg rtt %s ms" % (src, dst, " (v6)" if v6 else "", rtt.group(1) if rtt else "?"))

    def assert_conserved(self):
        self.assertEqual(fabric.conservation_errors(fabric.stats()), [])

    def test_ping_between_vm_hosts_v4_v6_both_ways(self):
        for src, dst in (("vm0", "vm1"), ("vm1", "vm0")):
            self.ping(src, dst)
            self.ping(src, dst, v6=True)
        st = fabric.stats()
        # the packets went through the VM hosts' vhost-user ports
        for leaf in ("leaf0", "leaf1"):
            p = fabric.port(fabric.switch(st, leaf), 0)
            self.assertGreaterEqual(p["rx_packets"], 6, p)
            self.assertGreaterEqual(p["tx_packets"], 6, p)
        self.assertEqual(fabric.conservation_errors(st), [])

    def test_mixed_vm_and_namespace_hosts_reach_each_other(self):
        for src, dst in (("vm0", "ns1"), ("ns1", "vm0"), ("ns0", "vm1"), ("vm1", "ns0"), ("vm0", "ns0")):
            self.ping(src, dst, count=2)
        self.ping("ns0", "vm1", v6=True, count=2)
        self.assert_conserved()

    def test_jumbo_ping_with_df_between_vm_and_namespace_hosts(self):
        """mtu: 9000: 8972-byte pings with don't-fragment set (9014-byte
        frames) cross the fabric between guests, and between a guest and a
        namespace host; a byte more is refused by the sender itself."""
        before = fabric.stats()
        for src, dst in (("vm0", "vm1"), ("vm1", "ns0"), ("ns1", "vm0")):
            r = self.exec(src, "ping", "-c", "2", "-i", "0.2", "-W", "5", "-s", "8972", "-M", "do", ADDR[dst][0])
            self.assertEqual(r.returncode, 0, "%s -> %s: %s%s" % (src, dst, r.stdout, r.stderr))
            self.assertIn("2 received", r.stdout)
        r = self.exec("vm0", "ping", "-c", "1", "-W", "2", "-s", "8973", "-M", "do", ADDR["vm1"][0])
        self.assertNotEqual(r.returncode, 0)
        after = fabric.stats()
        for sw in after["switches"]:
            for p in sw["ports"]:
                self.assertEqual(p["drops"].get("mtu_exceeded", 0) + p["drops"].get("frame_too_long", 0), 0,
                                 "%s %s" % (sw["name"], p["name"]))
        self.assertEqual(fabric.conservation_errors(after), [])
        # the jumbo frames went through the guests' vhost-user ports
        self.assertGreater(fabric.port(fabric.switch(after, "leaf0"), 0)["rx_bytes"] -
                           fabric.port(fabric.switch(before, "leaf0"), 0)["rx_bytes"], 2 * 9014)

    def iperf3(self, server, client, seconds=4):
        # the server answers one test and exits (-1); -D returns at once
        r = self.exec(server, "iperf3", "-s", "-D", "-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        time.sleep(0.5)
        r = self.exec(client, "iperf3", "-c", ADDR[server][0], "-t", str(seconds), "-J", "--connect-timeout", "5000",
                      timeout=seconds + 60)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
        end = json.loads(r.stdout)["end"]
        recv = end["sum_received"]
        print("  iperf3 TCP %s -> %s: %.1f Mb/s, %d retransmits" % (client, server, recv["bits_per_second"] / 1e6,
                                                                    end["sum_sent"].get("retransmits", -1)))
        # a TCP flow with wrong checksums or offloads carries nothing
        self.assertGreater(recv["bytes"], 1000000)

    def test_iperf3_tcp_between_vm_and_namespace_hosts_both_ways(self):
        self.iperf3("vm0", "ns1")
        self.iperf3("ns0", "vm1")
        self.assert_conserved()

    def test_exec_returns_output_and_status_on_both_kinds_of_host(self):
        for host in ("vm0", "ns0"):
            r = self.exec(host, "sh", "-c", "echo out-$0; echo err >&2; exit 3", "x y")
            self.assertEqual((r.returncode, r.stdout, r.stderr), (3, "out-x y\n", "err\n"), host)
            r = self.exec(host, "true")
            self.assertEqual(r.returncode, 0)
        # the guest's own view: its hostname and its address from the topology
        self.assertEqual(self.exec("vm1", "hostname").stdout.strip(), "vm1")
        self.assertIn("10.0.1.2/24", self.exec("vm1", "ip", "-br", "addr", "show", "eth0").stdout)
        self.assertEqual(self.exec("vm0", "no-such-command-loom").returncode, 127)
        for host in ("vm0", "ns0"):
            r = loomctl("exec", host, "--timeout", "1", "--", "sleep", "30")
            self.assertEqual(r.returncode, 124, host)
            self.assertIn("timed out", r.stderr)
        r = loomctl("exec", "nohost", "--", "true")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no host 'nohost'", r.stderr)

    def test_exec_stdin_on_both_kinds_of_host(self):
        """--stdin: the command reads loomctl's stdin (a VM host's whole, in
        the agent's request); without it, /dev/null on both kinds."""
        import hashlib
        data = bytes(range(256)) * 100 + b"\0end"

        def run(host, *opts, stdin=data):
            return subprocess.run([fabric.LOOMCTL, "exec", host, "--timeout", "60", *opts, "--", *self.cmd],
                                  input=stdin, capture_output=True, timeout=120)
        for host in ("vm0", "ns0"):
            self.cmd = ["sha256sum"]
            r = run(host, "--stdin")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.split()[0].decode(), hashlib.sha256(data).hexdigest(), host)
            self.cmd = ["wc", "-c"]
            r = run(host)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, b"0"), host)
        # above the agent's limit (4 MiB a stream): refused before anything runs
        self.cmd = ["wc", "-c"]
        r = run("vm0", "--stdin", stdin=b"x" * ((4 << 20) + 1))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"stdin is longer than 4194304 bytes", r.stderr)
        r = run("vm0", "--stdin", stdin=b"x" * (4 << 20))
        self.assertEqual((r.returncode, r.stdout.strip()), (0, str(4 << 20).encode()), r.stderr)

    def test_guest_configured_like_a_namespace_host(self):
        r = self.exec("vm0", "tc", "qdisc", "show", "dev", "eth0")
        self.assertIn("tbf", r.stdout)
        self.assertIn("rate 1Gbit", r.stdout)
        r = self.exec("vm0", "ethtool", "-k", "eth0")
        self.assertRegex(r.stdout, r"tx-checksumming: off")
        self.assertRegex(r.stdout, r"tcp-segmentation-offload: off")
        self.assertIn("mtu 9000", self.exec("vm0", "ip", "link", "show", "eth0").stdout)
        self.assertIn("10.0.1.0/24 via 10.0.0.1 dev eth0", self.exec("vm0", "ip", "route").stdout)

    def ep_show(self, host):
        r = loomctl("endpoint", "show", host, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_endpoint_programs_in_a_guest(self):
        """docs/ENDPOINTS.md, VM hosts: loom-endpoint, run in the guest by
        the agent, attaches the eBPF programs to the guest's eth0 (the tc
        modules loaded from the image's kernel); per-packet entropy spreads
        one IPv6 TCP flow of a VM host over both of leaf0's uplinks; the
        guests' counters come back through `endpoint show` and `stats`."""
        # vm1's `endpoint: { measure: true }` was loaded by `loomctl up`
        shown = self.ep_show("vm1")
        self.assertEqual((shown["attached"], shown["lb"], shown["measure"]), (True, "off", True), shown)
        # detached at the end, failed or not: `stats` asks the guests that have programs
        self.addCleanup(loomctl, "endpoint", "set", "vm1", "--measure", "off")
        # bad input: a clear error, the guest as it was
        r = loomctl("endpoint", "set", "vm0", "--lb", "sideways")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown load-balancing mode 'sideways'", r.stderr)
        for loader, msg in (("/nonexistent/loom-endpoint", "no endpoint loader /nonexistent/loom-endpoint"),
                            (None, "could not be started in the guest")):
            if loader is None:  # a loader the guest finds (under the host's /tmp) but cannot run
                fd, loader = tempfile.mkstemp(prefix="loom-endpoint-")
                os.write(fd, b"#!/nonexistent/interpreter\n")
                os.close(fd)
                os.chmod(loader, 0o755)
                self.addCleanup(os.unlink, loader)
            r = subprocess.run([fabric.LOOMCTL, "endpoint", "set", "vm0", "--lb", "packet"], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, LOOM_ENDPOINT_LOADER=loader))
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn(msg, r.stderr)
        self.assertEqual(self.ep_show("vm0"), {"attached": False})

        t0 = time.monotonic()
        r = loomctl("endpoint", "set", "vm0", "--lb", "packet", "--measure", "on")
        set_s = time.monotonic() - t0
        self.assertEqual((r.returncode, r.stdout), (0, "vm0: lb packet, measure on\n"), r.stderr)
        self.assertIn("gso_max_segs 1 ", self.exec("vm0", "ip", "-d", "link", "show", "eth0").stdout)
        # the IPv6 group of leaf0 towards leaf1 (two members: the uplinks)
        routes = json.loads(loomctl("routes", "leaf0", "--json").stdout)
        group = next(r["group"] for r in routes["routes"] if r["prefix"].startswith("fd00:0:0:1::"))
        self.assertEqual(len(routes["groups"][group]), 2, routes)

        def members():
            sw = next(s for s in json.loads(loomctl("lb", "show", "--json").stdout)["switches"]
                      if s["switch"] == "leaf0")
            return [m["bytes"] for m in next(g for g in sw["groups"] if g["group"] == group)["members"]]

        def leaf1_reorder():
            sw = next(s for s in json.loads(loomctl("lb", "show", "--json").stdout)["switches"]
                      if s["switch"] == "leaf1")
            return next(r for r in sw["reorder"] if r["port"] == 0)["out_of_order"]

        before, ro_before, rx_before = members(), leaf1_reorder(), self.ep_show("vm1")["receiver"]
        self.assertEqual(self.exec("vm1", "iperf3", "-s", "-D", "-1").returncode, 0)
        time.sleep(0.5)
        r = self.exec("vm0", "iperf3", "-6", "-c", ADDR["vm1"][1], "-t", "3", "-J", "--connect-timeout", "5000",
                      timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
        end = json.loads(r.stdout)["end"]
        time.sleep(0.3)
        per_member = [b - a for a, b in zip(before, members())]
        t0 = time.monotonic()
        sender = self.ep_show("vm0")["sender"]
        show_s = time.monotonic() - t0
        rx = self.ep_show("vm1")["receiver"]
        host_ooo = rx["out_of_order"] - rx_before["out_of_order"]
        leaf_ooo = leaf1_reorder() - ro_before
        print("\n  endpoint programs in guests, iperf3 TCP/IPv6 vm0 -> vm1 sprayed (3 s): %.1f Mb/s, %d retransmits; "
              "leaf0 uplink bytes %s; vm0 sent %d packets, %d entropy changes; vm1 measured %d, %d out of order "
              "(leaf1: %d); set %.1f s, show %.1f s" % (end["sum_received"]["bits_per_second"] / 1e6, end["sum_sent"].get("retransmits", -1),
                               "/".join(map(str, per_member)), sender["packets"], sender["entropy_changes"],
                               rx["measured"] - rx_before["measured"], host_ooo, leaf_ooo, set_s, show_s))
        # one TCP flow, both uplinks: its packets carry new flow labels
        self.assertGreater(min(per_member), 0.2 * sum(per_member), per_member)
        self.assertGreater(sender["packets"], 1000, sender)
        self.assertGreater(sender["entropy_changes"], sender["packets"] // 2, sender)
        self.assertGreater(rx["measured"] - rx_before["measured"], 1000, rx)
        # what arrives late at the guest was late at leaf1's port to it (the guest may drop more)
        self.assertLessEqual(host_ooo, leaf_ooo)
        # attached: the options change the running configuration
        r = loomctl("endpoint", "set", "vm0", "--lb", "flowlet", "--flowlet-gap-us", "80")
        self.assertEqual((r.returncode, r.stdout), (0, "vm0: lb flowlet, measure on\n"), r.stderr)
        endpoints = json.loads(loomctl("stats", "--json").stdout).get("endpoints", {})
        self.assertEqual(sorted(endpoints), ["vm0", "vm1"])
        self.assertEqual((endpoints["vm0"]["lb"], endpoints["vm0"]["flowlet_gap_ns"]), ("flowlet", 80000))
        self.assertGreaterEqual(endpoints["vm0"]["sender"]["packets"], sender["packets"])  # the same programs

        r = loomctl("endpoint", "set", "vm0", "--lb", "off", "--measure", "off")
        self.assertEqual((r.returncode, r.stdout), (0, "vm0: lb off, measure off\n"), r.stderr)
        self.assertEqual(self.ep_show("vm0"), {"attached": False})
        self.assertEqual(self.exec("vm0", "tc", "filter", "show", "dev", "eth0", "egress").stdout, "")
        self.assertIn("gso_max_segs 65535 ", self.exec("vm0", "ip", "-d", "link", "show", "eth0").stdout)
        r = loomctl("endpoint", "set", "vm1", "--measure", "off")
        self.assertEqual((r.returncode, r.stdout), (0, "vm1: lb off, measure off\n"), r.stderr)
        self.assertEqual(json.loads(loomctl("stats", "--json").stdout).get("endpoints", {}), {})
        self.assert_conserved()

    def test_status_and_console(self):
        r = loomctl("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"VM host vm0 +alive \(QEMU pid \d+, (KVM|TCG)\)")
        # stdin stays open until the shell's answer came (a TCG guest may
        # take seconds), then ends: console then exits once it is quiet
        p = subprocess.Popen([fabric.LOOMCTL, "console", "vm1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(b"echo console-$((6*7))\n")
        p.stdin.flush()
        out, deadline = b"", time.monotonic() + 60
        os.set_blocking(p.stdout.fileno(), False)
        while b"console-42" not in out and time.monotonic() < deadline and p.poll() is None:
            select.select([p.stdout], [], [], 1)
            out += p.stdout.read() or b""
        p.stdin.close()
        self.assertEqual(p.wait(timeout=30), 0, p.stderr.read())
        p.stdout.close()
        p.stderr.close()
        self.assertIn(b"console-42", out)
        self.assertNotEqual(loomctl("console", "ns0").returncode, 0)

    def test_y_restart_after_kill_keeps_the_guests(self):
        """loomd killed (-9), then `loomctl restart` (docs/RESTART.md): the
        same QEMUs, guests not rebooted, each vhost-user port reconnected
        (loomd is the client) and reported, pings across the fabric again."""
        qemus = sorted(qemu_of_fabric())
        self.assertEqual(len(qemus), 2)
        up_before = float(self.exec("vm0", "cat", "/proc/uptime").stdout.split()[0])
        with open("/run/loom/state.json") as f:
            pid = json.load(f)["pid"]
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        t0 = time.monotonic()
        r = loomctl("restart", timeout=180)
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        links = re.findall(r"^VM host link (\S+) \((vm\d)\) up (\d+) ms after the restart began$", r.stdout, re.M)
        self.assertEqual(sorted(l[1] for l in links), ["vm0", "vm1"], r.stdout)
        outage = re.search(r"^outage: (\d+) ms", r.stdout, re.M)
        self.assertIsNotNone(outage, r.stdout)
        print("\n  restart after kill -9 with 2 VM hosts: outage %s ms until loomd forwarded; vhost-user links back "
              "after %s; loomctl restart %.1f s" % (outage.group(1), ", ".join("%s %s ms" % (l[1], l[2]) for l in links),
                                                     took))
        self.assertEqual(sorted(qemu_of_fabric()), qemus)  # the same guests
        up_after = float(self.exec("vm0", "cat", "/proc/uptime").stdout.split()[0])
        self.assertGreater(up_after, up_before)  # not rebooted
        self.ping("vm0", "vm1")
        self.ping("vm1", "ns0")
        self.ping("ns1", "vm0")
        self.assert_conserved()

    def test_zz_dead_vm_is_reported_and_down_leaves_nothing(self):
        # last (zz): kills a guest
        vms = json.loads(loomctl("status", "--json").stdout)["vms"]
        vm1 = next(v for v in vms if v["host"] == "vm1")
        self.assertTrue(vm1["alive"])
        os.kill(vm1["pid"], signal.SIGKILL)
        for _ in range(50):
            if not qemu_of_fabric() or vm1["pid"] not in qemu_of_fabric():
                break
            time.sleep(0.1)
        self.assertRegex(loomctl("status").stdout, r"VM host vm1 +DEAD")
        r = loomctl("down")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(qemu_of_fabric(), [])
        self.assertFalse(os.path.exists(VM_BASE + "/vmfab-vm0"))
        self.assertFalse(os.path.exists(VM_BASE + "/vmfab-vm1"))
        self.assertEqual(fabric.leftovers(), [])


if __name__ == "__main__":
    unittest.main()
