/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages of a switch's pipeline, in the order a packet meets them.
 * Each lives in its own file; switch_handlers.c strings them together.
 */
#ifndef LOOM_STAGES_H
#define LOOM_STAGES_H

#include <rte_mbuf.h>

#include "pkt_meta.h"
#include "switch.h"

/* Group value the route tables return when nothing matches. */
#define LOOM_GROUP_NONE UINT32_MAX

/* switch_handlers.c: the native pipeline's forwarding of routed packets
 * (route, TTL, ECMP, MAC rewrite, output); a switch's default `forward`. */
void loom_native_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
			 const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now);

/* neigh_answer.c: is this a packet the switch answers or must drop itself
 * (ARP, IPv6 ND, ICMP echo to its gateway, other traffic to the gateway)?
 * Returns true when it took the packet. */
bool neigh_answer(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m,
		  const struct loom_pkt_meta *meta, enum loom_drop_reason *drop);

/* ip_route.c: longest-prefix match of each packet's destination; writes the
 * group index (or LOOM_GROUP_NONE) into groups[i]. */
void ip_route_lookup_burst(const struct loom_switch *sw, const struct loom_pkt_meta *const *meta,
			   uint16_t n, uint32_t *groups);

/* ip_ttl.c: decrement TTL / hop limit, updating the IPv4 checksum
 * incrementally. Returns TTL_EXPIRED when the packet must not go on. */
enum loom_drop_reason ip_ttl_decrement(struct rte_mbuf *m, const struct loom_pkt_meta *meta);

/* member_select.c: the next hop of group `g` for this packet (its `len`
 * bytes counted on the member), by the group's load-balancing policy. */
const struct loom_nexthop *member_select(struct loom_switch *sw, uint32_t g, const struct loom_pkt_meta *meta,
					 uint32_t len, loom_time_ns now);

/* reorder_measure.c: count the packet in its flow's reorder measurement
 * (ports with reorder_measured: leaf ports facing hosts). */
void reorder_measure(struct loom_switch *sw, uint16_t port, const struct rte_mbuf *m, const struct loom_pkt_meta *meta,
		     loom_time_ns now);

/* eth_rewrite.c: source MAC = egress port's, destination = next hop's. */
void eth_rewrite(struct rte_mbuf *m, const struct loom_nexthop *nh);

/* port_output.c: put packets that came in on `in_port` on the egress
 * port's output queues (traffic manager, or the FIFO when it is off);
 * what is not admitted is dropped and counted on the egress port. */
void port_output_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		       uint16_t n);
/* A packet the switch made itself (a reply): no ingress port to account. */
static inline void port_output(struct loom_switch *sw, struct loom_port *out, struct rte_mbuf *m)
{
	port_output_burst(sw, out, 0xffff, &m, 1);
}

/* Count a drop on `port` under `reason` and free the packet. */
static inline void pkt_drop(struct loom_port *port, struct rte_mbuf *m, enum loom_drop_reason reason)
{
	port->c.drops[reason]++;
	rte_pktmbuf_free(m);
}

#endif
