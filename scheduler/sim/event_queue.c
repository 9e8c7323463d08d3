/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/sim/event_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define LEVELS LOOM_EVQ_WHEEL_LEVELS
#define SLOTS LOOM_EVQ_WHEEL_SLOTS
#define WORDS (SLOTS / 64)

/* Wheel storage: every slot is a FIFO list of chunks of CH events taken
 * from one pool, so moving and popping events streams through memory
 * instead of chasing one pointer per event. */
#define CH 16

struct loom_evq_chunk {
	struct loom_event ev[CH];
	uint32_t next; /* next chunk of the slot, or of the free list; NIL ends */
};

struct loom_evq_slot {
	uint32_t head, tail; /* chunks; head == NIL: the slot is empty */
	uint16_t rd;         /* next event to read in the head chunk */
	uint16_t wr;         /* events written in the tail chunk */
};

static inline bool ev_before(const struct loom_event *x, const struct loom_event *y)
{
	return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

/* ---- 4-ary heap ----------------------------------------------------------
 * Implicit: the children of slot i are 4i+1 .. 4i+4, its parent (i-1)/4.
 * Four children per node halve the depth of a binary heap, and the four
 * keys compared at each level of a pop are contiguous. Sifts move a hole
 * instead of swapping, so each level costs one copy. */
#define ARITY 4

static void heap_push(struct loom_event_queue *q, const struct loom_event *x)
{
	struct loom_event *h = q->heap;
	size_t i = q->n;

	/* x.seq is the largest seq ever given, so x goes above a parent only
	 * when its time is strictly earlier. */
	while (i > 0) {
		size_t parent = (i - 1) / ARITY;

		if (h[parent].t <= x->t)
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = *x;
}

/* Removes heap[0] (q->n already decremented): the last event fills the hole,
 * sifted down. */
static void heap_remove_min(struct loom_event_queue *q)
{
	struct loom_event *h = q->heap;
	size_t n = q->n;
	size_t i = 0;

	if (n == 0)
		return;
	const struct loom_event x = h[n];
	for (;;) {
		size_t c = i * ARITY + 1;
		size_t best;

		if (c >= n)
			break;
		best = c;
		if (c + ARITY <= n) {
			/* All four children exist: the common case, unrolled. */
			if (ev_before(&h[c + 1], &h[best]))
				best = c + 1;
			if (ev_before(&h[c + 2], &h[best]))
				best = c + 2;
			if (ev_before(&h[c + 3], &h[best]))
				best = c + 3;
		} else {
			for (size_t k = c + 1; k < n; k++)
				if (ev_before(&h[k], &h[best]))
					best = k;
		}
		if (!ev_before(&h[best], &x))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = x;
}

/* ---- hierarchical timing wheel (radix heap, byte digits) -----------------
 * `cur` (q->last) is at most every pending time. An event with time t is at
 * level L = the highest byte where t and cur differ (0 if t == cur), in slot
 * byte L of t. So level-0 events share bytes 1..7 with cur: a level-0 slot
 * holds exactly one time. Level-L events have byte L greater than cur's, so
 * slots at or below cur's byte L are empty.
 *
 * Pop takes the head of the first non-empty level-0 slot. When level 0 is
 * empty it takes the first non-empty slot of the lowest non-empty level L,
 * raises cur to the earliest time in that slot, and moves the slot's events
 * (in list order) to lower levels. Lists are FIFO and a slot is filled from
 * above only while it is empty (all lower levels are empty then), so every
 * list is in seq order and level 0 pops exactly by (t, seq). cur only rises
 * inside pop, to the popped time, so pushes at or after the last popped
 * time always fit.
 *
 * Memory: a slot holding m events spans at most m / CH + 2 chunks (a
 * partly read head chunk and a partly written tail chunk), also while a
 * slot is being moved down. Push keeps the pool at w_chunks_for(n) chunks,
 * so moving events down never allocates and pop cannot fail. */

static size_t w_chunks_for(size_t events)
{
	size_t slots = LEVELS * SLOTS;

	return events / CH + 2 * (events < slots ? events : slots) + 2;
}

static inline unsigned w_level(loom_time_ns t, loom_time_ns cur)
{
	uint64_t x = t ^ cur;

	return x ? (unsigned)(63 - __builtin_clzll(x)) >> 3 : 0;
}

static inline unsigned w_slot(loom_time_ns t, unsigned level) { return (unsigned)(t >> (8 * level)) & (SLOTS - 1); }

static inline uint32_t w_chunk_alloc(struct loom_event_queue *q)
{
	uint32_t c = q->free_head;

	if (c != NIL)
		q->free_head = q->chunks[c].next;
	else
		c = q->fresh++; /* < chunk_cap by the pool invariant */
	q->chunks[c].next = NIL;
	return c;
}

static inline void w_chunk_free(struct loom_event_queue *q, uint32_t c)
{
	q->chunks[c].next = q->free_head;
	q->free_head = c;
}

static inline void w_append(struct loom_event_queue *q, const struct loom_event *ev, unsigned level, unsigned slot)
{
	struct loom_evq_slot *sl = &q->slots[level * SLOTS + slot];

	if (sl->head == NIL) {
		sl->head = sl->tail = w_chunk_alloc(q);
		sl->rd = sl->wr = 0;
		q->occ[level][slot / 64] |= 1ull << (slot % 64);
		q->level_mask |= 1u << level;
	} else if (sl->wr == CH) {
		uint32_t c = w_chunk_alloc(q);

		q->chunks[sl->tail].next = c;
		sl->tail = c;
		sl->wr = 0;
	}
	q->chunks[sl->tail].ev[sl->wr++] = *ev;
}

static inline void w_mark_empty(struct loom_event_queue *q, unsigned level, unsigned slot)
{
	uint64_t *occ = q->occ[level];

	q->slots[level * SLOTS + slot].head = NIL;
	occ[slot / 64] &= ~(1ull << (slot % 64));
	if (!(occ[0] | occ[1] | occ[2] | occ[3]))
		q->level_mask &= ~(1u << level);
}

/* The first non-empty slot >= from at `level` (the level must have one). */
static inline unsigned w_first(const struct loom_event_queue *q, unsigned level, unsigned from)
{
	const uint64_t *occ = q->occ[level];
	unsigned w = from / 64;
	uint64_t m = occ[w] & (~0ull << (from % 64));

	while (!m)
		m = occ[++w];
	return w * 64 + (unsigned)__builtin_ctzll(m);
}

/* The first non-empty slot of the lowest non-empty level (queue non-empty). */
static inline const struct loom_evq_slot *w_next_slot(const struct loom_event_queue *q, unsigned *level,
						      unsigned *slot)
{
	*level = (unsigned)__builtin_ctz(q->level_mask);
	*slot = w_first(q, *level, w_slot(q->last, *level));
	return &q->slots[*level * SLOTS + *slot];
}

/* The earliest event of a slot; the first pushed among equal times. */
static const struct loom_event *w_slot_min(const struct loom_event_queue *q, const struct loom_evq_slot *sl)
{
	const struct loom_event *best = NULL;

	for (uint32_t c = sl->head, i = sl->rd;; i = 0) {
		const struct loom_evq_chunk *ch = &q->chunks[c];
		uint32_t end = c == sl->tail ? sl->wr : CH;

		for (; i < end; i++)
			if (!best || ch->ev[i].t < best->t)
				best = &ch->ev[i];
		if (c == sl->tail)
			return best;
		c = ch->next;
	}
}

/* Moves the next slot of the lowest non-empty level >= 1 down. Level 0 must
 * be empty. Allocates nothing beyond the pool (see above). */
static void w_cascade(struct loom_event_queue *q)
{
	unsigned level, slot;
	const struct loom_evq_slot *src = w_next_slot(q, &level, &slot);
	const struct loom_evq_slot sl = *src;
	loom_time_ns cur = w_slot_min(q, &sl)->t;

	/* Every other pending event is later: in a later slot or higher. */
	q->last = cur;
	w_mark_empty(q, level, slot);
	for (uint32_t c = sl.head, i = sl.rd;; i = 0) {
		const struct loom_evq_chunk *ch = &q->chunks[c];
		uint32_t end = c == sl.tail ? sl.wr : CH, next = ch->next;

		for (; i < end; i++) {
			unsigned l = w_level(ch->ev[i].t, cur);

			w_append(q, &ch->ev[i], l, w_slot(ch->ev[i].t, l));
		}
		w_chunk_free(q, c);
		if (c == sl.tail)
			break;
		c = next;
	}
}

/* Pops the head of level-0 slot `slot` (non-empty). */
static inline void w_take(struct loom_event_queue *q, unsigned slot, struct loom_event *out)
{
	struct loom_evq_slot *sl = &q->slots[slot];
	uint32_t c = sl->head;

	*out = q->chunks[c].ev[sl->rd++];
	if (c == sl->tail) {
		if (sl->rd == sl->wr) {
			w_chunk_free(q, c);
			w_mark_empty(q, 0, slot);
		}
	} else if (sl->rd == CH) {
		sl->head = q->chunks[c].next;
		sl->rd = 0;
		w_chunk_free(q, c);
	}
	q->n--;
}

/* Returns the level-0 slot now holding the minimum (queue non-empty). */
static inline unsigned w_min_slot(struct loom_event_queue *q)
{
	while (!(q->level_mask & 1))
		w_cascade(q);
	return w_first(q, 0, w_slot(q->last, 0));
}

static int w_reserve(struct loom_event_queue *q, size_t capacity)
{
	size_t want = w_chunks_for(capacity);
	struct loom_evq_chunk *c;

	if (capacity > NIL || want >= NIL) /* chunk indices are uint32_t, NIL excluded */
		return -ENOMEM;
	if (want > q->chunk_cap) {
		c = realloc(q->chunks, want * sizeof(*c));
		if (!c)
			return -ENOMEM;
		q->chunks = c;
		q->chunk_cap = (uint32_t)want;
	}
	q->cap = capacity;
	return 0;
}

static inline void w_push(struct loom_event_queue *q, const struct loom_event *x)
{
	unsigned l = w_level(x->t, q->last);

	w_append(q, x, l, w_slot(x->t, l));
}

/* ---- common ---------------------------------------------------------------- */

int loom_event_queue_init_impl(struct loom_event_queue *q, size_t capacity, enum loom_evq_impl impl)
{
	memset(q, 0, sizeof(*q));
	q->impl = impl;
	q->free_head = NIL;
	switch (impl) {
	case LOOM_EVQ_HEAP:
		break;
	case LOOM_EVQ_WHEEL:
		q->slots = malloc(LEVELS * SLOTS * sizeof(*q->slots));
		if (!q->slots)
			return -ENOMEM;
		for (size_t s = 0; s < LEVELS * SLOTS; s++)
			q->slots[s].head = NIL;
		break;
	default:
		return -EINVAL;
	}
	if (capacity && loom_event_queue_reserve(q, capacity) != 0) {
		loom_event_queue_free(q);
		return -ENOMEM;
	}
	return 0;
}

void loom_event_queue_free(struct loom_event_queue *q)
{
	free(q->heap);
	free(q->chunks);
	free(q->slots);
	q->heap = NULL;
	q->chunks = NULL;
	q->slots = NULL;
	q->n = 0;
	q->cap = 0;
	q->chunk_cap = 0;
}

size_t loom_event_queue_bytes(const struct loom_event_queue *q)
{
	size_t b = q->heap ? q->cap * sizeof(*q->heap) : 0;

	if (q->chunks)
		b += (size_t)q->chunk_cap * sizeof(struct loom_evq_chunk);
	if (q->slots)
		b += (size_t)LOOM_EVQ_WHEEL_LEVELS * LOOM_EVQ_WHEEL_SLOTS * sizeof(struct loom_evq_slot);
	return b;
}

int loom_event_queue_reserve(struct loom_event_queue *q, size_t capacity)
{
	struct loom_event *h;

	if (capacity <= q->cap)
		return 0;
	if (q->impl == LOOM_EVQ_WHEEL)
		return w_reserve(q, capacity);
	if (capacity > SIZE_MAX / sizeof(*h))
		return -ENOMEM;
	h = realloc(q->heap, capacity * sizeof(*h));
	if (!h)
		return -ENOMEM;
	q->heap = h;
	q->cap = capacity;
	return 0;
}

int loom_event_queue_push(struct loom_event_queue *q, const struct loom_event *ev)
{
	struct loom_event x = *ev;

	if (x.t < q->last)
		return -EINVAL;
	/* cap is how many events fit without allocating, for both. */
	if (q->n == q->cap) {
		size_t want = q->cap ? q->cap * 2 : 64;

		if (want < q->cap || loom_event_queue_reserve(q, want) != 0)
			return -ENOMEM;
	}
	x.seq = q->next_seq++;
	if (q->impl == LOOM_EVQ_WHEEL)
		w_push(q, &x);
	else
		heap_push(q, &x);
	q->n++;
	return 0;
}

bool loom_event_queue_pop(struct loom_event_queue *q, struct loom_event *out)
{
	if (q->n == 0)
		return false;
	if (q->impl == LOOM_EVQ_WHEEL) {
		w_take(q, w_min_slot(q), out);
	} else {
		*out = q->heap[0];
		q->n--;
		heap_remove_min(q);
	}
	q->last = out->t;
	return true;
}

size_t loom_event_queue_pop_at_min(struct loom_event_queue *q, struct loom_event *out, size_t max)
{
	size_t k = 0;

	if (q->n == 0 || max == 0)
		return 0;
	if (q->impl == LOOM_EVQ_WHEEL) {
		/* A level-0 slot is one time, in seq order: drain it. */
		unsigned slot = w_min_slot(q);

		do
			w_take(q, slot, &out[k++]);
		while (k < max && q->slots[slot].head != NIL);
	} else {
		loom_time_ns t = q->heap[0].t;

		while (k < max && q->n && q->heap[0].t == t) {
			out[k++] = q->heap[0];
			q->n--;
			heap_remove_min(q);
		}
	}
	q->last = out[0].t;
	return k;
}

const struct loom_event *loom_event_queue_peek(const struct loom_event_queue *q)
{
	unsigned level, slot;
	const struct loom_evq_slot *sl;

	if (q->n == 0)
		return NULL;
	if (q->impl == LOOM_EVQ_HEAP)
		return &q->heap[0];
	/* Without moving anything down: the head of the first level-0 slot,
	 * or the earliest (then first-pushed) event of the next slot up. */
	sl = w_next_slot(q, &level, &slot);
	return level == 0 ? &q->chunks[sl->head].ev[sl->rd] : w_slot_min(q, sl);
}

loom_time_ns loom_event_queue_peek_time(const struct loom_event_queue *q)
{
	const struct loom_event *ev = loom_event_queue_peek(q);

	return ev ? ev->t : LOOM_TIME_NEVER;
}
