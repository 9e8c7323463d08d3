/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiver measurement (ingress), the same rules as the leaves' own
 * (scheduler/include/loom/lb/lb_reorder.h), so that the two can be
 * compared: per flow the highest sequence seen; a packet below it is out
 * of order, its distance (highest - seq) in packets of its size, rounded
 * up, into buckets 1, 2-3, 4-7, ... 128+; a flow silent for 100 ms starts
 * afresh. Sequences: TCP's (pure ACKs ignored), RoCEv2's PSN, and for
 * named UDP flows iperf3's packet counter, whose timestamp (the sender's
 * CLOCK_REALTIME, in the payload) gives the one-way latency when sender
 * and receiver share a clock (namespace hosts do). CE-marked arrivals are
 * counted per flow. A late packet whose entropy (IPv6 flow label;
 * RoCEv2: source port) is that of the packet it arrived behind was
 * reordered within a flowlet: one path, so only a retransmission should
 * be (late_same_entropy). Reads the packet and ep_config; sets
 * ep_rx_flows and the totals.
 */
#ifndef LOOM_EP_MEASURE_H
#define LOOM_EP_MEASURE_H

#include "ep_maps.h"
#include "ep_parse.h"

#define EP_BTH_PSN 9      /* 24-bit PSN at bytes 9..11 of the BTH */
#define EP_IPERF3_SEQ 8   /* after tv_sec, tv_usec */

static __always_inline __u32 ep_bucket(__u32 d)
{
	/* floor(log2(d)) capped at 7, without clz (not a BPF instruction) */
	__u32 b = 0;

#pragma unroll
	for (int i = 1; i < LOOM_EP_BUCKETS; i++)
		if (d >> i)
			b = i;
	return b;
}

static __always_inline __u32 ep_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __always_inline void ep_measure(struct __sk_buff *skb, const struct ep_pkt *p, const struct loom_ep_config *c,
				       struct loom_ep_counters *t)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 *l4 = data + p->l4_off;
	__u32 seq, unit, entropy = p->is_roce ? p->sport : p->label;
	__u64 lat = 0, now = bpf_ktime_get_ns();
	struct loom_ep_flow_key k;
	struct loom_ep_rx_flow *f, nf;

	if (p->proto == IPPROTO_TCP) {
		__u32 doff;

		if ((void *)(l4 + 20) > end)
			return;
		doff = (l4[12] >> 4) * 4u;
		if (doff < 20 || p->l4_len < doff)
			return;
		seq = ep_be32(l4 + 4);
		unit = p->l4_len - doff;
		ep_key(&k, p->family, p->proto, p->src, p->dst, p->sport, p->dport, 0);
	} else if (p->is_roce) {
		if ((void *)(l4 + 8 + 12) > end || p->l4_len < 8 + 12)
			return;
		seq = ep_be32(l4 + 8 + EP_BTH_PSN - 1) << 8; /* PSN << 8: wraps as 32 bits do */
		unit = 1u << 8;
		ep_key(&k, p->family, p->proto, p->src, p->dst, 0, LOOM_EP_ROCE_PORT,
		       ep_be32(l4 + 8 + 4) & 0xffffff);
	} else if (p->proto == IPPROTO_UDP && ep_udp_named(c, p->dport)) {
		__u64 sent;

		if ((void *)(l4 + 8 + 12) > end || p->l4_len < 8 + 12)
			return;
		seq = ep_be32(l4 + 8 + EP_IPERF3_SEQ);
		unit = 1;
		sent = (__u64)ep_be32(l4 + 8) * 1000000000ull + (__u64)ep_be32(l4 + 12) * 1000ull;
		lat = now + c->realtime_minus_mono_ns - sent;
		if ((__s64)lat <= 0 || lat > 10000000000ull) /* clocks not shared, or not iperf3 */
			lat = 0;
		ep_key(&k, p->family, p->proto, p->src, p->dst, p->sport, p->dport, 0);
	} else {
		return;
	}
	if (unit == 0)
		return; /* pure ACK */
	t->rx_measured++;
	f = bpf_map_lookup_elem(&ep_rx_flows, &k);
	if (!f || now - f->last_ns > LOOM_EP_IDLE_NS) {
		__builtin_memset(&nf, 0, sizeof(nf));
		if (f) /* afresh, keeping what it counted */
			__builtin_memcpy(&nf, f, sizeof(nf));
		nf.highest = seq;
		nf.highest_entropy = entropy;
		nf.last_ns = now;
		nf.packets++;
		nf.ce += p->ecn == 3;
		if (lat) {
			nf.lat_min_ns = nf.lat_n ? (lat < nf.lat_min_ns ? lat : nf.lat_min_ns) : lat;
			nf.lat_max_ns = lat > nf.lat_max_ns ? lat : nf.lat_max_ns;
			nf.lat_n++;
			nf.lat_sum_ns += lat;
			t->rx_lat_n++;
			t->rx_lat_sum_ns += lat;
		}
		bpf_map_update_elem(&ep_rx_flows, &k, &nf, BPF_ANY);
		t->rx_flows++;
		t->rx_ce += p->ecn == 3;
		return;
	}
	f->last_ns = now;
	f->packets++;
	if (p->ecn == 3) {
		f->ce++;
		t->rx_ce++;
	}
	if (lat) {
		if (!f->lat_n || lat < f->lat_min_ns)
			f->lat_min_ns = lat;
		if (lat > f->lat_max_ns)
			f->lat_max_ns = lat;
		f->lat_n++;
		f->lat_sum_ns += lat;
		t->rx_lat_n++;
		t->rx_lat_sum_ns += lat;
	}
	__s32 behind = (__s32)(f->highest - seq);

	if (behind <= 0) {
		f->highest = seq;
		f->highest_entropy = entropy;
		return;
	}
	if (entropy == f->highest_entropy) {
		f->late_same_entropy++;
		t->rx_late_same_entropy++;
	}
	__u32 d = ((__u32)behind + unit - 1) / unit, b = ep_bucket(d);

	f->out_of_order++;
	t->rx_out_of_order++;
	if (b < LOOM_EP_BUCKETS) {
		f->distance[b]++;
		t->rx_distance[b]++;
	}
}

#endif
