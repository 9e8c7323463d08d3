/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loom_v1model.p4 -- Loom's leaf/spine pipeline for BMv2 (simple_switch,
 * v1model), for those who run the p4lang tutorials. The same parser and
 * tables as loom.p4 (PNA, the program loomd runs), plus ECN marking on
 * the queue depth at egress as the tutorials' ecn exercise does.
 *
 * Differences from loom.p4, all because of the architecture:
 *   - drops use mark_to_drop() and keep their reason in metadata
 *     (meta.drop_reason); loom.p4 sends to a per-reason drop port;
 *   - the IPv4 checksum is recomputed in MyComputeChecksum;
 *   - ECN: BMv2 has a queue between ingress and egress and tells egress its
 *     depth (standard_metadata.enq_qdepth); on Loom, ECN marking belongs to
 *     Loom's traffic manager, after the P4 pipeline.
 * BMv2 itself does not validate lengths, so runt frames are what they are
 * in any v1model program: parser errors, dropped by BMv2.
 */
#include <core.p4>
#include <v1model.p4>

typedef bit<9>   egress_spec_t;
typedef bit<48>  mac_addr_t;
typedef bit<32>  ipv4_addr_t;
typedef bit<128> ipv6_addr_t;

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_IPV6 = 0x86dd;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_QINQ = 0x88a8;
const bit<8>  PROTO_TCP = 6;
const bit<8>  PROTO_UDP = 17;
const bit<16> ROCEV2_UDP_PORT = 4791;

/* Mark ECN-capable packets CE when the egress queue holds more than this
 * many packets (the tutorials' ecn exercise uses 10). */
const bit<19> ECN_THRESHOLD = 10;

typedef bit<8> drop_reason_t;
const drop_reason_t DROP_NONE = 0;
const drop_reason_t DROP_NO_ROUTE = 1;
const drop_reason_t DROP_TTL_EXPIRED = 2;
const drop_reason_t DROP_NOT_IP = 3;

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
    bit<4>      version;
    bit<4>      ihl;
    bit<6>      dscp;
    bit<2>      ecn;
    bit<16>     total_len;
    bit<16>     identification;
    bit<3>      flags;
    bit<13>     frag_offset;
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
    bit<4>      version;
    bit<6>      dscp;
    bit<2>      ecn;
    bit<20>     flow_label;
    bit<16>     payload_len;
    bit<8>      next_hdr;
    bit<8>      hop_limit;
    ipv6_addr_t src_addr;
    ipv6_addr_t dst_addr;
}

header l4_ports_t {
    bit<16> src_port;
    bit<16> dst_port;
}

header udp_rest_t {
    bit<16> len;
    bit<16> checksum;
}

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

struct metadata_t {
    bit<16>       ether_type;
    bit<32>       group_id;
    drop_reason_t drop_reason;
    ipv4_addr_t   flow_v4_src;
    ipv4_addr_t   flow_v4_dst;
    ipv6_addr_t   flow_v6_src;
    ipv6_addr_t   flow_v6_dst;
    bit<32>       flow_dst_qp;
    bit<16>       flow_src_port;
    bit<16>       flow_dst_port;
    bit<8>        flow_proto;
    bit<32>       flow_seed;
}

parser MyParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t standard_metadata) {
    state start {
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
        pkt.extract(hdr.ipv4_options, ((bit<32>)hdr.ipv4.ihl - 5) * 32);
        meta.flow_v4_src = hdr.ipv4.src_addr;
        meta.flow_v4_dst = hdr.ipv4.dst_addr;
        meta.flow_proto = hdr.ipv4.protocol;
        transition select(hdr.ipv4.flags[0:0], hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
            (0, 0, PROTO_UDP): parse_udp;
            (0, 0, PROTO_TCP): parse_tcp;
            default: accept;    /* fragments: no ports in the hash */
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

control MyVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        verify_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4_options.options },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control MyIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t standard_metadata) {
    register<bit<32>>(1) hash_seed;
    register<bit<32>>(1) spray_mode;
    register<bit<32>>(1) spray_counter;
    /* A named instance (not an anonymous one in the table): P4Runtime
     * needs a name for the action profile. */
    action_selector(HashAlgorithm.crc32, 32w65536, 32w16) ecmp_sel;

    action drop_with(drop_reason_t reason) {
        meta.drop_reason = reason;
        mark_to_drop(standard_metadata);
    }
    action drop_no_route() {
        drop_with(DROP_NO_ROUTE);
    }
    action set_group(bit<32> group_id) {
        meta.group_id = group_id;
    }
    action set_nexthop(egress_spec_t port, mac_addr_t dst_mac, mac_addr_t src_mac) {
        hdr.ethernet.dst_addr = dst_mac;
        hdr.ethernet.src_addr = src_mac;
        standard_metadata.egress_spec = port;
    }

    table route_v4 {
        key = { hdr.ipv4.dst_addr: lpm; }
        actions = { set_group; drop_no_route; }
        default_action = drop_no_route();
        size = 65536;
    }
    table route_v6 {
        key = { hdr.ipv6.dst_addr: lpm; }
        actions = { set_group; drop_no_route; }
        default_action = drop_no_route();
        size = 65536;
    }
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
        actions = { set_nexthop; }
        /* no default_action: BMv2 has none for tables with an action
         * profile; a miss is handled in apply */
        implementation = ecmp_sel;
        size = 65536;
    }

    apply {
        bit<32> spray;
        meta.drop_reason = DROP_NONE;
        hash_seed.read(meta.flow_seed, 0);
        spray_mode.read(spray, 0);
        if (spray == 1) {
            bit<32> n;
            spray_counter.read(n, 0);
            n = n + 1;
            spray_counter.write(0, n);
            meta.flow_src_port = n[15:0];
        }
        if (hdr.ipv4.isValid()) {
            if (route_v4.apply().miss) {
                return;
            }
            if (hdr.ipv4.ttl <= 1) {
                drop_with(DROP_TTL_EXPIRED);
                return;
            }
            hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
        } else if (hdr.ipv6.isValid()) {
            if (route_v6.apply().miss) {
                return;
            }
            if (hdr.ipv6.hop_limit <= 1) {
                drop_with(DROP_TTL_EXPIRED);
                return;
            }
            hdr.ipv6.hop_limit = hdr.ipv6.hop_limit - 1;
        } else {
            drop_with(DROP_NOT_IP);
            return;
        }
        if (ecmp_member.apply().miss) {
            drop_no_route();
        }
    }
}

/* ECN as in the p4lang tutorials: an ECN-capable packet (ECT(0) or ECT(1))
 * that found the egress queue deeper than the threshold leaves marked CE. */
control MyEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t standard_metadata) {
    action mark_ecn_v4() { hdr.ipv4.ecn = 3; }
    action mark_ecn_v6() { hdr.ipv6.ecn = 3; }
    apply {
        if (standard_metadata.enq_qdepth >= ECN_THRESHOLD) {
            if (hdr.ipv4.isValid() && (hdr.ipv4.ecn == 1 || hdr.ipv4.ecn == 2)) {
                mark_ecn_v4();
            } else if (hdr.ipv6.isValid() && (hdr.ipv6.ecn == 1 || hdr.ipv6.ecn == 2)) {
                mark_ecn_v6();
            }
        }
    }
}

control MyComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4_options.options },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control MyDeparser(packet_out pkt, in headers_t hdr) {
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

V1Switch(MyParser(), MyVerifyChecksum(), MyIngress(), MyEgress(), MyComputeChecksum(), MyDeparser()) main;
