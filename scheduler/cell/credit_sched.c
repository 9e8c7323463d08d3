/* SPDX-License-Identifier: BSD-3-Clause */
/* Credit scheduler of an egress port (loom/cell/credit_sched.h). */
#include <stdlib.h>

#include "loom/cell/credit_sched.h"

int loom_credit_init(struct loom_credit_sched *cs, uint64_t rate_bps, uint32_t credit_bytes, uint32_t max_voqs,
		     loom_time_ns now)
{
	*cs = (struct loom_credit_sched){0};
	if (rate_bps == 0 || credit_bytes == 0 || max_voqs == 0)
		return -1;
	cs->voq = calloc(max_voqs, sizeof(*cs->voq));
	cs->ring = calloc(max_voqs, sizeof(*cs->ring));
	if (cs->voq == NULL || cs->ring == NULL) {
		loom_credit_free(cs);
		return -1;
	}
	cs->rate_bps = rate_bps;
	cs->credit_bytes = credit_bytes;
	cs->max_voqs = max_voqs;
	cs->next_ns = now;
	return 0;
}

void loom_credit_free(struct loom_credit_sched *cs)
{
	free(cs->voq);
	free(cs->ring);
	cs->voq = NULL;
	cs->ring = NULL;
}

void loom_credit_request(struct loom_credit_sched *cs, uint32_t v, uint32_t weight, uint64_t bytes,
			 loom_time_ns now)
{
	if (v >= cs->max_voqs || bytes == 0)
		return;
	struct loom_credit_voq *q = &cs->voq[v];

	q->weight = weight ? weight : 1;
	q->demand += bytes;
	q->requested += bytes;
	if (q->active)
		return;
	if (cs->ring_len == 0 && cs->next_ns < now) {
		/* idle port: no banked credits */
		cs->next_ns = now;
		cs->next_frac = 0;
	}
	q->active = true;
	q->deficit = 0;
	cs->ring[(cs->ring_head + cs->ring_len) % cs->max_voqs] = v;
	cs->ring_len++;
}

static void advance_pacing(struct loom_credit_sched *cs)
{
	/* interval = credit_bytes * 8e9 / rate ns, fraction carried in units of 1/rate ns */
	uint64_t num = (uint64_t)cs->credit_bytes * 8u * 1000000000ull + cs->next_frac;

	cs->next_ns += num / cs->rate_bps;
	cs->next_frac = num % cs->rate_bps;
}

static void rotate(struct loom_credit_sched *cs)
{
	uint32_t v = cs->ring[cs->ring_head];

	cs->ring_head = (cs->ring_head + 1) % cs->max_voqs;
	cs->ring[(cs->ring_head + cs->ring_len - 1) % cs->max_voqs] = v;
	cs->front_credited = false;
}

static void leave(struct loom_credit_sched *cs)
{
	struct loom_credit_voq *q = &cs->voq[cs->ring[cs->ring_head]];

	q->active = false;
	q->deficit = 0;
	cs->ring_head = (cs->ring_head + 1) % cs->max_voqs;
	cs->ring_len--;
	cs->front_credited = false;
}

/* The first whole nanosecond at or after the exact due time. */
static inline loom_time_ns due(const struct loom_credit_sched *cs)
{
	return cs->next_ns + (cs->next_frac != 0);
}

bool loom_credit_next(struct loom_credit_sched *cs, loom_time_ns now, uint32_t *v)
{
	if (cs->ring_len == 0 || now < due(cs))
		return false;
	for (;;) {
		struct loom_credit_voq *q = &cs->voq[cs->ring[cs->ring_head]];

		if (!cs->front_credited) {
			q->deficit += (uint64_t)q->weight * cs->credit_bytes;
			cs->front_credited = true;
		}
		if (q->deficit >= cs->credit_bytes)
			break;
		rotate(cs);
	}
	uint32_t id = cs->ring[cs->ring_head];
	struct loom_credit_voq *q = &cs->voq[id];

	q->deficit -= cs->credit_bytes;
	q->granted += cs->credit_bytes;
	q->demand = q->demand > cs->credit_bytes ? q->demand - cs->credit_bytes : 0;
	if (q->demand == 0)
		leave(cs);
	else if (q->deficit < cs->credit_bytes)
		rotate(cs);
	cs->credits++;
	advance_pacing(cs);
	/* Called more than LOOM_CREDIT_MAX_CATCHUP intervals late (a
	 * real-time loop descheduled by a busy machine): the older missed
	 * credits are gone; up to that many may still follow at once. */
	uint64_t interval = (uint64_t)cs->credit_bytes * 8u * 1000000000ull / cs->rate_bps;
	if (due(cs) + LOOM_CREDIT_MAX_CATCHUP * interval < now) {
		cs->next_ns = now - (LOOM_CREDIT_MAX_CATCHUP - 1) * interval;
		cs->next_frac = 0;
	}
	*v = id;
	return true;
}

bool loom_credit_skip(struct loom_credit_sched *cs, loom_time_ns now)
{
	if (cs->ring_len == 0 || now < due(cs))
		return false;
	cs->skipped++;
	advance_pacing(cs);
	return true;
}

loom_time_ns loom_credit_next_time(const struct loom_credit_sched *cs)
{
	return cs->ring_len ? due(cs) : LOOM_TIME_NEVER;
}
