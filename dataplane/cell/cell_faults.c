/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults of a cell fabric: a leaf-spine link that its switches detected
 * down (or up again), from dataplane/fault/ (the `link` and `cell_link`
 * requests, the topology's faults: and cell: link_down:). The
 * leaf's uplink leaves its spray set, every leaf's reach to that leaf
 * through that spine is updated, the spine stops using the link, and what
 * was queued on it at both ends is dropped (link_down).
 */
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "egress.h"
#include "fabric.h"

int loom_cell_link_set(struct loom_fabric *f, uint16_t s, uint16_t port, bool up, loom_time_ns now)
{
	(void)now;
	if (f->cell == NULL || s >= f->n_switches || port >= f->switches[s].n_ports)
		return -1;
	const struct loom_link_spec *l = &f->links[s][port];
	struct loom_switch *a = &f->switches[s];
	if (l->kind != LOOM_LINK_RING || !a->cell->ports[port].is_spine_link)
		return -1;
	struct loom_switch *b = &f->switches[l->peer_switch];
	/* leaf end and spine end */
	struct loom_switch *leaf = a->cell->leaf != CELL_NO_LEAF ? a : b;
	struct loom_switch *spine = leaf == a ? b : a;
	uint16_t leaf_port = leaf == a ? port : l->peer_port;
	uint16_t spine_port = leaf == a ? l->peer_port : port;
	uint16_t L = leaf->cell->leaf;
	uint16_t spine_idx = (uint16_t)(spine - f->switches);

	leaf->cell->ports[leaf_port].down = !up;
	spine->cell->ports[spine_port].down = !up;
	loom_spray_set_live(&leaf->cell->spray, (uint8_t)leaf->cell->ports[leaf_port].uplink, up);
	/* every other leaf: its uplinks to this spine reach L only if some
	 * link from the spine to L is up */
	bool spine_reaches = false;
	for (uint8_t k = 0; k < spine->cell->n_leaf_ports[L]; k++)
		if (!spine->cell->ports[spine->cell->leaf_ports[L][k]].down)
			spine_reaches = true;
	for (uint16_t x = 0; x < f->cell->n_leaves; x++) {
		struct loom_switch *o = &f->switches[f->cell->leaf_switch[x]];

		for (uint8_t i = 0; i < o->cell->n_uplinks; i++) {
			const struct loom_link_spec *ul = &f->links[o - f->switches][o->cell->uplink_port[i]];

			if (ul->peer_switch != spine_idx)
				continue;
			if (spine_reaches)
				o->cell->reach[L] |= 1ull << i;
			else
				o->cell->reach[L] &= ~(1ull << i);
		}
	}
	if (!up) {
		egress_port_flush(&leaf->ports[leaf_port], LOOM_DROP_LINK_DOWN);
		egress_port_flush(&spine->ports[spine_port], LOOM_DROP_LINK_DOWN);
	}
	return 0;
}
