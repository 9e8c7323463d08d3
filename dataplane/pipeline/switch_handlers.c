/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's handlers: what happens when packets arrive on a port, and
 * when a port may transmit. A packet goes through, in order:
 *
 *   ipv4_fast_path.c a burst of plain routed IPv4 (nearly all traffic):
 *                    the stages below fused, no metadata; otherwise:
 *   (switch_receive.h: while a trace or capture is on, trace/observe.h,
 *                    observed_receive.c takes the burst instead: captures,
 *                    and traced packets one at a time through the stages
 *                    below, recording what each decided; the other packets
 *                    through this file's body, in order)
 *   pkt_parse.c      headers -> loom_pkt_meta (or a malformed-* drop)
 *   (here)           IP packet within the ingress port's MTU (or mtu_exceeded)
 *   (here)           unicast destination MAC must be the ingress port's
 *   neigh_answer.c   ARP / neighbour solicitation / echo for the gateway
 *   -- the mode's forward: the stages below, a P4 program (dataplane/p4/), a cell leaf's VOQs --
 *   ip_route.c       LPM on the destination -> ECMP group (or no_route)
 *   ip_ttl.c         TTL / hop limit -1 (or ttl_expired)
 *   member_select.c  group member by the group's load-balancing policy
 *                    (ecmp: seeded flow hash) -> next hop
 *   eth_rewrite.c    MACs of the egress port and the next hop
 *   reorder_measure.c  (leaf host ports) per-flow sequence: reordering
 *   egress/          the egress port's traffic manager or FIFO; later,
 *                    when the port may send, loom_switch_transmit
 *                    (egress/port_transmit.c)
 *
 * The switch's mode (core/switch_mode.h) is what this file asks, never
 * which mode it is: whether the fast path may serve a burst, a frame the
 * mode takes before the parser (a cell fabric's cells), what forwards,
 * the mode's timers.
 *
 * Nothing here reads a clock or knows about rings, ethdevs or events: the
 * runner passes `now` and moves packets between the wire and these calls.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "egress_batch.h"
#include "lb_switch.h"
#include "link_fault.h"
#include "stages.h"
#include "switch_receive.h"
#include "tm.h"

/* Parse and take out everything that is not routed. Returns true when the
 * packet goes on to the route lookup. */
static bool classify(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
		     struct loom_pkt_meta *meta)
{
	enum loom_drop_reason r;

	in->c.rx_bytes += rte_pktmbuf_pkt_len(m);
	/* The stages read and rewrite headers and lengths in the first
	 * buffer only: a frame chained over several (jumbo) is not served. */
	if (unlikely(m->nb_segs != 1)) {
		r = LOOM_DROP_FRAME_TOO_LONG;
		goto drop;
	}
	r = loom_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), meta);
	if (r != LOOM_DROP_NONE)
		goto drop;
	/* the link's MTU bounds what follows the Ethernet header and tags */
	if (unlikely(rte_pktmbuf_data_len(m) - meta->l3_off > in->mtu)) {
		r = LOOM_DROP_MTU_EXCEEDED;
		goto drop;
	}
	if (unlikely(meta->l3_kind == LOOM_L3_PFC)) {
		/* obeyed, not forwarded, or dropped with the reason why not
		 * (tm_pfc.c) */
		r = sw->tm ? tm_pfc_receive(sw, in, rte_pktmbuf_mtod(m, const uint8_t *),
					    rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off + 2), sw->tm->now)
			   : LOOM_DROP_PFC_DISABLED;
		if (r != LOOM_DROP_NONE)
			goto drop;
		sw->c.answered++;
		rte_pktmbuf_free(m);
		return false;
	}
	/* Unicast must be for this port before anything else looks at it;
	 * broadcast and multicast only serve ARP and neighbour discovery. */
	if (meta->l2_dst == LOOM_L2_UNICAST &&
	    !rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr, &in->mac)) {
		r = LOOM_DROP_DST_MAC_MISMATCH;
		goto drop;
	}
	if (neigh_answer(sw, in, m, meta, &r)) {
		if (r != LOOM_DROP_NONE)
			goto drop;
		return false; /* answered: the reply is on the port's queue */
	}
	if (meta->l2_dst != LOOM_L2_UNICAST) {
		r = LOOM_DROP_L2_MULTICAST;
		goto drop;
	}
	return true;
drop:
	pkt_drop(in, m, r);
	return false;
}

bool loom_switch_classify(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, struct loom_pkt_meta *meta)
{
	return classify(sw, in, m, meta);
}

/* A port whose link is down or lossy (core/link_fault.h): drop what the
 * link loses; keep the rest in pkts[]; how many are left. */
static __rte_noinline uint16_t link_fault_receive(struct loom_port *in, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
		enum loom_drop_reason r = link_fault_rx_verdict(in->fault, len);

		if (r == LOOM_DROP_NONE) {
			pkts[k++] = pkts[i];
			continue;
		}
		in->c.rx_bytes += len;
		pkt_drop(in, pkts[i], r);
	}
	return k;
}

/* noinline: one copy of the body, the IPv4 fast path inlined in it; its
 * callers (switch_receive.h) test for observation first. */
__attribute__((noinline)) void loom_switch_receive_stages(struct loom_switch *sw, uint16_t port,
							  struct rte_mbuf **pkts, uint16_t n, loom_time_ns now)
{
	struct loom_port *in = &sw->ports[port];
	const struct loom_switch_mode *mode = sw->mode;
	struct loom_pkt_meta meta[LOOM_BURST];
	const struct loom_pkt_meta *routed_meta[LOOM_BURST];
	struct rte_mbuf *routed[LOOM_BURST];
	uint16_t n_routed = 0;

	if (sw->tm)
		sw->tm->now = now;
	in->c.rx_packets += n;
	if (unlikely(in->fault != NULL) && (n = link_fault_receive(in, pkts, n)) == 0)
		return;
	/* Headers of the whole burst asked for before the first is parsed:
	 * in a fabric, a frame last touched several hops (and delay lines)
	 * ago is out of the cache, and the misses then overlap instead of
	 * stalling the parser one after another. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	/* the common case, when the native stages forward */
	if (mode->fast_path && ipv4_fast_path(sw, in, pkts, n, now))
		return;
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(mode->receive_frame != NULL) && mode->receive_frame(sw, in, pkts[i], now))
			continue;
		if (!classify(sw, in, pkts[i], &meta[i]))
			continue;
		routed[n_routed] = pkts[i];
		routed_meta[n_routed] = &meta[i];
		n_routed++;
	}
	if (n_routed > 0)
		mode->forward(sw, in, routed, routed_meta, n_routed, now);
}

void loom_native_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **routed,
			 const struct loom_pkt_meta **routed_meta, uint16_t n_routed, loom_time_ns now)
{
	uint32_t groups[LOOM_BURST];

	ip_route_lookup_burst(sw, routed_meta, n_routed, groups);

	/* The rest in passes over the burst, each doing one thing for every
	 * packet: the loads of one pass (hash, group members, next hops) do
	 * not wait on the stores of another (the packets' headers), so the CPU
	 * works on several packets at once. */
	const struct loom_nexthop *nhs[LOOM_BURST];
	struct egress_batch eg[LOOM_BURST];
	uint8_t slot[sw->n_ports];
	uint16_t n_fwd = 0, n_eg = 0;

	memset(slot, 0xff, sw->n_ports);

	for (uint16_t i = 0; i < n_routed; i++) {
		enum loom_drop_reason r = LOOM_DROP_NO_ROUTE;

		if (groups[i] != LOOM_GROUP_NONE)
			r = ip_ttl_decrement(routed[i], routed_meta[i]);
		if (r != LOOM_DROP_NONE) {
			pkt_drop(in, routed[i], r);
			continue;
		}
		routed[n_fwd] = routed[i];
		routed_meta[n_fwd] = routed_meta[i];
		groups[n_fwd] = groups[i];
		n_fwd++;
	}
	for (uint16_t i = 0; i < n_fwd; i++)
		nhs[i] = member_select(sw, groups[i], routed_meta[i], rte_pktmbuf_pkt_len(routed[i]), now);
	for (uint16_t i = 0; i < n_fwd; i++) {
		eth_rewrite(routed[i], nhs[i]);
		n_eg = egress_batch_add(eg, slot, n_eg, nhs[i]->port, routed[i], routed_meta[i]);
	}
	egress_batch_output(sw, in, eg, n_eg, true, now);
}

/* Each part of the switch with timers has its own function returning its
 * next time; the switch's next time is the earliest of them. */
loom_time_ns loom_switch_run_timers(struct loom_switch *sw, loom_time_ns now)
{
	loom_time_ns next = LOOM_TIME_NEVER, t;

	/* Timers may enqueue (cell reassembly, held VOQs): at their time. */
	if (sw->tm)
		sw->tm->now = now;
	t = tm_run_timers(sw, now); /* PFC pause refresh */
	if (t < next)
		next = t;
	t = loom_lb_run_timers(sw, now); /* port load sampling, imbalance window */
	if (t < next)
		next = t;
	if (sw->mode->run_timers != NULL) { /* a cell fabric's credits, reassembly, faults */
		t = sw->mode->run_timers(sw, now);
		if (t < next)
			next = t;
	}
	return next;
}

const struct loom_switch_mode loom_native_mode = {
	.name = "native",
	.forward = loom_native_forward,
	.fast_path = true,
	.cut_through = true,
};
