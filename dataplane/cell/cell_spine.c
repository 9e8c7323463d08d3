/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spine and super-spine of the cell fabric: a cell goes toward its
 * destination leaf, by that alone (no routing, no reassembly). Reads: the
 * cell header's destination leaf; the reachability tables (cell_reach.c).
 * Down first: a spine's live links to the leaf, a super-spine's live
 * links to spines that reach it (several take turns). A spine that does
 * not reach the leaf below sends the cell up, sprayed per cell over its
 * live uplinks to super-spines that reach the leaf (cell_pick_uplink, as
 * a leaf sprays over its spines). Control cells go on the port's control
 * queue, ahead of data.
 */
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "egress.h"

void cell_spine_forward(struct loom_switch *sw, struct loom_port *in, const struct loom_cell_hdr *h,
			struct rte_mbuf *m)
{
	struct loom_cell_switch *cs = sw->cell;
	uint16_t leaf = h->dst_leaf;
	uint32_t live;
	int up;

	if (leaf >= cs->fab->n_leaves) {
		pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
		return;
	}
	live = cs->down_live[leaf];
	if (live != 0) {
		/* the next live port at or after the turn, else the first */
		uint32_t from = live & (UINT32_MAX << cs->leaf_rr[leaf]);
		unsigned int j = (unsigned int)__builtin_ctz(from ? from : live);

		cs->leaf_rr[leaf] = (uint8_t)((j + 1) & (CELL_MAX_DOWN_PORTS - 1));
		cs->c.cells_forwarded++;
		cell_port_send(sw, cs->leaf_ports[leaf][j], m, h->type != LOOM_CELL_DATA);
		return;
	}
	/* not below this switch: up (a super-spine has no uplinks) */
	up = cs->n_uplinks ? cell_pick_uplink(sw, leaf) : -1;
	if (up < 0) {
		pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
		return;
	}
	cs->c.cells_forwarded++;
	cs->c.cells_up++;
	cell_port_send(sw, (uint16_t)up, m, h->type != LOOM_CELL_DATA);
}
