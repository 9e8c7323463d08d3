"""A soak: mixed traffic on the default fabric for a long time under an
ASan + UBSan loomd (issue 22). Behind a flag, never in `./loom test`:

    ./loom soak [--minutes N]        (default 60)

What runs, in rounds until the time is up (each round ~30 s):
  - iperf3 TCP between two hosts on different leaves (a new pair each round),
  - UDP from a third host at 200 Mb/s with small and large datagrams,
  - pings with TTL 1 (ttl_expired drops) and to an address nobody has,
  - control requests while traffic flows: stats, status, `lb set` cycling
    ecmp / spray / flowlet, `tm set` changing a port's rate and back.
What is judged at the end (exit status 1 if any fails):
  - loomd's RSS: the last quarter's mean within 5 % of the second
    quarter's (the first quarter is warm-up),
  - mbufs in use (`status`: loomd's packet pool) back to the baseline
    taken before any traffic, once the traffic stops and the queues empty,
  - conservation on every switch at every sample,
  - no ASan/UBSan report in loomd's log, and loomd exits cleanly at `down`
    (leaks are reported then).
Figures printed every sample and in a summary.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fabric"))
LOOMD_LOG = "/run/loom/loomd.log"


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


def mbufs_in_use(fx):
    """loomd's packet pool: mbufs out of it (status' "mbufs")."""
    return json.loads(fx.loomctl("status", "--json").stdout)["mbufs"]["in_use"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="an ASan build (./loom soak makes build-asan)")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--topology", default=os.path.join(ROOT, "vm", "topologies", "default.yaml"))
    a = ap.parse_args()
    os.environ["LOOM_BUILD"] = os.path.abspath(a.build)
    import fabric as fx  # noqa: E402 (reads LOOM_BUILD)

    hosts = fx.hosts(a.topology)
    fx.loomctl("down", check=False)
    fx.loomctl("up", a.topology)
    pid = json.loads(fx.loomctl("status", "--json").stdout)["pid"]
    failures = []
    try:
        time.sleep(2)
        base_mbufs = mbufs_in_use(fx)
        samples = []
        print("soak: %.0f min on %s, loomd pid %d (ASan), baseline: %d mbufs in use, RSS %d kB"
              % (a.minutes, os.path.basename(a.topology), pid, base_mbufs, rss_kb(pid)), flush=True)
        end = time.monotonic() + a.minutes * 60
        modes = ["spray", "flowlet", "ecmp"]
        rnd = 0
        while time.monotonic() < end:
            src, dst, udp = hosts[rnd % len(hosts)], hosts[(rnd + 3) % len(hosts)], hosts[(rnd + 5) % len(hosts)]
            if src[1] == dst[1]:
                dst = hosts[(rnd + 2) % len(hosts)]
            fx.in_host(dst[0], "iperf3", "-s", "-1", "-D", "-p", "5401")
            time.sleep(0.3)
            procs = [subprocess.Popen(["ip", "netns", "exec", "loom-" + src[0], "iperf3", "-c", dst[2], "-p", "5401",
                                       "-t", "20", "-J"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL),
                     subprocess.Popen(["ip", "netns", "exec", "loom-" + udp[0], "iperf3", "-c", dst[2], "-p", "5401",
                                       "-u", "-b", "200M", "-l", str(64 + (rnd * 397) % 1400), "-t", "20"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
            for _ in range(4):  # control requests while traffic flows
                fx.loomctl("lb", "set", modes[rnd % 3])
                fx.loomctl("tm", "set", "%s:0" % dst[1], "rate", "5G")
                fx.stats()
                fx.loomctl("status")
                fx.loomctl("tm", "set", "%s:0" % dst[1], "rate", "10G")
                fx.in_host(src[0], "ping", "-q", "-c", "5", "-i", "0.05", "-t", "1", "-W", "1", dst[2], check=False)
                fx.in_host(src[0], "ping", "-q", "-c", "5", "-i", "0.05", "-W", "1", "10.99.0.1", check=False)
                time.sleep(3)
            for p in procs:
                p.wait(timeout=60)
            st = fx.stats()
            errs = fx.conservation_errors(st)
            if errs:
                failures.append("round %d: conservation: %s" % (rnd, errs))
            samples.append((time.monotonic(), rss_kb(pid)))
            print("round %d: RSS %d kB, rx %d packets in all, late turns %d"
                  % (rnd, samples[-1][1], sum(s["rx_packets"] for s in st["switches"]),
                     st["fidelity"]["late_turns"]), flush=True)
            rnd += 1
        time.sleep(2)  # queues drain
        end_mbufs = mbufs_in_use(fx)
        st = fx.stats()
        queued = sum(s["queued"] for s in st["switches"])
        n = len(samples)
        q2 = [r for _, r in samples[n // 4:n // 2]] or [samples[0][1]]
        q4 = [r for _, r in samples[3 * n // 4:]] or [samples[-1][1]]
        m2, m4 = sum(q2) / len(q2), sum(q4) / len(q4)
        print("soak: %d rounds; RSS second quarter %.0f kB, last quarter %.0f kB (%+.1f %%); mbufs in use "
              "%d at the start, %d at the end with %d packets queued"
              % (n, m2, m4, 100 * (m4 / m2 - 1), base_mbufs, end_mbufs, queued), flush=True)
        if n >= 4 and m4 > m2 * 1.05:
            failures.append("RSS grew %.1f %% from the second to the last quarter" % (100 * (m4 / m2 - 1)))
        if end_mbufs - queued != base_mbufs:
            failures.append("mbufs in use %d (queued %d), baseline %d" % (end_mbufs, queued, base_mbufs))
    finally:
        fx.loomctl("down", check=False)
    with open(LOOMD_LOG, errors="replace") if os.path.exists(LOOMD_LOG) else open(os.devnull) as f:
        log = f.read()
    for pat in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if pat in log:
            failures.append("loomd's log has '%s'" % pat)
    for f_ in failures:
        print("soak: FAILED: " + f_)
    print("soak: %s" % ("passed" if not failures else "failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
