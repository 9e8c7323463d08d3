/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The egress floor: what happens to a packet once the switch knows its
 * egress port, up to the moment the port hands it to its link.
 *
 *   port_output.c    onto the port's queues: the traffic manager
 *                    (dataplane/tm/) or, with it off, the FIFO
 *                    (port_fifo.h) with cut-through to an idle driver
 *   port_transmit.c  what the port may send now: control frames first
 *                    (ctrl_queue.h: cell control, then a pending PFC
 *                    frame), then the traffic manager's pick or the FIFO;
 *                    queue depths and the next transmit time for the
 *                    runners and load-aware balancers
 *
 * The pipeline, the modes and the runners call down into it; it calls
 * only the traffic manager and core/.
 */
#ifndef LOOM_EGRESS_H
#define LOOM_EGRESS_H

#include <rte_mbuf.h>

#include "pkt_drop.h"
#include "port_fifo.h"
#include "switch.h"

/* port_output.c: put packets that came in on `in_port` on the egress
 * port's output queues (traffic manager, or the FIFO when it is off);
 * what is not admitted is dropped and counted on the egress port. */
void port_output_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		       uint16_t n);
/* A packet the switch made itself (a reply): no ingress port to account. */
static inline void port_output(struct loom_switch *sw, struct loom_port *out, struct rte_mbuf *m)
{
	port_output_burst(sw, out, 0xffff, &m, 1);
}

/* port_transmit.c: drop what waits to go out of `p` under `reason` (its
 * link is gone): its control frames and its FIFO. A traffic manager keeps
 * its packets: its classes drain when the link is back. */
void egress_port_flush(struct loom_port *p, enum loom_drop_reason reason);

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
