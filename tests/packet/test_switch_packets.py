# SPDX-License-Identifier: BSD-3-Clause
"""
Packet tests of one Loom switch (leaf0) through DPDK pcap ports.

A temporary 2-leaf / 2-spine topology is compiled with `loomctl compile
--only leaf0`; every leaf0 port is a pcap PMD port (rx file fed here, tx
file read back after loomd shuts down). Three loomd runs:

  ForwardingTest  good traffic: routed IPv4/IPv6/TCP/UDP/RoCEv2, ARP,
                  ND, echo, IPv4 options, VLAN. Every output frame is
                  compared byte for byte with the frame expected from the
                  pipeline (MAC rewrite, TTL/hop limit -1, IPv4 checksum as
                  scapy recomputes it), plus the ECMP properties.
  MalformedTest   a corpus of frames the switch must drop: exact drop
                  counters per port and reason, nothing transmitted.
  NotForTheSwitchTest  requests the switch must not answer (unicast to a
                  foreign MAC, an RFC 5227 ARP probe for the host's own
                  address, NS that fail RFC 4861 validation).

Each test case fails once with a message listing every wrong frame.
LOOM_KEEP_TMP=1 keeps the temporary directory (pcaps, config, loomd log).

Run with Debian's /usr/bin/python3 (scapy) as root:
  tests/packet/run.sh [BUILD_DIR]
"""
import os
import re
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loomharness as H  # noqa: E402

from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, TCP, UDP, ICMP, IPOption_RR  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RS,  # noqa: E402
                                ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                                ICMPv6EchoRequest, ICMPv6EchoReply, in6_getnsma, in6_getnsmac)
from scapy.layers.l2 import Ether, ARP, Dot1Q  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.contrib.roce import BTH  # noqa: E402
from scapy.pton_ntop import inet_pton  # noqa: E402
import socket  # noqa: E402

SWITCH = "leaf0"
HOST_PORT, H1_PORT, UP0, UP1 = 0, 1, 2, 3
PORTS = (HOST_PORT, H1_PORT, UP0, UP1)
UPLINKS = (UP0, UP1)

H0_IP, H1_IP, GW4 = "10.0.0.2", "10.0.0.3", "10.0.0.1"
H0_IP6, H1_IP6, GW6 = "fd00::2", "fd00::3", "fd00::1"
REMOTE_IP, REMOTE_IP6 = "10.0.1.2", "fd00:0:0:1::2"   # leaf1's host (via the spines)

N_FLOWS = 48        # flows per ECMP set, each sent twice
ROCE_QPS = 48       # RoCEv2 flows differing only in the destination QP


def topology(run, pipeline="native"):
    """Every leaf0 port carries pcap devargs; leaf0 runs the given pipeline
    (native, or p4: the P4 program on DPDK SWX)."""
    return H.leaf_pair_topology(run, "pkttest", leaf0="pipeline: %s" % pipeline)


class Fabric:
    """The addresses the tests need, read from loomd's compiled config."""

    def __init__(self, cfg):
        sws = [s for s in cfg["switches"] if s["name"] == SWITCH]
        if len(sws) != 1:
            raise AssertionError("compiled config has %d switches named %s: %r"
                                 % (len(sws), SWITCH, [s["name"] for s in cfg["switches"]]))
        sw = sws[0]
        self.port_mac = {p["index"]: p["mac"] for p in sw["ports"]}
        self.nh_mac = {}
        for nh in sw["nexthops"]:
            self.nh_mac.setdefault(nh["port"], nh["mac"])
        for p in PORTS:
            if p not in self.port_mac or p not in self.nh_mac:
                raise AssertionError("port %d of %s missing from the config (ports %r, next hops %r)"
                                     % (p, SWITCH, sorted(self.port_mac), sorted(self.nh_mac)))
            link = next(x for x in sw["ports"] if x["index"] == p)["link"]
            if link.get("kind") != "ethdev" or "net_pcap" not in link.get("devargs", ""):
                raise AssertionError("port %d is not a pcap ethdev: %r" % (p, link))
        # leaf0 -> 10.0.1.0/24 must be one 2-member group over both uplinks
        groups = sw["groups"]
        r = [x for x in sw["routes"] if x["prefix"] == "10.0.1.0/24"]
        if len(r) != 1:
            raise AssertionError("no single route to 10.0.1.0/24 in %r" % (sw["routes"],))
        members = sorted(sw["nexthops"][i]["port"] for i in groups[r[0]["group"]])
        if members != sorted(UPLINKS):
            raise AssertionError("10.0.1.0/24 goes to ports %r, expected ECMP over %r" % (members, UPLINKS))


# ---- frames ----------------------------------------------------------------

TAG_RE = re.compile(rb"LOOM(\d{6})")


def tag(i):
    return b"LOOM%06d" % i


def hexdiff(got, want, limit=8):
    """Human-readable first differences between two byte strings."""
    out = []
    if len(got) != len(want):
        out.append("length %d, expected %d" % (len(got), len(want)))
    for i in range(min(len(got), len(want))):
        if got[i] != want[i]:
            out.append("byte %d: %02x, expected %02x" % (i, got[i], want[i]))
            if len(out) >= limit:
                out.append("...")
                break
    return "; ".join(out) + "\n  got:  %s\n  want: %s" % (got.hex(), want.hex())


def l3_offset(frame):
    """Offset of the IPv4/IPv6 header (after any VLAN tags)."""
    off, et = 14, struct.unpack("!H", frame[12:14])[0]
    while et in (0x8100, 0x88A8):
        et = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    return off, et


def scapy_ipv4_checksum(hdr):
    """The header checksum scapy computes for this IPv4 header (its
    chksum field deleted and the header rebuilt)."""
    ip = IP(bytes(hdr))
    ip.remove_payload()
    del ip.chksum
    return IP(bytes(ip)).chksum


def expected_forward(frame, out_mac, nh_mac):
    """The frame the pipeline should send for `frame`: dst = next hop MAC,
    src = egress port MAC, TTL/hop limit - 1, IPv4 header checksum as
    scapy recomputes it, everything else unchanged."""
    e = bytearray(frame)
    e[0:6] = bytes.fromhex(nh_mac.replace(":", ""))
    e[6:12] = bytes.fromhex(out_mac.replace(":", ""))
    off, et = l3_offset(frame)
    if et == 0x0800:
        ihl = (e[off] & 0x0F) * 4
        e[off + 8] -= 1
        e[off + 10:off + 12] = b"\0\0"
        e[off + 10:off + 12] = struct.pack("!H", scapy_ipv4_checksum(e[off:off + ihl]))
    elif et == 0x86DD:
        e[off + 7] -= 1
    else:
        raise ValueError("not IP")
    return bytes(e)



def find_ip_id(src, dst, ttl, which, total_len):
    """An IPv4 id for which the option-less UDP header (tos 0, no flags,
    this total length) has checksum 0x0000 as sent (which="in") or after
    the TTL decrement (which="out")."""
    t = ttl if which == "in" else ttl - 1
    for ip_id in range(65536):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_len, ip_id, 0, t, 17, 0,
                          socket.inet_aton(src), socket.inet_aton(dst))
        s = 0
        for i in range(0, 20, 2):
            s += (hdr[i] << 8) | hdr[i + 1]
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        if (~s & 0xFFFF) == 0:
            return ip_id
    raise AssertionError("test bug: no IPv4 id gives checksum 0 (%s)" % which)


class Rec:
    """One input frame and what must come out for it."""

    def __init__(self, rid, in_port, pkt, kind, desc, exp_port=None, exp=None, match=None, flow=None, fset=None):
        self.id = rid
        self.in_port = in_port
        self.pkt = pkt
        self.frame = bytes(pkt)
        self.kind = kind          # fwd | arp | echo4 | echo6 | na
        self.desc = desc
        self.exp_port = exp_port  # fwd: the only allowed port; None: any uplink (ECMP)
        self.exp = exp            # expected frame bytes (fwd: a function of the port)
        self.match = match or ("tag", rid)
        self.flow = flow          # ECMP flow identity
        self.fset = fset          # ECMP set name

    def __repr__(self):
        return "#%d %s" % (self.id, self.desc)


def classify(frame):
    """Key identifying which input an output frame answers."""
    try:
        p = Ether(frame)
    except Exception:  # noqa: BLE001 - report as unknown
        p = None
    if p is not None and ARP in p:
        return ("arp", p[ARP].psrc)
    if p is not None and ICMPv6ND_NA in p:
        return ("na", p[ICMPv6ND_NA].tgt)
    m = TAG_RE.search(frame)
    if m:
        return ("tag", int(m.group(1)))
    return ("unknown", frame.hex())


class TrafficBuilder:
    def __init__(self, fab):
        self.fab = fab
        self.recs = []
        self.h0 = fab.nh_mac[HOST_PORT]
        self.p0 = fab.port_mac[HOST_PORT]

    def _id(self):
        return len(self.recs) + 1

    def eth0(self):
        return Ether(src=self.h0, dst=self.p0)

    def add(self, *a, **kw):
        r = Rec(self._id(), *a, **kw)
        self.recs.append(r)
        return r

    def fwd(self, in_port, mk, desc, exp_port=None, flow=None, fset=None):
        rid = self._id()
        return self.add(in_port, mk(tag(rid)), "fwd", desc, exp_port=exp_port, flow=flow, fset=fset)

    def build(self):
        e = self.eth0
        # ECMP sets to leaf1's host: each flow twice (second round after all first copies).
        for rnd in range(2):
            for i in range(N_FLOWS):
                sp = 10000 + i
                self.fwd(HOST_PORT, lambda t, sp=sp: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=64, id=sp)
                         / UDP(sport=sp, dport=5000) / Raw(t + b"-udp4" + bytes(range(20))),
                         "IPv4 UDP sport %d round %d" % (sp, rnd), flow=("udp4", sp), fset="udp4")
            for i in range(N_FLOWS):
                sp = 20000 + i
                self.fwd(HOST_PORT, lambda t, sp=sp: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=17, flags="DF")
                         / TCP(sport=sp, dport=80, flags="PA", seq=1000 + sp) / Raw(t + b"-tcp4"),
                         "IPv4 TCP sport %d round %d" % (sp, rnd), flow=("tcp4", sp), fset="tcp4")
            for i in range(N_FLOWS):
                sp = 30000 + i
                self.fwd(HOST_PORT, lambda t, sp=sp: e() / IPv6(src=H0_IP6, dst=REMOTE_IP6, hlim=64, fl=sp)
                         / UDP(sport=sp, dport=6000) / Raw(t + b"-udp6" + b"\xff" * 30),
                         "IPv6 UDP sport %d round %d" % (sp, rnd), flow=("udp6", sp), fset="udp6")
            for i in range(ROCE_QPS):
                qp = 0x000100 + i * 0x10
                self.fwd(HOST_PORT, lambda t, qp=qp: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=64, flags="DF")
                         / UDP(sport=49152, dport=4791, chksum=0)
                         / BTH(opcode=4, dqpn=qp, psn=rnd) / Raw(t + b"-roce" + b"\0" * 16),
                         "RoCEv2 dst QP %#x round %d" % (qp, rnd), flow=("roce", qp), fset="roce")

        # IPv4 header checksum edge cases of the incremental update
        # (RFC 1624): 0x0000 before the TTL decrement, 0x0000 after it.
        for which in ("in", "out"):
            ip_id = find_ip_id(H0_IP, REMOTE_IP, 64, which, 20 + 8 + len(tag(0)) + 7)
            r = self.fwd(HOST_PORT, lambda t, ip_id=ip_id: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=64, id=ip_id)
                         / UDP(sport=40000 + ip_id % 1000, dport=9) / Raw(t + b"-cs" + b"." * 4),
                         "IPv4 checksum 0x0000 %s the TTL decrement (id %#x)"
                         % ("before" if which == "in" else "after", ip_id), flow=("csum", which))
            if which == "in" and Ether(r.frame)[IP].chksum != 0:
                raise AssertionError("test bug: %r has checksum %#x" % (r, Ether(r.frame)[IP].chksum))
        # Largest TTL.
        self.fwd(HOST_PORT, lambda t: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=255) / UDP(sport=3, dport=4)
                 / Raw(t + b"-ttl255"), "IPv4 TTL 255", flow=("ttl255",))
        # A short frame with Ethernet padding after the datagram (the tag is
        # in the padding): forwarded, padding kept as received.
        rid = self._id()
        pkt = e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=64) / TCP(sport=5151, dport=443, flags="A")
        self.add(HOST_PORT, Ether(bytes(pkt) + tag(rid) + b"\0" * 2), "fwd", "TCP ACK with Ethernet padding",
                 flow=("pad",))
        # IPv6 with a hop-by-hop options header.
        self.fwd(HOST_PORT, lambda t: e() / IPv6(src=H0_IP6, dst=REMOTE_IP6, hlim=8) / IPv6ExtHdrHopByHop()
                 / UDP(sport=6161, dport=7171) / Raw(t + b"-hbh"), "IPv6 with hop-by-hop header", flow=("hbh",))
        # IPv4 fragments (first with the UDP header, then two more) of 4
        # datagrams: every fragment of a datagram leaves by the same uplink.
        for dg in range(4):
            ip_id = 0x5000 + dg
            ip = lambda **kw: IP(src=H0_IP, dst=REMOTE_IP, ttl=20, id=ip_id, proto=17, **kw)  # noqa: E731
            self.fwd(HOST_PORT, lambda t, ip=ip: e() / ip(flags="MF", frag=0) / UDP(sport=1000 + ip_id, dport=53)
                     / Raw(t + b"-f0" + b"a" * 5), "IPv4 datagram %#x first fragment" % ip_id,
                     flow=("frag", ip_id), fset="frag")
            self.fwd(HOST_PORT, lambda t, ip=ip: e() / ip(flags="MF", frag=3) / Raw(t + b"-f1" + b"b" * 11),
                     "IPv4 datagram %#x middle fragment" % ip_id, flow=("frag", ip_id), fset="frag")
            self.fwd(HOST_PORT, lambda t, ip=ip: e() / ip(frag=6) / Raw(t + b"-f2"),
                     "IPv4 datagram %#x last fragment" % ip_id, flow=("frag", ip_id), fset="frag")

        # Same leaf: h0 -> h1, out of port 1.
        self.fwd(HOST_PORT, lambda t: e() / IP(src=H0_IP, dst=H1_IP, ttl=64) / UDP(sport=1111, dport=2222)
                 / Raw(t + b"-h1"), "IPv4 UDP h0 -> h1", exp_port=H1_PORT)
        self.fwd(HOST_PORT, lambda t: e() / IPv6(src=H0_IP6, dst=H1_IP6, hlim=2) / TCP(sport=1111, dport=2222)
                 / Raw(t + b"-h1v6"), "IPv6 TCP h0 -> h1 hop limit 2", exp_port=H1_PORT)
        # IPv4 with options (record route, IHL 8) to leaf1's host.
        self.fwd(HOST_PORT, lambda t: e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=9,
                                              options=[IPOption_RR(routers=["0.0.0.0", "0.0.0.0"])])
                 / UDP(sport=4444, dport=5555) / Raw(t + b"-opts"), "IPv4 with options (RR)", flow=("opt",))
        # VLAN-tagged IPv4 (tag kept as received).
        self.fwd(HOST_PORT, lambda t: e() / Dot1Q(vlan=100, prio=3) / IP(src=H0_IP, dst=REMOTE_IP, ttl=33)
                 / UDP(sport=7777, dport=8888) / Raw(t + b"-vlan"), "VLAN 100 tagged IPv4", flow=("vlan",))

        # Downlink: from spine0 (port 2) to h0 and h1.
        s0 = lambda: Ether(src=self.fab.nh_mac[UP0], dst=self.fab.port_mac[UP0])  # noqa: E731
        self.fwd(UP0, lambda t: s0() / IP(src=REMOTE_IP, dst=H0_IP, ttl=62) / UDP(sport=5000, dport=10000)
                 / Raw(t + b"-down"), "downlink IPv4 UDP to h0", exp_port=HOST_PORT)
        self.fwd(UP0, lambda t: s0() / IP(src=REMOTE_IP, dst=H1_IP, ttl=2) / TCP(sport=80, dport=20000)
                 / Raw(t + b"-down"), "downlink IPv4 TCP TTL 2 to h1", exp_port=H1_PORT)
        self.fwd(UP0, lambda t: s0() / IPv6(src=REMOTE_IP6, dst=H0_IP6, hlim=255) / UDP(sport=6000, dport=30000)
                 / Raw(t + b"-down6"), "downlink IPv6 UDP to h0", exp_port=HOST_PORT)

        # ARP requests: gateway and proxy for h1's address.
        for target in (GW4, H1_IP):
            req = (Ether(src=self.h0, dst="ff:ff:ff:ff:ff:ff")
                   / ARP(op=1, hwsrc=self.h0, psrc=H0_IP, hwdst="00:00:00:00:00:00", pdst=target))
            rep = (Ether(src=self.p0, dst=self.h0)
                   / ARP(op=2, hwsrc=self.p0, psrc=target, hwdst=self.h0, pdst=H0_IP))
            self.add(HOST_PORT, req, "arp", "ARP who-has %s" % target, exp_port=HOST_PORT, exp=bytes(rep),
                     match=("arp", target))

        # ICMP echo to the gateway.
        rid = self._id()
        data = tag(rid) + b"-ping" + bytes(range(32))
        req = e() / IP(src=H0_IP, dst=GW4, ttl=64, id=0x4242, flags="DF", tos=0x10) / ICMP(type=8, id=0x77, seq=5) / data
        rep = (Ether(src=self.p0, dst=self.h0) / IP(src=GW4, dst=H0_IP, ttl=64, id=0x4242, flags="DF", tos=0x10)
               / ICMP(type=0, id=0x77, seq=5) / data)
        self.add(HOST_PORT, req, "echo4", "ICMP echo to %s" % GW4, exp_port=HOST_PORT, exp=bytes(rep))

        # ICMPv6 echo to the gateway.
        rid = self._id()
        data = tag(rid) + b"-ping6"
        req = e() / IPv6(src=H0_IP6, dst=GW6, hlim=64) / ICMPv6EchoRequest(id=0x99, seq=3, data=data)
        rep = (Ether(src=self.p0, dst=self.h0) / IPv6(src=GW6, dst=H0_IP6, hlim=64)
               / ICMPv6EchoReply(id=0x99, seq=3, data=data))
        self.add(HOST_PORT, req, "echo6", "ICMPv6 echo to %s" % GW6, exp_port=HOST_PORT, exp=bytes(rep))

        # Neighbour solicitations: gateway, proxy for h1's address, and a
        # proxy one without the source link-layer option (the NA is 8
        # bytes longer than the NS).
        for target, with_opt in ((GW6, True), (H1_IP6, True), ("fd00::9", False)):
            sn = socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, target)))
            req = (Ether(src=self.h0, dst=in6_getnsmac(inet_pton(socket.AF_INET6, sn)))
                   / IPv6(src=H0_IP6, dst=sn, hlim=255) / ICMPv6ND_NS(tgt=target))
            if with_opt:
                req = req / ICMPv6NDOptSrcLLAddr(lladdr=self.h0)
            rep = (Ether(src=self.p0, dst=self.h0) / IPv6(src=target, dst=H0_IP6, hlim=255)
                   / ICMPv6ND_NA(R=1, S=1, O=1, tgt=target) / ICMPv6NDOptDstLLAddr(lladdr=self.p0))
            self.add(HOST_PORT, req, "na", "IPv6 NS for %s%s" % (target, "" if with_opt else " (no option)"), exp_port=HOST_PORT, exp=bytes(rep),
                     match=("na", target))
        return self.recs


# ---- the tests ---------------------------------------------------------------

class SwitchRunTest(unittest.TestCase):
    sr = None
    PIPELINE = "native"   # the P4 classes at the end run the same cases on "p4"

    @classmethod
    def start_run(cls, make_inputs, config_patch=None):
        cls.sr = H.SwitchRun()
        cls.addClassCleanup(cls.sr.cleanup)
        # The config only depends on the topology; compile once to learn
        # the MACs, build the frames, then run loomd on the same config.
        topo_path = cls.sr.path("topo.yaml")
        with open(topo_path, "w") as f:
            f.write(topology(cls.sr, cls.PIPELINE))
        _, cfg = H.compile_config(topo_path, SWITCH)
        cls.fab = Fabric(cfg)
        inputs = make_inputs(cls.fab)
        cls.outputs = cls.sr.run(topology(cls.sr, cls.PIPELINE), SWITCH, inputs, config_patch=config_patch)
        cls.stats = cls.sr.stats
        cls.n_fed = sum(len(v) for v in inputs.values())

    def for_each(self, items, check, what):
        """check(item) for every item; one failure listing every item that
        failed (so that a test case counts once, however many frames)."""
        items = list(items)
        errors = []
        for it in items:
            try:
                check(it)
            except AssertionError as e:
                errors.append(str(e))
        if errors:
            more = "\n  ... and %d more" % (len(errors) - 12) if len(errors) > 12 else ""
            self.fail("%d of %d %s wrong:\n  - %s%s" % (len(errors), len(items), what,
                                                        "\n  - ".join(errors[:12]), more))

    def port_stats(self, port):
        for p in self.stats["ports"]:
            if p["index"] == port:
                return p
        self.fail("port %d missing from stats: %r" % (port, [p["index"] for p in self.stats["ports"]]))

    def check_conserved(self):
        s = self.stats
        self.assertEqual(s["rx_packets"], self.n_fed,
                         "switch rx_packets %d != %d frames fed" % (s["rx_packets"], self.n_fed))
        for p in PORTS:
            ps = self.port_stats(p)
            fed = len(self.sr.inputs[p])
            self.assertEqual(ps["rx_packets"], fed, "port %d rx_packets %d != %d frames fed to it"
                             % (p, ps["rx_packets"], fed))
        self.assertEqual(s.get("pipeline"), self.PIPELINE, "leaf0 runs the %r pipeline, the test asked for %r"
                         % (s.get("pipeline"), self.PIPELINE))
        self.assertTrue(s["conserved"],
                        "conservation broken: rx %d + generated %d != tx %d + answered %d + dropped %d + queued %d"
                        % (s["rx_packets"], s["generated"], s["tx_packets"], s["answered"], s["dropped"],
                           s["queued"]))


def match_outputs(recs, outputs):
    """Every output frame matched to its input: ({rec id: [(port, frame)]},
    [(port, frame, key)] of frames that answer no input)."""
    by_match = {r.match: r for r in recs}
    got, unknown = {}, []
    for port, frames in outputs.items():
        for fr in frames:
            key = classify(fr)
            r = by_match.get(key)
            if r is None:
                unknown.append((port, fr, key))
            else:
                got.setdefault(r.id, []).append((port, fr))
    return got, unknown


class ForwardChecks:
    """Checks of forwarded frames (needs self.got, self.fab, self.recs)."""

    def one_output(self, r):
        outs = self.got.get(r.id, [])
        self.assertEqual(len(outs), 1, "%r: expected exactly one output frame, got %d on ports %r"
                         % (r, len(outs), [p for p, _ in outs]))
        return outs[0]

    def check_forwarded(self, r):
        port, fr = self.one_output(r)
        if r.exp_port is not None:
            self.assertEqual(port, r.exp_port, "%r came out of port %d, expected port %d" % (r, port, r.exp_port))
        else:
            self.assertIn(port, UPLINKS, "%r came out of port %d, expected an uplink %r" % (r, port, UPLINKS))
        out_mac, nh_mac = self.fab.port_mac[port], self.fab.nh_mac[port]
        got, inp = Ether(fr), Ether(r.frame)
        self.assertEqual(got.dst, nh_mac, "%r out of port %d: dst MAC %s, expected next hop %s"
                         % (r, port, got.dst, nh_mac))
        self.assertEqual(got.src, out_mac, "%r out of port %d: src MAC %s, expected port MAC %s"
                         % (r, port, got.src, out_mac))
        off, et = l3_offset(r.frame)
        self.assertEqual(fr[12:off], r.frame[12:off], "%r: ethertype/VLAN tags changed: %s -> %s"
                         % (r, r.frame[12:off].hex(), fr[12:off].hex()))
        if et == 0x0800:
            gi, ii = got[IP], inp[IP]
            self.assertEqual(gi.ttl, ii.ttl - 1, "%r: TTL out %d, expected %d (in %d - 1)" % (r, gi.ttl, ii.ttl - 1, ii.ttl))
            want = scapy_ipv4_checksum(fr[off:off + gi.ihl * 4])
            self.assertEqual(gi.chksum, want, "%r: IPv4 header checksum %#06x, scapy recomputes %#06x"
                             % (r, gi.chksum, want))
            hl = gi.ihl * 4
            self.assertEqual(fr[off + hl:], r.frame[off + hl:], "%r: IPv4 payload changed:\n%s"
                             % (r, hexdiff(fr[off + hl:], r.frame[off + hl:])))
            self.assertEqual(fr[off + 12:off + hl], r.frame[off + 12:off + hl],
                             "%r: IPv4 addresses/options changed" % r)
        else:
            gi, ii = got[IPv6], inp[IPv6]
            self.assertEqual(gi.hlim, ii.hlim - 1, "%r: hop limit out %d, expected %d (in %d - 1)" % (r, gi.hlim, ii.hlim - 1, ii.hlim))
            self.assertEqual(fr[off + 8:], r.frame[off + 8:], "%r: IPv6 addresses/payload changed:\n%s"
                             % (r, hexdiff(fr[off + 8:], r.frame[off + 8:])))
        want = expected_forward(r.frame, out_mac, nh_mac)
        self.assertEqual(fr, want, "%r out of port %d differs from the expected frame: %s"
                         % (r, port, hexdiff(fr, want)))

    def recs_of(self, pred):
        rs = [r for r in self.recs if pred(r)]
        self.assertTrue(rs, "test bug: no input frames selected")
        return rs


class ForwardingTest(ForwardChecks, SwitchRunTest):
    """Good traffic: exact frames out."""

    @classmethod
    def setUpClass(cls):
        def inputs(fab):
            cls.recs = TrafficBuilder(fab).build()
            return {p: [r.frame for r in cls.recs if r.in_port == p] for p in PORTS}

        cls.start_run(inputs)
        cls.got, cls.unknown = match_outputs(cls.recs, cls.outputs)

    # -- accounting
    def test_counters_and_conservation(self):
        """rx = frames fed, no drops, conserved, tx = frames in the pcaps."""
        self.check_conserved()
        s = self.stats
        self.assertEqual(s["drops"], {}, "good traffic was dropped: %r" % s["drops"])
        for p in PORTS:
            ps = self.port_stats(p)
            self.assertEqual(ps["drops"], {}, "port %d dropped good traffic: %r" % (p, ps["drops"]))
            self.assertEqual(ps["tx_packets"], len(self.outputs[p]),
                             "port %d: tx_packets %d but %d frames in its tx pcap"
                             % (p, ps["tx_packets"], len(self.outputs[p])))
        replies = sum(1 for r in self.recs if r.kind != "fwd")
        self.assertEqual(s["generated"], replies, "generated %d, expected %d replies" % (s["generated"], replies))
        self.assertEqual(s["answered"], replies, "answered %d, expected %d requests" % (s["answered"], replies))
        self.assertEqual(s["tx_packets"], len(self.recs), "tx %d, expected one frame per input (%d)"
                         % (s["tx_packets"], len(self.recs)))

    def test_every_output_is_expected(self):
        """Each input gives exactly one output; nothing else comes out."""
        self.assertEqual(self.unknown, [], "frames out that answer no input: %s"
                         % ["port %d %r %s" % (p, k, f.hex()) for p, f, k in self.unknown[:5]])
        missing = [r for r in self.recs if r.id not in self.got]
        self.assertEqual(missing, [], "%d inputs produced no output, e.g. %r" % (len(missing), missing[:10]))
        dup = [(r, [p for p, _ in self.got[r.id]]) for r in self.recs if len(self.got.get(r.id, [])) > 1]
        self.assertEqual(dup, [], "inputs that came out more than once: %r" % dup[:10])

    # -- routed traffic
    def _check_set(self, pred):
        self.for_each(self.recs_of(pred), self.check_forwarded, "forwarded frames")

    def test_ipv4_udp_to_remote_leaf(self):
        self._check_set(lambda r: r.fset == "udp4")

    def test_ipv4_tcp_to_remote_leaf(self):
        self._check_set(lambda r: r.fset == "tcp4")

    def test_ipv6_udp_to_remote_leaf(self):
        self._check_set(lambda r: r.fset == "udp6")

    def test_roce_to_remote_leaf(self):
        self._check_set(lambda r: r.fset == "roce")

    def test_ipv4_same_leaf(self):
        self._check_set(lambda r: r.kind == "fwd" and r.exp_port == H1_PORT and r.in_port == HOST_PORT)

    def test_ipv4_options(self):
        self._check_set(lambda r: r.flow == ("opt",))

    def test_vlan_tagged(self):
        self._check_set(lambda r: r.flow == ("vlan",))

    def test_downlink_from_spine(self):
        self._check_set(lambda r: r.in_port == UP0)

    def test_ipv4_checksum_edges(self):
        """Checksum 0x0000 before / after the incremental update, TTL 255."""
        self._check_set(lambda r: r.flow in (("csum", "in"), ("csum", "out"), ("ttl255",)))

    def test_ethernet_padding_kept(self):
        self._check_set(lambda r: r.flow == ("pad",))

    def test_ipv6_hop_by_hop(self):
        self._check_set(lambda r: r.flow == ("hbh",))

    def test_ipv4_fragments(self):
        """Fragments are forwarded, and all fragments of one datagram
        (ports only in the first) leave by the same uplink."""
        self._check_set(lambda r: r.fset == "frag")
        split = {k: v for k, v in self.flows("frag").items() if len(set(v)) != 1 or len(v) != 3}
        self.assertEqual(split, {}, "datagrams whose 3 fragments did not all leave by one uplink "
                         "(datagram -> ports): %r" % split)

    # -- ECMP
    def flows(self, fset):
        f = {}
        for r in self.recs_of(lambda r: r.fset == fset):
            f.setdefault(r.flow, []).extend(p for p, _ in self.got.get(r.id, []))
        return f

    def test_ecmp_uses_both_uplinks(self):
        def check(fset):
            flows = self.flows(fset)
            per_port = {p: sum(1 for ports in flows.values() if ports and ports[0] == p) for p in UPLINKS}
            for p in UPLINKS:
                self.assertGreaterEqual(per_port[p], len(flows) // 8,
                                        "%s: %d flows, uplink %d got only %d of them (per uplink: %r)"
                                        % (fset, len(flows), p, per_port[p], per_port))
        self.for_each(("udp4", "tcp4", "udp6", "roce"), check, "ECMP sets")

    def test_ecmp_no_flow_split(self):
        def check(fset):
            split = {k: v for k, v in self.flows(fset).items() if len(set(v)) != 1 or len(v) != 2}
            if split:
                self.fail("%s: %d flows whose 2 copies did not both leave by one uplink (flow -> ports): %r"
                          % (fset, len(split), split))
        self.for_each(("udp4", "tcp4", "udp6", "roce"), check, "ECMP sets")

    def test_roce_qps_spread(self):
        """RoCEv2 flows identical but for the destination QP use both
        uplinks: the QP is part of the ECMP hash."""
        flows = self.flows("roce")
        ports = {k[1]: v[0] for k, v in flows.items() if v}
        used = set(ports.values())
        self.assertEqual(used, set(UPLINKS), "RoCEv2 QPs (same 5-tuple) all went to %r: QP -> port %r"
                         % (used, {hex(q): p for q, p in ports.items()}))

    # -- answered by the switch
    def check_reply(self, r):
        port, fr = self.one_output(r)
        self.assertEqual(port, r.exp_port, "%r: reply out of port %d, expected %d" % (r, port, r.exp_port))
        self.assertEqual(fr, r.exp, "%r: reply differs from the expected frame: %s\n%s"
                         % (r, hexdiff(fr, r.exp), Ether(fr).show2(dump=True)))
        return Ether(fr)

    def test_arp_replies(self):
        def check(r):
            port, fr = self.one_output(r)
            a = Ether(fr)[ARP]
            self.assertEqual(a.op, 2, "%r: ARP op %d, expected 2 (reply)" % (r, a.op))
            self.assertEqual(a.hwsrc, self.fab.port_mac[HOST_PORT],
                             "%r: ARP sender MAC %s, expected port MAC" % (r, a.hwsrc))
            self.assertEqual(a.psrc, r.match[1], "%r: ARP sender IP %s" % (r, a.psrc))
            self.assertEqual((a.hwdst, a.pdst), (self.fab.nh_mac[HOST_PORT], H0_IP),
                             "%r: ARP target %s/%s, expected the requester" % (r, a.hwdst, a.pdst))
            self.check_reply(r)
        self.for_each(self.recs_of(lambda r: r.kind == "arp"), check, "ARP replies")

    def test_icmp_echo_reply(self):
        for r in self.recs_of(lambda r: r.kind == "echo4"):
            p = self.check_reply(r)
            self.assertEqual(p[ICMP].type, 0)
            q = p.copy()
            del q[IP].chksum
            del q[ICMP].chksum
            q = Ether(bytes(q))
            self.assertEqual((p[IP].chksum, p[ICMP].chksum), (q[IP].chksum, q[ICMP].chksum),
                             "echo reply checksums (IP, ICMP) differ from scapy's recomputation")

    def test_icmpv6_echo_reply(self):
        for r in self.recs_of(lambda r: r.kind == "echo6"):
            self.check_reply(r)

    def test_neighbor_advertisements(self):
        def check(r):
            port, fr = self.one_output(r)
            p = Ether(fr)
            na = p[ICMPv6ND_NA]
            self.assertEqual((na.R, na.S), (1, 1), "%r: NA flags R=%d S=%d, expected router+solicited"
                             % (r, na.R, na.S))
            self.assertIn(ICMPv6NDOptDstLLAddr, p, "%r: NA has no target link-layer option" % r)
            self.assertEqual(p[ICMPv6NDOptDstLLAddr].lladdr, self.fab.port_mac[HOST_PORT],
                             "%r: NA target link-layer address is not the port MAC" % r)
            self.assertEqual(p[IPv6].hlim, 255, "%r: NA hop limit %d, must be 255" % (r, p[IPv6].hlim))
            q = p.copy()
            del q[ICMPv6ND_NA].cksum
            q = Ether(bytes(q))
            self.assertEqual(na.cksum, q[ICMPv6ND_NA].cksum, "%r: ICMPv6 checksum %#06x, scapy computes %#06x"
                             % (r, na.cksum, q[ICMPv6ND_NA].cksum))
            self.check_reply(r)
        self.for_each(self.recs_of(lambda r: r.kind == "na"), check, "neighbour advertisements")


# ---- malformed corpus --------------------------------------------------------

def corpus(fab):
    """[(description, in port, drop reason, [frames])]."""
    h0, p0 = fab.nh_mac[HOST_PORT], fab.port_mac[HOST_PORT]
    s0, p2 = fab.nh_mac[UP0], fab.port_mac[UP0]

    def e():
        return Ether(src=h0, dst=p0)

    def udp4(ttl=64, dst=REMOTE_IP, **kw):
        return bytes(e() / IP(src=H0_IP, dst=dst, ttl=ttl, **kw) / UDP(sport=1234, dport=5678) / Raw(b"x" * 18))

    good4 = udp4()
    good4_ck = IP(good4[14:]).chksum
    good6 = bytes(e() / IPv6(src=H0_IP6, dst=REMOTE_IP6) / UDP(sport=1, dport=2) / Raw(b"y" * 10))

    def arp(pdst, op=1, psrc=H0_IP, src=h0):
        return bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / ARP(op=op, hwsrc=src, psrc=psrc, pdst=pdst))

    def ns(target, src=H0_IP6, smac=h0):
        sn = socket.inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, target)))
        pkt = (Ether(src=smac, dst=in6_getnsmac(inet_pton(socket.AF_INET6, sn)))
               / IPv6(src=src, dst=sn, hlim=255) / ICMPv6ND_NS(tgt=target))
        if src != "::":
            pkt = pkt / ICMPv6NDOptSrcLLAddr(lladdr=smac)
        return bytes(pkt)

    def remac(frame, dst, src):
        """frame with its MAC addresses replaced (ethertype and the rest kept)."""
        return bytes.fromhex(dst.replace(":", "") + src.replace(":", "")) + frame[12:]

    def with_ip(frame, **patch):
        """frame with IPv4 header bytes patched (offset: value) and nothing recomputed."""
        b = bytearray(frame)
        for off, val in patch.items():
            b[14 + int(off[1:])] = val
        return bytes(b)

    bth = b"\x04\x00\xff\xff\x00\x00"  # 6 of the 12 BTH bytes
    return [
        ("truncated Ethernet (10, 13 bytes; VLAN tag cut)", HOST_PORT, "eth_truncated",
         [good4[:10], good4[:13], bytes(e() / Dot1Q(vlan=5))[:16]]),
        ("truncated IPv4 header (0 and 12 bytes)", HOST_PORT, "ipv4_malformed", [good4[:14], good4[:26]]),
        ("IPv4 IHL < 5 (4 and 0)", HOST_PORT, "ipv4_malformed",
         [with_ip(good4, b0=0x44), with_ip(good4, b0=0x40)]),
        ("IPv4 bad header checksum", HOST_PORT, "ipv4_bad_checksum",
         [udp4(chksum=good4_ck ^ 0x0101),
          bytes(e() / IP(src=H0_IP, dst=REMOTE_IP, chksum=0x0001,
                         options=[IPOption_RR(routers=["0.0.0.0"])]) / UDP() / Raw(b"z" * 8))]),
        ("IPv4 total length > frame", HOST_PORT, "ipv4_malformed",
         [bytes(e() / IP(src=H0_IP, dst=REMOTE_IP, len=200) / UDP(sport=1, dport=2) / Raw(b"q" * 20))]),
        ("IPv6 payload length > frame; IPv6 header cut at 30 bytes", HOST_PORT, "ipv6_malformed",
         [bytes(e() / IPv6(src=H0_IP6, dst=REMOTE_IP6, plen=500) / UDP(sport=1, dport=2) / Raw(b"q" * 20)),
          good6[:14 + 30]]),
        ("IPv4 TTL 1 (UDP, TCP)", HOST_PORT, "ttl_expired",
         [udp4(ttl=1), bytes(e() / IP(src=H0_IP, dst=REMOTE_IP, ttl=1) / TCP(sport=5, dport=6))]),
        ("IPv4 TTL 0", HOST_PORT, "ttl_expired", [udp4(ttl=0)]),
        ("IPv6 hop limit 1", HOST_PORT, "ttl_expired",
         [bytes(e() / IPv6(src=H0_IP6, dst=REMOTE_IP6, hlim=1) / UDP(sport=1, dport=2))]),
        ("no route (192.168.9.9, 2001:db8::9)", HOST_PORT, "no_route",
         [udp4(dst="192.168.9.9"), bytes(e() / IPv6(src=H0_IP6, dst="2001:db8::9") / UDP(sport=1, dport=2))]),
        ("unknown ethertype (LLDP 0x88cc)", HOST_PORT, "unknown_ethertype",
         [bytes(Ether(src=h0, dst="01:80:c2:00:00:0e", type=0x88CC) / Raw(b"\x02\x07\x04" + b"\0" * 40))]),
        ("unicast to a foreign MAC", HOST_PORT, "dst_mac_mismatch",
         [remac(good4, "02:99:99:99:99:99", h0),
          remac(good6, "02:99:99:99:99:99", h0)]),
        ("IPv4 UDP and echo requests to the gateway, to the broadcast MAC", HOST_PORT, "l2_multicast",
         [remac(good4, "ff:ff:ff:ff:ff:ff", h0),
          bytes(Ether(src=h0, dst="ff:ff:ff:ff:ff:ff") / IP(src=H0_IP, dst=GW4) / ICMP()),
          bytes(Ether(src=h0, dst="33:33:00:00:00:01") / IPv6(src=H0_IP6, dst=GW6) / ICMPv6EchoRequest())]),
        ("a 3000-byte frame (more than one buffer: the fabric has no jumbo link)", HOST_PORT, "frame_too_long",
         [bytes(e() / IP(src=H0_IP, dst=REMOTE_IP) / UDP(sport=1, dport=2) / Raw(b"j" * 2958))]),
        ("truncated UDP (4 of 8 bytes)", HOST_PORT, "l4_malformed",
         [bytes(e() / IP(src=H0_IP, dst=REMOTE_IP, proto=17) / Raw(b"\x04\xd2\x16\x2e"))]),
        ("truncated BTH (6 of 12 bytes)", HOST_PORT, "l4_malformed",
         [bytes(e() / IP(src=H0_IP, dst=REMOTE_IP) / UDP(sport=49152, dport=4791) / Raw(bth))]),
        ("TCP data offset beyond the datagram", HOST_PORT, "l4_malformed",
         [bytes(e() / IP(src=H0_IP, dst=REMOTE_IP) / TCP(sport=5, dport=6, dataofs=15))]),
        ("ARP for addresses outside the subnet, gratuitous ARP, ARP reply", HOST_PORT, "arp_ignored",
         [arp("10.0.1.2"), arp("192.168.1.1"), arp(H0_IP), arp(GW4, op=2)]),
        ("UDP to the gateway address", HOST_PORT, "to_switch", [udp4(dst=GW4)]),
        ("NS for duplicate address detection, router solicitation", HOST_PORT, "nd_ignored",
         [ns("fd00::7", src="::"),
          bytes(Ether(src=h0, dst="33:33:00:00:00:02") / IPv6(src=H0_IP6, dst="ff02::2", hlim=255) / ICMPv6ND_RS())]),
        # On an uplink: no ARP/ND answers, foreign MAC, expired TTL.
        ("ARP for the gateway on an uplink", UP0, "arp_ignored", [arp(GW4, psrc="10.0.1.2", src=s0)]),
        ("NS for the gateway on an uplink", UP0, "nd_ignored", [ns(GW6, src="fd00:0:0:1::2", smac=s0)]),
        ("uplink: unicast to another port's MAC", UP0, "dst_mac_mismatch",
         [remac(good4, p0, s0)]),
        ("uplink: TTL 1 to h0", UP0, "ttl_expired",
         [bytes(Ether(src=s0, dst=p2) / IP(src=REMOTE_IP, dst=H0_IP, ttl=1) / UDP(sport=1, dport=2))]),
    ]


def plain_ipv4(r):
    """A forwarded frame the IPv4 fast path takes (core/pkt_parse_ipv4.h):
    untagged IPv4 without options, not a fragment, UDP (not RoCEv2) or
    TCP, TTL above 1, to the switch's MAC (every builder frame is)."""
    p = Ether(r.frame)
    if r.kind != "fwd" or p.type != 0x0800 or IP not in p:
        return False
    ip = p[IP]
    return (ip.ihl == 5 and ip.frag == 0 and not ip.flags.MF and ip.ttl > 1
            and (TCP in p or (UDP in p and p[UDP].dport != 4791)))


class FastPathRuns:
    """The IPv4 fast path (dataplane/pipeline/ipv4_fast_path.c) against
    the staged path: the builder's plain IPv4 frames, first alone (every
    burst is plain: the fast path serves them all), then with an IPv6 frame
    every 16 (no burst of 32 is all plain: the staged path serves them).
    Both runs must send every frame out of the same port, with the same
    counters. MODE: the switch's load-balancing mode."""
    MODE = "ecmp"

    @classmethod
    def set_mode(cls, cfg):
        for sw in cfg["switches"]:
            sw.setdefault("load_balancing", {})["mode"] = cls.MODE

    @classmethod
    def setUpClass(cls):
        cls.runs = {}
        for mixed in (False, True):
            def inputs(fab, mixed=mixed):
                b = TrafficBuilder(fab)
                plain = [r for r in b.build() if plain_ipv4(r) and r.in_port == HOST_PORT]
                recs = []
                for i, r in enumerate(plain):
                    if mixed and i % 15 == 0:
                        recs.append(b.fwd(HOST_PORT, lambda t, i=i: b.eth0() / IPv6(src=H0_IP6, dst=REMOTE_IP6)
                                          / UDP(sport=i, dport=9) / Raw(t + b"-v6"), "IPv6 filler %d" % i))
                    recs.append(r)
                cls.recs = recs
                return {p: [r.frame for r in recs if r.in_port == p] for p in PORTS}

            cls.start_run(inputs, config_patch=cls.set_mode)
            got, unknown = match_outputs(cls.recs, cls.outputs)
            cls.runs[mixed] = dict(recs=cls.recs, got=got, unknown=unknown, stats=cls.stats, n_fed=cls.n_fed)

    def test_which_path_served(self):
        plain, mixed = self.runs[False], self.runs[True]
        self.assertGreater(plain["n_fed"], 100, "test bug: too few plain frames")
        self.assertEqual(plain["stats"]["fast_path_packets"], plain["n_fed"],
                         "plain bursts: the fast path served %d of %d packets"
                         % (plain["stats"]["fast_path_packets"], plain["n_fed"]))
        self.assertEqual(mixed["stats"]["fast_path_packets"], 0,
                         "mixed bursts: the fast path served %d packets" % mixed["stats"]["fast_path_packets"])

    def test_same_counters(self):
        plain, mixed = self.runs[False], self.runs[True]
        for name in ("rx_bytes", "dropped", "queued"):
            want = plain["stats"][name] + (sum(len(r.frame) for r in mixed["recs"] if "filler" in r.desc)
                                           if name == "rx_bytes" else 0)
            self.assertEqual(mixed["stats"][name], want, "%s: staged %d, fast path %d (+ fillers)"
                             % (name, mixed["stats"][name], plain["stats"][name]))
        self.assertTrue(plain["stats"]["conserved"] and mixed["stats"]["conserved"], "conservation broken")


class FastPathTest(FastPathRuns, ForwardChecks, SwitchRunTest):
    """ECMP: both paths give the exact expected frames (the member the flow
    hash picks), each frame out of the same port."""

    def test_same_ports(self):
        plain, mixed = self.runs[False], self.runs[True]
        by_desc = {r.desc: r for r in mixed["recs"]}
        differ = []
        for r in plain["recs"]:
            a = [p for p, _ in plain["got"].get(r.id, [])]
            b = [p for p, _ in mixed["got"].get(by_desc[r.desc].id, [])]
            if a != b:
                differ.append("%s: fast path %r, staged %r" % (r.desc, a, b))
        self.assertEqual(differ, [], "frames that left by other ports on the two paths: %s" % differ[:10])

    def test_frames_exact_on_both_paths(self):
        for mixed, run in self.runs.items():
            self.recs, self.got = run["recs"], run["got"]
            self.assertEqual(run["unknown"], [], "%s run: frames out that answer no input"
                             % ("mixed" if mixed else "plain"))
            self.for_each(run["recs"], self.check_forwarded, "forwarded frames (%s bursts)"
                          % ("mixed" if mixed else "plain"))


class FastPathSprayTest(FastPathRuns, SwitchRunTest):
    """Round-robin spray: the fast path asks the policy once for a run of
    packets (select_burst), the staged path once per packet; on both, the
    frames sent to the uplinks (the IPv6 fillers share the group) take
    them in turn, one after another in input order."""
    MODE = "spray"

    def test_round_robin_on_both_paths(self):
        for mixed, run in self.runs.items():
            self.assertEqual(run["unknown"], [], "frames out that answer no input")
            self.assertEqual(run["stats"]["load_balancing"]["mode"], "spray")
            seq = [port for r in run["recs"] for port, _ in run["got"].get(r.id, []) if port in UPLINKS]
            self.assertGreater(len(seq), 100, "test bug: too few frames to the uplinks")
            turn = seq[:len(UPLINKS)]
            self.assertEqual(sorted(turn), sorted(UPLINKS), "first round does not take every uplink: %r" % turn)
            wrong = [i for i, port in enumerate(seq) if port != turn[i % len(turn)]]
            self.assertEqual(wrong, [], "%s run: not in turn from frame %s on: %r"
                             % ("mixed" if mixed else "plain", wrong[:1], seq[:40]))


class MalformedTest(SwitchRunTest):
    """A corpus the switch must drop: exact counters, nothing out."""

    @classmethod
    def setUpClass(cls):
        def inputs(fab):
            cls.corpus = corpus(fab)
            ins = {p: [] for p in PORTS}
            for _, port, _, frames in cls.corpus:
                ins[port].extend(frames)
            return ins

        cls.start_run(inputs)

    def expected_drops(self, port=None):
        exp = {}
        for _, p, reason, frames in self.corpus:
            if port is None or p == port:
                exp[reason] = exp.get(reason, 0) + len(frames)
        return exp

    def test_nothing_came_out(self):
        def check(p):
            outs = self.outputs[p]
            if outs:
                self.fail("port %d transmitted %d frames of the malformed corpus, e.g. %s"
                          % (p, len(outs), ["%s %s" % (Ether(f).summary(), f.hex()) for f in outs[:5]]))
            self.assertEqual(self.port_stats(p)["tx_packets"], 0, "port %d tx_packets != 0" % p)
        self.for_each(PORTS, check, "ports")

    def test_drop_counters_per_port(self):
        def check(p):
            want = self.expected_drops(p)
            got = self.port_stats(p)["drops"]
            diff = {k: (got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want)
                    if got.get(k, 0) != want.get(k, 0)}
            self.assertEqual(got, want, "port %d drop counters differ (reason: (got, expected)): %r\n"
                             "corpus: %s" % (p, diff, [(d, r, len(f)) for d, q, r, f in self.corpus if q == p]))
        self.for_each(PORTS, check, "ports' drop counters")

    def test_switch_drop_totals(self):
        want = self.expected_drops()
        self.assertEqual(self.stats["drops"], want, "switch drop totals differ")
        self.assertEqual(self.stats["dropped"], self.n_fed, "dropped %d of %d frames fed"
                         % (self.stats["dropped"], self.n_fed))
        self.assertEqual((self.stats["answered"], self.stats["generated"]), (0, 0),
                         "the switch answered part of the malformed corpus")

    def test_conserved_and_rx(self):
        self.check_conserved()


class NotForTheSwitchTest(SwitchRunTest):
    """Requests the switch must not answer: unicast to a foreign MAC, an
    IPv4 address-conflict probe, invalid neighbour solicitations."""

    @classmethod
    def setUpClass(cls):
        def inputs(fab):
            h0 = fab.nh_mac[HOST_PORT]
            foreign = "02:99:99:99:99:99"
            bc = "ff:ff:ff:ff:ff:ff"

            def ns(target, dst_mac, dst_ip, hlim=255, **kw):
                return (Ether(src=h0, dst=dst_mac) / IPv6(src=H0_IP6, dst=dst_ip, hlim=hlim)
                        / ICMPv6ND_NS(tgt=target, **kw) / ICMPv6NDOptSrcLLAddr(lladdr=h0))

            def sn(target):
                a = in6_getnsma(inet_pton(socket.AF_INET6, target))
                return in6_getnsmac(a), socket.inet_ntop(socket.AF_INET6, a)

            # (description, frame, key of the reply it must not get, drop reason or None for "any")
            cls.cases = [
                ("ICMP echo to the gateway, unicast to a foreign MAC",
                 Ether(src=h0, dst=foreign) / IP(src=H0_IP, dst=GW4) / ICMP(id=1, seq=1) / tag(1),
                 ("tag", 1), "dst_mac_mismatch"),
                ("ICMPv6 echo to the gateway, unicast to a foreign MAC",
                 Ether(src=h0, dst=foreign) / IPv6(src=H0_IP6, dst=GW6) / ICMPv6EchoRequest(data=tag(2)),
                 ("tag", 2), "dst_mac_mismatch"),
                ("ARP request for the gateway, unicast to a foreign MAC",
                 Ether(src=h0, dst=foreign) / ARP(op=1, hwsrc=h0, psrc=H0_IP, pdst=GW4),
                 ("arp", GW4), "dst_mac_mismatch"),
                ("NS for the gateway, unicast to a foreign MAC",
                 ns(GW6, foreign, GW6), ("na", GW6), "dst_mac_mismatch"),
                ("ARP probe (RFC 5227: sender 0.0.0.0) for h0's own address 10.0.0.2",
                 Ether(src=h0, dst=bc) / ARP(op=1, hwsrc=h0, psrc="0.0.0.0", hwdst="00:00:00:00:00:00", pdst=H0_IP),
                 ("arp", H0_IP), "arp_ignored"),
                ("NS with hop limit 64 (RFC 4861 7.1.1: must be 255)",
                 ns(H1_IP6, *sn(H1_IP6), hlim=64), ("na", H1_IP6), None),
                ("NS with a bad ICMPv6 checksum (RFC 4861 7.1.1)",
                 ns("fd00::5", *sn("fd00::5"), cksum=0x1234), ("na", "fd00::5"), None),
            ]
            return {p: [bytes(c[1]) for c in cls.cases] if p == HOST_PORT else [] for p in PORTS}

        cls.start_run(inputs)
        cls.replies = {}
        for port, frames in cls.outputs.items():
            for fr in frames:
                cls.replies.setdefault(classify(fr), []).append((port, fr))

    def check_not_answered(self, pred):
        def check(case):
            desc, _, key, _ = case
            got = self.replies.get(key, [])
            if got:
                self.fail("%s was answered (out of port %s): %s"
                          % (desc, [p for p, _ in got], "; ".join(Ether(f).summary() + " " + f.hex()
                                                                  for _, f in got)))
        self.for_each([c for c in self.cases if pred(c[0])], check, "requests")

    def test_foreign_mac_not_answered(self):
        """Unicast frames to another MAC are not for the switch, whatever
        they carry: dropped as dst_mac_mismatch, never answered."""
        self.check_not_answered(lambda d: "foreign MAC" in d)

    def test_arp_probe_not_answered(self):
        """Answering an ARP probe for the host's own address tells the host
        that its address is in use (RFC 5227 conflict)."""
        self.check_not_answered(lambda d: "ARP probe" in d)

    def test_invalid_ns_not_answered(self):
        self.check_not_answered(lambda d: d.startswith("NS with"))

    def test_all_dropped_and_counted(self):
        self.check_conserved()
        want = {}
        for _, _, _, reason in self.cases:
            if reason:
                want[reason] = want.get(reason, 0) + 1
        got = self.port_stats(HOST_PORT)["drops"]
        for reason, n in want.items():
            self.assertEqual(got.get(reason, 0), n, "port 0 %s: %d, expected %d (all drops: %r)"
                             % (reason, got.get(reason, 0), n, got))
        self.assertEqual(self.stats["dropped"], self.n_fed, "dropped %d of the %d frames fed (drops %r, "
                         "%d answered)" % (self.stats["dropped"], self.n_fed, got, self.stats["generated"]))
        for p in PORTS:
            if self.outputs[p]:
                self.fail("port %d transmitted %d frames: %s"
                          % (p, len(self.outputs[p]), [Ether(f).summary() for f in self.outputs[p]]))


# ---- the same cases on the P4 pipeline (differential) ---------------------------
#
# leaf0 runs p4/loom.spec on DPDK's SWX pipeline: every case above must give
# the same frames out and the same drops. ECMP cases already check by the set
# of uplinks used and their evenness, not by which member a flow takes, since
# SWX's selector hash is not Loom's flow hash.

class P4ForwardingTest(ForwardingTest):
    PIPELINE = "p4"


class P4MalformedTest(MalformedTest):
    PIPELINE = "p4"


class P4NotForTheSwitchTest(NotForTheSwitchTest):
    PIPELINE = "p4"


class P4SprayTest(SwitchRunTest):
    """loom.spec's per-packet spraying (register spray_mode = 1 through the
    switch's "p4_registers"): one flow's packets leave by both uplinks."""
    PIPELINE = "p4"
    N = 64

    @classmethod
    def setUpClass(cls):
        def inputs(fab):
            e = Ether(src=fab.nh_mac[HOST_PORT], dst=fab.port_mac[HOST_PORT])
            frames = [bytes(e / IP(src=H0_IP, dst=REMOTE_IP, ttl=64) / UDP(sport=7, dport=9) / Raw(tag(i)))
                      for i in range(cls.N)]
            return {p: frames if p == HOST_PORT else [] for p in PORTS}

        def spray(cfg):
            for sw in cfg["switches"]:
                if sw["name"] == SWITCH:
                    sw["p4_registers"] = {"spray_mode": 1}

        cls.start_run(inputs, spray)

    def test_one_flow_over_both_uplinks(self):
        self.check_conserved()
        per_port = {p: len(self.outputs[p]) for p in UPLINKS}
        self.assertEqual(sum(per_port.values()), self.N, "frames out per uplink: %r" % per_port)
        for p in UPLINKS:
            self.assertGreaterEqual(per_port[p], self.N // 8, "one flow, sprayed: per uplink %r" % per_port)

    def test_registers_after_spraying(self):
        # the packet counter counted every packet, and the switch's hash seed
        # is what loomd wrote: on DPDK 22.11 `regadd R 0x0 0x1` (index and
        # value both constants) adds to the spec's FIRST register array,
        # which was hash_seed; loom.spec takes the 1 from metadata
        cfg_sw = next(sw for sw in self.sr.config["switches"] if sw["name"] == SWITCH)
        regs = self.stats["p4_registers"]
        self.assertEqual(regs["spray_mode"], 1, regs)
        self.assertEqual(regs["spray_counter"], self.N, regs)
        self.assertEqual(regs["hash_seed"], cfg_sw["hash_seed"], regs)


class P4BrokenSpecTest(unittest.TestCase):
    """loomd refuses a P4 switch whose spec DPDK does not accept, naming the
    spec's file and line, and does not start."""

    def run_broken(self, find, replacement, name):
        """loomd's error for loom.spec with the first line containing `find`
        replaced; and that line's number (1-based)."""
        sr = H.SwitchRun()
        self.addCleanup(sr.cleanup)
        with open(os.path.join(H.ROOT, "p4", "loom.spec")) as f:
            lines = f.read().split("\n")
        at = next(i for i, l in enumerate(lines) if find in l)
        lines[at] = replacement
        broken = sr.path(name)
        with open(broken, "w") as f:
            f.write("\n".join(lines))

        def use_broken(cfg):
            for sw in cfg["switches"]:
                if sw["name"] == SWITCH:
                    sw["p4_spec"] = broken

        with self.assertRaises(H.LoomdError) as cm:
            sr.run(topology(sr, "p4"), SWITCH, {p: [] for p in PORTS}, config_patch=use_broken)
        return str(cm.exception), broken, at + 1

    def test_refused_with_file_and_line(self):
        err, broken, line = self.run_broken("mov m.local_metadata_group_id t.group_id",
                                            "\tmov m.local_metadata_no_such_field t.group_id", "broken.spec")
        # the action's header is the line before its first instruction
        self.assertIn("%s:%d: action set_group" % (broken, line - 1), err)

    def test_default_action_outside_its_list(self):
        """Issue 22: a table whose default action is not in its actions list
        crashed loomd (SEGV in DPDK's rte_swx_pipeline_table_config); now it is
        refused with the default_action's line, and loomd exits cleanly."""
        err, broken, line = self.run_broken("default_action drop_no_route",
                                            "\tdefault_action set_nexthop args port 1 const", "default-outside.spec")
        self.assertIn("%s:%d: table route_v4: default_action set_nexthop is not in its actions list" % (broken, line),
                      err)
        self.assertIn("exited with status 1 ", err)  # an error, not a signal

if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("LOOM_TEST_VERBOSITY", "1")))
