/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reordering as a receiver sees it: the cost side of spraying. Per flow the
 * highest sequence number seen so far; a packet whose sequence is below it
 * arrived after a packet sent later, and counts as out of order, with its
 * reorder distance = (highest - seq) in packets (TCP: bytes divided by the
 * packet's payload length, rounded up). Distances go into a histogram of
 * powers of two: [1], [2,3], [4,7], ... [64, inf).
 *
 * Flows live in a fixed table indexed by flow hash (a flow whose slot is
 * taken by another replaces it and starts afresh): memory is bounded
 * whatever the traffic, at the price of missing reorders of flows that
 * evict each other. TCP retransmissions also count as late packets.
 * Sequence comparisons are serial (RFC 1982), so wrapping is fine.
 * A flow silent for longer than the idle time (100 ms) starts afresh: a
 * sender that starts over (a new iperf3 run on the same ports, a new TCP
 * connection) is not hundreds of packets "late".
 */
#ifndef LOOM_LB_REORDER_H
#define LOOM_LB_REORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "loom/clock.h"

#define LB_REORDER_IDLE_NS (100 * LOOM_NS_PER_MS)
#define LB_REORDER_BUCKETS 8 /* 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64-127, 128+ */

struct lb_reorder_flow {
	uint32_t tag;     /* flow hash; 0 = free slot */
	uint32_t highest; /* highest sequence seen (serial) */
	loom_time_ns last_seen;
	uint64_t packets;
	uint64_t out_of_order;
};

struct lb_reorder_counters {
	uint64_t packets;      /* with a sequence number, observed */
	uint64_t out_of_order;
	uint64_t flows;        /* flows that took a slot */
	uint64_t evictions;    /* ... by replacing another */
	uint64_t restarts;     /* flows that came back after the idle time */
	uint64_t distance[LB_REORDER_BUCKETS];
};

struct lb_reorder {
	uint32_t mask; /* table size - 1 */
	struct lb_reorder_flow *flows;
	struct lb_reorder_counters c;
	bool owned;    /* flows was allocated by lb_reorder_init (freed by lb_reorder_free) */
};

/* size: power of two. Returns 0 or -1 (no memory / bad size). */
int lb_reorder_init(struct lb_reorder *r, uint32_t size);
/* The same on the caller's zeroed memory for `size` flows (e.g. pages
 * resident only where written: a port sees few flows of its 1024 slots),
 * which lb_reorder_free leaves to the caller. -1 on a bad size or NULL. */
int lb_reorder_init_in(struct lb_reorder *r, uint32_t size, struct lb_reorder_flow *zeroed);
void lb_reorder_free(struct lb_reorder *r);

/* One packet of flow `flow_hash` with sequence `seq`; `unit` is how much
 * sequence one packet of this size takes (TCP: payload bytes, 0 for pure
 * ACKs which are then ignored; UDP/RoCE counters: 1). Returns the reorder
 * distance in packets, 0 when in order. */
uint32_t lb_reorder_observe(struct lb_reorder *r, uint32_t flow_hash, uint32_t seq, uint32_t unit,
			    loom_time_ns now);

/* Bucket of a distance >= 1. */
unsigned int lb_reorder_bucket(uint32_t distance);

#endif
