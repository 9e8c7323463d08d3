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

struct rte_mempool;

struct loom_vt_stats {
	uint64_t events;    /* events run */
	uint64_t packets;   /* packet arrivals (switch ports and hosts) */
	uint64_t in_flight; /* packets still on a link when time was up (freed) */
	loom_time_ns end_ns;
};

/* Run to f->duration_ns. Generator hosts take their packets from `pool`.
 * Returns 0, or -1 with a message (a fabric that cannot run in virtual
 * time: DPDK ports, links without a rate). */
struct loom_series;
/* `series` (NULL or no file: none) samples the switch ports every
 * interval of virtual time (series.h). */
int loom_run_virtual(struct loom_fabric *f, struct rte_mempool *pool, const struct loom_series *series,
		     struct loom_vt_stats *st, char *err, size_t errlen);

/* mbufs for a virtual-time run: every output queue full plus what the
 * links carry, capped (LOOM_VT_POOL_MAX); a host that finds the pool empty
 * puts its packet off and counts it (tx_no_buffer in the results). */
#define LOOM_VT_POOL_MAX 524288u
#define LOOM_VT_LINK_MBUFS 64u
static inline unsigned int loom_vt_pool_mbufs(uint64_t n_switch_ports, uint64_t n_gen_hosts, unsigned int outq_size)
{
	uint64_t n = n_switch_ports * (outq_size + LOOM_VT_LINK_MBUFS) + n_gen_hosts * 4 + 1024;

	return n > LOOM_VT_POOL_MAX ? LOOM_VT_POOL_MAX : (unsigned int)n;
}

#endif
