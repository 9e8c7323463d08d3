#!/usr/bin/python3
"""./loom lab: the labs of labs/ (labs/README.md).

    lab.py list
    lab.py start NAME     run the lab's step 1 (bring its fabric up, or its
                          first virtual-time run) and print step 2
    lab.py stop           take a lab's fabric down (loomctl down)
    lab.py check NAME|--all
                          run the lab's check (its README's steps, judged)

NAME is the folder's name or its number (`1` for 1-ecmp-polarization).
"""
import contextlib
import fcntl
import re
import subprocess
import sys
import time
from pathlib import Path

LABS = Path(__file__).resolve().parent
sys.path.insert(0, str(LABS / "lib"))
import labkit  # noqa: E402

def labs():
    return sorted((d for d in LABS.iterdir() if (d / "README.md").is_file() and (d / "check").is_file()),
                  key=lambda d: (int(d.name.split("-")[0]), d.name))


def find(name):
    for d in labs():
        if d.name == name or d.name.split("-")[0] == name:
            return d
    raise SystemExit("loom lab: no lab '%s' (./loom lab list)" % name)


def header(d):
    text = (d / "README.md").read_text()
    title = re.search(r"^# (?:Lab \d+: )?(.*)$", text, re.M)
    dur = re.search(r"\*\*Time:\*\* ([^.]*)\.", text)
    clock = re.search(r"\*\*Clock:\*\* ([^.(]*)", text)
    return (title.group(1) if title else "?", dur.group(1) if dur else "?",
            " ".join(clock.group(1).split()) if clock else "?")  # the README may wrap it


def cmd_list():
    for d in labs():
        title, dur, clock = header(d)
        print("%-26s %-48s %-22s %s" % (d.name, title, dur, clock))


def section(d, n):
    """The README's text of step n (its heading to the next heading)."""
    text = (d / "README.md").read_text()
    m = re.search(r"^### %d\. .*?(?=^##)" % n, text, re.M | re.S)
    return m.group(0).replace(labkit.SOLUTION_MARK, "").strip() if m else None


@contextlib.contextmanager
def fabric_lock_now():
    """The namespace fabric's lock, if free: a check or a fabric test that
    holds it has a fabric of its own up, which start and stop must leave
    alone (loomctl up and down would take it over or down)."""
    with open(labkit.FABRIC_LOCK, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit("loom lab: a check or a fabric test is running (%s is held); try again when it is done"
                             % labkit.FABRIC_LOCK)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def cmd_start(name):
    d = find(name)
    blocks = [b for b in labkit.steps(d / "README.md") if b is not labkit.APPLY]
    if not blocks:
        raise SystemExit("loom lab: %s has no steps" % d.name)
    first = blocks[0]
    print("lab %s: step %s, in %s:\n%s" % (d.name, first.step, d, first.text))
    with fabric_lock_now() if "loomctl up" in first.text else contextlib.nullcontext():
        p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", first.text], cwd=d, env=labkit.env())
    if p.returncode != 0:
        raise SystemExit("loom lab: step 1 failed (exit %d)" % p.returncode)
    nxt = section(d, 2)
    print("\nStep 1 done. Go on in a shell of your own, in the lab's folder, with loomctl on your PATH:\n"
          "    cd %s\n    export PATH=%s:$PATH\n" % (d, labkit.BUILD / "control"))
    if nxt:
        print(nxt.replace("```sh step", "```sh"))
    print("\n(the whole lab: %s; `./loom lab stop` takes a fabric down)" % (d / "README.md"))


def cmd_stop():
    with fabric_lock_now():
        stop()


def stop():
    running = subprocess.run([str(labkit.BUILD / "control" / "loomctl"), "status"], env=labkit.env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    if running:
        subprocess.run([str(labkit.BUILD / "control" / "loomctl"), "down"], env=labkit.env(), check=False)
        print("loom lab: fabric down")
    else:
        print("loom lab: no fabric is up")


def cmd_check(names):
    todo = labs() if names == ["--all"] else [find(n) for n in names]
    t0 = time.monotonic()
    passed, failed, skipped, times = [], [], [], []
    for d in todo:
        t = time.monotonic()
        print("==== lab %s" % d.name, flush=True)
        rc = subprocess.run([str(d / "check")], env=labkit.env()).returncode
        dt = time.monotonic() - t
        (skipped if rc == 77 else passed if rc == 0 else failed).append(d.name)
        times.append("  %-26s %6.1f s  %s" % (d.name, dt, "skipped" if rc == 77 else "ok" if rc == 0 else "FAILED"))
    print("\n" + "\n".join(times))
    # the lines ./loom test counts (unittest's)
    print("\nRan %d tests in %.1fs\n" % (len(passed) + len(failed), time.monotonic() - t0))
    if failed:
        print("FAILED (failures=%d)%s" % (len(failed), " skipped: " + ", ".join(skipped) if skipped else ""))
        return 1
    print("OK%s" % (" (skipped=%d: %s)" % (len(skipped), ", ".join(skipped)) if skipped else ""))
    return 0


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    cmd, args = argv[0], argv[1:]
    if cmd == "list" and not args:
        cmd_list()
    elif cmd == "start" and len(args) == 1:
        cmd_start(args[0])
    elif cmd == "stop" and not args:
        cmd_stop()
    elif cmd == "check" and args:
        return cmd_check(args)
    else:
        print("loom lab: list | start NAME | stop | check NAME|--all", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
