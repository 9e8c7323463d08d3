/* SPDX-License-Identifier: BSD-3-Clause */
/* CONGA's DRE, leaf tables and choice (loom/lb/conga.h). */
#include <stdlib.h>

#include "loom/lb/conga.h"

/* Decays due by `now`: one multiply per elapsed period, as the hardware's
 * timer does; after 256 periods (1/8 each) what is left is below 1e-14. */
static void dre_decay(struct lb_conga_dre *d, loom_time_ns period_ns, loom_time_ns now)
{
	if (now <= d->last)
		return;
	uint64_t k = (now - d->last) / period_ns;

	if (k >= 256)
		d->x = 0;
	else
		for (uint64_t i = 0; i < k; i++)
			d->x -= d->x / (double)(1u << LB_CONGA_ALPHA_SHIFT);
	d->last += k * period_ns;
}

void lb_conga_dre_add(struct lb_conga_dre *d, loom_time_ns period_ns, uint32_t bytes, loom_time_ns now)
{
	dre_decay(d, period_ns, now);
	d->x += bytes;
}

uint8_t lb_conga_dre_metric(struct lb_conga_dre *d, loom_time_ns period_ns, uint64_t rate_bps, loom_time_ns now)
{
	dre_decay(d, period_ns, now);
	/* bytes the link carries in tau = T_dre / alpha at full rate */
	double full = (double)(rate_bps ? rate_bps : 10000000000ull) / 8e9 * (double)period_ns *
		      (double)(1u << LB_CONGA_ALPHA_SHIFT);
	double q = d->x / full * (double)(LB_CONGA_METRIC_MAX + 1);

	return q >= LB_CONGA_METRIC_MAX ? LB_CONGA_METRIC_MAX : (uint8_t)q;
}

int lb_conga_table_init(struct lb_conga_table *t, uint16_t n_leaves)
{
	t->n_leaves = n_leaves;
	t->e = calloc((size_t)n_leaves * LB_CONGA_TAGS + 1, sizeof(*t->e));
	t->cursor = calloc((size_t)n_leaves + 1, 1);
	t->n_tags = calloc((size_t)n_leaves + 1, 1);
	if (!t->e || !t->cursor || !t->n_tags) {
		lb_conga_table_free(t);
		return -1;
	}
	return 0;
}

void lb_conga_table_free(struct lb_conga_table *t)
{
	free(t->e);
	free(t->cursor);
	free(t->n_tags);
	t->e = NULL;
	t->cursor = t->n_tags = NULL;
}

static struct lb_conga_entry *entry(const struct lb_conga_table *t, uint16_t leaf, uint8_t tag)
{
	return &t->e[(size_t)leaf * LB_CONGA_TAGS + tag];
}

void lb_conga_to_leaf_set(struct lb_conga_table *t, uint16_t leaf, uint8_t tag, uint8_t metric, loom_time_ns now)
{
	if (leaf >= t->n_leaves || tag >= LB_CONGA_TAGS)
		return;
	struct lb_conga_entry *e = entry(t, leaf, tag);

	e->metric = metric;
	e->at = now ? now : 1;
}

void lb_conga_to_leaf_row(const struct lb_conga_table *t, uint16_t leaf, uint16_t n, loom_time_ns now,
			  loom_time_ns age_ns, uint8_t *out)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct lb_conga_entry *e = i < LB_CONGA_TAGS && leaf < t->n_leaves ? entry(t, leaf, (uint8_t)i) : NULL;

		out[i] = e && e->at && now - e->at <= age_ns ? e->metric : 0;
	}
}

void lb_conga_from_leaf_record(struct lb_conga_table *t, uint16_t leaf, uint8_t tag, uint8_t ce, loom_time_ns now)
{
	if (leaf >= t->n_leaves || tag >= LB_CONGA_TAGS)
		return;
	struct lb_conga_entry *e = entry(t, leaf, tag);

	if (!e->at || e->metric != ce)
		e->changed = true;
	e->metric = ce;
	e->at = now ? now : 1;
	if (tag >= t->n_tags[leaf])
		t->n_tags[leaf] = (uint8_t)(tag + 1);
}

bool lb_conga_from_leaf_next(struct lb_conga_table *t, uint16_t leaf, uint8_t *tag, uint8_t *metric)
{
	if (leaf >= t->n_leaves || t->n_tags[leaf] == 0)
		return false;
	uint8_t n = t->n_tags[leaf], c = t->cursor[leaf] < n ? t->cursor[leaf] : 0;
	int pick = -1;

	/* a changed entry first, from the cursor on; else the cursor's */
	for (uint8_t k = 0; k < n && pick < 0; k++) {
		uint8_t i = (uint8_t)((c + k) % n);
		if (entry(t, leaf, i)->changed)
			pick = i;
	}
	for (uint8_t k = 0; k < n && pick < 0; k++) {
		uint8_t i = (uint8_t)((c + k) % n);
		if (entry(t, leaf, i)->at)
			pick = i;
	}
	if (pick < 0)
		return false;
	struct lb_conga_entry *e = entry(t, leaf, (uint8_t)pick);

	e->changed = false;
	t->cursor[leaf] = (uint8_t)((pick + 1) % n);
	*tag = (uint8_t)pick;
	*metric = e->metric;
	return true;
}

uint16_t lb_conga_pick(uint16_t n, const uint8_t *local, const uint8_t *remote, uint16_t start, uint8_t slack,
		       bool *by_remote)
{
	unsigned int least = 256, local_least = 256;
	uint16_t best = 0, best_local = 0;

	if (n == 0)
		return 0;
	start = start < n ? start : 0;
	for (uint16_t i = 0; i < n; i++) {
		unsigned int l = local[i], c = remote && remote[i] > l ? remote[i] : l;

		least = c < least ? c : least;
		local_least = l < local_least ? l : local_least;
	}
	/* the first from the start within the slack of the least (the least
	 * itself qualifies, so both walks end) */
	for (uint16_t k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((start + k) % n);
		unsigned int c = remote && remote[i] > local[i] ? remote[i] : local[i];

		if (c <= least + slack) {
			best = i;
			break;
		}
	}
	for (uint16_t k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((start + k) % n);

		if (local[i] <= local_least + slack) {
			best_local = i;
			break;
		}
	}
	if (by_remote)
		*by_remote = best != best_local;
	return best;
}
