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
 * only the traffic manager and core/.
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

#endif
