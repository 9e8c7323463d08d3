/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom.p4 -- the leaf/spine pipeline of Loom's native dataplane as a P4_16
 * program for the Portable NIC Architecture (PNA), the architecture
 * p4c-dpdk targets. loomd runs it on DPDK's SWX pipeline from p4/loom.spec,
 * which is kept in step with this file BY HAND (p4c is not packaged for
 * Debian 12; docs/P4.md says how to regenerate the spec where it is).
 *
 *   parser      Ethernet, up to two 802.1Q/802.1ad tags, IPv4 (options
 *               skipped as a varbit), IPv6, UDP, TCP, RoCEv2 BTH
 *   route_v4/6  LPM on the destination -> an ECMP group (ActionSelector)
 *   ecmp_sel    the group's member by the hash of the flow (5-tuple, the
 *               RoCEv2 destination QP, the switch's seed), or by a packet
 *               counter when spraying
 *   member      the next hop: MAC rewrite and output port
 *   TTL / hop limit - 1, IPv4 checksum updated incrementally
 *   drops carry a reason (DROP_* below), which Loom counts
 *
 * Loom runs the program behind its ingress guard, which validates lengths
 * and the IPv4 checksum, checks the destination MAC, and answers ARP, ND
 * and echo for the gateway (docs/P4.md explains why). So the parser can
 * trust what it extracts.
 */
#include <core.p4>
#include <pna.p4>

typedef bit<48> mac_addr_t;
typedef bit<32> ipv4_addr_t;
typedef bit<128> ipv6_addr_t;
typedef bit<32> group_id_t;
typedef bit<32> member_id_t;

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_IPV6 = 0x86dd;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_QINQ = 0x88a8;
const bit<8> PROTO_TCP = 6;
const bit<8> PROTO_UDP = 17;
const bit<16> ROCEV2_UDP_PORT = 4791;

/* Drops with a reason: Loom's SWX ports cannot see metadata, so a drop is
 * a send to port DROP_PORT_BASE + reason (dataplane/p4/p4_internal.h maps
 * each reason to a Loom drop reason: no_route, ttl_expired, ...). */
typedef bit<8> drop_reason_t;
const drop_reason_t DROP_NO_ROUTE = 1;
const drop_reason_t DROP_TTL_EXPIRED = 2;
const drop_reason_t DROP_NOT_IP = 3;
const PortIdUint_t DROP_PORT_BASE = 256;
/* send_to_port() takes a directionless argument, which must be a
 * compile-time constant or an action parameter: one constant port per
 * reason. */
const PortId_t DROP_PORT_NO_ROUTE = (PortId_t)(DROP_PORT_BASE + (PortIdUint_t)DROP_NO_ROUTE);
const PortId_t DROP_PORT_TTL_EXPIRED = (PortId_t)(DROP_PORT_BASE + (PortIdUint_t)DROP_TTL_EXPIRED);
const PortId_t DROP_PORT_NOT_IP = (PortId_t)(DROP_PORT_BASE + (PortIdUint_t)DROP_NOT_IP);

/*************************************************************************
 * Headers
 *************************************************************************/
header ethernet_t {
    mac_addr_t dst_addr;
    mac_addr_t src_addr;
    bit<16>    ether_type;
}

header vlan_t {
    bit<16> pcp_dei_vid;
    bit<16> ether_type;
}

header ipv4_t {
    bit<8>      version_ihl;
    bit<8>      diffserv;
    bit<16>     total_len;
    bit<16>     identification;
    bit<16>     flags_frag_offset;
    bit<8>      ttl;
    bit<8>      protocol;
    bit<16>     hdr_checksum;
    ipv4_addr_t src_addr;
    ipv4_addr_t dst_addr;
}

header ipv4_options_t {
    varbit<320> options;
}

header ipv6_t {
    bit<32>     version_tc_flow_label;
    bit<16>     payload_len;
    bit<8>      next_hdr;
    bit<8>      hop_limit;
    ipv6_addr_t src_addr;
    ipv6_addr_t dst_addr;
}

/* The first 4 bytes of UDP and TCP: the ports the flow hash reads. */
header l4_ports_t {
    bit<16> src_port;
    bit<16> dst_port;
}

header udp_rest_t {
    bit<16> len;
    bit<16> checksum;
}

/* RoCEv2 base transport header (InfiniBand BTH). */
header bth_t {
    bit<8>  opcode;
    bit<8>  flags;
    bit<16> partition_key;
    bit<8>  reserved;
    bit<24> dst_qp;
    bit<32> ack_psn;
}

struct headers_t {
    ethernet_t     ethernet;
    vlan_t         vlan_outer;
    vlan_t         vlan_inner;
    ipv4_t         ipv4;
    ipv4_options_t ipv4_options;
    ipv6_t         ipv6;
    l4_ports_t     l4_ports;
    udp_rest_t     udp_rest;
    bth_t          bth;
}

/* What the ECMP hash reads, in this order (the ActionSelector's key). */
struct local_metadata_t {
    group_id_t  group_id;
    member_id_t member_id;
    bit<16>     ether_type;      /* after the VLAN tags */
    bit<32>     ipv4_options_len;
    bit<16>     frag;
    ipv6_addr_t zero128;         /* never written: SWX moves 128-bit fields
                                  * only from 128-bit fields, not constants */
    ipv4_addr_t flow_v4_src;
    ipv4_addr_t flow_v4_dst;
    ipv6_addr_t flow_v6_src;
    ipv6_addr_t flow_v6_dst;
    bit<32>     flow_dst_qp;
    bit<16>     flow_src_port;
    bit<16>     flow_dst_port;
    bit<8>      flow_proto;
    bit<32>     flow_seed;
    bit<32>     spray_mode;
}

/*************************************************************************
 * Parser: one state per header
 *************************************************************************/
parser MainParserImpl(packet_in pkt, out headers_t hdr, inout local_metadata_t meta,
                      in pna_main_parser_input_metadata_t istd) {
    state start {
        /* PNA does not clear metadata per packet: the hash must not read
         * what the previous packet left (the spec's `mov ... 0x0` block) */
        meta.group_id = 0xffffffff;
        meta.member_id = 0xffffffff;
        meta.flow_v4_src = 0;
        meta.flow_v4_dst = 0;
        meta.flow_v6_src = meta.zero128;
        meta.flow_v6_dst = meta.zero128;
        meta.flow_dst_qp = 0;
        meta.flow_src_port = 0;
        meta.flow_dst_port = 0;
        meta.flow_proto = 0;
        pkt.extract(hdr.ethernet);
        meta.ether_type = hdr.ethernet.ether_type;
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_VLAN: parse_vlan_outer;
            ETHERTYPE_QINQ: parse_vlan_outer;
            default: parse_l3;
        }
    }
    state parse_vlan_outer {
        pkt.extract(hdr.vlan_outer);
        meta.ether_type = hdr.vlan_outer.ether_type;
        transition select(hdr.vlan_outer.ether_type) {
            ETHERTYPE_VLAN: parse_vlan_inner;
            default: parse_l3;
        }
    }
    state parse_vlan_inner {
        pkt.extract(hdr.vlan_inner);
        meta.ether_type = hdr.vlan_inner.ether_type;
        transition parse_l3;
    }
    state parse_l3 {
        transition select(meta.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        meta.ipv4_options_len = ((bit<32>)(hdr.ipv4.version_ihl & 0xf) << 2) - 20;
        pkt.extract(hdr.ipv4_options, meta.ipv4_options_len << 3);
        meta.flow_v4_src = hdr.ipv4.src_addr;
        meta.flow_v4_dst = hdr.ipv4.dst_addr;
        meta.flow_proto = hdr.ipv4.protocol;
        /* Only a datagram's first fragment has ports: all fragments of
         * it must hash alike, so none of them hashes on ports. */
        meta.frag = hdr.ipv4.flags_frag_offset & 0x3fff;
        transition select(meta.frag, hdr.ipv4.protocol) {
            (0, PROTO_UDP): parse_udp;
            (0, PROTO_TCP): parse_tcp;
            default: accept;
        }
    }
    state parse_ipv6 {
        pkt.extract(hdr.ipv6);
        meta.flow_v6_src = hdr.ipv6.src_addr;
        meta.flow_v6_dst = hdr.ipv6.dst_addr;
        meta.flow_proto = hdr.ipv6.next_hdr;
        transition select(hdr.ipv6.next_hdr) {
            PROTO_UDP: parse_udp;
            PROTO_TCP: parse_tcp;
            default: accept;
        }
    }
    state parse_tcp {
        pkt.extract(hdr.l4_ports);
        meta.flow_src_port = hdr.l4_ports.src_port;
        meta.flow_dst_port = hdr.l4_ports.dst_port;
        transition accept;
    }
    state parse_udp {
        pkt.extract(hdr.l4_ports);
        pkt.extract(hdr.udp_rest);
        meta.flow_src_port = hdr.l4_ports.src_port;
        meta.flow_dst_port = hdr.l4_ports.dst_port;
        transition select(hdr.l4_ports.dst_port) {
            ROCEV2_UDP_PORT: parse_bth;
            default: accept;
        }
    }
    state parse_bth {
        pkt.extract(hdr.bth);
        meta.flow_dst_qp = (bit<32>)hdr.bth.dst_qp;
        transition accept;
    }
}

control PreControlImpl(in headers_t hdr, inout local_metadata_t meta,
                       in pna_pre_input_metadata_t istd, inout pna_pre_output_metadata_t ostd) {
    apply { }
}

/*************************************************************************
 * Match-action
 *************************************************************************/
control MainControlImpl(inout headers_t hdr, inout local_metadata_t meta,
                        in pna_main_input_metadata_t istd, inout pna_main_output_metadata_t ostd) {
    /* The control plane writes them (dataplane/p4/p4_tables.c, and the
     * switch's "p4_registers" in loomd's configuration). */
    Register<bit<32>, bit<1>>(1) hash_seed;      /* the switch's ECMP seed */
    Register<bit<32>, bit<1>>(1) spray_mode;     /* 1: per-packet spraying */
    Register<bit<32>, bit<1>>(1) spray_counter;

    /* p4c-dpdk: size -> n_groups_max, 2^outputWidth -> n_members_per_group_max
     * (DPDK allocates their product x 4 bytes: 4096 x 256 = 4 MiB). */
    ActionSelector(PNA_HashAlgorithm_t.TARGET_DEFAULT, 32w4096, 32w8) ecmp_sel;
    InternetChecksum() ipv4_ck;

    action drop_no_route() {
        send_to_port(DROP_PORT_NO_ROUTE);
    }
    action set_group(group_id_t group_id) {
        meta.group_id = group_id;
    }
    action set_nexthop(PortId_t port, mac_addr_t dst_mac, mac_addr_t src_mac) {
        hdr.ethernet.dst_addr = dst_mac;
        hdr.ethernet.src_addr = src_mac;
        send_to_port(port);
    }

    /* Loom's routes: prefix -> group (the ECMP group index of the native
     * switch; a single next hop is a group of one). */
    table route_v4 {
        key = { hdr.ipv4.dst_addr: lpm; }
        actions = { set_group; @defaultonly drop_no_route; }
        const default_action = drop_no_route();
        size = 65536;
    }
    table route_v6 {
        key = { hdr.ipv6.dst_addr: lpm; }
        actions = { set_group; @defaultonly drop_no_route; }
        const default_action = drop_no_route();
        size = 65536;
    }
    /* The group's members are next hops; the selector picks one by the
     * hash of the flow. p4c-dpdk lowers this table into the selector
     * ecmp_sel and the member table ecmp_member of loom.spec. */
    table ecmp_member {
        key = {
            meta.group_id:      exact;
            meta.flow_v4_src:   selector;
            meta.flow_v4_dst:   selector;
            meta.flow_v6_src:   selector;
            meta.flow_v6_dst:   selector;
            meta.flow_dst_qp:   selector;
            meta.flow_src_port: selector;
            meta.flow_dst_port: selector;
            meta.flow_proto:    selector;
            meta.flow_seed:     selector;
        }
        actions = { set_nexthop; @defaultonly drop_no_route; }
        const default_action = drop_no_route();
        pna_implementation = ecmp_sel;
        size = 65536;
    }

    apply {
        meta.flow_seed = hash_seed.read(0);
        meta.spray_mode = spray_mode.read(0);
        if (meta.spray_mode == 1) {
            /* Per-packet spraying: a packet counter stands in for the flow. */
            bit<32> n = spray_counter.read(0) + 1;
            spray_counter.write(0, n);
            meta.flow_src_port = n[15:0];
        }
        if (hdr.ipv4.isValid()) {
            if (route_v4.apply().miss) {
                return;         /* drop_no_route ran */
            }
            if (hdr.ipv4.ttl <= 1) {
                send_to_port(DROP_PORT_TTL_EXPIRED);
                return;
            }
            /* RFC 1624 incremental update of the checksum: take the old
             * TTL out, put the new one in. Starting from clear(),
             * subtracting the checksum leaves the sum of the header in the
             * unit (p4c-dpdk 1.2.3.5 drops set_state(), and its `compl`
             * is no DPDK 22.11 instruction). The TTL is passed alone, not
             * as { ttl, protocol }: p4c copies a list's fields to metadata,
             * and DPDK 22.11's ckadd/cksub take header fields only. The TTL
             * starts its 16-bit word, so it is summed in the right byte;
             * the protocol, the word's other byte, does not change. */
            ipv4_ck.clear();
            ipv4_ck.subtract(hdr.ipv4.hdr_checksum);
            ipv4_ck.subtract(hdr.ipv4.ttl);
            hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
            ipv4_ck.add(hdr.ipv4.ttl);
            hdr.ipv4.hdr_checksum = ipv4_ck.get();
            /* 0xffff never is a correct IPv4 checksum: it is 0x0000's
             * other form in one's complement. */
            if (hdr.ipv4.hdr_checksum == 0xffff) {
                hdr.ipv4.hdr_checksum = 0;
            }
        } else if (hdr.ipv6.isValid()) {
            if (route_v6.apply().miss) {
                return;
            }
            if (hdr.ipv6.hop_limit <= 1) {
                send_to_port(DROP_PORT_TTL_EXPIRED);
                return;
            }
            hdr.ipv6.hop_limit = hdr.ipv6.hop_limit - 1;
        } else {
            send_to_port(DROP_PORT_NOT_IP);
            return;
        }
        ecmp_member.apply();
    }
}

/*************************************************************************
 * Deparser
 *************************************************************************/
control MainDeparserImpl(packet_out pkt, in headers_t hdr, in local_metadata_t meta,
                         in pna_main_output_metadata_t ostd) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlan_outer);
        pkt.emit(hdr.vlan_inner);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.ipv4_options);
        pkt.emit(hdr.ipv6);
        pkt.emit(hdr.l4_ports);
        pkt.emit(hdr.udp_rest);
        pkt.emit(hdr.bth);
    }
}

PNA_NIC(MainParserImpl(), PreControlImpl(), MainControlImpl(), MainDeparserImpl()) main;
