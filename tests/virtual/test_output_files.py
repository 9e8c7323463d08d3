"""Files and processes as root (api/loom_output_file.c, control/shell/):

  - `loomctl run --out` onto a symlink is refused and the link's target
    is untouched; a new results file is 0644; an existing regular file is
    replaced; a FIFO in its place is refused (not written, no hang);
  - a workload whose CDF names /etc/passwd is an error that names the file
    and line, without its content;
  - `loomctl workload iperf3 --out` with shell metacharacters: the script
    gives the shell the name literally, and nothing in it runs.

Runs `loomctl` from $LOOM_BUILD (default ./build); loomd runs need root.
"""
import os
import stat
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
BUILD = os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")
TOPO = os.path.join(HERE, "two_switch.yaml")


def loomctl(*args, timeout=300):
    return subprocess.run([LOOMCTL] + list(args), capture_output=True, text=True, timeout=timeout)


class ResultsFileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="loom-out-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.tmp])

    def test_symlink_refused_target_untouched(self):
        target = os.path.join(self.tmp, "precious")
        with open(target, "w") as f:
            f.write("keep me\n")
        link = os.path.join(self.tmp, "results.json")
        os.symlink(target, link)
        p = loomctl("run", TOPO, "--out", link)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("symbolic link", p.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), "keep me\n")
        self.assertTrue(os.path.islink(link))

    def test_new_file_0644_existing_replaced(self):
        out = os.path.join(self.tmp, "r.json")
        p = loomctl("run", TOPO, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode) & 0o777, 0o644 & ~current_umask())
        with open(out) as f:
            first = f.read()
        with open(out, "w") as f:
            f.write("x" * (len(first) * 2))   # longer than the results: truncated, not overlaid
        p = loomctl("run", TOPO, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            self.assertEqual(f.read(), first)

    def test_fifo_refused(self):
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        p = loomctl("run", TOPO, "--out", fifo, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        # no reader: ENXIO at open; with one it would be "not a regular file"
        self.assertIn(fifo + ": ", p.stderr)


class CaptureCapTest(unittest.TestCase):
    """A cell capture with max_bytes: whole pcapng blocks up to the cap,
    then nothing, said once on stderr; a symlink in its place refused."""

    def topo(self, capture):
        with open(os.path.join(HERE, "cell_incast.yaml")) as f:
            text = f.read()
        return text.replace("mode: cell\n", "mode: cell\ncell:\n  capture: %s\n" % capture)

    def run_topo(self, text, tmp):
        path = os.path.join(tmp, "t.yaml")
        with open(path, "w") as f:
            f.write(text)
        return loomctl("run", path, "--out", os.path.join(tmp, "r.json"))

    def test_cap_and_symlink(self):
        tmp = tempfile.mkdtemp(prefix="loom-cap-")
        self.addCleanup(subprocess.run, ["rm", "-rf", tmp])
        pcap = os.path.join(tmp, "up.pcap")
        p = self.run_topo(self.topo("{ link: leaf1:1, file: %s, max_bytes: 5000 }" % pcap), tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("reached its size cap of 5000 bytes"), 1, p.stderr)
        with open(pcap, "rb") as f:
            data = f.read()
        self.assertLessEqual(len(data), 5000)
        off, n = 0, 0                       # whole blocks only: section, interface, packets
        while off < len(data):
            kind = int.from_bytes(data[off:off + 4], "little")
            total = int.from_bytes(data[off + 4:off + 8], "little")
            self.assertEqual(data[off + total - 4:off + total], data[off + 4:off + 8])
            off += total
            n += kind == 6
        self.assertEqual(off, len(data))
        self.assertGreater(n, 0)
        os.unlink(pcap)
        target = os.path.join(tmp, "precious")
        with open(target, "w") as f:
            f.write("keep\n")
        os.symlink(target, pcap)
        p = self.run_topo(self.topo("{ link: leaf1:1, file: %s }" % pcap), tmp)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("symbolic link", p.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), "keep\n")


def current_umask():
    u = os.umask(0)
    os.umask(u)
    return u


class CdfContentTest(unittest.TestCase):
    def test_passwd_as_cdf_not_echoed(self):
        with open(TOPO) as f:
            text = f.read()
        text = text[:text.index("traffic:")] if "traffic:" in text else text
        text += "traffic:\n  - { pattern: poisson, cdf: /etc/passwd, load: 0.5, duration: 1ms }\n"
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        p = loomctl("topo", "check", f.name)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("/etc/passwd:1:", p.stderr)
        with open("/etc/passwd") as pw:
            first = pw.readline().strip()
        self.assertNotIn(first.split(":")[0] + ":", p.stderr)
        self.assertNotIn(first, p.stderr + p.stdout)


class Iperf3ScriptTest(unittest.TestCase):
    WORKLOAD = "workload: w\nseed: 1\npatterns:\n  - pattern: permutation\n    bytes: 1M\n"

    def test_out_dir_with_metacharacters(self):
        tmp = tempfile.mkdtemp(prefix="loom-iperf3-")
        self.addCleanup(subprocess.run, ["rm", "-rf", tmp])
        wl = os.path.join(tmp, "w.yaml")
        with open(wl, "w") as f:
            f.write(self.WORKLOAD)
        canary = os.path.join(tmp, "pwned")
        out = "%s/a'b\"c $(touch %s) `touch %s`; touch %s\ntouch %s" % (tmp, canary, canary, canary, canary)
        p = loomctl("workload", "iperf3", wl, "--topo", os.path.join(ROOT, "vm", "topologies", "default.yaml"),
                    "--out", out, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        script = p.stdout
        # the script's own variable, evaluated by bash, is the name, byte for byte
        lines = [ln for ln in script.splitlines(True) if ln.startswith("OUT=")]
        self.assertEqual(len(lines), 1)
        start = script.index("OUT=")
        end = script.index("\nip netns exec", start)
        r = subprocess.run(["/bin/bash", "-c", script[start:end] + '\nprintf %s "$OUT"'], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual(r.stdout, out)
        self.assertFalse(os.path.exists(canary))
        # and the whole script parses as bash
        r = subprocess.run(["/bin/bash", "-n"], input=script, capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
