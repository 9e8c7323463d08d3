# SPDX-License-Identifier: BSD-3-Clause
"""
The contract of loomd's configuration (api/loomd_config_keys.h): every
example topology (vm/topologies/, tests/virtual/, tests/fabric/) is compiled
by `loomctl compile`, loaded by `loomd --check-config`, which prints every
value its configuration reader consumed, and the two must be equal: a key
written but not read (renamed on one side, or read from another object) or
read as another JSON type fails, naming the key.
"""
import glob
import json
import os
import subprocess
import sys
import shutil
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402

TOPOLOGY_DIRS = ("vm/topologies", "tests/virtual", "tests/fabric")
# Example topologies this test cannot load, and why.
NOT_LOADED = {
    "tests/fabric/bad-topology.yaml": "an invalid topology (loomctl must refuse it)",
    "vm/topologies/fat-tree-k32.yaml": "1280 switches, 135 MB of configuration: minutes to round-trip; "
                                       "k4, k8 and k16 have the same form",
}


def compile_topology(path):
    p = subprocess.run([H.tool("control/loomctl"), "compile", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("loomctl compile %s failed: %s" % (path, p.stderr.strip()))
    return json.loads(p.stdout)


def config_read(config, workdir):
    """What loomd's reader consumed of `config` (a dict)."""
    path = os.path.join(workdir, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    p = subprocess.run([H.tool("dataplane/loomd"), "--config", path, "--check-config"], cwd=workdir,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("loomd --check-config failed (exit %d): %s" % (p.returncode, p.stderr.strip()[-2000:]))
    return json.loads(p.stdout)


def differences(written, read, where=""):
    """Where `read` differs from `written`, one line each."""
    if type(written) is not type(read):
        return ["%s: written as %s, read as %s" % (where or "(root)", type(written).__name__,
                                                   type(read).__name__)]
    if isinstance(written, dict):
        out = []
        for k in written:
            if k not in read:
                out.append("%s.%s: written but not read" % (where, k))
            else:
                out += differences(written[k], read[k], "%s.%s" % (where, k))
        out += ["%s.%s: read but not written" % (where, k) for k in read if k not in written]
        return out
    if isinstance(written, list):
        if len(written) != len(read):
            return ["%s: %d elements written, %d read" % (where, len(written), len(read))]
        out = []
        for i, (w, r) in enumerate(zip(written, read)):
            out += differences(w, r, "%s[%d]" % (where, i))
        return out
    return [] if written == read else ["%s: written %r, read %r" % (where, written, read)]


class ConfigContractTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="loom-contract-")

    def tearDown(self):
        if not os.environ.get("LOOM_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def assert_read_back(self, config, name):
        diff = differences(config, config_read(config, self.tmp))
        self.assertEqual(diff, [], "%s: loomd's reader and the compiler disagree:\n  %s"
                         % (name, "\n  ".join(diff[:40])))

    def test_every_example_topology(self):
        topologies = sorted(p for d in TOPOLOGY_DIRS for p in glob.glob(os.path.join(H.ROOT, d, "*.yaml")))
        self.assertGreater(len(topologies), 20)
        for path in topologies:
            rel = os.path.relpath(path, H.ROOT)
            if rel in NOT_LOADED:
                continue
            with self.subTest(topology=rel):
                self.assert_read_back(compile_topology(path), rel)

    def test_keys_written_by_hand(self):
        """Keys the compiler does not emit (docs/LOOMD_CONFIG.md): p4_spec,
        p4_registers, drill_d/drill_m, pool_cells, reassembly_window."""
        p4 = compile_topology(os.path.join(H.ROOT, "tests/fabric/p4-leaves.yaml"))
        leaf = next(s for s in p4["switches"] if s.get("pipeline") == "p4")
        leaf["p4_spec"] = os.path.join(H.ROOT, "p4", "loom.spec")
        leaf["p4_registers"] = {"spray_mode": 1}
        spine = next(s for s in p4["switches"] if s.get("pipeline") != "p4")
        spine["load_balancing"] = {"mode": "spray", "drill_d": 2, "drill_m": 1}
        self.assert_read_back(p4, "p4-leaves.yaml with hand-written keys")

        cell = compile_topology(os.path.join(H.ROOT, "tests/fabric/cell.yaml"))
        cell["cell"].update({"pool_cells": 4096, "reassembly_window": 2048})
        self.assert_read_back(cell, "cell.yaml with hand-written keys")

    def test_flowlet_placement(self):
        """load_balancing.placement (lab 3 sets band) is read back; a value
        loomd does not know is refused, naming the key."""
        lab3 = compile_topology(os.path.join(H.ROOT, "labs/3-flowlet-gap/topology.yaml"))
        self.assertEqual({s["load_balancing"]["placement"] for s in lab3["switches"]}, {"band"})
        self.assert_read_back(lab3, "labs/3-flowlet-gap/topology.yaml")
        lab3["switches"][0]["load_balancing"]["placement"] = "bands"
        with self.assertRaisesRegex(AssertionError, "load_balancing.placement must be queue or band"):
            config_read(lab3, self.tmp)

    def test_conga_keys(self):
        """load_balancing.dre_period_ns and conga_slack (docs/CONGA.md) are
        written from the topology's dre_period / conga_slack and read back;
        a slack beyond the 3-bit metric is refused, naming the key."""
        cfg = compile_topology(os.path.join(H.ROOT, "tests/virtual/conga_slow_spine.yaml"))
        self.assertEqual({(s["load_balancing"]["mode"], s["load_balancing"]["dre_period_ns"],
                           s["load_balancing"]["conga_slack"]) for s in cfg["switches"]},
                         {("conga_packet", 8000, 1)})
        self.assert_read_back(cfg, "tests/virtual/conga_slow_spine.yaml")
        cfg["switches"][0]["load_balancing"]["conga_slack"] = 8
        with self.assertRaisesRegex(AssertionError, "load_balancing.conga_slack must be an integer 0 .. 7"):
            config_read(cfg, self.tmp)


if __name__ == "__main__":
    unittest.main()
