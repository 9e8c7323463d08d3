/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowlet: dynamic load balancing in the style of Broadcom DLB as SAI's
 * adaptive routing (ARS) standardizes it. A table of flowlet entries per
 * group (SAI max_flows, default 512) indexed by flow hash holds a member
 * and the time the entry last saw a packet. A packet that comes within the
 * idle time (SAI idle_time, default 256 us; loomctl sets it from the
 * fabric's round-trip time, docs/POLICIES.md) of the previous one of its
 * entry follows it: the flowlet stays on its member, so its packets cannot
 * overtake each other. After a longer gap the packets ahead have drained,
 * and the new flowlet goes to the member whose queue drains first now
 * (queued bytes over link rate, read at this packet, as CONGA and LetFlow
 * place a flowlet on what the switch sees at its start), among equal
 * queues the lowest load band (lb_port_load.h, sampled every 16 us), ties
 * broken at random.
 *
 * Why the queue first: the sampled band alone cannot tell a busy link from
 * an overloaded one (past load clamps at line rate, and a queue of one BDP
 * is a few percent of the 256 us future scale), and it is up to 16 us old,
 * so flowlets starting together (a permutation's flows all start at once)
 * all saw the same bands and were placed at random, several on one uplink.
 * Why a gap near the RTT: a window-limited flow at 100G sends every few
 * microseconds, so a 256 us gap never comes and every flow stayed where its
 * first packet went; with a gap of about one RTT a flow whose window was
 * cut (a congested path, local or remote) pauses, starts a new flowlet and
 * moves, while a flow at full rate stays (LetFlow's argument).
 *
 * `placement: band` (lb_params.flowlet_placement) keeps the placement SAI
 * ARS describes and this policy had first: the lowest sampled load band,
 * ties at random, no queue read; flows that start together then spread
 * at random, not evenly (random per-flowlet placement is LetFlow's
 * argument: over many flowlets it balances well enough).
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
	bool by_band; /* placement: band (lowest sampled band, ties random) */
	uint32_t mask;
	uint16_t n_members;
	/* [member]: when the bytes this group handed the member have left its
	 * link at its rate (a queue does not count the frame on the wire) */
	loom_time_ns *free_at;
	uint64_t *ps_per_byte; /* [member]: its link's time per byte (no division per packet) */
	struct flowlet_entry e[];
};

static uint64_t member_rate(const struct lb_group_view *g, uint16_t i)
{
	return g->members[i].rate_bps ? g->members[i].rate_bps : 10000000000ull;
}

static void *flowlet_init(const struct lb_group_view *g, const struct lb_params *p)
{
	struct flowlet *f = calloc(1, sizeof(*f) + p->flowlet_table_size * sizeof(struct flowlet_entry));

	if (!f)
		return NULL;
	f->free_at = calloc(g->n_members, sizeof(*f->free_at));
	f->ps_per_byte = calloc(g->n_members, sizeof(*f->ps_per_byte));
	if (!f->free_at || !f->ps_per_byte) {
		free(f->free_at);
		free(f->ps_per_byte);
		free(f);
		return NULL;
	}
	for (uint16_t i = 0; i < g->n_members; i++)
		f->ps_per_byte[i] = 8000ull * LOOM_NS_PER_S / member_rate(g, i);
	f->idle_time = p->idle_time_ns;
	f->by_band = p->flowlet_placement == LB_FLOWLET_PLACE_BAND;
	f->mask = p->flowlet_table_size - 1;
	f->n_members = g->n_members;
	return f;
}

static void flowlet_fini(void *state)
{
	struct flowlet *f = state;

	if (f) {
		free(f->free_at);
		free(f->ps_per_byte);
	}
	free(f);
}

/* What member i has to send before a new packet gets out, in ns: its
 * queue now (lb_member_queue_cost), or what this group handed it that is
 * still on its way out (the frame on the wire, which no queue counts),
 * whichever is more. */
static double member_backlog_ns(const struct flowlet *f, const struct lb_group_view *g, uint16_t i,
				loom_time_ns now)
{
	double queue = lb_member_queue_cost(g, i);
	double own = f->free_at[i] > now ? (double)(f->free_at[i] - now) : 0;

	return queue > own ? queue : own;
}

/* placement: band. The lowest band among the members; among equals, each
 * is chosen with equal probability (reservoir sampling: the k-th equal
 * replaces with 1/k). */
static uint16_t best_band_member(const struct lb_group_view *g)
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

/* placement: queue. The member with the least to send (member_backlog_ns),
 * among equals the lowest band; among equals, each is chosen with equal
 * probability (reservoir sampling as above). */
static uint16_t best_member(const struct flowlet *f, const struct lb_group_view *g, loom_time_ns now)
{
	const struct lb_env *env = g->env;
	unsigned int best_band = LB_QUALITY_BANDS, n_best = 0;
	double best_cost = 0;
	uint16_t best = 0;

	if (f->by_band)
		return best_band_member(g);
	for (uint16_t i = 0; i < g->n_members; i++) {
		double cost = member_backlog_ns(f, g, i, now);
		unsigned int band = env->port_load
					    ? lb_load_band(&env->port_load[g->members[i].port], env->load_params,
							   g->members[i].rate_bps)
					    : 0;

		if (n_best == 0 || cost < best_cost || (cost == best_cost && band < best_band)) {
			best_cost = cost;
			best_band = band;
			best = i;
			n_best = 1;
		} else if (cost == best_cost && band == best_band && lb_rng_below(env->rng, ++n_best) == 0) {
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
		e->member = best_member(f, g, pkt->now);
		e->valid = true;
	}
	e->last_seen = pkt->now;
	if (e->member < f->n_members) {
		loom_time_ns start = f->free_at[e->member] > pkt->now ? f->free_at[e->member] : pkt->now;

		f->free_at[e->member] = start + (loom_time_ns)pkt->len * f->ps_per_byte[e->member] / 1000;
	}
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
	.summary = "per flowlet: after an idle gap, the least queued member, then best quality band (SAI ARS / DLB; placement: band = band only)",
	.uses_port_load = true,
	.init = flowlet_init,
	.fini = flowlet_fini,
	.select = flowlet_select,
	.explain = flowlet_explain,
};
