"""Virtual time over MPI ranks (loomctl run --ranks N; issue 27,
docs/VIRTUAL_TIME.md "Many ranks"): the same experiment on 1, 2 and 4 ranks
writes byte-identical results, equal to a run without MPI; every rank runs
events, their counts sum to the whole run's; packets and PFC frames cross
ranks as messages; a link without delay between ranks, and what a split run
cannot do yet, are refused with the reason.

4 ranks oversubscribe this machine's 2 cores: correctness only, no timing
is asserted. Needs Open MPI (openmpi-bin, libopenmpi-dev: the loom script's
DEPS) and loomd built with it.
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("LOOM_BUILD", os.path.join(HERE, "..", "..", "build"))
LOOMCTL = os.path.join(BUILD, "control", "loomctl")
FABRIC = os.path.join(HERE, "mpi_fabric.yaml")
RANK_LINE = re.compile(r"loomd: rank (\d+): \d+ switches, \d+ hosts, (\d+) events .* messages sent (\d+) "
                       r"received (\d+)")
RAN_LINE = re.compile(r"loomd: rank (\d+) ran:(.*)")


def run(path, out, ranks=None, expect_ok=True):
    cmd = [LOOMCTL, "run", path, "--out", out] + (["--ranks", str(ranks)] if ranks else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if expect_ok and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p


class Mpi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.runs = {}
        for ranks in (None, 1, 2, 4):
            out = os.path.join(cls.dir, "r%s.json" % (ranks or 0))
            p = run(FABRIC, out, ranks)
            with open(out, "rb") as f:
                cls.runs[ranks] = (f.read(), p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def ranks_of(self, ranks):
        stderr = self.runs[ranks][1]
        per = {int(m.group(1)): tuple(int(x) for x in m.group(2, 3, 4)) for m in RANK_LINE.finditer(stderr)}
        self.assertEqual(sorted(per), list(range(ranks)), stderr)
        return per

    def test_results_are_byte_identical_at_every_rank_count(self):
        """Without MPI, and over 1, 2 and 4 ranks: the same bytes; the run
        is not trivial (spraying reorders, ECN marks, PFC pauses)."""
        base = self.runs[None][0]
        for ranks in (1, 2, 4):
            self.assertEqual(self.runs[ranks][0], base, "%d ranks differ from one process" % ranks)
        r = json.loads(base)
        self.assertGreater(sum(f["ce_marked"] for f in r["flows"]), 0)
        self.assertGreater(sum(f["reordered"] for f in r["flows"]), 0)
        self.assertGreater(sum(p["tm"]["pfc_frames_received"] for s in r["switches"] for p in s["ports"]), 0)
        self.assertTrue(all(s["conserved"] for s in r["switches"]))

    def test_every_rank_runs_events_summing_to_the_whole(self):
        """Each rank's events > 0, their sum the one-process count (the
        results' `events`); packets crossed ranks both ways."""
        total = json.loads(self.runs[None][0])["events"]
        for ranks in (1, 2, 4):
            per = self.ranks_of(ranks)
            self.assertTrue(all(e > 0 for e, _, _ in per.values()), per)
            self.assertEqual(sum(e for e, _, _ in per.values()), total, per)
            self.assertEqual(sum(s for _, s, _ in per.values()), sum(r for _, _, r in per.values()))
            if ranks > 1:
                self.assertTrue(all(s > 0 and r > 0 for _, s, r in per.values()), per)

    def test_pfc_frames_cross_a_cut(self):
        """The 2-rank split cuts leaf-spine links that carry PAUSE frames:
        a port on a cut link received PFC frames its peer on the other rank
        sent, and the results, with them, are the one-process ones."""
        stderr = self.runs[2][1]
        rank = {}
        for m in RAN_LINE.finditer(stderr):
            for name in m.group(2).split():
                rank[name] = int(m.group(1))
        cfg = json.loads(subprocess.run([LOOMCTL, "compile", FABRIC], capture_output=True, text=True,
                                        check=True).stdout)
        r = json.loads(self.runs[2][0])
        stats = {s["name"]: s for s in r["switches"]}
        cut_pfc = 0
        for sw in cfg["switches"]:
            for port in sw["ports"]:
                link = port["link"]
                if link.get("kind") == "ring" and rank[link["peer_switch"]] != rank[sw["name"]]:
                    cut_pfc += stats[sw["name"]]["ports"][port["index"]]["tm"]["pfc_frames_received"]
        self.assertEqual(len(rank), len(cfg["switches"]), stderr)
        self.assertEqual(len(set(rank.values())), 2)
        self.assertGreater(cut_pfc, 0, "no PAUSE crossed the cut")

    def test_a_link_without_delay_between_ranks_is_refused(self):
        """Links of delay 0: one rank runs; two are refused naming the link
        and the reason (no lookahead)."""
        with open(FABRIC) as f:
            text = f.read().replace("delay: 1us", "delay: 0ns")
        path = os.path.join(self.dir, "nodelay.yaml")
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(self.dir, "nodelay.json")
        run(path, out, 1)
        p = run(path, out + "2", 2, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"the link \S+ port \d+ - \S+ port \d+ joins rank \d and rank \d but has no delay")
        self.assertFalse(os.path.exists(out + "2"))

    def test_faults_over_several_ranks_are_refused(self):
        """Scheduled faults change every switch at once: refused over 2
        ranks (saying so), run over 1."""
        with open(FABRIC) as f:
            text = f.read() + "faults:\n  - { at: 1ms, link: leaf0:2, state: down }\n"
        path = os.path.join(self.dir, "faults.yaml")
        with open(path, "w") as f:
            f.write(text)
        run(path, os.path.join(self.dir, "faults1.json"), 1)
        p = run(path, os.path.join(self.dir, "faults2.json"), 2, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("scheduled faults", p.stderr)

    def test_partition_groups_place_the_switches(self):
        """`partition:` groups: group g of G on rank g * N / G (4 groups on
        2 ranks: two each), hosts with their leaf, results still the
        one-process bytes; a name that is no switch is refused at its line."""
        with open(FABRIC) as f:
            text = f.read()
        groups = "partition:\n  - [leaf0, spine1]\n  - [leaf1]\n  - [leaf2, spine0]\n  - [leaf3]\n"
        path = os.path.join(self.dir, "groups.yaml")
        with open(path, "w") as f:
            f.write(text + groups)
        out = os.path.join(self.dir, "groups.json")
        p = run(path, out, 2)
        ran = {int(m.group(1)): set(m.group(2).split()) for m in RAN_LINE.finditer(p.stderr)}
        self.assertEqual(ran, {0: {"leaf0", "leaf1", "spine1"}, 1: {"leaf2", "leaf3", "spine0"}}, p.stderr)
        self.assertIn("rank 0: 3 switches, 4 hosts", p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), self.runs[None][0])
        with open(path, "w") as f:
            f.write(text + groups.replace("[leaf3]", "[leaf9]"))
        p = run(path, out, 2, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"groups.yaml:\d+: partition: group 4: 'leaf9' is not a switch")
        with open(path, "w") as f:
            f.write(text + groups.replace("  - [leaf3]\n", ""))
        p = run(path, out, 2, expect_ok=False)
        self.assertIn("partition: switch leaf3 is in no group", p.stderr)

    def test_bad_rank_counts_are_refused(self):
        for bad in ("0", "x", "-2"):
            p = subprocess.run([LOOMCTL, "run", FABRIC, "--ranks", bad], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("--ranks", p.stderr)
        p = run(FABRIC, os.path.join(self.dir, "many.json"), 7, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("would run none", p.stderr)


if __name__ == "__main__":
    unittest.main()
