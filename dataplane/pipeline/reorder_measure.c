/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reorder measurement where packets leave the fabric (leaf ports facing
 * hosts). Reads: the packet's sequence number: TCP's (distance in
 * segments of this packet's payload), RoCEv2's BTH PSN, or for other UDP
 * iperf3's packet counter (payload bytes 8..11, as `iperf3 -u` sends it).
 * Sets: the port's reorder counters (loom/lb/lb_reorder.h). Fragments and
 * packets too short to carry the number are not counted.
 */
#include <netinet/in.h>

#include <rte_byteorder.h>

#include "lb_switch.h"
#include "stages.h"

#define UDP_HDR 8
#define BTH_PSN_OFF 9       /* 24-bit PSN at bytes 9..11 of the BTH */
#define IPERF3_SEQ_OFF 8    /* after tv_sec, tv_usec */

static inline uint32_t be32_at(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void reorder_measure(struct loom_switch *sw, uint16_t port, const struct rte_mbuf *m, const struct loom_pkt_meta *meta,
		     loom_time_ns now)
{
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t data_len = rte_pktmbuf_data_len(m), l4, seq, unit;
	uint32_t l4_len; /* upper-layer bytes the IP header announces */
	struct loom_pkt_meta parsed;

	if (meta == NULL) { /* from the IPv4 fast path, which keeps no metadata */
		if (loom_pkt_parse(pkt, data_len, &parsed) != LOOM_DROP_NONE)
			return;
		meta = &parsed;
	}
	l4 = meta->l4_off;
	if (meta->is_fragment || l4 == 0 || meta->l4_off <= meta->l3_off)
		return;
	l4_len = meta->l3_len > l4 - meta->l3_off ? meta->l3_len - (l4 - meta->l3_off) : 0;
	if (meta->l4_proto == IPPROTO_TCP) {
		uint32_t doff;

		if (l4 + 20 > data_len)
			return;
		doff = (uint32_t)(pkt[l4 + 12] >> 4) * 4;
		if (doff < 20 || l4_len < doff)
			return;
		seq = be32_at(pkt + l4 + 4);
		unit = l4_len - doff; /* payload bytes; 0 for pure ACKs: not counted */
	} else if (meta->l4_proto == IPPROTO_UDP) {
		uint32_t off = meta->is_roce ? UDP_HDR + BTH_PSN_OFF - 1 : UDP_HDR + IPERF3_SEQ_OFF;

		if (l4 + off + 4 > data_len || off + 4 > l4_len)
			return;
		seq = be32_at(pkt + l4 + off);
		if (meta->is_roce)
			seq = (seq & 0xffffff) << 8; /* 24-bit PSN, shifted so that it wraps as 32 bits do */
		unit = meta->is_roce ? 1u << 8 : 1;
	} else {
		return;
	}
	lb_reorder_observe(&sw->lb->reorder[port], loom_flow_hash(&meta->key, 0x5eed0e0du), seq, unit, now);
}
