/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runners drive switches: they own time and the wire. The real-time runner
 * polls ports in a loop and reads the TSC; the virtual-time runner
 * (runner_virtual.h) pops events from a queue. Both call the same handlers
 * (loom_switch_receive / loom_switch_transmit).
 */
#ifndef LOOM_RUNNER_H
#define LOOM_RUNNER_H

#include <stdatomic.h>

#include "loom/clock.h"
#include "fidelity.h"
#include "mailbox.h"
#include "port_io.h"
#include "worker_priority.h"

/* The real-time clock: nanoseconds since loom_clock_tsc_init(). */
void loom_clock_tsc_init(struct loom_clock *clock);

struct loom_rt_stats {
	uint64_t loops;
	uint64_t busy_loops;  /* loops that moved at least one packet */
	uint64_t busy_ns;     /* time spent in those loops (status reports it in TSC cycles) */
	uint64_t rx_packets;  /* packets received in them (all ports) */
	uint64_t sleeps;
	uint64_t tsc_hz;
	struct loom_fidelity fidelity; /* how late turns started against the plan */
	int worker_priority;           /* SCHED_RR priority the worker runs at; 0: the fair scheduler */
	char worker_scheduling[192];   /* why, in words (worker_priority.h) */
	struct loom_worker_yield yield; /* its pauses under sustained load (loom_worker_yield_plan) */
	uint64_t pauses;                /* how many */
	char pause_plan[256];           /* the plan, in words */
};

/* Poll until *stop is set. Backs off (sleeps, up to LOOM_IDLE_SLEEP_MAX_US)
 * when idle so that an idle fabric does not hold a core. Control requests
 * (mailbox) run between bursts. */
void loom_run_realtime(struct loom_fabric *f, struct loom_ports *ports, const struct loom_clock *clock,
		       struct loom_mailbox *mb, atomic_bool *stop, struct loom_rt_stats *stats);

#define LOOM_IDLE_POLLS_BEFORE_SLEEP 64
#define LOOM_IDLE_SLEEP_MAX_US 200

#endif
