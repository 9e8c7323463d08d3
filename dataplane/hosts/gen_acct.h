/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a generator flow's time went (issue 23): the time its sender could
 * have sent but did not, split by what held it, for the per-flow results
 * (gen_results.c, docs/VIRTUAL_TIME.md "Per-flow results").
 *
 *  - window blocked: the flow had data to send, its NIC was free, and its
 *    CC's window (DCTCP, NSCC; a credit scheme would hook here too) was
 *    full. From the send attempt that found it full to the ACK (or timer)
 *    that opened it. The part that began before the flow's first ACK
 *    arrived is also reported apart (the start: a first window smaller
 *    than the first round trip).
 *  - pacing blocked: the flow had data and an open window, its NIC was
 *    free, and it waited for its pacing gap (NSCC below its pacing window,
 *    a fixed-rate flow below the link's rate).
 *
 * Only the NIC's idle time counts ("NIC free"): the host keeps its NIC's
 * idle time so far (loom_gen_host.nic_idle_ns: at each frame's start, the gap
 * since the previous one ended), and an interval's idle time is the
 * difference of two readings. So a host's own ACK frames sent while its
 * flow waited are not counted as waiting: per sender, frames + feedback
 * frames + window + pacing + other idle add up to its link's time.
 *
 * Cost: a few loads and stores per packet; nothing per ACK unless the flow
 * is blocked. Real-time hosts run the same code with nominal times.
 */
#ifndef LOOM_GEN_ACCT_H
#define LOOM_GEN_ACCT_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "loom/clock.h"

enum loom_gen_wait {
	LOOM_GEN_WAIT_NONE = 0, /* sending, or nothing to send (waiting for ACKs or its timer) */
	LOOM_GEN_WAIT_PACING,   /* data, window open, not due yet */
	LOOM_GEN_WAIT_WINDOW,   /* data, window full */
};

struct loom_gen_flow_acct {
	uint8_t wait;             /* enum loom_gen_wait */
	loom_time_ns wait_at;     /* when the wait began */
	uint64_t wait_idle;       /* the NIC's idle time (loom_gen_acct_idle) then */
	uint64_t window_ns;       /* window blocked, NIC idle */
	uint64_t window_first_ns; /* of which in waits that began before the first ACK */
	uint64_t pacing_ns;       /* pacing blocked, NIC idle */
	loom_time_ns first_ack;   /* the first ACK or NACK received (LOOM_TIME_NEVER: none) */
};

/* The NIC's idle time up to `now`, given its idle time up to the start of
 * its latest frame and when that frame ends (valid for now >= that start). */
static inline uint64_t loom_gen_acct_idle(uint64_t idle_ns, loom_time_ns link_free, loom_time_ns now)
{
	return idle_ns + (now > link_free ? now - link_free : 0);
}

static inline void loom_gen_acct_init(struct loom_gen_flow_acct *a)
{
	*a = (struct loom_gen_flow_acct){.wait = LOOM_GEN_WAIT_NONE, .first_ack = LOOM_TIME_NEVER};
}

/* The flow's wait (if any) ends; `idle` is the NIC's idle time now. */
static inline void loom_gen_acct_end(struct loom_gen_flow_acct *a, uint64_t idle)
{
	uint64_t d = idle - a->wait_idle;

	if (a->wait == LOOM_GEN_WAIT_WINDOW) {
		a->window_ns += d;
		if (a->first_ack == LOOM_TIME_NEVER || a->wait_at < a->first_ack)
			a->window_first_ns += d;
	} else if (a->wait == LOOM_GEN_WAIT_PACING) {
		a->pacing_ns += d;
	}
	a->wait = LOOM_GEN_WAIT_NONE;
}

/* A wait of kind w begins at `now` (ends the one before; a wait of the
 * same kind goes on). */
static inline void loom_gen_acct_wait(struct loom_gen_flow_acct *a, enum loom_gen_wait w, loom_time_ns now,
				      uint64_t idle)
{
	if (a->wait == w)
		return;
	loom_gen_acct_end(a, idle);
	a->wait = (uint8_t)w;
	a->wait_at = now;
	a->wait_idle = idle;
}

/* The flow's packet started with the NIC's idle time `idle` (nothing
 * idle during a frame: also the idle time at its end): its wait, a pacing
 * one as a rule, ends, and the next one begins at the frame's end (a
 * sender with nothing to send then drops it). Once per packet: kept lean. */
static inline void loom_gen_acct_sent(struct loom_gen_flow_acct *a, uint64_t idle, loom_time_ns end)
{
	if (likely(a->wait == LOOM_GEN_WAIT_PACING))
		a->pacing_ns += idle - a->wait_idle;
	else if (a->wait == LOOM_GEN_WAIT_WINDOW)
		loom_gen_acct_end(a, idle);
	a->wait = LOOM_GEN_WAIT_PACING;
	a->wait_at = end;
	a->wait_idle = idle;
}

#endif
