/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender load balancing (egress): the entropy a switch hashes, per flow.
 * Reads: the host's mode, the flow's state, for repathing the congestion
 * echoes the ingress program marked. Sets: the IPv6 flow label (any IPv6
 * packet: an unmodified TCP application is sprayed), the UDP source port
 * of RoCEv2 and named UDP flows (0xc000 | 14 bits, RoCEv2's convention),
 * with the UDP checksum updated. A flow starts with entropy 0: the packet's
 * own label and port are left as they are until the first change (so
 * that, as with PLB, a flow takes the path ECMP gives it until it has a
 * reason to move).
 *   packet:  new entropy for every packet (spraying);
 *   flowlet: new entropy after the flow was idle flowlet_gap_ns;
 *   repath:  PLB-like (Qureshi et al., SIGCOMM 2022): a round is round_ns;
 *            a round in which a congestion echo came back (TCP ECE, RoCEv2
 *            CNP) is congested; repath_rounds of them in a row: new
 *            entropy, the count starts again.
 */
#ifndef LOOM_EP_LB_H
#define LOOM_EP_LB_H

#include <linux/pkt_cls.h>

#include "ep_maps.h"
#include "ep_parse.h"

static __always_inline __u32 ep_new_entropy(__u32 old)
{
	__u32 e = bpf_get_prandom_u32() & 0xfffff;

	if (e == old)
		e ^= 1;
	return e ? e : 1;
}

/* End the round if it is over (the sender's next packet acts on it). */
static __always_inline void ep_round(struct loom_ep_lb_flow *f, const struct loom_ep_config *c, __u64 now)
{
	if (now - f->round_start_ns < c->round_ns)
		return;
	f->congested_rounds = f->marked ? f->congested_rounds + 1 : 0;
	f->marked = 0;
	f->round_start_ns = now;
}

/* The load-balancing key of a packet as its sender sees it. */
static __always_inline void ep_lb_key(struct loom_ep_flow_key *k, const struct ep_pkt *p)
{
	if (p->is_roce)
		ep_key(k, p->family, p->proto, p->src, p->dst, 0, LOOM_EP_ROCE_PORT, 0);
	else
		ep_key(k, p->family, p->proto, p->src, p->dst, p->sport, p->dport, 0);
}

static __always_inline int ep_lb_egress(struct __sk_buff *skb, const struct loom_ep_config *c,
					struct loom_ep_counters *t)
{
	struct loom_ep_flow_key k;
	struct loom_ep_lb_flow *f, nf;
	struct ep_pkt p;
	__u64 now = bpf_ktime_get_ns();
	int port, change = 0;

	if (ep_parse_pull(skb, &p) < 0)
		return TC_ACT_OK;
	port = p.proto == IPPROTO_UDP && (p.is_roce || ep_udp_named(c, p.dport));
	if (p.family != 6 && !port)
		return TC_ACT_OK;
	ep_lb_key(&k, &p);
	f = bpf_map_lookup_elem(&ep_lb_flows, &k);
	if (!f) {
		__builtin_memset(&nf, 0, sizeof(nf));
		nf.round_start_ns = now;
		nf.last_ns = now;
		bpf_map_update_elem(&ep_lb_flows, &k, &nf, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&ep_lb_flows, &k);
		if (!f)
			return TC_ACT_OK;
	}
	if (c->lb_mode == LOOM_EP_LB_PACKET)
		change = 1;
	else if (c->lb_mode == LOOM_EP_LB_FLOWLET)
		change = now - f->last_ns > c->flowlet_gap_ns;
	else if (c->lb_mode == LOOM_EP_LB_REPATH) {
		ep_round(f, c, now);
		if (f->congested_rounds >= c->repath_rounds) {
			f->congested_rounds = 0;
			change = 1;
			f->repaths++;
			t->tx_repaths++;
		}
	}
	if (change) {
		f->entropy = ep_new_entropy(f->entropy);
		f->changes++;
		t->tx_changes++;
	}
	f->last_ns = now;
	f->packets++;
	__u32 e = f->entropy;

	if (e == 0)
		return TC_ACT_OK;

	if (p.family == 6) {
		void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
		__u8 *ip6 = data + sizeof(struct ethhdr);

		if ((void *)(ip6 + 4) > end)
			return TC_ACT_OK;
		ip6[1] = (ip6[1] & 0xf0) | ((e >> 16) & 0x0f);
		ip6[2] = (__u8)(e >> 8);
		ip6[3] = (__u8)e;
	}
	if (port) {
		__be16 old = bpf_htons(p.sport), new = bpf_htons(0xc000 | (e & 0x3fff));
		__u64 flags = sizeof(new) | (p.family == 4 ? BPF_F_MARK_MANGLED_0 : 0);

		if (bpf_l4_csum_replace(skb, p.l4_off + 6, old, new, flags) < 0 ||
		    bpf_skb_store_bytes(skb, p.l4_off, &new, sizeof(new), 0) < 0)
			return TC_ACT_OK;
	}
	t->tx_rewritten++;
	return TC_ACT_OK;
}

/* Ingress, at the sender: a congestion echo for one of its flows (a TCP
 * segment with ECE from the receiver, a RoCEv2 CNP) marks the round. */
static __always_inline void ep_lb_echo(struct __sk_buff *skb, const struct ep_pkt *p, const struct loom_ep_config *c,
				       struct loom_ep_counters *t)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 *l4 = data + p->l4_off;
	struct loom_ep_flow_key k;
	struct loom_ep_lb_flow *f;

	if (p->proto == IPPROTO_TCP) {
		if ((void *)(l4 + 14) > end || !(l4[13] & 0x40)) /* ECE */
			return;
		ep_key(&k, p->family, p->proto, p->dst, p->src, p->dport, p->sport, 0);
	} else if (p->is_roce) {
		if ((void *)(l4 + 9) > end || l4[8] != 0x81) /* BTH opcode: CNP */
			return;
		ep_key(&k, p->family, p->proto, p->dst, p->src, 0, LOOM_EP_ROCE_PORT, 0);
	} else {
		return;
	}
	f = bpf_map_lookup_elem(&ep_lb_flows, &k);
	if (!f)
		return;
	f->echoes++;
	t->rx_echoes++;
	ep_round(f, c, bpf_ktime_get_ns()); /* a round that ended before this echo is judged without it */
	f->marked = 1;
}

#endif
