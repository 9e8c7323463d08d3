/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conga, conga_packet: CONGA's uplink choice (loom/lb/conga.h). The member
 * minimising max(local DRE, the destination leaf's fed-back metric for
 * it), ties to the first from the flow's round robin (loom/lb/lb_flow_rr.h).
 *
 *   conga         per flowlet, as the paper: a packet within the idle time
 *                 (lb_params.idle_time_ns, the flowlet gap) of its entry's
 *                 last one follows it; after a longer gap the flowlet is
 *                 placed anew. Entries of a table of flowlet_table_size
 *                 indexed by flow hash (flows may share one, as in hardware).
 *   conga_packet  every packet placed anew (the paper's per-packet variant,
 *                 its section 7 discussion).
 *
 * The remote metrics and the DREs come from the switch (struct lb_env's
 * conga view, filled by dataplane/conga/ for the packet being placed). A
 * switch without the overlay has none: the choice is then the flow's round
 * robin (every cost 0), and the counters are not kept.
 * Groups wider than LB_CONGA_TAGS: the first LB_CONGA_TAGS members.
 */
#include <errno.h>
#include <stdlib.h>

#include "loom/lb/conga.h"
#include "loom/lb/lb_flow_rr.h"
#include "loom/lb/lb_policy.h"

struct conga_flowlet {
	loom_time_ns last_seen;
	uint16_t member;
	bool valid;
};

struct conga_state {
	struct lb_flow_rr *rr;
	loom_time_ns gap;
	uint8_t slack;
	uint32_t mask;
	struct conga_flowlet e[];
};

static void *conga_new(const struct lb_params *p, uint32_t entries)
{
	struct conga_state *s = calloc(1, sizeof(*s) + (size_t)entries * sizeof(s->e[0]));

	if (!s)
		return NULL;
	s->rr = lb_flow_rr_new();
	if (!s->rr) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->gap = p->idle_time_ns;
	s->slack = p->conga_slack;
	s->mask = entries ? entries - 1 : 0;
	return s;
}

static void *conga_init(const struct lb_group_view *g, const struct lb_params *p)
{
	(void)g;
	return conga_new(p, p->flowlet_table_size);
}

static void *conga_packet_init(const struct lb_group_view *g, const struct lb_params *p)
{
	(void)g;
	return conga_new(p, 0);
}

static void conga_fini(void *state)
{
	struct conga_state *s = state;

	if (s)
		free(s->rr);
	free(s);
}

/* The member for a new flowlet (or packet) of the flow at `e`. */
static uint16_t conga_place(struct conga_state *s, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct lb_conga_view *v = g->env->conga;
	uint16_t n = g->n_members < LB_CONGA_TAGS ? g->n_members : LB_CONGA_TAGS;
	uint16_t *rr = lb_flow_rr_entry(s->rr, pkt->flow_hash);
	uint8_t local[LB_CONGA_TAGS];
	bool by_remote = false;
	uint16_t m;

	for (uint16_t i = 0; i < n; i++)
		local[i] = v ? lb_conga_dre_metric(&v->dre[g->members[i].port], v->dre_period_ns, g->members[i].rate_bps,
						   pkt->now)
			     : 0;
	m = lb_conga_pick(n, local, v ? v->remote : NULL, lb_flow_rr_peek(s->rr, rr, n), s->slack, &by_remote);
	lb_flow_rr_took(rr, m, n);
	if (v) {
		v->c.decisions++;
		v->c.by_remote += by_remote;
		v->c.remote_unknown += v->remote == NULL;
	}
	return m;
}

static uint16_t conga_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	struct conga_state *s = state;
	struct conga_flowlet *f = &s->e[pkt->flow_hash & s->mask];

	if (f->valid && pkt->now - f->last_seen < s->gap && f->member < g->n_members) {
		f->last_seen = pkt->now;
		return f->member;
	}
	f->member = conga_place(s, g, pkt);
	f->last_seen = pkt->now;
	f->valid = true;
	return f->member;
}

static uint16_t conga_packet_select(void *state, const struct lb_group_view *g, const struct lb_pkt *pkt)
{
	return conga_place(state, g, pkt);
}

const struct lb_policy lb_policy_conga = {
	.name = "conga",
	.summary = "per flowlet: the uplink least max(local DRE, destination leaf's metric) (CONGA overlay)",
	.init = conga_init,
	.fini = conga_fini,
	.select = conga_select,
};

const struct lb_policy lb_policy_conga_packet = {
	.name = "conga_packet",
	.summary = "per packet: the uplink least max(local DRE, destination leaf's metric) (CONGA overlay)",
	.init = conga_packet_init,
	.fini = conga_fini,
	.select = conga_packet_select,
};
