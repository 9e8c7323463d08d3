#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
./loom bench --virtual-mpi: virtual time split over MPI ranks
(docs/VIRTUAL_TIME.md "Many ranks"). Runs one topology (default the k=16
fat tree, bench/virtual_scale_k16.yaml) with `loomctl run` as one loomd
without MPI, then with `--ranks N` for each N of --ranks (default 1,2), and
with --baseline BUILD also with another build's loomctl (e.g. main's, to
compare with the runner before the order of issue 27). Prints per run the
wall time of the whole `loomctl run` (compile, loomd's set-up, loop,
results), loomd's loop, the speed-up of both over the first run, and per
rank its events, events/s, time in the window exchange (waiting for the
other ranks included) and peak RSS; and whether each run's results are
byte-identical to the first's. Figures only: nothing here is asserted.
"""
import argparse
import filecmp
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANK = re.compile(r"loomd: rank (\d+): (\d+) switches, (\d+) hosts, (\d+) events \((\d+) events/s of loop\).*"
                  r"messages sent (\d+) received (\d+), windows (\d+), loop ([\d.]+) s, sync ([\d.]+) s "
                  r"\(([\d.]+)%\), peak RSS ([\d.]+) MB")


def run(loomctl, topo, out, ranks):
    cmd = [loomctl, "run", topo, "--out", out] + (["--ranks", str(ranks)] if ranks else [])
    print("==> %s" % " ".join(cmd), flush=True)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        print(p.stderr, end="", file=sys.stderr)
        return None
    loop = re.search(r"loop ([\d.]+) s \(", p.stderr)
    events = re.search(r"virtual run: (\d+) events", p.stderr)
    return {"wall": wall, "loop": float(loop.group(1)), "events": int(events.group(1)),
            "ranks": [m.groups() for m in RANK.finditer(p.stderr)], "out": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--baseline", help="another build directory: its loomctl run without MPI, first")
    ap.add_argument("--ranks", default="1,2", help="rank counts, comma-separated (default 1,2)")
    ap.add_argument("topology", nargs="?", default=os.path.join(ROOT, "bench", "virtual_scale_k16.yaml"))
    a = ap.parse_args()
    runs = []
    plan = ([("baseline (%s)" % a.baseline, os.path.join(a.baseline, "control", "loomctl"), 0)] if a.baseline else [])
    plan.append(("one loomd, no MPI", os.path.join(a.build, "control", "loomctl"), 0))
    for n in a.ranks.split(","):
        plan.append(("%s rank(s)" % n, os.path.join(a.build, "control", "loomctl"), int(n)))
    for i, (label, loomctl, ranks) in enumerate(plan):
        out = os.path.join(a.build, "virtual-mpi-%d.json" % i)
        r = run(loomctl, a.topology, out, ranks)
        if r is None:
            print("loom bench: %s failed" % label, file=sys.stderr)
            return 1
        r["label"] = label
        runs.append(r)
        print("    %s: %d events, wall %.2f s, loop %.2f s" % (label, r["events"], r["wall"], r["loop"]), flush=True)
        for x in r["ranks"]:
            print("      rank %s: %s events, loop %s s, sync %s s (%s%%), peak RSS %s MB" % (
                x[0], x[3], x[8], x[9], x[10], x[11]), flush=True)
    first = runs[0]
    print("\n%-34s %10s %8s %8s %8s %8s %11s" % ("run", "events", "wall s", "loop s", "x wall", "x loop",
                                                   "identical"))
    for r in runs:
        print("%-34s %10d %8.2f %8.2f %8.2f %8.2f %11s" % (
            r["label"], r["events"], r["wall"], r["loop"], first["wall"] / r["wall"], first["loop"] / r["loop"],
            "yes" if filecmp.cmp(first["out"], r["out"], shallow=False) else "NO"))
    for r in runs:
        for (rank, sw, hosts, ev, evs, sent, recv, win, loop, sync, share, rss) in r["ranks"]:
            print("  %-18s rank %s: %s switches, %s hosts, %s events, %s events/s, messages %s out %s in, "
                  "%s windows, sync %s s of %s s (%s%%), peak RSS %s MB" % (
                      r["label"], rank, sw, hosts, ev, evs, sent, recv, win, sync, loop, share, rss))
    print("(wall: the whole loomctl run; loop: loomd's event loop (rank 0's with MPI); x: speed-up over the "
          "first row)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
