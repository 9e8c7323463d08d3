/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group member selection (load balancing). Reads: the packet's flow key
 * (5-tuple, the RoCEv2 destination QP, and the IPv6 flow label where the
 * switch hashes it), its length, `now`, the switch's hash seed and the
 * group's policy. Sets: the group's per-member packet and
 * byte counters; returns the next hop.
 *
 * The policy of the group decides (scheduler/, loom/lb/lb_policy.h): ecmp, the
 * default, is served inline (hash, multiply-shift; member_select_by_hash in
 * stages.h, which the IPv4 fast path calls with the hash it computed from
 * the packet); any other through the registry's function table.
 */
#include "lb_switch.h"
#include "loom/lb/flow_hash.h"
#include "stages.h"

const struct loom_nexthop *member_select(struct loom_switch *sw, uint32_t g, const struct loom_pkt_meta *meta,
					 uint32_t len, loom_time_ns now)
{
	/* a group of one needs no hash */
	uint32_t hash = 0;
	struct member_tables t;

	if (sw->groups[g].n_members > 1)
		hash = loom_flow_hash_inline(&meta->key, loom_flow_hash_label_seed(sw->hash_seed, meta->key.flow_label &
										  sw->hash_flow_label_mask));

	member_tables_load(sw, &t);
	return member_select_by_hash(sw, &t, g, hash, len, now);
}
