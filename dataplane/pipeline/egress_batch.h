/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets of one burst grouped by egress port, so that each output queue
 * takes one enqueue per burst instead of one per packet. Used by the native
 * forwarding (switch_handlers.c) and the IPv4 fast path (ipv4_fast_path.c).
 * slot[port] is the port's batch (0xff: none yet); ports are 0..255.
 */
#ifndef LOOM_EGRESS_BATCH_H
#define LOOM_EGRESS_BATCH_H

#include "stages.h"

struct egress_batch {
	uint16_t port;
	uint16_t n;
	struct rte_mbuf *pkts[LOOM_BURST];
	const struct loom_pkt_meta *meta[LOOM_BURST]; /* for the reorder measurement; NULL: parse again */
};

static inline uint16_t egress_batch_add(struct egress_batch *eg, uint8_t *slot, uint16_t n_eg, uint16_t port,
					struct rte_mbuf *m, const struct loom_pkt_meta *meta)
{
	struct egress_batch *b;

	if (slot[port] != 0xff) {
		b = &eg[slot[port]];
	} else {
		slot[port] = (uint8_t)n_eg;
		b = &eg[n_eg++];
		b->port = port;
		b->n = 0;
	}
	if (meta != NULL) /* the fast path has none: the store goes when inlined */
		b->meta[b->n] = meta;
	b->pkts[b->n++] = m;
	return n_eg;
}

/* Each batch to its port's output queues, after the reorder measurement
 * on ports that have it (in the order the packets leave the port). */
static inline void egress_batch_output(struct loom_switch *sw, const struct loom_port *in, struct egress_batch *eg,
				       uint16_t n_eg, bool with_meta, loom_time_ns now)
{
	for (uint16_t j = 0; j < n_eg; j++) {
		struct loom_port *out = &sw->ports[eg[j].port];

		if (unlikely(out->reorder_measured))
			for (uint16_t k = 0; k < eg[j].n; k++)
				reorder_measure(sw, out->index, eg[j].pkts[k], with_meta ? eg[j].meta[k] : NULL, now);
		port_output_burst(sw, out, in->index, eg[j].pkts, eg[j].n);
	}
}

#endif
