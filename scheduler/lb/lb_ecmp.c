/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ecmp: the seeded 5-tuple hash (loom_flow_hash), multiply-shift onto the
 * members. Every packet of a flow takes the same path: no reordering, but
 * flows that hash together share a link whatever the other links do. The
 * dataplane serves this policy inline (policy id 0); this entry is what
 * other runners and the tests call.
 */
#include "loom/lb/ecmp.h"
#include "loom/lb/lb_policy.h"

static uint16_t ecmp_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	(void)state;
	return (uint16_t)loom_ecmp_select(pkt->flow_hash, g->n_members);
}

const struct lb_policy lb_policy_ecmp = {
	.name = "ecmp",
	.summary = "per flow: seeded 5-tuple hash (the default)",
	.select = ecmp_select,
};
