/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a P4 program decided for one packet, for the packet tracer
 * (core/switch_mode.h, steps_mark and steps): the tables and selectors it
 * met, whether each hit, and the action that ran.
 *
 * DPDK's SWX pipeline keeps no per-packet record, but it counts, per
 * table, lookups that hit and missed and packets per action, and per
 * selector the packets it served (rte_swx_ctl_pipeline_*_stats_read). The
 * tracer forwards a traced packet through the program alone, so what those
 * counters moved between steps_mark and steps is that packet's, exactly.
 * Nothing here runs unless a packet is traced: forwarding pays nothing.
 * Reads: the pipeline's counters. Sets: the switch's mark of them.
 */
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "p4_internal.h"

/* The counters of table t in the mark: hit, miss, then one per action. */
static uint64_t *table_mark(struct loom_p4 *x, uint32_t t)
{
	return x->steps_mark + (size_t)t * (2 + x->n_actions);
}

static uint64_t *selector_mark(struct loom_p4 *x, uint32_t s)
{
	return x->steps_mark + (size_t)x->n_tables * (2 + x->n_actions) + s;
}

int loom_p4_steps_init(struct loom_p4 *x, char *err, size_t errlen)
{
	struct rte_swx_ctl_pipeline_info pi;

	if (rte_swx_ctl_pipeline_info_get(x->pipe, &pi) != 0) {
		snprintf(err, errlen, "cannot read the pipeline's tables");
		return -1;
	}
	x->n_tables = pi.n_tables;
	x->n_selectors = pi.n_selectors;
	x->n_actions = pi.n_actions;
	x->steps_mark = rte_zmalloc("loom_p4_steps",
				    (((size_t)pi.n_tables * (2 + pi.n_actions)) + pi.n_selectors + pi.n_actions + 1) *
					    sizeof(uint64_t),
				    0);
	if (!x->steps_mark) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the scratch array of one table's per-action counters, after the mark */
	x->steps_actions = selector_mark(x, x->n_selectors);
	return 0;
}

static int table_read(struct loom_p4 *x, uint32_t t, char *name, size_t len, uint64_t *hit, uint64_t *miss)
{
	struct rte_swx_ctl_table_info ti;
	struct rte_swx_table_stats st = {.n_pkts_action = x->steps_actions};

	if (rte_swx_ctl_table_info_get(x->pipe, t, &ti) != 0 ||
	    rte_swx_ctl_pipeline_table_stats_read(x->pipe, ti.name, &st) != 0)
		return -1;
	snprintf(name, len, "%s", ti.name);
	*hit = st.n_pkts_hit;
	*miss = st.n_pkts_miss;
	return 0;
}

static int selector_read(struct loom_p4 *x, uint32_t s, char *name, size_t len, uint64_t *pkts)
{
	struct rte_swx_ctl_selector_info si;
	struct rte_swx_pipeline_selector_stats st;

	if (rte_swx_ctl_selector_info_get(x->pipe, s, &si) != 0 ||
	    rte_swx_ctl_pipeline_selector_stats_read(x->pipe, si.name, &st) != 0)
		return -1;
	snprintf(name, len, "%s", si.name);
	*pkts = st.n_pkts;
	return 0;
}

void loom_p4_steps_mark(struct loom_switch *sw)
{
	struct loom_p4 *x = sw->p4;
	char name[RTE_SWX_CTL_NAME_SIZE];

	for (uint32_t t = 0; t < x->n_tables; t++) {
		uint64_t *m = table_mark(x, t);

		if (table_read(x, t, name, sizeof(name), &m[0], &m[1]) == 0)
			memcpy(m + 2, x->steps_actions, x->n_actions * sizeof(uint64_t));
	}
	for (uint32_t s = 0; s < x->n_selectors; s++)
		selector_read(x, s, name, sizeof(name), selector_mark(x, s));
}

uint16_t loom_p4_steps(struct loom_switch *sw, struct loom_mode_step *out, uint16_t max)
{
	struct loom_p4 *x = sw->p4;
	char name[RTE_SWX_CTL_NAME_SIZE];
	uint16_t n = 0;

	/* tables in their order of declaration, then selectors (loom.spec
	 * meets route_v4 or route_v6, then ecmp_sel, then ecmp_member) */
	for (uint32_t t = 0; t < x->n_tables && n < max; t++) {
		const uint64_t *m = table_mark(x, t);
		uint64_t hit, miss;

		if (table_read(x, t, name, sizeof(name), &hit, &miss) != 0 || (hit == m[0] && miss == m[1]))
			continue;
		snprintf(out[n].table, sizeof(out[n].table), "%s", name);
		out[n].hit = hit != m[0];
		out[n].action[0] = '\0';
		for (uint32_t a = 0; a < x->n_actions; a++) {
			struct rte_swx_ctl_action_info ai;

			if (x->steps_actions[a] != m[2 + a] && rte_swx_ctl_action_info_get(x->pipe, a, &ai) == 0) {
				snprintf(out[n].action, sizeof(out[n].action), "%s", ai.name);
				break;
			}
		}
		n++;
	}
	for (uint32_t s = 0; s < x->n_selectors && n < max; s++) {
		uint64_t pkts;

		if (selector_read(x, s, name, sizeof(name), &pkts) != 0 || pkts == *selector_mark(x, s))
			continue;
		snprintf(out[n].table, sizeof(out[n].table), "%s", name);
		snprintf(out[n].action, sizeof(out[n].action), "select");
		out[n].hit = true;
		n++;
	}
	return n;
}
