/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cell fabric in the control socket (ctl_cell.c):
 *   `stats`: a "cell" object per switch of a cell fabric (VOQ depths;
 *            credits requested, granted, used; cells per spine uplink;
 *            reassembly occupancy, reorder depth, timeouts) and its terms
 *            in the conservation equation (docs/CELLS.md)
 *   {"cmd": "cell_link", "switch": S, "port": P, "up": false}
 *            take a leaf-spine link down (or up): it leaves the spray sets
 */
#ifndef LOOM_CTL_CELL_H
#define LOOM_CTL_CELL_H

#include <jansson.h>

#include "cell_fabric.h"
#include "ctl.h"

struct ctl_cell_voq {
	uint16_t leaf, port;
	uint8_t cls;
	struct loom_voq acct;
	uint64_t marked, trimmed;
};

struct ctl_cell_snapshot {
	bool on;
	struct cell_counters c;
	uint64_t made, consumed, queued; /* conservation terms */
	uint32_t n_voqs;
	struct ctl_cell_voq *voqs;       /* [n_voq_slots] */
	uint32_t reasm_contexts;
	uint64_t reasm_held;
	struct loom_reasm_stats reasm;   /* summed; reorder_max the largest */
	struct cell_port *ports;         /* [n_ports] copies (no pointers followed) */
	struct loom_credit_voq *credit;  /* [n_ports] sums over each port's VOQs */
	uint64_t *credits_issued;        /* [n_ports] */
	uint64_t *credits_skipped;       /* [n_ports] egress port backlogged */
};

int ctl_cell_snapshot_alloc(const struct loom_switch *sw, struct ctl_cell_snapshot *s);
void ctl_cell_snapshot_free(struct ctl_cell_snapshot *s);
/* On the worker. */
void ctl_cell_snapshot_take(const struct loom_switch *sw, struct ctl_cell_snapshot *s);
json_t *ctl_cell_switch_json(const struct loom_switch *sw, const struct ctl_cell_snapshot *s);

json_t *ctl_cmd_cell_link(struct loomd_state *st, json_t *req);

#endif
