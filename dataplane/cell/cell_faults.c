/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults of a cell fabric: a fabric link (leaf-spine or spine-superspine)
 * that its switches detected down (or up again), from dataplane/fault/
 * (the `link` and `cell_link` requests, the topology's faults: and cell:
 * link_down:). Both ends mark the port, every switch's reachability is
 * computed again (cell_reach.c: spray sets, the leaves' and spines' reach
 * to each leaf, the down ports that still lead to it), and what was queued
 * on the link at both ends is dropped (link_down).
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
	if (l->kind != LOOM_LINK_RING || !a->cell->ports[port].is_fabric_link)
		return -1;
	struct loom_switch *b = &f->switches[l->peer_switch];

	a->cell->ports[port].down = !up;
	b->cell->ports[l->peer_port].down = !up;
	cell_reach_update(f->cell);
	if (!up) {
		egress_port_flush(&a->ports[port], LOOM_DROP_LINK_DOWN);
		egress_port_flush(&b->ports[l->peer_port], LOOM_DROP_LINK_DOWN);
	}
	return 0;
}
