"""Virtual time over MPI ranks (loomctl run --ranks N; issue 27,
docs/VIRTUAL_TIME.md "Many ranks"): the same experiment on 1, 2 and 4 ranks
writes byte-identical results, equal to a run without MPI; every rank runs
events, their counts sum to the whole run's; packets, PFC frames, cells,
requests and credits cross ranks as messages; scheduled faults and the time
series give the same bytes; multi-plane hosts send over planes of other
ranks; the configuration's trace and pcapng captures are one process's
bytes; ranks follow `machines:`; a link without delay
between ranks, and what a split run cannot do yet, are refused with the
reason.

4 ranks oversubscribe this machine's 2 cores: correctness only, no timing
is asserted. Needs Open MPI (openmpi-bin, libopenmpi-dev: the loom script's
DEPS) and loomd built with it.
"""
import json
import os
import re
import subprocess
import unittest

from vt_case import VirtualClassCase

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


class Mpi(VirtualClassCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runs = {}
        for ranks in (None, 1, 2, 4):
            out = os.path.join(cls.dir, "r%s.json" % (ranks or 0))
            p = run(FABRIC, out, ranks)
            with open(out, "rb") as f:
                cls.runs[ranks] = (f.read(), p.stderr)

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

    def test_what_stays_refused_says_why(self):
        """A cell capture is not gathered from several ranks: refused before
        anything is loaded, so no rank made the file."""
        cap = os.path.join(self.dir, "up.pcapng")
        path = variant(self.dir, "cellcap.yaml", os.path.join(HERE, "cell_permutation.yaml"), "",
                       [("cell: { voq_bytes: 512KiB }",
                         "cell: { voq_bytes: 512KiB, capture: { link: leaf0:2, file: %s } }" % cap)])
        p = run(path, os.path.join(self.dir, "cellcap.json"), 2, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("a cell capture (cell: capture) is not gathered", p.stderr)
        self.assertFalse(os.path.exists(cap))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "cellcap.json")))

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


class MpiTraceCapture(VirtualClassCase):
    """The configuration's trace and captures over ranks
    (tests/virtual/mpi_trace.yaml): the trace claimed at leaf3, on rank 1
    of 2 (3 of 4), its packets crossing to rank 0's spine0 and leaf1; the
    captures on spine0 (rank 0), spine1 and leaf3's host port (other
    ranks): results (the merged trace with them) and every pcapng file the
    same bytes without MPI and at 1, 2 and 4 ranks. No normalisation: the
    section header and the time stamps are virtual, the same in every run."""

    FILES = ("spine0-leaf0.pcapng", "spine1-leaf3.pcapng", "leaf3-h.pcapng")

    def one(self, ranks, text=None, files=FILES):
        """Runs mpi_trace.yaml (or `text`) in a directory of its own, where
        the capture files go; the results' and the files' bytes."""
        d = os.path.join(self.dir, "trace-r%s-%d" % (ranks or 0, len(os.listdir(self.dir))))
        os.mkdir(d)
        if text is None:
            with open(os.path.join(HERE, "mpi_trace.yaml")) as f:
                text = f.read()
        with open(os.path.join(d, "fabric.yaml"), "w") as g:
            g.write(text)
        cmd = [LOOMCTL, "run", "fabric.yaml", "--out", "res.json"] + (["--ranks", str(ranks)] if ranks else [])
        p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, "%s: %s" % (" ".join(cmd), p.stderr))
        out = {}
        for name in ("res.json",) + files:
            with open(os.path.join(d, name), "rb") as f:
                out[name] = f.read()
        return out, p.stderr

    def test_trace_and_captures_identical_at_1_2_4_ranks(self):
        ref, _ = self.one(None)
        res = json.loads(ref["res.json"])
        trace = res["trace"]
        self.assertEqual(trace["traced"], 4)
        for p in trace["packets"]:
            self.assertEqual(p["end"], "delivered", p)
            # the packet went through switches of two ranks at 2 ranks
            self.assertIn("leaf3", {e["switch"] for e in p["events"]})
            self.assertTrue({"leaf0", "leaf1", "spine0"} & {e["switch"] for e in p["events"]}, p)
        frames = {c["file"]: c["frames"] for c in res["captures"]}
        self.assertEqual(frames["leaf3-h.pcapng"], 5)
        self.assertGreater(frames["spine1-leaf3.pcapng"], 0)
        self.assertGreater(frames["spine0-leaf0.pcapng"], 0)
        for ranks in (1, 2, 4):
            got, err = self.one(ranks)
            if ranks == 2:
                ran = ranks_ran(err)
                self.assertEqual((ran["leaf3"], ran["spine1"], ran["spine0"], ran["leaf1"]), (1, 1, 0, 0), err)
            for name, data in ref.items():
                self.assertEqual(got[name], data, "%s at %d ranks differs from one process's" % (name, ranks))

    def test_a_symlink_in_a_capture_place_stops_every_rank(self):
        """Only rank 0 creates the capture files: when it refuses one (a
        symlink in its place), every rank stops (they agree after loading)
        instead of waiting for rank 0 in the first exchange; the link's
        target is untouched."""
        d = os.path.join(self.dir, "symlink")
        os.mkdir(d)
        with open(os.path.join(HERE, "mpi_trace.yaml")) as f, open(os.path.join(d, "fabric.yaml"), "w") as g:
            g.write(f.read())
        with open(os.path.join(d, "target"), "w") as f:
            f.write("keep")
        os.symlink("target", os.path.join(d, "spine1-leaf3.pcapng"))
        p = subprocess.run([LOOMCTL, "run", "fabric.yaml", "--out", "res.json", "--ranks", "2"], cwd=d,
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("spine1-leaf3.pcapng: a symbolic link", p.stderr)
        with open(os.path.join(d, "target")) as f:
            self.assertEqual(f.read(), "keep")
        self.assertFalse(os.path.exists(os.path.join(d, "res.json")))

    def test_a_cell_trace_past_its_64_events_over_ranks(self):
        """A cell fabric's 9000-byte packets, cut into cells sprayed over both
        spines: each traced packet has more events than the 64 kept, on
        three ranks at 4; the merge keeps one process's first 63 and last
        and counts the rest lost: the same bytes at 2 and 4 ranks, with a
        capture of a spine's link to the trace's leaf."""
        with open(os.path.join(HERE, "cell_permutation.yaml")) as f:
            text = f.read()
        for old, new in (("packet: 1500, bytes: 300000", "packet: 9000, bytes: 90000"),
                         ("duration: 1ms", "duration: 100us"),
                         ("  port_type: generator", "  port_type: generator\n  mtu: 9000")):
            self.assertIn(old, text)
            text = text.replace(old, new)
        text += "trace: { at: leaf3:0, count: 3 }\ncapture:\n  - { link: spine1:3, dir: both, file: s1.pcapng }\n"
        ref, _ = self.one(None, text, ("s1.pcapng",))
        res = json.loads(ref["res.json"])
        for p in res["trace"]["packets"]:
            self.assertEqual((p["end"], len(p["events"])), ("delivered", 64), p["id"])
            self.assertGreater(p["events_lost"], 0)
        self.assertGreater(res["captures"][0]["frames"], 0)
        for ranks in (2, 4):
            got, _ = self.one(ranks, text, ("s1.pcapng",))
            for name, data in ref.items():
                self.assertEqual(got[name], data, "%s at %d ranks differs from one process's" % (name, ranks))


def variant(directory, name, base, extra="", replace=()):
    """A copy of fabric file `base` in `directory` with `extra` appended
    and each (old, new) of `replace` done; its path."""
    with open(base) as f:
        text = f.read()
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text + extra)
    return path


def identical_runs(test, path, ranks=(1, 2, 4), series=False):
    """Runs path without MPI and over each rank count: asserts the same
    result bytes (and series bytes); returns (results, {ranks: stderr})."""
    base = os.path.splitext(path)[0]

    def one(r):
        out = "%s-r%s.json" % (base, r or 0)
        extra = ["--series", out + ".csv", "--series-interval", "50us"] if series else []
        cmd = [LOOMCTL, "run", path, "--out", out] + (["--ranks", str(r)] if r else []) + extra
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        test.assertEqual(p.returncode, 0, "%s: %s" % (" ".join(cmd), p.stderr))
        with open(out, "rb") as f:
            res = f.read()
        csv = None
        if series:
            with open(out + ".csv", "rb") as f:
                csv = f.read()
        return res, csv, p.stderr

    ref, ref_csv, _ = one(None)
    errs = {}
    for r in ranks:
        res, csv, errs[r] = one(r)
        test.assertEqual(res, ref, "%s: %d ranks' results differ from one process's" % (path, r))
        test.assertEqual(csv, ref_csv, "%s: %d ranks' series differ from one process's" % (path, r))
        if r > 1:
            per = {int(m.group(1)): tuple(int(x) for x in m.group(2, 3, 4)) for m in RANK_LINE.finditer(errs[r])}
            test.assertEqual(sorted(per), list(range(r)), errs[r])
            test.assertTrue(all(e > 0 for e, _, _ in per.values()), per)
            test.assertEqual(sum(e for e, _, _ in per.values()), json.loads(ref)["events"])
            test.assertGreater(sum(s for _, s, _ in per.values()), 0, "nothing crossed ranks")
    return json.loads(ref), errs, ref_csv


def ranks_ran(stderr):
    rank = {}
    for m in RAN_LINE.finditer(stderr):
        for name in m.group(2).split():
            rank[name] = int(m.group(1))
    return rank


class MpiCells(VirtualClassCase):
    """Cell fabrics over ranks: DATA cells, REQUESTs and CREDITs crossing a
    cut link travel as stamped messages; results identical."""

    def test_cell_fat_tree_identical_at_1_2_4_ranks(self):
        """The k=4 cell fat tree (three tiers, cells up to super-spines and
        down other pods): the same bytes without MPI and at 1, 2, 4 ranks;
        every flow delivered something, every switch conserves."""
        path = variant(self.dir, "cell_fat_tree.yaml", os.path.join(HERE, "cell_fat_tree.yaml"))
        r, errs, _ = identical_runs(self, path)
        self.assertTrue(all(s["conserved"] for s in r["switches"]))
        self.assertTrue(all(f["rx_bytes"] > 0 for f in r["flows"]), r["flows"])
        self.assertGreater(sum((s.get("cell") or {}).get("cells_up", 0) for s in r["switches"]),
                           0, "no cell went up to a super-spine")

    def test_a_cut_through_credits(self):
        """An incast into leaf0's host with leaf0..3 on one rank and both
        spines with leaf4..7 on the other: every REQUEST to leaf0 and every
        CREDIT it grants crosses the cut (control cells received on leaf0's
        fabric ports), and the results are one process's."""
        groups = "partition:\n  - [leaf0, leaf1, leaf2, leaf3]\n  - [spine0, spine1, leaf4, leaf5, leaf6, leaf7]\n"
        path = variant(self.dir, "cell_incast_cut.yaml", os.path.join(HERE, "cell_incast.yaml"), groups,
                       [("duration: 2ms", "duration: 600us")])
        r, errs, _ = identical_runs(self, path, ranks=(2,))
        rank = ranks_ran(errs[2])
        self.assertEqual(rank["leaf0"], 0, errs[2])
        self.assertEqual(rank["spine0"], 1, errs[2])
        leaf0 = next(s for s in r["switches"] if s["name"] == "leaf0")
        fabric_ports = [p for p in leaf0["cell"]["ports"] if "ctrl_cells_rx" in p]
        self.assertTrue(fabric_ports, leaf0["cell"])
        self.assertGreater(sum(p["ctrl_cells_rx"] for p in fabric_ports), 0, "no REQUEST crossed to leaf0")
        self.assertGreater(sum(p["ctrl_cells_tx"] for p in fabric_ports), 0, "no CREDIT crossed from leaf0")
        self.assertGreater(sum(p["data_cells_rx"] for p in fabric_ports), 0)
        self.assertTrue(all(s["conserved"] for s in r["switches"]))

    def test_a_cell_link_cut_at_a_time_over_ranks(self):
        """cell_link_down.yaml (a leaf-spine link taken down at 100 us while
        every flow sends: every rank's reachability changes at that virtual
        time): identical at 1, 2, 4 ranks."""
        r, _, _ = identical_runs(self, variant(self.dir, "cell_link_down.yaml",
                                               os.path.join(HERE, "cell_link_down.yaml")))
        self.assertTrue(any(l.get("state") == "down" for l in r["faults"]["links"]), r["faults"])


class MpiFaultsSeries(VirtualClassCase):
    """Scheduled faults and the time series over ranks."""

    def test_faults_on_a_cut_link_and_inside_a_rank(self):
        """Groups put leaf0 and spine0 on one rank and spine1 on the other
        at 2 ranks: leaf0:2 (to spine0) goes down at 500 us inside rank 0,
        leaf0:3 (to spine1, a cut link) at 800 us, leaf0:2 comes back at
        1.2 ms; detection and repair run on every rank at the same virtual
        times. Results (with the fault records and the frames lost before
        detection) are one process's at 1, 2 and 4 ranks."""
        extra = ("partition:\n  - [leaf0, spine0]\n  - [leaf1]\n  - [leaf2, spine1]\n  - [leaf3]\n"
                 "fault_handling: { detect_interval: 20us, detect_multiplier: 3 }\n"
                 "faults:\n  - { at: 500us, link: leaf0:2, state: down }\n"
                 "  - { at: 800us, link: leaf0:3, state: down }\n"
                 "  - { at: 1200us, link: leaf0:2, state: up }\n")
        path = variant(self.dir, "faults.yaml", FABRIC, extra)
        r, errs, _ = identical_runs(self, path)
        rank = ranks_ran(errs[2])
        self.assertEqual((rank["leaf0"], rank["spine0"], rank["spine1"]), (0, 0, 1), errs[2])
        links = {(l["switch"], l["port"]): l for l in r["faults"]["links"]}
        self.assertGreater(links[("leaf0", 3)]["downs"], 0)
        self.assertGreater(r["faults"]["counters"]["detections"], 0)
        self.assertGreater(sum(l["lost_before_detection"] for l in links.values()), 0,
                           "the cut lost nothing before detection: the test does not test that")
        self.assertTrue(all(s["conserved"] for s in r["switches"]))

    def test_series_gathered_identical(self):
        """--series over 2 and 4 ranks: rank 0 writes one file with every
        switch's lines in one process's order: the same bytes."""
        path = variant(self.dir, "series.yaml", FABRIC)
        _, _, csv = identical_runs(self, path, ranks=(2, 4), series=True)
        lines = csv.decode().splitlines()
        self.assertTrue(lines[0].startswith("time_ns,switch,port"))
        self.assertGreater(len(lines), 40 * 8)


class MpiPlanes(VirtualClassCase):
    """Multi-plane generator hosts over ranks: a host runs with its plane-0
    leaf; its other planes' links cross to the ranks of their leaves, both
    ways (data out, data and feedback in), as messages."""

    def test_weighted_planes_identical(self):
        """planes_weighted.yaml (per-plane congestion feedback steers the
        spread): one process's bytes at 1, 2 and 4 ranks; at 2 ranks one
        plane runs on rank 1 without hosts, so all its traffic crosses."""
        r, errs, _ = identical_runs(self, variant(self.dir, "pw.yaml", os.path.join(HERE, "planes_weighted.yaml")))
        self.assertEqual(ranks_ran(errs[2]), {"s0": 0, "a0": 0, "b0": 0, "s1": 1, "a1": 1, "b1": 1}, errs[2])
        self.assertRegex(errs[2], r"rank 1: \d+ switches, 0 hosts")
        self.assertTrue(all(p["tx_packets"] > 0 for f in r["flows"] for p in f["planes"]), r["flows"])

    def test_a_plane_lost_on_another_rank(self):
        """h0's plane-1 link (to a leaf of rank 1) breaks at 100.3 us: the
        NIC on rank 0 loses carrier at that virtual time and moves the
        traffic to plane 0; the results are one process's."""
        extra = "faults:\n  - { at: 100300ns, link: p1-leaf0:0, state: down }\n"
        r, _, _ = identical_runs(self, variant(self.dir, "pl.yaml", os.path.join(HERE, "planes.yaml"), extra,
                                               [("duration: 200us", "duration: 300us")]), ranks=(2,))
        nic = next(h for h in r["hosts"] if h["name"] == "h0")["nic"]["planes"]
        self.assertEqual([(p["up"], p["carrier_losses"]) for p in nic], [(True, 0), (False, 1)])


TWO = os.path.join(HERE, "two_switch.yaml")
MACHINES = ("machines:\n  - {name: m0, underlay: 192.168.251.1, mtu: 1550}\n  - {name: m1, underlay: 192.168.251.2, mtu: 1550}\n")


class MpiPlacement(VirtualClassCase):
    """One placement vocabulary: ranks follow `machines:`."""

    def placed(self, extra="", name="placed.yaml", spine="m0"):
        return variant(self.dir, name, TWO, MACHINES + extra, [
            ("{ name: leaf0, role: leaf,", "{ name: leaf0, role: leaf, machine: m0,"),
            ("{ name: leaf1, role: leaf,", "{ name: leaf1, role: leaf, machine: m1,"),
            ("{ name: spine0, role: spine }", "{ name: spine0, role: spine, machine: %s }" % spine)])

    def test_ranks_follow_machines(self):
        """With `machines:` and as many ranks as machines, a switch runs on
        its machine's rank (and `partition: {by: machine}` says the same);
        results are one process's."""
        for extra, name in (("", "implicit.yaml"), ("partition: { by: machine }\n", "by.yaml")):
            path = self.placed(extra, name, spine="m1")
            r, errs, _ = identical_runs(self, path, ranks=(2,))
            self.assertEqual(ranks_ran(errs[2]), {"leaf0": 0, "leaf1": 1, "spine0": 1}, errs[2])

    def test_contradictions_name_the_line(self):
        path = self.placed("partition:\n  - [leaf0, leaf1]\n  - [spine0]\n", "mixed.yaml")
        p = run(path, os.path.join(self.dir, "mixed.json"), 2, expect_ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"mixed.yaml:\d+: partition: group 1 holds leaf0 \(machine m0\) and leaf1 "
                                   r"\(machine m1\)")
        path = variant(self.dir, "nomachines.yaml", TWO, "partition: { by: machine }\n")
        p = run(path, os.path.join(self.dir, "nm.json"), 2, expect_ok=False)
        self.assertRegex(p.stderr, r"nomachines.yaml:\d+: partition by machine, but the file has no 'machines:'")
        path = self.placed("partition: { by: pod }\n", "bypod.yaml")
        p = run(path, os.path.join(self.dir, "bp.json"), 2, expect_ok=False)
        self.assertRegex(p.stderr, r"bypod.yaml:\d+: partition: by 'pod': 'machine'")


if __name__ == "__main__":
    unittest.main()
