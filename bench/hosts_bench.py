"""./loom bench --hosts: one TCP flow (iperf3) between two real hosts on
different leaves of the default fabric (2 spines, 4 leaves, 10G links),
beside the ceiling of the hosts' port type measured in the same run
(issue 19's benchmark, docs/PERFORMANCE.md).

Per row (port type, MTU), each repetition:

  fabric   `loomctl up` of the default fabric's shape (h0 on leaf0, h7 on
           leaf3; with --vm rows h0 and h7 are QEMU guests, the others stay
           namespace hosts), iperf3 -c from h0 to h7 for --seconds; loomd's
           drops by reason, loomd's CPU time and its worker's busy share
           over the flow
  ceiling  the same hosts, still up: loomd is shut down and dpdk-testpmd
           forwards in io mode between h0's and h7's ports, opened with the
           devargs loomd had (the same af_packet rings, af_xdp sockets,
           vhost-user sockets); each host's gateway neighbour entry points
           at the other host's MAC, since io forwarding rewrites nothing;
           the same iperf3 run

Then `loomctl down`. Each repetition holds /run/loom-fabric.lock only while
its fabric is up (other fabric tests take it too); run under a caller that
holds it already (`flock /run/loom-fabric.lock ...`), it runs under that.
Nothing waits without a bound: every command has a timeout, every wait
(the lock, a fabric someone else brought up, loomd, testpmd, iperf3) says
what it waits for while it waits and fails naming it, and a watchdog ends
the bench, its fabric brought down, with every thread's stack, should
anything outlast its bound all the same. The machine's load
(uptime's 1-minute figure) is recorded before and after each run. Figures
are printed, never judged: the median and range of the repetitions, as a
fraction of the link rate and of the same-run ceiling.

af_xdp has no jumbo row: `loomctl up` refuses an af_xdp host's link above
MTU 1500, where its full-sized frames do not arrive (open; docs/TOPOLOGY.md).
A row whose run fails three times is left out of the table.
"""
import argparse
import contextlib
import faulthandler
import fcntl
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOCK = "/run/loom-fabric.lock"
STATE = "/run/loom/state.json"
CONFIG = "/run/loom/config.json"
FABRIC = "hostbench"
SRC, DST = "h0", "h7"          # leaf0 port 0, leaf3 port 1
DST_ADDR = "10.0.3.3"
LINK_BPS = 10e9
AF_XDP_MAX_MTU = 1500          # scheduler/include/loom/frame.h, LOOM_AF_XDP_HOST_MAX_MTU (what carries full frames)

TM_DROPS = ("queue_full", "buffer_full")   # the traffic manager's drops of a full queue or buffer

# (port type, MTU): the rows of issue 19's benchmark
# (af_xdp above 1500 moves nothing today and loomctl up refuses it: docs/PERFORMANCE.md)
ROWS_NS = [("af_packet", 1500), ("af_packet", 9000), ("af_xdp", 1500)]
ROWS_VM = [("vm", 1500), ("vm", 9000)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Stalled(RuntimeError):
    """A wait that reached its bound; the message names what it waited for."""


class NoFabric(Exception):
    """The machine's fabric cannot be had (the lock stays held, or a fabric
    someone else brought up stays up, or one is left dead): no run can be
    done, so the bench ends instead of trying every row."""


def run_bounded(argv, what, timeout, **kw):
    """subprocess.run with output captured and a timeout that names what
    stalled: `what` and the command."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise Stalled("%s: no answer in %d s (%s)" % (what, timeout, " ".join(argv))) from None


# ---------------------------------------------------------------- the machine's fabric
def pid_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:160] or "?"
    except OSError:
        return "(gone)"


def lock_holders(path):
    """Processes that hold a flock on `path`, as {pid: cmdline}: every
    process with an open file of it whose fdinfo shows a lock (a lock taken
    by `flock FILE CMD` is held by CMD and by whatever CMD starts that
    keeps the descriptor: a daemon left running holds it for good)."""
    try:
        st = os.stat(path)
    except OSError:
        return {}
    holders = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        fd_dir = "/proc/%s/fd" % d
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                fst = os.stat(os.path.join(fd_dir, fd))
                if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
                    continue
                with open("/proc/%s/fdinfo/%s" % (d, fd)) as f:
                    if any(line.startswith("lock:") and "FLOCK" in line for line in f):
                        holders[int(d)] = pid_cmdline(int(d))
            except OSError:
                continue
    return holders


def ancestors():
    """This process's parent, its parent, ... up to init."""
    out, pid = [], os.getpid()
    while pid > 1:
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        out.append(pid)
    return out


def fabric_up():
    """None when no fabric is up (no state file); else (description, dead):
    dead when the state's loomd and every guest it lists are gone, a state
    no one will take down by waiting."""
    try:
        with open(STATE) as f:
            state = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return ("%s cannot be read (%s)" % (STATE, e), True)
    pids = [int(state.get("pid") or 0)] + [int(v.get("pid") or 0) for v in state.get("vms", [])]
    alive = [p for p in pids if p > 0 and os.path.exists("/proc/%d" % p)]
    return ("fabric '%s' (%s, loomd pid %s%s)" % (state.get("fabric", "?"), STATE, state.get("pid"),
                                                  "" if alive else ", not running"), not alive)


class LockWaiter:
    """flock(LOCK_EX) on f, blocking in a thread of its own: it keeps its
    place in the kernel's queue of waiters while the caller, waiting on it
    with a timeout, says who holds the lock and keeps the bound. (Polling,
    or an alarm that interrupts the wait, goes to the back of the queue at
    each try: every `flock` waiter would pass first.) Should the caller give
    up, the thread is a daemon: the bench's exit ends it."""

    def __init__(self, f):
        self.taken = threading.Event()
        self.error = None

        def take():
            try:
                fcntl.flock(f, fcntl.LOCK_EX)
            except OSError as e:
                self.error = e
            self.taken.set()
        threading.Thread(target=take, name="fabric-lock", daemon=True).start()

    def wait(self, seconds):
        if self.taken.wait(seconds) and self.error:
            raise self.error
        return self.taken.is_set()


def take_fabric(f, wait_s):
    """fabric_lock's wait: True when we took the lock, False when our
    caller holds it."""
    t0 = time.monotonic()
    ours = caller = False
    while True:
        if not ours and not caller:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                ours = True
            except BlockingIOError:
                holders = lock_holders(LOCK)
                mine = [p for p in ancestors() if p in holders]
                if mine:
                    caller = True
                    log("  %s is held by this bench's caller (pid %d: %s): running under it"
                        % (LOCK, mine[0], holders[mine[0]]))
                else:
                    waiter = LockWaiter(f)
                    while not ours:
                        waited = time.monotonic() - t0
                        who = "; ".join("pid %d: %s" % kv for kv in holders.items()) or "a process not found"
                        if waited > wait_s:
                            raise NoFabric("waited %d s for %s, held by %s" % (waited, LOCK, who))
                        log("  waiting for %s (%d s of at most %d), held by %s" % (LOCK, waited, wait_s, who))
                        ours = waiter.wait(min(60, wait_s - waited + 1))
                        holders = lock_holders(LOCK) if not ours else holders
        up = fabric_up()
        if up is None:
            return ours
        if ours:
            fcntl.flock(f, fcntl.LOCK_UN)
            ours = False
        desc, dead = up
        waited = time.monotonic() - t0
        if dead:
            raise NoFabric("%s is left from a fabric that no longer runs: `loomctl down` removes it" % desc)
        if waited > wait_s:
            raise NoFabric("waited %d s for %s to be brought down (it was brought up without %s)"
                           % (waited, desc, LOCK))
        if int(waited) % 60 < 5:
            log("  waiting for %s to be brought down (%d s of at most %d)" % (desc, waited, wait_s))
        time.sleep(5)


@contextlib.contextmanager
def fabric_lock(wait_s, watch):
    """The machine's one fabric: the lock, and no fabric up (one brought up
    by hand does not take the lock: wait for it to go). Waits at most
    wait_s, saying every minute what for and who holds the lock; a lock
    held by this bench's own caller (`flock LOCK ./loom bench --hosts`) is
    ours: we run under it (waiting for it would wait for ourselves, for
    ever). A state file left by a fabric that no longer runs ends the wait
    at once: nobody will take it away."""
    # close-on-exec (Python's default): no child of ours keeps the lock
    with open(LOCK, "a") as f:
        with watch.waiting("the fabric lock (%s), or a fabric up to go down" % LOCK, wait_s + 10):
            ours = take_fabric(f, wait_s)
        try:
            yield
        finally:
            if ours:
                fcntl.flock(f, fcntl.LOCK_UN)


class Watchdog:
    """What the bench waits for now, and until when. Every wait is bounded
    where it is made (timeouts, counted loops); this is the net under them:
    a wait that outlasts its bound by GRACE_S is reported with every
    thread's stack and the bench is ended by SIGTERM (which unwinds and
    brings its fabric down), or, if even that does not end it, killed."""
    GRACE_S = 30

    def __init__(self):
        self.what, self.until = None, None
        self.fired = None
        threading.Thread(target=self._watch, name="watchdog", daemon=True).start()

    @contextlib.contextmanager
    def waiting(self, what, seconds):
        outer = (self.what, self.until)
        self.what, self.until = what, time.monotonic() + seconds
        try:
            yield
        finally:
            self.what, self.until = outer

    def _watch(self):
        while True:
            time.sleep(2)
            now = time.monotonic()
            if self.fired is not None:
                if now > self.fired + 60:
                    log("hosts bench: did not end 60 s after SIGTERM: killed (a fabric may be left up: "
                        "`loomctl down`)")
                    os._exit(3)
                continue
            what, until = self.what, self.until
            if until is not None and now > until + self.GRACE_S:
                self.fired = now
                log("hosts bench: STALLED waiting for %s (%d s past its bound); every thread's stack:"
                    % (what, now - until))
                faulthandler.dump_traceback(sys.stderr, all_threads=True)
                os.kill(os.getpid(), signal.SIGTERM)


# Bounds of the waits (seconds). `loomctl up` of two TCG guests took
# 40-90 s here; everything else answers in seconds.
UP_S = 300
CTL_S = 60
DOWN_S = 120
LOCK_WAIT_S = 1200


def RUN_S(seconds):
    """A whole repetition once the lock is had: up, two flows and their
    set-up, the ceiling's loomd exit and testpmd, down (the sum of the
    bounds above, which nest inside it)."""
    return UP_S + 2 * (seconds + 100) + 20 + Testpmd.START_S + Testpmd.STOP_S + DOWN_S + 60


class Bench:
    def __init__(self, build, work, seconds, watch, tm=None, perf_dir=None):
        self.loomctl = os.path.join(build, "control", "loomctl")
        self.work = work
        self.seconds = seconds
        self.watch = watch
        self.tm = tm or {}
        self.perf_dir = perf_dir
        self.lock_wait_s = LOCK_WAIT_S
        self.run_tag = ""

    def ctl(self, *args, timeout=CTL_S, check=True):
        what = "loomctl " + " ".join(args)[:200]
        with self.watch.waiting(what, timeout):
            r = run_bounded([self.loomctl, *args], what, timeout)
        if check and r.returncode != 0:
            raise RuntimeError("loomctl %s: %s%s" % (" ".join(args), r.stdout[-2000:], r.stderr[-2000:]))
        return r

    def hexec(self, host, *argv, timeout=None, check=True):
        """The command on a host, killed there after `timeout` (loomctl
        exec's own, status 124), and loomctl itself given 30 s more."""
        t = timeout or self.seconds + 30
        return self.ctl("exec", host, "--timeout", str(t), "--", *argv, timeout=t + 30, check=check)

    # ------------------------------------------------------------ topology
    def topology(self, port_type, mtu):
        """The default fabric (vm/topologies/default.yaml), explicit, every
        link at `mtu`; namespace rows give every host port_type, VM rows
        only the two hosts of the flow (a guest costs a core's worth of
        TCG to boot)."""
        out = self.ctl("topo", "expand", os.path.join(ROOT, "vm", "topologies", "default.yaml")).stdout
        t = yaml.safe_load(out)
        t["fabric"] = FABRIC
        t["defaults"]["mtu"] = mtu
        for link in t["links"]:
            link["mtu"] = mtu
        for h in t["hosts"]:
            if port_type != "vm":
                h["port_type"] = port_type
            elif h["name"] in (SRC, DST):
                h["port_type"] = "vm"
        if self.tm:
            t["tm"] = dict(self.tm)
        path = os.path.join(self.work, "%s-%d.yaml" % (port_type, mtu))
        with open(path, "w") as f:
            yaml.safe_dump(t, f, sort_keys=False)
        return path

    # ------------------------------------------------------------ measuring
    def profile(self, seconds, what):
        """Wait `seconds`; with --perf, sample every CPU meanwhile
        (perf record -e cpu-clock: this VM has no PMU) and keep what took
        the CPU, by process and object, and by symbol, in the --perf
        directory (ROW-WHAT.txt); the first lines are logged."""
        if not self.perf_dir:
            time.sleep(seconds)
            return
        data = os.path.join(self.work, "perf.data")
        r = run_bounded(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-a", "-g", "-o", data, "--",
                         "sleep", "%.1f" % seconds], "perf record", seconds + 60)
        if r.returncode != 0:
            log("  perf record failed: %s" % r.stderr[-300:])
            return
        out = []
        for sort, limit in (("comm,dso", "2"), ("comm,sym", "1")):
            rep = run_bounded(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", sort,
                               "--percent-limit", limit, "-g", "none"], "perf report", 300)
            out.append("\n".join(line for line in rep.stdout.splitlines() if line.strip() and not line.startswith("#")))
        path = os.path.join(self.perf_dir, "%s-%s.txt" % (self.run_tag, what))
        with open(path, "w") as f:
            f.write("# CPU samples (cpu-clock, all CPUs, %.1f s of the flow): by process and object, then by symbol\n"
                    % seconds + "\n\n".join(out) + "\n")
        log("  perf (%s): %s" % (what, path))
        for line in out[0].splitlines()[:8]:
            log("    " + line.strip())

    def iperf3(self, sample, what="fabric"):
        """iperf3 from SRC to DST; `sample()` is called 2 s into the flow
        and 1 s before its end (CPU shares between them). Neither end
        waits for a path that stopped: the server gives up on a client
        that never comes (--idle-timeout) and on data that stops coming
        (--rcv-timeout), the client on data the path stopped acknowledging
        (--snd-timeout), each with an error that says so."""
        self.hexec(DST, "iperf3", "-s", "-D", "-1", "--idle-timeout", str(self.seconds + 60),
                   "--rcv-timeout", "10000")
        time.sleep(0.5)
        res = {}

        def client():
            try:
                res["r"] = self.hexec(SRC, "iperf3", "-c", DST_ADDR, "-t", str(self.seconds), "-J",
                                      "--connect-timeout", "5000", "--snd-timeout", "10000", check=False)
            except Exception as e:  # noqa: BLE001 (reported by the caller)
                res["e"] = e
        # a daemon: should the caller fail meanwhile, exiting does not
        # wait for it (loomctl exec's timeout ends it anyway)
        th = threading.Thread(target=client, name="iperf3-client", daemon=True)
        th.start()
        time.sleep(2.5)
        s0 = sample()
        self.profile(max(1, self.seconds - 3.5), what)
        s1 = sample()
        bound = self.seconds + 30 + 30 + 5   # hexec's own bounds, and a little
        with self.watch.waiting("the iperf3 client on %s (%s -> %s)" % (SRC, SRC, DST_ADDR), bound):
            th.join(bound)
        if th.is_alive():
            raise Stalled("the iperf3 client on %s did not end %d s after its %d s flow" % (SRC, bound, self.seconds))
        if "e" in res:
            raise res["e"]
        r = res["r"]
        if r.returncode != 0:
            raise RuntimeError("iperf3 (exit %d): %s %s" % (r.returncode, r.stdout[-1500:], r.stderr[-1500:]))
        j = json.loads(r.stdout)
        end = j["end"]
        sender = end["streams"][0]["sender"]
        return {"gbps": end["sum_received"]["bits_per_second"] / 1e9,
                "max_cwnd_kb": sender.get("max_snd_cwnd", 0) / 1e3,
                "mean_rtt_us": sender.get("mean_rtt", 0),
                "retransmits": end["sum_sent"].get("retransmits", 0),
                "cpu_sender": end["cpu_utilization_percent"]["host_total"],
                "cpu_receiver": end["cpu_utilization_percent"]["remote_total"],
                "samples": (s0, s1)}

    @staticmethod
    def proc_cpu(pids):
        """CPU seconds (user + system) of the processes, all threads."""
        total = 0.0
        for pid in pids:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError):
                pass
        return total

    def qemu_cpu(self, qemu):
        """CPU seconds of the sender's and the receiver's QEMU (VM rows)."""
        return [self.proc_cpu([qemu[h]]) for h in (SRC, DST) if h in qemu]

    def loomd_status(self):
        return json.loads(self.ctl("raw", json.dumps({"cmd": "status"})).stdout)["result"]

    def drops(self):
        """Drops by reason over every switch, and where queue_full happened."""
        st = json.loads(self.ctl("stats", "--json").stdout)
        by = {}
        where = {}
        for sw in st["switches"]:
            for p in sw["ports"]:
                for reason, n in (p.get("drops") or {}).items():
                    if n and reason not in ("nd_ignored", "l2_multicast", "arp_ignored"):
                        by[reason] = by.get(reason, 0) + n
                        if reason == "queue_full":
                            where["%s:%s" % (sw["name"], p["name"])] = n
                # what the port's driver lost before the switch saw it
                for k, n in (p.get("wire") or {}).items():
                    if n:
                        by["wire_" + k] = by.get("wire_" + k, 0) + n
        return by, where

    # ------------------------------------------------------------ one repetition
    def run(self, port_type, mtu):
        self.run_tag = "%s-%d-%d" % (port_type, mtu, int(time.time()))
        topo = self.topology(port_type, mtu)
        out = {"port_type": port_type, "mtu": mtu}
        out["load_before"] = load1()
        with fabric_lock(self.lock_wait_s, self.watch), \
                self.watch.waiting("the %s MTU %d run (fabric up, iperf3, ceiling)" % (port_type, mtu),
                                  RUN_S(self.seconds) + (4 * 300 + 120 if self.perf_dir else 0)):
            t0 = time.monotonic()
            try:
                self.ctl("up", topo, timeout=UP_S)
                out["up_s"] = time.monotonic() - t0
                state = json.load(open(STATE))
                loomd = int(state["pid"])
                qemu = {v["host"]: int(v["pid"]) for v in state.get("vms", []) if v.get("pid")}

                def sample_fabric():
                    s = self.loomd_status()
                    return (time.monotonic(), self.proc_cpu([loomd]), s["busy_cycles"] / s["tsc_hz"],
                            self.qemu_cpu(qemu))
                f = self.iperf3(sample_fabric)
                (a0, c0, b0, q0), (a1, c1, b1, q1) = f["samples"]
                f["loomd_cpu"] = (c1 - c0) / (a1 - a0)
                f["loomd_busy"] = (b1 - b0) / (a1 - a0)
                f["qemu_cpu"] = [(q1[i] - q0[i]) / (a1 - a0) for i in range(len(q0))]
                f["drops"], f["queue_full_at"] = self.drops()
                del f["samples"]
                out["fabric"] = f
                out["ceiling"] = self.ceiling(loomd, qemu, mtu)
            finally:
                self.down()
        out["load_after"] = load1()
        return out

    def down(self):
        """`loomctl down` of our fabric only: another engineer's, brought up
        without the lock while ours failed, is not ours to take down."""
        try:
            with open(STATE) as f:
                mine = json.load(f).get("fabric") == FABRIC
        except (OSError, ValueError):
            mine = False
        if mine:
            self.ctl("down", timeout=DOWN_S, check=False)

    # ------------------------------------------------------------ ceiling
    def ceiling(self, loomd, qemu, mtu):
        cfg = json.load(open(CONFIG))
        ports, macs, gws = {}, {}, {}
        for sw in cfg["switches"]:
            for p in sw["ports"]:
                if p["name"] in (SRC, DST):
                    ports[p["name"]] = p["link"]["devargs"]
                    gws[p["name"]] = p["host"]["gw_v4"]
            for nh in sw.get("nexthops", []):
                if nh.get("peer") in (SRC, DST):
                    macs[nh["peer"]] = nh["mac"]
        # loomd goes; the hosts (namespaces, guests) stay
        self.ctl("raw", json.dumps({"cmd": "shutdown"}), check=False)
        for _ in range(200):
            if not os.path.exists("/proc/%d" % loomd):
                break
            time.sleep(0.1)
        else:
            raise Stalled("loomd (pid %d) did not exit 20 s after its shutdown request" % loomd)
        for h, peer in ((SRC, DST), (DST, SRC)):
            self.hexec(h, "ip", "neigh", "replace", gws[h], "dev", "eth0", "lladdr", macs[peer], "nud", "permanent",
                       timeout=20)
        tp = Testpmd(self.work, [ports[SRC], ports[DST]], mtu)
        try:
            tp.start()
            with self.watch.waiting("testpmd to start forwarding", Testpmd.START_S + 10):
                tp.wait_forwarding(bool(qemu))

            def sample_ceiling():
                return (time.monotonic(), self.proc_cpu([tp.p.pid]), 0.0, self.qemu_cpu(qemu))
            c = self.iperf3(sample_ceiling, "ceiling")
            (a0, c0, _, q0), (a1, c1, _, q1) = c["samples"]
            c["testpmd_cpu"] = (c1 - c0) / (a1 - a0)
            c["qemu_cpu"] = [(q1[i] - q0[i]) / (a1 - a0) for i in range(len(q0))]
            del c["samples"]
            return c
        finally:
            with self.watch.waiting("testpmd to exit", Testpmd.STOP_S + 10):
                tp.stop()


class Testpmd:
    """dpdk-testpmd, io forwarding between two ports given by devargs, one
    forwarding lcore (as loomd has one worker), memory as loomd takes it."""

    START_S = 30   # EAL, the ports, and "Press enter to exit"
    STOP_S = 40    # enter, then SIGINT, then SIGKILL

    def __init__(self, work, devargs, mtu):
        self.log = os.path.join(work, "testpmd.log")
        self.devargs = devargs
        self.mtu = mtu
        self.p = None
        self.prefix = "loomceil%d" % os.getpid()

    def start(self):
        frame = self.mtu + 18
        # loomd's mbufs (scheduler/include/loom/frame.h, loom_mbuf_room_for_mtu):
        # the af_packet ring's frame less 32, at least DPDK's 2048, plus the
        # headroom; af_xdp's UMEM is made of them
        framesz = self.mtu + 14 + 8 + 80
        framesz = 2048 if framesz <= 2048 else (framesz + 127) // 128 * 128
        mbuf = max(2048, framesz - 32) + 128
        mem = ["--in-memory"] if hugepages_free_mb() >= 1024 else ["--no-huge", "-m", "1024"]
        # stdbuf: its output goes to a file, where stdio would hold it back
        cmd = ["stdbuf", "-oL", "dpdk-testpmd", "-l", "0,1", "--no-pci", "--file-prefix", self.prefix,
               "--no-telemetry", "--log-level", "*:error", *mem]
        for d in self.devargs:
            cmd += ["--vdev", d]
        # a pool of 16384 mbufs, not testpmd's default count (per port and
        # lcore, sized for 2 KB mbufs): of 9.3 KB ones that asked for more
        # than the 512 hugepages ./loom reserves, and testpmd failed
        # ("Creation of mbuf pool ... Cannot allocate memory")
        cmd += ["--", "--forward-mode=io", "--nb-cores=1", "--mbuf-size=%d" % mbuf, "--total-num-mbufs=16384",
                "--auto-start"]
        # net_af_packet's max frame is 1518 whatever its ring's frame size
        # (it sends and receives up to framesz all the same, as loomd's
        # ports do, which leave the MTU alone); the others take the MTU
        if not any(d.startswith("net_af_packet") for d in self.devargs):
            cmd.append("--max-pkt-len=%d" % frame)
        self.logf = open(self.log, "w")
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=self.logf, stderr=subprocess.STDOUT)

    def wait_forwarding(self, qemu):
        deadline = time.monotonic() + self.START_S
        while time.monotonic() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError("testpmd exited: %s" % open(self.log).read()[-2000:])
            text = open(self.log).read()
            if "Press enter to exit" in text:
                # vhost-user ports connect asynchronously: give the guests'
                # links a moment to come up (their carrier follows)
                time.sleep(3 if qemu else 1)
                return
            time.sleep(0.1)
        raise Stalled("testpmd did not start forwarding in %d s: %s" % (self.START_S, open(self.log).read()[-2000:]))

    def stop(self):
        if not self.p:
            return
        try:
            self.p.stdin.write(b"\n")
            self.p.stdin.flush()
        except OSError:
            pass
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                try:
                    self.p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    log("  testpmd (pid %d) did not die of SIGKILL in 10 s (stuck in the kernel?): left"
                        % self.p.pid)
        self.logf.close()
        # EAL's runtime directory: the fabric tests count one left behind
        # as a leftover (tests/fabric/fabric.py)
        run_dir = os.path.join("/var/run/dpdk", self.prefix)
        if os.path.isdir(run_dir) and not os.path.islink(run_dir):
            shutil.rmtree(run_dir, ignore_errors=True)


def hugepages_free_mb():
    with open("/proc/meminfo") as f:
        m = dict(re.findall(r"^(\w+):\s+(\d+)", f.read(), re.M))
    return int(m.get("HugePages_Free", 0)) * int(m.get("Hugepagesize", 2048)) // 1024


# ---------------------------------------------------------------- report
def med_range(xs, fmt="%.2f"):
    if not xs:
        return "-"
    if len(xs) == 1:
        return fmt % xs[0]
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(xs), min(xs), max(xs))


def print_table(runs):
    """Per row: median (min-max) of the repetitions."""
    rows = []
    for r in runs:
        key = (r["port_type"], r["mtu"])
        if key not in rows:
            rows.append(key)
    print("| hosts | MTU | fabric Gb/s | x link | ceiling (testpmd io) Gb/s | fabric x ceiling "
          "| retransmits fabric / ceiling | loomd drops (queue_full, buffer_full) | loomd CPU / worker busy | testpmd CPU "
          "| QEMU CPU sender / receiver | load (1 min) before-after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for pt, mtu in rows:
        rs = [r for r in runs if (r["port_type"], r["mtu"]) == (pt, mtu)]
        f = [r["fabric"]["gbps"] for r in rs]
        c = [r["ceiling"]["gbps"] for r in rs]
        q = [r["fabric"]["qemu_cpu"] for r in rs if r["fabric"]["qemu_cpu"]]
        print("| %s | %d | %s | %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |" % (
            "VM (%s)" % accel() if pt == "vm" else "namespace, " + pt, mtu,
            med_range(f), med_range([x * 1e9 / LINK_BPS for x in f]), med_range(c),
            med_range([a / b for a, b in zip(f, c)]),
            med_range([r["fabric"]["retransmits"] for r in rs], "%d"),
            med_range([r["ceiling"]["retransmits"] for r in rs], "%d"),
            med_range([sum(r["fabric"]["drops"].get(k, 0) for k in TM_DROPS) for r in rs], "%d"),
            med_range([r["fabric"]["loomd_cpu"] for r in rs]),
            med_range([r["fabric"]["loomd_busy"] for r in rs]),
            med_range([r["ceiling"]["testpmd_cpu"] for r in rs]),
            "%s / %s" % (med_range([x[0] for x in q]), med_range([x[1] for x in q])) if q else "-",
            ", ".join("%.1f-%.1f" % (r["load_before"], r["load_after"]) for r in rs)))
    print()
    print("CPU: seconds of CPU per second of the flow (1.00 = one core), from /proc; worker busy: the share of "
          "wall time loomd's worker spent in loops that moved packets (its own clock).")


def accel():
    for d in (os.environ.get("LOOM_GUEST_CACHE", "/var/cache/loom/guest"),):
        try:
            with open(os.path.join(d, "accel")) as f:
                return f.read().strip().upper()
        except OSError:
            pass
    return "TCG?"


def attempts(b, pt, mtu):
    """One repetition of a row, tried up to three times (the fabric is the
    machine's, shared: someone's `loomctl down` or a lost loomd ends a
    run); None when every try failed. NoFabric passes: no row can run."""
    for attempt in range(3):
        try:
            return b.run(pt, mtu)
        except NoFabric:
            raise
        except (RuntimeError, OSError, ValueError, KeyError) as e:
            log("  run failed (%s): %s" % ("again" if attempt < 2 else "giving up", str(e)[-300:]))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 duration (default 10)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each row (default 3)")
    ap.add_argument("--rows", default="all",
                    help="ns, vm, all, or a comma list of TYPE:MTU (af_packet:9000,vm:1500)")
    ap.add_argument("--tm", action="append", default=[], metavar="KEY=VALUE",
                    help="a traffic manager setting for every switch (docs/TRAFFIC_MANAGER.md), e.g. "
                         "queue_limit=2MB; repeatable")
    ap.add_argument("--json", help="write every run here too")
    ap.add_argument("--lock-wait", type=int, default=LOCK_WAIT_S, metavar="SECONDS",
                    help="how long a run waits for the fabric lock, or for a fabric someone else brought up "
                         "(default %d)" % LOCK_WAIT_S)
    ap.add_argument("--perf", metavar="DIR",
                    help="sample every CPU during each flow (perf record -e cpu-clock) and keep where the time "
                         "went, by process and object and by symbol, in DIR")
    ap.add_argument("--report", metavar="JSON", help="only print the table of the runs a --json file holds")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            print_table(json.load(f))
        return

    if args.rows == "ns":
        rows = ROWS_NS
    elif args.rows == "vm":
        rows = ROWS_VM
    elif args.rows == "all":
        rows = ROWS_NS + ROWS_VM
    else:
        rows = [(r.split(":")[0], int(r.split(":")[1])) for r in args.rows.split(",")]
    # a SIGTERM (timeout, Ctrl-C's cousin) unwinds like an exception, so
    # that the fabric of the run under way is brought down
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("hosts bench: terminated"))
    work = tempfile.mkdtemp(prefix="loom-hostbench-")
    tm = {}
    for kv in args.tm:
        k, sep, v = kv.partition("=")
        if not sep:
            sys.exit("hosts bench: --tm wants KEY=VALUE, not '%s'" % kv)
        tm[k] = v
    if args.perf:
        os.makedirs(args.perf, exist_ok=True)
    b = Bench(args.build, work, args.seconds, Watchdog(), tm, args.perf)
    b.lock_wait_s = args.lock_wait
    runs = []
    ended = None
    try:
        # rows interleaved: a slow minute of the machine hits every row
        order = [(i, pt, mtu) for i in range(args.runs) for pt, mtu in rows]
        for i, pt, mtu in order:
            log("%s MTU %d, run %d ..." % (pt, mtu, i + 1))
            try:
                r = attempts(b, pt, mtu)
            except NoFabric as e:
                ended = "hosts bench: %s" % e
                break
            if r is None:
                continue   # the other rows still run; this one is missing from the table
            f, c = r["fabric"], r["ceiling"]
            log("  fabric %.2f Gb/s (%d retr, cwnd max %.0f KB, rtt %.0f us, drops %s at %s, loomd cpu %.2f "
                "busy %.2f, qemu cpu %s, iperf3 cpu %.0f/%.0f %%), ceiling %.2f Gb/s (%d retr, cwnd max "
                "%.0f KB, testpmd cpu %.2f), load %.1f-%.1f" % (
                    f["gbps"], f["retransmits"], f["max_cwnd_kb"], f["mean_rtt_us"], f["drops"],
                    f["queue_full_at"], f["loomd_cpu"], f["loomd_busy"],
                    "/".join("%.2f" % x for x in f["qemu_cpu"]) or "-", f["cpu_sender"],
                    f["cpu_receiver"], c["gbps"], c["retransmits"], c["max_cwnd_kb"], c["testpmd_cpu"],
                    r["load_before"], r["load_after"]))
            runs.append(r)
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(runs, f, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(runs)
    if ended:
        sys.exit(ended)


if __name__ == "__main__":
    main()
