# SPDX-License-Identifier: BSD-3-Clause
"""VM guests (docs/VMS.md): the guest image, the launcher and the guest agent.

Builds the image with vm/guest/build-image.sh when missing, boots a guest
without NIC through loom-vm (qemu_launch.c), waits until its agent answers
over virtio-serial, runs commands there (argv, no shell), stops it and
checks that no QEMU process, socket or file is left.

LOOM_VM_BOOT_RUNS=N boots N more times and prints each boot-to-agent-ready
time. Unless LOOM_VM_TESTPMD=0 (or without dpdk-testpmd), it also boots a
guest with one vhost-user NIC (MTU 9000) against dpdk-testpmd (macswap,
--no-huge) and checks packets, jumbo ones too, both ways.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build"))
LOOM_VM = os.path.join(BUILD, "vm", "guest", "loom-vm")
AGENT = os.path.join(BUILD, "vm", "guest", "agent", "loom-guest-agent")
BUILD_IMAGE = os.path.join(ROOT, "vm", "guest", "build-image.sh")
READY_TIMEOUT_MS = 180000  # TCG on a busy 2-core machine
RUN_BASE = "/run/loom-vm"

_image = None


def image():
    """The guest image directory (built on first use)."""
    global _image
    if _image is None:
        out = subprocess.run([BUILD_IMAGE, "--quiet"], check=True, stdout=subprocess.PIPE, text=True).stdout
        _image = out.strip().splitlines()[-1]
    return _image


def loom_vm(*args, stdin=None, timeout=300):
    return subprocess.run([LOOM_VM, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def qemu_processes(run_dir):
    """Live (not zombie) processes whose command line names run_dir."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if run_dir.encode() in cmd and state not in ("Z", "X"):
            found.append(int(pid))
    return found


class Guest:
    """One guest started with loom-vm; boot_s is start-to-agent-ready."""

    def __init__(self, name, nics=(), wait=True):
        self.name = name
        self.run_dir = os.path.join(RUN_BASE, name)
        if os.path.exists(self.run_dir):
            loom_vm("stop", name)
        args = ["start", name, "--image", image(), "--agent", AGENT]
        for n in nics:
            args += ["--nic", n]
        t0 = time.monotonic()
        r = loom_vm(*args)
        if r.returncode != 0:
            raise RuntimeError("loom-vm start: " + r.stderr.decode())
        self.pid = int(r.stdout.split()[0])
        self.t0 = t0
        if wait:
            self.wait_ready()

    def wait_ready(self):
        r = loom_vm("ready", self.name, "--timeout", str(READY_TIMEOUT_MS), timeout=READY_TIMEOUT_MS / 1000 + 30)
        self.boot_s = time.monotonic() - self.t0
        if r.returncode != 0:
            log = self.console_tail()
            self.stop()
            raise RuntimeError("guest not ready: %s\nconsole:\n%s" % (r.stderr.decode(), log))
        self.ready_line = r.stdout.decode().strip()

    def console_tail(self):
        try:
            with open(os.path.join(self.run_dir, "console.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def exec(self, *argv, stdin=None, timeout_ms=60000):
        return loom_vm("exec", self.name, "--timeout", str(timeout_ms), *(["--stdin"] if stdin is not None else []),
                       "--", *argv, stdin=stdin, timeout=timeout_ms / 1000 + 60)

    def stop(self):
        if not os.path.exists(self.run_dir):  # stopped already
            return subprocess.CompletedProcess([], 0, b"", b"")
        return loom_vm("stop", self.name)


class TestGuest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.guest = Guest("test-guest")
        print("\nboot to agent-ready: %.1f s (%s)" % (cls.guest.boot_s, cls.guest.ready_line))

    @classmethod
    def tearDownClass(cls):
        g = cls.guest
        r = g.stop()
        assert r.returncode == 0, r.stderr
        assert not qemu_processes(g.run_dir), "QEMU still running: %s" % qemu_processes(g.run_dir)
        assert not os.path.exists(g.run_dir), "run directory left: %s" % os.listdir(g.run_dir)
        assert not os.path.exists(RUN_BASE) or os.listdir(RUN_BASE), "empty %s left" % RUN_BASE

    def test_uname_is_the_image_kernel(self):
        with open(os.path.join(image(), "kernel.release")) as f:
            release = f.read().strip()
        r = self.guest.exec("uname", "-r")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().strip(), release)

    def test_cmdline(self):
        r = self.guest.exec("cat", "/proc/cmdline")
        self.assertEqual(r.returncode, 0, r.stderr)
        cmdline = r.stdout.decode()
        self.assertIn("loom.agent=" + AGENT, cmdline)
        self.assertIn("loom.name=test-guest", cmdline)
        self.assertIn("console=ttyS0", cmdline)

    def test_exit_status_and_stderr(self):
        r = self.guest.exec("sh", "-c", "echo to-out; echo to-err >&2; exit 3")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, b"to-out\n")
        self.assertEqual(r.stderr, b"to-err\n")

    def test_argv_is_not_a_shell_string(self):
        r = self.guest.exec("echo", "a b;", "$HOME", "`x`")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"a b; $HOME `x`\n")

    def test_stdin(self):
        data = bytes(range(256)) * 100
        r = self.guest.exec("sha256sum", stdin=data)
        self.assertEqual(r.returncode, 0, r.stderr)
        import hashlib
        self.assertEqual(r.stdout.split()[0].decode(), hashlib.sha256(data).hexdigest())

    def test_missing_command(self):
        r = self.guest.exec("/nonexistent/command")
        self.assertEqual(r.returncode, 127)
        self.assertIn(b"No such file", r.stderr)

    def test_timeout_kills(self):
        r = self.guest.exec("sleep", "30", timeout_ms=1000)
        self.assertEqual(r.returncode, 124)
        self.assertIn(b"timed out", r.stderr)

    def test_python_scapy(self):
        r = self.guest.exec("/usr/bin/python3", "-c", "import scapy; print(scapy.VERSION)", timeout_ms=180000)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"^\d+\.\d+")

    def test_network_tools(self):
        """ip, ethtool and tc (a tbf, whose module the guest kernel loads on demand) from the host's root."""
        g = self.guest
        r = g.exec("ip", "-j", "link", "show", "lo")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)[0]["ifname"], "lo")
        r = g.exec("ethtool", "-k", "lo")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"tx-checksumming", r.stdout)
        r = g.exec("tc", "qdisc", "replace", "dev", "lo", "root", "tbf", "rate", "100mbit", "burst", "16k",
                   "latency", "20ms")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = g.exec("tc", "qdisc", "show", "dev", "lo")
        self.assertIn(b"tbf", r.stdout)
        g.exec("tc", "qdisc", "del", "dev", "lo", "root")
        r = g.exec("ping", "-c", "1", "-W", "5", "127.0.0.1")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_serial_console_shell(self):
        """console.sock (for `loomctl console`): a shell on the guest's ttyS0."""
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.path.join(self.guest.run_dir, "console.sock"))
        s.settimeout(1)
        got = b""
        deadline = time.monotonic() + 60
        try:
            while b"LOOM-CONSOLE-42" not in got and time.monotonic() < deadline:
                s.sendall(b"echo LOOM-CONSOLE-$((6*7))\n")
                try:
                    while True:
                        got += s.recv(4096)
                except socket.timeout:
                    pass
        finally:
            s.close()
        self.assertIn(b"LOOM-CONSOLE-42", got)

    def test_writable_tmp_read_only_root(self):
        g = self.guest
        self.assertEqual(g.exec("sh", "-c", "echo x > /tmp/f && cat /tmp/f").stdout, b"x\n")
        self.assertEqual(g.exec("touch", "/var/tmp/f").returncode, 0)
        r = g.exec("touch", "/etc/loom-guest-must-not-write")
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists("/etc/loom-guest-must-not-write"))


class TestErrors(unittest.TestCase):
    """Clear errors before anything starts, nothing left behind."""

    def test_missing_image(self):
        r = loom_vm("start", "test-bad", "--image", "/nonexistent-image", "--agent", AGENT)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"guest kernel /nonexistent-image/vmlinuz", r.stderr)
        self.assertIn(b"build-image.sh", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(RUN_BASE, "test-bad")))

    def test_missing_qemu(self):
        r = loom_vm("start", "test-bad", "--image", image(), "--agent", AGENT, "--qemu", "/nonexistent/qemu")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"QEMU /nonexistent/qemu", r.stderr)
        self.assertIn(b"qemu-system-x86", r.stderr)

    def test_bad_name_and_mac(self):
        r = loom_vm("start", "../x", "--image", image(), "--agent", AGENT)
        self.assertIn(b"VM name", r.stderr)
        r = loom_vm("start", "test-bad", "--image", image(), "--agent", AGENT, "--nic", "n0.sock,mac=01:00:00:00:00:01")
        self.assertIn(b"not a unicast MAC", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(RUN_BASE, "test-bad")))

    def test_run_dir_under_a_symlink_is_refused(self):
        """A link anywhere on the run directory's path: nothing is made
        at its target (api/loom_open_nofollow.h), and nothing starts."""
        with tempfile.TemporaryDirectory() as tmp:
            real = os.path.join(tmp, "real")
            os.mkdir(real)
            os.symlink(real, os.path.join(tmp, "link"))
            r = loom_vm("start", "test-bad", "--image", image(), "--agent", AGENT, "--run-dir",
                        os.path.join(tmp, "link", "run"))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(b"cannot create the run directory", r.stderr)
            self.assertEqual(os.listdir(real), [])
            self.assertEqual(qemu_processes(os.path.join(tmp, "link", "run")), [])

    def test_dry_run_argv(self):
        r = loom_vm("start", "test-dry", "--image", image(), "--agent", AGENT, "--accel", "tcg", "--nic",
                    "n0.sock,mac=52:54:00:00:00:01,mtu=9000", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        argv = r.stdout.decode().splitlines()
        self.assertIn("memory-backend-memfd,id=loom-mem,size=512M,share=on", argv)
        self.assertEqual(argv[argv.index("-cpu") + 1], "max")
        self.assertIn("socket,id=nic0,path=%s/test-dry/n0.sock,server=on,wait=off" % RUN_BASE, argv)
        self.assertIn("virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01,vectors=0,romfile=,host_mtu=9000", argv)
        self.assertFalse(os.path.exists(os.path.join(RUN_BASE, "test-dry")))

    def test_tap_nic(self):
        """A NIC on a kernel tap (a machine's underlay, vm/machine/loom-vm-machine):
        QEMU opens the tap by name, no socket; a name that is not an interface
        name is refused before anything starts."""
        r = loom_vm("start", "test-dry", "--image", image(), "--agent", AGENT, "--accel", "tcg", "--tap",
                    "lmvt0,mtu=1550", "--nic", "n1.sock", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        argv = r.stdout.decode().splitlines()
        self.assertIn("tap,id=net0,ifname=lmvt0,script=no,downscript=no", argv)
        self.assertEqual(argv[argv.index("tap,id=net0,ifname=lmvt0,script=no,downscript=no") + 2][:37],
                         "virtio-net-pci,netdev=net0,mac=52:54:")
        self.assertTrue(argv[argv.index("tap,id=net0,ifname=lmvt0,script=no,downscript=no") + 2].endswith(
            ",host_mtu=1550"))
        self.assertIn("vhost-user,id=net1,chardev=nic1", argv)
        for bad in ("a,b", "much-too-long-name0", "-x", "x y", "tap$1"):
            r = loom_vm("start", "test-bad", "--image", image(), "--agent", AGENT, "--tap", bad, "--dry-run")
            self.assertNotEqual(r.returncode, 0, bad)
            if "," not in bad:
                self.assertIn(b"tap '", r.stderr, bad)
        self.assertFalse(os.path.exists(os.path.join(RUN_BASE, "test-bad")))
        self.assertFalse(os.path.exists(os.path.join(RUN_BASE, "test-dry")))


@unittest.skipUnless(int(os.environ.get("LOOM_VM_BOOT_RUNS", "0")) > 0, "LOOM_VM_BOOT_RUNS=N to measure boots")
class TestBootTime(unittest.TestCase):
    def test_boot_times(self):
        times = []
        for i in range(int(os.environ["LOOM_VM_BOOT_RUNS"])):
            g = Guest("test-boot")
            times.append(g.boot_s)
            self.assertEqual(g.stop().returncode, 0)
            self.assertFalse(qemu_processes(g.run_dir))
            print("\nboot %d to agent-ready: %.1f s (%s)" % (i + 1, g.boot_s, g.ready_line))
        print("boot to agent-ready, %d runs: min %.1f s, median %.1f s, max %.1f s" % (
            len(times), min(times), sorted(times)[len(times) // 2], max(times)))


TESTPMD = "/usr/bin/dpdk-testpmd"


@unittest.skipIf(os.environ.get("LOOM_VM_TESTPMD") == "0" or not os.path.exists(TESTPMD),
                 "no dpdk-testpmd, or LOOM_VM_TESTPMD=0")
class TestVhostUserNic(unittest.TestCase):
    """The layout loomd will use: QEMU serves the vhost-user socket, DPDK's net_vhost connects as client."""

    def test_packets_both_ways(self):
        self.assertTrue(os.path.exists(TESTPMD), "dpdk-testpmd missing (package dpdk)")
        # QEMU's vhost-user netdev waits for its backend's first connection
        # before the guest runs: start the backend, then wait for the agent.
        g = Guest("test-nic", nics=["nic0.sock,mac=52:54:00:12:34:56,mtu=9000"], wait=False)
        sock = os.path.join(g.run_dir, "nic0.sock")
        pmd = subprocess.Popen(
            [TESTPMD, "-l", "0,1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", "loom-vm-test",
             "--vdev", "net_vhost0,iface=%s,client=1" % sock, "--", "--forward-mode=macswap", "--auto-start",
             "--total-num-mbufs=2048", "--nb-cores=1", "--mbuf-size=10240", "--max-pkt-len=9018"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            g.wait_ready()
            print("\nboot to agent-ready with a vhost-user NIC: %.1f s" % g.boot_s)
            r = g.exec("ip", "link", "set", "eth0", "mtu", "9000", "up")
            self.assertEqual(r.returncode, 0, r.stderr)
            ok = False
            for _ in range(100):  # wait for the guest's link (the backend connected)
                r = g.exec("cat", "/sys/class/net/eth0/carrier")
                if r.stdout.strip() == b"1":
                    ok = True
                    break
                time.sleep(0.5)
            self.assertTrue(ok, "eth0 has no carrier")
            for argv in (["ip", "addr", "add", "10.99.0.1/24", "dev", "eth0"],
                         ["ethtool", "-K", "eth0", "tx", "off", "tso", "off"],
                         ["tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "1gbit", "burst", "32k",
                          "latency", "20ms"],
                         ["ip", "neigh", "replace", "10.99.0.2", "lladdr", "02:00:00:00:00:02", "dev", "eth0"]):
                r = g.exec(*argv)
                self.assertEqual(r.returncode, 0, "%s: %s" % (argv, r.stderr))
            # macswap sends each echo request back to the guest: counted both ways
            g.exec("ping", "-c", "10", "-i", "0.2", "-W", "1", "10.99.0.2", timeout_ms=30000)
            # jumbo: the NIC's host_mtu=9000, 9014-byte frames with DF set
            g.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", "-s", "8972", "-M", "do", "10.99.0.2", timeout_ms=30000)
            r = g.exec("ip", "-j", "-s", "link", "show", "eth0")
            st = json.loads(r.stdout)[0]["stats64"]
            print("\nguest eth0: tx %d packets %d bytes, rx %d packets %d bytes" % (
                st["tx"]["packets"], st["tx"]["bytes"], st["rx"]["packets"], st["rx"]["bytes"]))
            self.assertGreaterEqual(st["tx"]["packets"], 13)
            self.assertGreaterEqual(st["rx"]["packets"], 13)
            self.assertGreaterEqual(st["tx"]["bytes"], 3 * 9014)
            self.assertGreaterEqual(st["rx"]["bytes"], 3 * 9014)
        finally:
            out, _ = pmd.communicate(b"\n", timeout=60)
            # testpmd's EAL runtime folder: the fabric tests check that
            # nothing of DPDK's is left behind
            shutil.rmtree("/var/run/dpdk/loom-vm-test", ignore_errors=True)
            self.assertEqual(g.stop().returncode, 0)
        text = out.decode(errors="replace")
        rx = [int(x) for x in re.findall(r"RX-packets:\s+(\d+)", text)]
        tx = [int(x) for x in re.findall(r"TX-packets:\s+(\d+)", text)]
        print("testpmd: RX-packets %s, TX-packets %s" % (rx, tx))
        self.assertTrue(rx and max(rx) >= 13, text[-2000:])
        self.assertTrue(tx and max(tx) >= 13, text[-2000:])
        self.assertFalse(os.path.exists(sock))
        self.assertFalse(qemu_processes(g.run_dir))


if __name__ == "__main__":
    unittest.main()
