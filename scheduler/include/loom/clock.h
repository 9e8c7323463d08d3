/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one source of time for switch logic.
 *
 * Switch code never reads the TSC or the system clock itself: the runner
 * that drives it passes `now` (nanoseconds) into every handler, and code
 * that needs to ask for the time later (timers, telemetry) holds a
 * `struct loom_clock`. The real-time runner backs it with the TSC
 * (dataplane/runner/clock_tsc.c); the virtual-time runner needs none, it
 * passes each event's time (loom/sim/event_queue.h); unit tests use a fake
 * clock they advance by hand.
 */
#ifndef LOOM_CLOCK_H
#define LOOM_CLOCK_H

#include <stdint.h>

typedef uint64_t loom_time_ns;

/* A time that never comes: "no event", "no deadline". */
#define LOOM_TIME_NEVER UINT64_MAX

struct loom_clock {
	loom_time_ns (*now)(const struct loom_clock *clock);
	void *ctx; /* implementation state */
};

static inline loom_time_ns loom_clock_now(const struct loom_clock *clock)
{
	return clock->now(clock);
}

/* A clock that only moves when told to (scheduler/sim/clock.c): for unit
 * tests. */
struct loom_fake_clock {
	struct loom_clock clock;
	loom_time_ns t;
};

void loom_fake_clock_init(struct loom_fake_clock *fc, loom_time_ns start);
static inline void loom_fake_clock_set(struct loom_fake_clock *fc, loom_time_ns t) { fc->t = t; }
static inline void loom_fake_clock_advance(struct loom_fake_clock *fc, loom_time_ns dt) { fc->t += dt; }

#define LOOM_NS_PER_US 1000ull
#define LOOM_NS_PER_MS 1000000ull
#define LOOM_NS_PER_S 1000000000ull

#endif
