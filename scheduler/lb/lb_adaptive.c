/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet adaptive routing on the queues as they are now.
 *   adaptive  the member whose output queue drains soonest (queued bytes
 *             over link rate), ties at random: InfiniBand adaptive routing
 *             and Spectrum-X choose per packet by egress queue depth.
 *   drill     DRILL (Ghorbani et al., SIGCOMM 2017): compare only d random
 *             members plus the m best of the previous choice (default
 *             d = 2, m = 1: "DRILL(2,1)"), which costs O(d + m) instead of
 *             O(n) and, thanks to the memory, avoids herding onto one queue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom/lb/lb_policy.h"

static uint16_t adaptive_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	double best_cost = 0;
	uint16_t best = 0, n_best = 0;

	(void)state;
	(void)pkt;
	for (uint16_t i = 0; i < g->n_members; i++) {
		double cost = lb_member_queue_cost(g, i);

		if (n_best == 0 || cost < best_cost) {
			best_cost = cost;
			best = i;
			n_best = 1;
		} else if (cost == best_cost && lb_rng_below(g->env->rng, ++n_best) == 0) {
			best = i;
		}
	}
	return best;
}

const struct lb_policy lb_policy_adaptive = {
	.name = "adaptive",
	.summary = "per packet: least queued (bytes / link rate), ties at random",
	.select = adaptive_select,
};

#define DRILL_MAX_M 8

struct drill {
	uint8_t d, m;
	uint16_t memory[DRILL_MAX_M]; /* the m least loaded of the last choice */
};

static void *drill_init(const struct lb_group_view *g, const struct lb_params *p)
{
	struct drill *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->d = p->drill_d;
	s->m = p->drill_m < g->n_members ? p->drill_m : (uint8_t)g->n_members;
	for (uint8_t k = 0; k < s->m; k++)
		s->memory[k] = k; /* any start: the first packets replace it */
	return s;
}

/* Insert (member, cost) into the sorted list of the best `m` so far. */
static void keep_best(uint16_t *mem, double *cost, unsigned int *n, unsigned int m, uint16_t member, double c)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (mem[i] == member)
			return; /* sampled twice */
	if (*n == m && c >= cost[m - 1])
		return;
	i = *n < m ? (*n)++ : m - 1;
	while (i > 0 && cost[i - 1] > c) {
		mem[i] = mem[i - 1];
		cost[i] = cost[i - 1];
		i--;
	}
	mem[i] = member;
	cost[i] = c;
}

static uint16_t drill_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct drill *s = state;
	uint16_t best[DRILL_MAX_M + 1];
	double cost[DRILL_MAX_M + 1];
	unsigned int n = 0, keep = s->m > 0 ? s->m : 1;

	(void)pkt;
	/* Remembered members first: a random sample only displaces them
	 * when strictly less loaded. */
	for (uint8_t k = 0; k < s->m; k++)
		keep_best(best, cost, &n, keep, s->memory[k], lb_member_queue_cost(g, s->memory[k]));
	for (uint8_t k = 0; k < s->d; k++) {
		uint16_t i = (uint16_t)lb_rng_below(g->env->rng, g->n_members);
		keep_best(best, cost, &n, keep, i, lb_member_queue_cost(g, i));
	}
	for (uint8_t k = 0; k < s->m && k < n; k++)
		s->memory[k] = best[k];
	return best[0];
}

const struct lb_policy lb_policy_drill = {
	.name = "drill",
	.summary = "per packet: DRILL(d, m), least queued of d random members plus the m last best",
	.init = drill_init,
	.fini = free,
	.select = drill_select,
};
