/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cell frames on the wire (docs/CELLS.md): Ethernet (peer port's MAC, ours,
 * Ethertype 0x88B5), the 16-byte cell header (loom/cell/cell.h), the payload.
 *
 * Sending them: a frame out of a port toward its peer (control cells on
 * the port's control queue, egress/ctrl_queue.h, which goes before
 * everything else the port has: the spine's and leaf's "control cells
 * have priority"), a control cell to a leaf (to the leaf itself: a call),
 * the uplink a cell takes.
 */
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "ctrl_queue.h"
#include "egress.h"


void cell_port_send(struct loom_switch *sw, uint16_t port, struct rte_mbuf *m, bool ctrl)
{
	struct cell_port *cp = &sw->cell->ports[port];
	struct loom_port *p = &sw->ports[port];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&cp->peer_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(LOOM_CELL_ETHERTYPE);
	if (!ctrl) {
		cp->st.data_tx++;
		port_output(sw, p, m);
		return;
	}
	if (egress_ctrlq_push(p, m))
		cp->st.ctrl_tx++;
}

int cell_pick_uplink(struct loom_switch *sw, uint16_t dst)
{
	struct loom_cell_switch *cs = sw->cell;
	uint64_t load[LOOM_SPRAY_MAX_UPLINKS];
	uint64_t live = cs->spray.live;
	int i;

	if (cs->spray.mode == LOOM_SPRAY_LEAST_LOADED)
		for (uint8_t k = 0; k < cs->n_uplinks; k++)
			load[k] = loom_switch_queued_bytes(sw, cs->uplink_port[k]);
	/* the live uplinks whose spine reaches `dst` */
	cs->spray.live = live & cs->reach[dst];
	i = loom_spray_pick(&cs->spray, load);
	cs->spray.live = live;
	return i < 0 ? -1 : cs->uplink_port[i];
}

/* Between this leaf's own VOQ and port: no cell, nothing to lose; a call
 * up through the fabric's hooks (cell_fabric.h: the wire layer imports
 * neither ingress nor egress). Out of line: the cells' path stays as short
 * as before. */
static __attribute__((noinline)) void ctrl_local(struct loom_switch *sw, const struct loom_cell_hdr *h,
						 loom_time_ns now)
{
	if (h->type == LOOM_CELL_REQUEST) {
		sw->cell->c.local_requests++;
		sw->cell->fab->local_request(sw, h, now);
	} else {
		sw->cell->c.local_credits++;
		sw->cell->fab->local_credit(sw, h, now);
	}
}

void cell_send_ctrl(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	struct rte_mbuf *m;
	int port;
	uint8_t *p;

	if (unlikely(h->dst_leaf == cs->leaf)) {
		ctrl_local(sw, h, now);
		return;
	}
	m = rte_pktmbuf_alloc(cs->fab->cell_pool);
	port = cell_pick_uplink(sw, h->dst_leaf);

	if (m == NULL || port < 0) {
		/* Not sent: counted as made and dropped on uplink 0, so that
		 * conservation holds; the request refresh recovers. */
		if (m)
			rte_pktmbuf_free(m);
		sw->ports[cs->uplink_port[0]].c.drops[m ? LOOM_DROP_CELL_UNREACHABLE : LOOM_DROP_CELL_NO_BUFFER]++;
	} else {
		p = (uint8_t *)rte_pktmbuf_append(m, CELL_FRAME_HDR);
		loom_cell_encode(h, p + RTE_ETHER_HDR_LEN);
		cell_port_send(sw, (uint16_t)port, m, true);
	}
	if (h->type == LOOM_CELL_REQUEST)
		cs->c.requests_tx++;
	else
		cs->c.credits_tx++;
}

uint64_t cell_queued(const struct loom_switch *sw)
{
	const struct loom_cell_switch *cs = sw->cell;
	uint64_t n = 0;

	for (uint32_t i = 0; i < cs->n_voq_slots; i++) {
		if (cs->voq[i])
			n += cs->voq[i]->acct.pkts;
		if (cs->reasm[i])
			n += cs->reasm[i]->r.held;
	}
	return n;
}
