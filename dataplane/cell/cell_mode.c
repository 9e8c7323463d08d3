/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A cell fabric's leaves and spines as a switch mode (core/switch_mode.h).
 * Reads: each frame as it arrives (a cell on a leaf-spine link is taken
 * before the parser), the frames each port sends (its capture). Sets:
 * nothing of the switch's own; the cell paths say what they set.
 */
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "stages.h"

/* Cells and control cells, on leaf-spine links only: one from a host is
 * an unknown Ethertype to the parser. */
static bool cell_receive_frame(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, loom_time_ns now)
{
	if (!sw->cell->ports[in->index].is_spine_link || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN ||
	    !cell_is_frame(rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)))
		return false;
	cell_receive(sw, in, m, now);
	return true;
}

/* The frames `port` hands to its link now, into its capture if it has one. */
static void cell_transmitted(const struct loom_switch *sw, uint16_t port, struct rte_mbuf *const *pkts, uint16_t n,
			     loom_time_ns now)
{
	if (unlikely(sw->cell->ports[port].capture != NULL) && n > 0)
		cell_capture_write(sw->cell->ports[port].capture, pkts, n, now);
}

/* Neither takes the fast path (cells and VOQs are not the native stages),
 * nor cut-through: every frame must pass cell_transmitted, and control
 * cells go before what the FIFO holds. */
const struct loom_switch_mode cell_leaf_mode = {
	.name = "cell",
	.forward = cell_leaf_forward,
	.receive_frame = cell_receive_frame,
	.run_timers = cell_run_timers,
	.transmitted = cell_transmitted,
	.transmit_queues_elsewhere = true,
};

/* A spine forwards what is not cells with the native stages. */
const struct loom_switch_mode cell_spine_mode = {
	.name = "cell",
	.forward = loom_native_forward,
	.receive_frame = cell_receive_frame,
	.run_timers = cell_run_timers,
	.transmitted = cell_transmitted,
	.transmit_queues_elsewhere = true,
};
