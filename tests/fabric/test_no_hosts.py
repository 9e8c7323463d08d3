"""`loomctl up --no-hosts`: no namespace is created, and loomd attaches
each namespace host's port to the root-side interface lmh<host>p<port>
that the user brings. A missing one is refused before anything starts,
naming the host and the interface (loomd used to fail inside the af_packet
driver, its log saying only "ioctl failed (SIOCGIFINDEX)"); with the
interfaces there the fabric comes up on them and `down` leaves them.
"""
import os
import unittest

import fabric as fx

TOPO = os.path.join(fx.TOPOLOGIES, "default.yaml")
HOSTS = 8


def links():
    return fx.run("ip", "-o", "link", "show").stdout


class NoHosts(unittest.TestCase):
    def setUp(self):
        fx.loomctl("down")
        self.addCleanup(fx.loomctl, "down", check=False)

    def remove_interfaces(self):
        for h in range(HOSTS):
            fx.run("ip", "link", "del", "lmh%dp0" % h, check=False)

    def test_missing_interfaces_are_named_and_nothing_starts(self):
        self.remove_interfaces()
        p = fx.loomctl("up", TOPO, "--no-hosts", check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("host h0's interface lmh0p0 does not exist", p.stderr)
        self.assertIn("8 host interfaces are missing", p.stderr)
        self.assertNotIn("af_packet", p.stderr)
        self.assertNotEqual(fx.loomctl("status", check=False).returncode, 0)
        self.assertNotIn("loom-h0", fx.run("ip", "netns", "list").stdout)

    def test_up_on_interfaces_the_user_made(self):
        self.addCleanup(self.remove_interfaces)
        for h in range(HOSTS):
            fx.run("ip", "link", "add", "lmh%dp0" % h, "type", "veth", "peer", "name", "lmx%dp0" % h)
            fx.run("ip", "link", "set", "lmh%dp0" % h, "up")
            fx.run("ip", "link", "set", "lmx%dp0" % h, "up")
        p = fx.loomctl("up", TOPO, "--no-hosts")
        self.assertIn("6 switches, 0 hosts", p.stdout)
        self.assertNotIn("loom-h0", fx.run("ip", "netns", "list").stdout)
        st = fx.stats()
        leaf0 = next(s for s in st["switches"] if s["name"] == "leaf0")
        self.assertIn(0, [p["index"] for p in leaf0["ports"]])
        fx.loomctl("down")
        self.assertIn("lmh0p0", links())   # the user's, kept


if __name__ == "__main__":
    unittest.main()
