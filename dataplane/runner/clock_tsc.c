/* SPDX-License-Identifier: BSD-3-Clause */
/* The real-time clock, from the TSC: the only place that reads it. */
#include <rte_cycles.h>

#include "runner.h"

struct tsc_clock {
	uint64_t start;
	uint64_t mult; /* ns per cycle, as a 32.32 fixed-point number */
};

static struct tsc_clock tsc;

static loom_time_ns tsc_now(const struct loom_clock *clock)
{
	const struct tsc_clock *c = clock->ctx;
	uint64_t cycles = rte_get_tsc_cycles() - c->start;

	return (loom_time_ns)(((unsigned __int128)cycles * c->mult) >> 32);
}

void loom_clock_tsc_init(struct loom_clock *clock)
{
	tsc.start = rte_get_tsc_cycles();
	tsc.mult = (uint64_t)(((unsigned __int128)LOOM_NS_PER_S << 32) / rte_get_tsc_hz());
	clock->now = tsc_now;
	clock->ctx = &tsc;
}
