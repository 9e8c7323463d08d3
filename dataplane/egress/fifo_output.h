/* SPDX-License-Identifier: BSD-3-Clause */
/* Output onto the FIFO of a port whose traffic manager is off
 * (port_fifo.h), with cut-through to the port's driver while it is empty. */
#ifndef LOOM_FIFO_OUTPUT_H
#define LOOM_FIFO_OUTPUT_H

#include <rte_mbuf.h>

#include "pkt_drop.h"
#include "port_fifo.h"
#include "switch.h"

/* One packet onto the FIFO of a port whose traffic manager is off
 * (queue_full when it is full). */
static inline void fifo_output(struct loom_port *out, struct rte_mbuf *m)
{
	if (unlikely(!port_fifo_push(out->outq, m, (uint16_t)rte_pktmbuf_pkt_len(m))))
		pkt_drop(out, m, LOOM_DROP_QUEUE_FULL);
}

/* Packets onto a traffic-manager-less port. Cut-through, as a switch
 * forwards when the egress port is idle: while the FIFO is empty and the
 * port has a wire that takes packets at once (loom_wire), they go
 * straight to it, counted as transmitted, saving the FIFO's push and the
 * runner's later dequeue; what the wire does not take, and everything
 * while packets wait, joins the FIFO behind them, so order is kept. */
static inline void fifo_output_burst(struct loom_port *out, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;

	if (out->wire.send != NULL && out->outq->count == 0) {
		uint64_t bytes = 0;

		/* counted before the send: what the wire takes is no longer
		 * ours to read (a driver may free it at once) */
		for (uint16_t i = 0; i < n; i++)
			bytes += rte_pktmbuf_pkt_len(pkts[i]);
		sent = out->wire.send(out->wire.ctx, pkts, n);
		for (uint16_t i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		out->c.tx_packets += sent;
		out->c.tx_bytes += bytes;
	}
	for (uint16_t i = sent; i < n; i++)
		fifo_output(out, pkts[i]);
}

#endif
