/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner (runner_virtual.c): a deterministic
 * discrete-event run of the whole fabric for f->duration_ns of virtual
 * time, driving the same switch and generator-host handlers as the
 * real-time runner. docs/VIRTUAL_TIME.md.
 */
#ifndef LOOM_RUNNER_VIRTUAL_H
#define LOOM_RUNNER_VIRTUAL_H

#include <stddef.h>
#include <stdint.h>

#include "fabric.h"

struct loom_vt_pool;

struct loom_vt_stats {
	uint64_t events;    /* events run */
	uint64_t packets;   /* packet arrivals (switch ports and hosts) */
	uint64_t in_flight; /* packets still on a link when time was up (freed) */
	loom_time_ns end_ns;
	size_t evq_bytes;   /* the event queue's memory at the end (it only grows) */
	double setup_s, loop_s; /* wall seconds before the first event, and of the loop */
};

/* Run to f->duration_ns. Generator hosts take their packets from `pool`
 * (vt_pool.h: it grows when they find it empty).
 * Returns 0, or -1 with a message (a fabric that cannot run in virtual
 * time: DPDK ports, links without a rate). */
struct loom_series;
/* `series` (NULL or no file: none) samples the switch ports every
 * interval of virtual time (series.h). */
int loom_run_virtual(struct loom_fabric *f, struct loom_vt_pool *pool, const struct loom_series *series,
		     struct loom_vt_stats *st, char *err, size_t errlen);

#endif
