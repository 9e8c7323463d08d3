"""What DPDK 22.11's spec-to-C compiler would save on a P4 switch: callgrind
instructions per packet of loom.spec on DPDK's SWX pipeline, interpreted
(as loomd runs it) and compiled (rte_swx_pipeline_codegen + a .so +
rte_swx_pipeline_build_from_lib), on the same packets and tables
(build/dataplane/loom-swx-bench; issue 28, docs/P4.md "Limits: Speed").

The compiled C includes rte_swx_pipeline_internal.h, which Debian's
dpdk-dev does not ship: give --dpdk-src, the unpacked Debian source
package of the installed DPDK (the exact version: the header describes the
library's private structures). Fetch it without touching /etc/apt:

  mkdir -p /tmp/dsrc/lists/partial && cd /tmp/dsrc
  echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]' \
       'http://deb.debian.org/debian bookworm main' > src.list   # + -security, -updates
  O="-o Dir::Etc::sourcelist=/tmp/dsrc/src.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=/tmp/dsrc/lists"
  apt-get $O update && apt-get $O source dpdk=$(dpkg-query -W -f='${Version}' dpdk-dev)

  /usr/bin/python3 bench/p4_compiled.py --build build-vg --dpdk-src /tmp/dsrc/dpdk-stable-22.11.11

Prints, for each run, the instructions per packet inside
rte_swx_pipeline_run() by shared object (the pipeline library and the
compiled .so are the program's own work; tables and ports are the same in
both runs), and checks that both runs forwarded every packet alike.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench  # noqa: E402
import pcapgen  # noqa: E402

FRAMES = 1024  # DPDK's source port replays at most this many frames


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def dpdk_version():
    v = run(["dpkg-query", "-W", "-f=${Version}", "librte-pipeline23"]).stdout
    return v.split("-")[0]


def per_object(out_file, packets):
    """Exclusive instructions per packet by shared object, from callgrind_annotate."""
    ann = run(["callgrind_annotate", "--inclusive=no", "--threshold=100", out_file], check=True).stdout
    by_obj = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S+ \[(.*)\]$", line)
        if m:
            obj = os.path.basename(m.group(2))
            by_obj[obj] = by_obj.get(obj, 0) + int(m.group(1).replace(",", ""))
    return {o: n / packets for o, n in by_obj.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build-vg"))
    ap.add_argument("--dpdk-src", required=True, help="DPDK's unpacked source package (dpdk-stable-X.Y.Z)")
    ap.add_argument("--spec", default=os.path.join(ROOT, "p4", "loom.spec"))
    ap.add_argument("--packets", type=int, default=20 * FRAMES, help="a multiple of %d" % FRAMES)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--keep", help="keep the generated C, the .so and callgrind's outputs here")
    args = ap.parse_args()

    header = os.path.join(args.dpdk_src, "lib", "pipeline", "rte_swx_pipeline_internal.h")
    if not os.path.isfile(header):
        sys.exit("p4_compiled: no %s: --dpdk-src must be DPDK's unpacked source package" % header)
    src_version = open(os.path.join(args.dpdk_src, "VERSION")).read().strip()
    if src_version != dpdk_version():
        sys.exit("p4_compiled: the source is DPDK %s, the installed librte-pipeline is %s: the internal "
                 "header must match the library" % (src_version, dpdk_version()))
    tool = os.path.join(args.build, "dataplane", "loom-swx-bench")
    work = tempfile.mkdtemp(prefix="loom-swxc-")
    eal = ["-l", "0", "--no-pci", "--no-huge", "-m", "512", "--file-prefix", "loomswxc%d" % os.getpid(),
           "--log-level", "*:error", "--"]
    try:
        # the bench leaf's flows (bench.py): 1024 UDP flows to 10.0.1.0/24, ECMP over 4 uplinks
        frames = pcapgen.flows("02:48:00:00:00:00", "02:4c:00:%02x:00:00" % bench.N_UPLINKS, "10.0.0.2", "10.0.1")
        pcap = os.path.join(work, "flows.pcap")
        pcapgen.write_pcap(pcap, frames[:FRAMES])
        code = os.path.join(work, "pipeline.c")
        lib = os.path.join(work, "loom_spec_compiled.so")
        r = run([tool] + eal + ["codegen", args.spec, code])
        if r.returncode:
            sys.exit("p4_compiled: code generation: " + r.stderr.strip())
        cflags = run(["pkg-config", "--cflags", "libdpdk"], check=True).stdout.split()
        r = run([args.cc, "-O2", "-march=haswell", "-shared", "-fPIC", "-DALLOW_EXPERIMENTAL_API",
                 "-Wno-deprecated-declarations", "-I", os.path.join(args.dpdk_src, "lib", "pipeline")]
                + cflags + ["-o", lib, code])
        if r.returncode:
            sys.exit("p4_compiled: compiling %s: %s" % (code, r.stderr.strip()[-2000:]))
        runs = {"interpreted": ["interp", args.spec], "compiled": ["compiled", lib]}
        forwarded, costs = {}, {}
        for name, what in runs.items():
            out_file = os.path.join(work, "callgrind." + name)
            r = run(["valgrind", "--tool=callgrind", "--toggle-collect=rte_swx_pipeline_run",
                     "--callgrind-out-file=" + out_file, tool] + eal + what + [pcap, str(args.packets)])
            if r.returncode:
                sys.exit("p4_compiled: %s run: %s" % (name, (r.stdout + r.stderr).strip()[-2000:]))
            forwarded[name] = r.stdout
            costs[name] = per_object(out_file, args.packets)
        if forwarded["interpreted"] != forwarded["compiled"]:
            sys.exit("p4_compiled: the two pipelines forwarded differently:\n%s\n---\n%s"
                     % (forwarded["interpreted"], forwarded["compiled"]))
        print("%s, %d packets, DPDK %s; forwarded alike: %s" % (os.path.relpath(args.spec), args.packets,
              src_version, " ".join(forwarded["compiled"].split())))
        objs = sorted(set(costs["interpreted"]) | set(costs["compiled"]),
                      key=lambda o: -max(costs["interpreted"].get(o, 0), costs["compiled"].get(o, 0)))
        print("%-40s %12s %12s" % ("instructions/packet in rte_swx_pipeline_run", "interpreted", "compiled"))
        for o in objs:
            a, b = costs["interpreted"].get(o, 0), costs["compiled"].get(o, 0)
            if a >= 0.5 or b >= 0.5:
                print("%-40s %12.0f %12.0f" % ("(the compiled spec)" if o == os.path.basename(lib) else o, a, b))
        ti, tc = sum(costs["interpreted"].values()), sum(costs["compiled"].values())
        print("%-40s %12.0f %12.0f   (saves %.0f)" % ("total", ti, tc, ti - tc))
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for f in os.listdir(work):
                shutil.copy(os.path.join(work, f), args.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for d in glob.glob("/var/run/dpdk/loomswxc%d" % os.getpid()):
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
