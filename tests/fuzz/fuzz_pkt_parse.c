/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer, differential: the packet parser's three views of a frame must
 * agree (dataplane/core/pkt_parse.c, dataplane/core/pkt_parse_ipv4.h).
 * - loom_pkt_parse() (fast path first) and loom_pkt_parse_full() (the
 *   general parser alone) give the same verdict and, when they accept it,
 *   the same meta, field by field;
 * - a frame the fast-path check calls plain IPv4 is one the full parser
 *   accepts as untagged unicast IPv4 UDP/TCP with the same addresses,
 *   ports, protocol, TTL and total length (what the IPv4 fast path of the
 *   switch forwards on).
 * Any disagreement aborts with the field named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_meta.h"
#include "pkt_parse_ipv4.h"

#define SAME(field)                                                                                       \
	do {                                                                                              \
		if (a->field != b->field) {                                                               \
			fprintf(stderr, "%s: %s differs: %llu vs %llu\n", what, #field,                   \
				(unsigned long long)a->field, (unsigned long long)b->field);               \
			abort();                                                                          \
		}                                                                                         \
	} while (0)

static void same_meta(const char *what, const struct loom_pkt_meta *a, const struct loom_pkt_meta *b)
{
	SAME(l3_kind);
	SAME(l2_dst);
	SAME(vlan_tci);
	SAME(vlan_tagged);
	SAME(ethertype);
	SAME(l3_off);
	SAME(l4_off);
	SAME(l4_proto);
	SAME(is_fragment);
	SAME(is_roce);
	SAME(ttl);
	SAME(icmp_type);
	SAME(l3_len);
	SAME(key.family);
	SAME(key.proto);
	SAME(key.sport);
	SAME(key.dport);
	SAME(key.dst_qp);
	if (memcmp(a->key.src, b->key.src, sizeof(a->key.src)) || memcmp(a->key.dst, b->key.dst, sizeof(a->key.dst))) {
		fprintf(stderr, "%s: key addresses differ\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loom_pkt_meta fast, full;
	struct loom_ipv4_plain plain;
	enum loom_drop_reason rf, rg;
	uint32_t len = size > 65535 ? 65535 : (uint32_t)size;
	/* an exact-size heap copy, so that ASan sees any read past the frame */
	uint8_t *d = malloc(len ? len : 1);

	if (!d)
		abort();
	memcpy(d, data, len);
	rf = loom_pkt_parse(d, len, &fast);
	rg = loom_pkt_parse_full(d, len, &full);
	if (rf != rg) {
		fprintf(stderr, "verdicts differ: loom_pkt_parse %d, loom_pkt_parse_full %d\n", rf, rg);
		abort();
	}
	if (rf == LOOM_DROP_NONE)
		same_meta("loom_pkt_parse vs loom_pkt_parse_full", &fast, &full);
	if (loom_parse_ipv4_plain(d, len, &plain)) {
		struct loom_pkt_meta want = full;
		const struct loom_pkt_meta *a = &full, *b = &want;
		const char *what = "plain IPv4 vs the full parser";
		uint32_t src, dst;

		if (rg != LOOM_DROP_NONE) {
			fprintf(stderr, "%s: plain, but the full parser drops it (%d)\n", what, rg);
			abort();
		}
		memcpy(&src, full.key.src, 4);
		memcpy(&dst, full.key.dst, 4);
		want.l3_kind = LOOM_L3_IPV4;
		want.l2_dst = LOOM_L2_UNICAST;
		want.vlan_tagged = false;
		want.ethertype = 0x0800;
		want.l3_off = LOOM_PLAIN_ETH_HLEN;
		want.l4_off = LOOM_PLAIN_ETH_HLEN + LOOM_PLAIN_IPV4_HLEN;
		want.l4_proto = plain.proto;
		want.is_fragment = false;
		want.is_roce = false;
		want.vlan_tci = 0;
		want.icmp_type = 0;
		want.key.family = LOOM_FLOW_IPV4;
		want.key.dst_qp = 0;
		want.ttl = plain.ttl;
		want.l3_len = plain.tot_len;
		want.key.proto = plain.proto;
		want.key.sport = (uint16_t)(plain.ports >> 16);
		want.key.dport = (uint16_t)plain.ports;
		same_meta(what, a, b);
		if (src != plain.src || dst != plain.dst) {
			fprintf(stderr, "%s: addresses differ\n", what);
			abort();
		}
	}
	free(d);
	return 0;
}
