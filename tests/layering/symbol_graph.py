#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Who calls whom, read from the built objects rather than from #include
lines: for every object file of a build (its compile_commands.json), the
global symbols it defines and the ones it leaves undefined (`nm`); an
undefined symbol that another of the project's objects defines is an arrow
from the first source file to the second.

This sees what an include check cannot: a function declared in a lower
floor's header but defined above it, or a call through a declaration a
file writes itself. test_layers.py uses it; run alone it prints the arrows
between folders and the circles of files:

  /usr/bin/python3 tests/layering/symbol_graph.py [BUILD_DIR [SOURCE_DIR]]

(SOURCE_DIR: the tree BUILD_DIR was configured from, when it is not this
one: an older checkout's build, to compare.)
"""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# nm's letters for global definitions (text, data, bss, read-only, weak,
# common) and for an undefined reference
DEFINED = set("TDBRVWCGS")


def objects(build, root=ROOT):
    """(source path relative to ROOT, object path) for each of the
    project's C sources in the build, tests, fuzzers, benches and generated
    files left out."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        cmds = json.load(f)
    seen = set()
    for c in cmds:
        src = os.path.normpath(os.path.join(c["directory"], c["file"]))
        out = os.path.normpath(os.path.join(c["directory"], c["output"]))
        rel = os.path.relpath(src, root)
        if rel.startswith(("..", "tests/", "bench/")) or not rel.endswith(".c") or out in seen:
            continue
        if not os.path.exists(out):
            continue
        seen.add(out)
        yield rel, out


def nm(path):
    p = subprocess.run(["nm", "-g", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    defined, undefined = set(), set()
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in DEFINED:
            defined.add(parts[2])
    return defined, undefined


def file_arrows(build, root=ROOT):
    """{source: {source it calls: [symbols]}}. A symbol defined by several
    sources (one built into two programs) points at each of them."""
    defs, undefs = {}, {}
    for rel, out in objects(build, root):
        d, u = nm(out)
        for s in d:
            defs.setdefault(s, set()).add(rel)
        undefs.setdefault(rel, set()).update(u)
    arrows = {}
    for rel, u in undefs.items():
        for s in u:
            for target in defs.get(s, ()):
                if target != rel:
                    arrows.setdefault(rel, {}).setdefault(target, []).append(s)
    return arrows


def circles(arrows):
    """Strongly connected components of more than one file (Tarjan's)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    nodes = set(arrows) | {t for a in arrows.values() for t in a}
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in arrows.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def folder(rel):
    """dataplane/x/y.c -> dataplane/x; dataplane/loomd.c -> dataplane;
    control/a/b.c -> control/a; vm/guest/agent/c.c -> vm/guest/agent"""
    return os.path.dirname(rel)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    arrows = file_arrows(build, os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else ROOT)
    pairs = {}
    for a, ts in arrows.items():
        for b, syms in ts.items():
            fa, fb = folder(a), folder(b)
            if fa != fb:
                pairs.setdefault((fa, fb), set()).update(syms)
    for (fa, fb), syms in sorted(pairs.items()):
        print("%s -> %s: %s" % (fa, fb, ", ".join(sorted(syms)[:6]) + (" ..." if len(syms) > 6 else "")))
    print()
    for c in circles(arrows):
        print("circle:", " ".join(c))


if __name__ == "__main__":
    main()
