#!/usr/bin/python3
"""Which folder may include which: Loom's floors (docs/ARCHITECTURE.md,
"Floors"), checked on every quoted #include so that an import loop between
floors cannot come back.

  dataplane/  a file may include headers of its own floor or of a floor
              below it (FLOORS, top first); header names are unique across
              dataplane/ (its include directories are flat)
  scheduler/  plain C: nothing of dataplane/ or control/, no DPDK
  control/    nothing of dataplane/; control/topo nothing of
              control/workload or control/experiment (workload files read
              topologies, not the other way round)

The same floors are checked again on what the built objects call
(symbol_graph.py: `nm` of every object in LOOM_BUILD, default build/):
a function declared in a lower floor's header but defined above it, or a
call through a declaration of a file's own, shows there and not in the
includes. There no two folders of dataplane/ may call each other, even on
one floor, and no files anywhere may call each other in a circle.

Run: LOOM_BUILD=build /usr/bin/python3 tests/layering/test_layers.py [-v]
"""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import symbol_graph  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Top first. loomd.c is the folder "." of dataplane/.
FLOORS = [
    ["."],                            # loomd: the process
    ["ctl", "telemetry", "config"],   # control socket, exports, loading the configuration
    ["runner"],                       # time and the loop (real or virtual)
    ["ports", "hosts", "fault"],      # the wire; generator hosts on it; link and switch faults
    ["cell", "p4", "conga"],          # modes other than the native stages
    ["pipeline"],                     # ingress and forwarding: the native stages
    ["lb"],                           # load-balancing state of a switch
    ["egress"],                       # output queues, control frames, transmit
    ["tm"],                           # traffic manager
    ["trace"],                        # traces and captures: their state and records
    ["core"],                         # the switch, packets, drops, modes' table
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)


def sources(top):
    for dirpath, _, files in os.walk(top):
        for f in files:
            if f.endswith((".c", ".h")):
                yield os.path.join(dirpath, f)


def includes(path, pattern=INCLUDE):
    with open(path, encoding="utf-8", errors="replace") as f:
        return pattern.findall(f.read())


def dataplane_violations(root):
    """Upward includes and ambiguous header names in root/dataplane."""
    dp = os.path.join(root, "dataplane")
    floor_of = {d: i for i, ds in enumerate(FLOORS) for d in ds}
    header_dir = {}
    bad = []
    for p in sources(dp):
        if p.endswith(".h"):
            name, d = os.path.basename(p), os.path.relpath(os.path.dirname(p), dp)
            if name in header_dir and header_dir[name] != d:
                bad.append("dataplane: %s is in both %s/ and %s/" % (name, header_dir[name], d))
            header_dir[name] = d
    for p in sources(dp):
        d = os.path.relpath(os.path.dirname(p), dp)
        if d not in floor_of:
            bad.append("dataplane/%s: folder on no floor (add it to FLOORS)" % d)
            continue
        for inc in includes(p):
            target = header_dir.get(os.path.basename(inc)) if "/" not in inc else None
            if target is None:
                continue  # scheduler's loom/..., api/, or a system header
            if floor_of.get(target, -1) < floor_of[d]:
                bad.append("%s includes %s (%s/, a floor above %s/)" % (os.path.relpath(p, root), inc, target, d))
    return bad


def scheduler_violations(root):
    bad = []
    dp_headers = {os.path.basename(p) for p in sources(os.path.join(root, "dataplane")) if p.endswith(".h")}
    for p in sources(os.path.join(root, "scheduler")):
        for inc in includes(p):
            if os.path.basename(inc) in dp_headers or inc.startswith(("control/", "dataplane/")):
                bad.append("%s includes %s (scheduler/ is below dataplane/ and control/)" % (os.path.relpath(p, root), inc))
        for inc in includes(p, SYSTEM_INCLUDE):
            if inc.startswith(("rte_", "dpdk/")):
                bad.append("%s includes <%s> (scheduler/ is plain C, no DPDK)" % (os.path.relpath(p, root), inc))
    return bad


def control_violations(root):
    bad = []
    ctl = os.path.join(root, "control")
    dp_headers = {os.path.basename(p) for p in sources(os.path.join(root, "dataplane")) if p.endswith(".h")}
    upper = set()
    for sub in ("workload", "experiment"):
        upper |= {os.path.basename(p) for p in sources(os.path.join(ctl, sub)) if p.endswith(".h")}
    for p in sources(ctl):
        rel = os.path.relpath(p, root)
        for inc in includes(p):
            if inc.startswith(("loom/", "api/")):
                continue  # scheduler's and the shared contracts
            name = os.path.basename(inc)
            if name in dp_headers and not os.path.exists(os.path.join(os.path.dirname(p), inc)):
                bad.append("%s includes %s (a dataplane header)" % (rel, inc))
            if rel.startswith("control/topo/") and (name in upper or inc.startswith(("workload/", "experiment/"))):
                bad.append("%s includes %s (topo is below workload and experiment)" % (rel, inc))
    return bad


# Top-level folders, top first: a folder calls only folders below it
# (api/ holds the contracts both sides share; scheduler/ is pure C).
TOP_FLOORS = [["control"], ["dataplane", "vm", "endpoint"], ["api"], ["scheduler"]]


def call_violations(arrows):
    """Calls that go up a floor, pairs of dataplane folders that call each
    other, and circles of files, in a file -> file arrow map."""
    dp_floor = {"dataplane" + ("" if d == "." else "/" + d): i for i, ds in enumerate(FLOORS) for d in ds}
    top_floor = {d: i for i, ds in enumerate(TOP_FLOORS) for d in ds}
    bad, pairs = [], {}
    for a, targets in sorted(arrows.items()):
        for b, syms in sorted(targets.items()):
            fa, fb = os.path.dirname(a), os.path.dirname(b)
            ta, tb = a.split("/")[0], b.split("/")[0]
            names = ", ".join(sorted(syms)[:3])
            if ta != tb and ta in top_floor and tb in top_floor and top_floor[tb] <= top_floor[ta]:
                bad.append("%s calls %s (%s): %s/ is not below %s/" % (a, b, names, tb, ta))
            elif ta == tb == "dataplane" and fa != fb:
                if fa not in dp_floor or fb not in dp_floor:
                    bad.append("%s or %s: a dataplane folder on no floor" % (fa, fb))
                elif dp_floor[fb] < dp_floor[fa]:
                    bad.append("%s calls %s (%s), a floor above it" % (a, b, names))
                pairs.setdefault((fa, fb), (a, b))
    for (fa, fb), (a, b) in sorted(pairs.items()):
        if fa < fb and (fb, fa) in pairs:
            bad.append("%s/ and %s/ call each other (%s -> %s, %s -> %s)" % (fa, fb, a, b, *pairs[(fb, fa)]))
    for c in symbol_graph.circles(arrows):
        bad.append("files that call each other in a circle: " + " ".join(c))
    return bad


class LayersTest(unittest.TestCase):
    def test_dataplane_includes_only_go_down(self):
        self.assertEqual(dataplane_violations(ROOT), [])

    def test_scheduler_is_plain_c_below_everything(self):
        self.assertEqual(scheduler_violations(ROOT), [])

    def test_control_includes_no_dataplane_and_topo_no_workload(self):
        self.assertEqual(control_violations(ROOT), [])

    def test_the_check_sees_an_upward_include(self):
        """A tree with tm/ including a pipeline header fails: the check can fail."""
        with tempfile.TemporaryDirectory() as t:
            for d, f, text in (("pipeline", "stages.h", ""), ("tm", "tm_enqueue.c", '#include "stages.h"\n'),
                               ("core", "switch.h", ""), ("lb", "x.h", '#include "switch.h"\n')):
                os.makedirs(os.path.join(t, "dataplane", d), exist_ok=True)
                with open(os.path.join(t, "dataplane", d, f), "w") as fh:
                    fh.write(text)
            self.assertEqual(dataplane_violations(t),
                             ["dataplane/tm/tm_enqueue.c includes stages.h (pipeline/, a floor above tm/)"])


class CallsTest(unittest.TestCase):
    """What the built objects call (symbol_graph.py)."""

    @classmethod
    def setUpClass(cls):
        build = os.environ.get("LOOM_BUILD", os.path.join(ROOT, "build"))
        if not os.path.exists(os.path.join(build, "compile_commands.json")):
            raise unittest.SkipTest("no build in %s (set LOOM_BUILD)" % build)
        cls.arrows = symbol_graph.file_arrows(build)

    def test_the_build_was_read(self):
        """The graph holds the arrows every loomd has (so an empty read cannot pass)."""
        self.assertIn("dataplane/egress/port_output.c", self.arrows.get("dataplane/pipeline/switch_handlers.c", {}))
        self.assertIn("dataplane/ctl/ctl_server.c", self.arrows.get("dataplane/loomd.c", {}))

    def test_calls_only_go_down(self):
        self.assertEqual(call_violations(self.arrows), [])

    def test_the_check_sees_calls_up_pairs_and_circles(self):
        arrows = {
            "dataplane/trace/observe.c": {"dataplane/pipeline/pkt_parse.c": ["loom_pkt_parse"]},
            "dataplane/ctl/ctl_tm.c": {"dataplane/config/config_tm.c": ["loom_tm_value_string"]},
            "dataplane/config/config_observe.c": {"dataplane/ctl/ctl_trace.c": ["ctl_trace_new"]},
            "dataplane/hosts/a.c": {"dataplane/hosts/b.c": ["f"]},
            "dataplane/hosts/b.c": {"dataplane/hosts/a.c": ["g"]},
            "scheduler/tm/x.c": {"api/y.c": ["h"]},
        }
        self.assertEqual(call_violations(arrows), [
            "dataplane/trace/observe.c calls dataplane/pipeline/pkt_parse.c (loom_pkt_parse), a floor above it",
            "scheduler/tm/x.c calls api/y.c (h): api/ is not below scheduler/",
            "dataplane/config/ and dataplane/ctl/ call each other (dataplane/config/config_observe.c -> "
            "dataplane/ctl/ctl_trace.c, dataplane/ctl/ctl_tm.c -> dataplane/config/config_tm.c)",
            "files that call each other in a circle: dataplane/hosts/a.c dataplane/hosts/b.c",
        ])


if __name__ == "__main__":
    unittest.main()
