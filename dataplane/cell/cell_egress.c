/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress leaf of the cell fabric.
 *
 * REQUEST (reads: source leaf, port, class, bytes, sources): the port's
 * credit scheduler (loom/cell/credit_sched.h) counts the VOQ's demand,
 * weighted by its class times the senders it holds packets of. The timer (cell_egress_timers) grants credits at the port's rate
 * and sends each back to its VOQ's leaf as a CREDIT cell.
 *
 * The port's queue feeds back (DNX's egress flow control): a credit
 * whose time comes while the port holds more than egress_limit bytes is
 * not given.
 *
 * DATA: the reassembly context of the cell's VOQ (loom/cell/cell_reasm.h)
 * holds it until its packet is whole and in order; the packet is rebuilt
 * in one mbuf (from the pool the packet was cut from; a packet of one
 * cell keeps the cell's mbuf) and put on the
 * host port's output queue (traffic manager or FIFO): its MACs were set
 * for this port's host when it entered the fabric.
 */
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "cell_fabric.h"
#include "egress.h"
#include "observe.h"

static inline uint32_t ctx_index(const struct loom_cell_switch *cs, uint16_t src_leaf, uint16_t port, uint8_t cls)
{
	return ((uint32_t)src_leaf * cs->fab->max_ports + port) * cs->fab->cfg.n_classes + cls;
}

static bool host_port_ok(const struct loom_switch *sw, const struct loom_cell_hdr *h)
{
	const struct loom_cell_switch *cs = sw->cell;

	return h->dst_port < sw->n_ports && cs->ports[h->dst_port].credit != NULL && h->src_leaf < cs->fab->n_leaves &&
	       h->cls < cs->fab->cfg.n_classes;
}

void cell_egress_request(struct loom_switch *sw, const struct loom_cell_hdr *h, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;

	if (!host_port_ok(sw, h))
		return; /* taken, not served: counted in requests_rx */
	/* weighted by its class and by its sources (cell.h): each sender,
	 * not each leaf, gets its share of the port */
	loom_credit_request(cs->ports[h->dst_port].credit, (uint32_t)h->src_leaf * cs->fab->cfg.n_classes + h->cls,
			    cs->fab->cfg.weight[h->cls] * (h->len ? h->len : 1u), h->seq_or_bytes, now);
	sw->timers_armed = true;
}

static void reasm_discard(void *ctx, void *cell)
{
	struct cell_reasm_ctx *rc = ctx;
	struct rte_mbuf *m = cell;

	pkt_drop(&rc->sw->ports[m->port], m, LOOM_DROP_CELL_REASSEMBLY);
}

static void reasm_deliver(void *ctx, void **cells, const uint16_t *lens, uint32_t n)
{
	struct cell_reasm_ctx *rc = ctx;
	struct loom_switch *sw = rc->sw;
	struct loom_cell_switch *cs = sw->cell;
	struct loom_trace_packet *tp;
	struct rte_mbuf *pkt;
	uint32_t total = 0;

	cs->c.cells_rebuilt += n;
	tp = loom_trace_of_fabric(cs->fab->fabric, cells[0]);
	if (unlikely(tp != NULL))
		loom_trace_event(tp, LOOM_TR_REASSEMBLED, sw, rc->dst_port, rc->now)->u.cells.n_cells = (uint16_t)n;
	if (n == 1) {
		/* a packet of one cell: the cell's mbuf becomes the packet (its
		 * headers cut off), no copy */
		pkt = cells[0];
		rte_pktmbuf_adj(pkt, CELL_FRAME_HDR);
		cs->c.pkts_rebuilt++;
		port_output(sw, &sw->ports[rc->dst_port], pkt);
		return;
	}
	pkt = rte_pktmbuf_alloc(cs->fab->pkt_pool);
	if (unlikely(pkt == NULL) && cs->fab->pool_grow && cs->fab->pool_grow(cs->fab->pool_grow_ctx) > 0)
		pkt = rte_pktmbuf_alloc(cs->fab->pkt_pool); /* the pool the hosts found big enough, so far */
	for (uint32_t i = 0; i < n; i++)
		total += lens[i];
	if (pkt == NULL || total > rte_pktmbuf_tailroom(pkt)) {
		/* the packet is lost here: its cells were rebuilt into nothing */
		if (pkt)
			rte_pktmbuf_free(pkt);
		for (uint32_t i = 0; i < n; i++)
			rte_pktmbuf_free(cells[i]);
		cs->c.pkts_rebuilt++;
		sw->ports[rc->dst_port].c.drops[LOOM_DROP_CELL_NO_BUFFER]++;
		return;
	}
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(pkt, (uint16_t)total);
	if (unlikely(tp != NULL)) /* the packet stays traced to its host */
		loom_trace_mark_copy(cs->fab->fabric->observe, cells[0], pkt);
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *c = cells[i];

		rte_memcpy(p, rte_pktmbuf_mtod_offset(c, uint8_t *, CELL_FRAME_HDR), lens[i]);
		p += lens[i];
		rte_pktmbuf_free(c);
	}
	cs->c.pkts_rebuilt++;
	port_output(sw, &sw->ports[rc->dst_port], pkt);
}

static struct cell_reasm_ctx *ctx_get(struct loom_switch *sw, const struct loom_cell_hdr *h)
{
	struct loom_cell_switch *cs = sw->cell;
	uint32_t i = ctx_index(cs, h->src_leaf, h->dst_port, h->cls);
	struct cell_reasm_ctx *rc = cs->reasm[i];

	if (likely(rc != NULL))
		return rc;
	rc = rte_zmalloc("cell_reasm", sizeof(*rc), 0);
	if (rc == NULL)
		return NULL;
	rc->sw = sw;
	rc->dst_port = h->dst_port;
	if (loom_reasm_init(&rc->r, cs->fab->cfg.reasm_window, cs->fab->cfg.reasm_timeout_ns, reasm_deliver,
			    reasm_discard, rc) < 0) {
		rte_free(rc);
		return NULL;
	}
	cs->reasm[i] = rc;
	return rc;
}

void cell_egress_data(struct loom_switch *sw, struct loom_port *in, const struct loom_cell_hdr *h,
		      struct rte_mbuf *m, loom_time_ns now)
{
	struct cell_reasm_ctx *rc;

	if (!host_port_ok(sw, h)) {
		pkt_drop(in, m, LOOM_DROP_CELL_UNREACHABLE);
		return;
	}
	rc = ctx_get(sw, h);
	if (rc == NULL) {
		pkt_drop(in, m, LOOM_DROP_CELL_NO_BUFFER);
		return;
	}
	rc->now = now;
	if (!loom_reasm_add(&rc->r, h->seq_or_bytes, h->flags, h->len, m, now))
		pkt_drop(in, m, LOOM_DROP_CELL_REASSEMBLY);
	else if (rc->r.held > 0)
		sw->timers_armed = true; /* its reassembly timeout */
}

loom_time_ns cell_egress_timers(struct loom_switch *sw, loom_time_ns now)
{
	struct loom_cell_switch *cs = sw->cell;
	loom_time_ns next = LOOM_TIME_NEVER, t;

	for (uint16_t p = 0; p < sw->n_ports; p++) {
		struct loom_credit_sched *cr = cs->ports[p].credit;
		uint32_t v;

		if (cr == NULL)
			continue;
		/* egress flow control: while the port's queue holds more than
		 * egress_limit bytes (a real-time port that fell behind, local
		 * traffic on the port), credit times pass without credits */
		while (loom_switch_queued_bytes(sw, p) > cs->ports[p].egress_limit && loom_credit_skip(cr, now))
			;
		while (loom_credit_next(cr, now, &v)) {
			struct loom_cell_hdr h = {.type = LOOM_CELL_CREDIT, .src_leaf = cs->leaf,
						  .dst_leaf = (uint16_t)(v / cs->fab->cfg.n_classes), .dst_port = p,
						  .cls = (uint8_t)(v % cs->fab->cfg.n_classes),
						  .seq_or_bytes = cr->credit_bytes};

			cs->c.credit_bytes_granted += cr->credit_bytes;
			cell_send_ctrl(sw, &h, now);
		}
		t = loom_credit_next_time(cr);
		if (t < next)
			next = t;
	}
	for (uint32_t i = 0; i < cs->n_voq_slots; i++) {
		struct cell_reasm_ctx *rc = cs->reasm[i];

		if (rc == NULL || rc->r.held == 0)
			continue;
		t = loom_reasm_run_timer(&rc->r, now);
		if (t < next)
			next = t;
	}
	return next;
}
