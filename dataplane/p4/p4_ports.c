/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SWX pipeline's ports for a Loom switch (see p4_internal.h for the
 * numbering). Custom port types rather than DPDK's ring ports: the switch
 * already holds the burst in an array and hands the output to its own
 * egress queueing, so a ring in each direction would only add an enqueue
 * and a dequeue per packet.
 *
 *   loom_burst   (input)  reads the burst loom_switch_receive() passes on
 *   loom_egress  (output) collects packets per switch port; the switch
 *                         hands them to port_output_burst() after the run
 *   loom_drop    (output) counts the packet under its drop reason on the
 *                         ingress port and frees it
 */
#include <stdio.h>

#include "p4_internal.h"
#include "stages.h"

/* ---- input: the burst being forwarded ---- */

static void *burst_create(void *args)
{
	return args;
}

static void port_free(void *port)
{
	(void)port; /* the objects live in struct loom_p4 */
}

static int burst_rx(void *port, struct rte_swx_pkt *pkt)
{
	struct loom_p4 *x = port;
	struct rte_mbuf *m;

	if (x->rx_next == x->rx_n)
		return 0;
	m = x->rx_pkts[x->rx_next++];
	pkt->handle = m;
	pkt->pkt = m->buf_addr;
	pkt->offset = m->data_off;
	pkt->length = m->pkt_len;
	return 1;
}

static void burst_stats(void *port, struct rte_swx_port_in_stats *st)
{
	(void)port;
	memset(st, 0, sizeof(*st)); /* the switch's port counters count rx */
}

/* ---- output ---- */

static void *out_create(void *args)
{
	return args;
}

/* The program may have emitted fewer or more header bytes than it
 * extracted: the packet now starts at pkt->offset. */
static inline struct rte_mbuf *pkt_to_mbuf(const struct rte_swx_pkt *pkt)
{
	struct rte_mbuf *m = pkt->handle;

	m->data_off = (uint16_t)pkt->offset;
	m->data_len = (uint16_t)pkt->length;
	m->pkt_len = pkt->length;
	return m;
}

static void egress_tx(void *port, struct rte_swx_pkt *pkt)
{
	struct loom_p4_out *o = port;
	struct loom_p4 *x = o->x;
	struct rte_mbuf *m = pkt_to_mbuf(pkt);

	if (x->eg_n[o->port] == 0)
		x->touched[x->n_touched++] = o->port;
	x->eg[o->port][x->eg_n[o->port]++] = m;
	x->n_done++;
}

static void drop_tx(void *port, struct rte_swx_pkt *pkt)
{
	struct loom_p4_out *o = port;
	struct loom_p4 *x = o->x;

	pkt_drop(x->in, pkt->handle, o->reason);
	x->n_done++;
}

/* Mirroring (clones) is not configured: the spec loader refuses it, so
 * SWX never calls these; they drop the clone rather than leak it. */
static void clone_tx(void *port, struct rte_swx_pkt *pkt)
{
	(void)port;
	(void)pkt;
}

static void clone_trunc_tx(void *port, struct rte_swx_pkt *pkt, uint32_t len)
{
	(void)port;
	(void)pkt;
	(void)len;
}

static void out_flush(void *port)
{
	(void)port; /* the switch flushes the egress batches itself */
}

static void out_stats(void *port, struct rte_swx_port_out_stats *st)
{
	(void)port;
	memset(st, 0, sizeof(*st)); /* the switch's counters count tx and drops */
}

static struct rte_swx_port_in_ops burst_ops = {
	.create = burst_create, .free = port_free, .pkt_rx = burst_rx, .stats_read = burst_stats,
};

static struct rte_swx_port_out_ops egress_ops = {
	.create = out_create, .free = port_free, .pkt_tx = egress_tx, .pkt_fast_clone_tx = clone_tx,
	.pkt_clone_tx = clone_trunc_tx, .flush = out_flush, .stats_read = out_stats,
};

static struct rte_swx_port_out_ops drop_ops = {
	.create = out_create, .free = port_free, .pkt_tx = drop_tx, .pkt_fast_clone_tx = clone_tx,
	.pkt_clone_tx = clone_trunc_tx, .flush = out_flush, .stats_read = out_stats,
};

static enum loom_drop_reason drop_code_reason(uint32_t code)
{
	switch (code) {
	case LOOM_P4_DROP_NO_ROUTE:
		return LOOM_DROP_NO_ROUTE;
	case LOOM_P4_DROP_TTL_EXPIRED:
		return LOOM_DROP_TTL_EXPIRED;
	case LOOM_P4_DROP_NOT_IP:
		return LOOM_DROP_UNKNOWN_ETHERTYPE;
	default:
		return LOOM_DROP_P4_DROP;
	}
}

int loom_p4_ports_config(struct loom_p4 *x, char *err, size_t errlen)
{
	struct loom_switch *sw = x->sw;
	int rc;

	if (rte_swx_pipeline_port_in_type_register(x->pipe, "loom_burst", &burst_ops) ||
	    rte_swx_pipeline_port_out_type_register(x->pipe, "loom_egress", &egress_ops) ||
	    rte_swx_pipeline_port_out_type_register(x->pipe, "loom_drop", &drop_ops)) {
		snprintf(err, errlen, "cannot register Loom's SWX port types");
		return -1;
	}
	rc = rte_swx_pipeline_port_in_config(x->pipe, 0, "loom_burst", x);
	for (uint32_t i = 0; rc == 0 && i < LOOM_P4_OUT_PORTS; i++) {
		struct loom_p4_out *o = &x->out[i];
		bool is_port = i < LOOM_P4_SWITCH_PORTS && i < sw->n_ports && sw->ports[i].outq != NULL;

		o->x = x;
		o->port = (uint16_t)i;
		if (i >= LOOM_P4_DROP_BASE && i < LOOM_P4_DROP_BASE + LOOM_P4_DROP_CODES)
			o->reason = drop_code_reason(i - LOOM_P4_DROP_BASE);
		else
			o->reason = LOOM_DROP_P4_DROP; /* no such switch port, or SWX's drop */
		rc = rte_swx_pipeline_port_out_config(x->pipe, i, is_port ? "loom_egress" : "loom_drop", o);
	}
	if (rc) {
		snprintf(err, errlen, "cannot configure the SWX ports: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
