/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet spraying: every packet may take another member, so that even
 * a single elephant flow uses every link; the receiver pays in reordering.
 *   spray           round robin: member k, k+1, ... (exactly even in packets)
 *   spray_random    uniform random member (the switch's seeded PRNG)
 *   spray_weighted  in proportion to the members' link rates, by smooth
 *                   weighted round robin (nginx): each packet, every member
 *                   gains its weight, the richest is chosen and pays the
 *                   total; over sum(weights) packets each member gets
 *                   exactly its weight, interleaved rather than in runs.
 */
#include <errno.h>
#include <stdlib.h>

#include "loom/lb/lb_policy.h"

struct spray_rr {
	uint16_t next;
};

static void *rr_init(const struct lb_group_view *g, const struct lb_params *p)
{
	(void)g;
	(void)p;
	return calloc(1, sizeof(struct spray_rr));
}

static uint16_t rr_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct spray_rr *s = state;
	uint16_t m = s->next;

	(void)pkt;
	s->next = (uint16_t)(m + 1 == g->n_members ? 0 : m + 1);
	return m < g->n_members ? m : 0;
}

static void rr_select_burst(void *state, const struct lb_group_view *g, const uint32_t *flow_hash,
			    const uint32_t *len, uint16_t n, loom_time_ns now, uint16_t *members)
{
	struct spray_rr *s = state;
	uint16_t n_members = g->n_members, m = s->next < n_members ? s->next : 0, i = 0;

	(void)flow_hash;
	(void)len;
	(void)now;
	/* in rounds from m up to the last member: the only chain from one
	 * packet to the next is a count, not a compare-and-wrap */
	while (i < n) {
		for (; m < n_members && i < n; m++)
			members[i++] = m;
		if (m == n_members)
			m = 0;
	}
	s->next = m;
}

const struct lb_policy lb_policy_spray = {
	.name = "spray",
	.summary = "per packet: round robin over the members",
	.init = rr_init,
	.fini = free,
	.select = rr_select,
	.select_burst = rr_select_burst,
};

static uint16_t random_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	(void)state;
	(void)pkt;
	return (uint16_t)lb_rng_below(g->env->rng, g->n_members);
}

static void random_select_burst(void *state, const struct lb_group_view *g, const uint32_t *flow_hash,
				const uint32_t *len, uint16_t n, loom_time_ns now, uint16_t *members)
{
	(void)state;
	(void)flow_hash;
	(void)len;
	(void)now;
	for (uint16_t i = 0; i < n; i++)
		members[i] = (uint16_t)lb_rng_below(g->env->rng, g->n_members);
}

const struct lb_policy lb_policy_spray_random = {
	.name = "spray_random",
	.summary = "per packet: uniformly random member (seeded)",
	.select = random_select,
	.select_burst = random_select_burst,
};

struct spray_weighted {
	uint16_t n;
	int64_t total;
	int64_t weight[]; /* then current[n] */
};

/* Weights in Mb/s so that sums of many 400G links stay far from overflow;
 * a link without a rate (or below 1 Mb/s) weighs 1. */
static void *weighted_init(const struct lb_group_view *g, const struct lb_params *p)
{
	struct spray_weighted *s = calloc(1, sizeof(*s) + 2 * g->n_members * sizeof(int64_t));

	(void)p;
	if (!s)
		return NULL;
	s->n = g->n_members;
	for (uint16_t i = 0; i < g->n_members; i++) {
		int64_t w = (int64_t)(g->members[i].rate_bps / 1000000);
		s->weight[i] = w > 0 ? w : 1;
		s->total += s->weight[i];
	}
	return s;
}

static uint16_t weighted_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct spray_weighted *s = state;
	int64_t *current = s->weight + s->n;
	uint16_t best = 0;

	(void)g;
	(void)pkt;
	for (uint16_t i = 0; i < s->n; i++) {
		current[i] += s->weight[i];
		if (current[i] > current[best])
			best = i;
	}
	current[best] -= s->total;
	return best;
}

const struct lb_policy lb_policy_spray_weighted = {
	.name = "spray_weighted",
	.summary = "per packet: in proportion to link rates (smooth weighted round robin)",
	.init = weighted_init,
	.fini = free,
	.select = weighted_select,
};
