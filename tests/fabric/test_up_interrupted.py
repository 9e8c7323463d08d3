"""`loomctl up` interrupted by SIGTERM (control/loomctl/fabric_up.c): the step
under way ends, `up` removes what it created, says so and exits 1; `down`
afterwards finds nothing left: no namespace, veth, loomd or run directory
(fabric.leftovers). Two moments: as soon as the first host namespace exists
(the host script running), and once loomd's pid is in the state file
(loomd starting). Before this, a SIGTERM in the first moment killed loomctl
while its script went on creating namespaces, and in the second one could
leave a loomd that no state file named.

And SIGKILL, which nothing catches, at the worst moment: loomd started,
its pid not yet in the state file (loomctl stopped by gdb at the return of
loomd_start, then killed). The started process wrote its own pid to
/run/loom/loomd.pid before it became loomd (control/loomctl/loomd_process.c),
so `down` stops it and leaves nothing; before, that loomd ran on unrecorded.
"""
import json
import os
import signal
import subprocess
import time
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
STATE = "/run/loom/state.json"
PID_FILE = "/run/loom/loomd.pid"


def first_namespace():
    try:
        return any(n.startswith("loom-") for n in os.listdir("/run/netns"))
    except FileNotFoundError:
        return False


def loomd_pid_recorded():
    try:
        with open(STATE) as f:
            return json.load(f).get("pid", 0) > 0
    except (OSError, ValueError):
        return False


def running(pid):
    """pid exists and is not a zombie (an orphaned loomd's parent is init)"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


class UpInterrupted(unittest.TestCase):
    def setUp(self):
        fx.loomctl("down")
        self.addCleanup(fx.loomctl, "down", check=False)
        self.assertEqual(fx.leftovers(), [])

    def interrupt_when(self, ready, what):
        p = subprocess.Popen([fx.LOOMCTL, "up", TOPO], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not ready() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        self.assertIsNone(p.poll(), "up ended before %s" % what)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 1, out + err)
        self.assertIn("interrupted by Terminated: removing what it created", err)
        self.assertIn("is down", out)
        self.assertEqual(fx.leftovers(), [], "after the interrupted up")
        d = fx.loomctl("down")
        self.assertIn("no fabric is up", d.stdout)
        self.assertEqual(fx.leftovers(), [], "after down")

    def test_sigterm_while_namespaces_are_created(self):
        self.interrupt_when(first_namespace, "the first namespace")

    def test_sigterm_while_loomd_starts(self):
        self.interrupt_when(loomd_pid_recorded, "loomd's pid in the state file")


    def test_sigkill_before_loomd_pid_saved(self):
        # loomctl under gdb: stopped where loomd_start returns (loomd forked,
        # its pid not yet saved), then killed (gdb's kill: SIGKILL)
        g = subprocess.run(["gdb", "-batch", "-nx", "-ex", "set pagination off", "-ex", "break loomd_start",
                            "-ex", "run", "-ex", "finish", "-ex", "kill", "--args", fx.LOOMCTL, "up", TOPO],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertIn("Breakpoint 1, ", g.stdout, g.stdout)  # stopped in loomd_start
        self.assertIn(" in cmd_up ", g.stdout, g.stdout)  # back in up, after the fork
        self.assertIn("killed", g.stdout, g.stdout)
        self.assertNotIn("is up", g.stdout, g.stdout)
        with open(STATE) as f:
            self.assertFalse(json.load(f).get("pid"), "the state file got the pid: the window was missed")
        with open(PID_FILE) as f:
            pid = int(f.read())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # exec'd and running as loomd
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "loomd":
                    break
            time.sleep(0.01)
        self.assertIn("loomd pid %d" % pid, fx.leftovers())
        fx.loomctl("down")
        self.assertFalse(running(pid), "loomd %d still runs after down" % pid)
        self.assertEqual(fx.leftovers(), [], "after down")


if __name__ == "__main__":
    unittest.main()
