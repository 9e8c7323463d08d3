# SPDX-License-Identifier: BSD-3-Clause
"""
Harness for packet tests of one loomd switch through DPDK pcap ports.

Standard library only (scapy is used by the tests, not here):
  - build_dir() / tool paths,
  - pcap files written and read by hand (exact bytes, any frame length,
    micro- or nanosecond pcap as DPDK's pcap PMD writes it),
  - compile_config(): `loomctl compile TOPO --only SWITCH`,
  - Loomd: start loomd on its own control socket, talk JSON lines to it,
    wait for the switch to have taken every frame, shut it down so that
    the pcap PMD flushes its tx files, kill it if anything goes wrong.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def build_dir():
    """$LOOM_BUILD_DIR (relative to the project root) or <root>/build."""
    d = os.environ.get("LOOM_BUILD_DIR", "build")
    return d if os.path.isabs(d) else os.path.join(ROOT, d)


def tool(rel):
    path = os.path.join(build_dir(), rel)
    if not os.access(path, os.X_OK):
        raise RuntimeError("%s not found or not executable (build dir %s; set LOOM_BUILD_DIR "
                           "or pass it to tests/packet/run.sh)" % (path, build_dir()))
    return path


# ---- pcap ----------------------------------------------------------------

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1


def write_pcap(path, frames):
    """Writes raw Ethernet frames (bytes) exactly as given, one per record."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for i, fr in enumerate(frames):
            fr = bytes(fr)
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    """Returns the list of frames (bytes) in a pcap file; [] if it is
    missing or holds only a header."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
        end = "<"
    elif struct.unpack(">I", data[:4])[0] in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
        end = ">"
    else:
        raise ValueError("%s: not a pcap file (magic %08x)" % (path, magic_le))
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError("%s: link type %d, expected Ethernet" % (path, linktype))
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError("%s: record truncated at offset %d" % (path, off - 16))
        if caplen != wirelen:
            raise ValueError("%s: frame %d captured %d of %d bytes" % (path, len(frames), caplen, wirelen))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


# ---- control plane -------------------------------------------------------

def leaf_pair_topology(run, fabric, top="", leaf0="", leaf1_v6=True, leaf0_v6=True, port_keys=None):
    """The packet suites' fabric: leaf0 with pcap devargs on every port
    (0: h0, 1: h1, 2: spine0, 3: spine1), leaf1 with h2 behind the spines.
    `top`: more top-level YAML (e.g. a `tm:` block); `leaf0`: more keys of
    leaf0's entry, one per line, unindented; `port_keys`: {port: "rate: 8M"}
    more keys on leaf0's link at that port."""
    port_keys = port_keys or {}
    if top and not top.endswith("\n"):
        top += "\n"
    ind = lambda text: "".join("    %s\n" % line for line in text.splitlines())
    link = lambda p, a, b, dev: ("  - a: %s\n    b: %s\n%s    %s: \"%s\"\n"
                                 % (a, b, ind(port_keys.get(p, "")), dev, run.devargs(p)))
    return ("fabric: %s\ndefaults:\n  link_rate: 10G\n  delay: 1us\n%s"
            "switches:\n  - name: spine0\n    role: spine\n  - name: spine1\n    role: spine\n"
            "  - name: leaf0\n    role: leaf\n%s    ipv4: 10.0.0.0/24\n%s"
            "  - name: leaf1\n    role: leaf\n    ipv4: 10.0.1.0/24\n%s"
            "hosts:\n  - name: h0\n  - name: h1\n  - name: h2\nlinks:\n"
            % (fabric, top, ind(leaf0), '    ipv6: "fd00:0:0:0::/64"\n' if leaf0_v6 else "",
               '    ipv6: "fd00:0:0:1::/64"\n' if leaf1_v6 else "")
            + link(0, "h0", "leaf0:0", "devargs_b") + link(1, "h1", "leaf0:1", "devargs_b")
            + link(2, "leaf0:2", "spine0:0", "devargs_a") + link(3, "leaf0:3", "spine1:0", "devargs_a")
            + "  - a: h2\n    b: leaf1:0\n  - a: leaf1:2\n    b: spine0:1\n  - a: leaf1:3\n    b: spine1:1\n")


def port_mac(cfg, switch, port):
    """The MAC of `switch`'s port `port` in a compiled configuration."""
    sw = next(s for s in cfg["switches"] if s["name"] == switch)
    return next(p["mac"] for p in sw["ports"] if p["index"] == port)


def compile_config(topo_path, only):
    """`loomctl compile TOPO --only ONLY` -> (json text, parsed dict)."""
    cmd = [tool("control/loomctl"), "compile", topo_path, "--only", only]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError("loomctl compile failed (exit %d): %s\nstdout: %s"
                           % (p.returncode, p.stderr.strip(), p.stdout[:2000]))
    try:
        return p.stdout, json.loads(p.stdout)
    except ValueError as e:
        raise RuntimeError("loomctl compile printed invalid JSON (%s): %s" % (e, p.stdout[:2000]))


class LoomdError(RuntimeError):
    pass


class Loomd:
    """One loomd process with its own control socket and log file."""

    def __init__(self, config_path, workdir, extra_args=()):
        self.config_path = config_path
        self.extra_args = list(extra_args)   # loomd options before "--", e.g. --metrics-port
        self.sock_path = os.path.join(workdir, "loomd.sock")
        self.log_path = os.path.join(workdir, "loomd.log")
        self.proc = None
        self._log = None

    # -- lifecycle
    def start(self, timeout=30.0):
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([tool("dataplane/loomd"), "--config", self.config_path,
                                      "--socket", self.sock_path] + self.extra_args,
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        last_err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LoomdError("loomd exited with status %d during start-up:\n%s"
                                 % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock_path):
                try:
                    # up when it forwards: loomd answers on its socket
                    # before its worker starts (and before the worker's
                    # scheduling is set: status then shows priority 0)
                    r = self.request({"cmd": "status"}, timeout=5.0)
                    if r.get("ok") and r["result"].get("forwarding_since_monotonic_ns"):
                        return
                    last_err = r
                except OSError as e:
                    last_err = e
            time.sleep(0.05)
        raise LoomdError("loomd did not forward (status on %s) within %.0f s (last: %r)\n%s"
                         % (self.sock_path, timeout, last_err, self.log_tail()))

    def eal_file_prefix(self):
        """loomd's EAL file prefix when it chose its own EAL options (the
        harness passes none): the telemetry socket lives under it."""
        return "loomd%d" % self.proc.pid

    def shutdown(self, timeout=20.0):
        """Asks loomd to stop and waits for it to exit (which flushes the
        pcap tx files). Raises if it does not exit cleanly."""
        if self.proc is None or self.proc.poll() is not None:
            return
        reply = self.request({"cmd": "shutdown"})
        if not reply.get("ok"):
            raise LoomdError("shutdown refused: %r" % (reply,))
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LoomdError("loomd did not exit within %.0f s of shutdown\n%s" % (timeout, self.log_tail()))
        if rc != 0:
            raise LoomdError("loomd exited with status %d after shutdown\n%s" % (rc, self.log_tail()))

    def kill(self):
        """Stops the process we started, whatever its state (for cleanup)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no loomd log)"
        return "--- loomd log (last %d lines) ---\n%s" % (n, "\n".join(lines[-n:]))

    # -- control socket
    def request(self, obj, timeout=10.0):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.sock_path)
            s.sendall((json.dumps(obj) + "\n").encode())
            buf = b""
            while b"\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        if not buf.strip():
            raise LoomdError("no reply from loomd to %r" % (obj,))
        return json.loads(buf.split(b"\n", 1)[0])

    def stats(self):
        r = self.request({"cmd": "stats"})
        if not r.get("ok"):
            raise LoomdError("stats failed: %r" % (r,))
        return r["result"]

    def switch_stats(self, name):
        for sw in self.stats()["switches"]:
            if sw["name"] == name:
                return sw
        raise LoomdError("no switch %r in loomd's stats" % (name,))

    def wait_idle(self, switch, rx_expected, timeout=20.0):
        """Polls until `switch` has received rx_expected frames, holds
        nothing in its queues, and its counters stayed the same over two
        polls. Returns the last stats of the switch."""
        deadline = time.monotonic() + timeout
        prev = None
        sw = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LoomdError("loomd died (status %d) while processing\n%s"
                                 % (self.proc.returncode, self.log_tail()))
            sw = self.switch_stats(switch)
            snap = (sw["rx_packets"], sw["tx_packets"], sw["queued"], sw["dropped"])
            if sw["rx_packets"] > rx_expected:
                raise LoomdError("%s received %d frames, more than the %d fed"
                                 % (switch, sw["rx_packets"], rx_expected))
            if sw["rx_packets"] == rx_expected and sw["queued"] == 0 and snap == prev:
                return sw
            prev = snap
            time.sleep(0.05)
        raise LoomdError("timeout after %.0f s: %s rx_packets=%s of %d fed, queued=%s\nlast stats: %s\n%s"
                         % (timeout, switch, sw and sw["rx_packets"], rx_expected, sw and sw["queued"],
                            json.dumps(sw), self.log_tail()))


class SwitchRun:
    """One run of loomd over one compiled switch with pcap files on every
    port: feed(), then run() which starts loomd, waits for every frame
    to be taken, snapshots stats, shuts down and reads every port's tx
    pcap. Temporary files are removed by cleanup() unless
    LOOM_KEEP_TMP=1."""

    def __init__(self, prefix="loom-pkt-"):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.loomd = None
        self.inputs = {}      # port -> [bytes]
        self.outputs = {}     # port -> [bytes]
        self.stats = None     # switch stats after processing

    def path(self, name):
        return os.path.join(self.tmp, name)

    def in_pcap(self, port):
        return self.path("in%d.pcap" % port)

    def out_pcap(self, port):
        return self.path("out%d.pcap" % port)

    def devargs(self, port):
        # The pcap PMD's vdev name must be unique per port in the process.
        return "net_pcap%d,rx_pcap=%s,tx_pcap=%s" % (port, self.in_pcap(port), self.out_pcap(port))

    def write_config(self, topo_text, switch, config_patch=None):
        """The topology compiled for `switch` into config.json here;
        config_patch(cfg) may change the configuration (a dict) first.
        Returns (path of config.json, the configuration)."""
        topo_path = self.path("topo.yaml")
        with open(topo_path, "w") as f:
            f.write(topo_text)
        text, self.config = compile_config(topo_path, switch)
        if config_patch:
            config_patch(self.config)
            text = json.dumps(self.config)
        cfg_path = self.path("config.json")
        with open(cfg_path, "w") as f:
            f.write(text)
        return cfg_path, self.config

    def run(self, topo_text, switch, inputs, timeout=20.0, config_patch=None):
        """inputs: {port: [frame bytes]} (every port of the switch must be
        listed, with [] for nothing). config_patch(cfg) may change the
        compiled configuration (a dict) before loomd reads it."""
        cfg_path, _ = self.write_config(topo_text, switch, config_patch)
        self.inputs = {p: [bytes(x) for x in fr] for p, fr in inputs.items()}
        for p, frames in self.inputs.items():
            write_pcap(self.in_pcap(p), frames)
        n_fed = sum(len(v) for v in self.inputs.values())

        self.loomd = Loomd(cfg_path, self.tmp)
        self.loomd.start()
        self.stats = self.loomd.wait_idle(switch, n_fed, timeout=timeout)
        self.loomd.shutdown()
        self.outputs = {p: read_pcap(self.out_pcap(p)) for p in self.inputs}
        return self.outputs

    def cleanup(self):
        if self.loomd is not None:
            self.loomd.kill()
        if os.environ.get("LOOM_KEEP_TMP") == "1":
            print("\n(kept %s)" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def start_switch(prefix, name, switch, topo_text=None, config_patch=None, inputs=None, extra_args=()):
    """One loomd running `switch` of the packet suites' leaf pair
    (leaf_pair_topology(run, name), or topo_text(run)), its ports fed from
    pcaps (inputs {port: [frames]}, or a function of the configuration
    that returns it; empty by default), started and up.
    Returns (SwitchRun, Loomd, configuration); the caller cleans up with
    sr.cleanup() after loomd.shutdown()."""
    sr = SwitchRun(prefix=prefix)
    try:
        text = topo_text(sr) if topo_text else leaf_pair_topology(sr, name)
        cfg_path, cfg = sr.write_config(text, switch, config_patch)
        frames = (inputs(cfg) if callable(inputs) else inputs) or {}
        for p in range(4):
            write_pcap(sr.in_pcap(p), frames.get(p, []))
        loomd = Loomd(cfg_path, sr.tmp, extra_args)
        sr.loomd = loomd
        loomd.start()
    except BaseException:
        sr.cleanup()
        raise
    return sr, loomd, cfg
