"""`loomctl routes` shows the routes loomd forwards with now, not the
configured ones (docs/FAULTS.md): a leaf uplink taken down shrinks the
leaf's ECMP group (local repair), the spine behind it withdraws the leaf's
subnet and the other leaf thins its route to the spine that still reaches
(global repair); with the link back up every route is as configured again.
Real time, namespace hosts (tests/fabric/faults.yaml: detection 3 x 10 ms,
repair 20 ms later); each state is waited for, at most 10 s."""
import json
import os
import time
import unittest

import fabric as fx

TOPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faults.yaml")
LEAF0_NET, LEAF1_NET = "10.0.0.0/24", "10.0.1.0/24"


def routes(sw):
    return json.loads(fx.loomctl("routes", sw, "--json").stdout)


def route(sw, prefix):
    (r,) = [r for r in routes(sw)["routes"] if r["prefix"] == prefix]
    return r


def members(r):
    """{port: state} of a route's members."""
    return {m["port"]: m["state"] for m in r["members"]}


class LiveRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fx.loomctl("down")
        fx.loomctl("up", TOPO)
        (cls.a,) = [h for h in fx.hosts(TOPO) if h[1] == "leaf0"]
        (cls.b,) = [h for h in fx.hosts(TOPO) if h[1] == "leaf1"]

    @classmethod
    def tearDownClass(cls):
        fx.loomctl("link", "leaf0:1", "up", check=False)
        fx.loomctl("down", check=False)

    def wait_for(self, sw, prefix, state, timeout=10):
        """The route once its state is `state` (fails after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            r = route(sw, prefix)
            if r["state"] == state or time.monotonic() > deadline:
                self.assertEqual(r["state"], state, "%s %s: %s" % (sw, prefix, r))
                return r
            time.sleep(0.05)

    def assert_as_configured(self):
        r = self.wait_for("leaf0", LEAF1_NET, "as_configured")
        self.assertEqual(members(r), {1: "in_use", 2: "in_use"})
        self.assertEqual(r["group"], r["configured_group"])
        r = self.wait_for("spine0", LEAF0_NET, "as_configured")
        self.assertEqual(list(members(r).values()), ["in_use"])
        r = self.wait_for("leaf1", LEAF0_NET, "as_configured")
        self.assertEqual(sorted(members(r).values()), ["in_use", "in_use"])
        self.assertEqual(r["group"], r["configured_group"])

    def test_uplink_down_and_back(self):
        self.assert_as_configured()
        text = fx.loomctl("routes", "leaf0").stdout
        self.assertIn("routes of leaf0, live", text)
        self.assertRegex(text, r"10\.0\.1\.0/24\s+\d+ ecmp\s+port 1 -> spine0\S*\n\s+port 2 -> spine1\S*\n")

        fx.loomctl("link", "leaf0:1", "down")
        try:
            # leaf0: the group shrinks to spine1 (the switch detected its link down)
            r = self.wait_for("leaf0", LEAF1_NET, "repaired")
            self.assertEqual(members(r), {1: "down", 2: "in_use"})
            self.assertEqual([m["link"] for m in r["members"] if m["port"] == 1], ["down"])
            text = fx.loomctl("routes", "leaf0").stdout
            self.assertRegex(text, r"10\.0\.1\.0/24\s+.*\n?.*port 1 -> spine0\S*\s+OUT: link down")
            self.assertRegex(text, r"\d+ routes: \d+ as configured, [1-9]\d* repaired")
            # spine0 reaches leaf0 no more: withdrawn; leaf1 keeps spine1 only
            r = self.wait_for("spine0", LEAF0_NET, "withdrawn")
            self.assertIsNone(r["group"])
            self.assertIn("WITHDRAWN", fx.loomctl("routes", "spine0").stdout)
            r = self.wait_for("leaf1", LEAF0_NET, "repaired")
            self.assertEqual(sorted(members(r).values()), ["in_use", "withdrawn"])
            self.assertNotEqual(r["group"], r["configured_group"])  # a spare group of one
            # and forwarding agrees: h(leaf0) still reaches h(leaf1)
            fx.in_host(self.a[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", self.b[2], timeout=30)
        finally:
            fx.loomctl("link", "leaf0:1", "up")
        self.assert_as_configured()
        self.assertEqual(fx.conservation_errors(fx.stats()), [])

    def test_bad_requests_get_errors(self):
        for req in ('{"cmd": "routes"}', '{"cmd": "routes", "switch": "nope"}', '{"cmd": "routes", "switch": 3}'):
            r = fx.loomctl("raw", req, check=False)
            self.assertEqual(r.returncode, 1, req)
            self.assertIn('"ok": false', r.stdout, req)
        self.assertEqual(route("leaf0", LEAF1_NET)["configured_group"], route("leaf0", LEAF1_NET)["group"])

    def test_topo_flag_says_configured(self):
        out = fx.loomctl("routes", "leaf0", "--topo", TOPO).stdout
        self.assertIn("configured routes, computed from", out)


if __name__ == "__main__":
    unittest.main()
