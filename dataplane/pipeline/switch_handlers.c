/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's handlers: what happens when packets arrive on a port, and
 * when a port may transmit. A packet goes through, in order:
 *
 *   pkt_parse.c      headers -> loom_pkt_meta (or a malformed-* drop)
 *   (here)           unicast destination MAC must be the ingress port's
 *   neigh_answer.c   ARP / neighbour solicitation / echo for the gateway
 *   ip_route.c       LPM on the destination -> ECMP group (or no_route)
 *   ip_ttl.c         TTL / hop limit -1 (or ttl_expired)
 *   ecmp_select.c    group member by the seeded flow hash -> next hop
 *   eth_rewrite.c    MACs of the egress port and the next hop
 *   port_output.c    egress port's output queue (or queue_full)
 *
 * Nothing here reads a clock or knows about rings, ethdevs or events: the
 * runner passes `now` and moves packets between the wire and these calls.
 */
#include <rte_ring.h>

#include "stages.h"

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
	uint32_t groups[LOOM_BURST];
	uint16_t n_routed = 0;

	(void)now; /* the traffic manager and load balancers will use it */

	in->c.rx_packets += n;
	for (uint16_t i = 0; i < n; i++) {
		if (!classify(sw, in, pkts[i], &meta[i]))
			continue;
		routed[n_routed] = pkts[i];
		routed_meta[n_routed] = &meta[i];
		n_routed++;
	}
	if (n_routed == 0)
		return;

	ip_route_lookup_burst(sw, routed_meta, n_routed, groups);

	for (uint16_t i = 0; i < n_routed; i++) {
		struct rte_mbuf *m = routed[i];
		const struct loom_pkt_meta *pm = routed_meta[i];
		const struct loom_nexthop *nh;
		enum loom_drop_reason r;

		if (groups[i] == LOOM_GROUP_NONE) {
			pkt_drop(in, m, LOOM_DROP_NO_ROUTE);
			continue;
		}
		r = ip_ttl_decrement(m, pm);
		if (r != LOOM_DROP_NONE) {
			pkt_drop(in, m, r);
			continue;
		}
		nh = ecmp_select(sw, groups[i], pm);
		eth_rewrite(m, &sw->ports[nh->port], nh);
		port_output(sw, &sw->ports[nh->port], m);
	}
}

uint16_t loom_switch_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf **out, uint16_t max,
			      loom_time_ns now)
{
	struct loom_port *p = &sw->ports[port];
	unsigned int n;

	(void)now; /* the shaper of the traffic manager will use it */
	n = rte_ring_sc_dequeue_burst(p->outq, (void **)out, max, NULL);
	for (unsigned int i = 0; i < n; i++)
		p->c.tx_bytes += rte_pktmbuf_pkt_len(out[i]);
	p->c.tx_packets += n;
	return (uint16_t)n;
}

uint32_t loom_switch_queued(const struct loom_switch *sw, uint16_t port)
{
	const struct loom_port *p = &sw->ports[port];
	return p->outq ? rte_ring_count(p->outq) : 0;
}
