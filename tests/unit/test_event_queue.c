/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-time runner's event queue and link timing. Every queue case
 * runs on both implementations (wheel and heap), and a cross-check runs
 * them side by side:
 *  - an empty queue: size 0, no peek, pop fails;
 *  - random times pushed in random order pop sorted by (t, seq), and equal
 *    times pop in push order, compared with a stable sort of the pushes;
 *  - the tie-break stays stable across interleaved pops and pushes, checked
 *    against a naive reference queue over 200 000 random operations with
 *    times from 0 ns to 2^40 ns ahead, across 2^56 (every wheel level);
 *  - a push earlier than the last popped time is refused, nothing changes;
 *  - wheel and heap pop identical sequences over 1M DES-like operations;
 *  - size and peek track every operation; the array grows past its initial
 *    capacity (also from 0);
 *  - pop_at_min gives exactly the order of single pops;
 *  - 1M events round-trip; the checksum of the pop order matches the
 *    reference sort and a pinned value (same pushes -> same order, anywhere);
 *  - a link's delivery time is t + ceil(bytes * 8 / rate) + delay exactly,
 *    at 1/10/100/400 Gb/s and at odd rates where the ceiling matters;
 *  - back-to-back packets on a link never exceed its rate over any window
 *    between packet boundaries, and lose less than 1 ns per packet.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_rng.h"

#include "loom/sim/event_queue.h"
#include "loom/sim/link.h"


/* Reference order: a push's time and its index in push order (= its seq). */
struct ref {
	uint64_t t;
	uint64_t idx;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static enum loom_evq_impl impl_of(void **state) { return *(const enum loom_evq_impl *)*state; }

static void check_sorted_against_reference(enum loom_evq_impl impl, size_t n, uint64_t time_range, size_t init_cap)
{
	struct loom_event_queue q;
	struct ref *ref = malloc(n * sizeof(*ref));
	struct loom_event ev;

	assert_non_null(ref);
	assert_int_equal(loom_event_queue_init_impl(&q, init_cap, impl), 0);
	for (size_t i = 0; i < n; i++) {
		ref[i].t = rng() % time_range;
		ref[i].idx = i;
		assert_int_equal(loom_event_queue_push_at(&q, ref[i].t, (uint32_t)(i & 7), (uint32_t)i, i, &ref[i]),
				 0);
		assert_int_equal(loom_event_queue_size(&q), i + 1);
	}
	qsort(ref, n, sizeof(*ref), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(loom_event_queue_peek_time(&q), ref[i].t);
		assert_int_equal(loom_event_queue_peek(&q)->seq, ref[i].idx);
		assert_true(loom_event_queue_pop(&q, &ev));
		assert_int_equal(ev.t, ref[i].t);
		assert_int_equal(ev.seq, ref[i].idx);
		assert_int_equal(ev.b, ref[i].idx);
		assert_int_equal(ev.a, (uint32_t)ref[i].idx);
		assert_int_equal(ev.kind, ref[i].idx & 7);
		assert_int_equal(loom_event_queue_size(&q), n - i - 1);
	}
	assert_false(loom_event_queue_pop(&q, &ev));
	loom_event_queue_free(&q);
	free(ref);
}

static void test_empty(void **state)
{
	struct loom_event_queue q;
	struct loom_event ev = {.t = 42}, out[4];

	assert_int_equal(loom_event_queue_init_impl(&q, 16, impl_of(state)), 0);
	assert_int_equal(loom_event_queue_size(&q), 0);
	assert_true(loom_event_queue_empty(&q));
	assert_null(loom_event_queue_peek(&q));
	assert_int_equal(loom_event_queue_peek_time(&q), LOOM_TIME_NEVER);
	assert_false(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.t, 42); /* untouched */
	assert_int_equal(loom_event_queue_pop_at_min(&q, out, 4), 0);
	loom_event_queue_free(&q);
	loom_event_queue_free(&q); /* twice is harmless */
	assert_int_equal(loom_event_queue_init_impl(&q, 16, (enum loom_evq_impl)7), -EINVAL);
	/* The default is the wheel. */
	assert_int_equal(loom_event_queue_init(&q, 0), 0);
	assert_int_equal(q.impl, LOOM_EVQ_WHEEL);
	loom_event_queue_free(&q);
}

static void test_random_times_pop_sorted(void **state)
{
	rng_seed(1);
	/* Wide range: few ties, every wheel level. */
	check_sorted_against_reference(impl_of(state), 100000, UINT64_MAX, 1024);
	/* Narrow range: ~100 events per time, so the tie-break is exercised. */
	check_sorted_against_reference(impl_of(state), 100000, 1000, 1024);
	/* All equal: pure push order. */
	check_sorted_against_reference(impl_of(state), 10000, 1, 1024);
}

static void test_equal_times_stable_with_interleaving(void **state)
{
	struct loom_event_queue q;
	struct loom_event ev;

	assert_int_equal(loom_event_queue_init_impl(&q, 4, impl_of(state)), 0);
	for (uint64_t i = 0; i < 10; i++)
		assert_int_equal(loom_event_queue_push_at(&q, 500, 0, 0, i, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 1000, 0, 0, 200, NULL), 0);
	for (uint64_t i = 0; i < 3; i++) {
		assert_true(loom_event_queue_pop(&q, &ev));
		assert_int_equal(ev.t, 500);
		assert_int_equal(ev.b, i);
	}
	/* Later pushes at the same time go after the ones still pending... */
	for (uint64_t i = 10; i < 20; i++)
		assert_int_equal(loom_event_queue_push_at(&q, 500, 0, 0, i, NULL), 0);
	/* ...an earlier time than a pending one goes before it, a later one
	 * after, whatever the push order. */
	assert_int_equal(loom_event_queue_push_at(&q, 1000, 0, 0, 201, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 1700, 0, 0, 100, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 700, 0, 0, 101, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 700, 0, 0, 102, NULL), 0);
	assert_int_equal(loom_event_queue_size(&q), 22);
	assert_int_equal(loom_event_queue_peek_time(&q), 500);
	assert_int_equal(loom_event_queue_peek(&q)->b, 3);

	for (uint64_t i = 3; i < 20; i++) {
		assert_true(loom_event_queue_pop(&q, &ev));
		assert_int_equal(ev.t, 500);
		assert_int_equal(ev.b, i);
		if (i == 7) /* push mid-drain at the current time: goes to the end */
			assert_int_equal(loom_event_queue_push_at(&q, 500, 0, 0, 20, NULL), 0);
	}
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.t, 500);
	assert_int_equal(ev.b, 20);
	static const uint64_t rest_t[] = {700, 700, 1000, 1000, 1700};
	static const uint64_t rest_b[] = {101, 102, 200, 201, 100};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(loom_event_queue_peek_time(&q), rest_t[i]);
		assert_int_equal(loom_event_queue_peek(&q)->b, rest_b[i]);
		assert_true(loom_event_queue_pop(&q, &ev));
		assert_int_equal(ev.t, rest_t[i]);
		assert_int_equal(ev.b, rest_b[i]);
		if (i == 2) /* at 1000, one more at 1000 goes after b=201 */
			assert_int_equal(loom_event_queue_push_at(&q, 1000, 0, 0, 202, NULL), 0);
		if (i == 3) {
			assert_true(loom_event_queue_pop(&q, &ev));
			assert_int_equal(ev.b, 202);
		}
	}
	assert_true(loom_event_queue_empty(&q));
	loom_event_queue_free(&q);
}

static void test_push_into_past_refused(void **state)
{
	struct loom_event_queue q;
	struct loom_event ev;

	assert_int_equal(loom_event_queue_init_impl(&q, 0, impl_of(state)), 0);
	/* Before any pop, any time. */
	assert_int_equal(loom_event_queue_push_at(&q, 1000, 0, 0, 0, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 10, 0, 0, 1, NULL), 0);
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.t, 10);
	assert_int_equal(loom_event_queue_push_at(&q, 9, 0, 0, 2, NULL), -EINVAL);
	assert_int_equal(loom_event_queue_push_at(&q, 10, 0, 0, 3, NULL), 0); /* now is fine */
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.b, 3);
	assert_int_equal(ev.seq, 2); /* the refused push took no seq */
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.t, 1000);
	assert_int_equal(loom_event_queue_push_at(&q, 999, 0, 0, 4, NULL), -EINVAL);
	assert_int_equal(loom_event_queue_size(&q), 0);
	assert_int_equal(loom_event_queue_push_at(&q, UINT64_MAX, 0, 0, 5, NULL), 0);
	assert_int_equal(loom_event_queue_push_at(&q, 1001, 0, 0, 6, NULL), 0);
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.b, 6);
	assert_true(loom_event_queue_pop(&q, &ev));
	assert_int_equal(ev.t, UINT64_MAX);
	assert_int_equal(ev.b, 5);
	loom_event_queue_free(&q);
}

/* A naive reference queue: linear search for the minimum (t, seq). */
struct naive {
	struct loom_event ev[4096];
	size_t n;
};

static size_t naive_min(const struct naive *r)
{
	size_t best = 0;

	for (size_t i = 1; i < r->n; i++)
		if (r->ev[i].t < r->ev[best].t || (r->ev[i].t == r->ev[best].t && r->ev[i].seq < r->ev[best].seq))
			best = i;
	return best;
}

static void test_interleaved_against_naive(void **state)
{
	static struct naive r;
	struct loom_event_queue q;
	struct loom_event ev, got;
	/* Start just below 2^56 so that time crosses the top byte: small
	 * offsets then differ from `now` in byte 7 (the wheel's top level). */
	uint64_t seq = 0, now = (1ull << 56) - (1ull << 24), pops = 0;

	rng_seed(7);
	r.n = 0;
	assert_int_equal(loom_event_queue_init_impl(&q, 0, impl_of(state)), 0);
	for (int op = 0; op < 200000; op++) {
		/* Drift between mostly-push and mostly-pop so the size sweeps
		 * 0 .. a few thousand. */
		uint64_t push_pct = (op / 5000) % 2 ? 35 : 65;

		if (r.n < 4096 && (r.n == 0 || rng() % 100 < push_pct)) {
			/* As in a discrete-event run: at or after `now`, with
			 * many events at exactly `now`, small offsets, and
			 * now and then one far ahead (up to 2^40 ns). */
			uint64_t u = rng() % 8;

			ev.t = now + (u == 0 ? 0 : u == 1 ? rng() % 4 : u < 7 ? rng() % 1000 : rng() >> (24 + rng() % 40));
			ev.kind = (uint32_t)(rng() & 3);
			ev.a = (uint32_t)rng();
			ev.b = rng();
			ev.p = &r;
			ev.seq = 12345; /* ignored by push */
			assert_int_equal(loom_event_queue_push(&q, &ev), 0);
			ev.seq = seq++;
			r.ev[r.n++] = ev;
		} else {
			size_t m = naive_min(&r);

			assert_int_equal(loom_event_queue_peek_time(&q), r.ev[m].t);
			assert_int_equal(loom_event_queue_peek(&q)->seq, r.ev[m].seq);
			assert_true(loom_event_queue_pop(&q, &got));
			assert_memory_equal(&got, &r.ev[m], sizeof(got));
			assert_true(got.t >= now);
			now = got.t;
			r.ev[m] = r.ev[--r.n];
			pops++;
		}
		assert_int_equal(loom_event_queue_size(&q), r.n);
	}
	assert_true(pops > 50000);
	assert_true(now > 1ull << 56);
	loom_event_queue_free(&q);
}

static void test_growth_past_capacity(void **state)
{
	struct loom_event_queue q;
	struct loom_event ev;

	/* From capacity 1 and from 0: grows by doubling and keeps order. */
	for (size_t cap = 0; cap < 2; cap++) {
		assert_int_equal(loom_event_queue_init_impl(&q, cap, impl_of(state)), 0);
		assert_int_equal(q.cap, cap);
		for (uint64_t i = 0; i < 10000; i++)
			assert_int_equal(loom_event_queue_push_at(&q, 10000 - i / 2, 0, 0, i, NULL), 0);
		assert_true(q.cap >= 10000);
		assert_true(q.cap < 40000);
		for (uint64_t k = 0; k < 10000; k++) {
			/* Times 10000 down to 5001 were pushed, each twice:
			 * pop k is the pair k / 2 from the end, first of the
			 * pair first. */
			uint64_t want = 9998 - (k / 2) * 2 + k % 2;

			assert_true(loom_event_queue_pop(&q, &ev));
			assert_int_equal(ev.t, 10000 - want / 2);
			assert_int_equal(ev.b, want);
		}
		loom_event_queue_free(&q);
	}

	/* reserve: no reallocation up to the reserved size. */
	assert_int_equal(loom_event_queue_init_impl(&q, 8, impl_of(state)), 0);
	assert_int_equal(loom_event_queue_reserve(&q, 4), 0);
	assert_int_equal(q.cap, 8);
	assert_int_equal(loom_event_queue_reserve(&q, 5000), 0);
	const void *mem = q.impl == LOOM_EVQ_HEAP ? (const void *)q.heap : (const void *)q.chunks;
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(loom_event_queue_push_at(&q, rng() % 100, 0, 0, i, NULL), 0);
	assert_ptr_equal(q.impl == LOOM_EVQ_HEAP ? (const void *)q.heap : (const void *)q.chunks, mem);
	assert_int_equal(q.cap, 5000);
	assert_int_equal(loom_event_queue_reserve(&q, SIZE_MAX), -ENOMEM);
	assert_int_equal(q.cap, 5000);
	assert_int_equal(loom_event_queue_size(&q), 5000);
	loom_event_queue_free(&q);
}

static void test_pop_at_min_matches_single_pops(void **state)
{
	struct loom_event_queue q1, q2;
	struct loom_event a, batch[5];
	uint64_t rs;

	rng_seed(11);
	assert_int_equal(loom_event_queue_init_impl(&q1, 0, impl_of(state)), 0);
	assert_int_equal(loom_event_queue_init_impl(&q2, 0, impl_of(state)), 0);
	for (uint64_t i = 0; i < 3000; i++) {
		uint64_t t = rng() % 200;

		assert_int_equal(loom_event_queue_push_at(&q1, t, 1, 0, i, NULL), 0);
		assert_int_equal(loom_event_queue_push_at(&q2, t, 1, 0, i, NULL), 0);
	}
	/* Drain q2 in batches of at most 5; after each batch push a few events
	 * at the batch's time and later (as handlers would). Mirror the same
	 * pops and pushes on q1 with single pops. */
	rs = 99;
	while (!loom_event_queue_empty(&q2)) {
		loom_time_ns t = loom_event_queue_peek_time(&q2);
		size_t k = loom_event_queue_pop_at_min(&q2, batch, 5);

		assert_true(k >= 1 && k <= 5);
		for (size_t j = 0; j < k; j++) {
			assert_int_equal(batch[j].t, t);
			assert_true(loom_event_queue_pop(&q1, &a));
			assert_memory_equal(&a, &batch[j], sizeof(a));
		}
		rng_seed(rs++);
		if (rs < 1500) {
			for (int j = 0; j < 2; j++) {
				uint64_t dt = rng() % 3;

				assert_int_equal(loom_event_queue_push_at(&q1, t + dt, 2, 0, rs, NULL), 0);
				assert_int_equal(loom_event_queue_push_at(&q2, t + dt, 2, 0, rs, NULL), 0);
			}
		}
	}
	assert_true(loom_event_queue_empty(&q1));
	assert_int_equal(loom_event_queue_pop_at_min(&q2, batch, 0), 0);
	loom_event_queue_free(&q1);
	loom_event_queue_free(&q2);
}

/* Wheel and heap side by side: the same operations give the same pops. */
static void test_wheel_matches_heap(void **state)
{
	struct loom_event_queue w, h;
	struct loom_event ev = {0}, ew, eh, bw[8], bh[8];
	uint64_t now = (1ull << 48) - (1ull << 30);

	rng_seed(31337);
	assert_int_equal(loom_event_queue_init_impl(&w, 0, LOOM_EVQ_WHEEL), 0);
	assert_int_equal(loom_event_queue_init_impl(&h, 0, LOOM_EVQ_HEAP), 0);
	for (int op = 0; op < 1000000; op++) {
		uint64_t r = rng() % 100;
		/* Phases: grow to ~100k pending, then drain. */
		uint64_t push_pct = (op / 100000) % 2 ? 40 : 60;

		if (r < push_pct || loom_event_queue_empty(&h)) {
			uint64_t u = rng() % 16;

			/* packet hops (~100 ns .. 2 us), same-time
			 * follow-ups, timers (us .. ms), rare far ones */
			ev.t = now + (u < 2 ? 0 : u < 12 ? 100 + rng() % 2000 : u < 15 ? rng() % 1000000 : rng() >> 24);
			ev.a = (uint32_t)op;
			assert_int_equal(loom_event_queue_push(&w, &ev), 0);
			assert_int_equal(loom_event_queue_push(&h, &ev), 0);
		} else if (r < 95) {
			assert_int_equal(loom_event_queue_peek_time(&w), loom_event_queue_peek_time(&h));
			assert_true(loom_event_queue_pop(&w, &ew));
			assert_true(loom_event_queue_pop(&h, &eh));
			assert_memory_equal(&ew, &eh, sizeof(ew));
			now = ew.t;
		} else {
			size_t kw = loom_event_queue_pop_at_min(&w, bw, 8);
			size_t kh = loom_event_queue_pop_at_min(&h, bh, 8);

			assert_int_equal(kw, kh);
			assert_memory_equal(bw, bh, kw * sizeof(bw[0]));
			now = bw[0].t;
		}
		assert_int_equal(loom_event_queue_size(&w), loom_event_queue_size(&h));
	}
	while (loom_event_queue_pop(&h, &eh)) {
		assert_true(loom_event_queue_pop(&w, &ew));
		assert_memory_equal(&ew, &eh, sizeof(ew));
	}
	assert_true(loom_event_queue_empty(&w));
	loom_event_queue_free(&w);
	loom_event_queue_free(&h);
}

static uint64_t fnv1a64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

static void test_one_million_round_trip(void **state)
{
	const size_t n = 1000000;
	struct loom_event_queue q;
	struct ref *ref = malloc(n * sizeof(*ref));
	struct loom_event ev;
	uint64_t h_ref = 0xcbf29ce484222325ull, h_q = h_ref;

	assert_non_null(ref);
	rng_seed(2024);
	assert_int_equal(loom_event_queue_init_impl(&q, 1024, impl_of(state)), 0);
	for (size_t i = 0; i < n; i++) {
		/* ~1 ms of virtual time: many ties. */
		ref[i].t = rng() % LOOM_NS_PER_MS;
		ref[i].idx = i;
		assert_int_equal(loom_event_queue_push_at(&q, ref[i].t, 0, 0, i, NULL), 0);
	}
	assert_int_equal(loom_event_queue_size(&q), n);
	qsort(ref, n, sizeof(*ref), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		h_ref = fnv1a64(fnv1a64(h_ref, ref[i].t), ref[i].idx);
		assert_true(loom_event_queue_pop(&q, &ev));
		h_q = fnv1a64(fnv1a64(h_q, ev.t), ev.b);
	}
	assert_true(loom_event_queue_empty(&q));
	assert_int_equal(h_q, h_ref);
	/* Pinned: the same pushes give the same order on every machine. */
	assert_int_equal(h_q, 0xcfc23302f556cb5bull);
	loom_event_queue_free(&q);
	free(ref);
}

#define GBPS 1000000000ull

static void test_delivery_time_exact(void **state)
{
	/* 64 B = 512 bits; 1500 B = 12 000 bits. */
	assert_int_equal(loom_link_serialization_ns(64, 1 * GBPS), 512);
	assert_int_equal(loom_link_serialization_ns(64, 10 * GBPS), 52);  /* 51.2 */
	assert_int_equal(loom_link_serialization_ns(64, 100 * GBPS), 6);  /* 5.12 */
	assert_int_equal(loom_link_serialization_ns(64, 400 * GBPS), 2);  /* 1.28 */
	assert_int_equal(loom_link_serialization_ns(1500, 1 * GBPS), 12000);
	assert_int_equal(loom_link_serialization_ns(1500, 10 * GBPS), 1200);
	assert_int_equal(loom_link_serialization_ns(1500, 100 * GBPS), 120);
	assert_int_equal(loom_link_serialization_ns(1500, 400 * GBPS), 30);
	/* Odd rates, where the ceiling matters. */
	assert_int_equal(loom_link_serialization_ns(1501, 7 * GBPS), 1716); /* 1715.43 */
	assert_int_equal(loom_link_serialization_ns(1500, 7 * GBPS), 1715); /* 1714.29 */
	assert_int_equal(loom_link_serialization_ns(7, 7 * GBPS), 8);       /* exact: no bump */
	assert_int_equal(loom_link_serialization_ns(64, 25 * GBPS), 21);    /* 20.48 */
	assert_int_equal(loom_link_serialization_ns(9000, 3 * GBPS), 24000);
	assert_int_equal(loom_link_serialization_ns(1, 3), 2666666667ull);  /* 2.666..67 s */
	assert_int_equal(loom_link_serialization_ns(0, 100 * GBPS), 0);

	/* Delivery = start + serialization + propagation. */
	assert_int_equal(loom_link_delivery_time(1000, 1500, 100 * GBPS, 500), 1620);
	assert_int_equal(loom_link_delivery_time(0, 64, 400 * GBPS, 0), 2);
	assert_int_equal(loom_link_delivery_time(3 * LOOM_NS_PER_MS, 1501, 7 * GBPS, 2 * LOOM_NS_PER_US),
			 3 * LOOM_NS_PER_MS + 1716 + 2000);
	assert_int_equal(loom_link_delivery_time(5, 64, 1 * GBPS, 0), 517);

	/* Large values: 128-bit intermediate, saturation instead of wrapping. */
	assert_int_equal(loom_link_serialization_ns(UINT64_MAX / 8, 8 * LOOM_NS_PER_S), UINT64_MAX / 8);
	assert_int_equal(loom_link_serialization_ns(UINT64_MAX, 1), LOOM_TIME_NEVER);
	assert_int_equal(loom_link_serialization_ns(64, 0), LOOM_TIME_NEVER);
	assert_int_equal(loom_link_delivery_time(UINT64_MAX - 10, 1500, 1 * GBPS, 0), LOOM_TIME_NEVER);
	assert_int_equal(loom_link_delivery_time(UINT64_MAX - 10, 0, 1 * GBPS, 11), LOOM_TIME_NEVER);
	assert_int_equal(loom_link_delivery_time(UINT64_MAX - 10, 0, 1 * GBPS, 10), UINT64_MAX);
}

/* Packets sent back to back: each starts when the previous one's last bit
 * left. Over every window [t_j, t_k) between packet starts, the bits of
 * packets j..k-1 fit in rate * (t_k - t_j), and the rounding costs less than
 * 1 ns per packet. */
static void check_back_to_back(uint64_t rate_bps, size_t n, uint64_t delay)
{
	__extension__ typedef unsigned __int128 u128;
	uint64_t *t = malloc((n + 1) * sizeof(*t));
	u128 *bits = malloc((n + 1) * sizeof(*bits)); /* prefix sums */

	assert_non_null(t);
	assert_non_null(bits);
	t[0] = rng() % 1000;
	bits[0] = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = 64 + rng() % (9000 - 64 + 1);
		loom_time_ns arrive = loom_link_delivery_time(t[i], bytes, rate_bps, delay);

		t[i + 1] = t[i] + loom_link_serialization_ns(bytes, rate_bps);
		assert_int_equal(arrive, t[i + 1] + delay);
		bits[i + 1] = bits[i] + (u128)bytes * 8;
	}
	for (size_t j = 0; j < n; j++) {
		for (size_t k = j + 1; k <= n; k++) {
			u128 sent = (bits[k] - bits[j]) * LOOM_NS_PER_S; /* bit-ns */
			u128 cap = (u128)rate_bps * (t[k] - t[j]);

			assert_true(sent <= cap);
			assert_true(cap < sent + (u128)rate_bps * (k - j));
		}
	}
	free(t);
	free(bits);
}

static void test_back_to_back_never_exceeds_rate(void **state)
{
	static const uint64_t rates[] = {
		1 * GBPS, 7 * GBPS, 10 * GBPS, 25 * GBPS, 100 * GBPS, 400 * GBPS, 3, 999999937ull,
	};

	rng_seed(5);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		check_back_to_back(rates[i], 1500, i * 250);
}

static const enum loom_evq_impl wheel = LOOM_EVQ_WHEEL, heap = LOOM_EVQ_HEAP;

#define BOTH(f) cmocka_unit_test_prestate(f, (void *)&wheel), cmocka_unit_test_prestate(f, (void *)&heap)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_empty),
		BOTH(test_random_times_pop_sorted),
		BOTH(test_equal_times_stable_with_interleaving),
		BOTH(test_push_into_past_refused),
		BOTH(test_interleaved_against_naive),
		BOTH(test_growth_past_capacity),
		BOTH(test_pop_at_min_matches_single_pops),
		BOTH(test_one_million_round_trip),
		cmocka_unit_test(test_wheel_matches_heap),
		cmocka_unit_test(test_delivery_time_exact),
		cmocka_unit_test(test_back_to_back_never_exceeds_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
