/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lab 8, a solution: the power of two choices (Mitzenmacher, 2001). Per
 * packet, look at two members drawn at random and take the one whose queue
 * drains first. Two samples are almost as good as looking at every member,
 * and cost two reads whatever the group's size (DRILL, SIGCOMM 2017, adds a
 * memory of the last best member: docs/POLICIES.md).
 */
#include "loom/lb/lb_policy.h"

static uint16_t my_policy_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	uint16_t a = (uint16_t)lb_rng_below(g->env->rng, g->n_members);
	uint16_t b = (uint16_t)lb_rng_below(g->env->rng, g->n_members);

	(void)state;
	(void)pkt;
	return lb_member_queue_cost(g, b) < lb_member_queue_cost(g, a) ? b : a;
}

const struct lb_policy lb_policy_my_policy = {
	.name = "my_policy",
	.summary = "lab 8: the student's policy",
	.select = my_policy_select,
};
