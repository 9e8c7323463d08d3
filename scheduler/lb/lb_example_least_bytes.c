/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The example policy (docs/POLICIES.md walks through it): send each packet
 * to the member this group has sent the fewest bytes to so far. Per packet,
 * so it reorders like spraying, but it evens out bytes rather than packets
 * when packet sizes differ. It shows every part of the interface: state
 * made by init and freed by fini, a decision in select, bookkeeping in
 * feedback.
 */
#include <stdlib.h>

#include "loom/lb/lb_policy.h"

struct least_bytes {
	uint16_t n_members;
	uint64_t sent[]; /* [n_members]: bytes handed to each member */
};

static void *least_bytes_init(const struct lb_group_view *g, const struct lb_params *p)
{
	struct least_bytes *s = calloc(1, sizeof(*s) + g->n_members * sizeof(uint64_t));

	(void)p;
	if (s)
		s->n_members = g->n_members;
	return s;
}

static uint16_t least_bytes_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	const struct least_bytes *s = state;
	uint16_t best = 0;

	(void)pkt;
	for (uint16_t i = 1; i < g->n_members && i < s->n_members; i++)
		if (s->sent[i] < s->sent[best])
			best = i;
	return best;
}

static void least_bytes_feedback(void *state, const struct lb_group_view *g, uint16_t member, const struct lb_pkt *pkt)
{
	struct least_bytes *s = state;

	(void)g;
	s->sent[member] += pkt->len;
}

const struct lb_policy lb_policy_least_bytes = {
	.name = "least_bytes",
	.summary = "example: per packet, the member this group sent the fewest bytes to",
	.init = least_bytes_init,
	.fini = free,
	.select = least_bytes_select,
	.feedback = least_bytes_feedback,
};
