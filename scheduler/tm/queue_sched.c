/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict priority + deficit round robin (see loom/tm/queue_sched.h).
 *
 * The scheduler does not see enqueues, only head sizes at select(), so the
 * DRR active list is brought up to date there: classes found empty leave
 * it (deficit reset), classes found backlogged and not on it join at the
 * back, in class order. With at most 8 classes a list is a small ring.
 */
#include <errno.h>
#include <string.h>

#include "loom/tm/queue_sched.h"

#define MAXC LOOM_QSCHED_MAX_CLASSES

int loom_qsched_init(struct loom_qsched *q, const struct loom_qsched_cfg *cfg)
{
	uint8_t n = cfg->n_classes;

	if (n == 0 || n > MAXC || cfg->base_quantum == 0)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->n_classes = n;
	for (uint8_t c = 0; c < n; c++) {
		const struct loom_qsched_class_cfg *cc = &cfg->cls[c];

		if (cc->mode == LOOM_QSCHED_STRICT) {
			q->strict_order[q->n_strict++] = c;
		} else if (cc->mode == LOOM_QSCHED_DRR) {
			uint64_t quantum = (uint64_t)cc->weight * cfg->base_quantum;

			if (cc->weight == 0 || quantum > UINT32_MAX)
				return -EINVAL;
			q->quantum[c] = (uint32_t)quantum;
			q->drr_mask |= (uint8_t)(1u << c);
		} else {
			return -EINVAL;
		}
	}
	/* Insertion sort, highest priority first, ties to the higher class. */
	for (uint8_t i = 1; i < q->n_strict; i++) {
		uint8_t c = q->strict_order[i];
		uint8_t j = i;

		while (j > 0) {
			uint8_t p = q->strict_order[j - 1];

			if (cfg->cls[p].prio > cfg->cls[c].prio ||
			    (cfg->cls[p].prio == cfg->cls[c].prio && p > c))
				break;
			q->strict_order[j] = p;
			j--;
		}
		q->strict_order[j] = c;
	}
	return 0;
}

void loom_qsched_cfg_default(struct loom_qsched_cfg *cfg, uint8_t n_classes)
{
	if (n_classes == 0 || n_classes > MAXC)
		n_classes = MAXC;
	memset(cfg, 0, sizeof(*cfg));
	cfg->n_classes = n_classes;
	cfg->base_quantum = 1500;
	for (uint8_t c = 0; c < n_classes; c++) {
		if (n_classes >= 3 && c >= n_classes - 2) {
			cfg->cls[c].mode = LOOM_QSCHED_STRICT;
			cfg->cls[c].prio = c;
		} else {
			cfg->cls[c].mode = LOOM_QSCHED_DRR;
			cfg->cls[c].weight = 1;
		}
	}
}

static uint8_t ring_at(const struct loom_qsched *q, uint8_t i)
{
	return q->ring[(q->ring_head + i) % MAXC];
}

static void ring_push_back(struct loom_qsched *q, uint8_t c)
{
	q->ring[(q->ring_head + q->ring_len) % MAXC] = c;
	q->ring_len++;
	q->in_ring |= (uint8_t)(1u << c);
}

/* The front class's turn is over: it goes to the back with its deficit. */
static void ring_rotate(struct loom_qsched *q)
{
	uint8_t c = ring_at(q, 0);

	q->ring_head = (uint8_t)((q->ring_head + 1) % MAXC);
	q->ring[(q->ring_head + q->ring_len - 1) % MAXC] = c;
	q->front_credited = 0;
}

/* Remove class c wherever it is on the list, keeping the others' order. */
static void ring_remove(struct loom_qsched *q, uint8_t c)
{
	uint8_t keep[MAXC], n = 0;

	if (!(q->in_ring & (1u << c)))
		return;
	if (ring_at(q, 0) == c)
		q->front_credited = 0;
	for (uint8_t i = 0; i < q->ring_len; i++)
		if (ring_at(q, i) != c)
			keep[n++] = ring_at(q, i);
	memcpy(q->ring, keep, n);
	q->ring_head = 0;
	q->ring_len = n;
	q->in_ring &= (uint8_t)~(1u << c);
	q->deficit[c] = 0;
}

static void drr_sync(struct loom_qsched *q, const uint32_t *head)
{
	for (uint8_t c = 0; c < q->n_classes; c++) {
		if (!(q->drr_mask & (1u << c)))
			continue;
		if (head[c] == 0)
			ring_remove(q, c);
		else if (!(q->in_ring & (1u << c)))
			ring_push_back(q, c);
	}
}

/*
 * One pass of the round from the current front. Returns the class that may
 * send, or -1 after a whole pass in which none could (every class then
 * got its quantum once and the front is where it started).
 */
static int drr_pass(struct loom_qsched *q, const uint32_t *head)
{
	for (uint8_t i = 0; i < q->ring_len; i++) {
		uint8_t c = ring_at(q, 0);

		if (!q->front_credited) {
			q->deficit[c] += q->quantum[c];
			q->front_credited = 1;
		}
		if (head[c] <= q->deficit[c])
			return c;
		ring_rotate(q);
	}
	return -1;
}

/*
 * No class could send in a whole pass (head packets larger than the
 * quanta). Rather than going round r more times, give every class the r-1
 * quanta of the rounds in which nobody would send, where r is the fewest
 * rounds any class needs: the next pass then picks the same class, in the
 * same order, as plain DRR would.
 */
static void drr_skip_empty_rounds(struct loom_qsched *q, const uint32_t *head)
{
	uint64_t r = UINT64_MAX;

	for (uint8_t i = 0; i < q->ring_len; i++) {
		uint8_t c = ring_at(q, i);
		uint64_t missing = head[c] - q->deficit[c];
		uint64_t rc = (missing + q->quantum[c] - 1) / q->quantum[c];

		if (rc < r)
			r = rc;
	}
	for (uint8_t i = 0; i < q->ring_len; i++) {
		uint8_t c = ring_at(q, i);

		q->deficit[c] += (r - 1) * q->quantum[c];
	}
}

int loom_qsched_select(struct loom_qsched *q, const uint32_t head_bytes[LOOM_QSCHED_MAX_CLASSES])
{
	int c;

	for (uint8_t i = 0; i < q->n_strict; i++)
		if (head_bytes[q->strict_order[i]] != 0)
			return q->strict_order[i];

	drr_sync(q, head_bytes);
	if (q->ring_len == 0)
		return -1;
	while ((c = drr_pass(q, head_bytes)) < 0)
		drr_skip_empty_rounds(q, head_bytes);
	return c;
}

void loom_qsched_sent(struct loom_qsched *q, int cls, uint32_t bytes)
{
	if (cls < 0 || cls >= q->n_classes)
		return;
	q->st[cls].tx_pkts++;
	q->st[cls].tx_bytes += bytes;
	if (!(q->drr_mask & (1u << cls)))
		return;
	if (bytes > q->deficit[cls]) {
		/* sent without select()'s leave, or a bigger packet than its
		 * head: the overdraft is forgiven and counted */
		q->overcharged++;
		q->deficit[cls] = 0;
	} else {
		q->deficit[cls] -= bytes;
	}
}

void loom_qsched_emptied(struct loom_qsched *q, int cls)
{
	if (cls < 0 || cls >= q->n_classes)
		return;
	ring_remove(q, (uint8_t)cls);
}

void loom_dscp_map_default(struct loom_dscp_map *m, uint8_t n_classes)
{
	if (n_classes == 0 || n_classes > MAXC)
		n_classes = MAXC;
	for (unsigned int d = 0; d < LOOM_DSCP_COUNT; d++)
		m->cls[d] = (uint8_t)((d >> 3) * n_classes / 8);
}
