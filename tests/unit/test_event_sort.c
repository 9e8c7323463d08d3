/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runner's round sort (loom/sim/event_sort.h): for sizes around its
 * run length and merge widths (0, 1, 15..17, 31..33, 1000, 4099) and keys
 * drawn from few values (many ties) or many, the result is sorted by seq
 * and stable (events of one key keep their input order, told by `b`), and
 * it equals an insertion sort's (the reference: stable by construction)
 * field for field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loom/traffic/rng.h"

#include "loom/sim/event_sort.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	return rng = loom_xorshift64(rng); /* the project's one xorshift */
}

static void reference(struct loom_event *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct loom_event x = r[i];
		size_t j = i;

		for (; j > 0 && r[j - 1].seq > x.seq; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

static void check(size_t n, uint64_t distinct)
{
	struct loom_event *ev = calloc(n + 1, sizeof(*ev)), *ref = calloc(n + 1, sizeof(*ev)),
			  *tmp = calloc(n + 1, sizeof(*ev));

	assert_non_null(ev);
	assert_non_null(ref);
	assert_non_null(tmp);
	for (size_t i = 0; i < n; i++)
		ev[i] = (struct loom_event){.t = 7, .seq = next() % distinct, .kind = (uint32_t)(next() & 7),
					    .a = (uint32_t)next(), .b = i, .p = &ev[i]};
	memcpy(ref, ev, n * sizeof(*ev));
	reference(ref, n);
	loom_event_sort_by_seq(ev, n, tmp);
	for (size_t i = 1; i < n; i++) {
		assert_true(ev[i - 1].seq <= ev[i].seq);
		if (ev[i - 1].seq == ev[i].seq)
			assert_true(ev[i - 1].b < ev[i].b); /* stable */
	}
	assert_memory_equal(ev, ref, n * sizeof(*ev));
	free(ev);
	free(ref);
	free(tmp);
}

static void test_sizes_and_ties(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 48, 49, 1000, 4099};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check(sizes[i], 3);          /* mostly ties */
		check(sizes[i], 1ull << 40); /* mostly distinct */
	}
}

/* Already sorted and reversed input (a round's pop order is often close
 * to sorted). */
static void test_sorted_and_reversed(void **state)
{
	enum { N = 777 };
	struct loom_event ev[N], tmp[N];

	(void)state;
	for (size_t i = 0; i < N; i++)
		ev[i] = (struct loom_event){.seq = i / 3, .b = i};
	loom_event_sort_by_seq(ev, N, tmp);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(ev[i].b, i);
	for (size_t i = 0; i < N; i++)
		ev[i] = (struct loom_event){.seq = (N - i) / 2, .b = i};
	loom_event_sort_by_seq(ev, N, tmp);
	for (size_t i = 1; i < N; i++)
		assert_true(ev[i - 1].seq < ev[i].seq || (ev[i - 1].seq == ev[i].seq && ev[i - 1].b < ev[i].b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_ties),
		cmocka_unit_test(test_sorted_and_reversed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
