/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of loom_pkt_parse(): frames are built here with small
 * builders (IPv4 checksums computed by the test) and always parsed from an
 * exact-size heap copy, so that a sanitizer build catches any over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pkt_meta.h"

/* ---- frame builder ------------------------------------------------------ */

struct fb {
	uint8_t b[1024];
	uint32_t n;
};

static const uint8_t MAC_UC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t MAC_SRC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t MAC_BC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_V4MC[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t MAC_V6MC[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };

static const uint8_t V4_SRC[4] = { 10, 0, 1, 2 };
static const uint8_t V4_DST[4] = { 10, 0, 3, 4 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x11 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x22 };

static void put(struct fb *f, const void *p, uint32_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct fb *f, uint8_t v) { put(f, &v, 1); }

static void put16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(f, b, 2);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void zeros(struct fb *f, uint32_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memset(f->b + f->n, 0, n);
	f->n += n;
}

static void wr16(struct fb *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void eth(struct fb *f, const uint8_t dst[6], uint16_t etype)
{
	f->n = 0;
	put(f, dst, 6);
	put(f, MAC_SRC, 6);
	put16(f, etype);
}

/* The tag after a TPID: TCI, then the next ethertype. */
static void vlan(struct fb *f, uint16_t tci, uint16_t etype)
{
	put16(f, tci);
	put16(f, etype);
}

static uint16_t csum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void ipv4_fix_csum(struct fb *f, uint32_t off)
{
	uint32_t hlen = (f->b[off] & 0x0f) * 4u;
	wr16(f, off + 10, 0);
	wr16(f, off + 10, csum(f->b + off, hlen));
}

/* IPv4 header of ihl words (options filled with NOP), total length
 * hlen + payload. Returns its offset. */
static uint32_t ipv4(struct fb *f, uint8_t proto, uint32_t payload, uint8_t ihl,
		     uint16_t frag, uint8_t ttl)
{
	uint32_t off = f->n;
	put8(f, (uint8_t)(0x40 | ihl));
	put8(f, 0);
	put16(f, (uint16_t)(ihl * 4u + payload));
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, ttl);
	put8(f, proto);
	put16(f, 0);
	put(f, V4_SRC, 4);
	put(f, V4_DST, 4);
	for (uint32_t i = 20; i < ihl * 4u; i++)
		put8(f, 1); /* NOP option */
	ipv4_fix_csum(f, off);
	return off;
}

static uint32_t ipv6(struct fb *f, uint8_t nh, uint16_t plen, uint8_t hop)
{
	uint32_t off = f->n;
	put32(f, 0x60012345); /* version 6, flow label */
	put16(f, plen);
	put8(f, nh);
	put8(f, hop);
	put(f, V6_SRC, 16);
	put(f, V6_DST, 16);
	return off;
}

/* Hop-by-hop / destination options / routing: (len + 1) * 8 bytes. */
static void ext6(struct fb *f, uint8_t nh, uint8_t len)
{
	put8(f, nh);
	put8(f, len);
	zeros(f, (len + 1u) * 8 - 2); /* Pad1 options / zero routing data */
}

static void frag6(struct fb *f, uint8_t nh, uint16_t offset8, int more)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	put32(f, 0xabcdef01);
}

static void ah6(struct fb *f, uint8_t nh, uint8_t len)
{
	put8(f, nh);
	put8(f, len);
	zeros(f, (len + 2u) * 4 - 2);
}

static void udp(struct fb *f, uint16_t sport, uint16_t dport, uint16_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, (uint16_t)(8 + payload));
	put16(f, 0);
	for (uint16_t i = 0; i < payload; i++)
		put8(f, (uint8_t)(0xa0 + i));
}

static void tcp(struct fb *f, uint16_t sport, uint16_t dport, uint8_t doff)
{
	uint32_t start = f->n;
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 0);
	put8(f, (uint8_t)(doff << 4));
	put8(f, 0x02); /* SYN */
	put16(f, 65535);
	put32(f, 0);
	while (f->n - start < doff * 4u)
		put8(f, 1); /* NOP options */
}

static void bth(struct fb *f, uint32_t qp)
{
	put8(f, 0x04); /* RC SEND only */
	put8(f, 0x40);
	put16(f, 0xffff);
	put8(f, 0);
	put8(f, (uint8_t)(qp >> 16));
	put8(f, (uint8_t)(qp >> 8));
	put8(f, (uint8_t)qp);
	put32(f, 0x80000001);
}

/* Parse the first len bytes of f from an exact-size heap copy. */
static enum loom_drop_reason parse_n(const struct fb *f, uint32_t len, struct loom_pkt_meta *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, f->b, len);
	memset(m, 0xa5, sizeof(*m)); /* the parser must zero it */
	enum loom_drop_reason r = loom_pkt_parse(copy, len, m);
	/* The fast path (untagged IPv4 UDP/TCP) and the full parser must
	 * agree on every frame: same verdict, same metadata byte for byte. */
	struct loom_pkt_meta full;
	memset(&full, 0x5a, sizeof(full));
	assert_int_equal(loom_pkt_parse_full(copy, len, &full), r);
	if (r == LOOM_DROP_NONE)
		assert_memory_equal(&full, m, sizeof(full));
	free(copy);
	return r;
}

static enum loom_drop_reason parse(const struct fb *f, struct loom_pkt_meta *m)
{
	return parse_n(f, f->n, m);
}

static void assert_key_v4(const struct loom_pkt_meta *m)
{
	static const uint8_t z[12];
	assert_int_equal(m->key.family, LOOM_FLOW_IPV4);
	assert_memory_equal(m->key.src, V4_SRC, 4);
	assert_memory_equal(m->key.dst, V4_DST, 4);
	assert_memory_equal(m->key.src + 4, z, 12);
	assert_memory_equal(m->key.dst + 4, z, 12);
}

static void assert_key_v6(const struct loom_pkt_meta *m)
{
	assert_int_equal(m->key.family, LOOM_FLOW_IPV6);
	assert_memory_equal(m->key.src, V6_SRC, 16);
	assert_memory_equal(m->key.dst, V6_DST, 16);
}

/* Common frames. */
static uint32_t build_v4_udp(struct fb *f, uint16_t dport, uint16_t payload)
{
	eth(f, MAC_UC, 0x0800);
	uint32_t l3 = ipv4(f, 17, 8u + payload, 5, 0, 64);
	udp(f, 5000, dport, payload);
	return l3;
}

static void build_v6_udp(struct fb *f, uint16_t payload)
{
	eth(f, MAC_UC, 0x86dd);
	ipv6(f, 17, (uint16_t)(8 + payload), 32);
	udp(f, 6000, 7000, payload);
}

/* ---- valid frames -------------------------------------------------------- */

static void test_ipv4_udp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v4_udp(&f, 53, 4);
	assert_int_equal(f.n, 46);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_kind, LOOM_L3_IPV4);
	assert_int_equal(m.l2_dst, LOOM_L2_UNICAST);
	assert_false(m.vlan_tagged);
	assert_int_equal(m.vlan_tci, 0);
	assert_int_equal(m.ethertype, 0x0800);
	assert_int_equal(m.l3_off, 14);
	assert_int_equal(m.l4_off, 34);
	assert_int_equal(m.l4_proto, 17);
	assert_false(m.is_fragment);
	assert_false(m.is_roce);
	assert_int_equal(m.ttl, 64);
	assert_int_equal(m.icmp_type, 0);
	assert_int_equal(m.l3_len, 32);
	assert_key_v4(&m);
	assert_int_equal(m.key.proto, 17);
	assert_int_equal(m.key.sport, 5000);
	assert_int_equal(m.key.dport, 53);
	assert_int_equal(m.key.dst_qp, 0);
}

static void test_ipv4_tcp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 6, 32, 5, 0x4000 /* DF: not a fragment */, 17);
	tcp(&f, 40000, 443, 8);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_kind, LOOM_L3_IPV4);
	assert_int_equal(m.l4_off, 34);
	assert_int_equal(m.l4_proto, 6);
	assert_false(m.is_fragment);
	assert_int_equal(m.ttl, 17);
	assert_int_equal(m.l3_len, 52);
	assert_key_v4(&m);
	assert_int_equal(m.key.proto, 6);
	assert_int_equal(m.key.sport, 40000);
	assert_int_equal(m.key.dport, 443);
}

static void test_ipv4_options(void **state)
{
	(void)state;
	for (uint8_t ihl = 6; ihl <= 15; ihl++) {
		struct fb f;
		struct loom_pkt_meta m;

		eth(&f, MAC_UC, 0x0800);
		ipv4(&f, 17, 8, ihl, 0, 9);
		udp(&f, 1111, 2222, 0);
		assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
		assert_int_equal(m.l3_off, 14);
		assert_int_equal(m.l4_off, 14 + ihl * 4);
		assert_int_equal(m.l3_len, ihl * 4 + 8);
		assert_int_equal(m.ttl, 9);
		assert_key_v4(&m);
		assert_int_equal(m.key.sport, 1111);
		assert_int_equal(m.key.dport, 2222);
	}
}

static void test_single_vlan(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x8100);
	vlan(&f, 0x2064 /* PCP 1, VID 100 */, 0x0800);
	ipv4(&f, 17, 8, 5, 0, 64);
	udp(&f, 1, 2, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.vlan_tagged);
	assert_int_equal(m.vlan_tci, 0x2064);
	assert_int_equal(m.ethertype, 0x0800);
	assert_int_equal(m.l3_off, 18);
	assert_int_equal(m.l4_off, 38);
	assert_int_equal(m.key.sport, 1);
	assert_int_equal(m.key.dport, 2);
}

static void test_qinq(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x88a8);
	vlan(&f, 0x00c8 /* S-VID 200 */, 0x8100);
	vlan(&f, 0x0064 /* C-VID 100 */, 0x86dd);
	ipv6(&f, 17, 8, 64);
	udp(&f, 3, 4, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.vlan_tagged);
	assert_int_equal(m.vlan_tci, 0x0064); /* innermost */
	assert_int_equal(m.ethertype, 0x86dd);
	assert_int_equal(m.l3_off, 22);
	assert_int_equal(m.l4_off, 62);
	assert_int_equal(m.key.sport, 3);

	/* 802.1Q in 802.1Q (old-style double tagging) is also two tags. */
	eth(&f, MAC_UC, 0x8100);
	vlan(&f, 0x0005, 0x8100);
	vlan(&f, 0x0006, 0x0800);
	ipv4(&f, 17, 8, 5, 0, 64);
	udp(&f, 3, 4, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.vlan_tci, 0x0006);
	assert_int_equal(m.l3_off, 22);
}

static void test_ipv6_udp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v6_udp(&f, 10);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_kind, LOOM_L3_IPV6);
	assert_int_equal(m.ethertype, 0x86dd);
	assert_int_equal(m.l3_off, 14);
	assert_int_equal(m.l4_off, 54);
	assert_int_equal(m.l4_proto, 17);
	assert_int_equal(m.ttl, 32);
	assert_int_equal(m.l3_len, 58);
	assert_false(m.is_fragment);
	assert_key_v6(&m);
	assert_int_equal(m.key.proto, 17);
	assert_int_equal(m.key.sport, 6000);
	assert_int_equal(m.key.dport, 7000);
	assert_int_equal(m.key.dst_qp, 0);
}

static void test_ipv6_ext_chain_tcp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 0, 8 + 16 + 24 + 20, 255);
	ext6(&f, 60, 0); /* hop-by-hop, 8 bytes */
	ext6(&f, 43, 1); /* destination options, 16 bytes */
	ext6(&f, 6, 2);  /* routing, 24 bytes */
	tcp(&f, 179, 50000, 5);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_off, 14 + 40 + 8 + 16 + 24);
	assert_int_equal(m.l4_proto, 6);
	assert_int_equal(m.key.proto, 6);
	assert_int_equal(m.key.sport, 179);
	assert_int_equal(m.key.dport, 50000);
	assert_int_equal(m.ttl, 255);
	assert_int_equal(m.l3_len, 40 + 68);
	assert_false(m.is_fragment);
	assert_key_v6(&m);
}

static void test_ipv6_ah_then_udp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 51, 24 + 8, 64);
	ah6(&f, 17, 4); /* (4 + 2) * 4 = 24 bytes */
	udp(&f, 10, 20, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_off, 14 + 40 + 24);
	assert_int_equal(m.l4_proto, 17);
	assert_int_equal(m.key.sport, 10);
	assert_int_equal(m.key.dport, 20);
}

static void test_ipv6_fragments(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	/* First fragment: offset 0, M set. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 44, 8 + 8 + 16, 64);
	frag6(&f, 17, 0, 1);
	udp(&f, 6000, 7000, 16);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.is_fragment);
	assert_int_equal(m.l4_proto, 17);
	assert_int_equal(m.l4_off, 0);
	assert_int_equal(m.key.proto, 17);
	assert_int_equal(m.key.sport, 0);
	assert_int_equal(m.key.dport, 0);
	assert_int_equal(m.l3_len, 40 + 32);
	assert_key_v6(&m);

	/* Non-first, last fragment: offset 185, M clear; data, no header. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 44, 8 + 3, 64);
	frag6(&f, 17, 185, 0);
	put8(&f, 1); put8(&f, 2); put8(&f, 3); /* less than a UDP header */
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.is_fragment);
	assert_int_equal(m.key.proto, 17);
	assert_int_equal(m.key.sport, 0);
	assert_int_equal(m.key.dport, 0);

	/* Fragment header after hop-by-hop. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 0, 8 + 8 + 8, 64);
	ext6(&f, 44, 0);
	frag6(&f, 6, 1, 1);
	zeros(&f, 8);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.is_fragment);
	assert_int_equal(m.key.proto, 6);

	/* Atomic fragment (offset 0, M clear): a whole packet, ports parsed. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 44, 8 + 8, 64);
	frag6(&f, 17, 0, 0);
	udp(&f, 6000, 7000, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_false(m.is_fragment);
	assert_int_equal(m.l4_off, 14 + 40 + 8);
	assert_int_equal(m.key.sport, 6000);
	assert_int_equal(m.key.dport, 7000);
}

static void test_ipv4_fragments(void **state)
{
	(void)state;
	static const uint16_t frags[] = { 0x2000 /* MF */, 0x0001 /* offset 8 */,
					  0x2010 /* MF + offset */, 0x6000 /* DF+MF */ };
	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct fb f;
		struct loom_pkt_meta m;

		eth(&f, MAC_UC, 0x0800);
		ipv4(&f, 17, 3, 5, frags[i], 64);
		put8(&f, 1); put8(&f, 2); put8(&f, 3); /* not even a UDP header */
		assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
		assert_true(m.is_fragment);
		assert_int_equal(m.l4_proto, 17);
		assert_int_equal(m.l4_off, 0);
		assert_int_equal(m.key.proto, 17);
		assert_int_equal(m.key.sport, 0);
		assert_int_equal(m.key.dport, 0);
		assert_int_equal(m.l3_len, 23);
		assert_key_v4(&m);
	}
}

static void test_icmp_echo(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 1, 8 + 4, 5, 0, 1);
	put8(&f, 8); put8(&f, 0); put16(&f, 0); put32(&f, 0x00010001); put32(&f, 0xdeadbeef);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_proto, 1);
	assert_int_equal(m.l4_off, 34);
	assert_int_equal(m.icmp_type, 8);
	assert_int_equal(m.ttl, 1);
	assert_int_equal(m.key.sport, 0);
	assert_int_equal(m.key.dport, 0);
}

static void test_icmpv6_ns(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_V6MC, 0x86dd);
	ipv6(&f, 58, 24, 255);
	put8(&f, 135); put8(&f, 0); put16(&f, 0); put32(&f, 0);
	put(&f, V6_DST, 16);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l2_dst, LOOM_L2_MULTICAST);
	assert_int_equal(m.l4_proto, 58);
	assert_int_equal(m.l4_off, 54);
	assert_int_equal(m.icmp_type, 135);
	assert_int_equal(m.ttl, 255);
	assert_int_equal(m.key.proto, 58);
}

static void build_arp(struct fb *f, uint16_t htype, uint16_t ptype, uint8_t hlen, uint8_t plen)
{
	eth(f, MAC_BC, 0x0806);
	put16(f, htype);
	put16(f, ptype);
	put8(f, hlen);
	put8(f, plen);
	put16(f, 1); /* request */
	put(f, MAC_SRC, 6);
	put(f, V4_SRC, 4);
	zeros(f, 6);
	put(f, V4_DST, 4);
}

static void test_arp_request(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_arp(&f, 1, 0x0800, 6, 4);
	assert_int_equal(f.n, 42);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_kind, LOOM_L3_ARP);
	assert_int_equal(m.l2_dst, LOOM_L2_BROADCAST);
	assert_int_equal(m.ethertype, 0x0806);
	assert_int_equal(m.l3_off, 14);
	assert_int_equal(m.l3_len, 28);
	assert_int_equal(m.l4_off, 0);
	assert_int_equal(m.key.family, 0);

	/* Padded to the Ethernet minimum. */
	zeros(&f, 18);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_kind, LOOM_L3_ARP);
}

static void test_rocev2(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 17, 8 + 12 + 16, 5, 0x4000, 64);
	udp(&f, 49152, 4791, 0);
	bth(&f, 0x123456);
	zeros(&f, 16); /* payload + ICRC */
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.is_roce);
	assert_int_equal(m.key.dst_qp, 0x123456);
	assert_int_equal(m.key.sport, 49152);
	assert_int_equal(m.key.dport, 4791);
	assert_int_equal(m.l4_off, 34);

	/* Exactly a BTH, nothing after it; IPv6. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 17, 8 + 12, 64);
	udp(&f, 1, 4791, 0);
	bth(&f, 0xfedcba);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_true(m.is_roce);
	assert_int_equal(m.key.dst_qp, 0xfedcba);

	/* Source port 4791 is not RoCE. */
	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 17, 8, 5, 0, 64);
	udp(&f, 4791, 1234, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_false(m.is_roce);
	assert_int_equal(m.key.dst_qp, 0);
}

static void test_ethernet_padding(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v4_udp(&f, 9, 0); /* 42 bytes */
	while (f.n < 60)
		put8(&f, 0xee);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_len, 28);
	assert_int_equal(m.key.dport, 9);

	/* IPv6 with 2 bytes of payload (other protocol), padded. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 47 /* GRE */, 2, 64);
	put16(&f, 0);
	while (f.n < 80)
		put8(&f, 0xee);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l3_len, 42);
	assert_int_equal(m.l4_proto, 47);
	assert_int_equal(m.l4_off, 54);
	assert_int_equal(m.key.sport, 0);
}

static void test_other_protocol(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 47, 0, 5, 0, 64); /* GRE, empty */
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_proto, 47);
	assert_int_equal(m.l4_off, 34);
	assert_int_equal(m.key.sport, 0);
	assert_int_equal(m.key.dport, 0);

	/* ICMPv6 number inside IPv4 is just a protocol number. */
	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 58, 0, 5, 0, 64);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.icmp_type, 0);

	/* IPv6 "no next header". */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 59, 0, 64);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_proto, 59);
}

static void test_l2_dst_classes(void **state)
{
	(void)state;
	static const struct {
		uint8_t mac[6];
		uint8_t cls;
	} cases[] = {
		{ { 0x02, 0, 0, 0, 0, 1 }, LOOM_L2_UNICAST },
		{ { 0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c }, LOOM_L2_UNICAST },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, LOOM_L2_BROADCAST },
		{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, LOOM_L2_MULTICAST },
		{ { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, LOOM_L2_MULTICAST },
		{ { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e }, LOOM_L2_MULTICAST },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe }, LOOM_L2_MULTICAST },
		{ { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }, LOOM_L2_UNICAST },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fb f;
		struct loom_pkt_meta m;

		eth(&f, cases[i].mac, 0x0800);
		ipv4(&f, 17, 8, 5, 0, 64);
		udp(&f, 1, 2, 0);
		assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
		assert_int_equal(m.l2_dst, cases[i].cls);
	}
	(void)MAC_V4MC;
}

/* ---- malformed frames ---------------------------------------------------- */

static void test_truncations_ipv4_udp(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v4_udp(&f, 53, 4);
	for (uint32_t len = 0; len < f.n; len++) {
		enum loom_drop_reason r = parse_n(&f, len, &m);
		assert_int_not_equal(r, LOOM_DROP_NONE);
		if (len < 14)
			assert_int_equal(r, LOOM_DROP_ETH_TRUNCATED);
		else /* header cut, or total length beyond the frame */
			assert_int_equal(r, LOOM_DROP_IPV4_MALFORMED);
	}
}

static void test_truncations_other(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	/* IPv6/UDP */
	build_v6_udp(&f, 4);
	for (uint32_t len = 0; len < f.n; len++) {
		enum loom_drop_reason r = parse_n(&f, len, &m);
		assert_int_equal(r, len < 14 ? LOOM_DROP_ETH_TRUNCATED : LOOM_DROP_IPV6_MALFORMED);
	}

	/* QinQ / IPv4 / UDP 4791 / BTH */
	eth(&f, MAC_UC, 0x88a8);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x0800);
	ipv4(&f, 17, 20, 5, 0, 64);
	udp(&f, 1, 4791, 0);
	bth(&f, 7);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	for (uint32_t len = 0; len < f.n; len++) {
		enum loom_drop_reason r = parse_n(&f, len, &m);
		assert_int_equal(r, len < 22 ? LOOM_DROP_ETH_TRUNCATED : LOOM_DROP_IPV4_MALFORMED);
	}

	/* ARP */
	build_arp(&f, 1, 0x0800, 6, 4);
	for (uint32_t len = 0; len < f.n; len++) {
		enum loom_drop_reason r = parse_n(&f, len, &m);
		assert_int_equal(r, len < 14 ? LOOM_DROP_ETH_TRUNCATED : LOOM_DROP_ARP_MALFORMED);
	}

	/* IPv6 with an extension chain: every cut is IPV6_MALFORMED. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 0, 8 + 16 + 20, 64);
	ext6(&f, 60, 0);
	ext6(&f, 6, 1);
	tcp(&f, 1, 2, 5);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	for (uint32_t len = 14; len < f.n; len++)
		assert_int_equal(parse_n(&f, len, &m), LOOM_DROP_IPV6_MALFORMED);
}

static void test_ipv4_bad_ihl(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;
	uint32_t l3;

	/* IHL < 5 (checksum over the claimed header made valid). */
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		l3 = build_v4_udp(&f, 1, 0);
		f.b[l3] = (uint8_t)(0x40 | ihl);
		if (ihl >= 1)
			ipv4_fix_csum(&f, l3);
		assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);
	}

	/* IHL 15 (60 bytes) but only 28 bytes of IP in the frame. */
	l3 = build_v4_udp(&f, 1, 0);
	f.b[l3] = 0x4f;
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);

	/* IHL 6 with a total length of 20 (< IHL * 4). */
	eth(&f, MAC_UC, 0x0800);
	l3 = ipv4(&f, 17, 8, 6, 0, 64);
	udp(&f, 1, 2, 0);
	wr16(&f, l3 + 2, 20);
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);
}

static void test_ipv4_bad_lengths(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;
	uint32_t l3;

	/* Total length < IHL * 4. */
	for (uint16_t tot = 0; tot < 20; tot++) {
		l3 = build_v4_udp(&f, 1, 0);
		wr16(&f, l3 + 2, tot);
		ipv4_fix_csum(&f, l3);
		assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);
	}

	/* Total length one byte beyond the frame, and far beyond. */
	l3 = build_v4_udp(&f, 1, 0);
	wr16(&f, l3 + 2, (uint16_t)(f.n - 14 + 1));
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);
	wr16(&f, l3 + 2, 0xffff);
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);

	/* Total length exactly the frame: fine. */
	wr16(&f, l3 + 2, (uint16_t)(f.n - 14));
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
}

static void test_ipv4_bad_checksum(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;
	uint32_t l3;

	l3 = build_v4_udp(&f, 1, 0);
	f.b[l3 + 10] ^= 0x01;
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_BAD_CHECKSUM);

	/* A change anywhere in the header that leaves it well-formed. */
	static const uint32_t fields[] = { 1, 4, 5, 8, 12, 15, 16, 19 };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		l3 = build_v4_udp(&f, 1, 0);
		f.b[l3 + fields[i]] ^= 0x10;
		assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_BAD_CHECKSUM);
	}

	/* Options are covered by the checksum too. */
	eth(&f, MAC_UC, 0x0800);
	l3 = ipv4(&f, 17, 8, 7, 0, 64);
	udp(&f, 1, 2, 0);
	f.b[l3 + 25] = 0x00;
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_BAD_CHECKSUM);
}

static void test_ip_bad_version(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;
	uint32_t l3;

	l3 = build_v4_udp(&f, 1, 0);
	f.b[l3] = 0x55; /* version 5 */
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);
	f.b[l3] = 0x65; /* version 6 under ethertype IPv4 */
	ipv4_fix_csum(&f, l3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);

	build_v6_udp(&f, 0);
	f.b[14] = 0x40; /* version 4 under ethertype IPv6 */
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
}

static void test_ipv6_bad_payload_length(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v6_udp(&f, 4);
	wr16(&f, 14 + 4, 13); /* one byte beyond */
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
	wr16(&f, 14 + 4, 0xffff);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
	wr16(&f, 14 + 4, 12); /* exact */
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
}

static void test_ipv6_ext_past_payload(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	/* Destination options of 16 bytes in an 8-byte payload (the frame
	 * holds the rest as padding: the payload length is what counts). */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 60, 8, 64);
	ext6(&f, 17, 1);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);

	/* One byte of payload: not even next header + length. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 43, 1, 64);
	zeros(&f, 20);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);

	/* Fragment header cut (4 of 8 bytes). */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 44, 4, 64);
	frag6(&f, 17, 0, 1);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);

	/* AH whose (n + 2) * 4 length runs past the payload. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 51, 16, 64);
	ah6(&f, 17, 4); /* 24 bytes */
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);

	/* Upper layer cut by the payload length: the L4 check. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 0, 8 + 4, 64);
	ext6(&f, 17, 0);
	udp(&f, 1, 2, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
}

static void build_v6_dstopts_chain(struct fb *f, int count)
{
	eth(f, MAC_UC, 0x86dd);
	ipv6(f, 60, (uint16_t)(count * 8 + 8), 64);
	for (int i = 0; i < count; i++)
		ext6(f, i == count - 1 ? 17 : 60, 0);
	udp(f, 1, 2, 0);
}

static void test_ipv6_too_many_ext(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_v6_dstopts_chain(&f, 8);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.l4_off, 14 + 40 + 64);
	assert_int_equal(m.key.dport, 2);

	build_v6_dstopts_chain(&f, 9);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
	build_v6_dstopts_chain(&f, 30);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
}

static void test_ipv6_hbh_not_first(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 60, 8 + 8 + 8, 64);
	ext6(&f, 0, 0);  /* destination options, then */
	ext6(&f, 17, 0); /* hop-by-hop */
	udp(&f, 1, 2, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);

	/* Two hop-by-hop headers. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 0, 8 + 8 + 8, 64);
	ext6(&f, 0, 0);
	ext6(&f, 17, 0);
	udp(&f, 1, 2, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV6_MALFORMED);
}

static void test_tcp_bad_data_offset(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	for (uint8_t doff = 0; doff < 5; doff++) {
		eth(&f, MAC_UC, 0x0800);
		ipv4(&f, 6, 20, 5, 0, 64);
		tcp(&f, 1, 2, 5);
		f.b[34 + 12] = (uint8_t)(doff << 4);
		assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	}

	/* Data offset 6 (24 bytes) with 20 bytes of L3 payload. */
	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 6, 20, 5, 0, 64);
	tcp(&f, 1, 2, 5);
	f.b[34 + 12] = 0x60;
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	/* Still beyond the L3 length when the frame has padding after it. */
	zeros(&f, 40);
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	f.b[34 + 12] = 0xf0;
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);

	/* TCP header shorter than 20 bytes. */
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 6, 19, 64);
	tcp(&f, 1, 2, 5);
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
}

static void test_udp_truncated(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	for (uint32_t n = 0; n < 8; n++) {
		eth(&f, MAC_UC, 0x0800);
		ipv4(&f, 17, n, 5, 0, 64);
		udp(&f, 1, 2, 0); /* the frame holds it, the IP length not */
		assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);

		eth(&f, MAC_UC, 0x86dd);
		ipv6(&f, 17, (uint16_t)n, 64);
		udp(&f, 1, 2, 0);
		assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	}

	/* ICMP needs 8 bytes, ICMPv6 4. */
	eth(&f, MAC_UC, 0x0800);
	ipv4(&f, 1, 7, 5, 0, 64);
	zeros(&f, 8);
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 58, 3, 64);
	zeros(&f, 8);
	assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
	eth(&f, MAC_UC, 0x86dd);
	ipv6(&f, 58, 4, 64);
	put8(&f, 128);
	zeros(&f, 3);
	assert_int_equal(parse(&f, &m), LOOM_DROP_NONE);
	assert_int_equal(m.icmp_type, 128);
}

static void test_bth_truncated(void **state)
{
	(void)state;
	for (uint16_t n = 0; n < 12; n++) {
		struct fb f;
		struct loom_pkt_meta m;

		eth(&f, MAC_UC, 0x0800);
		ipv4(&f, 17, 8u + n, 5, 0, 64);
		udp(&f, 1, 4791, 0);
		bth(&f, 0x42); /* in the frame, past the IP length */
		assert_int_equal(parse(&f, &m), LOOM_DROP_L4_MALFORMED);
		assert_false(m.is_roce);
	}
}

static void test_vlan_truncated(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_UC, 0x8100);
	put16(&f, 0x0064);
	assert_int_equal(parse(&f, &m), LOOM_DROP_ETH_TRUNCATED);
	put16(&f, 0x0800); /* tag complete, no IPv4 */
	assert_int_equal(parse(&f, &m), LOOM_DROP_IPV4_MALFORMED);

	/* QinQ: inner tag cut. */
	eth(&f, MAC_UC, 0x88a8);
	vlan(&f, 0x00c8, 0x8100);
	put8(&f, 0);
	assert_int_equal(parse(&f, &m), LOOM_DROP_ETH_TRUNCATED);
}

static void test_arp_malformed(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	build_arp(&f, 1, 0x0800, 8, 4); /* bad hlen */
	assert_int_equal(parse(&f, &m), LOOM_DROP_ARP_MALFORMED);
	build_arp(&f, 6, 0x0800, 6, 4); /* bad htype */
	assert_int_equal(parse(&f, &m), LOOM_DROP_ARP_MALFORMED);
	build_arp(&f, 1, 0x86dd, 6, 4); /* bad ptype */
	assert_int_equal(parse(&f, &m), LOOM_DROP_ARP_MALFORMED);
	build_arp(&f, 1, 0x0800, 6, 16); /* bad plen */
	assert_int_equal(parse(&f, &m), LOOM_DROP_ARP_MALFORMED);
}

static void test_unknown_ethertype(void **state)
{
	(void)state;
	struct fb f;
	struct loom_pkt_meta m;

	eth(&f, MAC_V4MC, 0x88cc); /* LLDP */
	zeros(&f, 46);
	assert_int_equal(parse(&f, &m), LOOM_DROP_UNKNOWN_ETHERTYPE);
	assert_int_equal(m.ethertype, 0x88cc);
	assert_int_equal(m.l2_dst, LOOM_L2_MULTICAST);

	/* Behind a VLAN tag. */
	eth(&f, MAC_UC, 0x8100);
	vlan(&f, 7, 0x8847); /* MPLS */
	zeros(&f, 46);
	assert_int_equal(parse(&f, &m), LOOM_DROP_UNKNOWN_ETHERTYPE);
	assert_int_equal(m.ethertype, 0x8847);
	assert_int_equal(m.vlan_tci, 7);

	/* A third tag. */
	eth(&f, MAC_UC, 0x88a8);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x0800);
	zeros(&f, 46);
	assert_int_equal(parse(&f, &m), LOOM_DROP_UNKNOWN_ETHERTYPE);
	assert_int_equal(m.ethertype, 0x8100);

	/* 0x88a8 as the inner tag. */
	eth(&f, MAC_UC, 0x8100);
	vlan(&f, 1, 0x88a8);
	vlan(&f, 2, 0x0800);
	zeros(&f, 46);
	assert_int_equal(parse(&f, &m), LOOM_DROP_UNKNOWN_ETHERTYPE);
}

/* Random byte flips and cuts of valid frames: never a crash or an
 * over-read (under a sanitizer), and a result that is self-consistent. */
static void test_mutations(void **state)
{
	(void)state;
	struct fb base[8], f;
	struct loom_pkt_meta m;
	uint32_t seed = 12345;

	build_v4_udp(&base[0], 4791, 12);
	build_v6_udp(&base[1], 4);
	eth(&base[2], MAC_UC, 0x86dd);
	ipv6(&base[2], 0, 8 + 16 + 8 + 20, 64);
	ext6(&base[2], 60, 0);
	ext6(&base[2], 44, 1);
	frag6(&base[2], 6, 0, 0);
	tcp(&base[2], 1, 2, 5);
	build_arp(&base[3], 1, 0x0800, 6, 4);
	eth(&base[4], MAC_UC, 0x88a8);
	vlan(&base[4], 1, 0x8100);
	vlan(&base[4], 2, 0x0800);
	ipv4(&base[4], 6, 24, 6, 0, 64);
	tcp(&base[4], 1, 2, 6);
	eth(&base[5], MAC_UC, 0x0800);
	ipv4(&base[5], 1, 8, 5, 0, 64);
	zeros(&base[5], 8);
	/* what the fast path takes: untagged IPv4 UDP (not RoCE) and TCP */
	build_v4_udp(&base[6], 5201, 18);
	eth(&base[7], MAC_UC, 0x0800);
	ipv4(&base[7], 6, 20, 5, 0, 64);
	tcp(&base[7], 40000, 80, 5);

	uint32_t accepted = 0, dropped = 0;
	for (int i = 0; i < 200000; i++) {
		f = base[i % 8];
		int flips = 1 + i % 4;
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t pos = (seed >> 8) % f.n;
			f.b[pos] ^= (uint8_t)(1u << ((seed >> 4) & 7));
			if (pos >= 14 && (seed & 0x10000) && f.b[12] == 0x08 && f.b[13] == 0)
				ipv4_fix_csum(&f, 14); /* get past the checksum */
		}
		seed = seed * 1103515245u + 12345u;
		uint32_t len = (seed >> 16) & 1 ? f.n : (seed >> 8) % (f.n + 1);
		enum loom_drop_reason r = parse_n(&f, len, &m);
		assert_true(r < LOOM_DROP_MAX);
		if (r != LOOM_DROP_NONE) {
			dropped++;
			continue;
		}
		accepted++;
		assert_true(m.l3_off + (uint32_t)m.l3_len <= len);
		if (m.l4_off) {
			assert_true(m.l4_off >= m.l3_off);
			assert_true(m.l4_off <= m.l3_off + (uint32_t)m.l3_len);
		}
		if (m.is_fragment)
			assert_true(m.key.sport == 0 && m.key.dport == 0 && m.l4_off == 0);
		if (m.is_roce)
			assert_true(m.l4_off + 20u <= m.l3_off + (uint32_t)m.l3_len);
	}
	/* Both outcomes are well exercised. */
	assert_true(accepted > 20000 && dropped > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_udp),
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_single_vlan),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_ipv6_ext_chain_tcp),
		cmocka_unit_test(test_ipv6_ah_then_udp),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmpv6_ns),
		cmocka_unit_test(test_arp_request),
		cmocka_unit_test(test_rocev2),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_other_protocol),
		cmocka_unit_test(test_l2_dst_classes),
		cmocka_unit_test(test_truncations_ipv4_udp),
		cmocka_unit_test(test_truncations_other),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv4_bad_lengths),
		cmocka_unit_test(test_ipv4_bad_checksum),
		cmocka_unit_test(test_ip_bad_version),
		cmocka_unit_test(test_ipv6_bad_payload_length),
		cmocka_unit_test(test_ipv6_ext_past_payload),
		cmocka_unit_test(test_ipv6_too_many_ext),
		cmocka_unit_test(test_ipv6_hbh_not_first),
		cmocka_unit_test(test_tcp_bad_data_offset),
		cmocka_unit_test(test_udp_truncated),
		cmocka_unit_test(test_bth_truncated),
		cmocka_unit_test(test_vlan_truncated),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_unknown_ethertype),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
