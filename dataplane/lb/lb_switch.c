/* SPDX-License-Identifier: BSD-3-Clause */
/* A switch's load-balancing state (lb_switch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress.h"
#include "lb_switch.h"
#include "page_arena.h"

static uint64_t env_queued_bytes(const void *ctx, uint16_t port)
{
	return loom_switch_queued_bytes(ctx, port);
}

static int lb_fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return -1;
}

int loom_lb_create(struct loom_switch *sw, const struct lb_params *p, uint16_t default_policy, loom_time_ns window_ns,
		   char *err, size_t errlen)
{
	struct loom_lb *lb = calloc(1, sizeof(*lb));
	const char *bad = lb_params_check(p);

	if (bad)
		return free(lb), lb_fail(err, errlen, "load_balancing: %s", bad);
	if (!lb)
		return lb_fail(err, errlen, "%s", "out of memory");
	sw->lb = lb;
	lb->params = *p;
	lb->default_policy = LB_POLICY_ECMP;
	lb->window_ns = window_ns ? window_ns : LOOM_LB_WINDOW_NS;
	/* Its own stream, repeatable for a given seed; the flow hash uses the
	 * seed differently, so the two are independent. */
	lb_rng_seed(&lb->rng, ((uint64_t)sw->hash_seed << 32) ^ 0x4c4f4f4dull ^ sw->id);
	lb->port_load = calloc(sw->n_ports, sizeof(*lb->port_load));
	lb->reorder = calloc(sw->n_ports, sizeof(*lb->reorder));
	lb->members = calloc(sw->n_members + 1, sizeof(*lb->members));
	lb->groups = calloc(sw->n_groups + 1, sizeof(*lb->groups));
	lb->c = calloc(sw->n_members + 1, sizeof(*lb->c));
	lb->window_start = calloc(sw->n_members + 1, sizeof(*lb->window_start));
	lb->window_bytes = calloc(sw->n_members + 1, sizeof(*lb->window_bytes));
	if (!lb->port_load || !lb->reorder || !lb->members || !lb->groups || !lb->c || !lb->window_start ||
	    !lb->window_bytes)
		return lb_fail(err, errlen, "%s", "out of memory");
	lb->env = (struct lb_env){.queued_bytes = env_queued_bytes, .ctx = sw, .port_load = lb->port_load,
				  .load_params = &lb->params.load, .rng = &lb->rng};
	for (uint32_t i = 0; i < sw->n_members; i++) {
		const struct loom_port *port = &sw->ports[sw->nexthops[sw->members[i]].port];
		lb->members[i] = (struct lb_member){.port = port->index, .rate_bps = port->rate_bps};
	}
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		lb->groups[g].view = (struct lb_group_view){.n_members = sw->groups[g].n_members,
							    .members = &lb->members[sw->groups[g].first],
							    .env = &lb->env};
		sw->groups[g].policy = LB_POLICY_ECMP;
	}
	/* Reordering is what a receiver sees: measured where packets leave
	 * the fabric, on leaf ports that face hosts. */
	for (uint16_t i = 0; i < sw->n_ports; i++) {
		if (sw->role != LOOM_ROLE_LEAF || !sw->ports[i].host_facing || !sw->ports[i].outq)
			continue;
		/* pages written only where a flow lands: a calloc'd table is
		 * resident whole (32 MB for 1024 hosts) when the heap reuses
		 * freed memory */
		if (lb_reorder_init_in(&lb->reorder[i], LOOM_LB_REORDER_FLOWS,
				       loom_page_arena_alloc(&loom_flow_table_arena,
							     LOOM_LB_REORDER_FLOWS * sizeof(struct lb_reorder_flow))) < 0)
			return lb_fail(err, errlen, "%s", "out of memory");
		sw->ports[i].reorder_measured = true;
	}
	if (default_policy != LB_POLICY_ECMP) {
		for (uint32_t g = 0; g < sw->n_groups; g++)
			if (sw->groups[g].n_members > 1 &&
			    loom_lb_set_group_policy_now(sw, g, default_policy, err, errlen) < 0)
				return -1;
	}
	lb->default_policy = default_policy;
	return 0;
}

static void group_state_free(uint16_t policy, void *state)
{
	const struct lb_policy *p = lb_policy_at(policy);

	if (p && p->fini && state)
		p->fini(state);
}

void loom_lb_free(struct loom_switch *sw)
{
	struct loom_lb *lb = sw->lb;

	if (!lb)
		return;
	for (uint32_t g = 0; lb->groups && g < sw->n_groups; g++)
		group_state_free(sw->groups[g].policy, lb->groups[g].state);
	for (uint16_t i = 0; lb->reorder && i < sw->n_ports; i++)
		lb_reorder_free(&lb->reorder[i]);
	free(lb->port_load);
	free(lb->reorder);
	free(lb->members);
	free(lb->groups);
	free(lb->c);
	free(lb->window_start);
	free(lb->window_bytes);
	free(lb);
	sw->lb = NULL;
}

static int group_state_new(struct loom_switch *sw, uint32_t g, uint16_t policy, const struct lb_params *params,
			   void **state, char *err, size_t errlen)
{
	const struct lb_policy *p = lb_policy_at(policy);

	*state = NULL;
	if (!p)
		return lb_fail(err, errlen, "%s", "no such policy");
	if (sw->groups[g].n_members < 2 || !p->init)
		return 0; /* a group of one never reaches a policy */
	*state = p->init(&sw->lb->groups[g].view, params);
	if (!*state)
		return lb_fail(err, errlen, "policy %s: cannot create its state", p->name);
	return 0;
}

static void group_policy_swap(struct loom_switch *sw, uint32_t g, uint16_t policy, void **state)
{
	struct loom_lb *lb = sw->lb;
	void *old = lb->groups[g].state;
	bool was = sw->groups[g].n_members > 1 && lb_policy_at(sw->groups[g].policy)->uses_port_load;
	bool is = sw->groups[g].n_members > 1 && lb_policy_at(policy)->uses_port_load;

	lb->groups[g].state = *state;
	*state = old;
	sw->groups[g].policy = policy;
	if (is && !was && lb->n_sampling++ == 0)
		lb->sample_next = 0; /* start sampling at the next timer run */
	if (was && !is)
		lb->n_sampling--;
}

int loom_lb_set_group_policy_now(struct loom_switch *sw, uint32_t g, uint16_t policy, char *err, size_t errlen)
{
	uint16_t old_policy = sw->groups[g].policy;
	void *state;

	if (group_state_new(sw, g, policy, &sw->lb->params, &state, err, errlen) < 0)
		return -1;
	group_policy_swap(sw, g, policy, &state);
	group_state_free(old_policy, state);
	return 0;
}

/* Group g's members changed from old_n to sw->groups[g].n_members: its
 * view follows, its policy's state is built anew (a policy that cannot
 * build one leaves the group to ecmp), the port load sampling count
 * follows. */
static void group_rebuild(struct loom_switch *sw, uint32_t g, uint16_t old_n)
{
	struct loom_lb *lb = sw->lb;
	struct loom_group *grp = &sw->groups[g];
	const struct lb_policy *p = lb_policy_at(grp->policy);
	bool was = old_n > 1 && p->uses_port_load;
	void *state = NULL;

	group_state_free(grp->policy, lb->groups[g].state);
	lb->groups[g].state = NULL;
	lb->groups[g].view.n_members = grp->n_members;
	lb->groups[g].view.members = &lb->members[grp->first];
	if (grp->n_members > 1 && p->init) {
		state = p->init(&lb->groups[g].view, &lb->params);
		if (!state) {
			grp->policy = LB_POLICY_ECMP;
			p = lb_policy_at(LB_POLICY_ECMP);
		}
	}
	lb->groups[g].state = state;
	bool is = grp->n_members > 1 && p->uses_port_load;
	if (is && !was && lb->n_sampling++ == 0)
		lb->sample_next = 0;
	if (was && !is)
		lb->n_sampling--;
}

void loom_lb_group_reorder(struct loom_switch *sw, uint32_t g, const uint32_t *order, uint16_t cap, uint16_t n)
{
	struct loom_lb *lb = sw->lb;
	struct loom_group *grp = &sw->groups[g];
	uint32_t f = grp->first, nh[cap];
	struct lb_member lm[cap];
	struct loom_lb_member_counters c[cap];
	uint64_t ws[cap], wb[cap];
	uint16_t old_n = grp->n_members;

	for (uint16_t i = 0; i < cap; i++) {
		nh[i] = sw->members[f + order[i]];
		lm[i] = lb->members[f + order[i]];
		c[i] = lb->c[f + order[i]];
		ws[i] = lb->window_start[f + order[i]];
		wb[i] = lb->window_bytes[f + order[i]];
	}
	memcpy(&sw->members[f], nh, sizeof(nh));
	memcpy(&lb->members[f], lm, sizeof(lm));
	memcpy(&lb->c[f], c, sizeof(c));
	memcpy(&lb->window_start[f], ws, sizeof(ws));
	memcpy(&lb->window_bytes[f], wb, sizeof(wb));
	grp->n_members = n;
	group_rebuild(sw, g, old_n);
}

void loom_lb_group_fill(struct loom_switch *sw, uint32_t g, const uint32_t *nh, uint16_t n, uint16_t policy)
{
	struct loom_lb *lb = sw->lb;
	struct loom_group *grp = &sw->groups[g];
	uint16_t old_n = grp->n_members;

	for (uint16_t i = 0; i < n; i++) {
		const struct loom_port *port = &sw->ports[sw->nexthops[nh[i]].port];

		sw->members[grp->first + i] = nh[i];
		lb->members[grp->first + i] = (struct lb_member){.port = port->index, .rate_bps = port->rate_bps};
		lb->c[grp->first + i] = (struct loom_lb_member_counters){0};
		lb->window_start[grp->first + i] = 0;
		lb->window_bytes[grp->first + i] = 0;
	}
	/* emptied under the policy it had (its state, the sampling count),
	 * then filled under the new one */
	grp->n_members = 0;
	group_rebuild(sw, g, old_n);
	grp->policy = policy;
	grp->n_members = n;
	group_rebuild(sw, g, 0);
}

int loom_lb_change_prepare(struct loom_lb_change *ch, struct loom_switch *sw, uint32_t group, uint16_t policy,
			   const struct lb_params *params, char *err, size_t errlen)
{
	uint32_t n = 0;
	const char *bad;

	memset(ch, 0, sizeof(*ch));
	ch->sw = sw;
	ch->policy = policy;
	ch->set_default = group == UINT32_MAX;
	if (!ch->set_default && group >= sw->n_groups)
		return lb_fail(err, errlen, "%s", "no such group");
	if (params && !ch->set_default)
		return lb_fail(err, errlen, "%s", "the tunables are the switch's: not for one group");
	if (params && (bad = lb_params_check(params)) != NULL)
		return lb_fail(err, errlen, "%s", bad);
	ch->set_params = params != NULL;
	ch->params = params ? *params : sw->lb->params;
	ch->group = calloc(sw->n_groups + 1, sizeof(*ch->group));
	ch->state = calloc(sw->n_groups + 1, sizeof(*ch->state));
	ch->old_policy = calloc(sw->n_groups + 1, sizeof(*ch->old_policy));
	ch->n_members = calloc(sw->n_groups + 1, sizeof(*ch->n_members));
	if (!ch->group || !ch->state || !ch->old_policy || !ch->n_members) {
		loom_lb_change_finish(ch);
		return lb_fail(err, errlen, "%s", "out of memory");
	}
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		if (ch->set_default ? sw->groups[g].n_members < 2 : g != group)
			continue;
		ch->group[n] = g;
		ch->n_members[n] = sw->groups[g].n_members;
		if (group_state_new(sw, g, policy, &ch->params, &ch->state[n], err, errlen) < 0) {
			ch->n = n;
			loom_lb_change_finish(ch);
			return -1;
		}
		n++;
	}
	ch->n = n;
	return 0;
}

void loom_lb_change_commit(struct loom_lb_change *ch)
{
	/* before the swaps: a group the repair rebuilds below takes them */
	if (ch->set_params)
		ch->sw->lb->params = ch->params;
	for (uint32_t i = 0; i < ch->n; i++) {
		uint32_t g = ch->group[i];

		ch->old_policy[i] = ch->sw->groups[g].policy;
		group_policy_swap(ch->sw, g, ch->policy, &ch->state[i]);
		/* a fault's repair resized the group since prepare: the new
		 * state was built for the old size */
		if (ch->sw->groups[g].n_members != ch->n_members[i])
			group_rebuild(ch->sw, g, ch->n_members[i]);
	}
	ch->committed = true;
	if (ch->set_default)
		ch->sw->lb->default_policy = ch->policy;
}

/* Before commit, state[] holds new states of `policy`; after, the old ones. */
void loom_lb_change_finish(struct loom_lb_change *ch)
{
	for (uint32_t i = 0; ch->state && i < ch->n; i++)
		group_state_free(ch->committed ? ch->old_policy[i] : ch->policy, ch->state[i]);
	free(ch->group);
	free(ch->state);
	free(ch->old_policy);
	free(ch->n_members);
	memset(ch, 0, sizeof(*ch));
}

static void sample_ports(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_lb *lb = sw->lb;

	for (uint16_t i = 0; i < sw->n_ports; i++)
		if (sw->ports[i].outq)
			lb_port_load_sample(&lb->port_load[i], &lb->params.load, sw->ports[i].c.tx_bytes,
					    loom_switch_queued_bytes(sw, i), now);
	for (uint32_t g = 0; g < sw->n_groups; g++) {
		const struct lb_policy *p = lb_policy_at(sw->groups[g].policy);
		if (p->tick && sw->groups[g].n_members > 1)
			p->tick(lb->groups[g].state, &lb->groups[g].view, now);
	}
}

loom_time_ns loom_lb_run_timers(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_lb *lb = sw->lb;
	loom_time_ns next;

	if (!lb)
		return LOOM_TIME_NEVER;
	if (lb->n_sampling > 0 && now >= lb->sample_next) {
		sample_ports(sw, now);
		lb->sample_next = now + lb->params.load.interval_ns;
	}
	if (now >= lb->window_next) {
		for (uint32_t i = 0; i < sw->n_members; i++) {
			lb->window_bytes[i] = lb->c[i].bytes - lb->window_start[i];
			lb->window_start[i] = lb->c[i].bytes;
		}
		lb->window_end = now;
		lb->window_next = now + lb->window_ns;
	}
	next = lb->window_next;
	if (lb->n_sampling > 0 && lb->sample_next < next)
		next = lb->sample_next;
	return next;
}

int loom_lb_snapshot_alloc(const struct loom_switch *sw, struct loom_lb_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->policy = calloc(sw->n_groups + 1, sizeof(*s->policy));
	s->c = calloc(sw->n_members + 1, sizeof(*s->c));
	s->window_bytes = calloc(sw->n_members + 1, sizeof(*s->window_bytes));
	s->reorder = calloc(sw->n_ports + 1, sizeof(*s->reorder));
	s->groups = calloc(sw->n_groups + 1, sizeof(*s->groups));
	s->members = calloc(sw->n_members + 1, sizeof(*s->members));
	if (!s->policy || !s->c || !s->window_bytes || !s->reorder || !s->groups || !s->members) {
		loom_lb_snapshot_free(s);
		return -1;
	}
	return 0;
}

void loom_lb_snapshot_take(const struct loom_switch *sw, struct loom_lb_snapshot *s)
{
	const struct loom_lb *lb = sw->lb;

	if (!lb || !s->policy)
		return;
	s->default_policy = lb->default_policy;
	for (uint32_t g = 0; g < sw->n_groups; g++)
		s->policy[g] = sw->groups[g].policy;
	memcpy(s->groups, sw->groups, sw->n_groups * sizeof(*s->groups));
	memcpy(s->members, sw->members, sw->n_members * sizeof(*s->members));
	memcpy(s->c, lb->c, sw->n_members * sizeof(*s->c));
	memcpy(s->window_bytes, lb->window_bytes, sw->n_members * sizeof(*s->window_bytes));
	s->window_ns = lb->window_ns;
	s->window_end = lb->window_end;
	s->params = lb->params;
	for (uint16_t i = 0; i < sw->n_ports; i++)
		s->reorder[i] = lb->reorder[i].c;
}

void loom_lb_snapshot_free(struct loom_lb_snapshot *s)
{
	free(s->policy);
	free(s->c);
	free(s->window_bytes);
	free(s->reorder);
	free(s->groups);
	free(s->members);
	memset(s, 0, sizeof(*s));
}
