/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FCT slowdown, nearest-rank percentiles, size buckets, collective bounds:
 *  - ideal FCT of 1 250 000 bytes at 10 Gb/s with 2 us base: 1 ms + 2 us;
 *  - p50/p99 of 1..100 are 50 and 99, of 1..10 are 5 and 10 (rank
 *    ceil(0.99 * 10) = 10); p100 is the maximum;
 *  - buckets: (0, 10K], (10K, 1M], (1M, inf) with flows on the edges;
 *  - ring all-reduce of 8 MB over 4 ranks at 10 Gb/s: 2 * 3/4 * 6.4 ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>

#include <cmocka.h>

#include "loom/traffic/collective_bound.h"
#include "loom/traffic/fct_stats.h"

static void test_slowdown(void **state)
{
	double ideal;

	(void)state;
	ideal = loom_fct_ideal_ns(1250000, 10000000000ull, 2000);
	assert_true(fabs(ideal - 1002000.0) < 1e-6);
	assert_true(fabs(loom_fct_slowdown(2004000, ideal) - 2.0) < 1e-12);
}

static void test_percentiles(void **state)
{
	double v[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		v[i] = i + 1;
	assert_true(loom_percentile_sorted(v, 100, 50) == 50);
	assert_true(loom_percentile_sorted(v, 100, 99) == 99);
	assert_true(loom_percentile_sorted(v, 100, 100) == 100);
	assert_true(loom_percentile_sorted(v, 10, 50) == 5);
	assert_true(loom_percentile_sorted(v, 10, 99) == 10);
	assert_true(loom_percentile_sorted(v, 1, 99) == 1);
}

static void test_buckets(void **state)
{
	/* sizes on and around the edges; slowdowns chosen per bucket */
	static const uint64_t bytes[] = {1, 10000, 10001, 500000, 1000000, 1000001, 30000000};
	static const double sd[] = {1.0, 3.0, 2.0, 4.0, 6.0, 10.0, 20.0};
	static const uint64_t edges[] = {10000, 1000000};
	static const uint64_t bad_edges[] = {10000, 10000};
	struct loom_fct_bucket b[3];

	(void)state;
	assert_int_equal(loom_fct_summarize(bytes, sd, 7, edges, 2, b), 0);
	assert_int_equal(b[0].n, 2); /* 1, 10000 */
	assert_true(b[0].p50 == 1.0 && b[0].p99 == 3.0 && b[0].mean == 2.0);
	assert_int_equal(b[1].n, 3); /* 10001, 500000, 1000000 */
	assert_true(b[1].p50 == 4.0 && b[1].p99 == 6.0 && b[1].mean == 4.0);
	assert_int_equal(b[2].n, 2); /* 1000001, 30000000 */
	assert_true(b[2].p50 == 10.0 && b[2].p99 == 20.0);
	assert_true(b[2].max_bytes == UINT64_MAX && b[1].min_bytes == 10000);
	assert_int_equal(loom_fct_summarize(bytes, sd, 7, bad_edges, 2, b), -EINVAL);
}

static void test_collective_bounds(void **state)
{
	/* 8 MB at 10 Gb/s = 6.4 ms */
	(void)state;
	assert_true(fabs(loom_collective_bound_ns(LOOM_COLL_RING_ALLREDUCE, 4, 8000000, 10000000000ull) - 9.6e6) < 1e-3);
	assert_true(fabs(loom_collective_bound_ns(LOOM_COLL_RING_ALLGATHER, 4, 8000000, 10000000000ull) - 4.8e6) < 1e-3);
	assert_true(fabs(loom_collective_bound_ns(LOOM_COLL_BROADCAST, 4, 8000000, 10000000000ull) - 19.2e6) < 1e-3);
	assert_true(loom_collective_bound_ns(LOOM_COLL_ALL_TO_ALL, 1, 8000000, 10000000000ull) == 0);
	{
		const loom_time_ns s[] = {100, 50, 300}, e[] = {1000, 2000, 1500};
		assert_int_equal(loom_group_completion_ns(s, e, 3), 1950);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slowdown),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_collective_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
