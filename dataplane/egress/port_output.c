/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output of an egress port. Reads: the egress port, the ingress port (for
 * PFC accounting). Sets: the port's traffic manager queues (dataplane/tm/,
 * tm_enqueue.c says what it reads and sets), or, on a port whose traffic
 * manager is off, its FIFO (port_fifo.h): fixed depth, no classes, no
 * shaping, and cut-through to the wire while it is empty.
 *
 * On a port whose MTU is below another port's of the switch (and only
 * there: the ingress port already held the packet to its own MTU), a
 * packet longer than the port's MTU is dropped first, under mtu_exceeded,
 * counted on this port like the queue's drops.
 */
#include <rte_ether.h>

#include "egress.h"
#include "fifo_output.h"
#include "pkt_drop.h"
#include "tm.h"

/* The IP packet's length: the frame less its Ethernet header and tags. */
static inline uint32_t l3_len(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = RTE_ETHER_HDR_LEN, len = rte_pktmbuf_pkt_len(m);

	while (off + RTE_VLAN_HLEN <= len) {
		uint16_t type = (uint16_t)(d[off - 2] << 8 | d[off - 1]);

		if (type != RTE_ETHER_TYPE_VLAN && type != RTE_ETHER_TYPE_QINQ)
			break;
		off += RTE_VLAN_HLEN;
	}
	return len > off ? len - off : 0;
}

/* Keeps in pkts[] what fits the port's MTU; returns how many. */
static uint16_t mtu_filter(struct loom_port *out, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (l3_len(pkts[i]) > out->mtu)
			pkt_drop(out, pkts[i], LOOM_DROP_MTU_EXCEEDED);
		else
			pkts[k++] = pkts[i];
	}
	return k;
}

void port_output_burst(struct loom_switch *sw, struct loom_port *out, uint16_t in_port, struct rte_mbuf **pkts,
		       uint16_t n)
{
	if (unlikely(out->mtu_below_switch)) {
		n = mtu_filter(out, pkts, n);
		if (n == 0)
			return;
	}
	if (out->tm)
		tm_enqueue_burst(sw, out, in_port, pkts, n, sw->tm->now);
	else
		fifo_output_burst(out, pkts, n);
}
