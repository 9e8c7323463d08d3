/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 fast path: a burst in which every packet is plain routed IPv4 goes
 * through the native stages fused into a few passes over the burst, with
 * no per-packet metadata in between (as DPDK's l3fwd does). Profiles of
 * the staged path showed the time spread thinly over its stages, much of
 * it writing and reading back struct loom_pkt_meta; this path is what a
 * fabric carries nearly all the time, the staged path the rest.
 *
 * Reads: each packet's Ethernet and IPv4/UDP/TCP headers (plain IPv4 as
 * core/pkt_parse_ipv4.h defines it), the ingress port's MAC and gateway,
 * the switch's IPv4 routes, groups and next hops.
 * Sets: what the staged path would: ingress counters, TTL and checksum,
 * member counters (load balancing), MACs, and the packets on their egress
 * ports' queues or wires (or dropped as no_route).
 *
 * A packet is "plain routed" when it is plain IPv4, unicast to the
 * ingress port's MAC, not addressed to the port's gateway (echo requests
 * and the like: neigh_answer.c) and its TTL is above 1. If any packet of
 * the burst is not, the burst is left untouched for the staged path
 * (switch_handlers.c): order within the burst is kept, and everything
 * else (ARP, IPv6, VLANs, PFC frames, drops with a reason) has one home.
 * tests/packet/ checks both paths give the same frames and counters.
 */
#include <rte_byteorder.h>
#include <rte_fib.h>

#include "egress_batch.h"
#include "pkt_parse_ipv4.h"
#include "stages.h"

/* A MAC in the low 48 bits of a word (memory order), and a frame's
 * destination compared with it: two loads and a compare instead of a
 * byte-wise compare (the frame is at least 34 bytes: the plain check). */
static inline uint64_t mac_word(const struct rte_ether_addr *a)
{
	uint64_t w = 0;

	memcpy(&w, a, RTE_ETHER_ADDR_LEN);
	return w;
}

static inline bool mac_is(const uint8_t *frame, uint64_t mac)
{
	uint64_t w;

	memcpy(&w, frame, sizeof(w));
	return ((w ^ mac) & rte_cpu_to_le_64(0xffffffffffffull)) == 0;
}

/* First pass: true when every packet is plain routed; fills each one's
 * destination (host order, for the FIB) and the words its flow hash is
 * made of. Touches nothing. */
static inline bool plain_routed_burst(const struct loom_port *in, struct rte_mbuf **pkts, uint16_t n, uint32_t *dst,
				      uint64_t *ports_word, uint64_t *addr_word, uint64_t *bytes)
{
	uint64_t in_mac = mac_word(&in->mac), sum = 0;
	/* loaded once: the stores to dst[] could alias them for the compiler */
	bool gw_answers = in->host_facing;
	uint32_t gw = in->gw_v4;
	/* The port's MTU as an untagged frame: a longer one is left to the
	 * staged path, which drops it under mtu_exceeded. This compare is also
	 * all the fast path asks of a chained mbuf: the plain check holds the
	 * IP packet to the first buffer (total length <= its data), and a
	 * chain is left to the staged path (frame_too_long) otherwise. */
	uint16_t max_frame = in->max_plain_frame;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		struct loom_ipv4_plain f;

		if (unlikely(rte_pktmbuf_data_len(m) > max_frame) || !loom_parse_ipv4_plain(d, rte_pktmbuf_data_len(m), &f) ||
		    !mac_is(d, in_mac) || f.ttl <= 1 || (gw_answers && f.dst == gw))
			return false;
		dst[i] = rte_be_to_cpu_32(f.dst);
		ports_word[i] = loom_flow_hash_ports_word32(f.ports, f.proto, 0);
		addr_word[i] = ((uint64_t)f.src << 32) | f.dst;
		sum += rte_pktmbuf_pkt_len(m);
	}
	*bytes = sum;
	return true;
}

/* Groups with a policy other than ecmp choose for the whole burst before
 * the member pass, one call per run of packets of one group (a policy
 * such as round robin then costs no call per packet), when the burst's
 * first packet is in such a group: in a fabric, a burst is nearly always
 * of one group or of groups of one policy. Otherwise (false) those packets
 * ask their policy one by one in the member pass. Either way each asks
 * once, in packet order; no_route packets never do. */
static bool policy_picks_burst(struct loom_switch *sw, const struct member_tables *t, struct rte_mbuf **pkts,
			       const uint64_t *group, uint64_t no_route, const uint32_t *hash, uint16_t n,
			       loom_time_ns now, uint16_t *pick)
{
	uint32_t len[LOOM_BURST];

	if (group[0] == no_route || member_group_inline(&t->groups[(uint32_t)group[0]]))
		return false;
	for (uint16_t i = 0; i < n;) {
		uint16_t run = 0;

		if (group[i] == no_route || member_group_inline(&t->groups[(uint32_t)group[i]])) {
			i++;
			continue;
		}
		do {
			len[i + run] = rte_pktmbuf_pkt_len(pkts[i + run]);
			run++;
		} while (i + run < n && group[i + run] == group[i]);
		loom_lb_select_burst(sw, (uint32_t)group[i], hash + i, len + i, run, now, pick + i);
		i += run;
	}
	return true;
}

/*
 * Passes over the burst, so that the CPU overlaps the packets' work
 * instead of running one packet's chain after another: the check, the
 * flow hashes (a chain of multiplies each), the route lookups (rte_fib's
 * bulk lookup), then one pass that forwards (TTL, member, MACs, egress
 * batch: the member and next hop are dependent loads, the rest works on
 * what they give; as two passes with the next hops stored in between it
 * took 8 instructions a packet more, docs/PERFORMANCE.md).
 */
bool ipv4_fast_path(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts, uint16_t n,
		    loom_time_ns now)
{
	uint32_t dst[LOOM_BURST], hash[LOOM_BURST];
	uint64_t ports_word[LOOM_BURST], addr_word[LOOM_BURST], group[LOOM_BURST], bytes;
	uint64_t seed_word = loom_flow_hash_seed_word(sw->hash_seed), no_route = sw->fib4_no_route;
	struct member_tables t;
	uint16_t pick[LOOM_BURST] = {0}; /* handed to member_choose even when unused */
	bool picked;
	struct egress_batch eg[LOOM_BURST];
	uint8_t slot[sw->n_ports];
	uint16_t n_eg = 0;

	if (!plain_routed_burst(in, pkts, n, dst, ports_word, addr_word, &bytes))
		return false;
	in->c.rx_bytes += bytes;
	sw->c.fast_path += n;
	for (uint16_t i = 0; i < n; i++)
		hash[i] = loom_flow_hash_ipv4_words(seed_word, ports_word[i], addr_word[i]);
	loom_route_lookup4_bulk(sw, dst, group, n);

	/* no route, or TTL, member (load balancing), MACs and egress batch;
	 * then out by egress port (port_output.c: the traffic manager, or the
	 * FIFO with cut-through) */
	member_tables_load(sw, &t);
	picked = policy_picks_burst(sw, &t, pkts, group, no_route, hash, n, now, pick);
	memset(slot, 0xff, sw->n_ports);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct loom_group *grp;
		const struct loom_nexthop *nh;
		uint32_t member;

		if (unlikely(group[i] == no_route)) {
			pkt_drop(in, m, LOOM_DROP_NO_ROUTE);
			continue;
		}
		ipv4_ttl_decrement(rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, LOOM_PLAIN_ETH_HLEN));
		grp = &t.groups[(uint32_t)group[i]];
		member = member_choose(sw, grp, (uint32_t)group[i], hash[i], rte_pktmbuf_pkt_len(m), now,
				       picked, pick[i]);
		nh = member_take(&t, member, rte_pktmbuf_pkt_len(m));
		eth_rewrite(m, nh);
		n_eg = egress_batch_add(eg, slot, n_eg, nh->port, m, NULL);
	}
	egress_batch_output(sw, in, eg, n_eg, false, now);
	return true;
}
