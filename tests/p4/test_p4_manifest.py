"""p4/generated/ is what p4c made of the committed P4 programs.

p4c is not on the test machines (Loom never builds it), so the suite cannot
recompile; instead p4/regen.sh, which runs p4c, writes p4/generated/MANIFEST:
p4c's version, its commands and the sha256 of the .p4 files and of every
output. This test checks that manifest against the committed files: a .p4
edited without regenerating, or an output edited by hand, fails here with the
file's name. It also checks that DPDK 22.11 accepts the generated spec
(loom-p4check, DPDK's own codegen) when the build's loom-p4check is given.

usage: test_p4_manifest.py SOURCE_ROOT [LOOM_P4CHECK]
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = None
P4CHECK = None
# what regen.sh must always write, relative to p4/
REQUIRED = ("loom.p4", "loom_v1model.p4", "generated/loom.gen.spec",
            "generated/loom.p4info.txt", "generated/loom_v1model.json",
            "generated/loom_v1model.p4info.txt")


def read_manifest(p4_dir):
    """-> (p4c version, {path: sha256}); raises ValueError naming the line."""
    path = os.path.join(p4_dir, "generated", "MANIFEST")
    version, sums = None, {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("command: "):
                continue
            if line.startswith("p4c: "):
                version = line[5:]
                continue
            m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
            if not m:
                raise ValueError("%s:%d: not a 'p4c:', 'command:', comment or sha256 line" % (path, n))
            sums[m.group(2)] = m.group(1)
    if version is None:
        raise ValueError("%s: no 'p4c:' line" % path)
    return version, sums


def problems(p4_dir):
    """Every way the committed files and the manifest disagree, as messages."""
    try:
        version, sums = read_manifest(p4_dir)
    except (OSError, ValueError) as e:
        return [str(e)]
    out = []
    for rel in REQUIRED:
        if rel not in sums:
            out.append("p4/%s: not in p4/generated/MANIFEST (run ./loom p4-regen)" % rel)
    for rel, want in sorted(sums.items()):
        try:
            with open(os.path.join(p4_dir, rel), "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
        except OSError as e:
            out.append("p4/%s: listed in MANIFEST but unreadable: %s" % (rel, e.strerror))
            continue
        if got != want:
            out.append("p4/%s: sha256 %s, MANIFEST says %s: edited without "
                       "./loom p4-regen (or an output edited by hand)" % (rel, got[:12], want[:12]))
    # a program or an output the manifest does not know of
    listed = set(sums)
    for name in sorted(os.listdir(p4_dir)):
        if name.endswith(".p4") and name not in listed:
            out.append("p4/%s: a P4 program not in MANIFEST (run ./loom p4-regen)" % name)
    for name in sorted(os.listdir(os.path.join(p4_dir, "generated"))):
        if name != "MANIFEST" and "generated/" + name not in listed:
            out.append("p4/generated/%s: not in MANIFEST" % name)
    # the spec's header names the same p4c as the manifest, and it is the one regen.sh wants
    try:
        with open(os.path.join(p4_dir, "generated", "loom.gen.spec")) as f:
            head = [next(f, "") for _ in range(3)]
        if "; p4c %s\n" % version not in head:
            out.append("p4/generated/loom.gen.spec: header does not name p4c %s" % version)
    except OSError as e:
        out.append("p4/generated/loom.gen.spec: %s" % e.strerror)
    with open(os.path.join(p4_dir, "regen.sh")) as f:
        want = re.search(r"^WANT_VERSION=(\S+)", f.read(), re.M)
    if want is None:
        out.append("p4/regen.sh: no WANT_VERSION line")
    elif version.split(" ")[0] != want.group(1):
        out.append("p4/generated/MANIFEST: made by p4c %s, regen.sh wants %s" % (version, want.group(1)))
    return out


class CommittedOutputs(unittest.TestCase):
    def test_manifest_matches_committed_files(self):
        p = problems(os.path.join(ROOT, "p4"))
        self.assertFalse(p, "\n" + "\n".join(p))

    def test_dpdk_accepts_generated_spec(self):
        if not P4CHECK:
            self.skipTest("no loom-p4check given")
        spec = os.path.join(ROOT, "p4", "generated", "loom.gen.spec")
        r = subprocess.run([P4CHECK, spec], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class CheckCanFail(unittest.TestCase):
    """The check on a copy of p4/ with one thing changed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="loom-p4-manifest-")
        self.p4 = os.path.join(self.tmp, "p4")
        shutil.copytree(os.path.join(ROOT, "p4"), self.p4)
        self.assertFalse(problems(self.p4), "the committed p4/ fails the check already")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def append(self, rel, text):
        with open(os.path.join(self.p4, rel), "a") as f:
            f.write(text)

    def test_p4_comment_edited(self):
        self.append("loom.p4", "/* a comment */\n")
        p = problems(self.p4)
        self.assertEqual(len(p), 1, p)
        self.assertIn("p4/loom.p4: sha256", p[0])

    def test_v1model_edited(self):
        self.append("loom_v1model.p4", "\n")
        self.assertIn("p4/loom_v1model.p4: sha256", " ".join(problems(self.p4)))

    def test_spec_edited_by_hand(self):
        self.append("generated/loom.gen.spec", "; tweak\n")
        self.assertIn("p4/generated/loom.gen.spec: sha256", " ".join(problems(self.p4)))

    def test_json_edited_by_hand(self):
        self.append("generated/loom_v1model.json", " ")
        self.assertIn("p4/generated/loom_v1model.json: sha256", " ".join(problems(self.p4)))

    def test_new_program_not_generated(self):
        self.append("other.p4", "/* new */\n")
        self.assertIn("p4/other.p4: a P4 program not in MANIFEST", " ".join(problems(self.p4)))

    def test_output_dropped_from_manifest(self):
        path = os.path.join(self.p4, "generated", "MANIFEST")
        with open(path) as f:
            lines = [l for l in f if not l.endswith("generated/loom_v1model.json\n")]
        with open(path, "w") as f:
            f.writelines(lines)
        p = " ".join(problems(self.p4))
        self.assertIn("p4/generated/loom_v1model.json: not in p4/generated/MANIFEST", p)

    def test_other_p4c_version(self):
        path = os.path.join(self.p4, "generated", "MANIFEST")
        with open(path) as f:
            text = f.read().replace("p4c: 1.", "p4c: 9.", 1)
        with open(path, "w") as f:
            f.write(text)
        p = " ".join(problems(self.p4))
        self.assertIn("header does not name p4c 9.", p)
        self.assertIn("regen.sh wants", p)

    def test_malformed_manifest_line(self):
        self.append("generated/MANIFEST", "garbage\n")
        p = problems(self.p4)
        self.assertEqual(len(p), 1, p)
        self.assertRegex(p[0], r"MANIFEST:\d+: not a")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ROOT = sys.argv[1]
    P4CHECK = sys.argv[2] if len(sys.argv) > 2 else None
    unittest.main(argv=sys.argv[:1] + ["-v"])
