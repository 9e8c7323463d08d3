/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reachability of the cell fabric's leaves, from the fabric links that are
 * up (docs/CELLS.md, Three tiers). A cell travels up to the lowest tier
 * that reaches its destination leaf below it, then down:
 *
 *   spine S reaches leaf L below      over its live links to L
 *   super-spine C reaches L below     over its live links to spines that
 *                                     reach L below
 *   spine S reaches L (up)            over its live uplinks to super-spines
 *                                     that reach L below
 *   leaf uplink to S reaches L        when it is live and S reaches L,
 *                                     below or up
 *
 * Computed whole, tier by tier, at load and at every link change (a fault
 * is rare; a fabric of a few hundred switches takes microseconds), so
 * that a switch never sends a cell toward a leaf through a cut: reach
 * tables of other switches change too (the leaves' through a spine whose
 * link to L went down, the spines' through a super-spine that lost L's
 * pod). Cells already past the last switch that could choose are lost at
 * the cut (cell_unreachable) and their packets freed by the reassembly
 * timeout.
 */
#include "cell_fabric.h"
#include "fabric.h"

/* The switch at the other end of fabric port p of switch s. */
static inline const struct loom_cell_switch *peer_of(const struct cell_fabric *cf, uint16_t s, uint16_t p)
{
	return cf->fabric->switches[cf->fabric->links[s][p].peer_switch].cell;
}

/* Bits of the down ports toward `leaf` that are live and (on a
 * super-spine) lead to a spine that reaches the leaf below. */
static uint32_t down_mask(const struct cell_fabric *cf, uint16_t s, uint16_t leaf, bool via_spine)
{
	const struct loom_cell_switch *cs = cf->fabric->switches[s].cell;
	uint32_t m = 0;

	for (uint8_t j = 0; j < cs->n_leaf_ports[leaf]; j++) {
		uint16_t p = cs->leaf_ports[leaf][j];

		if (cs->ports[p].down || (via_spine && peer_of(cf, s, p)->down_live[leaf] == 0))
			continue;
		m |= 1u << j;
	}
	return m;
}

/* Bits of the live uplinks of switch s whose upper end reaches `leaf`. */
static uint64_t up_mask(const struct cell_fabric *cf, uint16_t s, uint16_t leaf)
{
	const struct loom_cell_switch *cs = cf->fabric->switches[s].cell;
	uint64_t m = 0;

	for (uint8_t i = 0; i < cs->n_uplinks; i++) {
		const struct loom_cell_switch *up;

		if (cs->ports[cs->uplink_port[i]].down)
			continue;
		up = peer_of(cf, s, cs->uplink_port[i]);
		/* a spine above a leaf reaches it below or up; a super-spine
		 * above a spine only below */
		if (up->down_live[leaf] != 0 || (cs->leaf != CELL_NO_LEAF && up->reach && up->reach[leaf] != 0))
			m |= 1ull << i;
	}
	return m;
}

void cell_reach_update(struct cell_fabric *cf)
{
	const struct loom_fabric *f = cf->fabric;

	/* spines below, then super-spines below, then spines up, then leaves */
	for (int pass = 0; pass < 4; pass++) {
		for (uint16_t s = 0; s < f->n_switches; s++) {
			struct loom_cell_switch *cs = f->switches[s].cell;
			enum loom_role role = f->switches[s].role;

			if (cs == NULL)
				continue;
			if ((pass == 0 && role == LOOM_ROLE_SPINE) || (pass == 1 && role == LOOM_ROLE_SUPERSPINE)) {
				for (uint16_t l = 0; l < cf->n_leaves; l++)
					cs->down_live[l] = down_mask(cf, s, l, role == LOOM_ROLE_SUPERSPINE);
			} else if (cs->n_uplinks > 0 &&
				   ((pass == 2 && role == LOOM_ROLE_SPINE) || (pass == 3 && role == LOOM_ROLE_LEAF))) {
				for (uint8_t i = 0; i < cs->n_uplinks; i++)
					loom_spray_set_live(&cs->spray, i, !cs->ports[cs->uplink_port[i]].down);
				for (uint16_t l = 0; l < cf->n_leaves; l++)
					cs->reach[l] = up_mask(cf, s, l);
			}
		}
	}
}
