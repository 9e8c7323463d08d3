/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch receives a burst: what the runners call when packets arrived on
 * a port at time `now` (`n` <= LOOM_BURST; the switch takes ownership of
 * every mbuf).
 *
 * One receive body, two ways in: the stages for the whole burst
 * (switch_handlers.c), or, while a trace or a capture is on
 * (trace/observe.h), observed_receive.c, which captures the burst and
 * hands the same body every run of packets that is not traced. The choice
 * is made here, in the caller, so that neither file calls the other back
 * and the body needs no switch of its own to hide the observation.
 */
#ifndef LOOM_SWITCH_RECEIVE_H
#define LOOM_SWITCH_RECEIVE_H

#include <rte_branch_prediction.h>

#include "switch.h"

/* switch_handlers.c: the receive stages for a burst, nothing observed. */
void loom_switch_receive_stages(struct loom_switch *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
				loom_time_ns now);

/* observed_receive.c: the same burst with captures and the trace. */
__attribute__((cold)) void loom_switch_receive_observed(struct loom_switch *sw, uint16_t port,
							struct rte_mbuf **pkts, uint16_t n, loom_time_ns now);

static inline void loom_switch_receive(struct loom_switch *sw, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
				       loom_time_ns now)
{
	/* the one test tracing and captures cost while off */
	if (unlikely(sw->observe != NULL))
		loom_switch_receive_observed(sw, port, pkts, n, now);
	else
		loom_switch_receive_stages(sw, port, pkts, n, now);
}

/* The switch logic's own timers (PFC pause refresh, load sampling, flowlet
 * ageing, credit generation, reassembly timeouts): run those due at `now`
 * and return the time of the next one (LOOM_TIME_NEVER when none). Every
 * runner calls it again when that time comes; it may also be called early
 * (it then only returns the next time). */
loom_time_ns loom_switch_run_timers(struct loom_switch *sw, loom_time_ns now);

#endif
