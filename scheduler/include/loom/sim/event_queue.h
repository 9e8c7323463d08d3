/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner's event queue (a link's delivery time: link.h).
 *
 * Events are ordered by (t, seq) lexicographically. `seq` is assigned by
 * the queue on push from a per-queue counter that only grows, so events at
 * the same time pop in the order they were pushed (a stable tie-break),
 * whatever pops and pushes were interleaved in between. With the same pushes
 * in the same order, the pop order is the same on every run and machine:
 * nothing depends on addresses, hashing or the allocator.
 *
 * Causality: a push earlier than the last popped event's time is refused
 * (-EINVAL). A discrete-event runner never schedules into the past, and the
 * wheel below relies on it; the heap enforces it too so that both behave
 * identically. Before the first pop any time is accepted.
 *
 * Two implementations, chosen at init, with identical results (the unit test
 * runs every case on both and cross-checks them):
 *  - LOOM_EVQ_WHEEL (the default): a hierarchical timing wheel with 1 ns
 *    resolution and 8 levels of 256 slots, one per byte of the 64-bit time
 *    (a radix heap with byte digits). An event sits at the level of the
 *    highest byte where its time differs from the last popped time, in the
 *    slot given by that byte of its time; each slot is a FIFO list of
 *    16-event chunks from one pool, so events are moved and popped by
 *    streaming through memory. When the lower levels are empty, the first
 *    non-empty slot of the next level is moved down in list order, so every
 *    level-0 slot holds one exact time in push order. Push is O(1); pop is
 *    O(1) amortized (an event moves down at most 7 times, in practice 1-2).
 *    Exact order, no tuning parameters. The pool is sized on push so that
 *    pop never allocates: ~40 B per event plus up to ~2.6 MB for partly
 *    filled chunks; with few events, up to ~1.3 KB per event (use the heap
 *    if that matters).
 *  - LOOM_EVQ_HEAP: an implicit 4-ary min-heap of events, O(log n) push and
 *    pop. Simpler and compact; kept as the reference.
 * Both grow with realloc (doubling): there is no hidden limit, push fails
 * only when memory does, and pop never allocates and never fails.
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

/* LOOM_TIME_NEVER (clock.h) is the peek time of an empty queue and a
 * saturated delivery time (link.h). An event may be pushed at that time, but
 * peek_time cannot tell it apart from an empty queue. */

struct loom_event {
	loom_time_ns t; /* when it happens */
	uint64_t seq;   /* set by push: the tie-break among equal t */
	uint32_t kind;  /* runner-defined */
	uint32_t a;     /* runner-defined, e.g. switch/port ids */
	uint64_t b;     /* runner-defined */
	void *p;        /* runner-defined, e.g. the packet; never dereferenced */
};

enum loom_evq_impl {
	LOOM_EVQ_WHEEL = 0, /* default */
	LOOM_EVQ_HEAP = 1,
};

#define LOOM_EVQ_WHEEL_LEVELS 8
#define LOOM_EVQ_WHEEL_SLOTS 256

struct loom_evq_chunk; /* wheel storage (event_queue.c) */
struct loom_evq_slot;

/* Treat as opaque: use the functions below. */
struct loom_event_queue {
	enum loom_evq_impl impl;
	size_t n;          /* pending events */
	uint64_t next_seq; /* seq given to the next push */
	loom_time_ns last; /* last popped time (0 before the first pop): a floor for pushes */
	/* LOOM_EVQ_HEAP */
	struct loom_event *heap; /* heap[0] is the minimum */
	size_t cap;              /* events that fit without allocating (both) */
	/* LOOM_EVQ_WHEEL */
	struct loom_evq_chunk *chunks; /* pool of chunk_cap chunks */
	uint32_t chunk_cap;
	uint32_t free_head;          /* free list through chunk.next */
	uint32_t fresh;              /* chunks[fresh..chunk_cap) never used */
	struct loom_evq_slot *slots; /* [level * SLOTS + slot] */
	uint32_t level_mask;         /* bit l: level l has an event */
	uint64_t occ[LOOM_EVQ_WHEEL_LEVELS][LOOM_EVQ_WHEEL_SLOTS / 64]; /* non-empty slots */
};

/* An empty queue of the given implementation with room for `capacity`
 * events before it must grow (0 is allowed: the first push allocates).
 * Returns 0, -EINVAL (unknown impl) or -ENOMEM. */
int loom_event_queue_init_impl(struct loom_event_queue *q, size_t capacity, enum loom_evq_impl impl);

/* The same with the default implementation (the wheel). */
static inline int loom_event_queue_init(struct loom_event_queue *q, size_t capacity)
{
	return loom_event_queue_init_impl(q, capacity, LOOM_EVQ_WHEEL);
}

/* Frees the memory; pending events are dropped (their `p` is not touched).
 * The queue may be initialized again afterwards; freeing twice is harmless. */
void loom_event_queue_free(struct loom_event_queue *q);

/* Bytes it has allocated (its arrays at their current capacity). */
size_t loom_event_queue_bytes(const struct loom_event_queue *q);

/* Makes room for at least `capacity` events, so that pushes up to that size
 * do not allocate. Returns 0, or -ENOMEM (the queue is unchanged). */
int loom_event_queue_reserve(struct loom_event_queue *q, size_t capacity);

/* Adds a copy of `*ev` (its `seq` is ignored and replaced by the next
 * sequence number). Returns 0; -EINVAL if ev->t is earlier than the last
 * popped time; -ENOMEM. On error the queue is unchanged and no sequence
 * number is consumed. */
int loom_event_queue_push(struct loom_event_queue *q, const struct loom_event *ev);

static inline int loom_event_queue_push_at(struct loom_event_queue *q, loom_time_ns t, uint32_t kind,
					   uint32_t a, uint64_t b, void *p)
{
	const struct loom_event ev = {.t = t, .kind = kind, .a = a, .b = b, .p = p};
	return loom_event_queue_push(q, &ev);
}

/* Removes the minimum event into `*out`. Returns false (and leaves `*out`
 * alone) when the queue is empty. */
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
 * valid until the next push or pop. Does not change the queue. O(1) for the
 * heap; for the wheel O(1) unless the next time is in a slot not yet moved
 * down, which it scans (the following pop moves it down anyway). */
const struct loom_event *loom_event_queue_peek(const struct loom_event_queue *q);

/* The minimum event's time, or LOOM_TIME_NEVER when empty. */
loom_time_ns loom_event_queue_peek_time(const struct loom_event_queue *q);

#endif
