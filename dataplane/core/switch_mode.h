/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's mode: what forwards its packets and what else it hooks into
 * the switch's handlers. Modes are exclusive, one table each, set when the
 * configuration is loaded (or a running switch is moved between native
 * and P4): the handlers read the same for every mode, and a new mode is a
 * new table, not new `if`s in them.
 *
 *   native  pipeline/switch_handlers.c: the native stages, IPv4 fast path
 *   p4      p4/p4_switch.c: a P4 program on DPDK's SWX pipeline
 *   cell    cell/cell_mode.c: a cell fabric's leaf or spine (docs/CELLS.md)
 *   conga   conga/conga_forward.c: the native stages with CONGA's overlay
 *           between leaves (docs/CONGA.md)
 *
 * What must work under every mode (drop accounting, the control frames of
 * egress/, the packet tracer, faults) hangs off the stages themselves, not
 * off a mode; a mode only tells the tracer what it alone knows (steps).
 */
#ifndef LOOM_SWITCH_MODE_H
#define LOOM_SWITCH_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

struct rte_mbuf;
struct loom_switch;
struct loom_port;
struct loom_pkt_meta;

/* One decision of a mode's own forwarding, for the packet tracer: a table
 * (or selector) the packet met, whether its lookup hit, the action run. */
struct loom_mode_step {
	char table[32];
	char action[32];
	bool hit;
};

/* Forward the packets the ingress checks passed on (parsed, for this
 * switch, not answered); all of `pkts` arrived on `in` at `now`. */
typedef void (*loom_forward_fn)(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf **pkts,
				const struct loom_pkt_meta **meta, uint16_t n, loom_time_ns now);

struct loom_switch_mode {
	const char *name;
	loom_forward_fn forward;
	/* A frame as it arrives, before the parser: true when the mode took
	 * it (a cell). NULL: none. */
	bool (*receive_frame)(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, loom_time_ns now);
	/* The mode's own timers: run those due, return the next (or
	 * LOOM_TIME_NEVER). NULL: none. */
	loom_time_ns (*run_timers)(struct loom_switch *sw, loom_time_ns now);
	/* The frames `port` hands to its link now. NULL: none. */
	void (*transmitted)(const struct loom_switch *sw, uint16_t port, struct rte_mbuf *const *pkts, uint16_t n,
			    loom_time_ns now);
	/* The IPv4 fast path (pipeline/ipv4_fast_path.c) may serve its bursts:
	 * only where the native stages are what forwards. */
	bool fast_path;
	/* Its ports may hand packets straight to an idle driver (egress/,
	 * struct loom_wire): not where frames must pass the mode at transmit. */
	bool cut_through;
	/* Its transmit may queue frames on the switch's other ports: the
	 * virtual-time runner then gives each of them its send. */
	bool transmit_queues_elsewhere;
	/* The tracer forwards a traced packet alone, between steps_mark and
	 * steps: steps writes what the mode decided for it (at most max: the
	 * tables its program met) and returns how many. NULL: nothing to
	 * tell beyond where the packet went. */
	void (*steps_mark)(struct loom_switch *sw);
	uint16_t (*steps)(struct loom_switch *sw, struct loom_mode_step *out, uint16_t max);
};

#endif
