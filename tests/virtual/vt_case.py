"""What the virtual-time test files share: a test case with its own
temporary directory (per test, or per class for runs several tests read),
the switches-conserve check, and lookups in a results file (loomctl run's
JSON)."""
import tempfile
import unittest


TMP_PREFIX = "loom-vt-test-"


class _Checks:
    def assert_switches_conserved(self, r):
        for sw in r["switches"]:
            self.assertTrue(sw["conserved"], "switch %s does not conserve: %s" % (sw["name"], sw))


class VirtualCase(_Checks, unittest.TestCase):
    """self.dir: a temporary directory for the test's files, removed after."""
    TMP_PREFIX = TMP_PREFIX

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix=self.TMP_PREFIX)
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()


class VirtualClassCase(_Checks, unittest.TestCase):
    """VirtualCase's twin for runs made once and read by several tests:
    cls.dir, one temporary directory for the whole class, removed after its
    last test. A subclass's setUpClass calls this one first."""
    TMP_PREFIX = TMP_PREFIX

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix=cls.TMP_PREFIX)
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()


def switch(r, name):
    return next(sw for sw in r["switches"] if sw["name"] == name)


def port(r, sw, name):
    return next(p for p in switch(r, sw)["ports"] if p["name"] == name)


def host(r, name):
    return next(h for h in r["hosts"] if h["name"] == name)
