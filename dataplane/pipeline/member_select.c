/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group member selection (load balancing). Reads: the packet's flow key
 * (5-tuple, and the RoCEv2 destination QP), its length, `now`, the switch's
 * hash seed and the group's policy. Sets: the group's per-member packet and
 * byte counters; returns the next hop.
 *
 * The policy of the group decides (scheduler/, loom/lb_policy.h): ecmp, the
 * default, is served inline (hash, multiply-shift), as fast as before
 * policies existed; any other through the registry's function table.
 */
#include "lb_switch.h"
#include "loom/ecmp.h"
#include "loom/flow_hash.h"
#include "stages.h"

const struct loom_nexthop *member_select(struct loom_switch *sw, uint32_t g, const struct loom_pkt_meta *meta,
					 uint32_t len, loom_time_ns now)
{
	const struct loom_group *grp = &sw->groups[g];
	struct loom_lb_member_counters *c;
	uint32_t member = 0;

	if (grp->n_members > 1) {
		uint32_t hash = loom_flow_hash_inline(&meta->key, sw->hash_seed);

		if (likely(grp->policy == LB_POLICY_ECMP))
			member = loom_ecmp_select(hash, grp->n_members);
		else
			member = loom_lb_select(sw, g, hash, len, now);
	}
	c = &sw->lb->c[grp->first + member];
	c->packets++;
	c->bytes += len;
	return &sw->nexthops[sw->members[grp->first + member]];
}
