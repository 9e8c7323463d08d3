/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real-time fidelity: did loomd keep the schedule its links and shapers
 * promise? A real-time emulation is only what it claims while its worker
 * runs: when the kernel takes the CPU away (a busy machine, a SIGSTOP),
 * queues stop draining at their rate, arrivals pile up in the host rings
 * and come in as one burst, and every queue depth and rate measured over
 * that window describes the machine, not the fabric.
 *
 * The monitor charges each loop turn with how much later it started than
 * the loop planned: right after the previous turn when that one worked,
 * or when the previous turn's sleep was due to end. Lateness under the
 * slack is the loop's own granularity (a busy turn's work, the wake-up
 * latency of a short sleep); above it the turn is counted as late, in a
 * histogram by lateness, and the lateness beyond the slack is summed.
 * Counters only grow, so a test reads them before and after its window
 * and judges the difference (tests/fabric/fabric.py: fidelity_lost).
 * Virtual time needs none of this: its clock waits for the work.
 */
#ifndef LOOM_RUNNER_FIDELITY_H
#define LOOM_RUNNER_FIDELITY_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "loom/clock.h"

/* Lateness below this is the loop's normal jitter: LOOM_IDLE_SLEEP_MAX_US,
 * the longest the loop itself leaves an arrival waiting when idle. */
#define LOOM_FIDELITY_SLACK_NS (200 * LOOM_NS_PER_US)
/* Late turns by lateness: bucket b holds [2^b, 2^(b+1)) ms, bucket 0
 * everything under 2 ms (and above the slack), the last one everything
 * from 2^(LOOM_FIDELITY_BUCKETS-1) ms. */
#define LOOM_FIDELITY_BUCKETS 8

struct loom_fidelity {
	uint64_t turns;       /* loop turns judged */
	uint64_t late_turns;  /* turns that started later than the slack allows */
	uint64_t late_ns;     /* sum of lateness beyond the slack */
	uint64_t max_late_ns; /* the latest turn since start */
	uint64_t max_late_at_ns; /* when it started (loomd's clock: `status` uptime_ns, a fault's since_ns),
				  * so that a stall can be set beside what happened then */
	uint64_t hist[LOOM_FIDELITY_BUCKETS];
};

static inline unsigned int loom_fidelity_bucket(uint64_t late_ns)
{
	uint64_t ms = late_ns / LOOM_NS_PER_MS;
	unsigned int b = 0;

	while (ms >= 2 && b < LOOM_FIDELITY_BUCKETS - 1) {
		ms >>= 1;
		b++;
	}
	return b;
}

/* A turn starts at `now`; the loop planned it for `planned`. */
static inline void loom_fidelity_turn(struct loom_fidelity *fd, loom_time_ns planned, loom_time_ns now)
{
	fd->turns++;
	if (likely(now <= planned + LOOM_FIDELITY_SLACK_NS))
		return;
	uint64_t late = now - planned;

	fd->late_turns++;
	fd->late_ns += late - LOOM_FIDELITY_SLACK_NS;
	if (late > fd->max_late_ns) {
		fd->max_late_ns = late;
		fd->max_late_at_ns = now;
	}
	fd->hist[loom_fidelity_bucket(late)]++;
}

#endif
