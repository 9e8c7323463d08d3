"""`loomctl up` interrupted by SIGTERM (control/loomctl/fabric_up.c): the step
under way ends, `up` removes what it created, says so and exits 1; `down`
afterwards finds nothing left: no namespace, veth, loomd or run directory
(fabric.leftovers). Two moments: as soon as the first host namespace exists
(the host script running), and once loomd's pid is in the state file
(loomd starting). Before this, a SIGTERM in the first moment killed loomctl
while its script went on creating namespaces, and in the second one could
leave a loomd that no state file named.
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


if __name__ == "__main__":
    unittest.main()
