/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's control queue: frames that go out before anything else the
 * port holds (a cell fabric's REQUEST and CREDIT cells). The traffic
 * manager's PFC frame goes in the same place in the order
 * (egress/port_transmit.c), right after these: it is built only when the
 * port sends, so that it carries the latest state of every class.
 *
 * An rte_ring (single producer, single consumer: one worker) initialised
 * in memory from rte_malloc rather than made by rte_ring_create, which
 * takes one of DPDK's 2560 memzones per port.
 */
#ifndef LOOM_CTRL_QUEUE_H
#define LOOM_CTRL_QUEUE_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pkt_drop.h"

struct egress_ctrlq {
	uint64_t bytes;        /* held: the port has something to send while > 0 */
	struct rte_ring *ring; /* -> the ring in the memory that follows */
};

/* A control queue for `p` holding up to `size` - 1 frames (size: a power
 * of two); 0, or -1 when out of memory. */
int egress_ctrlq_create(struct loom_port *p, unsigned int size);
/* Frees the queue and the frames it still holds. */
void egress_ctrlq_free(struct loom_port *p);

/* Queue a control frame on `p` (dropped as queue_full when the queue is
 * full); true when queued. */
static inline bool egress_ctrlq_push(struct loom_port *p, struct rte_mbuf *m)
{
	struct egress_ctrlq *q = p->ctrlq;

	if (rte_ring_sp_enqueue(q->ring, m) != 0) {
		pkt_drop(p, m, LOOM_DROP_QUEUE_FULL);
		return false;
	}
	q->bytes += rte_pktmbuf_pkt_len(m);
	return true;
}

static inline uint32_t egress_ctrlq_count(const struct loom_port *p)
{
	return p->ctrlq ? rte_ring_count(p->ctrlq->ring) : 0;
}

static inline uint64_t egress_ctrlq_bytes(const struct loom_port *p)
{
	return p->ctrlq ? p->ctrlq->bytes : 0;
}

#endif
