/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lab 8: your load-balancing policy (labs/8-lb-policy/README.md).
 *
 * A switch calls select() for every packet that has a choice of next hops
 * (an ECMP group: a leaf's uplinks, a spine's links toward a pod) and sends
 * the packet to the member it returns. It is built into loomd and loomctl
 * from this file (scheduler/meson.build); one line in
 * scheduler/include/loom/lb/lb_policies.def makes it selectable as
 * "my_policy". The interface, and more examples, are in
 * scheduler/include/loom/lb/lb_policy.h and scheduler/lb/lb_*.c.
 */
#include "loom/lb/lb_policy.h"

static uint16_t my_policy_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	(void)state;
	(void)pkt;
	/*
	 * TODO: return the member, 0 .. g->n_members - 1, this packet goes to.
	 * What you may use:
	 *   g->n_members                        how many next hops there are
	 *   g->members[i].port                  member i's egress port
	 *   g->env->queued_bytes(g->env->ctx, port)  bytes waiting on that port now
	 *   lb_member_queue_cost(g, i)           the same over the link's rate
	 *   lb_rng_below(g->env->rng, n)         a random number in [0, n): seeded, repeatable
	 *   pkt->flow_hash, pkt->len, pkt->now   the packet's flow hash, length, time
	 * As shipped, every packet takes the first member.
	 */
	return 0;
}

const struct lb_policy lb_policy_my_policy = {
	.name = "my_policy",
	.summary = "lab 8: the student's policy",
	.select = my_policy_select,
};
