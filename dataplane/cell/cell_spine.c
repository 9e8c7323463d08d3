/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spine of the cell fabric: a cell goes toward its destination leaf, by
 * that alone (no routing, no reassembly). Reads: the cell header's
 * destination leaf; the reachability table (ports toward each leaf that
 * are up, set from the links at load and by loom_cell_link_set). Several
 * links to one leaf take turns. Control cells go on the port's control
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

	if (leaf >= cs->fab->n_leaves || cs->n_leaf_ports[leaf] == 0) {
		pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
		return;
	}
	for (uint8_t k = 0; k < cs->n_leaf_ports[leaf]; k++) {
		uint8_t j = (uint8_t)((cs->leaf_rr[leaf] + k) % cs->n_leaf_ports[leaf]);
		uint16_t port = cs->leaf_ports[leaf][j];

		if (cs->ports[port].down)
			continue;
		cs->leaf_rr[leaf] = (uint8_t)(j + 1);
		cs->c.cells_forwarded++;
		cell_port_send(sw, port, m, h->type != LOOM_CELL_DATA);
		return;
	}
	pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
}
