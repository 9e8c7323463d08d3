/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output of an egress port. Reads: the egress port, the ingress port (for
 * PFC accounting). Sets: the port's traffic manager queues (dataplane/tm/,
 * tm_enqueue.c says what it reads and sets), or, on a port whose traffic
 * manager is off, its FIFO (port_fifo.h): fixed depth, no classes, no
 * shaping, and cut-through to the wire while it is empty.
 */
#include "egress.h"
#include "fifo_output.h"
#include "tm.h"

void port_output_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		       uint16_t n)
{
	if (out->tm)
		tm_enqueue_burst(sw, out, in_port, pkts, n, sw->tm->now);
	else
		fifo_output_burst(out, pkts, n);
}
