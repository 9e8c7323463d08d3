#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
./loom bench --identity OLD_BUILD: does a change leave every virtual-time
result as it was? Runs each topology (default: every tests/virtual/*.yaml)
with `loomctl run` of two builds, the old one given and this tree's, each
in an empty directory of its own, and compares byte for byte what each run
left there: the results file and every file the run wrote beside it (a
trace, captures, a series). A virtual run is deterministic, so a refactor
that changes no behaviour gives identical bytes; anything else is named,
file by file. Exit status 1 when something differs or a run failed in one
build but not the other.

  /usr/bin/python3 bench/virtual_identity.py --old /tmp/before/build [--new build]
      [--scale] [TOPOLOGY.yaml ...]

It also compiles every example topology (vm/topologies/, tests/*/,
labs/*/, bench/) with both builds' `loomctl compile` and compares the
configurations loomd would be given (--no-compile skips this).

--scale adds bench/virtual_scale_k16.yaml (the k=16 fat tree, 16 MB
permutation; about a minute a build). A topology that needs ranks
(`--ranks` in its test) is run as one process, which gives the same
results (tests/virtual/test_mpi.py).
"""
import argparse
import filecmp
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(build, topo, workdir):
    """Run topo with build's loomctl in workdir: (exit status, seconds, stderr's last line)."""
    os.makedirs(workdir)
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(build, "control", "loomctl"), "run", os.path.abspath(topo), "--out",
                        "results.json"], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    return p.returncode, time.monotonic() - t0, last


def differences(a, b):
    """Files that differ or exist on one side only, relative paths."""
    out = []
    cmp = filecmp.dircmp(a, b)
    stack = [("", cmp)]
    while stack:
        prefix, c = stack.pop()
        out += ["%s (only in old)" % os.path.join(prefix, f) for f in c.left_only]
        out += ["%s (only in new)" % os.path.join(prefix, f) for f in c.right_only]
        for f in c.common_files:
            if not filecmp.cmp(os.path.join(c.left, f), os.path.join(c.right, f), shallow=False):
                out.append("%s differs" % os.path.join(prefix, f))
        stack += [(os.path.join(prefix, d), sub) for d, sub in c.subdirs.items()]
    return sorted(out)


def compile_all(old, new):
    """`loomctl compile` of every example topology by both builds: (same,
    differing) counts; a file neither build compiles is not a topology."""
    files = sorted(set(glob.glob(os.path.join(ROOT, "vm", "topologies", "*.yaml")) +
                       glob.glob(os.path.join(ROOT, "tests", "*", "*.yaml")) +
                       glob.glob(os.path.join(ROOT, "labs", "*", "*.yaml")) +
                       glob.glob(os.path.join(ROOT, "bench", "*.yaml")) +
                       glob.glob(os.path.join(ROOT, "bench", "htsim", "*.yaml"))))
    same = differ = 0
    for f in files:
        if os.path.getsize(f) > 4 << 20:
            continue
        outs = []
        for build in (old, new):
            p = subprocess.run([os.path.join(build, "control", "loomctl"), "compile", f], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            outs.append((p.returncode, p.stdout, p.stderr))
        if outs[0][0] != 0 and outs[1][0] != 0:
            continue
        if outs[0] == outs[1]:
            same += 1
        else:
            differ += 1
            print("compile %-40s DIFFERENT (exit %d / %d)" % (os.path.relpath(f, ROOT), outs[0][0], outs[1][0]))
    print("compile: %d topologies gave the same configuration in both builds%s" %
          (same, "" if not differ else "; %d did not" % differ), flush=True)
    return differ


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="the build to compare against (a build directory)")
    ap.add_argument("--new", default=os.path.join(ROOT, "build"), help="this tree's build (default build/)")
    ap.add_argument("--scale", action="store_true", help="add the k=16 scale run")
    ap.add_argument("--keep", help="keep the runs' directories here")
    ap.add_argument("--no-compile", action="store_true", help="skip comparing `loomctl compile` outputs")
    ap.add_argument("topologies", nargs="*")
    a = ap.parse_args()
    topos = a.topologies or sorted(glob.glob(os.path.join(ROOT, "tests", "virtual", "*.yaml")))
    if a.scale:
        topos.append(os.path.join(ROOT, "bench", "virtual_scale_k16.yaml"))
    work = a.keep or tempfile.mkdtemp(prefix="loom-identity-")
    same = bad = 0
    if not a.no_compile:
        bad += compile_all(a.old, a.new)
    for topo in topos:
        name = os.path.splitext(os.path.basename(topo))[0]
        old_dir, new_dir = os.path.join(work, name, "old"), os.path.join(work, name, "new")
        ro, to, lo = run(a.old, topo, old_dir)
        rn, tn, ln = run(a.new, topo, new_dir)
        if ro != 0 and rn != 0:
            verdict, detail = "both failed", ln
        elif ro != 0 or rn != 0:
            verdict, detail = "FAILED in %s" % ("old" if ro else "new"), lo if ro else ln
        else:
            diff = differences(old_dir, new_dir)
            files = sorted(os.listdir(new_dir))
            verdict = "identical" if not diff else "DIFFERENT"
            detail = ", ".join(files) if not diff else "; ".join(diff)
        ok = verdict in ("identical", "both failed")
        same += ok
        bad += not ok
        print("%-28s %-10s old %6.1f s, new %6.1f s  %s" % (name, verdict, to, tn, detail), flush=True)
    print("%d of %d topologies gave the same bytes in both builds%s" %
          (same, len(topos), "" if not bad else "; %d differences in all" % bad))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
