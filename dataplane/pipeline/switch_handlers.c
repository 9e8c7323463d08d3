/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's handlers: what happens when packets arrive on a port, and
 * when a port may transmit. A packet goes through, in order:
 *
 *   ipv4_fast_path.c a burst of plain routed IPv4 (nearly all traffic):
 *                    the stages below fused, no metadata; otherwise:
 *   pkt_parse.c      headers -> loom_pkt_meta (or a malformed-* drop)
 *   (here)           unicast destination MAC must be the ingress port's
 *   neigh_answer.c   ARP / neighbour solicitation / echo for the gateway
 *   -- sw->forward: the stages below, or a P4 program (dataplane/p4/) --
 *   ip_route.c       LPM on the destination -> ECMP group (or no_route)
 *   ip_ttl.c         TTL / hop limit -1 (or ttl_expired)
 *   member_select.c  group member by the group's load-balancing policy
 *                    (ecmp: seeded flow hash) -> next hop
 *   eth_rewrite.c    MACs of the egress port and the next hop
 *   reorder_measure.c  (leaf host ports) per-flow sequence: reordering
 *   port_output.c    egress port's traffic manager (dataplane/tm/) or FIFO
 *
 * In a cell fabric (dataplane/cell/), cell frames go to cell_receive
 * before the parser, a leaf's forward is cell_leaf_forward (VOQs, then its
 * own forwarding for the rest), and a port's control cells go first.
 *
 * Nothing here reads a clock or knows about rings, ethdevs or events: the
 * runner passes `now` and moves packets between the wire and these calls.
 */
#include <string.h>

#include <rte_prefetch.h>
#include <rte_ring.h>

#include "cell_fabric.h"
#include "egress_batch.h"
#include "lb_switch.h"
#include "stages.h"
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
	if (unlikely(meta->l3_kind == LOOM_L3_PFC)) {
		/* obeyed, not forwarded (tm_pfc.c) */
		if (sw->tm)
			tm_pfc_receive(sw, in, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off + 2),
				       sw->tm->now);
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

void loom_switch_receive(struct loom_switch *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
			 loom_time_ns now)
{
	struct loom_port *in = &sw->ports[port];
	struct loom_pkt_meta meta[LOOM_BURST];
	const struct loom_pkt_meta *routed_meta[LOOM_BURST];
	struct rte_mbuf *routed[LOOM_BURST];
	uint16_t n_routed = 0;

	if (sw->tm)
		sw->tm->now = now;
	in->c.rx_packets += n;
	/* Headers of the whole burst asked for before the first is parsed:
	 * in a fabric, a frame last touched several hops (and delay lines)
	 * ago is out of the cache, and the misses then overlap instead of
	 * stalling the parser one after another. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	/* the common case, when the native stages forward (not P4, not cells) */
	if (sw->forward == loom_native_forward && sw->cell == NULL && ipv4_fast_path(sw, in, pkts, n, now))
		return;
	for (uint16_t i = 0; i < n; i++) {
		/* cell fabric: cells and control cells (dataplane/cell/), on
		 * leaf-spine links only: one from a host is an unknown Ethertype */
		if (unlikely(sw->cell != NULL) && sw->cell->ports[port].is_spine_link &&
		    rte_pktmbuf_data_len(pkts[i]) >= RTE_ETHER_HDR_LEN &&
		    cell_is_frame(rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *))) {
			cell_receive(sw, in, pkts[i], now);
			continue;
		}
		if (!classify(sw, in, pkts[i], &meta[i]))
			continue;
		routed[n_routed] = pkts[i];
		routed_meta[n_routed] = &meta[i];
		n_routed++;
	}
	if (n_routed > 0)
		sw->forward(sw, in, routed, routed_meta, n_routed, now);
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

/* The FIFO of a port without a traffic manager. */
static inline uint16_t loom_fifo_dequeue(struct loom_port *p, struct rte_mbuf **out, uint16_t max)
{
	uint64_t bytes;
	uint16_t n = port_fifo_dequeue(p->outq, out, max, &bytes);

	p->c.tx_bytes += bytes;
	p->c.tx_packets += n;
	return n;
}

uint16_t loom_switch_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf **out, uint16_t max,
			      loom_time_ns now)
{
	struct loom_port *p = &sw->ports[port];

	if (sw->tm)
		sw->tm->now = now; /* a dequeue may ask for PFC frames, stamped now */
	if (unlikely(sw->cell != NULL)) {
		/* control cells before anything else the port has */
		uint16_t c = cell_ctrl_dequeue(sw, port, out, max);

		if (c == 0)
			c = p->tm ? tm_dequeue_burst(sw, p, out, max, now) : loom_fifo_dequeue(p, out, max);
		cell_capture_tx(sw, port, out, c, now);
		return c;
	}
	if (p->tm)
		return tm_dequeue_burst(sw, p, out, max, now);
	return loom_fifo_dequeue(p, out, max);
}

uint32_t loom_switch_queued(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];
	uint32_t ctrl = unlikely(sw->cell != NULL) && sw->cell->ports[port].ctrlq ?
				rte_ring_count(sw->cell->ports[port].ctrlq) : 0;

	if (p->tm)
		return tm_queued(p->tm) + ctrl;
	return (p->outq ? p->outq->count : 0) + ctrl;
}

void loom_switch_prefetch_transmit(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];

	if (p->tm)
		tm_prefetch_heads(p->tm);
	else if (p->outq && p->outq->count)
		rte_prefetch0(p->outq->pkts[p->outq->head]);
}

uint64_t loom_switch_queued_bytes(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];
	uint64_t ctrl = unlikely(sw->cell != NULL) ? sw->cell->ports[port].ctrl_bytes : 0;

	return (p->tm ? p->tm->bytes : p->outq ? p->outq->bytes : 0) + ctrl;
}

loom_time_ns loom_switch_next_tx_time(const struct loom_switch *sw, uint16_t port, loom_time_ns now)
{
	const struct loom_port *p = &sw->ports[port];

	if (unlikely(sw->cell != NULL) && sw->cell->ports[port].ctrl_bytes > 0)
		return now;
	if (p->tm)
		return tm_next_tx_time(p, now);
	return loom_switch_queued(sw, port) > 0 ? now : LOOM_TIME_NEVER;
}

/* Each part of the switch with timers has its own function returning its
 * next time; the switch's next time is the earliest of them. */
loom_time_ns loom_switch_run_timers(struct loom_switch *sw, loom_time_ns now)
{
	/* Each part's timers return their next time; the switch's is the
	 * earliest of them. Traffic manager: PFC pause refresh. */
	loom_time_ns next = LOOM_TIME_NEVER, t;

	/* Timers may enqueue (cell reassembly, held VOQs): at their time. */
	if (sw->tm)
		sw->tm->now = now;
	t = tm_run_timers(sw, now);
	if (t < next)
		next = t;
	t = loom_lb_run_timers(sw, now); /* port load sampling, imbalance window */
	if (t < next)
		next = t;
	if (sw->cell) { /* credits, reassembly timeouts, request refresh, faults */
		t = cell_run_timers(sw, now);
		if (t < next)
			next = t;
	}
	return next;
}
