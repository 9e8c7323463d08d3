/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output of an egress port. Reads: the egress port, the ingress port (for
 * PFC accounting). Sets: the port's traffic manager queues (dataplane/tm/,
 * tm_enqueue.c says what it reads and sets), or, on a port whose traffic
 * manager is off, its FIFO: an rte_ring of fixed depth, single producer
 * and consumer (one worker runs the switch), no classes, no shaping.
 */
#include <rte_ring.h>

#include "stages.h"
#include "tm.h"

static void fifo_output_burst(struct loom_port *out, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int done = rte_ring_sp_enqueue_burst(out->outq, (void **)pkts, n, NULL);

	for (unsigned int i = 0; i < done; i++)
		out->outq_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	for (unsigned int i = done; i < n; i++)
		pkt_drop(out, pkts[i], LOOM_DROP_QUEUE_FULL);
}

void port_output_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		       uint16_t n)
{
	if (out->tm)
		tm_enqueue_burst(sw, out, in_port, pkts, n, sw->tm->now);
	else
		fifo_output_burst(out, pkts, n);
}
