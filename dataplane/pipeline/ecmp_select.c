/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP member selection. Reads: the packet's flow key (5-tuple, and the
 * RoCEv2 destination QP) and the switch's hash seed. Sets: nothing; returns
 * the next hop. The hash and the mapping onto members are scheduler/ code
 * (loom_flow_hash, loom_ecmp_select), shared with the virtual-time runner.
 */
#include "loom/ecmp.h"
#include "loom/flow_hash.h"
#include "stages.h"

const struct loom_nexthop *ecmp_select(const struct loom_switch *sw, uint32_t g, const struct loom_pkt_meta *meta)
{
	const struct loom_group *grp = &sw->groups[g];
	uint32_t member = 0;

	if (grp->n_members > 1)
		member = loom_ecmp_select(loom_flow_hash(&meta->key, sw->hash_seed), grp->n_members);
	return &sw->nexthops[sw->members[grp->first + member]];
}
