/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowlet: dynamic load balancing in the style of Broadcom DLB as SAI's
 * adaptive routing (ARS) standardizes it. A table of flowlet entries per
 * group (SAI max_flows, default 512) indexed by flow hash holds a member
 * and the time the entry last saw a packet. A packet that comes within the
 * idle time (SAI idle_time, default 256 us) of the previous one of its
 * entry follows it: the flowlet stays on its member, so its packets cannot
 * overtake each other. After a longer gap the packets ahead have drained,
 * and the new flowlet goes to the member of best quality (lowest load band,
 * lb_port_load.h, sampled every 16 us), ties broken at random.
 *
 * Entries age by their timestamps (compared on use), so no timer walks the
 * table; flows whose hashes share an entry share a flowlet, as in hardware.
 */
#include <errno.h>
#include <stdlib.h>

#include "loom/lb/lb_policy.h"

struct flowlet_entry {
	loom_time_ns last_seen;
	uint16_t member;
	bool valid;
};

struct flowlet {
	loom_time_ns idle_time;
	uint32_t mask;
	struct flowlet_entry e[];
};

static void *flowlet_init(const struct lb_group_view *g, const struct lb_params *p)
{
	struct flowlet *f = calloc(1, sizeof(*f) + p->flowlet_table_size * sizeof(struct flowlet_entry));

	(void)g;
	if (!f)
		return NULL;
	f->idle_time = p->idle_time_ns;
	f->mask = p->flowlet_table_size - 1;
	return f;
}

/* Lowest band among the members; among equals, each is chosen with equal
 * probability (reservoir sampling: the k-th equal replaces with 1/k). */
static uint16_t best_member(const struct lb_group_view *g)
{
	const struct lb_env *env = g->env;
	unsigned int best_band = LB_QUALITY_BANDS, n_best = 0;
	uint16_t best = 0;

	for (uint16_t i = 0; i < g->n_members; i++) {
		unsigned int band = env->port_load
					    ? lb_load_band(&env->port_load[g->members[i].port], env->load_params,
							   g->members[i].rate_bps)
					    : 0;
		if (band < best_band) {
			best_band = band;
			best = i;
			n_best = 1;
		} else if (band == best_band && lb_rng_below(env->rng, ++n_best) == 0) {
			best = i;
		}
	}
	return best;
}

static uint16_t flowlet_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct flowlet *f = state;
	struct flowlet_entry *e = &f->e[pkt->flow_hash & f->mask];

	if (!e->valid || pkt->now - e->last_seen >= f->idle_time || e->member >= g->n_members) {
		e->member = best_member(g);
		e->valid = true;
	}
	e->last_seen = pkt->now;
	return e->member;
}

/* The flowlet entry the packet falls in, the gap since it last saw a
 * packet, and whether that starts a new flowlet (a member chosen now). */
static void flowlet_explain(const void *state, const struct lb_group_view *g, const struct lb_pkt *pkt,
			    struct lb_explain *out)
{
	const struct flowlet *f = state;
	const struct flowlet_entry *e = &f->e[pkt->flow_hash & f->mask];
	bool fresh = !e->valid || pkt->now - e->last_seen >= f->idle_time || e->member >= g->n_members;

	out->n = 4;
	out->name[0] = "entry";
	out->value[0] = pkt->flow_hash & f->mask;
	out->name[1] = "gap_ns"; /* -1: the entry was empty */
	out->value[1] = e->valid ? (int64_t)(pkt->now - e->last_seen) : -1;
	out->name[2] = "idle_ns";
	out->value[2] = (int64_t)f->idle_time;
	out->name[3] = "new_flowlet";
	out->value[3] = fresh;
}

const struct lb_policy lb_policy_flowlet = {
	.name = "flowlet",
	.summary = "per flowlet: best quality band after an idle gap (SAI ARS / Broadcom DLB)",
	.uses_port_load = true,
	.init = flowlet_init,
	.fini = free,
	.select = flowlet_select,
	.explain = flowlet_explain,
};
