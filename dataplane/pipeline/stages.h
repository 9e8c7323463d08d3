/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages of a switch's pipeline, in the order a packet meets them.
 * Each lives in its own file; switch_handlers.c strings them together.
 */
#ifndef LOOM_STAGES_H
#define LOOM_STAGES_H

#include <rte_fib.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "egress.h"
#include "lb_switch.h"
#include "loom/lb/ecmp.h"
#include "loom/route/lpm.h"
#include "pkt_meta.h"
#include "switch.h"

/* Group value the route tables return when nothing matches. */
#define LOOM_GROUP_NONE UINT32_MAX

/* IPv4 route lookups of a burst (host-order addresses): the group index,
 * or sw->fib4_no_route. rte_fib in a small fabric, else the LPM
 * (core/route_table.h); the branch is taken once a burst. */
static inline void loom_route_lookup4_bulk(const struct loom_switch *sw, const uint32_t *ip, uint64_t *nh, uint16_t n)
{
	if (likely(sw->fib4 != NULL)) {
		rte_fib_lookup_bulk(sw->fib4, (uint32_t *)(uintptr_t)ip, nh, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		nh[i] = loom_lpm_lookup4(sw->lpm, ip[i]);
}

/* switch_handlers.c: the native stages as a mode (core/switch_mode.h), a
 * switch's default; its forwarding of routed packets (route, TTL, ECMP,
 * MAC rewrite, output), which a cell leaf also uses for what is not cells. */
extern const struct loom_switch_mode loom_native_mode;
void loom_native_forward(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
			 const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now);

/* switch_handlers.c: its classification of one packet (parse, MTU, MAC,
 * answers): true when it goes on to forwarding, false when it was dropped
 * or answered. (The receive handler itself: switch_receive.h.) */
bool loom_switch_classify(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, struct loom_pkt_meta *meta);

/* ipv4_fast_path.c: forward the burst through the native stages fused,
 * when every packet in it is plain routed IPv4; false (nothing done) when
 * one is not: the caller takes the staged path. */
bool ipv4_fast_path(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts, uint16_t n,
		    loom_time_ns now);

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
/* The IPv4 part of it (the IPv4 fast path calls it directly). */
static inline void ipv4_ttl_decrement(struct rte_ipv4_hdr *ip)
{
	/* The TTL is the high byte of the 16-bit word it shares with the
	 * protocol: that word m drops by 0x0100, so ~m + m' = 0xFEFF and
	 * RFC 1624 eqn. 3 gives HC' = ~(~HC + 0xFEFF) (eqn. 3, not HC + 0x0100,
	 * so that a result of zero is 0x0000, never 0xFFFF). One's-complement
	 * sums do not depend on byte order (RFC 1071): the stored big-endian
	 * values are used as they are. */
	uint32_t sum = (uint16_t)~ip->hdr_checksum + (uint32_t)rte_cpu_to_be_16(0xFEFF);

	sum = (sum & 0xffff) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = (rte_be16_t)~sum;
}

/* member_select.c: the next hop of group `g` for this packet (its `len`
 * bytes counted on the member), by the group's load-balancing policy. */
const struct loom_nexthop *member_select(struct loom_switch *sw, uint32_t g, const struct loom_pkt_meta *meta,
					 uint32_t len, loom_time_ns now);

/* The tables member selection reads, loaded once per burst: the stores to
 * the member counters would otherwise make the compiler load them again
 * for every packet. Valid until the switch's tables change (control
 * requests run between bursts). */
struct member_tables {
	const struct loom_group *groups;
	const uint32_t *members;
	const struct loom_nexthop *nexthops;
	struct loom_lb_member_counters *c;
};

static inline void member_tables_load(const struct loom_switch *sw, struct member_tables *t)
{
	t->groups = sw->groups;
	t->members = sw->members;
	t->nexthops = sw->nexthops;
	t->c = sw->lb->c;
}

/* Groups whose member is chosen in line from the flow hash: ecmp, and
 * groups of one; the others ask their policy. */
static inline bool member_group_inline(const struct loom_group *grp)
{
	return grp->policy == LB_POLICY_ECMP || grp->n_members <= 1;
}

/* Member `member` (an index into sw->members) takes a packet of `len`
 * bytes: counted; returns its next hop. */
static inline const struct loom_nexthop *member_take(const struct member_tables *t, uint32_t member, uint32_t len)
{
	t->c[member].packets++;
	t->c[member].bytes += len;
	return &t->nexthops[t->members[member]];
}

/* The member (an index into sw->members) of group `grp` (number `g`) for
 * a packet of `len` bytes with this flow hash under sw->hash_seed
 * (loom/lb/flow_hash.h): ecmp in line; otherwise the group's policy, or
 * `pick` when `picked`, the choice it already made for the packet with a
 * run of the burst (not picked: ask it now). */
static inline uint32_t member_choose(struct loom_switch *sw, const struct loom_group *grp, uint32_t g,
				     uint32_t hash, uint32_t len, loom_time_ns now, bool picked, uint16_t pick)
{
	uint32_t member = grp->first;

	if (likely(member_group_inline(grp)))
		member += loom_ecmp_select(hash, grp->n_members); /* 0 in a group of one */
	else if (picked)
		member += pick;
	else
		member += loom_lb_select(sw, g, hash, len, now);
	return member;
}

/* The same as member_select, given the packet's flow hash. */
static inline const struct loom_nexthop *member_select_by_hash(struct loom_switch *sw, const struct member_tables *t,
							       uint32_t g, uint32_t hash, uint32_t len,
							       loom_time_ns now)
{
	return member_take(t, member_choose(sw, &t->groups[g], g, hash, len, now, false, 0), len);
}

/* reorder_measure.c: count the packet in its flow's reorder measurement
 * (ports with reorder_measured: leaf ports facing hosts). meta NULL: the
 * packet is parsed for it. */
void reorder_measure(struct loom_switch *sw, uint16_t port, const struct rte_mbuf *m, const struct loom_pkt_meta *meta,
		     loom_time_ns now);

/* eth_rewrite.c: source MAC = egress port's, destination = next hop's. */
void eth_rewrite(struct rte_mbuf *m, const struct loom_nexthop *nh);

#endif
