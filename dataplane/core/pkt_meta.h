/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the parser learned about one frame. Plain C, no DPDK: the parser
 * works on (data, len) so that it is unit-tested without EAL.
 */
#ifndef LOOM_PKT_META_H
#define LOOM_PKT_META_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/lb/flow_hash.h"

enum loom_l3_kind {
	LOOM_L3_NONE = 0,
	LOOM_L3_ARP,
	LOOM_L3_IPV4,
	LOOM_L3_IPV6,
	LOOM_L3_PFC,  /* 802.1Qbb PFC frame (MAC control 0x8808, opcode 0x0101);
		       * l3_off = the opcode */
};

enum loom_l2_dst {
	LOOM_L2_UNICAST = 0, /* compare with the port MAC */
	LOOM_L2_BROADCAST,
	LOOM_L2_MULTICAST,
};

struct loom_pkt_meta {
	uint8_t l3_kind;    /* enum loom_l3_kind */
	uint8_t l2_dst;     /* enum loom_l2_dst */
	uint16_t vlan_tci;  /* host order; 0 when untagged */
	bool vlan_tagged;
	uint16_t ethertype; /* inner ethertype, host order */
	uint16_t l3_off;    /* offset of the ARP/IPv4/IPv6 header */
	uint16_t l4_off;    /* offset of the upper-layer header (after IPv6 ext headers), 0 if none */
	uint8_t l4_proto;   /* IPPROTO_* of the upper layer */
	bool is_fragment;   /* IPv4 MF/offset or IPv6 fragment header: no ports in the key */
	bool is_roce;       /* UDP dport 4791 with a full BTH */
	uint8_t ttl;        /* IPv4 TTL / IPv6 hop limit as received */
	uint8_t icmp_type;  /* ICMP / ICMPv6 type when l4_proto is ICMP(v6), else 0 */
	uint16_t l3_len;    /* IPv4 total length / 40 + IPv6 payload length */
	struct loom_flow_key key; /* addresses, ports, proto, dst QP */
};

/*
 * Parse Ethernet / 802.1Q (one or two tags) / ARP / IPv4 (with options) /
 * IPv6 (walking hop-by-hop, routing, fragment, destination-options
 * extension headers) / UDP / TCP / ICMP / ICMPv6 and the RoCEv2 BTH on
 * UDP 4791. Fills `m`; returns LOOM_DROP_NONE when the frame may be
 * processed further, otherwise the drop reason. Does not look at MAC
 * addresses beyond classifying the destination, and does not decide
 * whether the packet is for the switch (later stages do).
 */
#include "drop_reason.h"
enum loom_drop_reason loom_pkt_parse(const uint8_t *data, uint32_t len, struct loom_pkt_meta *m);
/* The general parser alone, without the fast path for untagged IPv4
 * UDP/TCP that loom_pkt_parse() tries first (the tests compare the two). */
enum loom_drop_reason loom_pkt_parse_full(const uint8_t *data, uint32_t len, struct loom_pkt_meta *m);

#endif
