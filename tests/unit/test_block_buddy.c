/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The buddy allocator the real-time TM grows lossless queues from
 * (loom/tm/block_buddy.h): the whole span, then nothing; every unit once
 * at the smallest size, then nothing; released blocks coalesce back into
 * the whole span; and random allocations and releases of mixed sizes never
 * hand out a unit twice, are aligned to their size, and fail only when no
 * free run of that size and alignment exists (checked on a unit map).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loom/traffic/rng.h"

#include "loom/tm/block_buddy.h"

static void test_whole_span(void **state)
{
	struct loom_buddy b;

	(void)state;
	assert_int_equal(loom_buddy_init(&b, 4), 0);
	assert_int_equal(loom_buddy_alloc(&b, 4), 0);
	assert_int_equal(loom_buddy_alloc(&b, 0), -1);
	assert_int_equal(loom_buddy_alloc(&b, 5), -1); /* larger than the span */
	loom_buddy_release(&b, 0, 4);
	assert_int_equal(loom_buddy_alloc(&b, 4), 0);
	loom_buddy_fini(&b);
	assert_int_equal(loom_buddy_init(&b, LOOM_BUDDY_MAX_LEVELS + 1), -1);
}

static void test_units_then_coalesce(void **state)
{
	struct loom_buddy b;
	int seen[128] = {0};

	(void)state;
	assert_int_equal(loom_buddy_init(&b, 7), 0);
	for (int i = 0; i < 128; i++) {
		int64_t u = loom_buddy_alloc(&b, 0);

		assert_true(u >= 0 && u < 128);
		assert_int_equal(seen[u], 0);
		seen[u] = 1;
	}
	assert_int_equal(loom_buddy_alloc(&b, 0), -1);
	/* release in an order that leaves buddies apart until the end */
	for (int i = 0; i < 128; i += 2)
		loom_buddy_release(&b, (uint32_t)i, 0);
	assert_int_equal(loom_buddy_alloc(&b, 1), -1); /* no two adjacent free units */
	for (int i = 1; i < 128; i += 2)
		loom_buddy_release(&b, (uint32_t)i, 0);
	assert_int_equal(loom_buddy_alloc(&b, 7), 0); /* one block again */
	loom_buddy_fini(&b);
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	return rng = loom_xorshift64(rng); /* the project's one xorshift */
}

/* whether some aligned run of 2^k units is all free in the map */
static int aligned_free_run(const int *owner, unsigned int levels, unsigned int k)
{
	for (uint32_t s = 0; s < (1u << levels); s += 1u << k) {
		uint32_t j = 0;

		while (j < (1u << k) && owner[s + j] < 0)
			j++;
		if (j == (1u << k))
			return 1;
	}
	return 0;
}

static void test_random_mixed(void **state)
{
	enum { LEVELS = 8, N = 1 << LEVELS, SLOTS = 64 };
	struct loom_buddy b;
	int owner[N];
	struct {
		int64_t unit;
		unsigned int k;
	} held[SLOTS];

	(void)state;
	memset(owner, -1, sizeof(owner));
	for (int s = 0; s < SLOTS; s++)
		held[s].unit = -1;
	assert_int_equal(loom_buddy_init(&b, LEVELS), 0);
	for (int round = 0; round < 20000; round++) {
		int s = (int)(next() % SLOTS);

		if (held[s].unit >= 0) {
			for (uint32_t j = 0; j < (1u << held[s].k); j++)
				owner[held[s].unit + j] = -1;
			loom_buddy_release(&b, (uint32_t)held[s].unit, held[s].k);
			held[s].unit = -1;
			continue;
		}
		unsigned int k = (unsigned int)(next() % 6);
		int64_t u = loom_buddy_alloc(&b, k);

		if (u < 0) {
			/* a buddy system finds every aligned free run */
			assert_int_equal(aligned_free_run(owner, LEVELS, k), 0);
			continue;
		}
		assert_int_equal(u % (1 << k), 0);
		assert_true(u + (1 << k) <= N);
		for (uint32_t j = 0; j < (1u << k); j++) {
			assert_int_equal(owner[u + j], -1);
			owner[u + j] = s;
		}
		held[s].unit = u;
		held[s].k = k;
	}
	for (int s = 0; s < SLOTS; s++)
		if (held[s].unit >= 0)
			loom_buddy_release(&b, (uint32_t)held[s].unit, held[s].k);
	assert_int_equal(loom_buddy_alloc(&b, LEVELS), 0);
	loom_buddy_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_span),
		cmocka_unit_test(test_units_then_coalesce),
		cmocka_unit_test(test_random_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
