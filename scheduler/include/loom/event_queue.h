/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner's event queue, and a link's delivery time.
 *
 * Events are ordered by (t, seq) lexicographically. `seq` is assigned by
 * the queue on push from a per-queue counter that only grows, so events at
 * the same time pop in the order they were pushed (a stable tie-break),
 * whatever pops and pushes were interleaved in between. With the same pushes
 * in the same order, the pop order is the same on every run and machine:
 * nothing depends on addresses, hashing or the allocator.
 *
 * The queue is an implicit 4-ary min-heap on an array grown with realloc
 * (doubling), so push and pop are O(log n) and push is amortized O(1) in
 * allocation. There is no hidden limit: push fails only when realloc does.
 *
 * An event is a small fixed-size record; the runner chooses what `kind`,
 * `a`, `b` and `p` mean (e.g. kind = packet arrival, a = switch << 16 |
 * port, p = the packet; or kind = "port may transmit"; or a timer). The
 * queue never dereferences `p`.
 *
 * Not thread-safe: the runner is single-threaded.
 */
#ifndef LOOM_EVENT_QUEUE_H
#define LOOM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loom/clock.h"

/* "No event": peek time of an empty queue, and a saturated delivery time. */
#define LOOM_TIME_NEVER UINT64_MAX

struct loom_event {
	loom_time_ns t; /* when it happens */
	uint64_t seq;   /* set by push: the tie-break among equal t */
	uint32_t kind;  /* runner-defined */
	uint32_t a;     /* runner-defined, e.g. switch/port ids */
	uint64_t b;     /* runner-defined */
	void *p;        /* runner-defined, e.g. the packet; never dereferenced */
};

struct loom_event_queue {
	struct loom_event *heap; /* heap[0] is the minimum */
	size_t n;                /* pending events */
	size_t cap;              /* allocated slots */
	uint64_t next_seq;       /* seq given to the next push */
};

/* An empty queue with room for `capacity` events before it must grow
 * (0 is allowed: the first push allocates). Returns 0, or -ENOMEM. */
int loom_event_queue_init(struct loom_event_queue *q, size_t capacity);

/* Frees the array; pending events are dropped (their `p` is not touched).
 * The queue may be initialized again afterwards. */
void loom_event_queue_free(struct loom_event_queue *q);

/* Makes room for at least `capacity` events, so that pushes up to that size
 * do not allocate. Returns 0, or -ENOMEM (the queue is unchanged). */
int loom_event_queue_reserve(struct loom_event_queue *q, size_t capacity);

/* Adds a copy of `*ev` (its `seq` is ignored and replaced by the next
 * sequence number). Returns 0, or -ENOMEM (the queue is unchanged and the
 * sequence number is not consumed). O(log n); grows the array by doubling. */
int loom_event_queue_push(struct loom_event_queue *q, const struct loom_event *ev);

static inline int loom_event_queue_push_at(struct loom_event_queue *q, loom_time_ns t, uint32_t kind,
					   uint32_t a, uint64_t b, void *p)
{
	const struct loom_event ev = {.t = t, .kind = kind, .a = a, .b = b, .p = p};
	return loom_event_queue_push(q, &ev);
}

/* Removes the minimum event into `*out`. Returns false (and leaves `*out`
 * alone) when the queue is empty. O(log n). */
bool loom_event_queue_pop(struct loom_event_queue *q, struct loom_event *out);

/* Pops up to `max` events that all have the minimum time, in seq order, into
 * out[0..]; returns how many (0 when empty). Events left at that time (when
 * there were more than `max`), and events pushed later at that time, have
 * higher seqs, so mixing this with single pops and pushes gives exactly the
 * order single pops would. */
size_t loom_event_queue_pop_at_min(struct loom_event_queue *q, struct loom_event *out, size_t max);

static inline size_t loom_event_queue_size(const struct loom_event_queue *q) { return q->n; }
static inline bool loom_event_queue_empty(const struct loom_event_queue *q) { return q->n == 0; }

/* The minimum event without removing it, or NULL when empty. The pointer is
 * valid until the next push or pop. */
static inline const struct loom_event *loom_event_queue_peek(const struct loom_event_queue *q)
{
	return q->n ? &q->heap[0] : NULL;
}

/* The minimum event's time, or LOOM_TIME_NEVER when empty. */
static inline loom_time_ns loom_event_queue_peek_time(const struct loom_event_queue *q)
{
	return q->n ? q->heap[0].t : LOOM_TIME_NEVER;
}

/*
 * Link timing.
 *
 * A packet of `bytes` bytes takes bytes * 8 / rate seconds to serialize.
 * In nanoseconds this is rounded UP: ceil(bytes * 8 * 1e9 / rate_bps). When
 * a port starts the next packet at the previous one's serialization end,
 * the link therefore never carries more than its rate over any window (at
 * most 1 ns per packet slower than exact). The math is exact integer math
 * with a 128-bit intermediate: no floating point, so results are identical
 * on every machine.
 *
 * rate_bps == 0 (a link that never finishes) and results beyond 2^64 - 1 ns
 * saturate to LOOM_TIME_NEVER.
 */
loom_time_ns loom_link_serialization_ns(uint64_t bytes, uint64_t rate_bps);

/* When the last bit of a packet whose first bit leaves at `t_start` reaches
 * the far end: t_start + loom_link_serialization_ns(bytes, rate_bps) +
 * delay_ns (propagation), saturating at LOOM_TIME_NEVER. */
loom_time_ns loom_link_delivery_time(loom_time_ns t_start, uint64_t bytes, uint64_t rate_bps,
				     loom_time_ns delay_ns);

#endif
