/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real-time worker's pauses under sustained load
 * (runner/worker_priority.h): at SCHED_RR under the kernel's throttling,
 * its share of the CPU (slice over slice + pause + a wake-up) stays below
 * the throttling's share, each pause inside the fidelity slack; at the
 * fair scheduler or without throttling it never pauses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../dataplane/runner/worker_priority.c"

#define WAKE_UP_NS (50 * LOOM_NS_PER_US) /* a wake-up from a short sleep */
#define FIDELITY_SLACK_NS (200 * LOOM_NS_PER_US) /* runner/fidelity.h */

static double share(const struct loom_worker_yield *y)
{
	return (double)y->slice_ns / (double)(y->slice_ns + y->pause_ns + WAKE_UP_NS);
}

static void test_under_throttling(void **state)
{
	struct loom_worker_yield y;
	char why[256];
	long runtimes[] = {950000, 900000, 500000, 100000};

	(void)state;
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		loom_worker_yield_plan_for(10, runtimes[i], 1000000, &y, why, sizeof(why));
		assert_true(y.slice_ns != LOOM_TIME_NEVER);
		assert_true(y.slice_ns >= 10 * LOOM_NS_PER_US);
		assert_true(share(&y) < (double)runtimes[i] / 1e6);
		assert_true(y.pause_ns + WAKE_UP_NS <= FIDELITY_SLACK_NS);
		assert_non_null(strstr(why, "pauses"));
	}
	/* the default: ~1.7 ms of work, then 150 us */
	loom_worker_yield_plan_for(10, 950000, 1000000, &y, why, sizeof(why));
	assert_true(y.slice_ns > 1000 * LOOM_NS_PER_US && y.slice_ns < 2000 * LOOM_NS_PER_US);
	assert_non_null(strstr(why, "950000 of 1000000"));
}

static void test_no_pauses(void **state)
{
	struct loom_worker_yield y;
	char why[256];

	(void)state;
	loom_worker_yield_plan_for(0, 950000, 1000000, &y, why, sizeof(why));
	assert_true(y.slice_ns == LOOM_TIME_NEVER);
	assert_non_null(strstr(why, "fair scheduler"));
	loom_worker_yield_plan_for(10, -1, 1000000, &y, why, sizeof(why));
	assert_true(y.slice_ns == LOOM_TIME_NEVER);
	assert_non_null(strstr(why, "no real-time throttling"));
	loom_worker_yield_plan_for(10, 1000000, 1000000, &y, why, sizeof(why));
	assert_true(y.slice_ns == LOOM_TIME_NEVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_throttling),
		cmocka_unit_test(test_no_pauses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
