"""What every lab's `check` shares: the README's steps, run as written in a
copy of the lab folder, once as shipped and once with solution/ applied,
and the verdict.

A README marks the commands a student runs as fenced blocks whose info
string is `sh step`; the check runs exactly those, in order, with bash
(-e, -o pipefail), in the lab's folder (a copy), with build/control on PATH.
`<!-- check: solution applied here -->` marks the step where the student
changes the skeleton: blocks before it run once, then the copy is split,
and the blocks after it run twice, in the copy as shipped and in a copy
with the files of solution/ over the skeleton. So the README cannot drift
from what works, and the skeleton as shipped must fail the lab's judge.
"""
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("LOOM_BUILD") or ROOT / "build").resolve()
PY = "/usr/bin/python3"
FABRIC_LOCK = "/run/loom-fabric.lock"
SOLUTION_MARK = "<!-- check: solution applied here -->"
APPLY = object()  # a step list item: the solution goes over the skeleton here


class Block:
    def __init__(self, step, text, line):
        self.step, self.text, self.line = step, text, line


def steps(readme):
    """The README's `sh step` blocks (and the solution mark), in order."""
    out, step, fence, buf, start = [], "", None, [], 0
    for i, line in enumerate(Path(readme).read_text().splitlines(), 1):
        if fence is not None:
            if line.strip() == "```":
                if fence:
                    out.append(Block(step, "\n".join(buf) + "\n", start))
                fence = None
            else:
                buf.append(line)
            continue
        m = re.match(r"^```(.*)$", line.strip())
        if m:
            fence, buf, start = m.group(1).split() == ["sh", "step"], [], i
            continue
        if line.startswith("### "):
            step = line[4:].strip()
        elif line.strip() == SOLUTION_MARK:
            out.append(APPLY)
    if fence is not None:
        raise SystemExit("%s: a ``` block opened at line %d is never closed" % (readme, start))
    return out


def env():
    e = dict(os.environ)
    e["PATH"] = "%s:%s" % (BUILD / "control", e.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"))
    e["LOOM_BUILD"] = str(BUILD)
    # a lab's scripts import labkit from ../lib, which a check's copy of
    # the lab folder (in /tmp) does not have next to it
    e["PYTHONPATH"] = ":".join(p for p in (str(Path(__file__).resolve().parent), e.get("PYTHONPATH")) if p)
    return e


class StepFailed(Exception):
    pass


class FidelityLost(Exception):
    """A real-time lab's run lost loomd's schedule twice (see Lab.run)."""


def run_block(block, cwd, log, timeout=600):
    t0 = time.monotonic()
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.text], cwd=cwd, env=env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    log.write("$ # step '%s' (README line %d), in %s\n%s%s[exit %d, %.1f s]\n\n" % (
        block.step, block.line, cwd, block.text, p.stdout, p.returncode, time.monotonic() - t0))
    log.flush()
    if p.returncode != 0:
        raise StepFailed("step '%s' (README line %d) failed with exit %d:\n%s\n%s" % (
            block.step, block.line, p.returncode, block.text, p.stdout[-3000:]))
    return p.stdout


def copy_lab(lab, dst):
    shutil.copytree(lab, dst, ignore=shutil.ignore_patterns("out", "__pycache__"))
    return dst


def apply_solution(lab, dst):
    sol = Path(lab) / "solution"
    for f in sol.rglob("*"):
        if f.is_file() and f.name != "README.md":
            target = Path(dst) / f.relative_to(sol)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)


def sync_tree(dst):
    """Mirror the source tree into dst for a lab that rebuilds Loom (lab 8):
    only files whose content differs are written, with the time now, so
    that the tree's own build recompiles exactly those (a file copied back
    with its old time would leave a stale object behind). Build folders,
    .git, caches and the labs' out/ are left out."""
    n = 0
    for top, dirs, files in os.walk(ROOT):
        rel_top = Path(top).relative_to(ROOT)
        dirs[:] = [d for d in dirs
                   if not (rel_top == Path(".") and (d.startswith("build") or d == ".git"))
                   and d != "__pycache__" and not (rel_top.parent.name == "labs" and d == "out")]
        for name in files:
            src = Path(top) / name
            if src.is_symlink():
                continue
            t = Path(dst) / rel_top / name
            data = src.read_bytes()
            if t.is_file() and not t.is_symlink() and t.read_bytes() == data:
                continue
            t.parent.mkdir(parents=True, exist_ok=True)
            t.write_bytes(data)
            shutil.copymode(src, t)
            n += 1
    return n


class Lab:
    """Runs a lab's README steps: `shipped` and `solution` are the two
    copies' folders once `run()` returned; `log` has every command and its
    output (printed when a step fails)."""

    def __init__(self, check_file, kept_time=None):
        self.dir = Path(check_file).resolve().parent
        self.name = self.dir.name
        self.blocks = steps(self.dir / "README.md")
        self.tmp = tempfile.TemporaryDirectory(prefix="loom-lab-%s-" % self.name)
        self.logpath = Path(self.tmp.name) / "steps.log"
        # kept_time(folder, phase) -> None, or why loomd lost its schedule
        # over the timing the phase's steps measured ("prefix": the blocks
        # before the solution mark; "shipped", "solution": after it)
        self.kept_time = kept_time

    def _judged_run(self, phase, blocks, make, log):
        """Run `blocks` in the folder make() returns; a real-time lab's run
        that lost loomd's schedule is not judged and runs once more, but a
        second lost run fails the check (tests/fabric/fabric.py: judged,
        the same rule: a machine too busy to emulate must not make "not
        judged" the normal outcome)."""
        lost = []
        while True:
            d = make()
            for b in blocks:
                run_block(b, d, log)
            why = self.kept_time(d, phase) if self.kept_time else None
            if why is None:
                if lost:
                    print("lab %s: %s: run %d kept loomd's schedule (run 1 lost fidelity: %s)"
                          % (self.name, phase, len(lost) + 1, lost[0]), flush=True)
                return d
            lost.append(why)
            print("lab %s: %s: run %d NOT JUDGED, loomd lost fidelity: %s" % (self.name, phase, len(lost), why),
                  flush=True)
            log.write("## %s: run %d lost fidelity: %s\n" % (phase, len(lost), why))
            if len(lost) > 1:
                raise FidelityLost("%s: %d runs lost fidelity (%s): this machine cannot carry the lab's rates now"
                                   % (phase, len(lost), "; ".join(lost)))
            fabric_down()
            shutil.rmtree(d)

    def run_in_tree(self, tree, variants=("shipped", "solution")):
        """For a lab whose steps rebuild Loom (`../../build`): run in a copy
        of the whole source tree (`tree`, kept between checks with its own
        build), the variants one after the other; each variant's out/ is
        copied to the temporary folder, which the judge reads."""
        tree = Path(tree)
        sync_tree(tree)
        if not (tree / "build" / "build.ninja").exists():
            # no unit tests, no LTO: this build relinks loomd and loomctl twice per check
            subprocess.run(["meson", "setup", str(tree / "build"), str(tree), "-Dtests=disabled", "-Db_lto=false"],
                           check=True, stdout=subprocess.DEVNULL)
        lab = tree / "labs" / self.name
        shutil.rmtree(lab / "out", ignore_errors=True)
        blocks = self.blocks
        cut = blocks.index(APPLY) if APPLY in blocks else len(blocks)
        dirs = {}
        with open(self.logpath, "a") as log:
            for b in blocks[:cut]:
                run_block(b, lab, log)
            prefix_out = Path(self.tmp.name) / "prefix-out"
            if (lab / "out").exists():
                shutil.copytree(lab / "out", prefix_out)
            for v in variants:
                log.write("## %s\n" % v)
                shutil.rmtree(lab / "out", ignore_errors=True)
                if prefix_out.exists():
                    shutil.copytree(prefix_out, lab / "out")
                if v == "solution":
                    apply_solution(self.dir, lab)
                    for f in (self.dir / "solution").rglob("*"):  # new content, new time
                        t = lab / f.relative_to(self.dir / "solution")
                        if t.is_file():
                            os.utime(t)
                for b in blocks[cut + 1:]:
                    run_block(b, lab, log, timeout=1800)
                dirs[v] = Path(self.tmp.name) / v
                shutil.copytree(lab, dirs[v], ignore=shutil.ignore_patterns("__pycache__"))
        sync_tree(tree)  # the tree's lab folder as shipped again
        self.dirs = dirs
        return dirs

    def run(self, variants=("shipped", "solution"), workdir=None):
        """Blocks before the solution mark once, in a copy of the lab
        folder; then, per variant, that copy copied again (with solution/
        over it for "solution") and the blocks after the mark, all of one
        variant before the next (a real-time lab's fabric is one)."""
        base = Path(workdir or self.tmp.name)
        blocks = self.blocks
        cut = blocks.index(APPLY) if APPLY in blocks else len(blocks)
        dirs = {}
        with open(self.logpath, "a") as log:
            first = self._judged_run("prefix", blocks[:cut], lambda: copy_lab(self.dir, base / "prefix"), log)
            if cut == len(blocks):
                dirs = {"solution": first}
            for v in (variants if cut < len(blocks) else ()):
                def make(v=v):
                    d = base / v
                    shutil.copytree(first, d)
                    if v == "solution":
                        apply_solution(self.dir, d)
                    log.write("## %s\n" % v)
                    return d
                dirs[v] = self._judged_run(v, blocks[cut + 1:], make, log)
        self.dirs = dirs
        return dirs

    def log_text(self):
        return self.logpath.read_text() if self.logpath.exists() else ""


def results(path):
    with open(path) as f:
        return json.load(f)


def conserved(res):
    """The switches of a results file that did not conserve packets."""
    bad = [s["name"] for s in res["switches"] if not s.get("conserved")]
    return bad


def load_runs(paths):
    """[(path, results)]: the `loomctl run` results files a lab's show.py
    compares, in the order given."""
    return [(p, results(p)) for p in paths]


def grouped_bars(ax, categories, runs, legend_size=8):
    """On matplotlib axes `ax`: one group of bars per category, in each one
    bar per run; runs: [(label, [value per category])]."""
    w = 0.8 / len(runs)
    for i, (label, values) in enumerate(runs):
        ax.bar([x + i * w for x in range(len(categories))], values, w, label=label)
    ax.set_xticks([x + w * (len(runs) - 1) / 2 for x in range(len(categories))])
    ax.set_xticklabels(categories)
    ax.legend(fontsize=legend_size)


def plot_grouped_bars(png, categories, runs, ylabel, title, xlabel=None, size=(7, 3.5)):
    """A PNG of grouped_bars (how a lab's show.py --png compares runs),
    and a line saying where it is. matplotlib is imported here: printing
    the figures needs none."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=size)
    grouped_bars(ax, categories, runs)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
    print("plot:", png)


def fidelity_over(before, after, **limits):
    """loomd's schedule between two `loomctl status --json` files written
    around a real-time measurement: (seconds, late_ms, why), why None when
    loomd kept it. The rule is the fabric tests' (tests/fabric/fabric.py:
    fidelity_lost), so that a lab and a test judge a run alike; `limits`:
    its max_share / max_stall_ms, for a lab whose judgement a short stall
    cannot move."""
    sys.path.insert(0, str(ROOT / "tests" / "fabric"))
    import fabric  # noqa: E402
    a, b = results(before), results(after)
    seconds = (b["uptime_ns"] - a["uptime_ns"]) / 1e9
    late_ms = (b["fidelity"]["late_ns"] - a["fidelity"]["late_ns"]) / 1e6
    return seconds, late_ms, fabric.fidelity_lost(a["fidelity"], b["fidelity"], seconds, **limits)


@contextlib.contextmanager
def fabric_lock():
    """Namespace fabric labs: one fabric per machine (the tests take it too).
    LOOM_FABRIC_LOCK_HELD=1: the caller holds it already, around several
    checks and tests in a row (`flock /run/loom-fabric.lock SCRIPT`): taking
    it again from here would wait for ever."""
    if os.environ.get("LOOM_FABRIC_LOCK_HELD") == "1":
        yield
        return
    with open(FABRIC_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def fabric_down():
    subprocess.run([str(BUILD / "control" / "loomctl"), "down"], env=env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Verdict:
    """The judge's findings: figures measured (printed either way) and
    what failed."""

    def __init__(self):
        self.figures, self.failed = [], []

    def figure(self, text):
        self.figures.append(text)

    def need(self, cond, text):
        if not cond:
            self.failed.append(text)
        return cond

    @property
    def ok(self):
        return not self.failed


def main(check_file, judge, needs_fix=True, realtime=False, pending=None, note=None, tree=False, kept_time=None):
    """The `check` of a lab: run its README, judge the copy with the
    solution (it must pass) and, when the student has something to fix,
    the copy as shipped (it must not). kept_time: see Lab (a real-time lab
    that judges timing). Exit 0 pass, 1 fail, 77 skipped."""
    name = Path(check_file).resolve().parent.name
    if pending:
        print("lab %s: skipped: %s" % (name, pending))
        return 77
    t0 = time.monotonic()
    lab = Lab(check_file, kept_time=kept_time)
    ok = True
    try:
        ctx = fabric_lock() if realtime else contextlib.nullcontext()
        with ctx:
            if realtime:
                # holding the lock, a fabric still up is a stale one (a test
                # or lab that died without taking it down): the fabric tests
                # take it down before theirs too
                fabric_down()
            try:
                variants = ("shipped", "solution") if needs_fix else ("solution",)
                if tree:
                    dirs = lab.run_in_tree(BUILD.parent / (BUILD.name + "-labs") / "tree", variants)
                else:
                    dirs = lab.run(variants)
            finally:
                if realtime:
                    fabric_down()
        if note:
            print("lab %s: %s" % (name, note))
        for variant in ("solution", "shipped"):
            if variant not in dirs:
                continue
            v = judge(Path(dirs[variant]), variant)
            for f in v.figures:
                print("lab %s: %s: %s" % (name, variant, f))
            if variant == "solution":
                if not v.ok:
                    ok = False
                    print("lab %s: FAIL: with the solution: %s" % (name, "; ".join(v.failed)))
            else:
                if v.ok:
                    ok = False
                    print("lab %s: FAIL: the skeleton as shipped passes the judge: the lab asks for nothing" % name)
                else:
                    print("lab %s: as shipped it fails, as it should: %s" % (name, "; ".join(v.failed)))
    except (StepFailed, FidelityLost, subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError, KeyError,
            ValueError) as e:
        ok = False
        print("lab %s: FAIL: %s" % (name, e))
        print("---- steps log ----\n" + lab.log_text()[-6000:])
    print("lab %s: %s in %.1f s" % (name, "ok" if ok else "FAILED", time.monotonic() - t0))
    if os.environ.get("LOOM_LAB_KEEP"):
        print("lab %s: folders kept in %s" % (name, lab.tmp.name))
        lab.tmp._finalizer.detach()
    return 0 if ok else 1
