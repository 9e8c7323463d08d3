/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REPS (see loom/lb/reps.h). The buffer is a ring of LOOM_REPS_BUFFER EVs
 * whose unused ("fresh") ones are always the `fresh` slots just before
 * head: a good EV is written at head (over the oldest when all are fresh),
 * a packet takes the oldest fresh one. So it is a FIFO that forgets its
 * oldest when full, kept as a ring with every slot's last EV because a
 * freeze cycles over those, used or not (as htsim's CircularBufferREPS).
 */
#include "loom/lb/reps.h"
#include "loom/traffic/rng.h"

void loom_reps_default(struct loom_reps_cfg *c, uint32_t n_evs)
{
	c->n_evs = n_evs ? n_evs : 1;
	c->freeze_ns = LOOM_REPS_FREEZE_NS;
	c->explore_after_freeze = LOOM_REPS_EXPLORE_AFTER_FREEZE;
	c->strikes = LOOM_REPS_STRIKES;
	c->strikes_max = LOOM_REPS_STRIKES_MAX;
}

static void empty(struct loom_reps *r)
{
	r->head = r->fresh = r->filled = r->frozen_next = 0;
}

void loom_reps_init(struct loom_reps *r, uint64_t seed)
{
	*r = (struct loom_reps){.rng = seed ? seed : 1};
	empty(r);
}

static uint16_t explore(struct loom_reps *r, const struct loom_reps_cfg *c)
{
	r->rng = loom_xorshift64(r->rng);
	r->st.explored++;
	return (uint16_t)(r->rng % c->n_evs);
}

/* A freeze ends at its time: the buffer starts again from nothing, and the
 * packets after it explore (the paths may have changed under it). */
static void thaw(struct loom_reps *r, const struct loom_reps_cfg *c, loom_time_ns now)
{
	if (!r->frozen || now < r->frozen_until)
		return;
	r->frozen = false;
	empty(r);
	r->explore_left = c->explore_after_freeze;
}

uint16_t loom_reps_next(struct loom_reps *r, const struct loom_reps_cfg *c, loom_time_ns now)
{
	uint8_t slot;

	thaw(r, c, now);
	if (r->explore_left) {
		r->explore_left--;
		return explore(r, c);
	}
	if (r->frozen) {
		/* round robin over the EVs last known good, used or not */
		if (!r->filled)
			return explore(r, c);
		slot = r->frozen_next < r->filled ? r->frozen_next : 0;
		r->frozen_next = (uint8_t)((slot + 1) % r->filled);
		r->st.frozen_sends++;
		return r->ev[slot];
	}
	if (!r->fresh)
		return explore(r, c);
	slot = (uint8_t)((r->head + LOOM_REPS_BUFFER - r->fresh) % LOOM_REPS_BUFFER);
	r->fresh--;
	r->st.recycled++;
	return r->ev[slot];
}

/* The marks in a row EV ev came back with (its slot's: EVs that share the
 * low bits share a counter; at most a window's EVs are in use out of 1024
 * slots, so that is rare, and costs at most one early or late drop). */
static unsigned int strikes_of(const struct loom_reps *r, uint16_t ev)
{
	unsigned int slot = ev % LOOM_REPS_STRIKE_SLOTS;

	return (unsigned int)(r->strike[slot / 32] >> (2 * (slot % 32))) & 3u;
}

static void set_strikes(struct loom_reps *r, uint16_t ev, unsigned int n)
{
	unsigned int slot = ev % LOOM_REPS_STRIKE_SLOTS;
	uint64_t *w = &r->strike[slot / 32];

	*w = (*w & ~(3ull << (2 * (slot % 32)))) | ((uint64_t)(n & 3u) << (2 * (slot % 32)));
}

/* The run of marks that drops an EV: at least c->strikes, and long enough
 * that a path marking at the flow's own share (mark_share) would give it
 * less than 1 time in LOOM_REPS_RUN_ODDS, up to c->strikes_max. Under
 * spraying's transient queues a flow's marks are few and two in a row
 * stand out; where every path marks alike (a standing queue everywhere,
 * which no choice of path relieves) a longer run is needed before an EV
 * is taken for worse than the others. */
static unsigned int strikes_needed(const struct loom_reps *r, const struct loom_reps_cfg *c)
{
	unsigned int need = c->strikes ? c->strikes : 1u;
	uint64_t p = (uint64_t)r->mark_share;

	for (; need < c->strikes_max; need++) {
		uint64_t run = p; /* p^need, in 1/65536 */

		for (unsigned int i = 1; i < need; i++)
			run = run * p >> 16;
		if (run * LOOM_REPS_RUN_ODDS <= 65536)
			break;
	}
	return need < 3 ? need : 3; /* what the 2-bit counters hold */
}

void loom_reps_on_ack(struct loom_reps *r, const struct loom_reps_cfg *c, uint16_t ev, bool marked, loom_time_ns now)
{
	unsigned int n = marked ? strikes_of(r, ev) + 1 : 0, need;

	thaw(r, c, now);
	/* an EWMA over the EVs' returns, 1/32 each (about a window's worth) */
	r->mark_share += ((marked ? 65536 : 0) - r->mark_share) / 32;
	need = strikes_needed(r, c);
	if (n >= need) {
		set_strikes(r, ev, 0); /* a later draw of it starts clean */
		r->st.marked++;
		return;
	}
	set_strikes(r, ev, n);
	if (marked)
		r->st.forgiven++;
	else
		r->st.good++;
	r->ev[r->head] = ev;
	r->head = (uint8_t)((r->head + 1) % LOOM_REPS_BUFFER);
	if (r->fresh < LOOM_REPS_BUFFER)
		r->fresh++;
	if (r->filled < LOOM_REPS_BUFFER)
		r->filled++;
}

void loom_reps_on_nack(struct loom_reps *r, const struct loom_reps_cfg *c, uint16_t ev, loom_time_ns now)
{
	set_strikes(r, ev, 0); /* not recycled: nothing to remember about it */
	thaw(r, c, now);
	r->st.nacked++;
}

void loom_reps_on_timeout(struct loom_reps *r, const struct loom_reps_cfg *c, loom_time_ns now)
{
	thaw(r, c, now);
	/* not again while frozen, nor while exploring after a freeze (htsim) */
	if (!c->freeze_ns || r->frozen || r->explore_left)
		return;
	r->frozen = true;
	r->frozen_until = now > LOOM_TIME_NEVER - c->freeze_ns ? LOOM_TIME_NEVER : now + c->freeze_ns;
	r->frozen_next = 0;
	r->st.freezes++;
}
