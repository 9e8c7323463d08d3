/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Credit scheduler of one egress port of a switch-scheduled fabric: issues
 * credits of `credit_bytes` at the port's rate, one every
 * credit_bytes * 8 / rate seconds, and gives each to one of the VOQs that
 * asked for credit, by deficit round robin with per-VOQ weights (a class's
 * weight): a VOQ at the front of the round gets weight * credit_bytes of
 * deficit and takes credits while its deficit holds one, then goes to the
 * back; a VOQ whose request is satisfied leaves the round and loses its
 * deficit (no saving credit while idle). With every credit the same size,
 * this is DRR with fixed-size packets: shares follow the weights exactly
 * over every round, and every requesting VOQ is served once per round, so
 * none starves.
 *
 * The rate is kept exactly over any window: credit k is due at
 * start + k * interval with the fractional nanoseconds carried (called at
 * loom_credit_next_time(), as the virtual-time runner does, no window of W
 * ns holds more than W / interval + 1 credits). An idle port does not bank
 * credits (a request to an idle port starts the schedule at its time), and
 * a caller more than LOOM_CREDIT_MAX_CATCHUP intervals late loses the
 * older missed credits (a real-time loop that was descheduled catches up
 * a little, not by a burst of any size).
 *
 * VOQs are numbered by the caller (0..max_voqs-1).
 */
#ifndef LOOM_CREDIT_SCHED_H
#define LOOM_CREDIT_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

#define LOOM_CREDIT_MAX_CATCHUP 8

struct loom_credit_voq {
	uint64_t demand;   /* bytes asked for and not yet granted */
	uint64_t deficit;  /* DRR deficit, bytes */
	uint32_t weight;   /* >= 1 */
	bool active;       /* on the round */
	uint64_t requested; /* bytes ever asked */
	uint64_t granted;   /* credits ever granted, bytes */
};

struct loom_credit_sched {
	uint64_t rate_bps;
	uint32_t credit_bytes;
	uint32_t max_voqs;
	struct loom_credit_voq *voq;
	uint32_t *ring;       /* round: ring[(head + i) % max_voqs], i < len */
	uint32_t ring_head, ring_len;
	bool front_credited;  /* the front VOQ got its quantum this turn */
	/* pacing: next credit due at next_ns + next_frac / rate_bps */
	loom_time_ns next_ns;
	uint64_t next_frac;
	uint64_t credits;     /* issued */
	uint64_t skipped;     /* credit times passed without a credit (egress port backlogged) */
};

/* 0, or -1 (rate 0, credit size 0, no VOQs, no memory). */
int loom_credit_init(struct loom_credit_sched *cs, uint64_t rate_bps, uint32_t credit_bytes, uint32_t max_voqs,
		     loom_time_ns now);
void loom_credit_free(struct loom_credit_sched *cs);

/* VOQ `v` (weight >= 1) asks for `bytes` more credit at `now`. */
void loom_credit_request(struct loom_credit_sched *cs, uint32_t v, uint32_t weight, uint64_t bytes,
			 loom_time_ns now);

/* If a credit is due at `now` and some VOQ asks, grant it: returns true
 * and the VOQ in *v (credit_bytes granted). Call again while it returns
 * true. */
bool loom_credit_next(struct loom_credit_sched *cs, loom_time_ns now, uint32_t *v);

/* The credit due at `now` is not given (the egress port is backlogged:
 * DNX's egress flow control): the schedule moves on by one interval.
 * Returns false when no credit was due. */
bool loom_credit_skip(struct loom_credit_sched *cs, loom_time_ns now);

/* When the next credit may go: LOOM_TIME_NEVER when no VOQ asks. */
loom_time_ns loom_credit_next_time(const struct loom_credit_sched *cs);

#endif
