/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SWX pipeline of one P4 switch and how Loom feeds it (shared by the
 * files of dataplane/p4/, not used outside).
 *
 * SWX output ports of a Loom switch:
 *   0 .. 255                 the switch's ports (an index the switch does
 *                            not have drops the packet as p4_drop)
 *   256 + code               the program dropped the packet for `code`
 *                            (enum loom_p4_drop_code): SWX ports see the
 *                            packet, not the metadata, so the drop reason
 *                            travels as the port number
 *   LOOM_P4_OUT_PORTS - 1    SWX's own drop port (the `drop` instruction)
 * One SWX input port reads the burst the switch is forwarding.
 */
#ifndef LOOM_P4_INTERNAL_H
#define LOOM_P4_INTERNAL_H

#include <rte_mbuf.h>
#include <rte_swx_pipeline.h>
#include <rte_swx_ctl.h>

#include "switch.h"

#define LOOM_P4_SWITCH_PORTS 256
#define LOOM_P4_DROP_BASE 256

/* Drop codes of loom.p4 (DROP_* constants there, 256 + code in the spec). */
enum loom_p4_drop_code {
	LOOM_P4_DROP_UNSPECIFIED = 0,
	LOOM_P4_DROP_NO_ROUTE = 1,
	LOOM_P4_DROP_TTL_EXPIRED = 2,
	LOOM_P4_DROP_NOT_IP = 3,
	LOOM_P4_DROP_CODES = 6, /* 4 and 5 are free for a student's program */
};

#define LOOM_P4_OUT_PORTS (LOOM_P4_DROP_BASE + LOOM_P4_DROP_CODES + 1)

struct loom_p4;

/* One SWX output port: a switch port or a drop reason. */
struct loom_p4_out {
	struct loom_p4 *x;
	uint16_t port;                 /* switch port (forwarding ports) */
	enum loom_drop_reason reason;  /* drop ports */
};

struct loom_p4 {
	struct rte_swx_pipeline *pipe;
	struct rte_swx_ctl_pipeline *ctl;
	bool committed; /* the control has committed tables (loom_p4_free) */
	struct loom_switch *sw;
	char spec[256];

	/* The burst being run: the input port reads it, the output ports
	 * count what left the pipeline. */
	struct loom_port *in;
	struct rte_mbuf **rx_pkts;
	uint16_t rx_n;
	uint16_t rx_next;
	uint16_t n_done;
	bool warned_stuck; /* the program kept packets (never reached tx): said once */

	/* Packets per egress port, handed to port_output_burst() after the
	 * burst; `touched` lists the ports that have some. */
	uint16_t n_touched;
	uint16_t touched[LOOM_BURST];
	uint16_t eg_n[LOOM_P4_SWITCH_PORTS];
	struct rte_mbuf *eg[LOOM_P4_SWITCH_PORTS][LOOM_BURST];

	struct loom_p4_out out[LOOM_P4_OUT_PORTS];

	/* The tracer's mark of the program's counters (p4_steps.c). */
	uint32_t n_tables, n_selectors, n_actions;
	uint64_t *steps_mark;
	uint64_t *steps_actions;
};

/* p4_ports.c: register Loom's SWX port types and configure the ports. */
int loom_p4_ports_config(struct loom_p4 *x, char *err, size_t errlen);

/* p4_steps.c: what the program decided for one traced packet
 * (core/switch_mode.h steps_mark, steps); its mark allocated at build. */
int loom_p4_steps_init(struct loom_p4 *x, char *err, size_t errlen);
void loom_p4_steps_mark(struct loom_switch *sw);
uint16_t loom_p4_steps(struct loom_switch *sw, struct loom_mode_step *out, uint16_t max);

/* p4_tables.c: fill the program's tables from the switch's routes, groups
 * and next hops, and its registers (hash seed). */
int loom_p4_tables_fill(struct loom_p4 *x, char *err, size_t errlen);

#endif
