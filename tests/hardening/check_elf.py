"""The hardening flags of meson.build are in loomd's and loomctl's ELF, so
that they cannot silently go (a changed flag, a target built without the
project's arguments):
- full RELRO: a GNU_RELRO segment and BIND_NOW (-Wl,-z,relro -Wl,-z,now);
- stack canaries: __stack_chk_fail referenced (-fstack-protector-strong);
- _FORTIFY_SOURCE=2: glibc's checked functions (__*_chk) referenced, unless
  the build has no fortification (a sanitizer build or -O0: --no-fortify).

  check_elf.py [--no-fortify] BINARY...
"""
import argparse
import re
import subprocess
import sys
import unittest

ARGS = None


def readelf(*args):
    return subprocess.run(["readelf", "-W"] + list(args), capture_output=True, text=True, check=True).stdout


class Hardening(unittest.TestCase):
    def each(self, check):
        for path in ARGS.binaries:
            with self.subTest(binary=path):
                check(path)

    def test_full_relro(self):
        def check(path):
            self.assertRegex(readelf("-l", path), r"\bGNU_RELRO\b", "%s: no GNU_RELRO segment" % path)
            dyn = readelf("-d", path)
            self.assertTrue(re.search(r"\(FLAGS\).*\bBIND_NOW\b", dyn) or re.search(r"\(FLAGS_1\).*\bNOW\b", dyn),
                            "%s: not bound at start (no BIND_NOW): partial RELRO" % path)
        self.each(check)

    def test_stack_protector(self):
        def check(path):
            self.assertTrue(re.search(r"\b__stack_chk_fail\b", readelf("--dyn-syms", path)),
                            "%s: no stack canaries (__stack_chk_fail not referenced)" % path)
        self.each(check)

    def test_fortify_source(self):
        if ARGS.no_fortify:
            self.skipTest("build without _FORTIFY_SOURCE (sanitizer or -O0)")

        def check(path):
            chk = set(re.findall(r"\b(__\w+_chk)\b", readelf("--dyn-syms", path))) - {"__stack_chk_fail"}
            self.assertTrue(chk, "%s: no checked functions (__*_chk): _FORTIFY_SOURCE is off" % path)
        self.each(check)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-fortify", action="store_true")
    ap.add_argument("binaries", nargs="+")
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
