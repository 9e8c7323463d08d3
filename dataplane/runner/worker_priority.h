/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real-time worker's scheduling. An emulated link keeps its rate only
 * while the worker runs: on a machine shared with the emulated hosts'
 * applications (iperf3, TCP stacks, VMs), the kernel's fair scheduler
 * takes the worker away for milliseconds at a time, and the fabric's
 * queues stop draining meanwhile (runner/fidelity.h records it). A
 * real-time policy (SCHED_RR) lets the worker run when it has work; it
 * still sleeps when idle (runner_realtime.c), and the kernel's real-time
 * throttling (sched_rt_runtime_us, 95 % by default) leaves the rest of the
 * CPU to everything else even when it never idles. That throttling comes
 * as one block: a worker that never idles (generator hosts at line rate)
 * was stopped for ~52 ms once a second, measured (bench/worker_stall.py:
 * 21 turns 32-64 ms late in 20 s, 1152 ms behind schedule). So under
 * sustained load the worker gives the CPU back itself, in pauses short
 * enough to stay inside the fidelity slack (runner/fidelity.h), often
 * enough that it stays under the kernel's share and is never throttled
 * (loom_worker_yield_plan). Without that
 * throttling, or on a single CPU, a worker that never idles (a generator
 * host sending at line rate) would starve the machine: there the default
 * stays the fair scheduler.
 */
#ifndef LOOM_RUNNER_WORKER_PRIORITY_H
#define LOOM_RUNNER_WORKER_PRIORITY_H

#include <stddef.h>

#include "loom/clock.h"

#define LOOM_WORKER_PRIORITY_DEFAULT 10 /* SCHED_RR: above ordinary threads, below the kernel's own */
#define LOOM_WORKER_PRIORITY_UNSET (-1)

/* The priority to ask for when the user did not say: the default above
 * where it is safe, else 0, with the reason in `why`. */
int loom_worker_priority_default(char *why, size_t len);

/* Run the calling thread (the worker) at SCHED_RR `prio` (1..99), or at
 * the fair scheduler for 0. Returns 0, or -1 with the reason in `why`. */
int loom_worker_priority_apply(int prio, char *why, size_t len);

/* Under sustained load (no idle sleep), the worker pauses `pause_ns` once
 * it has run `slice_ns` since it last slept: slice / (slice + pause, plus
 * the wake-up) stays a few points under sched_rt_runtime_us /
 * sched_rt_period_us. */
#define LOOM_WORKER_YIELD_PAUSE_NS (150 * LOOM_NS_PER_US) /* + ~50 us wake-up: inside the 200 us slack */
#define LOOM_WORKER_YIELD_MARGIN 0.03                    /* below the kernel's share: wake-ups, other RT tasks */

struct loom_worker_yield {
	loom_time_ns slice_ns; /* LOOM_TIME_NEVER: never pause (fair scheduler, no throttling) */
	loom_time_ns pause_ns;
};

/* The plan for a worker at `prio` (0: the fair scheduler, which needs
 * none) under the kernel's throttling read from /proc (runtime -1: none).
 * Says what it chose in `why`. */
void loom_worker_yield_plan(int prio, struct loom_worker_yield *y, char *why, size_t len);

/* The same from given figures (for tests). */
void loom_worker_yield_plan_for(int prio, long rt_runtime_us, long rt_period_us, struct loom_worker_yield *y,
				char *why, size_t len);

#endif
