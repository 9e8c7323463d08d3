"""What the virtual-time test files share: a test case with its own
temporary directory, the switches-conserve check, and lookups in a
results file (loomctl run's JSON)."""
import tempfile
import unittest


class VirtualCase(unittest.TestCase):
    """self.dir: a temporary directory for the test's files, removed after."""
    TMP_PREFIX = "loom-vt-test-"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix=self.TMP_PREFIX)
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def assert_switches_conserved(self, r):
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], "switch %s does not conserve: %s" % (sw["name"], sw))


def switch(r, name):
    return next(sw for sw in r["switches"] if sw["name"] == name)


def port(r, sw, name):
    return next(p for p in switch(r, sw)["ports"] if p["name"] == name)


def host(r, name):
    return next(h for h in r["hosts"] if h["name"] == name)
