/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A cell fabric's leaves and spines as a switch mode (core/switch_mode.h).
 * Reads: each frame as it arrives (a cell on a fabric link is taken
 * before the parser), the frames each port sends (its capture). Sets:
 * nothing of the switch's own; the cell paths say what they set.
 *
 * cell_receive reads: the frame, the ingress port; it checks the frame
 * (destination MAC, header, length) and hands it to the leaf's egress
 * (DATA, REQUEST), the leaf's ingress (CREDIT) or the spine.
 */
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "observe.h"
#include "pkt_drop.h"
#include "stages.h"


void cell_receive(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct loom_cell_hdr h;

	in->c.rx_bytes += rte_pktmbuf_pkt_len(m);
	m->port = in->index; /* whose drop it is if reassembly frees it */
	if (m->nb_segs != 1 || rte_pktmbuf_data_len(m) < CELL_FRAME_HDR ||
	    !loom_cell_decode(rte_pktmbuf_mtod_offset(m, const uint8_t *, RTE_ETHER_HDR_LEN), &h, cs->fab->cfg.payload) ||
	    (h.type == LOOM_CELL_DATA && rte_pktmbuf_data_len(m) != CELL_FRAME_HDR + h.len)) {
		pkt_drop(in, m, LOOM_DROP_CELL_MALFORMED);
		return;
	}
	if (!rte_is_same_ether_addr(&eth->dst_addr, &in->mac)) {
		pkt_drop(in, m, LOOM_DROP_DST_MAC_MISMATCH);
		return;
	}
	if (h.type == LOOM_CELL_DATA) {
		struct loom_trace_packet *tp = loom_trace_of_fabric(cs->fab->fabric, m);

		cs->ports[in->index].st.data_rx++;
		if (unlikely(tp != NULL)) {
			struct loom_trace_event *e = loom_trace_event(tp, LOOM_TR_CELL_RX, sw, in->index, now);

			e->u.cell.seq = h.seq_or_bytes;
			e->u.cell.src_leaf = h.src_leaf;
		}
	} else {
		cs->ports[in->index].st.ctrl_rx++;
	}
	if (cs->leaf == CELL_NO_LEAF) {
		cell_spine_forward(sw, in, &h, m);
		return;
	}
	if (h.dst_leaf != cs->leaf) {
		pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
		return;
	}
	switch (h.type) {
	case LOOM_CELL_DATA:
		cell_egress_data(sw, in, &h, m, now); /* takes m */
		return;
	case LOOM_CELL_REQUEST:
		cell_egress_request(sw, &h, now);
		cs->c.requests_rx++;
		break;
	default:
		cell_ingress_credit(sw, &h, now);
		cs->c.credits_rx++;
		break;
	}
	rte_pktmbuf_free(m);
}

loom_time_ns cell_run_timers(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	loom_time_ns next, t;

	if (cs->leaf == CELL_NO_LEAF)
		return LOOM_TIME_NEVER;
	next = cell_egress_timers(sw, now);
	t = cell_ingress_timers(sw, now);
	return t < next ? t : next;
}


/* Cells and control cells, on fabric links only: one from a host is
 * an unknown Ethertype to the parser. */
static bool cell_receive_frame(struct loom_switch *sw, struct loom_port *in, struct rte_mbuf *m, loom_time_ns now)
{
	if (!sw->cell->ports[in->index].is_fabric_link || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN ||
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
		cell_capture_write(sw->cell->ports[port].capture, &sw->cell->ports[port].capture_cap, pkts, n, now);
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
