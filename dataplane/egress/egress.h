/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The egress floor: what happens to a packet once the switch knows its
 * egress port, up to the moment the port hands it to its link.
 *
 *   port_output.c    onto the port's queues: the traffic manager
 *                    (dataplane/tm/) or, with it off, the FIFO
 *                    (port_fifo.h, fifo_output.h) with cut-through to an
 *                    idle driver
 *   port_transmit.c  what the port may send now: control frames first
 *                    (ctrl_queue.h: cell control, then a pending PFC
 *                    frame), then the traffic manager's pick or the FIFO;
 *                    queue depths and the next transmit time for the
 *                    runners and load-aware balancers
 *
 * The pipeline, the modes and the runners call down into it; it calls
 * only the traffic manager, trace/ (a capture of what a port sends) and
 * core/.
 */
#ifndef LOOM_EGRESS_H
#define LOOM_EGRESS_H

#include <rte_mbuf.h>

#include "fifo_output.h"
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

/* port_transmit.c, the transmit side, for the runners, the modes and
 * load-aware balancers. Dequeue up to `max` packets that `port` may send now; the caller sends
 * them (or holds them until the driver takes them). */
uint16_t loom_switch_transmit(struct loom_switch *sw, uint16_t port, struct rte_mbuf **out, uint16_t max,
			      loom_time_ns now);
/* Packets waiting in the port's output queue. */
uint32_t loom_switch_queued(const struct loom_switch *sw, uint16_t port);
/* Start loading what loom_switch_transmit(sw, port) reads first: the
 * heads of the port's queues and their packets (the virtual-time runner
 * calls it one event ahead: in a large fabric they are cold by then). */
void loom_switch_prefetch_transmit(const struct loom_switch *sw, uint16_t port);
/* Bytes waiting in the port's output queues (load-aware balancers read it). */
uint64_t loom_switch_queued_bytes(const struct loom_switch *sw, uint16_t port);
/* Earliest time >= now at which `port` has a packet it may send: `now` when
 * it may send at once, LOOM_TIME_NEVER when nothing waits. The virtual-time
 * runner schedules the port's next transmit at this time; the real-time
 * runner just polls loom_switch_transmit(). */
loom_time_ns loom_switch_next_tx_time(const struct loom_switch *sw, uint16_t port, loom_time_ns now);

#endif
