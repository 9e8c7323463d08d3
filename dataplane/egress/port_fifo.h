/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's output FIFO when its traffic manager is off: packets and their
 * lengths in a circular array of LOOM_OUTQ_SIZE entries.
 *
 * Written here rather than taken from rte_ring, which it replaced: both
 * ends run on the switch's own worker, so none of rte_ring's
 * producer/consumer synchronisation is needed, and the byte counts (queue
 * depth for load balancing and telemetry, tx_bytes) come from the lengths
 * kept beside the pointers instead of a pass over the mbufs at each end.
 * On the benchmark's leaf (docs/PERFORMANCE.md) the rte_ring version cost
 * ~43 instructions per packet from enqueue to transmit, this one ~34
 * (callgrind), and the leaf went from 34-35 to 37 Mpps.
 *
 * Frames are single-segment (the parser's guard), so a length fits in 16
 * bits.
 */
#ifndef LOOM_PORT_FIFO_H
#define LOOM_PORT_FIFO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* Depth of each port's output FIFO (packets). */
#define LOOM_OUTQ_SIZE 512
#define LOOM_OUTQ_MASK (LOOM_OUTQ_SIZE - 1)
_Static_assert((LOOM_OUTQ_SIZE & LOOM_OUTQ_MASK) == 0, "LOOM_OUTQ_SIZE must be a power of two");

struct port_fifo {
	uint32_t head;   /* oldest packet */
	uint32_t count;  /* packets held */
	uint64_t bytes;  /* their bytes */
	struct rte_mbuf *pkts[LOOM_OUTQ_SIZE];
	uint16_t lens[LOOM_OUTQ_SIZE];
};

/* Append one packet of `len` bytes; false when the FIFO is full. */
static inline bool port_fifo_push(struct port_fifo *q, struct rte_mbuf *m, uint16_t len)
{
	uint32_t k = (q->head + q->count) & LOOM_OUTQ_MASK;

	if (unlikely(q->count == LOOM_OUTQ_SIZE))
		return false;
	q->pkts[k] = m;
	q->lens[k] = len;
	q->count++;
	q->bytes += len;
	return true;
}

/* Take up to `max` packets from the head; their bytes into *bytes. */
static inline uint16_t port_fifo_dequeue(struct port_fifo *q, struct rte_mbuf **out, uint16_t max, uint64_t *bytes)
{
	uint16_t n = q->count < max ? (uint16_t)q->count : max;
	uint64_t sum = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t k = (q->head + i) & LOOM_OUTQ_MASK;

		out[i] = q->pkts[k];
		sum += q->lens[k];
	}
	q->head = (q->head + n) & LOOM_OUTQ_MASK;
	q->count -= n;
	q->bytes -= sum;
	*bytes = sum;
	return n;
}

#endif
