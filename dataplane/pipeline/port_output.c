/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output queue of an egress port. Reads: the egress port. Sets: nothing
 * but the queue. For now a FIFO of fixed depth (an rte_ring, single
 * producer and consumer: one worker runs the switch); the traffic manager
 * replaces it with per-class queues and a shaper.
 */
#include <rte_ring.h>

#include "stages.h"

void port_output_burst(struct loom_switch *sw, struct loom_port *out, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int done = rte_ring_sp_enqueue_burst(out->outq, (void **)pkts, n, NULL);

	(void)sw;
	for (unsigned int i = 0; i < done; i++)
		out->outq_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	for (unsigned int i = done; i < n; i++)
		pkt_drop(out, pkts[i], LOOM_DROP_QUEUE_FULL);
}
