/* SPDX-License-Identifier: BSD-3-Clause */
#include "loom/event_queue.h"

#include <errno.h>
#include <stdlib.h>

/* Implicit 4-ary heap: the children of slot i are 4i+1 .. 4i+4, its parent
 * (i-1)/4. Four children per node halve the depth of a binary heap, and the
 * four keys compared at each level of a pop sit in one or two cache lines
 * (a node's children are contiguous). Sifts move a hole instead of swapping,
 * so each level costs one copy. */
#define ARITY 4

static inline bool ev_before(const struct loom_event *x, const struct loom_event *y)
{
	return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

int loom_event_queue_init(struct loom_event_queue *q, size_t capacity)
{
	q->heap = NULL;
	q->n = 0;
	q->cap = 0;
	q->next_seq = 0;
	return capacity ? loom_event_queue_reserve(q, capacity) : 0;
}

void loom_event_queue_free(struct loom_event_queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->n = 0;
	q->cap = 0;
}

int loom_event_queue_reserve(struct loom_event_queue *q, size_t capacity)
{
	struct loom_event *h;

	if (capacity <= q->cap)
		return 0;
	if (capacity > SIZE_MAX / sizeof(*h))
		return -ENOMEM;
	h = realloc(q->heap, capacity * sizeof(*h));
	if (!h)
		return -ENOMEM;
	q->heap = h;
	q->cap = capacity;
	return 0;
}

static int grow(struct loom_event_queue *q)
{
	size_t want = q->cap ? q->cap * 2 : 64;

	if (want < q->cap) /* overflow */
		return -ENOMEM;
	return loom_event_queue_reserve(q, want);
}

int loom_event_queue_push(struct loom_event_queue *q, const struct loom_event *ev)
{
	struct loom_event *h;
	struct loom_event x = *ev;
	size_t i;

	if (q->n == q->cap && grow(q) != 0)
		return -ENOMEM;
	x.seq = q->next_seq++;
	h = q->heap;
	/* Sift up. x.seq is the largest seq ever given, so x goes above a
	 * parent only when its time is strictly earlier. */
	i = q->n++;
	while (i > 0) {
		size_t parent = (i - 1) / ARITY;

		if (h[parent].t <= x.t)
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = x;
	return 0;
}

/* Removes heap[0]: the last event fills the hole, sifted down. */
static void remove_min(struct loom_event_queue *q)
{
	struct loom_event *h = q->heap;
	size_t n = --q->n;
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

bool loom_event_queue_pop(struct loom_event_queue *q, struct loom_event *out)
{
	if (q->n == 0)
		return false;
	*out = q->heap[0];
	remove_min(q);
	return true;
}

size_t loom_event_queue_pop_at_min(struct loom_event_queue *q, struct loom_event *out, size_t max)
{
	size_t k = 0;
	loom_time_ns t;

	if (q->n == 0 || max == 0)
		return 0;
	t = q->heap[0].t;
	while (k < max && q->n && q->heap[0].t == t) {
		out[k++] = q->heap[0];
		remove_min(q);
	}
	return k;
}

loom_time_ns loom_link_serialization_ns(uint64_t bytes, uint64_t rate_bps)
{
	__extension__ typedef unsigned __int128 u128;
	u128 bits_ns, ns;

	if (rate_bps == 0)
		return LOOM_TIME_NEVER;
	/* bytes * 8 * 1e9 < 2^64 * 2^33 = 2^97: no overflow. */
	bits_ns = (u128)bytes * 8u * LOOM_NS_PER_S;
	ns = (bits_ns + rate_bps - 1) / rate_bps;
	return ns >= LOOM_TIME_NEVER ? LOOM_TIME_NEVER : (loom_time_ns)ns;
}

static inline loom_time_ns sat_add(loom_time_ns x, loom_time_ns y)
{
	return x > LOOM_TIME_NEVER - y ? LOOM_TIME_NEVER : x + y;
}

loom_time_ns loom_link_delivery_time(loom_time_ns t_start, uint64_t bytes, uint64_t rate_bps,
				     loom_time_ns delay_ns)
{
	return sat_add(sat_add(t_start, loom_link_serialization_ns(bytes, rate_bps)), delay_ns);
}
