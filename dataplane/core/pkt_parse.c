/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser: plain C over (data, len), no DPDK, no alignment assumed
 * (all fields are read with byte loads).
 *
 * Reads:  Ethernet, up to two VLAN tags (0x8100, or 0x88a8 then 0x8100),
 *         ARP (Ethernet/IPv4 only), IPv4 (options skipped, checksum
 *         verified), IPv6 (hop-by-hop, routing, fragment, destination
 *         options and AH extension headers, at most 8), UDP, TCP, ICMP,
 *         ICMPv6 and the RoCEv2 BTH on UDP dport 4791.
 * Sets:   every field of struct loom_pkt_meta (zeroed first):
 *         - l2_dst from the destination MAC;
 *         - vlan_tagged if any tag is present, vlan_tci = TCI of the
 *           INNERMOST tag (the customer VLAN for QinQ);
 *         - ethertype = the inner ethertype (after the tags);
 *         - l3_kind, l3_off, l3_len (IPv4 total length, 40 + IPv6 payload
 *           length, 28 for ARP), ttl (TTL / hop limit);
 *         - l4_proto (IP protocol / IPv6 upper-layer header), l4_off
 *           (offset of the upper-layer header; 0 for fragments, whose L4
 *           header is never parsed), icmp_type, is_fragment, is_roce;
 *         - key: family, proto, addresses (network order; IPv4 in the first
 *           4 bytes), ports and dst_qp (host order; 0 when absent).
 * Limits: everything L4 must lie inside the L3 length, not just inside the
 *         frame; bytes after the IPv4/IPv6 datagram (Ethernet padding)
 *         are ignored. IPv6 jumbograms (payload length 0 + jumbo option)
 *         are not supported and come out as IPV6_MALFORMED.
 */
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

#include "pkt_meta.h"
#include "pkt_parse_ipv4.h"

#define LOOM_ETH_HLEN 14u
#define LOOM_VLAN_HLEN 4u
#define LOOM_MAX_VLAN_TAGS 2
#define LOOM_ARP_LEN 28u
#define LOOM_IPV4_MIN_HLEN 20u
#define LOOM_IPV6_HLEN 40u
#define LOOM_IPV6_MAX_EXT 8
#define LOOM_IPV6_FRAG_HLEN 8u
#define LOOM_UDP_HLEN 8u
#define LOOM_TCP_MIN_HLEN 20u
#define LOOM_ICMP_MIN_LEN 8u
#define LOOM_ICMPV6_MIN_LEN 4u
#define LOOM_ROCEV2_PORT 4791u
#define LOOM_BTH_LEN 12u

typedef enum loom_drop_reason drop_t;

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/* Destination MAC class. Sets l2_dst; returns the outer ethertype. */
static drop_t parse_eth(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m,
			uint32_t *off, uint16_t *etype)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (len < LOOM_ETH_HLEN)
		return LOOM_DROP_ETH_TRUNCATED;
	if (memcmp(d, bcast, sizeof(bcast)) == 0)
		m->l2_dst = LOOM_L2_BROADCAST;
	else if (d[0] & 0x01)
		m->l2_dst = LOOM_L2_MULTICAST;
	else
		m->l2_dst = LOOM_L2_UNICAST;
	*etype = rd16(d + 12);
	*off = LOOM_ETH_HLEN;
	return LOOM_DROP_NONE;
}

/* Up to two tags: 0x8100, 0x8100+0x8100, 0x88a8+0x8100 or 0x88a8 alone.
 * Records the innermost TCI. A third tag is left as the ethertype and so
 * comes out as UNKNOWN_ETHERTYPE. */
static drop_t parse_vlan(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m,
			 uint32_t *off, uint16_t *etype)
{
	for (int n = 0; n < LOOM_MAX_VLAN_TAGS; n++) {
		if (*etype != ETH_P_8021Q && !(n == 0 && *etype == ETH_P_8021AD))
			break;
		if (len - *off < LOOM_VLAN_HLEN)
			return LOOM_DROP_ETH_TRUNCATED;
		m->vlan_tagged = true;
		m->vlan_tci = rd16(d + *off);
		*etype = rd16(d + *off + 2);
		*off += LOOM_VLAN_HLEN;
	}
	return LOOM_DROP_NONE;
}

/* Ethernet/IPv4 ARP only. */
static drop_t parse_arp(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m, uint32_t off)
{
	const uint8_t *a = d + off;

	if (len - off < LOOM_ARP_LEN)
		return LOOM_DROP_ARP_MALFORMED;
	if (rd16(a) != 1 || rd16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4)
		return LOOM_DROP_ARP_MALFORMED;
	m->l3_kind = LOOM_L3_ARP;
	m->l3_len = LOOM_ARP_LEN;
	return LOOM_DROP_NONE;
}

/* RoCEv2 Base Transport Header right after the UDP header. */
static drop_t parse_bth(const uint8_t *d, struct loom_pkt_meta *m, uint32_t off, uint32_t end)
{
	const uint8_t *b = d + off;

	if (end - off < LOOM_BTH_LEN)
		return LOOM_DROP_L4_MALFORMED;
	m->is_roce = true;
	m->key.dst_qp = (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	return LOOM_DROP_NONE;
}

/* Upper-layer header at off; end = end of the L3 datagram (off <= end). */
static drop_t parse_l4(const uint8_t *d, struct loom_pkt_meta *m, uint32_t off, uint32_t end)
{
	const uint8_t *l4 = d + off;
	uint32_t avail = end - off;

	m->l4_off = (uint16_t)off;
	switch (m->l4_proto) {
	case IPPROTO_UDP:
		if (avail < LOOM_UDP_HLEN)
			return LOOM_DROP_L4_MALFORMED;
		m->key.sport = rd16(l4);
		m->key.dport = rd16(l4 + 2);
		if (m->key.dport == LOOM_ROCEV2_PORT)
			return parse_bth(d, m, off + LOOM_UDP_HLEN, end);
		return LOOM_DROP_NONE;
	case IPPROTO_TCP: {
		if (avail < LOOM_TCP_MIN_HLEN)
			return LOOM_DROP_L4_MALFORMED;
		uint32_t doff = l4[12] >> 4;
		if (doff < 5 || doff * 4 > avail)
			return LOOM_DROP_L4_MALFORMED;
		m->key.sport = rd16(l4);
		m->key.dport = rd16(l4 + 2);
		return LOOM_DROP_NONE;
	}
	case IPPROTO_ICMP:
		if (m->l3_kind != LOOM_L3_IPV4)
			return LOOM_DROP_NONE; /* ICMPv4 over IPv6: just a protocol */
		if (avail < LOOM_ICMP_MIN_LEN)
			return LOOM_DROP_L4_MALFORMED;
		m->icmp_type = l4[0];
		return LOOM_DROP_NONE;
	case IPPROTO_ICMPV6:
		if (m->l3_kind != LOOM_L3_IPV6)
			return LOOM_DROP_NONE;
		if (avail < LOOM_ICMPV6_MIN_LEN)
			return LOOM_DROP_L4_MALFORMED;
		m->icmp_type = l4[0];
		return LOOM_DROP_NONE;
	default:
		return LOOM_DROP_NONE; /* accepted, no ports */
	}
}

/* One's-complement sum over the header, 32 bits at a time (hlen is a
 * multiple of 4): the sum of big-endian 16-bit words folds the same way
 * whatever order the 32-bit loads come in, so no byte swapping is needed. */
static bool ipv4_csum_ok(const uint8_t *h, uint32_t hlen)
{
	uint64_t sum = 0;
	uint32_t w;

	for (uint32_t i = 0; i < hlen; i += 4) {
		memcpy(&w, h + i, 4);
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static drop_t parse_ipv4(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m, uint32_t off)
{
	const uint8_t *ip = d + off;
	uint32_t avail = len - off;

	if (avail < LOOM_IPV4_MIN_HLEN || (ip[0] >> 4) != 4)
		return LOOM_DROP_IPV4_MALFORMED;
	uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	uint32_t tot = rd16(ip + 2);
	if (hlen < LOOM_IPV4_MIN_HLEN || hlen > avail || tot < hlen || tot > avail)
		return LOOM_DROP_IPV4_MALFORMED;
	if (!ipv4_csum_ok(ip, hlen))
		return LOOM_DROP_IPV4_BAD_CHECKSUM;

	m->l3_kind = LOOM_L3_IPV4;
	m->l3_len = (uint16_t)tot;
	m->ttl = ip[8];
	m->l4_proto = ip[9];
	m->key.family = LOOM_FLOW_IPV4;
	m->key.proto = ip[9];
	memcpy(m->key.src, ip + 12, 4);
	memcpy(m->key.dst, ip + 16, 4);

	uint16_t frag = rd16(ip + 6);
	if (frag & 0x3fff) { /* MF or fragment offset */
		m->is_fragment = true;
		return LOOM_DROP_NONE;
	}
	return parse_l4(d, m, off + hlen, off + tot);
}

/* Walks the extension headers from *off with next header *nh, stopping at
 * the upper-layer header (or at a real fragment, setting is_fragment).
 * end = end of the IPv6 payload; every header must fit before it. */
static drop_t parse_ipv6_ext(const uint8_t *d, struct loom_pkt_meta *m, uint8_t *nh,
			     uint32_t *off, uint32_t end)
{
	for (int n = 0;; n++) {
		const uint8_t *h = d + *off;
		uint32_t avail = end - *off;
		uint32_t hlen;

		switch (*nh) {
		case IPPROTO_HOPOPTS:
			if (n != 0)
				return LOOM_DROP_IPV6_MALFORMED;
			/* fallthrough */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (avail < 2)
				return LOOM_DROP_IPV6_MALFORMED;
			hlen = ((uint32_t)h[1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			hlen = LOOM_IPV6_FRAG_HLEN;
			break;
		case IPPROTO_AH:
			if (avail < 2)
				return LOOM_DROP_IPV6_MALFORMED;
			hlen = ((uint32_t)h[1] + 2) * 4;
			break;
		default:
			return LOOM_DROP_NONE; /* upper layer */
		}
		if (n == LOOM_IPV6_MAX_EXT || hlen > avail)
			return LOOM_DROP_IPV6_MALFORMED;
		/* Fragment offset (13 bits) or M flag set: a real fragment, the
		 * rest is not parsed. An atomic fragment (both 0) is a whole
		 * packet and the walk goes on. */
		bool frag = *nh == IPPROTO_FRAGMENT && (rd16(h + 2) & 0xfff9) != 0;
		*nh = h[0];
		*off += hlen;
		if (frag) {
			m->is_fragment = true;
			return LOOM_DROP_NONE;
		}
	}
}

static drop_t parse_ipv6(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m, uint32_t off)
{
	const uint8_t *ip = d + off;
	uint32_t avail = len - off;

	if (avail < LOOM_IPV6_HLEN || (ip[0] >> 4) != 6)
		return LOOM_DROP_IPV6_MALFORMED;
	uint32_t plen = rd16(ip + 4);
	/* Both tests keep l3_len within uint16_t (len may exceed 65535). */
	if (plen > avail - LOOM_IPV6_HLEN || LOOM_IPV6_HLEN + plen > UINT16_MAX)
		return LOOM_DROP_IPV6_MALFORMED;

	m->l3_kind = LOOM_L3_IPV6;
	m->l3_len = (uint16_t)(LOOM_IPV6_HLEN + plen);
	m->ttl = ip[7];
	m->key.family = LOOM_FLOW_IPV6;
	m->key.flow_label = (uint32_t)(ip[1] & 0x0f) << 16 | (uint32_t)ip[2] << 8 | ip[3];
	memcpy(m->key.src, ip + 8, 16);
	memcpy(m->key.dst, ip + 24, 16);

	uint8_t nh = ip[6];
	uint32_t l4 = off + LOOM_IPV6_HLEN;
	uint32_t end = l4 + plen;
	drop_t r = parse_ipv6_ext(d, m, &nh, &l4, end);
	if (r != LOOM_DROP_NONE)
		return r;
	m->l4_proto = nh;
	m->key.proto = nh;
	if (m->is_fragment)
		return LOOM_DROP_NONE;
	return parse_l4(d, m, l4, end);
}

/* MAC control (0x8808): only PFC is served; its opcode, class-enable
 * vector and 8 pause times must be there. 802.3x PAUSE and other opcodes
 * are dropped as mac_control. */
#define LOOM_MAC_CONTROL_PFC 0x0101u
#define LOOM_PFC_BODY_LEN 20u
static drop_t parse_mac_control(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m, uint32_t off)
{
	if (len - off < LOOM_PFC_BODY_LEN || rd16(d + off) != LOOM_MAC_CONTROL_PFC)
		return LOOM_DROP_MAC_CONTROL;
	m->l3_kind = LOOM_L3_PFC;
	return LOOM_DROP_NONE;
}

drop_t loom_pkt_parse_full(const uint8_t *data, uint32_t len, struct loom_pkt_meta *m)
{
	uint32_t off;
	uint16_t etype;
	drop_t r;

	memset(m, 0, sizeof(*m));
	r = parse_eth(data, len, m, &off, &etype);
	if (r != LOOM_DROP_NONE)
		return r;
	r = parse_vlan(data, len, m, &off, &etype);
	if (r != LOOM_DROP_NONE)
		return r;
	m->ethertype = etype;
	m->l3_off = (uint16_t)off;

	switch (etype) {
	case ETH_P_ARP:
		return parse_arp(data, len, m, off);
	case ETH_P_IP:
		return parse_ipv4(data, len, m, off);
	case ETH_P_IPV6:
		return parse_ipv6(data, len, m, off);
	case ETH_P_PAUSE:
		return parse_mac_control(data, len, m, off);
	default:
		return LOOM_DROP_UNKNOWN_ETHERTYPE;
	}
}

/*
 * Fast path for what a fabric carries almost only: an untagged unicast
 * IPv4 frame without options, not a fragment, carrying UDP (not RoCEv2)
 * or TCP. It checks exactly what the full parser checks on that path
 * (lengths, checksum, TCP data offset) and sets the same fields; any other
 * frame, or one that fails a check, goes to loom_pkt_parse_full(), which
 * starts over and gives the drop reason. tests/unit/test_pkt_parse.c
 * checks that both parsers agree, field by field, on every frame it has.
 */
static inline bool parse_fast_ipv4(const uint8_t *d, uint32_t len, struct loom_pkt_meta *m)
{
	struct loom_ipv4_plain f;

	if (!loom_parse_ipv4_plain(d, len, &f))
		return false;
	memset(m, 0, sizeof(*m));
	m->l3_kind = LOOM_L3_IPV4;
	m->l2_dst = LOOM_L2_UNICAST;
	m->ethertype = ETH_P_IP;
	m->l3_off = LOOM_ETH_HLEN;
	m->l4_off = LOOM_ETH_HLEN + LOOM_IPV4_MIN_HLEN;
	m->l4_proto = f.proto;
	m->ttl = f.ttl;
	m->l3_len = f.tot_len;
	m->key.family = LOOM_FLOW_IPV4;
	m->key.proto = f.proto;
	m->key.sport = (uint16_t)(f.ports >> 16);
	m->key.dport = (uint16_t)f.ports;
	memcpy(m->key.src, &f.src, 4);
	memcpy(m->key.dst, &f.dst, 4);
	return true;
}

drop_t loom_pkt_parse(const uint8_t *data, uint32_t len, struct loom_pkt_meta *m)
{
	if (parse_fast_ipv4(data, len, m))
		return LOOM_DROP_NONE;
	return loom_pkt_parse_full(data, len, m);
}
